package blobtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

// failingReader yields data, then fails with err instead of io.EOF.
type failingReader struct {
	data []byte
	err  error
}

func (r *failingReader) Read(p []byte) (int, error) {
	if len(r.data) == 0 {
		return 0, r.err
	}
	n := copy(p, r.data)
	r.data = r.data[n:]
	return n, nil
}

func testFailingReader(t *testing.T, s blob.Store) {
	tests := []struct {
		name string
		err  error
	}{
		{"plain error", errors.New("connection reset")},
		{"size limit error keeps its kind", chatpic.Errorf(chatpic.KindTooLarge, "file is too large")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			half := pattern(300 << 10) // more than one copy buffer
			check := func(t *testing.T, err error) {
				t.Helper()
				if !errors.Is(err, tt.err) {
					t.Fatalf("Put = %v, want an error wrapping the reader's %v", err, tt.err)
				}
				if want := chatpic.ErrorKind(tt.err); chatpic.ErrorKind(err) != want {
					t.Errorf("ErrorKind(Put error) = %q, want the reader's %q", chatpic.ErrorKind(err), want)
				}
			}
			t.Run("new key", func(t *testing.T) {
				const key = "media/new.jpg"
				_, err := s.Put(t.Context(), key, &failingReader{data: half, err: tt.err}, "")
				check(t, err)
				checkAbsent(t, s, key)
			})
			t.Run("overwrite keeps the old object", func(t *testing.T) {
				const key = "media/old.jpg"
				put(t, s, key, []byte("old"))
				_, err := s.Put(t.Context(), key, &failingReader{data: half, err: tt.err}, "")
				check(t, err)
				checkContent(t, s, key, []byte("old"))
			})
		})
	}
}

// cancellingReader cancels its context after handing out its first chunk,
// then goes on yielding data as if nothing happened.
type cancellingReader struct {
	cancel context.CancelFunc
	r      io.Reader
	reads  int
}

func (r *cancellingReader) Read(p []byte) (int, error) {
	r.reads++
	if r.reads == 2 {
		r.cancel()
	}
	return r.r.Read(p)
}

func testCancelledPut(t *testing.T, s blob.Store) {
	t.Run("already cancelled", func(t *testing.T) {
		const key = "media/cancelled.jpg"
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		_, err := s.Put(ctx, key, bytes.NewReader([]byte("data")), "")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put = %v, want context.Canceled", err)
		}
		checkAbsent(t, s, key)
	})
	t.Run("cancelled mid-stream", func(t *testing.T) {
		const key = "media/midway.jpg"
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r := &cancellingReader{cancel: cancel, r: &patternReader{size: 2 << 20}}
		_, err := s.Put(ctx, key, r, "")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Put = %v, want context.Canceled", err)
		}
		checkAbsent(t, s, key)
	})
	t.Run("cancelled mid-stream keeps the old object", func(t *testing.T) {
		const key = "media/kept.jpg"
		put(t, s, key, []byte("old"))
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		r := &cancellingReader{cancel: cancel, r: &patternReader{size: 2 << 20}}
		if _, err := s.Put(ctx, key, r, ""); !errors.Is(err, context.Canceled) {
			t.Errorf("Put = %v, want context.Canceled", err)
		}
		checkContent(t, s, key, []byte("old"))
	})
}

func testConcurrentPutsDifferentKeys(t *testing.T, s blob.Store) {
	const n = 16
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			key := fmt.Sprintf("media/k%02d.bin", i)
			if _, err := s.Put(t.Context(), key, bytes.NewReader(fill(byte(i), 10_000+i)), ""); err != nil {
				t.Errorf("Put(%q): %v", key, err)
			}
		})
	}
	wg.Wait()
	for i := range n {
		checkContent(t, s, fmt.Sprintf("media/k%02d.bin", i), fill(byte(i), 10_000+i))
	}
	if got := listKeys(t, s, "media/"); len(got) != n {
		t.Errorf("List(\"media/\") = %d keys, want %d", len(got), n)
	}
}

// testConcurrentPutsSameKey races writers of different objects on one key
// against readers; every read, and the end state, must be one whole object.
func testConcurrentPutsSameKey(t *testing.T, s blob.Store) {
	const key = "media/contended.bin"
	const writers, rounds, readers, reads = 8, 3, 4, 20
	// Writer w writes byte w, (w+1)*4099 times, so a whole object can be told
	// from a torn one by its first byte and its length.
	object := func(w int) []byte { return fill(byte(w), (w+1)*4099) }
	whole := func(data []byte) bool {
		return len(data) > 0 && bytes.Equal(data, object(int(data[0])))
	}
	put(t, s, key, object(writers)) // so readers never miss

	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for range rounds {
				if _, err := s.Put(t.Context(), key, bytes.NewReader(object(w)), ""); err != nil {
					t.Errorf("writer %d: Put: %v", w, err)
					return
				}
			}
		})
	}
	for r := range readers {
		wg.Go(func() {
			for range reads {
				obj, err := s.Open(t.Context(), key)
				if err != nil {
					t.Errorf("reader %d: Open: %v", r, err)
					return
				}
				data, err := io.ReadAll(obj)
				obj.Close()
				if err != nil {
					t.Errorf("reader %d: read: %v", r, err)
					return
				}
				if !whole(data) || obj.Info().Size != int64(len(data)) {
					t.Errorf("reader %d: read a torn object: %d bytes starting %x, Info().Size %d", r, len(data), data[:min(len(data), 1)], obj.Info().Size)
					return
				}
			}
		})
	}
	wg.Wait()
	data, _ := get(t, s, key)
	if !whole(data) {
		t.Errorf("after the race, %q holds %d bytes starting %x: not one whole object", key, len(data), data[:min(len(data), 1)])
	}
}

func testPing(t *testing.T, s blob.Store) {
	if err := s.Ping(t.Context()); err != nil {
		t.Errorf("Ping = %v, want nil", err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := s.Ping(ctx); err == nil {
		t.Error("Ping with a cancelled context = nil, want an error")
	}
}
