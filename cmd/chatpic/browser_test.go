package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// This file is the browser-test harness: a headless Chromium per test, tabs
// that fail the test on any console error, uncaught exception, CSP violation
// or failed request, viewport and colour-scheme emulation, screenshots, and
// the page audit of browser_audit_test.go.

// findChromium returns the path of a Chromium-like browser: $CHATPIC_CHROMIUM,
// else the first of chromium, chromium-browser, google-chrome on PATH. It
// returns "" when there is none.
func findChromium() string {
	if p := os.Getenv("CHATPIC_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// newBrowser starts a headless Chromium with a fresh profile for the test,
// and returns its chromedp context; make tabs from it with newTab. It skips
// the test when no Chromium is installed. The browser is stopped, and its
// processes are gone, when the test ends. Clipboard reading and writing are
// granted to every origin, which on this offline machine means the test
// server, so a test can read what a "Copy" button wrote.
func newBrowser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		// CI installs Chromium (.ci/run): there a missing browser is a
		// failure, not a reason to skip.
		if os.Getenv("CI") == "true" {
			t.Fatal("no Chromium found, and CI=true: .ci/run should have installed it")
		}
		t.Skip("no Chromium found: browser tests skipped; apt-get install -y chromium")
	}
	// No internet here: without these flags Chromium keeps calling home.
	var out syncBuffer
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.CombinedOutput(&out),
	)
	ctx, cancel := chromedp.NewContext(actx)
	t.Cleanup(func() {
		cancel()
		cancelAlloc() // waits until the browser process has exited
	})
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v\n%s", path, err, out.String())
	}
	// Browser.grantPermissions is deprecated and gone from cdproto, but
	// Chromium still answers it, with the permission names asked for.
	type permissions struct {
		Permissions []string `json:"permissions"`
	}
	grant := cdp.Command[permissions, cdp.Empty]{Method: "Browser.grantPermissions"}
	if _, err := chromedp.CallBrowser(ctx, grant, permissions{[]string{"clipboardReadWrite", "clipboardSanitizedWrite"}}); err != nil {
		t.Fatalf("grant clipboard permissions: %v", err)
	}
	return ctx
}

// tabLog is what a tab collected that a page should never produce.
type tabLog struct {
	mu      sync.Mutex
	url     string                       // the page shown now
	reqs    map[network.RequestID]string // request URLs, for loadingFailed
	found   []string                     // "URL: problem"
	allowed []string
}

type tabLogKey struct{}

// newTab opens a tab in the browser, runs the setup actions in it (such as
// phone.emulate(), colorScheme("dark"), noScript()) and returns its chromedp
// context. For the whole life of the tab it collects console errors and
// warnings, uncaught exceptions, browser log entries of level warning or
// error (CSP violations among them), failed requests to the test server and
// its 5xx answers; when the test ends it closes the tab and fails the test
// with every one of them, unless allowError expected it.
func newTab(t *testing.T, browser context.Context, setup ...chromedp.Action[chromedp.Void]) context.Context {
	t.Helper()
	lg := &tabLog{reqs: map[network.RequestID]string{}}
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithListener(lg.event))
	ctx = context.WithValue(ctx, tabLogKey{}, lg)
	t.Cleanup(func() {
		// A round trip first: the events that arrived before its answer
		// have been handled when it returns.
		chromedp.Do(ctx, chromedp.Evaluate[chromedp.Void]("0"))
		cancel()
		if found := lg.problems(); len(found) > 0 {
			t.Errorf("the browser reported %d problem(s):\n\t%s", len(found), strings.Join(found, "\n\t"))
		}
	})
	// Focus emulation: a background tab is otherwise never "focused", and
	// the clipboard and :focus-visible need a focused page.
	steps := append([]chromedp.Action[chromedp.Void]{
		call(emulation.SetFocusEmulationEnabled, emulation.SetFocusEmulationEnabledParams{Enabled: true}),
	}, setup...)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return ctx
}

// allowError makes the tab of ctx ignore the collected problems whose text
// contains substr, such as "status of 404" on a page a test expects to be
// missing.
func allowError(ctx context.Context, substr string) {
	lg := ctx.Value(tabLogKey{}).(*tabLog)
	lg.mu.Lock()
	defer lg.mu.Unlock()
	lg.allowed = append(lg.allowed, substr)
}

func (lg *tabLog) problems() []string {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	var out []string
	for _, f := range lg.found {
		if !slices.ContainsFunc(lg.allowed, func(a string) bool { return strings.Contains(f, a) }) {
			out = append(out, f)
		}
	}
	return out
}

