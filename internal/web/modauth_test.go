package web

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

func TestModeratorPagesRefuseStrangers(t *testing.T) {
	f := newFixture(t, nil)
	id := f.uploaded(t, "random")
	for _, path := range []string{"/mod", "/mod/channels", "/mod/audit", "/mod/moderators", "/mod/preview/" + id, "/mod/preview/" + id + "/full"} {
		t.Run("GET "+path, func(t *testing.T) {
			rec := f.get(path, nil)
			if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod/login" {
				t.Fatalf("got %d to %q, want 303 to /mod/login", rec.Code, rec.Header().Get("Location"))
			}
		})
	}
	for _, path := range []string{"/mod/logout", "/mod/posts/" + id + "/remove", "/mod/posts/" + id + "/restore",
		"/mod/posts/" + id + "/ban", "/mod/comments/" + id + "/remove", "/mod/channels/random/lock",
		"/mod/channels/random", "/mod/moderators", "/mod/moderators/ada/remove"} {
		t.Run("POST "+path, func(t *testing.T) {
			rec := f.post(path, url.Values{"statement": {"x"}}, nil)
			wantPage(t, rec, http.StatusUnauthorized, "Sign in")
			if rec.Header().Get("X-Robots-Tag") != "noindex" || rec.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", rec.Header())
			}
		})
	}
	t.Run("a stale session cookie is cleared", func(t *testing.T) {
		rec := f.get("/mod", &http.Cookie{Name: "chatpic_mod", Value: "stale"})
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("got %d, Set-Cookie %q", rec.Code, rec.Header().Get("Set-Cookie"))
		}
	})
}

func TestAdminPagesRefuseModerators(t *testing.T) {
	f := newFixture(t, nil)
	mod := f.login(t, modName, modPassword)
	wantPage(t, f.get("/mod/moderators", mod), http.StatusForbidden, "Only admins can do that.")
	wantPage(t, f.post("/mod/moderators", url.Values{"name": {"eve"}, "password": {"0123456789ab"}}, mod), http.StatusForbidden)
	wantPage(t, f.post("/mod/channels/random", url.Values{"capacity": {"5"}}, mod), http.StatusForbidden)
	channels := f.get("/mod/channels", mod)
	wantPage(t, channels, http.StatusOK, "Make it read-only")
	if strings.Contains(channels.Body.String(), "Change its settings") || strings.Contains(channels.Body.String(), `href="/mod/moderators"`) {
		t.Error("a moderator who is not an admin sees admin controls")
	}

	admin := f.login(t, adminName, adminPassword)
	wantPage(t, f.get("/mod/moderators", admin), http.StatusOK, "ada", "(you)", `action="/mod/moderators/mo/remove"`)
	rec := f.post("/mod/moderators", url.Values{"name": {"eve"}, "password": {"0123456789ab"}, "back": {"/mod/moderators"}}, admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod/moderators?done=added" {
		t.Fatalf("add moderator: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
	wantPage(t, f.get("/mod/moderators?done=added", admin), http.StatusOK, "eve", "The moderator account is created.")
	rec = f.post("/mod/moderators/eve/remove", url.Values{"back": {"https://evil.example/"}}, admin)
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod/moderators?done=deleted" {
		t.Fatalf("remove moderator: %d to %q", rec.Code, rec.Header().Get("Location"))
	}
}

func TestLogin(t *testing.T) {
	f := newFixture(t, nil)
	t.Run("the form", func(t *testing.T) {
		rec := f.get("/mod/login", nil)
		wantPage(t, rec, http.StatusOK, `name="name"`, `type="password"`)
		if rec.Header().Get("X-Robots-Tag") != "noindex" {
			t.Error("the sign-in form may be indexed")
		}
	})
	t.Run("a wrong password", func(t *testing.T) {
		rec := f.post("/mod/login", url.Values{"name": {adminName}, "password": {"wrong password"}}, nil)
		wantPage(t, rec, http.StatusUnauthorized, "That name and password do not match.", `value="ada"`)
		if rec.Header().Get("Set-Cookie") != "" {
			t.Error("a refused sign-in set a cookie")
		}
	})
	t.Run("the session cookie", func(t *testing.T) {
		c := f.login(t, adminName, adminPassword)
		if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || c.Secure || c.Value == "" {
			t.Fatalf("cookie %+v", c)
		}
		// The life is relative (Max-Age), never a date the browser would
		// read on its own clock.
		if c.MaxAge != 12*3600 || !c.Expires.IsZero() || c.RawExpires != "" {
			t.Errorf("cookie Max-Age %d, Expires %q; want Max-Age %d and no Expires", c.MaxAge, c.RawExpires, 12*3600)
		}
		wantPage(t, f.get("/mod", c), http.StatusOK, "Queue", "Sign out ada")
		if rec := f.get("/mod/login", c); rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod" {
			t.Errorf("signed in, the form answers %d", rec.Code)
		}
		rec := f.post("/mod/logout", nil, c)
		if rec.Code != http.StatusSeeOther || !strings.Contains(rec.Header().Get("Set-Cookie"), "Max-Age=0") {
			t.Fatalf("logout: %d %q", rec.Code, rec.Header().Get("Set-Cookie"))
		}
		if rec := f.get("/mod", c); rec.Code != http.StatusSeeOther {
			t.Errorf("the session outlived its logout: %d", rec.Code)
		}
	})
	t.Run("a bearer token works too", func(t *testing.T) {
		token, err := f.mods.NewToken(t.Context(), moderation.CLI, modName)
		if err != nil {
			t.Fatal(err)
		}
		req := httptest.NewRequest("GET", "/mod/audit", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		wantPage(t, f.serve(req), http.StatusOK, "new token")
	})
	t.Run("too many attempts", func(t *testing.T) {
		var rec *httptest.ResponseRecorder
		for range 12 {
			rec = f.post("/mod/login", url.Values{"name": {modName}, "password": {"guess guess guess"}}, nil)
		}
		wantPage(t, rec, http.StatusTooManyRequests, "You can try again in")
		if rec.Header().Get("Retry-After") == "" {
			t.Error("no Retry-After")
		}
	})
}

func TestSessionCookieIsSecureOverHTTPS(t *testing.T) {
	tests := []struct {
		name   string
		base   string
		tls    bool
		secure bool
	}{
		{"plain http", "", false, false},
		{"a TLS connection", "", true, true},
		{"an https base URL behind a proxy", "https://pics.example.org", false, true},
		{"an http base URL", "http://localhost:8080", false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var base *url.URL
			if tt.base != "" {
				base, _ = url.Parse(tt.base)
			}
			w := &Web{origin: request.NewOrigin(base, nil)}
			req := httptest.NewRequest("POST", "/mod/login", nil)
			if tt.tls {
				req.TLS = &tls.ConnectionState{}
			}
			c := w.sessionCookie(req, "token", time.Hour)
			if c.Secure != tt.secure || !c.HttpOnly || c.SameSite != http.SameSiteStrictMode {
				t.Fatalf("cookie %+v, want secure %v", c, tt.secure)
			}
		})
	}
}
