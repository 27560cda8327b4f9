// Package limit counts events per client and says when a client has had
// too many. Clients are named by opaque keys (the caller passes a keyed hash
// of the client's address, never the address). Memory is bounded: when the
// table is full, the entry closest to its full allowance is forgotten
// first. The package starts no goroutines; its owner calls Prune now and
// then. Limiter keeps its state in this process's memory, for a single
// instance; Shared applies the same algorithm to state in a Store that
// several instances share.
//
// A refused request becomes an error with
//
//	chatpic.RateLimited(retryAfter, "too many uploads; try again later")
//
// and the transport turns retryAfter into a Retry-After header.
package limit

import (
	"bytes"
	"container/heap"
	"sync"
	"time"
)

// Limiter applies one Rule to many clients with the generic cell rate
// algorithm: each key holds one time, the moment its allowance will be full
// again, so a client may spend its whole burst at once and then one event
// every Per/Events. Refused events cost nothing. A Limiter is safe for
// concurrent use.
type Limiter struct {
	interval int64 // nanoseconds of allowance one event costs: Per/Events
	burst    int64 // nanoseconds of allowance a full client holds: Events*interval
	maxKeys  int

	mu      sync.Mutex
	entries map[string]*entry
	order   byFull // the same entries, soonest full first
}

// entry is a key's state: full is the moment (Unix nanoseconds) its
// allowance is whole again. index is its place in Limiter.order.
type entry struct {
	key   string
	full  int64
	index int
}

// New returns a Limiter for r that holds state for at most maxKeys keys
// (values below 1 mean 1). With r unlimited it allows everything and holds
// nothing. A Per/Events shorter than a nanosecond is taken as one.
func New(r Rule, maxKeys int) *Limiter {
	l := &Limiter{maxKeys: max(maxKeys, 1), entries: map[string]*entry{}}
	if !r.Unlimited() {
		l.interval = max(int64(r.Per)/int64(r.Events), 1)
		// Events*interval, not Per: with Per/Events rounded down the burst
		// stays exactly Events.
		l.burst = l.interval * int64(r.Events)
	}
	return l
}

// Allow records an event by key at now if the key's allowance has room for
// it, and reports whether it did. If it did not, retryAfter is how long
// from now until the same event would be allowed (exact; rounding to whole
// seconds is the caller's job).
//
// prev is the same client's key under the previous secret, or nil: state
// found under prev moves to key (merged with key's own, keeping the
// stricter), so rotating the secret does not reset anyone's limit.
func (l *Limiter) Allow(now time.Time, key, prev []byte) (ok bool, retryAfter time.Duration) {
	if l.interval == 0 {
		return true, 0
	}
	t := now.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	e := l.adopt(key, prev)
	next := l.interval + t
	if e != nil && e.full > t {
		next = e.full + l.interval
	}
	if wait := next - l.burst - t; wait > 0 {
		return false, time.Duration(wait)
	}
	if e == nil {
		l.insert(string(key), next)
	} else {
		e.full = next
		heap.Fix(&l.order, e.index)
	}
	return true, 0
}

// Peek reports what Allow would answer for key and prev at now, without
// recording or moving anything.
func (l *Limiter) Peek(now time.Time, key, prev []byte) (ok bool, retryAfter time.Duration) {
	if l.interval == 0 {
		return true, 0
	}
	t := now.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	full := t
	for _, k := range [][]byte{key, prev} {
		if e, found := l.entries[string(k)]; found && k != nil && e.full > full {
			full = e.full
		}
	}
	if wait := full + l.interval - l.burst - t; wait > 0 {
		return false, time.Duration(wait)
	}
	return true, 0
}

// Reset forgets the state of each of keys, giving them their full
// allowance: after a successful sign-in, the caller resets the client's
// failure count under its current and previous key.
func (l *Limiter) Reset(keys ...[]byte) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if e, ok := l.entries[string(k)]; ok {
			l.remove(e)
		}
	}
}

// Prune forgets every key whose allowance is full again at now: such a key
// behaves exactly as one never seen. It costs O(log n) per key forgotten.
func (l *Limiter) Prune(now time.Time) {
	t := now.UnixNano()
	l.mu.Lock()
	defer l.mu.Unlock()
	for len(l.order) > 0 && l.order[0].full <= t {
		l.remove(l.order[0])
	}
}

// Len returns how many keys hold state.
func (l *Limiter) Len() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.entries)
}

// adopt returns key's entry, first moving prev's state to key, or nil if
// neither has any.
func (l *Limiter) adopt(key, prev []byte) *entry {
	e := l.entries[string(key)]
	if prev == nil || bytes.Equal(key, prev) {
		return e
	}
	p, ok := l.entries[string(prev)]
	if !ok {
		return e
	}
	if e == nil {
		delete(l.entries, p.key)
		p.key = string(key)
		l.entries[p.key] = p
		return p
	}
	if p.full > e.full {
		e.full = p.full
		heap.Fix(&l.order, e.index)
	}
	l.remove(p)
	return e
}

// insert adds an entry for key, first forgetting the entry soonest full if
// the table is at maxKeys: that one has the least left to remember.
func (l *Limiter) insert(key string, full int64) {
	if len(l.entries) >= l.maxKeys {
		l.remove(l.order[0])
	}
	e := &entry{key: key, full: full}
	l.entries[key] = e
	heap.Push(&l.order, e)
}

func (l *Limiter) remove(e *entry) {
	delete(l.entries, e.key)
	heap.Remove(&l.order, e.index)
}

// byFull is a min-heap of entries by the time their allowance is full.
type byFull []*entry

func (h byFull) Len() int           { return len(h) }
func (h byFull) Less(i, j int) bool { return h[i].full < h[j].full }
func (h byFull) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index, h[j].index = i, j
}
func (h *byFull) Push(x any) {
	e := x.(*entry)
	e.index = len(*h)
	*h = append(*h, e)
}
func (h *byFull) Pop() any {
	old := *h
	e := old[len(old)-1]
	old[len(old)-1] = nil
	*h = old[:len(old)-1]
	return e
}