// event runs in the tab's message loop: it must be quick and send nothing.
func (lg *tabLog) event(ev any) {
	lg.mu.Lock()
	defer lg.mu.Unlock()
	add := func(format string, args ...any) {
		lg.found = append(lg.found, lg.url+": "+fmt.Sprintf(format, args...))
	}
	switch ev := ev.(type) {
	case *page.EventFrameNavigated:
		if ev.Frame.ParentID == "" {
			lg.url = ev.Frame.URL
		}
	case *runtime.EventConsoleAPICalled:
		switch ev.Type {
		case runtime.ConsoleAPICalledTypeError, runtime.ConsoleAPICalledTypeWarning, runtime.ConsoleAPICalledTypeAssert:
			var args []string
			for _, a := range ev.Args {
				args = append(args, remoteText(a))
			}
			add("console.%s: %s", ev.Type, strings.Join(args, " "))
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		text := d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			text += " " + d.Exception.Description
		}
		add("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, text)
	case *cdplog.EventEntryAdded:
		e := ev.Entry
		if strings.HasSuffix(e.URL, "/favicon.ico") {
			// The browser's own favicon request lands in the page's log,
			// or not, depending on when the tab closes. TestBrowserAudit
			// checks /favicon.ico itself, so the verdict is not left to
			// chance.
			break
		}
		if e.Level == cdplog.EntryLevelError || e.Level == cdplog.EntryLevelWarning ||
			e.Source == cdplog.EntrySourceSecurity || strings.Contains(e.Text, "Content Security Policy") {
			where := e.URL
			if where != "" && e.LineNumber > 0 {
				where += fmt.Sprintf(":%d", e.LineNumber+1)
			}
			add("log %s/%s: %s (%s)", e.Source, e.Level, e.Text, where)
		}
	case *network.EventRequestWillBeSent:
		lg.reqs[ev.RequestID] = ev.Request.URL
	case *network.EventResponseReceived:
		if ev.Response.Status >= 500 && local(ev.Response.URL) {
			add("%s answered %d %s", ev.Response.URL, ev.Response.Status, ev.Response.StatusText)
		}
	case *network.EventLoadingFailed:
		// A canceled request is one the page stopped, such as an
		// EventSource when the tab navigates or closes.
		if u := lg.reqs[ev.RequestID]; !ev.Canceled && local(u) {
			add("request %s failed: %s %s", u, ev.ErrorText, ev.BlockedReason)
		}
	}
}

// local reports whether u is on this machine, where the test server is.
func local(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	switch p.Hostname() {
	case "127.0.0.1", "localhost", "::1":
		return true
	}
	return false
}

func remoteText(o *runtime.RemoteObject) string {
	if o == nil {
		return ""
	}
	if len(o.Value) > 0 {
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			return s
		}
		return string(o.Value)
	}
	return o.Description
}

// call makes an action of one protocol command whose result is not needed.
func call[P, R any](cmd cdp.Command[P, R], params P) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, cmd, params)
		return err
	})
}

// viewport is an emulated screen: its size in CSS pixels, its device pixel
// ratio, and whether it is a touch phone.
type viewport struct {
	name          string
	width, height int64
	scale         float64
	mobile        bool
}

var (
	phone   = viewport{name: "phone", width: 390, height: 844, scale: 3, mobile: true}
	desktop = viewport{name: "desktop", width: 1280, height: 900, scale: 1}
)

// emulate is the action that gives the tab this screen.
func (v viewport) emulate() chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulateScale(v.scale)}
	if v.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch, chromedp.EmulatePortrait)
	}
	return chromedp.EmulateViewport(v.width, v.height, opts...)
}

// colorScheme is the action that makes the tab prefer "light" or "dark".
func colorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return call(emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
		Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
	})
}

// noScript is the action that turns JavaScript off in the tab, for the pages
// that must work without it. Runtime.evaluate (and so audit) still works.
func noScript() chromedp.Action[chromedp.Void] {
	return call(emulation.SetScriptExecutionDisabled, emulation.SetScriptExecutionDisabledParams{Value: true})
}

// screenshot saves a full-page PNG of the tab as name (".png" added when
// missing) in $CHATPIC_SCREENSHOTS, created if needed, else in a temporary
// folder of the test.
func screenshot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	dir := os.Getenv("CHATPIC_SCREENSHOTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	// The whole layout width: FullScreenshot crops the width to the one
	// measured with a scrollbar, then captures a taller viewport that has
	// none, and cuts 15px off the right-hand side.
	// Saved in CSS pixels (scaled down by the device pixel ratio), so
	// that phone pictures stay small enough to keep in the repository.
	size, err := chromedp.Run(ctx, chromedp.Evaluate[[3]float64](
		`[Math.max(innerWidth, document.documentElement.scrollWidth), document.documentElement.scrollHeight, devicePixelRatio]`))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	png, err := chromedp.Run(ctx, func(ctx context.Context, tg *chromedp.Target) ([]byte, error) {
		r, err := cdp.Call(ctx, tg, page.CaptureScreenshot, page.CaptureScreenshotParams{
			Format:                page.CaptureScreenshotFormatPng,
			Clip:                  &page.Viewport{Width: size[0], Height: size[1], Scale: 1 / size[2]},
			CaptureBeyondViewport: new(true),
		})
		return r.Data, err
	})
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	if !strings.HasSuffix(name, ".png") {
		name += ".png"
	}
	if err := os.WriteFile(filepath.Join(dir, name), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

// open navigates the tab to path on the server and waits until the page is
// there. It fails the test unless the page answers with status.
func open(t *testing.T, ctx context.Context, in *instance, path string, status int64) {
	t.Helper()
	res, err := chromedp.Run(ctx, chromedp.NavigateResponse(in.base+path))
	if err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
	if res.Status != status {
		t.Fatalf("open %s: status %d, want %d", path, res.Status, status)
	}
	if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS("main"))); err != nil {
		t.Fatalf("open %s: %v", path, err)
	}
}

