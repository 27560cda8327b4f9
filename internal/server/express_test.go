package server

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

// expressLane serves ts through ServeExpress on 127.0.0.1:0 until the
// test ends, and returns its base URL and the store of kept answers.
func (ts *testSite) expressLane(t *testing.T) (string, *express.Store) {
	t.Helper()
	if runtime.GOOS != "linux" {
		t.Skip("the express lane runs on Linux only")
	}
	now := func() time.Time { return *ts.now }
	store := express.NewStore(express.DefaultBudget, now)
	ts.pages.Express(store)
	ts.api.Express(store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- ServeExpress(ctx, ln, ts.handler, ts.log, nil, &Express{Store: store, Deps: Deps{Log: ts.log}, Now: now})
	}()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("ServeExpress: %v", err)
		}
	})
	return "http://" + ln.Addr().String(), store
}

// laneGet asks the lane for path with the headers given, on one kept
// connection, as a browser would.
func laneGet(t *testing.T, client *http.Client, base, path string, header http.Header) (int, http.Header, string) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header[k] = v
	}
	res, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, res.Header, string(b)
}

func newLaneClient(t *testing.T) *http.Client {
	tr := &http.Transport{DisableCompression: true, MaxIdleConnsPerHost: 1}
	t.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

// TestExpressAnswersAsTheRouter: every route the lane answers, first
// made in the lane and then sent from memory, answers what the router
// answers the same request, headers and bytes, Date and the length
// aside (the lane always says the length).
func TestExpressAnswersAsTheRouter(t *testing.T) {
	ts := newTestSite(t, nil)
	base, store := ts.expressLane(t)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(640, 480), nil)
	rec := serve(ts.handler, httptest.NewRequest("GET", "/", nil))
	css := regexp.MustCompile(`/static/style\.[0-9a-f]+\.css`).FindString(rec.Body.String())
	if css == "" {
		t.Fatal("no style sheet on the home page")
	}
	client := newLaneClient(t)
	host := strings.TrimPrefix(base, "http://")
	variants := []http.Header{
		{},
		{"Accept-Encoding": {"gzip, deflate, br"}, "Accept-Language": {"de-DE,de;q=0.9"}},
		{"Accept-Encoding": {"gzip"}, "User-Agent": {"Mozilla/5.0"}, "Accept": {"text/html"}},
	}
	paths := []string{"/", "/c/random", "/c/random?lang=fr", "/api/v1/channels", "/api/v1/channels/random",
		"/api/v1/channels/random/posts", "/t/" + id + ".jpg", "/m/" + id + ".jpg", css, "/favicon.ico", "/c/nowhere", "/t/" + id + "x.jpg"}
	for _, path := range paths {
		for _, h := range variants {
			req := httptest.NewRequest("GET", path, nil)
			req.Host = host
			for k, v := range h {
				req.Header[k] = v
			}
			want := serve(ts.handler, req)
			for round := range 2 {
				code, got, body := laneGet(t, client, base, path, h)
				if got.Get("Date") == "" {
					t.Errorf("%s %v, round %d: no Date", path, h, round)
				}
				for _, hh := range []http.Header{got, want.Header()} {
					hh.Del("Date")
					hh.Del("Content-Length")
				}
				if code != want.Code || body != want.Body.String() || headerText(got) != headerText(want.Header()) {
					t.Errorf("%s %v, round %d:\nthe lane: %d\n%s\nthe router: %d\n%s", path, h, round,
						code, headerText(got), want.Code, headerText(want.Header()))
				}
			}
		}
	}
	// Kept: the pages, listings, the picture, its thumbnail and static
	// files, in each encoding and language asked for; no error answer.
	if n, _ := store.Len(); n < 9*len(variants) {
		t.Errorf("the lane keeps %d answers, want at least %d", n, 9*len(variants))
	}
}

func headerText(h http.Header) string {
	var b strings.Builder
	h.Write(&b)
	return b.String()
}

// TestExpressForgetsAtOnce: two instances share the store, the files and
// the events, each with its lane, which keep the picture, its thumbnail,
// the channel page and the home page in memory. A removal on one makes
// both answer 410 for the files, and pages without it, at once.
func TestExpressForgetsAtOnce(t *testing.T) {
	st := storagetest.Open(t, chatpic.DefaultChannels()...)
	broker := events.NewMemory(events.Options{})
	a := newTestSiteOn(t, st, broker, nil, nil)
	b := newTestSiteOn(t, st, broker, nil, nil)
	token := a.moderator(t, "mo", false)
	_, id := a.upload(t, "random", "192.0.2.1", mediatest.JPEG(320, 240), nil)
	client := newLaneClient(t)
	lanes, lists := map[string]string{}, map[string]string{}
	for name, ts := range map[string]*testSite{"A": a, "B": b} {
		base, store := ts.expressLane(t)
		lanes[name] = base
		for range 2 {
			for _, path := range []string{"/t/" + id + ".jpg", "/m/" + id + ".jpg"} {
				if code, _, _ := laneGet(t, client, base, path, nil); code != http.StatusOK {
					t.Fatalf("%s: %s answers %d", name, path, code)
				}
			}
			if _, _, page := laneGet(t, client, base, "/c/random", nil); !strings.Contains(page, id) {
				t.Fatalf("%s: the channel page does not show the upload", name)
			}
			for _, path := range []string{"/", "/api/v1/channels"} {
				_, _, lists[name+path] = laneGet(t, client, base, path, nil)
			}
		}
		if n, _ := store.Len(); n < 2 {
			t.Fatalf("%s keeps %d answers", name, n)
		}
	}
	wantCode(t, serve(a.handler, jsonReq("POST", "/api/v1/mod/posts/"+id+"/remove", `{"reason":"x"}`, token)),
		http.StatusOK, "remove on A")
	for name, base := range lanes {
		for _, path := range []string{"/t/" + id + ".jpg", "/m/" + id + ".jpg"} {
			if code, _, _ := laneGet(t, client, base, path, nil); code != http.StatusGone {
				t.Errorf("%s: the removed upload's %s answers %d, want 410", name, path, code)
			}
		}
		if _, _, page := laneGet(t, client, base, "/c/random", nil); strings.Contains(page, id) {
			t.Errorf("%s: the channel page still shows the removed upload", name)
		}
		// The home page and the list of channels count the channel's
		// uploads: one fewer now.
		for _, path := range []string{"/", "/api/v1/channels"} {
			if _, _, list := laneGet(t, client, base, path, nil); list == lists[name+path] {
				t.Errorf("%s: %s is the one from before the removal", name, path)
			}
		}
	}
}
