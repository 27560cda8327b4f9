package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// readQR photographs the element sel as the screen shows it and reads the
// QR code in the picture, as a phone's camera would.
func readQR(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	// Measure only once the page has loaded (its style sheet applied) and
	// the picture is in: a box taken earlier can lie elsewhere by the
	// time the screen is photographed. (A page without JavaScript runs
	// no promise or animation frame of ours, so this polls.)
	waitFor(t, ctx, sel+" is drawn", `(() => { const el = document.querySelector(`+jsString(sel)+`);
		return document.readyState === "complete" && el !== null && el.complete && el.naturalWidth > 0; })()`)
	// A busy machine can still be laying the page out when it is
	// photographed (the box moved between measuring and the shot): a
	// camera looks again. Each look measures anew; the code must read.
	var err error
	for range 3 {
		var text string
		if text, err = photographQR(t, ctx, sel); err == nil {
			return text
		}
	}
	t.Fatalf("no QR code can be read in %s: %v", sel, err)
	return ""
}

// photographQR measures sel, photographs it and decodes the picture.
func photographQR(t *testing.T, ctx context.Context, sel string) (string, error) {
	t.Helper()
	box := eval[[4]float64](t, ctx, `(() => { const r = document.querySelector(`+jsString(sel)+`).getBoundingClientRect();
		return [r.x + scrollX, r.y + scrollY, r.width, r.height]; })()`)
	if box[2] < 100 || box[3] < 100 {
		t.Fatalf("%s is %gx%g px on the screen, too small to scan", sel, box[2], box[3])
	}
	shot, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{X: box[0] - 8, Y: box[1] - 8, Width: box[2] + 16, Height: box[3] + 16, Scale: 1},
			CaptureBeyondViewport: new(true),
		})
		return r.Data, err
	})
	if err != nil {
		t.Fatalf("photograph %s: %v", sel, err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		return "", fmt.Errorf("box %v: %w", box, err)
	}
	return res.GetText(), nil
}

// TestBrowserQRAndFeed checks a post's QR code as people meet it: in view
// beside the post on a desktop, under "More links" on a phone (with and
// without JavaScript), and after an upload; each read back from the screen.
// And that a channel page points feed readers at a feed that lists it.
func TestBrowserQRAndFeed(t *testing.T) {
	in := start(t)
	b := newBrowser(t)
	p := mustUpload(t, in, "photography", mediatest.EncodeJPEG(mediatest.Scene(800, 600, 3), 85))
	link := in.base + "/p/" + p.ID

	desk := newTab(t, b, desktop.emulate())
	open(t, desk, in, "/p/"+p.ID, 200)
	if got := readQR(t, desk, ".qr-aside img"); got != link {
		t.Errorf("desktop: the code beside the post reads %q, want %q", got, link)
	}
	screenshot(t, desk, "post-qr-desktop")

	for _, c := range []struct {
		name  string
		setup []chromedp.Action[chromedp.Void]
	}{
		{"phone", []chromedp.Action[chromedp.Void]{phone.emulate()}},
		{"phone without JavaScript", []chromedp.Action[chromedp.Void]{phone.emulate(), noScript()}},
	} {
		t.Run(c.name, func(t *testing.T) {
			tab := newTab(t, b, c.setup...)
			open(t, tab, in, "/p/"+p.ID, 200)
			if shown := eval[bool](t, tab, `getComputedStyle(document.querySelector(".qr-aside")).display !== "none"`); shown {
				t.Error("the code takes room beside the post on a phone")
			}
			step(t, tab, "open More links", chromedp.Click(chromedp.CSS("details.links summary")))
			waitFor(t, tab, "the code is drawn", `(() => { const i = document.querySelector("details.links .qr"); return i.complete && i.naturalWidth > 0; })()`)
			if got := readQR(t, tab, "details.links .qr"); got != link {
				t.Errorf("the code under More links reads %q, want %q", got, link)
			}
		})
	}

	// The page that answers an upload made through the form shows it next
	// to the link, on a phone too.
	tab := newTab(t, b, phone.emulate(), noScript())
	open(t, tab, in, "/c/random", 200)
	files := pictureFiles(t, 1, 7)
	step(t, tab, "choose a file", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), files))
	step(t, tab, "send it", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
	waitFor(t, tab, "the upload is answered", `(() => { const i = document.querySelector(".created .qr"); return i !== null && i.complete; })()`)
	// A code that could not be loaded fails here, by name, not as a wait
	// that never ends (the tab runs no script to ask its address why).
	if broken := eval[string](t, tab, `(() => { const i = document.querySelector(".created .qr");
		return i.naturalWidth > 0 ? "" : i.src; })()`); broken != "" {
		t.Fatalf("after the upload the QR code did not load: %s is a broken picture", broken)
	}
	share := eval[string](t, tab, `document.querySelector(".created .copy-field").value`)
	if got := readQR(t, tab, ".created .qr"); got != share || !strings.HasPrefix(share, in.base+"/p/") {
		t.Errorf("after the upload the code reads %q, want the share link %q", got, share)
	}

	// Feed readers find the channel's feed from its page, and the feed
	// lists the upload.
	open(t, desk, in, "/c/photography", 200)
	feed := eval[string](t, desk, `document.querySelector('link[rel="alternate"][type="application/atom+xml"]').href`)
	if feed != in.base+"/c/photography/feed.atom" {
		t.Fatalf("the channel page points feed readers at %q", feed)
	}
	ids := eval[[]string](t, desk, `fetch(`+jsString(feed)+`).then(r => r.text()).then(x => {
		const doc = new DOMParser().parseFromString(x, "application/xml");
		if (doc.querySelector("parsererror")) throw new Error("the feed is not well-formed XML");
		return [...doc.querySelectorAll("entry > id")].map(e => e.textContent);
	})`)
	if len(ids) != 1 || ids[0] != link {
		t.Errorf("the feed lists %q, want only %q", ids, link)
	}
}
