// Package express is chatpic's express lane: an HTTP/1.1 server on the
// listener's own event loops (epoll, one thread per core, no goroutine
// per connection) for the requests whose answer is already known. A
// handler marks the response it makes as replayable (Keep): a thumbnail
// of a visible upload, a page from the page cache, a static file. The
// lane keeps that response, byte for byte, in a Store and sends it again
// to every request that arrives with the same method, target and the
// headers that could change it, until the handler's deadline or until
// one of its tags is dropped (the live events that every instance
// receives). A request the lane has no answer for, on a route whose
// answers are small and free of side effects, runs the ordinary handler
// in a goroutine; any other request hands its connection, with what was
// read of it, to net/http, which keeps it from then on (uploads, event
// streams, moderation, HTTP/2, anything the lane does not understand).
package express

import (
	"context"
	"net/http"
	"sync"
	"time"
)

// keeper is what Keep records about the response being made for a
// request the lane runs.
type keeper struct {
	ok    bool
	pass  bool // net/http's to answer (see Pass)
	until time.Time
	tags  []string
}

type keeperKey struct{}

// Keep marks the response being made for r as one the lane may send
// again, unchanged, to every request with the same method, target and
// varying headers (see fingerprint) until until, or until any of tags is
// dropped from the store. It does nothing for a request the lane did not
// run (net/http's own, HTTP/2, TLS), nor for an answer that is not a 200
// or a 304. Call it before the response is written.
func Keep(r *http.Request, until time.Time, tags ...string) {
	k := keeperOf(r)
	if k == nil {
		return
	}
	k.ok, k.until, k.tags = true, until, tags
}

// Pass tells the lane that the answer to r is not its to make (a file
// too large to hold, say) and reports whether r is the lane's: if so,
// the handler returns without writing anything, and the lane hands the
// request to net/http, which runs the handler again. For a request the
// lane did not run it does nothing and returns false: answer it.
func Pass(r *http.Request) bool {
	k := keeperOf(r)
	if k == nil {
		return false
	}
	k.pass = true
	return true
}

// keeperOf returns what records Keep and Pass for r, nil for a request
// the lane did not run.
func keeperOf(r *http.Request) *keeper {
	k, _ := r.Context().Value(keeperKey{}).(*keeper)
	return k
}

func withKeeper(ctx context.Context, k *keeper) context.Context {
	return context.WithValue(ctx, keeperKey{}, k)
}

// entry is a kept response: everything up to the Date header, then the
// rest (the headers after it, the blank line and the body).
type entry struct {
	key        string
	head, tail []byte
	until      time.Time
	tags       []string
	status     int
	bytes      int    // of the body, for the log line
	logPath    string // what the log line names (request.LogPath)
	route      string // the route pattern, for the meter
}

func (e *entry) size() int64 { return int64(len(e.key) + len(e.head) + len(e.tail) + 128) }

// Store holds the responses the lane replays, at most a budget of bytes.
// It is safe for concurrent use.
type Store struct {
	now    func() time.Time
	budget int64

	mu      sync.RWMutex
	entries map[string]*entry
	byTag   map[string]map[string]struct{}
	size    int64
	// gen counts drops: a response made while a drop happened is not
	// kept, since what it shows may be what was dropped.
	gen uint64
}

// DefaultBudget is the bytes of responses a Store keeps unless told
// otherwise: about 2,000 thumbnails, with every page and static file.
const DefaultBudget = 32 << 20

// MaxEntry is the largest response the lane keeps or makes itself; a
// larger one is left to net/http.
const MaxEntry = 1 << 20

// NewStore returns a Store that keeps up to budget bytes, with now as
// its clock.
func NewStore(budget int64, now func() time.Time) *Store {
	return &Store{now: now, budget: budget, entries: map[string]*entry{}, byTag: map[string]map[string]struct{}{}}
}

// get returns the fresh entry under key (a string made of the bytes,
// without copying them).
func (s *Store) get(key []byte, now time.Time) *entry {
	s.mu.RLock()
	e := s.entries[string(key)]
	s.mu.RUnlock()
	if e == nil || !now.Before(e.until) {
		return nil
	}
	return e
}

// generation returns the count of drops so far, for put.
func (s *Store) generation() uint64 {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.gen
}

// put keeps e, unless something was dropped since gen. A full store
// forgets stale entries first, then others, to three quarters of its
// budget.
func (s *Store) put(e *entry, gen uint64) bool {
	if e.size() > s.budget/8 {
		return false
	}
	now := s.now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.gen != gen || !now.Before(e.until) {
		return false
	}
	if old := s.entries[e.key]; old != nil {
		s.dropLocked(old)
	}
	if s.size+e.size() > s.budget {
		s.pruneLocked(now)
		for _, old := range s.entries {
			if s.size+e.size() <= s.budget*3/4 {
				break
			}
			s.dropLocked(old)
		}
	}
	s.entries[e.key] = e
	s.size += e.size()
	for _, t := range e.tags {
		if s.byTag[t] == nil {
			s.byTag[t] = map[string]struct{}{}
		}
		s.byTag[t][e.key] = struct{}{}
	}
	return true
}

// Drop forgets every response kept under any of tags, at once: the next
// request for it runs its handler again.
func (s *Store) Drop(tags ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	for _, t := range tags {
		for key := range s.byTag[t] {
			s.dropLocked(s.entries[key])
		}
	}
}

// Clear forgets every response.
func (s *Store) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	clear(s.entries)
	clear(s.byTag)
	s.size = 0
}

// prune forgets the answers past their time, so that a quiet server
// holds none of a busy minute's.
func (s *Store) prune(now time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pruneLocked(now)
}

func (s *Store) pruneLocked(now time.Time) {
	for _, e := range s.entries {
		if !now.Before(e.until) {
			s.dropLocked(e)
		}
	}
}

// Len returns how many responses are kept, and their bytes.
func (s *Store) Len() (n int, bytes int64) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.entries), s.size
}

func (s *Store) dropLocked(e *entry) {
	if e == nil || s.entries[e.key] != e {
		return
	}
	delete(s.entries, e.key)
	s.size -= e.size()
	for _, t := range e.tags {
		delete(s.byTag[t], e.key)
		if len(s.byTag[t]) == 0 {
			delete(s.byTag, t)
		}
	}
}
