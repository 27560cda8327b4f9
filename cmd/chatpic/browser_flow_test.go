package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// These tests use the site as people do, in Chromium: upload through the
// page, follow the upload's link, copy it, comment, vote and report, watch
// a second tab receive the upload live, and the same without JavaScript.

// step runs actions in the tab and fails the test, naming what it was
// doing, if they fail or take longer than 15 seconds.
func step(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the tab (awaiting it when it
// is a promise) and returns its value.
func eval[T any](t *testing.T, ctx context.Context, expr string) T {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// waitFor waits until a JavaScript expression is truthy in the tab, across
// page loads.
func waitFor(t *testing.T, ctx context.Context, what, expr string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	for {
		_, err := chromedp.Run(ctx, chromedp.Poll[bool](expr, chromedp.WithPollingInterval(20*time.Millisecond)))
		if err == nil {
			return
		}
		// A navigation ends the page the poll ran in: poll the next one.
		if ctx.Err() != nil || !navigated(err) {
			t.Fatalf("waiting until %s: %v", what, err)
		}
	}
}

// pictureFiles writes n distinct JPEG photos of about the size of a small
// phone picture, and returns their paths.
func pictureFiles(t *testing.T, n int, seed uint64) []string {
	t.Helper()
	dir := t.TempDir()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("IMG_%04d.jpg", 1000+i))
		if err := os.WriteFile(p, mediatest.EncodeJPEG(mediatest.Scene(1600, 1200, seed+uint64(i)), 92), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

// clipboard returns what the page's clipboard holds.
func clipboard(t *testing.T, ctx context.Context) string {
	t.Helper()
	return eval[string](t, ctx, `navigator.clipboard.readText()`)
}

// slowUploads makes the tab send at about 1 MB/s, so that a progress bar
// has time to be seen between empty and full.
func slowUploads() chromedp.Action[chromedp.Void] {
	return call(network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
		MatchedNetworkConditions: []*network.Conditions{{DownloadThroughput: -1, UploadThroughput: 1 << 20}},
	})
}

// TestBrowserUpload is the whole flow of a visitor with JavaScript, on a
// desktop: several files through the file picker with a progress bar each
// and their links ready to copy, a second tab that sees them arrive live, a
// file dropped onto the page that lands on its post page, then a comment, a
// reply, a vote and a report there; refusals are explained in words.
func TestBrowserUpload(t *testing.T) {
	in := start(t, "--rate-uploads", "4/10m")
	b := newBrowser(t)
	watcher := newTab(t, b, desktop.emulate())
	open(t, watcher, in, "/c/photography", 200)
	tab := newTab(t, b, desktop.emulate())
	open(t, tab, in, "/c/photography", 200)

	// Two pictures through the file picker, sent slowly enough to see
	// their progress bars move.
	files := pictureFiles(t, 2, 10)
	step(t, tab, "choose two files", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), files))
	waitFor(t, tab, "both files are listed with a preview", `document.querySelectorAll(".queued img").length === 2`)
	if got := eval[string](t, tab, `document.querySelector("form[data-upload] button[type=submit]").textContent`); got != "Upload 2 files" {
		t.Errorf("the upload button says %q, want %q", got, "Upload 2 files")
	}
	// Two files would make one post, an album, unless asked otherwise.
	step(t, tab, "ask for separate posts", chromedp.Click(chromedp.CSS(`input[name=album][value=separate]`)))
	step(t, tab, "slow the connection", slowUploads())
	step(t, tab, "send them", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
	waitFor(t, tab, "a progress bar is part-way", `[...document.querySelectorAll(".queued progress")].some(p => !p.hidden && p.value > 0 && p.value < 100)`)
	screenshot(t, tab, "upload-progress-desktop")
	waitFor(t, tab, "both are uploaded", `document.querySelectorAll(".queued.done").length === 2`)
	links := eval[[]string](t, tab, `[...document.querySelectorAll(".queued.done .copy-field")].map(f => f.value)`)
	if len(links) != 2 || !strings.HasPrefix(links[0], in.base+"/p/") || links[0] == links[1] {
		t.Fatalf("share links %q", links)
	}
	if full := eval[bool](t, tab, `[...document.querySelectorAll(".queued progress")].every(p => !p.hidden && p.value === 100)`); !full {
		t.Error("the progress bars of finished uploads are not full")
	}
	step(t, tab, "copy the first link", chromedp.Click(chromedp.CSS(".queued.done [data-copy]")))
	waitFor(t, tab, "the button says it copied", `document.querySelector(".queued.done [data-copy]").textContent === "Copied"`)
	if got := clipboard(t, tab); got != links[0] {
		t.Errorf("clipboard holds %q, want %q", got, links[0])
	}
	screenshot(t, tab, "upload-done-desktop")
	auditHere(t, tab, "the channel page after two uploads")

	// The other tab saw both arrive, and said so politely.
	for _, link := range links {
		id := strings.TrimPrefix(link, in.base+"/p/")
		waitFor(t, watcher, "the second tab shows "+id, `document.querySelector('#grid li[data-id="`+id+`"] img[alt][width][height]') !== null`)
	}
	if got := eval[string](t, watcher, `document.querySelector("#grid").parentNode.querySelector(".live-status[aria-live=polite]").textContent`); got == "" {
		t.Error("the live region announced nothing")
	}
	if got := eval[string](t, watcher, `document.querySelector("[data-count]").textContent`); got != "2 uploads" {
		t.Errorf("the second tab counts %q, want 2 uploads", got)
	}

	// A picture pasted onto the page (a screenshot, say) joins the queue;
	// pasted text does not.
	step(t, tab, "paste text and a picture", chromedp.Evaluate[chromedp.Void](`(async () => {
		const text = new DataTransfer();
		text.setData("text/plain", "just words");
		document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: text, bubbles: true}));
		const c = document.createElement("canvas");
		c.width = 64; c.height = 48;
		c.getContext("2d").fillRect(8, 8, 32, 24);
		const blob = await new Promise(done => c.toBlob(done, "image/png"));
		const pic = new DataTransfer();
		pic.items.add(new File([blob], "image.png", {type: "image/png"}));
		document.dispatchEvent(new ClipboardEvent("paste", {clipboardData: pic, bubbles: true}));
	})()`, chromedp.EvalAwaitPromise))
	waitFor(t, tab, "the pasted picture is listed", `document.querySelectorAll(".queued").length === 3 && document.querySelector(".queued:last-child .queued-name").textContent.startsWith("image.png")`)
	step(t, tab, "take it out again", chromedp.Click(chromedp.CSS(".queued:last-child button")))
	waitFor(t, tab, "it is gone from the list", `document.querySelectorAll(".queued").length === 2`)

	// A file dropped onto the page goes to the upload form, and, alone in
	// its batch, lands on its own page with its link ready to copy.
	step(t, tab, "back to the channel", chromedp.Navigate(in.base+"/c/photography"))
	dropped := pictureFiles(t, 1, 20)
	drag := &input.DragData{Files: dropped, DragOperationsMask: 1}
	for _, typ := range []input.DispatchDragEventType{input.DispatchDragEventTypeDragEnter, input.DispatchDragEventTypeDragOver, input.DispatchDragEventTypeDrop} {
		step(t, tab, "drag a file onto the page: "+string(typ),
			call(input.DispatchDragEvent, input.DispatchDragEventParams{Type: typ, X: 300, Y: 600, Data: drag}))
	}
	waitFor(t, tab, "the dropped file is listed", `document.querySelectorAll(".queued").length === 1`)
	step(t, tab, "send it", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
	waitFor(t, tab, "its page says it is uploaded", `location.pathname.startsWith("/p/") && document.querySelector(".created .copy-field") !== null`)
	share := eval[string](t, tab, `document.querySelector(".created .copy-field").value`)
	if want := in.base + eval[string](t, tab, `location.pathname`); share != want {
		t.Errorf("the banner offers %q, want %q", share, want)
	}
	step(t, tab, "copy its link", chromedp.Click(chromedp.CSS(".created [data-copy]")))
	waitFor(t, tab, "the button says it copied", `document.querySelector(".created [data-copy]").textContent === "Link copied"`)
	if got := clipboard(t, tab); got != share {
		t.Errorf("clipboard holds %q, want %q", got, share)
	}

	auditHere(t, tab, "the post page after an upload")

	// Comment, reply, vote.
	step(t, tab, "write a comment",
		chromedp.SendKeys(chromedp.CSS("#comment-form textarea[name=body]"), "Where was this taken?"),
		chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")))
	waitFor(t, tab, "the comment is shown", `document.querySelector("#c-1 .body") !== null && document.querySelector("#c-1 .body").textContent === "Where was this taken?"`)
	step(t, tab, "reply to it", chromedp.Click(chromedp.CSS("#c-1 [data-reply]")))
	if got := eval[string](t, tab, `document.querySelector("#comment-form textarea").value`); got != ">>1\n" {
		t.Errorf("reply box holds %q, want %q", got, ">>1\n")
	}
	if focused := eval[bool](t, tab, `document.activeElement === document.querySelector("#comment-form textarea")`); !focused {
		t.Error("the reply box did not get the focus")
	}
	step(t, tab, "vote up", chromedp.Click(chromedp.CSS(`form[data-vote] button[aria-label="Vote up"]`)))
	// The score may come back twice, as the vote's answer and as a live
	// event; the pressed button only with the answer.
	waitFor(t, tab, "the score is 1 and the up button pressed",
		`document.querySelector("[data-score]").textContent === "1" && document.querySelector('button[aria-label="Vote up"]').getAttribute("aria-pressed") === "true"`)
	if path := eval[string](t, tab, `location.pathname`); !strings.HasPrefix(path, "/p/") {
		t.Errorf("voting left the page for %s", path)
	}
	screenshot(t, tab, "post-after-upload-desktop")

	// Report, through the post's Report button and the report page.
	step(t, tab, "open the report form", chromedp.Click(chromedp.CSS(`.actions-bar a[href^="/report"]`)))
	waitFor(t, tab, "the report form has the link", `location.pathname === "/report" && document.querySelector("input[name=link]").value === `+jsString(share))
	step(t, tab, "send a report",
		chromedp.Click(chromedp.CSS(`input[name=reason][value=spam]`)),
		chromedp.Click(chromedp.CSS(`form[action="/report"] button[type=submit]`)))
	waitFor(t, tab, "a receipt is shown", `document.querySelector(".receipt strong") !== null`)

	// Refusals in words: a text file is refused before it is sent, and the
	// upload past the rate limit (4 in 10 minutes) says when to try again.
	allowError(tab, "status of 429")
	step(t, tab, "back to the channel", chromedp.Navigate(in.base+"/c/photography"))
	notes := filepath.Join(t.TempDir(), "notes.txt")
	os.WriteFile(notes, []byte("not a picture"), 0o644)
	more := pictureFiles(t, 2, 30)
	step(t, tab, "choose a text file and two pictures", chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), append([]string{notes}, more...)))
	waitFor(t, tab, "the text file is refused at once", `document.querySelector(".queued.refused") !== null`)
	step(t, tab, "ask for separate posts", chromedp.Click(chromedp.CSS(`input[name=album][value=separate]`)))
	if got := eval[string](t, tab, `document.querySelector(".queued.refused .queued-note").textContent`); !strings.Contains(got, "This type of file can't be posted") {
		t.Errorf("the text file's refusal says %q", got)
	}
	step(t, tab, "send the pictures", chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
	waitFor(t, tab, "one is refused for the rate", `document.querySelectorAll(".queued.refused").length === 2 && document.querySelectorAll(".queued.done").length === 1`)
	notesText := eval[[]string](t, tab, `[...document.querySelectorAll(".queued.refused .queued-note")].map(n => n.textContent)`)
	if !strings.Contains(notesText[1], "You are posting faster than this site allows. Try again in") {
		t.Errorf("the rate-limited upload says %q", notesText[1])
	}
	screenshot(t, tab, "upload-refused-desktop")
	auditHere(t, tab, "the channel page with refused uploads")
}

// TestBrowserWithoutJavaScript is the same visitor with JavaScript off, on
// a phone: plain forms upload, comment, reply, vote and report.
func TestBrowserWithoutJavaScript(t *testing.T) {
	in := start(t)
	b := newBrowser(t)
	tab := newTab(t, b, phone.emulate(), noScript())
	open(t, tab, in, "/c/gaming", 200)
	// upload.js, had it run, would have marked the form and hidden the
	// album choice until several files are chosen.
	if enhanced := eval[bool](t, tab, `document.querySelector("form[data-enhanced]") !== null || document.querySelector("[data-album-choice]").hidden`); enhanced {
		t.Fatal("scripts ran in a tab with JavaScript off")
	}

	file := pictureFiles(t, 1, 40)
	step(t, tab, "upload with the plain form",
		chromedp.SetUploadFiles(chromedp.CSS("#upload-file"), file),
		chromedp.Click(chromedp.CSS("form[data-upload] button[type=submit]")))
	waitFor(t, tab, "the post page shows the link and token", `document.querySelector(".created input[aria-label='Share link']") !== null`)
	share := eval[string](t, tab, `document.querySelector(".created input[aria-label='Share link']").value`)
	id := strings.TrimPrefix(share, in.base+"/p/")
	if id == share || strings.Contains(id, "/") {
		t.Fatalf("share link %q", share)
	}
	screenshot(t, tab, "uploaded-phone-nojs")
	auditHere(t, tab, "the post page after a plain upload")

	step(t, tab, "comment with the plain form",
		chromedp.SendKeys(chromedp.CSS("#comment-form textarea[name=body]"), "First!"),
		chromedp.Click(chromedp.CSS("#comment-form button[type=submit]")))
	waitFor(t, tab, "the comment is shown", `location.hash === "#c-1" && document.querySelector("#c-1 .body").textContent === "First!"`)

	step(t, tab, "follow the Reply link", chromedp.Click(chromedp.CSS("#c-1 [data-reply]")))
	waitFor(t, tab, "the reply box starts with the reference", `location.search === "?reply=1" && document.querySelector("#comment-form textarea").value === ">>1\n"`)

	step(t, tab, "vote up with the plain form", chromedp.Click(chromedp.CSS(`form[data-vote] button[aria-label="Vote up"]`)))
	waitFor(t, tab, "the score is 1", `location.hash === "#votes" && document.querySelector("[data-score]").textContent === "1"`)

	step(t, tab, "report through the report page",
		chromedp.Click(chromedp.CSS(`.actions-bar a[href^="/report"]`)))
	waitFor(t, tab, "the report form has the link", `location.pathname === "/report" && document.querySelector("input[name=link]").value === `+jsString(share))
	step(t, tab, "send the report",
		chromedp.Click(chromedp.CSS(`input[name=reason][value=other]`)),
		chromedp.Click(chromedp.CSS(`form[action="/report"] button[type=submit]`)))
	waitFor(t, tab, "a receipt is shown", `document.querySelector(".receipt strong") !== null`)

	if wide := eval[bool](t, tab, `document.documentElement.scrollWidth > innerWidth`); wide {
		t.Error("the receipt page scrolls sideways on a phone")
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(s) + "'"
}

// navigated reports whether err says the page an evaluation ran in went
// away, as it does when the page navigates.
func navigated(err error) bool {
	for _, s := range []string{"navigated or closed", "context was destroyed", "Cannot find context"} {
		if strings.Contains(err.Error(), s) {
			return true
		}
	}
	return false
}

// auditHere runs the page audit on what the tab shows now and reports
// every problem as a test error.
func auditHere(t *testing.T, ctx context.Context, where string) {
	t.Helper()
	problems, err := audit(ctx)
	if err != nil {
		t.Fatalf("audit %s: %v", where, err)
	}
	for _, p := range problems {
		t.Errorf("%s: %s", where, p)
	}
}

// TestBrowserModeration signs a moderator in, audits the moderation pages
// at phone and desktop sizes, reveals a blurred report and removes it with
// a ban, after which the upload's page says why it is gone.
func TestBrowserModeration(t *testing.T) {
	in := start(t)
	if _, err := runCLIWithInput(t, "a long password\na long password\n", "mods", "add", "alice", "--admin", "--data", in.data); err != nil {
		t.Fatal(err)
	}
	p := mustUpload(t, in, "memes", mediatest.EncodeJPEG(mediatest.Scene(800, 600, 50), 85))
	req, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+p.ID+"/reports", strings.NewReader(`{"reason":"illegal","note":"please look"}`))
	req.Header.Set("Content-Type", "application/json")
	if r := in.do(req); r.status != http.StatusAccepted {
		t.Fatalf("report: %d %s", r.status, r.body)
	}

	b := newBrowser(t)
	// Tabs share the browser's cookies: one sign-in serves them all.
	tab := newTab(t, b, desktop.emulate())
	open(t, tab, in, "/mod/login", 200)
	auditHere(t, tab, "/mod/login")
	step(t, tab, "sign in",
		chromedp.SendKeys(chromedp.CSS("input[name=name]"), "alice"),
		chromedp.SendKeys(chromedp.CSS("input[name=password]"), "a long password"),
		chromedp.Click(chromedp.CSS(`form[action="/mod/login"] button`)))
	waitFor(t, tab, "the queue shows the report", `location.pathname === "/mod" && document.querySelector("#q-`+p.ID+` .preview img") !== null`)
	if blur := eval[string](t, tab, `getComputedStyle(document.querySelector(".preview img")).filter`); !strings.Contains(blur, "blur") {
		t.Errorf("the queued picture is not blurred: filter %q", blur)
	}
	for _, v := range []viewport{phone, desktop} {
		t.Run(v.name, func(t *testing.T) {
			tab := newTab(t, b, v.emulate())
			for _, page := range []string{"/mod", "/mod/channels", "/mod/audit", "/mod/moderators"} {
				open(t, tab, in, page, 200)
				screenshot(t, tab, strings.ReplaceAll(strings.Trim(page, "/"), "/", "-")+"-"+v.name)
				auditHere(t, tab, page)
			}
		})
	}

	open(t, tab, in, "/mod", 200)
	step(t, tab, "reveal the picture", chromedp.Click(chromedp.CSS(`label[for="reveal-`+p.ID+`"]`)))
	waitFor(t, tab, "the picture is unblurred", `getComputedStyle(document.querySelector(".preview img")).filter === "none"`)
	step(t, tab, "blur it again with Escape", chromedp.KeyEvent(kb.Escape))
	waitFor(t, tab, "the picture is blurred again", `getComputedStyle(document.querySelector(".preview img")).filter !== "none"`)
	step(t, tab, "remove it with a ban",
		chromedp.SendKeys(chromedp.CSS(`#q-`+p.ID+` textarea[name=statement]`), "Not allowed here."),
		chromedp.Click(chromedp.CSS(`#q-`+p.ID+` form.remove button`)))
	waitFor(t, tab, "the queue is empty", `location.pathname === "/mod" && document.querySelector("#q-`+p.ID+`") === null`)
	allowError(tab, "status of 410")
	open(t, tab, in, "/p/"+p.ID, 410)
	if got := eval[string](t, tab, `document.querySelector("main").textContent`); !strings.Contains(got, "Their reason: Not allowed here.") {
		t.Errorf("the removed upload's page says %q", got)
	}
}

// TestBrowserLinkOnly shares a picture by link only from the home page on
// a phone, to vanish after one view: the link is ready to copy at once,
// and nothing the page does spends that view.
func TestBrowserLinkOnly(t *testing.T) {
	in := start(t)
	b := newBrowser(t)
	tab := newTab(t, b, phone.emulate())
	open(t, tab, in, "/", 200)
	step(t, tab, "open the link-only form, choose a picture and one view",
		chromedp.Click(chromedp.CSS("#link summary")),
		chromedp.SetUploadFiles(chromedp.CSS("#link-file"), pictureFiles(t, 1, 60)),
		chromedp.SetValue(chromedp.CSS(`#link select[name=max_views]`), "1"),
		chromedp.Click(chromedp.CSS("#link button[type=submit]")))
	waitFor(t, tab, "the link is ready", `document.querySelector("#link .queued.done .copy-field") !== null`)
	link := eval[string](t, tab, `document.querySelector("#link .queued.done .copy-field").value`)
	if path := eval[string](t, tab, `location.pathname`); path != "/" {
		t.Errorf("the page went to %s, which would spend the only view", path)
	}
	if n := eval[int](t, tab, `document.querySelectorAll("#link .queued.done a[href^='/p/']").length`); n != 0 {
		t.Error("the finished upload offers an Open link, which would spend its only view")
	}
	screenshot(t, tab, "link-only-phone")
	r := in.get("/api/v1/posts/" + strings.TrimPrefix(link, in.base+"/p/"))
	p := decode[struct {
		ViewsLeft *int `json:"views_left"`
	}](t, r)
	if r.status != http.StatusOK || p.ViewsLeft == nil || *p.ViewsLeft != 1 {
		t.Errorf("the upload: %d, views left %v; want 200 and 1", r.status, p.ViewsLeft)
	}
}
