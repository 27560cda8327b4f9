package pow

import (
	"container/heap"
	"time"
)

// spentSet remembers used challenges, by MAC, until they expire. It holds
// at most max of them: when full, it forgets the one closest to expiry,
// which could then be used a second time. A flooder who fills it has paid
// for each of the max solutions that did so, so at worst a solve buys two
// uses. The caller serializes access.
type spentSet struct {
	max   int
	keys  map[[macLen]byte]struct{}
	order byExpiry // the same MACs, soonest expiry first
}

// add records mac, which expires at expires, and reports whether it was
// new. It first forgets everything expired at now.
func (s *spentSet) add(mac [macLen]byte, expires, now time.Time) bool {
	for len(s.order) > 0 && !now.Before(time.Unix(s.order[0].expires, 0)) {
		delete(s.keys, heap.Pop(&s.order).(spent).mac)
	}
	if _, ok := s.keys[mac]; ok {
		return false
	}
	if len(s.keys) >= s.max {
		delete(s.keys, heap.Pop(&s.order).(spent).mac)
	}
	s.keys[mac] = struct{}{}
	heap.Push(&s.order, spent{mac: mac, expires: expires.Unix()})
	return true
}

type spent struct {
	mac     [macLen]byte
	expires int64 // Unix seconds
}

// byExpiry is a min-heap of used challenges by expiry.
type byExpiry []spent

func (h byExpiry) Len() int           { return len(h) }
func (h byExpiry) Less(i, j int) bool { return h[i].expires < h[j].expires }
func (h byExpiry) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *byExpiry) Push(x any)        { *h = append(*h, x.(spent)) }
func (h *byExpiry) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
