package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/api"
	"github.com/chatpic/chatpic/internal/api/openapitest"
	"github.com/chatpic/chatpic/internal/app"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
	"github.com/chatpic/chatpic/internal/sqlstore"
	"github.com/chatpic/chatpic/internal/storage"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
	"github.com/chatpic/chatpic/internal/web"
)

const maxUpload = 200 << 10

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// newHandler wires the real router over real SQLite and a real folder.
func newHandler(t *testing.T) http.Handler {
	return newTestSite(t, nil).handler
}

// testSite is the whole site over real SQLite and a real folder, with its
// parts for tests that need them.
type testSite struct {
	handler http.Handler
	pages   *web.Web
	api     *api.API
	db      *sqlstore.Store
	blobs   *diskblob.Store
	mods    *moderation.Service
	guard   *moderation.Guard
	posts   *posting.Service
	now     *time.Time
	logs    *syncBuffer // every component's log, debug level included
	log     *slog.Logger
}

// newTestSite wires the site; adjust, if not nil, changes its safety
// configuration first.
func newTestSite(t *testing.T, adjust func(*config.Safety)) *testSite {
	t.Helper()
	return newTestSiteWith(t, adjust, nil)
}

// newTestSiteWith is newTestSite with, if not nil, a change to the posting
// configuration too.
func newTestSiteWith(t *testing.T, adjust func(*config.Safety), adjustPosting func(*posting.Config)) *testSite {
	t.Helper()
	return newTestSiteOn(t, storagetest.Open(t, chatpic.DefaultChannels()...), events.NewMemory(events.Options{}), adjust, adjustPosting)
}

