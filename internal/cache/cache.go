// Package cache keeps rendered responses (public pages, JSON listings) in
// memory for a moment, with their compressed forms, so that a page asked
// for a thousand times a second is rendered and compressed about once a
// TTL; entries are dropped at once, by tag, when what they show changes
// (the live events every instance receives). It also answers conditional
// requests: a client that has the entry's ETag gets 304.
package cache

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/chatpic/chatpic/internal/compress"
)

// Entry is a rendered response.
type Entry struct {
	Status       int
	ContentType  string
	CacheControl string
	Body         []byte

	etag    string
	br, gz  []byte
	expires time.Time
	tags    []string
}

// NewEntry returns an entry for body, with its ETag and its compressed
// forms made now (once, for every client that will get it).
func NewEntry(status int, contentType, cacheControl string, body []byte) *Entry {
	sum := sha256.Sum256(body)
	e := &Entry{Status: status, ContentType: contentType, CacheControl: cacheControl, Body: body,
		etag: `"` + base64.RawURLEncoding.EncodeToString(sum[:12]) + `"`}
	if compress.Compressible(contentType) && len(body) >= 1024 {
		e.br, e.gz = compress.Bytes(body, compress.Brotli), compress.Bytes(body, compress.Gzip)
	}
	return e
}

// Kept returns until when the entry is kept and under which tags, once a
// Cache keeps it (the zero time if none does).
func (e *Entry) Kept() (until time.Time, tags []string) { return e.expires, e.tags }

// ETag is the entry's entity tag (quoted).
func (e *Entry) ETag() string { return e.etag }

// Serve writes the entry: 304 without a body when r already has it
// (If-None-Match), else the body, compressed as r accepts.
func (e *Entry) Serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", e.ContentType)
	if e.CacheControl != "" {
		h.Set("Cache-Control", e.CacheControl)
	}
	h.Set("ETag", e.etag)
	if e.br != nil {
		h.Add("Vary", "Accept-Encoding")
	}
	if e.Status == http.StatusOK && matches(r.Header.Get("If-None-Match"), e.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := e.Body
	if e.br != nil {
		switch compress.Negotiate(r) {
		case compress.Brotli:
			body = e.br
			h.Set("Content-Encoding", compress.Brotli)
		case compress.Gzip:
			body = e.gz
			h.Set("Content-Encoding", compress.Gzip)
		}
	}
	w.WriteHeader(e.Status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// matches reports whether an If-None-Match header names etag (weakly, as
// RFC 9110 asks for GET).
func matches(header, etag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimPrefix(strings.TrimSpace(t), "W/")
		if t == etag || t == "*" {
			return true
		}
	}
	return false
}

// Cache holds entries by key for up to a TTL, at most max of them. It is
// safe for concurrent use.
type Cache struct {
	ttl time.Duration
	max int
	now func() time.Time

	// also is told of every Drop and Clear (see Also).
	also Dropper

	mu      sync.Mutex
	entries map[string]*Entry
	byTag   map[string]map[string]bool
	flights map[string]*flight
}

// flight is an entry being made, which other callers wait for.
type flight struct {
	done chan struct{}
	e    *Entry // nil if it could not be made or not be shared
}

// Maker makes the entry for a key: the entry, the tags to keep it under,
// and whether it may be kept and shared at all (false for an answer meant
// for one client only). An error, or a nil entry, is the caller's to
// answer.
type Maker func() (e *Entry, tags []string, keep bool, err error)

// New returns a Cache that keeps entries for ttl, at most max of them; now
// is the clock.
func New(ttl time.Duration, max int, now func() time.Time) *Cache {
	return &Cache{ttl: ttl, max: max, now: now, entries: map[string]*Entry{}, byTag: map[string]map[string]bool{},
		flights: map[string]*flight{}}
}

// Load returns the fresh entry under key, or makes it with mk: once,
// however many callers ask for it at the same moment (when a page goes
// stale under load, its next request renders it and the others wait for
// that, rather than all render it at once). A caller whose wait ends
// without a shared entry makes its own. Errors are mk's.
func (c *Cache) Load(key string, mk Maker) (*Entry, error) {
	c.mu.Lock()
	if e, ok := c.getLocked(key); ok {
		c.mu.Unlock()
		return e, nil
	}
	if f, ok := c.flights[key]; ok {
		c.mu.Unlock()
		<-f.done
		if f.e != nil {
			return f.e, nil
		}
		e, _, _, err := mk()
		return e, err
	}
	f := &flight{done: make(chan struct{})}
	c.flights[key] = f
	c.mu.Unlock()

	e, tags, keep, err := mk()
	if err == nil && e != nil && keep {
		c.Put(key, e, tags...)
		f.e = e
	}
	c.mu.Lock()
	delete(c.flights, key)
	c.mu.Unlock()
	close(f.done)
	return e, err
}

// Get returns the entry under key, if there is one and it is fresh.
func (c *Cache) Get(key string) (*Entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(key)
}

func (c *Cache) getLocked(key string) (*Entry, bool) {
	e, ok := c.entries[key]
	if !ok {
		return nil, false
	}
	if !c.now().Before(e.expires) {
		c.drop(key, e)
		return nil, false
	}
	return e, true
}

// Put keeps e under key, to be dropped when any of tags is (see Drop). A
// full cache first forgets stale entries, then an arbitrary one.
func (c *Cache) Put(key string, e *Entry, tags ...string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.now()
	if old, ok := c.entries[key]; ok {
		c.drop(key, old)
	}
	if len(c.entries) >= c.max {
		for k, old := range c.entries {
			if !now.Before(old.expires) || len(c.entries) >= c.max {
				c.drop(k, old)
			}
			if len(c.entries) < c.max*3/4 {
				break
			}
		}
	}
	e.expires, e.tags = now.Add(c.ttl), tags
	c.entries[key] = e
	for _, t := range tags {
		if c.byTag[t] == nil {
			c.byTag[t] = map[string]bool{}
		}
		c.byTag[t][key] = true
	}
}

// Dropper is what else keeps answers by the same tags: the express
// lane's store (*express.Store).
type Dropper interface {
	Drop(tags ...string)
	Clear()
}

// Also has every Drop and Clear of c done to d too, so that what d keeps
// of c's entries goes when they go. Call it before c is used.
func (c *Cache) Also(d Dropper) { c.also = d }

// Drop forgets every entry with any of tags.
func (c *Cache) Drop(tags ...string) {
	if c.also != nil {
		c.also.Drop(tags...)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, t := range tags {
		for key := range c.byTag[t] {
			c.drop(key, c.entries[key])
		}
	}
}

// Clear forgets every entry.
func (c *Cache) Clear() {
	if c.also != nil {
		c.also.Clear()
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.entries)
	clear(c.byTag)
}

// Len returns how many entries are kept.
func (c *Cache) Len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.entries)
}

func (c *Cache) drop(key string, e *Entry) {
	delete(c.entries, key)
	if e == nil {
		return
	}
	for _, t := range e.tags {
		delete(c.byTag[t], key)
		if len(c.byTag[t]) == 0 {
			delete(c.byTag, t)
		}
	}
}
