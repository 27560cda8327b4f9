// Package lines batches log lines on their way to a file or a terminal. A
// busy server logs a line per request, thousands a second; a write(2) for
// each cost a fifth of the time of serving a thumbnail.
package lines

import (
	"io"
	"sync"
	"time"
)

// Batcher is an io.Writer that holds what it is given and writes it to the
// underlying writer in one piece: Delay after the first write it holds, as
// soon as it holds MaxBytes, and on Close. Each Write should be
// whole lines, as a log/slog handler's are, so that a batch never ends
// mid-line. It is safe for concurrent use.
type Batcher struct {
	mu      sync.Mutex
	w       io.Writer
	buf     []byte
	delay   time.Duration
	max     int
	pending stopper
	closed  bool
	err     error
	after   func(time.Duration, func()) stopper
}

// stopper is a pending flush: a *time.Timer, or a test's stand-in.
type stopper interface{ Stop() bool }

// Defaults for New.
const (
	Delay    = 100 * time.Millisecond
	MaxBytes = 32 << 10
)

// New returns a Batcher that writes to w at most Delay after a line
// arrives, and whenever it holds MaxBytes. Close it to write what it holds
// and pass later writes straight through.
func New(w io.Writer) *Batcher {
	return &Batcher{w: w, delay: Delay, max: MaxBytes,
		after: func(d time.Duration, f func()) stopper { return time.AfterFunc(d, f) }}
}

// Write holds p (or, after Close, writes it through). It never fails on
// account of p; an error of the underlying writer is returned by the next
// Write or Close.
func (b *Batcher) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return b.w.Write(p)
	}
	b.buf = append(b.buf, p...)
	if len(b.buf) >= b.max {
		b.flushLocked()
	} else if b.pending == nil {
		b.pending = b.after(b.delay, b.timed)
	}
	err := b.err
	b.err = nil
	return len(p), err
}

// timed is the pending flush firing.
func (b *Batcher) timed() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending = nil
	b.flushLocked()
}

// Close writes what b holds; later writes go straight through.
func (b *Batcher) Close() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.flushLocked()
	b.closed = true
	err := b.err
	b.err = nil
	return err
}

// flushLocked writes the held bytes and cancels a pending flush; b.mu is
// held.
func (b *Batcher) flushLocked() {
	if b.pending != nil {
		b.pending.Stop()
		b.pending = nil
	}
	if len(b.buf) == 0 {
		return
	}
	if _, err := b.w.Write(b.buf); err != nil && b.err == nil {
		b.err = err
	}
	// Keep a buffer of ordinary size for the next batch; let go of one a
	// burst of long lines grew.
	if cap(b.buf) > 4*b.max {
		b.buf = nil
	} else {
		b.buf = b.buf[:0]
	}
}
