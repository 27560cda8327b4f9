package main

import (
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// acceptLanguage is the action that makes the tab send header as its
// Accept-Language, as a browser set to that language does.
func acceptLanguage(header string) chromedp.Action[chromedp.Void] {
	return call(network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": header}})
}

// TestBrowserLanguages walks the site in other languages. Without
// JavaScript, on a phone, the switch at the foot of the page chooses
// French, and the choice follows the visitor through links and a form's
// post, with no cookie. With JavaScript, on a desktop whose browser asks
// for German, the pages come in German with clean links, and the upload
// form's refusal, which the server sends, is German too. A browser set to
// Mexican Spanish gets Spanish.
func TestBrowserLanguages(t *testing.T) {
	in := start(t)
	b := newBrowser(t)
	post := mustUpload(t, in, "photography", mediatest.EncodeJPEG(mediatest.Scene(640, 480, 5), 85))

	t.Run("phone-nojs-switch", func(t *testing.T) {
		tab := newTab(t, b, phone.emulate(), noScript())
		open(t, tab, in, "/", 200)
		step(t, tab, "choose Français in the switch", chromedp.Click(chromedp.CSS(`nav.langs a[hreflang="fr"]`)))
		waitFor(t, tab, "the page is French", `document.documentElement.lang === "fr"`)
		if got := eval[string](t, tab, `location.search`); got != "?lang=fr" {
			t.Errorf("the switch led to %q, want ?lang=fr", got)
		}
		if cur := eval[string](t, tab, `document.querySelector('nav.langs [aria-current]').textContent`); cur != "Français" {
			t.Errorf("the switch marks %q as the current language", cur)
		}
		step(t, tab, "follow a channel's link", chromedp.Click(chromedp.CSS(`a[href^="/c/photography"]`)))
		waitFor(t, tab, "the channel page is French too", `location.pathname === "/c/photography" && document.documentElement.lang === "fr"`)
		step(t, tab, "open the post", chromedp.Click(chromedp.CSS(`#grid li[data-id="`+post.ID+`"] a`)))
		waitFor(t, tab, "the post page is French", `location.pathname === "/p/`+post.ID+`" && document.documentElement.lang === "fr"`)
		step(t, tab, "write a comment and send it",
			chromedp.SendKeys(chromedp.CSS("#comment-form textarea"), "Très belle lumière"),
			chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")))
		waitFor(t, tab, "the answer is French, its address keeps lang=fr",
			`document.querySelector("#c-1") !== null && document.documentElement.lang === "fr" && location.search === "?lang=fr"`)
		if cookies := eval[string](t, tab, `document.cookie`); cookies != "" {
			t.Errorf("the language left a cookie: %q", cookies)
		}
		if heading := eval[string](t, tab, `document.querySelector("#comments h2").textContent`); !strings.Contains(heading, "Commentaires") && !strings.Contains(heading, "commentaire") {
			t.Errorf("the comments heading reads %q", heading)
		}
		screenshot(t, tab, "post-phone-fr")
		auditHere(t, tab, "a French post page without JavaScript")
	})

	t.Run("desktop-de-upload", func(t *testing.T) {
		tab := newTab(t, b, desktop.emulate(), acceptLanguage("de-DE,de;q=0.9,en;q=0.5"))
		allowError(tab, "status of 422")
		open(t, tab, in, "/c/random", 200)
		if got := eval[string](t, tab, `document.documentElement.lang`); got != "de" {
			t.Fatalf("a German browser got <html lang=%q>", got)
		}
		if n := eval[int](t, tab, `[...document.querySelectorAll("a[href]")].filter(a => a.getAttribute("href").includes("lang=")).length`); n != 4 {
			t.Errorf("%d links carry lang=, want only the switch's 4 other languages", n)
		}
		// A JPEG cut short: the page takes it for one, the server finds
		// it cannot be read.
		bad := pictureFiles(t, 1, 4242)
		jpeg, err := os.ReadFile(bad[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(bad[0], jpeg[:400], 0o644); err != nil {
			t.Fatal(err)
		}
		step(t, tab, "choose a JPEG cut short and upload it",
			chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), bad),
			chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
		waitFor(t, tab, "it is refused", `document.querySelectorAll(".queued.refused").length === 1`)
		note := eval[string](t, tab, `document.querySelector(".queued.refused .queued-note").textContent`)
		// The server's words for a picture cut short, in German.
		if !strings.Contains(note, "unvollständig") {
			t.Errorf("the refusal reads %q, want the server's German", note)
		}
		screenshot(t, tab, "upload-refused-desktop-de")
		auditHere(t, tab, "a German channel with a refused file")
	})

	t.Run("phone-es-MX", func(t *testing.T) {
		tab := newTab(t, b, phone.emulate(), acceptLanguage("es-MX,es;q=0.9"))
		open(t, tab, in, "/p/"+post.ID, 200)
		if got := eval[string](t, tab, `document.documentElement.lang`); got != "es" {
			t.Errorf("a Mexican Spanish browser got <html lang=%q>", got)
		}
		res, err := http.Get(in.base + "/p/" + post.ID + "?lang=pt-BR")
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.Header.Get("Content-Language") != "pt-BR" {
			t.Errorf("?lang=pt-BR answers Content-Language %q", res.Header.Get("Content-Language"))
		}
		screenshot(t, tab, "post-phone-es")
		auditHere(t, tab, "a Spanish post page")
	})
}