// newTestSiteOn is newTestSiteWith over the given storage and event
// broker: two sites on the same ones are two instances of one site.
func newTestSiteOn(t *testing.T, st *storage.Set, broker *events.Memory, adjust func(*config.Safety), adjustPosting func(*posting.Config)) *testSite {
	t.Helper()
	logs := &syncBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	clock := t0
	now := func() time.Time { return clock }
	cfg, err := config.Defaults(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Safety.ChallengeBits = 8
	if adjust != nil {
		adjust(&cfg.Safety)
	}
	pc := posting.Config{MaxBytes: maxUpload, Media: media.DefaultLimits(), TempDir: t.TempDir(), Events: broker}
	if adjustPosting != nil {
		adjustPosting(&pc)
	}
	site, err := app.New(context.Background(), st, log, now, cfg, pc, nil)
	if err != nil {
		t.Fatal(err)
	}
	origin := request.NewOrigin(nil, nil)
	pages, err := web.New(site.Posts, site.Mods, origin, log)
	if err != nil {
		t.Fatal(err)
	}
	a := api.New(site.Posts, site.Mods, origin, log, broker, api.Limits{})
	// Every answer under /api/ is checked against the OpenAPI document.
	h := openapitest.Handler(t, Routes(pages, a, []Pinger{st.DB, st.Blobs}, Deps{Log: log}))
	return &testSite{handler: h, pages: pages, api: a, db: st.DB, blobs: storagetest.Disk(st), mods: site.Mods,
		guard: site.Guard, posts: site.Posts, now: &clock, logs: logs, log: log}
}

func multipartBody(t *testing.T, fields map[string]string, file []byte) (io.Reader, string) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	if file != nil {
		fw, _ := mw.CreateFormFile("file", "x.bin")
		fw.Write(file)
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

func serve(h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

func uploadReq(t *testing.T, path string, fields map[string]string, file []byte) *http.Request {
	body, ct := multipartBody(t, fields, file)
	req := httptest.NewRequest("POST", path, body)
	req.Header.Set("Content-Type", ct)
	return req
}

type apiError struct {
	Error struct{ Kind, Message, Reason string }
}

func TestUploadErrors(t *testing.T) {
	h := newHandler(t)
	truncated := mediatest.JPEG(64, 64)
	truncated = truncated[:len(truncated)/2]
	tests := []struct {
		name     string
		path     string
		fields   map[string]string
		file     []byte
		header   map[string]string
		wantCode int
		wantKind string
	}{
		{"not an image", "/api/v1/channels/random/posts", nil, []byte("%PDF-1.7 not a picture at all"), nil, 415, "unsupported"},
		{"html posing as an image", "/api/v1/channels/random/posts", nil, []byte("<!doctype html><script>alert(1)</script>"), nil, 415, "unsupported"},
		{"over the size limit", "/api/v1/channels/random/posts", nil, bytes.Repeat([]byte{0xFF}, maxUpload+1), nil, 413, "too_large"},
		{"no file", "/api/v1/channels/random/posts", map[string]string{"caption": "hi"}, nil, nil, 400, "invalid"},
		{"empty file", "/api/v1/channels/random/posts", nil, []byte{}, nil, 400, "invalid"},
		{"unknown channel", "/api/v1/channels/nope/posts", nil, mediatest.PNG(8, 8), nil, 404, "not_found"},
		{"caption too long", "/api/v1/channels/random/posts", map[string]string{"caption": strings.Repeat("é", 501)}, mediatest.PNG(8, 8), nil, 400, "invalid"},
		{"truncated jpeg", "/api/v1/channels/random/posts", nil, truncated, nil, 422, "unprocessable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(h, uploadReq(t, tt.path, tt.fields, tt.file))
			var e apiError
			json.Unmarshal(rec.Body.Bytes(), &e)
			if rec.Code != tt.wantCode || e.Error.Kind != tt.wantKind || e.Error.Message == "" {
				t.Fatalf("got %d %s, want %d %s", rec.Code, rec.Body, tt.wantCode, tt.wantKind)
			}
		})
	}
	// None of them left a post behind.
	rec := serve(h, httptest.NewRequest("GET", "/api/v1/channels/random", nil))
	if !strings.Contains(rec.Body.String(), `"count":0`) {
		t.Fatalf("refused uploads left posts: %s", rec.Body)
	}

	t.Run("expires_in", func(t *testing.T) {
		tests := []struct {
			name, path, expiresIn string
			wantCode              int
			wantExpires           string
		}{
			{"sooner than never", "/api/v1/channels/random/posts", "10m", 201, `"expires_at":"2026-11-23T12:10:00Z"`},
			{"days", "/api/v1/channels/random/posts", "7d", 201, `"expires_at":"2026-11-30T12:00:00Z"`},
			{"never later than the channel's rule", "/api/v1/channels/flash/posts", "7d", 201, `"expires_at":"2026-11-23T13:00:00Z"`},
			{"too short", "/api/v1/channels/random/posts", "10s", 400, `"kind":"invalid"`},
			{"not a duration", "/api/v1/channels/random/posts", "soon", 400, `"kind":"invalid"`},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				rec := serve(h, uploadReq(t, tt.path, map[string]string{"expires_in": tt.expiresIn}, mediatest.PNG(8, 8)))
				if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantExpires) {
					t.Fatalf("got %d %s, want %d with %s", rec.Code, rec.Body, tt.wantCode, tt.wantExpires)
				}
			})
		}
	})
	t.Run("not multipart", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/api/v1/channels/random/posts", strings.NewReader("hello"))
		req.Header.Set("Content-Type", "text/plain")
		if rec := serve(h, req); rec.Code != 415 {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("cross-site form post", func(t *testing.T) {
		req := uploadReq(t, "/c/random", nil, mediatest.PNG(8, 8))
		req.Header.Set("Sec-Fetch-Site", "cross-site")
		if rec := serve(h, req); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d, want 403", rec.Code)
		}
	})
}

