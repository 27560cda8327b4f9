package server

import (
	"errors"
	"net/http/httptest"
	"testing"

	"github.com/chatpic/chatpic"
)

// failureCounts records failures by source.
type failureCounts map[string]int

func (f failureCounts) Failure(source string) { f[source]++ }

// TestFailuresCountedBySource: pages and the API count every error they
// answer with a 5xx, by the store it came from, and nothing else.
func TestFailuresCountedBySource(t *testing.T) {
	ts := newTestSite(t, nil)
	counts := failureCounts{}
	ts.pages.CountFailures(counts)
	ts.api.CountFailures(counts)
	disk := errors.New("input/output error")
	for _, f := range []struct {
		fail func(err error)
		err  error
	}{
		{func(err error) { ts.pages.Fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), err) },
			chatpic.Internal(chatpic.Source(disk, chatpic.ErrDatabase))},
		{func(err error) {
			ts.api.Fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/channels", nil), err)
		},
			chatpic.Internal(chatpic.Source(disk, chatpic.ErrMediaStore))},
		{func(err error) {
			ts.api.Fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/api/v1/channels", nil), err)
		},
			chatpic.Internal(disk)},
		{func(err error) { ts.pages.Fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil), err) },
			chatpic.Errorf(chatpic.KindNotFound, "no such thing")},
	} {
		f.fail(f.err)
	}
	want := failureCounts{"database": 1, "media_store": 1, "other": 1}
	if len(counts) != len(want) {
		t.Fatalf("counts %v, want %v", counts, want)
	}
	for k, v := range want {
		if counts[k] != v {
			t.Errorf("counts %v, want %v", counts, want)
		}
	}
}
