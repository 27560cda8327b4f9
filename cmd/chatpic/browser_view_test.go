package main

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// uploadLimited shares a picture by link only, to vanish after maxViews
// views, through the API.
func uploadLimited(t *testing.T, in *instance, file []byte, maxViews int) postJSON {
	t.Helper()
	r := in.uploadForm("/api/v1/uploads", file, map[string]string{"expires_in": "1h", "max_views": strconv.Itoa(maxViews)})
	if r.status != http.StatusCreated {
		t.Fatalf("link-only upload: %d %s", r.status, r.body)
	}
	return decode[postJSON](t, r)
}

// viewsLeftOf reads views_left from the API, which spends nothing.
func viewsLeftOf(t *testing.T, in *instance, id string) int {
	t.Helper()
	r := in.get("/api/v1/posts/" + id)
	p := decode[struct {
		ViewsLeft *int `json:"views_left"`
	}](t, r)
	if r.status != http.StatusOK || p.ViewsLeft == nil {
		t.Fatalf("the upload: %d %s", r.status, r.body)
	}
	return *p.ViewsLeft
}

// pictureShown is true once the page's picture has loaded.
const pictureShown = `(() => { const img = document.querySelector("figure.post img"); return !!img && img.complete && img.naturalWidth > 0; })()`

// TestBrowserViewLimit walks an upload that vanishes after three views, as
// the person it was shared with sees it, with JavaScript and without:
// opening the link shows a notice and nothing of the picture, and spends
// nothing; the button spends one view and shows the picture; with
// JavaScript, reloading that page shows the notice again rather than
// spending another view; the last view still shows the picture, and after
// it the link answers 410.
func TestBrowserViewLimit(t *testing.T) {
	in := start(t)
	p := uploadLimited(t, in, mediatest.EncodeJPEG(mediatest.Scene(1200, 900, 61), 88), 3)
	b := newBrowser(t)
	notice := `document.querySelector(".view-notice h2") ? document.querySelector(".view-notice h2").textContent : ""`

	t.Run("with JavaScript", func(t *testing.T) {
		tab := newTab(t, b, phone.emulate())
		open(t, tab, in, "/p/"+p.ID, 200)
		if got := eval[string](t, tab, notice); got != "This picture vanishes after it has been viewed 3 more times. View it now?" {
			t.Errorf("the notice says %q", got)
		}
		if n := eval[int](t, tab, `document.querySelectorAll("main img, main video").length`); n != 0 {
			t.Errorf("the notice page shows %d pictures", n)
		}
		auditHere(t, tab, "the notice")
		screenshot(t, tab, "view-notice-phone")
		if n := viewsLeftOf(t, in, p.ID); n != 3 {
			t.Fatalf("opening the link left %d views, want 3", n)
		}
		step(t, tab, "press View it now", chromedp.Click(chromedp.CSS(".view-notice button")))
		waitFor(t, tab, "the picture shows", pictureShown)
		if got := eval[string](t, tab, `document.querySelector("[data-viewed]").textContent`); !strings.Contains(got, "2 more views left") {
			t.Errorf("after the view the page says %q", got)
		}
		if path := eval[string](t, tab, `location.pathname`); path != "/p/"+p.ID {
			t.Errorf("the address is %s, want the upload's own, so a reload spends nothing", path)
		}
		screenshot(t, tab, "view-spent-phone")
		if n := viewsLeftOf(t, in, p.ID); n != 2 {
			t.Fatalf("%d views left, want 2", n)
		}
		step(t, tab, "reload", chromedp.Reload())
		waitFor(t, tab, "the notice is back", `document.querySelector(".view-notice") !== null`)
		if n := viewsLeftOf(t, in, p.ID); n != 2 {
			t.Fatalf("the reload left %d views, want 2", n)
		}
	})

	t.Run("without JavaScript", func(t *testing.T) {
		tab := newTab(t, b, noScript())
		open(t, tab, in, "/p/"+p.ID, 200)
		if got := eval[string](t, tab, notice); !strings.Contains(got, "2 more times") {
			t.Errorf("the notice says %q", got)
		}
		step(t, tab, "press View it now", chromedp.Click(chromedp.CSS(".view-notice button")))
		waitFor(t, tab, "the picture shows", pictureShown)
		if n := viewsLeftOf(t, in, p.ID); n != 1 {
			t.Fatalf("%d views left, want 1", n)
		}
	})

	t.Run("the last view, then gone", func(t *testing.T) {
		tab := newTab(t, b)
		open(t, tab, in, "/p/"+p.ID, 200)
		step(t, tab, "press View it now", chromedp.Click(chromedp.CSS(".view-notice button")))
		waitFor(t, tab, "the last view shows the picture", pictureShown)
		if got := eval[string](t, tab, `document.querySelector("[data-viewed]").textContent`); !strings.Contains(got, "last view") {
			t.Errorf("the last view says %q", got)
		}
		allowError(tab, "status of 410")
		open(t, tab, in, "/p/"+p.ID, 410)
	})
}
