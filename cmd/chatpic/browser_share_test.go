package main

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// shareFile posts file to the share target as a phone's share sheet does,
// and returns the path of the prefilled upload form it answers with.
func shareFile(t *testing.T, in *instance, file []byte) string {
	t.Helper()
	body, contentType := uploadBody(file, nil)
	req, _ := http.NewRequest("POST", in.base+"/share", body)
	req.Header.Set("Content-Type", contentType)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusSeeOther || !strings.HasPrefix(loc, "/share/") {
		t.Fatalf("POST /share: %d %q", res.StatusCode, loc)
	}
	return loc
}

// shareInPage makes the tab share a freshly drawn JPEG to the site as the
// operating system does for an installed app: a multipart POST of the file
// to the manifest's share target, as a navigation.
const shareInPage = `(async () => {
  const c = document.createElement("canvas");
  c.width = 640; c.height = 480;
  const g = c.getContext("2d");
  g.fillStyle = "#3a7bd5"; g.fillRect(0, 0, 640, 480);
  g.fillStyle = "#ffd166"; g.beginPath(); g.arc(480, 120, 60, 0, 7); g.fill();
  const blob = await new Promise(r => c.toBlob(r, "image/jpeg", 0.9));
  const m = await (await fetch("/manifest.webmanifest")).json();
  const t = m.share_target;
  const f = document.createElement("form");
  f.method = t.method; f.action = t.action; f.enctype = t.enctype;
  const input = document.createElement("input");
  input.type = "file"; input.name = t.params.files[0].name;
  const dt = new DataTransfer();
  dt.items.add(new File([blob], "PXL_20261123_120000.jpg", {type: "image/jpeg"}));
  input.files = dt.files;
  f.appendChild(input);
  document.body.appendChild(f);
  f.submit();
  return true;
})()`

// TestBrowserShareTarget installs nothing but checks what makes the site
// installable (a manifest without errors, no installability errors), then
// shares a picture to it as a phone's share sheet would, with and without
// JavaScript, and posts it from the prefilled form.
func TestBrowserShareTarget(t *testing.T) {
	in := start(t)
	b := newBrowser(t)

	t.Run("installable", func(t *testing.T) {
		tab := newTab(t, b, desktop.emulate())
		open(t, tab, in, "/", 200)
		ctx, cancel := context.WithTimeout(tab, 20e9)
		defer cancel()
		m, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (page.GetAppManifestResult, error) {
			return cdp.Call(ctx, tg, page.GetAppManifest, page.GetAppManifestParams{})
		})
		if err != nil {
			t.Fatalf("Page.getAppManifest: %v", err)
		}
		if m.URL != in.base+"/manifest.webmanifest" || len(m.Errors) > 0 {
			t.Errorf("manifest %s: errors %v", m.URL, m.Errors)
		}
		for _, e := range m.Errors {
			t.Errorf("manifest error: %+v", *e)
		}
		if m.Manifest == nil || m.Manifest.ShareTarget == nil || m.Manifest.ShareTarget.Action != in.base+"/share" {
			t.Errorf("the parsed manifest has no share target to /share: %+v", m.Manifest)
		}
		ie, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) (page.GetInstallabilityErrorsResult, error) {
			return cdp.Call(ctx, tg, page.GetInstallabilityErrors, cdp.Empty{})
		})
		if err != nil {
			t.Fatalf("Page.getInstallabilityErrors: %v", err)
		}
		for _, e := range ie.InstallabilityErrors {
			t.Errorf("not installable: %s %v", e.ErrorID, e.ErrorArguments)
		}
	})

	for _, v := range []viewport{phone, desktop} {
		t.Run("share and post/"+v.name, func(t *testing.T) {
			tab := newTab(t, b, v.emulate())
			open(t, tab, in, "/", 200)
			eval[bool](t, tab, shareInPage)
			waitFor(t, tab, "the prefilled form shows the shared picture",
				`location.pathname.startsWith("/share/") && document.querySelector("img.shared-file") !== null && document.querySelector("img.shared-file").complete && document.querySelector("img.shared-file").naturalWidth === 640`)
			page := eval[string](t, tab, `location.pathname`)
			waitFor(t, tab, "upload.js queued the held file", `document.querySelector("form[action='/upload'] .queue-list li.queued") !== null`)
			if name := eval[string](t, tab, `document.querySelector("form[action='/upload'] .queued-name").textContent`); strings.Contains(name, "PXL_") {
				t.Errorf("the page shows the file's name: %q", name)
			}
			screenshot(t, tab, "share-"+v.name)
			auditHere(t, tab, "the prefilled share page")
			if wide := eval[bool](t, tab, `document.documentElement.scrollWidth > innerWidth`); wide {
				t.Error("the share page scrolls sideways")
			}
			step(t, tab, "pick a channel and post",
				chromedp.SetValue(chromedp.CSS("form[action='/upload'] select[name=channel]"), "memes"),
				chromedp.Click(chromedp.CSS("form[action='/upload'] button[type=submit]")))
			waitFor(t, tab, "the post page of the shared picture", `location.pathname.startsWith("/p/") && document.querySelector("main img, main .media") !== null`)
			if r := in.get(page + "/file"); r.status != http.StatusNotFound {
				t.Errorf("the held file after posting: %d, want 404", r.status)
			}
		})
	}

	t.Run("without JavaScript/phone", func(t *testing.T) {
		tab := newTab(t, b, phone.emulate(), noScript())
		page := shareFile(t, in, mediatest.EncodeJPEG(mediatest.Scene(800, 600, 7), 85))
		open(t, tab, in, page, 200)
		if enhanced := eval[bool](t, tab, `document.querySelector("form[data-enhanced]") !== null`); enhanced {
			t.Fatal("scripts ran in a tab with JavaScript off")
		}
		waitFor(t, tab, "the preview shows", `document.querySelector("img.shared-file").complete && document.querySelector("img.shared-file").naturalWidth === 800`)
		auditHere(t, tab, "the prefilled share page without JavaScript")
		step(t, tab, "post with the plain form", chromedp.Click(chromedp.CSS("form[action='/upload'] button[type=submit]")))
		waitFor(t, tab, "the post page shows the link and token", `document.querySelector(".created input[aria-label='Share link']") !== null`)
		if r := in.get(page + "/file"); r.status != http.StatusNotFound {
			t.Errorf("the held file after posting: %d, want 404", r.status)
		}
	})
}
