package main

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestBrowserSensitive checks a picture marked sensitive as viewers meet
// it, on a phone and a desktop: blurred in the grid and on its page; Show
// unblurs one; the standing choice, kept in the browser, unblurs all and
// survives a reload; and without JavaScript, Show is a link to the page
// with the picture shown.
func TestBrowserSensitive(t *testing.T) {
	in := start(t)
	b := newBrowser(t)

	r := in.uploadForm("/api/v1/channels/photography/posts", mediatest.EncodeJPEG(mediatest.Scene(800, 600, 5), 85),
		map[string]string{"sensitive": "true"})
	var p struct {
		ID        string `json:"id"`
		Sensitive bool   `json:"sensitive"`
	}
	if err := json.Unmarshal(r.body, &p); err != nil || r.status != http.StatusCreated || !p.Sensitive {
		t.Fatalf("upload marked sensitive: %d %s", r.status, r.body)
	}
	mustUpload(t, in, "photography", mediatest.EncodeJPEG(mediatest.Scene(600, 800, 6), 85))

	const (
		blurred = `getComputedStyle(document.querySelector(".sensitive img")).filter !== "none"`
		prefs   = `!document.querySelector(".sensitive-pref").hidden`
	)
	for _, v := range []viewport{phone, desktop} {
		t.Run(v.name, func(t *testing.T) {
			tab := newTab(t, b, v.emulate())
			open(t, tab, in, "/c/photography", 200)
			if !eval[bool](t, tab, blurred) || !eval[bool](t, tab, prefs) {
				t.Fatal("the marked picture is not blurred, or the standing choice is not offered")
			}
			if n := eval[int](t, tab, `document.querySelectorAll("#grid .sensitive").length`); n != 1 {
				t.Errorf("%d blurred pictures in the grid, want 1", n)
			}
			screenshot(t, tab, "channel-sensitive-"+v.name)
			auditHere(t, tab, "a channel page with a blurred picture")
			step(t, tab, "show it", chromedp.Click(chromedp.CSS(".sensitive .unblur")))
			waitFor(t, tab, "it is shown, and focus moved to it", `!(`+blurred+`) && document.activeElement.closest(".sensitive") !== null`)

			open(t, tab, in, "/c/photography", 200)
			if !eval[bool](t, tab, blurred) {
				t.Fatal("showing one picture was remembered: it should only be shown once")
			}
			step(t, tab, "always show them", chromedp.Click(chromedp.CSS("[data-sensitive-pref]")))
			waitFor(t, tab, "all are shown", `!(`+blurred+`)`)
			open(t, tab, in, "/p/"+p.ID, 200)
			if eval[bool](t, tab, blurred) || !eval[bool](t, tab, `document.querySelector("[data-sensitive-pref]").checked`) {
				t.Error("the standing choice did not last to the post's page")
			}
			step(t, tab, "stop showing them", chromedp.Click(chromedp.CSS("[data-sensitive-pref]")))
			open(t, tab, in, "/p/"+p.ID, 200)
			if !eval[bool](t, tab, blurred) {
				t.Error("the picture stays shown after the choice was undone")
			}
		})
	}

	t.Run("phone without JavaScript", func(t *testing.T) {
		tab := newTab(t, b, phone.emulate(), noScript())
		open(t, tab, in, "/c/photography", 200)
		if !eval[bool](t, tab, blurred) || eval[bool](t, tab, prefs) {
			t.Fatal("without JavaScript: not blurred, or a choice that cannot work is offered")
		}
		step(t, tab, "follow Show", chromedp.Click(chromedp.CSS(".sensitive .unblur")))
		waitFor(t, tab, "the post's page shows the picture", `location.search === "?show=sensitive" && document.querySelector("figure.post img") !== null && getComputedStyle(document.querySelector("figure.post img")).filter === "none"`)
		auditHere(t, tab, "the page of a picture shown on request")
	})
}
