package posting

import (
	"context"
	"sync"
)

// class is a kind of media work, for admission.
type class int

const (
	// light is a picture decoded by Go code in this process: JPEG, PNG,
	// GIF, WebP.
	light class = iota
	// heavy is HEIC, AVIF and video, decoded in a worker process.
	heavy
)

// budget admits media work by the memory it is expected to need, so that
// what runs at once never needs more than the total; work beyond that waits
// its turn. Each class waits in its own first-come, first-served queue.
// Heavy work may hold at most total-reserve, so light work always finds room
// beside it (a JPEG never waits for a HEIC decode to finish), and when
// memory comes free the light queue is served first.
type budget struct {
	total, reserve int64
	// idle, if set, is called (with mu held) each time the last job gives
	// its memory back.
	idle func()

	mu      sync.Mutex
	used    int64
	byClass [2]int64
	queue   [2][]*ticket
}

// ticket is a place in a queue.
type ticket struct {
	n     int64
	ready chan struct{} // closed once admitted
}

func newBudget(total, reserve int64) *budget {
	return &budget{total: total, reserve: min(reserve, total)}
}

// capacity returns the most one job of class c can be given.
func (b *budget) capacity(c class) int64 {
	if c == heavy {
		return b.total - b.reserve
	}
	return b.total
}

// waiting returns how many jobs of class c wait for memory.
func (b *budget) waiting(c class) int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue[c])
}

// acquire waits until n bytes (at most the class's capacity) can be given
// to a job of class c, and returns the function that gives them back (call
// it once). It fails only with ctx's error, having taken nothing.
func (b *budget) acquire(ctx context.Context, c class, n int64) (func(), error) {
	n = max(0, min(n, b.capacity(c)))
	b.mu.Lock()
	if len(b.queue[c]) == 0 && b.fits(c, n) {
		b.take(c, n)
		b.mu.Unlock()
		return b.releaser(c, n), nil
	}
	t := &ticket{n: n, ready: make(chan struct{})}
	b.queue[c] = append(b.queue[c], t)
	b.mu.Unlock()

	select {
	case <-t.ready:
		return b.releaser(c, n), nil
	case <-ctx.Done():
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-t.ready: // admitted meanwhile: hand it back
		b.give(c, n)
	default:
		q := b.queue[c]
		for i := range q {
			if q[i] == t {
				b.queue[c] = append(q[:i:i], q[i+1:]...)
				break
			}
		}
		b.admit() // the job behind it may fit now
	}
	return nil, ctx.Err()
}

func (b *budget) releaser(c class, n int64) func() {
	var once sync.Once
	return func() {
		once.Do(func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			b.give(c, n)
		})
	}
}

func (b *budget) fits(c class, n int64) bool {
	return b.used+n <= b.total && b.byClass[c]+n <= b.capacity(c)
}

func (b *budget) take(c class, n int64) {
	b.used += n
	b.byClass[c] += n
}

// give returns n bytes and admits whoever now fits. b.mu is held.
func (b *budget) give(c class, n int64) {
	b.used -= n
	b.byClass[c] -= n
	b.admit()
	if b.used == 0 && b.busy() == 0 && b.idle != nil {
		b.idle()
	}
}

// state returns how many jobs of each class wait, and the bytes in use.
func (b *budget) state() (lightWaiting, heavyWaiting int, used int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.queue[light]), len(b.queue[heavy]), b.used
}

// busy counts the jobs waiting. b.mu is held.
func (b *budget) busy() int { return len(b.queue[light]) + len(b.queue[heavy]) }

// quiet reports whether no job holds memory or waits for it.
func (b *budget) quiet() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used == 0 && b.busy() == 0
}

// admit lets in the jobs at the head of each queue that fit, light first.
// b.mu is held.
func (b *budget) admit() {
	for _, c := range []class{light, heavy} {
		for len(b.queue[c]) > 0 && b.fits(c, b.queue[c][0].n) {
			t := b.queue[c][0]
			b.queue[c] = b.queue[c][1:]
			b.take(c, t.n)
			close(t.ready)
		}
	}
}
