package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestLockedUpload follows a link-only upload locked with a password: its
// page, files and discussion show nothing without the password; a wrong
// one is refused and counted per client; the right one shows it, its
// files only with the ticket it gives.
func TestLockedUpload(t *testing.T) {
	f := newFixture(t, nil)
	const secret, caption = "open sesame", "the secret caption"
	rec := f.uploadForm(t, "/link", map[string]string{"password": secret, "caption": caption})
	if rec.Code != http.StatusCreated {
		t.Fatalf("locked upload: %d %.500s", rec.Code, rec.Body)
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	// The uploader's own answer shows it, through a ticket.
	if body := rec.Body.String(); !strings.Contains(body, caption) || !strings.Contains(body, "?v=") {
		t.Errorf("the uploader's page does not show the upload: %.1000s", body)
	}
	p, err := f.db.Post(context.Background(), id, t0)
	if err != nil || !strings.HasPrefix(p.PasswordHash, "$argon2id$") || strings.Contains(p.PasswordHash, secret) {
		t.Fatalf("stored password %q, %v; want an argon2id hash", p.PasswordHash, err)
	}

	locked := f.get("/p/"+id, nil)
	wantPage(t, locked, http.StatusOK, "locked with a password", `name="password"`, "<title>A locked upload · chatpic</title>")
	for _, leak := range []string{caption, "/m/" + id, "/t/" + id, "og:image", `id="comments"`} {
		if strings.Contains(locked.Body.String(), leak) {
			t.Errorf("the locked page shows %q", leak)
		}
	}
	for _, path := range []string{"/m/" + id + "." + p.Ext, "/t/" + id + "." + p.ThumbExt} {
		if got := f.get(path, nil); got.Code != http.StatusSeeOther || got.Header().Get("Location") != "/p/"+id {
			t.Errorf("%s without a ticket: %d to %q, want 303 to the page", path, got.Code, got.Header().Get("Location"))
		}
	}
	for _, c := range []struct{ path, value string }{{"/p/" + id + "/comments", "body"}, {"/p/" + id + "/votes", "value"}} {
		if got := f.post(c.path, url.Values{c.value: {"1"}}, nil); got.Code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403: a locked upload has no discussion", c.path, got.Code)
		}
	}

	try := func(client, password string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/p/"+id+"/view", strings.NewReader(url.Values{"password": {password}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = client + ":1234"
		return f.serve(req)
	}
	for _, c := range []struct{ name, password, says string }{
		{"no password", "", "locked with a password"},
		{"a wrong one", "open sesame!", "not right"},
		{"one too long", strings.Repeat("x", 300), "not right"},
	} {
		got := try("192.0.2.10", c.password)
		if got.Code != http.StatusForbidden || !strings.Contains(got.Body.String(), c.says) || strings.Contains(got.Body.String(), caption) {
			t.Errorf("%s: %d %.600s; want 403 saying %q, and nothing of the upload", c.name, got.Code, got.Body, c.says)
		}
	}
	open := try("192.0.2.10", secret)
	wantPage(t, open, http.StatusOK, caption)
	src := regexp.MustCompile(`src="(/m/` + id + `\.[a-z0-9]+\?v=[^"]+)"`).FindStringSubmatch(open.Body.String())
	if src == nil {
		t.Fatalf("the opened page has no media link with a ticket: %.2000s", open.Body)
	}
	if got := f.get(strings.ReplaceAll(src[1], "&amp;", "&"), nil); got.Code != http.StatusOK || got.Header().Get("Cache-Control") != "private, no-store" {
		t.Errorf("the file with the ticket: %d %q", got.Code, got.Header().Get("Cache-Control"))
	}

	// Guessing is bounded per client (--rate-passwords, 10 in 15 minutes):
	// past it even the right password waits; another client is not held.
	for range 10 {
		if got := try("192.0.2.20", "guess"); got.Code != http.StatusForbidden {
			t.Fatalf("a wrong guess: %d, want 403", got.Code)
		}
	}
	if got := try("192.0.2.20", secret); got.Code != http.StatusTooManyRequests {
		t.Errorf("the 11th try: %d, want 429", got.Code)
	}
	if got := try("192.0.2.30", secret); got.Code != http.StatusOK {
		t.Errorf("another client with the password: %d, want 200", got.Code)
	}
}

func TestLockedUploadRefusals(t *testing.T) {
	f := newFixture(t, nil)
	for _, c := range []struct {
		name, path, password string
		want                 int
	}{
		{"a channel upload", "/c/random", "open sesame", http.StatusBadRequest},
		{"a password too short", "/link", "abc", http.StatusBadRequest},
		{"a password too long", "/link", strings.Repeat("p", 257), http.StatusBadRequest},
		{"four characters", "/link", "ab😀d", http.StatusCreated},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := f.uploadForm(t, c.path, map[string]string{"password": c.password}); got.Code != c.want {
				t.Errorf("%d, want %d: %.300s", got.Code, c.want, got.Body)
			}
		})
	}
}

// TestLockedSensitive opens a locked upload that is also marked sensitive:
// giving the password is the choice to see it, so the page that answers
// it is not blurred (its Show link, a plain GET, would only bring back the
// password form).
func TestLockedSensitive(t *testing.T) {
	f := newFixture(t, nil)
	rec := f.uploadForm(t, "/link", map[string]string{"password": "open sesame", "sensitive": "on"})
	if rec.Code != http.StatusCreated {
		t.Fatalf("upload: %d", rec.Code)
	}
	id := strings.TrimPrefix(rec.Header().Get("Location"), "/p/")
	opened := f.post("/p/"+id+"/view", url.Values{"password": {"open sesame"}}, nil)
	wantPage(t, opened, http.StatusOK, `<figure class="post">`)
	if strings.Contains(opened.Body.String(), "data-unblur") {
		t.Error("the page opened with the password is blurred behind a Show link that leads back to the form")
	}
}
