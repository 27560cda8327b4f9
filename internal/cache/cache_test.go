package cache

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestCache(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(time.Second, 3, func() time.Time { return now })
	page := NewEntry(200, "text/html; charset=utf-8", "no-cache", []byte(strings.Repeat("<p>x</p>", 300)))
	c.Put("/c/cats", page, "channel:cats", "home")
	c.Put("/c/dogs", NewEntry(200, "text/html", "", []byte("dogs")), "channel:dogs", "home")
	c.Put("/", NewEntry(200, "text/html", "", []byte("home")), "home")

	if e, ok := c.Get("/c/cats"); !ok || e != page {
		t.Fatal("a fresh entry was not found")
	}
	c.Drop("channel:cats")
	if _, ok := c.Get("/c/cats"); ok {
		t.Fatal("an entry outlived its tag being dropped")
	}
	if _, ok := c.Get("/c/dogs"); !ok {
		t.Fatal("dropping one channel dropped another")
	}
	c.Drop("home")
	if c.Len() != 0 {
		t.Fatalf("%d entries left after every tag was dropped", c.Len())
	}
	c.Put("/c/cats", page, "channel:cats")
	now = now.Add(time.Second)
	if _, ok := c.Get("/c/cats"); ok {
		t.Fatal("an entry outlived its TTL")
	}
	for i := range 10 {
		c.Put(string(rune('a'+i)), page, "t")
	}
	if c.Len() > 3 {
		t.Fatalf("%d entries kept, more than the 3 allowed", c.Len())
	}
}

func TestEntryServe(t *testing.T) {
	body := strings.Repeat("<p>hello</p>", 300)
	e := NewEntry(200, "text/html; charset=utf-8", "no-cache", []byte(body))
	tests := []struct {
		name, accept, ifNoneMatch string
		code                      int
		enc                       string
	}{
		{"plain", "", "", 200, ""},
		{"brotli", "gzip, br", "", 200, "br"},
		{"gzip", "gzip", "", 200, "gzip"},
		{"has it", "br", e.ETag(), 304, ""},
		{"has it, weakly", "", "W/" + e.ETag(), 304, ""},
		{"has another", "", `"other"`, 200, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			r.Header.Set("Accept-Encoding", tt.accept)
			if tt.ifNoneMatch != "" {
				r.Header.Set("If-None-Match", tt.ifNoneMatch)
			}
			rec := httptest.NewRecorder()
			e.Serve(rec, r)
			if rec.Code != tt.code || rec.Header().Get("Content-Encoding") != tt.enc || rec.Header().Get("ETag") != e.ETag() {
				t.Fatalf("got %d %q %q", rec.Code, rec.Header().Get("Content-Encoding"), rec.Header().Get("ETag"))
			}
			if tt.code == http.StatusNotModified && rec.Body.Len() != 0 {
				t.Error("a 304 with a body")
			}
			if tt.code == 200 && tt.enc == "" && rec.Body.String() != body {
				t.Error("wrong body")
			}
		})
	}
}

// TestLoadMakesOnce: callers asking at once for a missing entry wait for
// one of them to make it.
func TestLoadMakesOnce(t *testing.T) {
	c := New(time.Minute, 10, time.Now)
	var made atomic.Int32
	release := make(chan struct{})
	mk := func() (*Entry, []string, bool, error) {
		made.Add(1)
		<-release
		return NewEntry(200, "text/html", "", []byte("page")), []string{"t"}, true, nil
	}
	var wg sync.WaitGroup
	got := make([]*Entry, 20)
	for i := range got {
		wg.Go(func() {
			e, err := c.Load("k", mk)
			if err != nil {
				t.Error(err)
			}
			got[i] = e
		})
	}
	for c.inFlight() != 1 || made.Load() != 1 {
		time.Sleep(time.Millisecond) // the first caller is making it
	}
	close(release)
	wg.Wait()
	if made.Load() != 1 {
		t.Fatalf("made %d times, want once", made.Load())
	}
	for _, e := range got {
		if e != got[0] || string(e.Body) != "page" {
			t.Fatal("callers got different entries")
		}
	}
	// An answer not to be kept is made by each caller for itself.
	n := 0
	for range 3 {
		c.Load("private", func() (*Entry, []string, bool, error) {
			n++
			return NewEntry(200, "text/html", "", []byte("mine")), nil, false, nil
		})
	}
	if n != 3 || c.Len() != 1 {
		t.Fatalf("a private answer was made %d times, %d entries kept", n, c.Len())
	}
}

func (c *Cache) inFlight() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.flights)
}
