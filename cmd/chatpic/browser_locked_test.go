package main

import (
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserLocked locks a link-only upload with a password from the home
// page's form (with JavaScript, through upload.js), then opens its link as
// a stranger on a phone and a desktop, with and without JavaScript: the
// page asks for the password and shows nothing else; a wrong one says so;
// the right one shows the picture.
func TestBrowserLocked(t *testing.T) {
	in := start(t)
	b := newBrowser(t)
	const secret = "blue-harbour-42"

	up := newTab(t, b, desktop.emulate())
	open(t, up, in, "/", 200)
	step(t, up, "lock a picture with a password",
		chromedp.Click(chromedp.CSS("#link summary")),
		chromedp.SetUploadFiles(chromedp.CSS("#link-file"), pictureFiles(t, 1, 61)),
		chromedp.SetValue(chromedp.CSS(`#link textarea[name=caption]`), "Only for you"),
		chromedp.SetValue(chromedp.CSS(`#link input[name=password]`), secret),
		chromedp.Click(chromedp.CSS("#link button[type=submit]")))
	waitFor(t, up, "the upload is answered", `location.pathname.startsWith("/p/") || document.querySelector("#link .queued.done .copy-field") !== null`)
	link := eval[string](t, up, `location.pathname.startsWith("/p/") ? location.href : document.querySelector("#link .queued.done .copy-field").value`)

	for _, c := range []struct {
		name  string
		setup []chromedp.Action[chromedp.Void]
	}{
		{"phone", []chromedp.Action[chromedp.Void]{phone.emulate()}},
		{"desktop", []chromedp.Action[chromedp.Void]{desktop.emulate()}},
		{"phone without JavaScript", []chromedp.Action[chromedp.Void]{phone.emulate(), noScript()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := newTab(t, b, c.setup...)
			allowError(tab, "status of 403")
			open(t, tab, in, link[len(in.base):], 200)
			if shows := eval[bool](t, tab, `document.body.textContent.includes("Only for you") || document.querySelector("figure.post") !== null`); shows {
				t.Fatal("the locked page shows the upload")
			}
			auditHere(t, tab, "the password form of a locked upload")
			step(t, tab, "give a wrong password",
				chromedp.SetValue(chromedp.CSS(`input[name=password]`), "red-harbour-42"),
				chromedp.Click(chromedp.CSS("form.unlock button[type=submit]")))
			waitFor(t, tab, "it says the password is wrong", `document.querySelector('[role="alert"]') !== null && document.querySelector('[role="alert"]').textContent.includes("not right")`)
			if c.name == "phone" {
				screenshot(t, tab, "locked-phone")
			}
			step(t, tab, "give the password",
				chromedp.SetValue(chromedp.CSS(`input[name=password]`), secret),
				chromedp.Click(chromedp.CSS("form.unlock button[type=submit]")))
			waitFor(t, tab, "the picture shows", `(() => { const i = document.querySelector("figure.post img"); return i !== null && i.complete && i.naturalWidth > 0; })()`)
			if !eval[bool](t, tab, `document.body.textContent.includes("Only for you")`) {
				t.Error("the opened page lacks the caption")
			}
		})
	}
}
