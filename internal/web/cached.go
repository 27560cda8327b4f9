package web

import (
	"bytes"
	"net/http"
	"strings"
	"time"

	"github.com/chatpic/chatpic/internal/cache"
)

// PageTTL is how long a rendered public page (the home page, a channel
// page) is reused. Every change to what it shows drops it at once (see
// posting.Service.Watch), so this bounds only how stale its relative times
// ("3 minutes ago") and forecasts can be.
const PageTTL = 2 * time.Second

// homeTag tags the cached home page, which every channel's change touches.
const homeTag = "home"

// dropPages forgets the pages a change to topic makes stale.
func dropPages(c *cache.Cache, topic string) {
	if topic == "" {
		c.Clear()
		return
	}
	c.Drop(topic)
	if strings.HasPrefix(topic, "channel:") {
		c.Drop(homeTag)
	}
}

// cached answers r from the page cache when it holds a fresh page.
func (w *Web) cached(rw http.ResponseWriter, r *http.Request) bool {
	if w.pageCache == nil {
		return false
	}
	e, ok := w.pageCache.Get(w.pageKey(r))
	if ok {
		e.Serve(rw, r)
	}
	return ok
}

func (w *Web) pageKey(r *http.Request) string { return w.origin.Base(r) + r.URL.RequestURI() }

// renderCached renders a public page as render does, keeps it for the
// requests to come, dropped when any of tags changes, and answers with it
// (304 to a client that has it already).
func (w *Web) renderCached(rw http.ResponseWriter, r *http.Request, name string, data any, tags ...string) {
	if w.pageCache == nil {
		w.render(rw, r, http.StatusOK, name, data)
		return
	}
	var buf bytes.Buffer
	if err := w.pages[name].ExecuteTemplate(&buf, "layout", data); err != nil {
		w.log.Error("render page", "page", name, "err", err)
		http.Error(rw, "something went wrong on our side", http.StatusInternalServerError)
		return
	}
	e := cache.NewEntry(http.StatusOK, "text/html; charset=utf-8", "no-cache", buf.Bytes())
	w.pageCache.Put(w.pageKey(r), e, tags...)
	e.Serve(rw, r)
}