func TestPagesAndAPI(t *testing.T) {
	h := newHandler(t)
	// A page upload through the form answers with the post page and its
	// delete token.
	rec := serve(h, uploadReq(t, "/c/random", map[string]string{"caption": "first <b>one</b>"}, mediatest.PNG(30, 20)))
	if rec.Code != http.StatusCreated || !strings.Contains(rec.Body.String(), "delete token") {
		t.Fatalf("form upload: %d %s", rec.Code, rec.Body)
	}
	if strings.Contains(rec.Body.String(), "<b>one</b>") {
		t.Fatal("the caption was not escaped")
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	for range 2 {
		if rec := serve(h, uploadReq(t, "/api/v1/channels/random/posts", nil, mediatest.JPEG(40, 30))); rec.Code != 201 {
			t.Fatalf("api upload: %d %s", rec.Code, rec.Body)
		}
	}
	rec = serve(h, uploadReq(t, "/upload", map[string]string{"channel": "gaming"}, mediatest.GIF(10, 10, 2)))
	if rec.Code != http.StatusCreated {
		t.Fatalf("home form upload: %d", rec.Code)
	}

	staticURL := regexp.MustCompile(`/static/style\.[0-9a-f]{12}\.css`).FindString(serve(h, httptest.NewRequest("GET", "/", nil)).Body.String())
	tests := []struct {
		name       string
		path       string
		wantCode   int
		wantBody   string
		wantHeader map[string]string
	}{
		{"home", "/", 200, "Keeps the newest 100", map[string]string{"Content-Security-Policy": "script-src 'self'", "Referrer-Policy": "no-referrer"}},
		{"channel page", "/c/random", 200, "/p/" + id, nil},
		{"channel page, older", "/c/random?limit=1", 200, "?before=", nil},
		{"unknown channel page", "/c/nope", 404, "", nil},
		{"bad cursor", "/c/random?before=abc", 400, "", nil},
		{"post page", "/p/" + id, 200, "first &lt;b&gt;one&lt;/b&gt;", nil},
		{"unknown post page", "/p/AAAAAAAAAAAAAAAAAAAA", 404, "", nil},
		{"junk post id", "/p/%3Cscript%3E", 404, "", nil},
		{"media", "/m/" + id + ".png", 200, "", map[string]string{"Content-Type": "image/png", "X-Content-Type-Options": "nosniff", "Content-Security-Policy": "sandbox"}},
		{"media with the wrong extension", "/m/" + id + ".jpg", 404, "", nil},
		{"thumbnail", "/t/" + id + ".jpg", 200, "", map[string]string{"Content-Type": "image/jpeg"}},
		{"api channels", "/api/v1/channels", 200, `"slug":"photography"`, map[string]string{"Content-Type": "application/json"}},
		{"api channel", "/api/v1/channels/flash", 200, `"ttl_seconds":3600`, nil},
		{"api channel forecast unknown", "/api/v1/channels/random", 200, `"forecast_seconds":null`, nil},
		{"api channel forecast from the TTL", "/api/v1/channels/flash", 200, `"forecast_seconds":3600`, nil},
		{"channel page forecast", "/c/flash", 200, "at the current pace your upload stays about 1 hour", nil},
		{"api channel not found", "/api/v1/channels/nope", 404, `"kind":"not_found"`, nil},
		{"api posts page", "/api/v1/channels/random/posts?limit=2", 200, `"next":"2"`, nil},
		{"api last page", "/api/v1/channels/random/posts?before=2", 200, `"next":null`, nil},
		{"api top", "/api/v1/channels/random/posts?sort=top&limit=1", 200, `"next":"0_3"`, nil},
		{"api top, bad cursor", "/api/v1/channels/random/posts?sort=top&before=3", 400, `"kind":"invalid"`, nil},
		{"channel page, top", "/c/random?sort=top&limit=1", 200, `sort=top&amp;before=0_3`, nil},
		{"api post", "/api/v1/posts/" + id, 200, `"caption":"first \u003cb\u003eone\u003c/b\u003e"`, nil},
		{"api post media fields", "/api/v1/posts/" + id, 200, `"kind":"image","mime":"image/png","width":30,"height":20,`, nil},
		{"api post picture has frames, no duration", "/api/v1/posts/" + id, 200, `"duration_seconds":null,"frames":1,`, nil},
		{"api unknown route", "/api/v1/nothing", 404, `"kind":"not_found"`, nil},
		{"healthz", "/healthz", 200, "ok", nil},
		{"readyz", "/readyz", 200, "ready", nil},
		{"hashed static file", staticURL, 200, "", map[string]string{"Cache-Control": "immutable"}},
		{"unhashed static file", "/static/style.css", 404, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := serve(h, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Fatalf("GET %s: %d, body %.300s; want %d with %q", tt.path, rec.Code, rec.Body, tt.wantCode, tt.wantBody)
			}
			for k, v := range tt.wantHeader {
				if !strings.Contains(rec.Header().Get(k), v) {
					t.Errorf("header %s = %q, want it to contain %q", k, rec.Header().Get(k), v)
				}
			}
		})
	}

	t.Run("range request", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/m/"+id+".png", nil)
		req.Header.Set("Range", "bytes=0-9")
		rec := serve(h, req)
		if rec.Code != http.StatusPartialContent || rec.Body.Len() != 10 {
			t.Fatalf("got %d with %d bytes", rec.Code, rec.Body.Len())
		}
	})
	t.Run("conditional request", func(t *testing.T) {
		etag := serve(h, httptest.NewRequest("GET", "/m/"+id+".png", nil)).Header().Get("ETag")
		req := httptest.NewRequest("GET", "/m/"+id+".png", nil)
		req.Header.Set("If-None-Match", etag)
		if rec := serve(h, req); etag == "" || rec.Code != http.StatusNotModified {
			t.Fatalf("etag %q, got %d", etag, rec.Code)
		}
	})
	t.Run("delete page with a wrong token", func(t *testing.T) {
		req := httptest.NewRequest("POST", "/p/"+id+"/delete", strings.NewReader("token=wrong"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if rec := serve(h, req); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
	t.Run("api delete without a token", func(t *testing.T) {
		if rec := serve(h, httptest.NewRequest("DELETE", "/api/v1/posts/"+id, nil)); rec.Code != http.StatusForbidden {
			t.Fatalf("got %d", rec.Code)
		}
	})
}

func TestDeleteThroughThePage(t *testing.T) {
	h := newHandler(t)
	rec := serve(h, uploadReq(t, "/api/v1/channels/memes/posts", nil, mediatest.PNG(12, 12)))
	var p struct{ ID, DeleteToken string }
	json.Unmarshal(rec.Body.Bytes(), &struct {
		ID          *string `json:"id"`
		DeleteToken *string `json:"delete_token"`
	}{&p.ID, &p.DeleteToken})
	req := httptest.NewRequest("POST", "/p/"+p.ID+"/delete", strings.NewReader("token="+p.DeleteToken))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rec := serve(h, req); rec.Code != 200 {
		t.Fatalf("delete: %d %s", rec.Code, rec.Body)
	}
	tests := []struct{ path, want string }{
		{"/p/" + p.ID, "deleted by the person who posted it"},
		{"/api/v1/posts/" + p.ID, `"reason":"deleted"`},
		{"/m/" + p.ID + ".png", "deleted by the person who posted it"},
		{"/t/" + p.ID + ".jpg", "deleted by the person who posted it"},
	}
	for _, tt := range tests {
		rec := serve(h, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != http.StatusGone || !strings.Contains(rec.Body.String(), tt.want) {
			t.Errorf("GET %s: %d %s; want 410 with %q", tt.path, rec.Code, rec.Body, tt.want)
		}
	}
}

func TestDiscussionAPI(t *testing.T) {
	h := newHandler(t)
	rec := serve(h, uploadReq(t, "/api/v1/channels/random/posts", nil, mediatest.PNG(12, 12)))
	var p struct {
		ID          string `json:"id"`
		DeleteToken string `json:"delete_token"`
	}
	json.Unmarshal(rec.Body.Bytes(), &p)
	send := func(method, path, contentType, body string, header map[string]string) *httptest.ResponseRecorder {
		req := httptest.NewRequest(method, path, strings.NewReader(body))
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		for k, v := range header {
			req.Header.Set(k, v)
		}
		return serve(h, req)
	}
	const js, form = "application/json", "application/x-www-form-urlencoded"
	base := "/api/v1/posts/" + p.ID
	tests := []struct {
		name     string
		method   string
		path     string
		ct, body string
		header   map[string]string
		wantCode int
		want     string
	}{
		{"comment as JSON", "POST", base + "/comments", js, `{"body":"nice one"}`, nil, 201, `"number":1,"body":"nice one"`},
		{"comment as a form", "POST", base + "/comments", form, "body=me+too", nil, 201, `"is_uploader":false`},
		{"the uploader's comment", "POST", base + "/comments", js, `{"body":"thanks"}`, map[string]string{"X-Delete-Token": p.DeleteToken}, 201, `"is_uploader":true`},
		{"empty comment", "POST", base + "/comments", js, `{"body":"  "}`, nil, 400, `"kind":"invalid"`},
		{"too long", "POST", base + "/comments", js, `{"body":"` + strings.Repeat("x", 2001) + `"}`, nil, 400, `"kind":"invalid"`},
		{"not JSON", "POST", base + "/comments", js, `{"body":`, nil, 400, `"kind":"invalid"`},
		{"comment on no post", "POST", "/api/v1/posts/AAAAAAAAAAAAAAAAAAAA/comments", js, `{"body":"hi"}`, nil, 404, `"kind":"not_found"`},
		{"the thread, oldest first", "GET", base + "/comments", "", "", nil, 200, `"body":"nice one"`},
		{"vote up", "POST", base + "/votes", js, `{"value":1}`, nil, 200, `{"score":1}`},
		{"the same client again", "POST", base + "/votes", js, `{"value":1}`, nil, 200, `{"score":1}`},
		{"changed to down, as a form", "POST", base + "/votes", form, "value=-1", nil, 200, `{"score":-1}`},
		{"a bad value", "POST", base + "/votes", js, `{"value":5}`, nil, 400, `"kind":"invalid"`},
		{"no value", "POST", base + "/votes", js, `{}`, nil, 400, `"kind":"invalid"`},
		{"the post shows its counts", "GET", base, "", "", nil, 200, `"score":-1,"comment_count":3`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := send(tt.method, tt.path, tt.ct, tt.body, tt.header)
			if rec.Code != tt.wantCode || !strings.Contains(rec.Body.String(), tt.want) {
				t.Fatalf("got %d %s, want %d with %s", rec.Code, rec.Body, tt.wantCode, tt.want)
			}
		})
	}
	// Once the post is deleted its thread is gone too.
	send("DELETE", base, "", "", map[string]string{"X-Delete-Token": p.DeleteToken})
	for _, path := range []string{base + "/comments"} {
		if rec := send("GET", path, "", "", nil); rec.Code != http.StatusGone {
			t.Fatalf("GET %s after delete: %d", path, rec.Code)
		}
	}
	if rec := send("POST", base+"/comments", js, `{"body":"late"}`, nil); rec.Code != http.StatusGone {
		t.Fatalf("comment after delete: %d", rec.Code)
	}
}

func TestDiscussionPages(t *testing.T) {
	h := newHandler(t)
	rec := serve(h, uploadReq(t, "/c/memes", nil, mediatest.PNG(12, 12)))
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	post := func(path, body string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return serve(h, req)
	}
	steps := []struct {
		name, path, body string
		wantCode         int
		wantLocation     string
	}{
		{"comment", "/p/" + id + "/comments", "body=see+https%3A%2F%2Fexample.org+%3E%3E1", 303, "/p/" + id + "#c-1"},
		{"vote up", "/p/" + id + "/votes", "value=1", 303, "/p/" + id + "#votes"},
		{"empty comment", "/p/" + id + "/comments", "body=", 400, ""},
		{"bad vote", "/p/" + id + "/votes", "value=up", 400, ""},
	}
	for _, st := range steps {
		rec := post(st.path, st.body)
		if rec.Code != st.wantCode || rec.Header().Get("Location") != st.wantLocation {
			t.Fatalf("%s: %d to %q, want %d to %q", st.name, rec.Code, rec.Header().Get("Location"), st.wantCode, st.wantLocation)
		}
	}
	page := serve(h, httptest.NewRequest("GET", "/p/"+id, nil)).Body.String()
	for _, want := range []string{
		`id="c-1"`, `rel="nofollow noopener ugc noreferrer"`, `<a class="ref" href="#c-1">&gt;&gt;1</a>`,
		`<span class="visually-hidden">Score </span><span data-score>1</span>`, "1 comment",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("post page lacks %s", want)
		}
	}
}

func TestLinkOnlyUploads(t *testing.T) {
	h := newHandler(t)
	get := func(path string) *httptest.ResponseRecorder { return serve(h, httptest.NewRequest("GET", path, nil)) }

	t.Run("refused wishes", func(t *testing.T) {
		for _, fields := range []map[string]string{
			{"max_views": "0"}, {"max_views": "lots"}, {"max_views": "1001"}, {"expires_in": "31d"}, {"expires_in": "5s"},
		} {
			if rec := serve(h, uploadReq(t, "/api/v1/uploads", fields, mediatest.PNG(8, 8))); rec.Code != 400 {
				t.Errorf("%v: %d %s, want 400", fields, rec.Code, rec.Body)
			}
		}
	})
	t.Run("defaults to a day", func(t *testing.T) {
		rec := serve(h, uploadReq(t, "/api/v1/uploads", nil, mediatest.PNG(8, 8)))
		if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"expires_at":"2026-11-24T12:00:00Z"`) ||
			!strings.Contains(rec.Body.String(), `"channel":""`) || !strings.Contains(rec.Body.String(), `"views_left":null`) {
			t.Fatalf("%d %s", rec.Code, rec.Body)
		}
	})

	rec := serve(h, uploadReq(t, "/api/v1/uploads", map[string]string{"expires_in": "1h", "max_views": "2"}, mediatest.PNG(10, 10)))
	if rec.Code != 201 || !strings.Contains(rec.Body.String(), `"views_left":2`) || !strings.Contains(rec.Body.String(), `"expires_at":"2026-11-23T13:00:00Z"`) {
		t.Fatalf("link-only upload: %d %s", rec.Code, rec.Body)
	}
	var p struct{ ID string }
	json.Unmarshal(rec.Body.Bytes(), &p)

	if chans := get("/api/v1/channels").Body.String(); strings.Contains(chans, `"slug":"-"`) {
		t.Fatal("the link-only channel is listed")
	}
	// How its views are spent (by people only): TestViewLimits.
	if page := get("/p/" + p.ID); page.Code != 200 || strings.Contains(page.Body.String(), "og:image") {
		t.Fatalf("the page: %d, with preview tags: %.2000s", page.Code, page.Body)
	}
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestSurfacesOwnTheirRoutes: the API's routes are all under /api/ and
// the pages' none are, and no pattern is claimed twice, by two surfaces or
// by a surface and the operational routes, so mounting them together
// loses nothing.
func TestSurfacesOwnTheirRoutes(t *testing.T) {
	ts := newTestSite(t, nil)
	owners := map[string]string{"GET /healthz": "operations", "GET /readyz": "operations"}
	for _, s := range []struct {
		name   string
		routes map[string]http.HandlerFunc
		api    bool
	}{
		{"pages", ts.pages.Routes(), false},
		{"API", ts.api.Routes(), true},
	} {
		if len(s.routes) == 0 {
			t.Errorf("%s have no routes", s.name)
		}
		for pattern := range s.routes {
			_, path, ok := strings.Cut(pattern, " ")
			if !ok {
				path = pattern
			}
			if strings.HasPrefix(path, "/api/") != s.api {
				t.Errorf("%s route %q is on the wrong side of /api/", s.name, pattern)
			}
			if o, ok := owners[pattern]; ok {
				t.Errorf("%q is claimed by %s and %s", pattern, o, s.name)
			}
			owners[pattern] = s.name
		}
	}
	if got := len(table(ts.pages, ts.api, nil, Deps{})); got != len(owners) {
		t.Errorf("the table holds %d routes, the surfaces %d", got, len(owners))
	}
}
