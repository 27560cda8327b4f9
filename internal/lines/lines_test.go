package lines

import (
	"bytes"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeTimer is a pending flush that the test fires.
type fakeTimer struct {
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { t.stopped = true; return true }

// writes records every Write it receives.
type writes struct {
	mu  sync.Mutex
	got []string
	err error
}

func (w *writes) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.got = append(w.got, string(p))
	return len(p), w.err
}

func newTest(max int) (*Batcher, *writes, *[]*fakeTimer) {
	w := &writes{}
	var timers []*fakeTimer
	b := New(w)
	b.max = max
	b.after = func(d time.Duration, f func()) stopper {
		if d != Delay {
			panic("unexpected delay")
		}
		t := &fakeTimer{f: f}
		timers = append(timers, t)
		return t
	}
	return b, w, &timers
}

func TestBatcher(t *testing.T) {
	tests := []struct {
		name       string
		run        func(b *Batcher, timers *[]*fakeTimer)
		wantWrites []string
	}{
		{
			name: "lines wait for the delay, then go out in one write",
			run: func(b *Batcher, timers *[]*fakeTimer) {
				b.Write([]byte("a\n"))
				b.Write([]byte("b\n"))
				(*timers)[0].f()
			},
			wantWrites: []string{"a\nb\n"},
		},
		{
			name: "one pending flush however many lines",
			run: func(b *Batcher, timers *[]*fakeTimer) {
				for range 5 {
					b.Write([]byte("x\n"))
				}
				if len(*timers) != 1 {
					panic("more than one pending flush")
				}
				(*timers)[0].f()
				b.Write([]byte("y\n"))
				(*timers)[1].f()
			},
			wantWrites: []string{"x\nx\nx\nx\nx\n", "y\n"},
		},
		{
			name: "a full batch goes out at once and cancels the pending flush",
			run: func(b *Batcher, timers *[]*fakeTimer) {
				b.Write([]byte("0123456789\n"))
				b.Write([]byte("0123456789\n"))
				if !(*timers)[0].stopped {
					panic("the pending flush was not cancelled")
				}
			},
			wantWrites: []string{"0123456789\n0123456789\n"},
		},
		{
			name: "nothing held, nothing written",
			run: func(b *Batcher, timers *[]*fakeTimer) {
				b.Close()
			},
		},
		{
			name: "close writes what is held, then writes pass through",
			run: func(b *Batcher, timers *[]*fakeTimer) {
				b.Write([]byte("last\n"))
				b.Close()
				b.Write([]byte("after\n"))
			},
			wantWrites: []string{"last\n", "after\n"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, w, timers := newTest(20)
			tt.run(b, timers)
			if strings.Join(w.got, "|") != strings.Join(tt.wantWrites, "|") {
				t.Errorf("writes %q, want %q", w.got, tt.wantWrites)
			}
		})
	}
}

// TestBatcherReportsWriteErrors: a failed batch is reported by the next
// call, once.
func TestBatcherReportsWriteErrors(t *testing.T) {
	b, w, _ := newTest(4)
	w.err = errors.New("disk full")
	if _, err := b.Write([]byte("12345\n")); err == nil {
		t.Fatal("the write that filled a failing batch reported nothing")
	}
	w.err = nil
	if _, err := b.Write([]byte("1\n")); err != nil {
		t.Errorf("an error was reported twice: %v", err)
	}
}

// TestBatcherConcurrent: lines written at once from many goroutines all
// arrive whole, with the real timer.
func TestBatcherConcurrent(t *testing.T) {
	var out bytes.Buffer
	var mu sync.Mutex
	b := New(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return out.Write(p)
	}))
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for range 1000 {
				b.Write([]byte{'a' + byte(i), '\n'})
			}
		})
	}
	wg.Wait()
	b.Close()
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 8000 {
		t.Fatalf("%d lines arrived, want 8000", len(lines))
	}
	for _, l := range lines {
		if len(l) != 1 {
			t.Fatalf("a line arrived cut or joined: %q", l)
		}
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
