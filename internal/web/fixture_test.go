package web

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
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
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// Test accounts.
const (
	adminName, adminPassword = "ada", "correct horse battery"
	modName, modPassword     = "mo", "staple gun and paper"
)

// fixture is the web package over real SQLite and a real folder, wired as
// the server wires it (app.New), with its routes mounted without the
// server's middleware.
type fixture struct {
	web   *Web
	posts *posting.Service
	mods  *moderation.Service
	h     http.Handler
	// db is the fixture's database, for setting up what the forms would
	// take long to make.
	db *sqlstore.Store
	// clock is the site's time, t0 until a test moves it.
	clock *time.Time
	// disk is the fixture's blob store, for checking what was stored.
	disk *diskblob.Store
}

// testChannels are the seeded channels plus one pre-moderated, one that
// always asks for a proof-of-work and one marked NSFW.
func testChannels() []chatpic.Channel {
	return append(chatpic.DefaultChannels(),
		chatpic.Channel{Slug: "vetted", Title: "Vetted", Capacity: 10, Premod: chatpic.PremodMedia},
		chatpic.Channel{Slug: "busy", Title: "Busy", Capacity: 10, Challenge: chatpic.ChallengeAlways},
		chatpic.Channel{Slug: "after-dark", Title: "After dark", Capacity: 10, NSFW: true},
	)
}

func newFixture(t testing.TB, base *url.URL) fixture {
	t.Helper()
	ctx := context.Background()
	st := storagetest.Open(t, testChannels()...)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	clock := t0
	now := func() time.Time { return clock }
	cfg, err := config.Defaults(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	cfg.Safety.ChallengeBits = 4
	site, err := app.New(ctx, st, log, now, cfg, posting.Config{
		MaxBytes: 1 << 20, Media: media.DefaultLimits(), TempDir: t.TempDir(), Events: events.NewMemory(events.Options{}),
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range []struct {
		name, password string
		admin          bool
	}{{adminName, adminPassword, true}, {modName, modPassword, false}} {
		if err := site.Mods.AddModerator(ctx, moderation.CLI, a.name, a.password, a.admin); err != nil {
			t.Fatal(err)
		}
	}
	w, err := New(site.Posts, site.Mods, request.NewOrigin(base, nil), log)
	if err != nil {
		t.Fatal(err)
	}
	mux := http.NewServeMux()
	for pattern, h := range w.Routes() {
		mux.HandleFunc(pattern, h)
	}
	return fixture{web: w, posts: site.Posts, mods: site.Mods, db: st.DB, h: mux, clock: &clock, disk: storagetest.Disk(st)}
}

func (f fixture) serve(req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

func (f fixture) get(path string, cookie *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("GET", path, nil)
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return f.serve(req)
}

func (f fixture) post(path string, form url.Values, cookie *http.Cookie) *httptest.ResponseRecorder {
	req := httptest.NewRequest("POST", path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if cookie != nil {
		req.AddCookie(cookie)
	}
	return f.serve(req)
}

// upload posts a small picture into a channel through the page's form.
func (f fixture) upload(t *testing.T, slug string) *httptest.ResponseRecorder {
	t.Helper()
	return f.uploadForm(t, "/c/"+slug, nil)
}

// uploadForm posts a small picture and the fields to a page's upload form.
func (f fixture) uploadForm(t *testing.T, path string, fields map[string]string) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.png")
	fw.Write(mediatest.PNG(24, 16))
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	mw.Close()
	req := httptest.NewRequest("POST", path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return f.serve(req)
}

// uploaded posts a picture and returns its ID.
func (f fixture) uploaded(t *testing.T, slug string) string {
	t.Helper()
	rec := f.upload(t, slug)
	if rec.Code != http.StatusCreated && rec.Code != http.StatusAccepted {
		t.Fatalf("upload: %d %.300s", rec.Code, rec.Body)
	}
	return strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
}

// login signs in and returns the session cookie.
func (f fixture) login(t *testing.T, name, password string) *http.Cookie {
	t.Helper()
	rec := f.post("/mod/login", url.Values{"name": {name}, "password": {password}}, nil)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("login: %d %.300s", rec.Code, rec.Body)
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == request.SessionCookie {
			return c
		}
	}
	t.Fatal("login set no session cookie")
	return nil
}

func wantPage(t *testing.T, rec *httptest.ResponseRecorder, code int, wants ...string) {
	t.Helper()
	if rec.Code != code {
		t.Fatalf("got %d, want %d: %.500s", rec.Code, code, rec.Body)
	}
	for _, w := range wants {
		if !strings.Contains(rec.Body.String(), w) {
			t.Errorf("page lacks %q: %.2000s", w, rec.Body)
		}
	}
}
