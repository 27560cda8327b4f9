package limit

import (
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func TestSlots(t *testing.T) {
	s := NewSlots(2, 3, "uploads in flight", 10*time.Second)
	steps := []struct {
		name string
		key  string
		want chatpic.Kind // "" for granted
	}{
		{"a's first", "a", ""},
		{"a's second", "a", ""},
		{"a's third: over its share", "a", chatpic.KindRateLimited},
		{"b's first", "b", ""},
		{"c's first: all taken", "c", chatpic.KindUnavailable},
	}
	var releases []func()
	for _, st := range steps {
		rel, err := s.Acquire(st.key)
		if chatpic.ErrorKind(err) != st.want {
			t.Fatalf("%s: got %v, want kind %q", st.name, err, st.want)
		}
		if err != nil {
			if chatpic.RetryAfterSeconds(err) != 10 {
				t.Errorf("%s: Retry-After %d s, want 10", st.name, chatpic.RetryAfterSeconds(err))
			}
			continue
		}
		releases = append(releases, rel)
	}
	releases[0]()
	releases[0]() // a second call gives nothing back twice
	if s.Held() != 2 {
		t.Fatalf("%d held after one release, want 2", s.Held())
	}
	if _, err := s.Acquire("c"); err != nil {
		t.Fatalf("c after a release: %v", err)
	}
	for _, rel := range releases {
		rel()
	}
	if len(s.held) != 1 {
		t.Fatalf("keys without slots still kept: %v", s.held)
	}
}
