package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// modHandler is a moderation page or action: it runs only for a signed-in
// moderator, m.
type modHandler func(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator)

// modHeaders keeps moderation pages out of caches and search engines.
func modHeaders(rw http.ResponseWriter) {
	rw.Header().Set("Cache-Control", "no-store")
	rw.Header().Set("X-Robots-Tag", "noindex")
}

// mod wraps h so that it runs only for a signed-in moderator (session
// cookie or Bearer token). Anyone else is sent to the sign-in form from a
// GET, and gets 401 for anything else.
func (w *Web) mod(h modHandler) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		modHeaders(rw)
		token, session := request.ModeratorToken(r)
		m, err := w.mods.Authenticate(r.Context(), token, session)
		if err != nil {
			if chatpic.ErrorKind(err) != chatpic.KindUnauthorized {
				w.modFail(rw, r, err)
				return
			}
			if session {
				http.SetCookie(rw, w.clearCookie(r)) // ended or unknown
			}
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				w.seeOther(rw, r, "/mod/login")
				return
			}
			w.fail(rw, r, err)
			return
		}
		h(rw, r, m)
	}
}

// admin wraps h so that moderators who are not admins get 403.
func (w *Web) admin(h modHandler) http.HandlerFunc {
	return w.mod(func(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
		if !m.Admin {
			w.modFail(rw, r, chatpic.Errorf(chatpic.KindForbidden, "only admins can do that"))
			return
		}
		h(rw, r, m)
	})
}

// modFail is fail with a way back to the queue.
func (w *Web) modFail(rw http.ResponseWriter, r *http.Request, err error) {
	l := w.lang(r)
	w.failPage(rw, r, err, messagePage{Back: i18n.WithLang("/mod", l), BackText: l.T("Back to the queue")})
}

// secure reports whether the browser reached us over HTTPS, directly or
// through the configured origin or a trusted proxy.
func (w *Web) secure(r *http.Request) bool {
	return r.TLS != nil || strings.HasPrefix(w.origin.Base(r), "https://")
}

// sessionCookie carries a moderator's session token: never readable by
// scripts, never sent cross-site, HTTPS-only when the site is. Its life is
// given as Max-Age, relative to when the browser receives it, never as an
// Expires date: a browser whose clock differs from ours keeps it for the
// session's life, no shorter and no longer.
func (w *Web) sessionCookie(r *http.Request, token string, life time.Duration) *http.Cookie {
	c := &http.Cookie{
		Name: request.SessionCookie, Value: token, Path: "/",
		HttpOnly: true, Secure: w.secure(r), SameSite: http.SameSiteStrictMode,
	}
	// Rounded down, so the browser never keeps it past the session's end;
	// a session with less than a second left is not worth sending.
	if c.MaxAge = int(life / time.Second); c.MaxAge <= 0 {
		c.MaxAge = -1
	}
	return c
}

// clearCookie tells the browser to forget the session cookie.
func (w *Web) clearCookie(r *http.Request) *http.Cookie {
	return w.sessionCookie(r, "", 0)
}

// loginPage is the sign-in form, blank or with why it was refused.
type loginPage struct {
	Title, Name, Error, Retry string
	// Pow is the sign-in challenge the form solves as it is sent (see
	// login.js); its Token is "" when none could be issued.
	Pow signInPow
	// Guarded is set when the account needed a proof of work and the
	// sign-in had none, or a wrong one: the page explains why.
	Guarded bool
}

// signInPow is a sign-in challenge as the form carries it.
type signInPow struct {
	Token string
	Bits  int
	// Seconds is how long the challenge can still be used; login.js gets
	// a new one after that.
	Seconds int
}

// loginPage returns the sign-in form with a fresh challenge. A failure to
// issue one is logged and leaves the form without: the server still
// checks, and explains a refusal.
func (w *Web) loginPage(ctx context.Context, l i18n.Lang, name string) loginPage {
	page := loginPage{Title: l.T("Moderator sign-in"), Name: name}
	c, err := w.mods.SignInChallenge(ctx)
	if err != nil {
		w.log.Error("sign-in challenge", "err", err)
		return page
	}
	page.Pow = signInPow{Token: c.Token, Bits: c.Bits, Seconds: int(c.ExpiresAt.Sub(w.posts.Now()) / time.Second)}
	return page
}

// LoginForm renders GET /mod/login; a signed-in moderator goes on to the
// queue.
func (w *Web) LoginForm(rw http.ResponseWriter, r *http.Request) {
	modHeaders(rw)
	if token, session := request.ModeratorToken(r); token != "" {
		if _, err := w.mods.Authenticate(r.Context(), token, session); err == nil {
			w.seeOther(rw, r, "/mod")
			return
		}
	}
	w.render(rw, r, http.StatusOK, "mod-login", w.loginPage(r.Context(), w.lang(r), ""))
}

// Login handles POST /mod/login ("name", "password", "pow"): it sets the
// session cookie and goes on to the queue (303), or shows the form again
// with why not: 401 for a wrong name or password; 429 and Retry-After
// after too many attempts from this client; 428 when the account has had
// many failed sign-ins and the form came without a solved challenge (403
// with a wrong one), with words on what the puzzle is and that it needs
// JavaScript. A form that is not UTF-8 text gets 400, one too long 413.
func (w *Web) Login(rw http.ResponseWriter, r *http.Request) {
	modHeaders(rw)
	var in request.SignIn
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	name := strings.TrimSpace(in.Name)
	c := moderation.Credentials{Name: name, Password: in.Password, Proof: in.Proof}
	s, err := w.mods.SignIn(r.Context(), c, w.origin.ClientAddr(r))
	if err == nil {
		http.SetCookie(rw, w.sessionCookie(r, s.Token, s.Expires.Sub(w.posts.Now())))
		w.seeOther(rw, r, "/mod")
		return
	}
	l := w.lang(r)
	page := w.loginPage(r.Context(), l, name)
	page.Error = sentence(l.Error(err))
	switch chatpic.ErrorKind(err) {
	case chatpic.KindUnauthorized:
	case chatpic.KindRateLimited:
		rw.Header().Set("Retry-After", strconv.Itoa(chatpic.RetryAfterSeconds(err)))
		page.Retry = retryIn(l, err)
	case chatpic.KindChallenge:
		page.Error, page.Guarded = "", true
	case chatpic.KindForbidden: // a proof that did not verify
		page.Error, page.Guarded = l.T("Your browser's answer to the puzzle was not accepted: it may have taken too long."), true
	default:
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, request.Status(err), "mod-login", page)
}

// Logout handles POST /mod/logout: it ends the session and clears the
// cookie.
func (w *Web) Logout(rw http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
	if token, session := request.ModeratorToken(r); session {
		if err := w.mods.Logout(r.Context(), token); err != nil {
			w.modFail(rw, r, err)
			return
		}
	}
	http.SetCookie(rw, w.clearCookie(r))
	w.seeOther(rw, r, "/mod/login")
}
