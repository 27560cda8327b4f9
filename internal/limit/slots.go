package limit

import (
	"sync"
	"time"

	"github.com/chatpic/chatpic"
)

// Slots bounds how many of something (uploads in flight, open streams) each
// key may hold at once, and how many all keys together. Keys are opaque
// (keyed hashes of client addresses). It is safe for concurrent use, holds
// state only for keys that hold a slot, and starts no goroutines.
type Slots struct {
	perKey, total int
	what          What
	retry         time.Duration

	mu   sync.Mutex
	held map[string]int
	n    int
}

// What names the things Slots hold, which its refusals speak of.
type What string

// The things Slots hold. Each has refusals of its own, whole sentences
// that the message catalogs translate; any other What gets general ones.
const (
	UploadsInFlight What = "uploads in flight"
	LiveStreams     What = "live streams open"
)

// NewSlots returns Slots of perKey per key and total in all (values below
// 1 mean 1). what names the things held, in refusals; retry is the
// Retry-After of a refusal.
func NewSlots(perKey, total int, what What, retry time.Duration) *Slots {
	return &Slots{perKey: max(perKey, 1), total: max(total, 1), what: what, retry: retry, held: map[string]int{}}
}

// Acquire takes a slot for key and returns the function that gives it back
// (call it once; later calls do nothing). It refuses at once, taking
// nothing: with KindRateLimited when key already holds its share, with
// KindUnavailable when all the slots are taken.
func (s *Slots) Acquire(key string) (func(), error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.held[key] >= s.perKey {
		return nil, s.refuseMine()
	}
	if s.n >= s.total {
		return nil, s.refuseFull()
	}
	s.held[key]++
	s.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			s.mu.Lock()
			defer s.mu.Unlock()
			s.n--
			if s.held[key]--; s.held[key] <= 0 {
				delete(s.held, key)
			}
		})
	}, nil
}

// Held returns how many slots are taken in all.
func (s *Slots) Held() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.n
}

// refuseMine refuses a key that holds its share.
func (s *Slots) refuseMine() error {
	switch s.what {
	case UploadsInFlight:
		return chatpic.RateLimited(s.retry, "you have %d uploads in flight already; wait until one ends", s.perKey)
	case LiveStreams:
		return chatpic.RateLimited(s.retry, "you have %d live streams open already; wait until one ends", s.perKey)
	}
	return chatpic.RateLimited(s.retry, "you have too much under way already; wait until something ends")
}

// refuseFull refuses anyone while every slot is taken.
func (s *Slots) refuseFull() error {
	switch s.what {
	case UploadsInFlight:
		return chatpic.Unavailable(s.retry, "the server has as many uploads in flight as it can take; try again shortly")
	case LiveStreams:
		return chatpic.Unavailable(s.retry, "the server has as many live streams open as it can take; try again shortly")
	}
	return chatpic.Unavailable(s.retry, "the server is as busy as it can be; try again shortly")
}