// TestBrowserAudit shows every public page to Chromium, as a phone and as a
// desktop, light and dark, and in every other language the site speaks
// (light), and fails with whatever audit finds wrong in them: longer words
// must not overflow a phone's screen either.
func TestBrowserAudit(t *testing.T) {
	in := start(t)
	b := newBrowser(t)

	r := in.upload("photography", mediatest.EncodeJPEG(mediatest.Scene(800, 600, 1), 85), "Sunset over the harbour")
	if r.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", r.status, r.body)
	}
	post := decode[postJSON](t, r)
	mustUpload(t, in, "photography", mediatest.EncodeJPEG(mediatest.Scene(600, 800, 2), 85))
	creq, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+post.ID+"/comments",
		bytes.NewReader([]byte(`{"body":"Lovely light. Where was this taken?"}`)))
	creq.Header.Set("Content-Type", "application/json")
	if r := in.do(creq); r.status != http.StatusCreated {
		t.Fatalf("comment: %d %s", r.status, r.body)
	}

	pages := []struct {
		name, path string
		status     int64
	}{
		{"home", "/", 200},
		{"channel", "/c/photography", 200},
		{"post", "/p/" + post.ID, 200},
		// Only POST has a handler: the report form is the post page's
		// <details id="report">. The 404 page is what a GET shows.
		{"report", "/report", 200},
		{"transparency", "/transparency", 200},
		{"mod-login", "/mod/login", 200},
		{"not-found", "/nope", 404},
		// The prefilled upload form of a picture shared from a phone, and
		// the form that says a share is gone (its time ran out long ago).
		{"share", shareFile(t, in, mediatest.EncodeJPEG(mediatest.Scene(800, 600, 3), 85)), 200},
		{"share-gone", "/share/1764000000-AAAAAAAAAAAAAAAAAAAAAA", 410},
	}
	var mu sync.Mutex
	found := map[string]map[string][]string{} // page → problem → modes
	for _, p := range pages {
		found[p.name] = map[string][]string{}
		for _, lang := range []string{"", "es", "de", "fr", "pt-BR"} {
			for _, v := range []viewport{phone, desktop} {
				for _, scheme := range []string{"light", "dark"} {
					if lang != "" && scheme == "dark" {
						continue // the colours do not change with the words
					}
					mode := v.name + "-" + scheme
					path := p.path
					if lang != "" {
						mode, path = lang+"-"+mode, path+"?lang="+lang
					}
					t.Run(p.name+"/"+mode, func(t *testing.T) {
						ctx := newTab(t, b, v.emulate(), colorScheme(scheme))
						if p.status != 200 {
							allowError(ctx, fmt.Sprintf("status of %d", p.status))
						}
						open(t, ctx, in, path, p.status)
						if got := eval[string](t, ctx, `document.documentElement.lang`); lang != "" && got != lang {
							t.Errorf("<html lang=%q>, want %q", got, lang)
						}
						if lang == "" && (scheme == "light" || v == phone) {
							screenshot(t, ctx, p.name+"-"+mode)
						}
						problems, err := audit(ctx)
						if err != nil {
							t.Fatalf("audit: %v", err)
						}
						mu.Lock()
						defer mu.Unlock()
						for _, pr := range problems {
							found[p.name][pr] = append(found[p.name][pr], mode)
						}
					})
				}
			}
		}
	}

	var report []string
	n := 0
	if r := in.get("/favicon.ico"); r.status != http.StatusOK {
		n++
		report = append(report, fmt.Sprintf("every page:\n\tGET /favicon.ico answers %d: browsers ask for it on a first visit and log the failure as a console error", r.status))
	}
	for _, p := range pages {
		if len(found[p.name]) == 0 {
			continue
		}
		report = append(report, fmt.Sprintf("%s (%s):", p.name, p.path))
		for _, pr := range slices.Sorted(maps.Keys(found[p.name])) {
			n++
			report = append(report, fmt.Sprintf("\t%s [%s]", pr, strings.Join(found[p.name][pr], " ")))
		}
	}
	if n > 0 {
		t.Errorf("the audit found %d problem(s):\n%s", n, strings.Join(report, "\n"))
	}
}
