package web

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/cache"
	"github.com/chatpic/chatpic/internal/express"
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

// pageBuilder gathers what a public page shows: its template, its data,
// the tags of what it shows, and whether it may be shared by every visitor
// (not when it carries a proof-of-work puzzle for one).
type pageBuilder func() (name string, data any, tags []string, shared bool, err error)

// page answers r with a public page: from the page cache while it is fresh,
// else built and rendered once however many visitors ask for it at that
// moment, kept for the requests to come, dropped when any of its tags
// changes, and answered 304 to a client that has it already. An error from
// build is answered as fail does.
func (w *Web) page(rw http.ResponseWriter, r *http.Request, build pageBuilder) {
	if w.pageCache == nil {
		name, data, _, _, err := build()
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		w.render(rw, r, http.StatusOK, name, data)
		return
	}
	w.cached(rw, r, func() (*cache.Entry, []string, bool, error) {
		name, data, tags, shared, err := build()
		if err != nil {
			return nil, nil, false, err
		}
		var buf bytes.Buffer
		if err := w.execute(&buf, name, w.lang(r), data); err != nil {
			return nil, nil, false, chatpic.Internal(fmt.Errorf("web: render %s: %w", name, err))
		}
		cc := "no-cache"
		if !shared {
			cc = "no-store"
		}
		return cache.NewEntry(http.StatusOK, "text/html; charset=utf-8", cc, buf.Bytes()), tags, shared, nil
	})
}

// cached answers r with what mk makes: from the page cache while it is
// fresh, else made once however many visitors ask for it at that moment,
// kept (when mk says it may be shared) until any of its tags changes, and
// answered 304 to a client that has it already. An error from mk is
// answered as fail does.
func (w *Web) cached(rw http.ResponseWriter, r *http.Request, mk cache.Maker) {
	var e *cache.Entry
	var err error
	l := w.lang(r)
	if w.pageCache == nil {
		e, _, _, err = mk()
	} else {
		// One copy per language: the same address may be asked for in
		// several (Accept-Language).
		e, err = w.pageCache.Load(w.origin.Base(r)+r.URL.RequestURI()+" "+l.Tag(), mk)
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if w.pageCache != nil {
		// The express lane may send it again until the cache drops it.
		until, tags := e.Kept()
		express.Keep(r, until, tags...)
	}
	languageHeaders(rw.Header(), l)
	e.Serve(rw, r)
}

// Express lets the express lane keep what the pages answer (see
// express.Keep): a page until the page cache drops it, a thumbnail until
// its upload changes. Call it before serving.
func (w *Web) Express(s *express.Store) {
	if w.pageCache == nil {
		return // no events tell what changes: nothing may be kept
	}
	// dropPages hands every topic to the page cache, which passes each
	// drop (post topics, which tag thumbnails and pictures, too) and clear
	// on to s.
	w.pageCache.Also(s)
}
