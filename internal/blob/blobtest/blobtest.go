// Package blobtest is the conformance suite for blob.Store: every
// implementation runs Run in its tests, so that callers can swap one store
// for another without surprises.
package blobtest

import (
	"bytes"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

// Run runs the conformance suite as subtests of t. newStore must return a new,
// empty store each time it is called, and arrange its own cleanup with
// t.Cleanup. The subtests run one after another, never in parallel, so stores
// may share a backend as long as each one starts empty. Put is given a
// content type, but what a store does with it is not checked here: only a
// store that clients fetch from keeps it (s3blob's own tests check that).
func Run(t *testing.T, newStore func(t *testing.T) blob.Store) {
	tests := []struct {
		name string
		run  func(t *testing.T, s blob.Store)
	}{
		{"PutThenOpen", testPutThenOpen},
		{"ValidKeysRoundTrip", testValidKeysRoundTrip},
		{"Seek", testSeek},
		{"ServeContentRanges", testServeContentRanges},
		{"Overwrite", testOverwrite},
		{"EmptyObject", testEmptyObject},
		{"LargeObjectStreams", testLargeObject},
		{"Stat", testStat},
		{"MissingKey", testMissingKey},
		{"DeleteMissingKey", testDeleteMissingKey},
		{"DeleteThenOpen", testDeleteThenOpen},
		{"ListPrefix", testListPrefix},
		{"ListEmptyStore", testListEmptyStore},
		{"ListStopsOnError", testListStopsOnError},
		{"InvalidKeys", testInvalidKeys},
		{"InvalidPrefixes", testInvalidPrefixes},
		{"FailingReader", testFailingReader},
		{"CancelledPut", testCancelledPut},
		{"ConcurrentPutsDifferentKeys", testConcurrentPutsDifferentKeys},
		{"ConcurrentPutsSameKey", testConcurrentPutsSameKey},
		{"Ping", testPing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.run(t, newStore(t))
		})
	}
}

// clockSlack is how far a ModTime may be from the test's clock. It is
// generous because a remote store stamps times with its own clock, often to
// the second; it still catches zero, epoch or wrong-unit times.
const clockSlack = time.Minute

func checkModTime(t *testing.T, what string, got, before, after time.Time) {
	t.Helper()
	if got.Before(before.Add(-clockSlack)) || got.After(after.Add(clockSlack)) {
		t.Errorf("%s: ModTime = %v, want between %v and %v (± %v)", what, got, before, after, clockSlack)
	}
}

// put stores data under key and checks the returned size.
func put(t *testing.T, s blob.Store, key string, data []byte) {
	t.Helper()
	n, err := s.Put(t.Context(), key, bytes.NewReader(data), "application/octet-stream")
	if err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
	if n != int64(len(data)) {
		t.Fatalf("Put(%q) = %d, want %d", key, n, len(data))
	}
}

// get reads the whole object under key and returns it with its Info.
func get(t *testing.T, s blob.Store, key string) ([]byte, blob.Info) {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer obj.Close()
	data, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	return data, obj.Info()
}

// checkContent checks that key holds exactly want.
func checkContent(t *testing.T, s blob.Store, key string, want []byte) {
	t.Helper()
	got, info := get(t, s, key)
	if !bytes.Equal(got, want) {
		t.Errorf("Open(%q) read %d bytes %.20q, want %d bytes %.20q", key, len(got), got, len(want), want)
	}
	if info.Key != key || info.Size != int64(len(want)) {
		t.Errorf("Open(%q).Info() = {Key: %q, Size: %d}, want {Key: %q, Size: %d}", key, info.Key, info.Size, key, len(want))
	}
}

// checkNotFound checks that err is a not-found error in both senses the
// contract promises.
func checkNotFound(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, blob.ErrNotFound) {
		t.Errorf("%s: err = %v, want one matching blob.ErrNotFound", what, err)
	}
	if got := chatpic.ErrorKind(err); got != chatpic.KindNotFound {
		t.Errorf("%s: ErrorKind(%v) = %q, want %q", what, err, got, chatpic.KindNotFound)
	}
}

// checkAbsent checks that no object is under key, by Open, Stat and List.
func checkAbsent(t *testing.T, s blob.Store, key string) {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err == nil {
		obj.Close()
	}
	checkNotFound(t, "Open("+key+")", err)
	_, err = s.Stat(t.Context(), key)
	checkNotFound(t, "Stat("+key+")", err)
	for _, k := range listKeys(t, s, "") {
		if k == key {
			t.Errorf("List(\"\") shows %q, which should not exist", key)
		}
	}
}

// listKeys returns the keys List reports under prefix, in its order.
func listKeys(t *testing.T, s blob.Store, prefix string) []string {
	t.Helper()
	var keys []string
	err := s.List(t.Context(), prefix, func(info blob.Info) error {
		keys = append(keys, info.Key)
		return nil
	})
	if err != nil {
		t.Fatalf("List(%q): %v", prefix, err)
	}
	return keys
}

// fill returns n copies of b.
func fill(b byte, n int) []byte {
	return bytes.Repeat([]byte{b}, n)
}
