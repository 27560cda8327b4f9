package server

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/pow"
	"github.com/chatpic/chatpic/internal/request"
)

var signInChallenge = regexp.MustCompile(`data-signin-token="([^"]+)" data-signin-bits="(\d+)"`)

// solvedSignIn fetches the sign-in form and solves the challenge it
// carries, as login.js does, returning "TOKEN:SOLUTION".
func (ts *testSite) solvedSignIn(t *testing.T) string {
	t.Helper()
	rec := serve(ts.handler, httptest.NewRequest("GET", "/mod/login", nil))
	m := signInChallenge.FindStringSubmatch(rec.Body.String())
	if rec.Code != http.StatusOK || m == nil {
		t.Fatalf("the sign-in form carries no challenge: %d %.500s", rec.Code, rec.Body)
	}
	bits, _ := strconv.Atoi(m[2])
	return m[1] + ":" + pow.Solve(m[1], bits)
}

// signIn posts the sign-in form from ip.
func (ts *testSite) signIn(name, password, proof, ip string) *httptest.ResponseRecorder {
	form := url.Values{"name": {name}, "password": {password}, "pow": {proof}}
	req := httptest.NewRequest("POST", "/mod/login", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return serve(ts.handler, from(req, ip))
}

// TestSignInCannotBeUsedToLockOut guesses at a moderator's password from
// many addresses, as someone who wants to keep them out would: the
// account then asks every sign-in for a proof of work, which the right
// password with a solved challenge passes, while guesses without one are
// refused before their password is checked; API tokens are untouched, and
// a client that keeps failing is still slowed down.
func TestSignInCannotBeUsedToLockOut(t *testing.T) {
	ts := newTestSite(t, nil)
	token := ts.moderator(t, "alice", false)
	const right, wrong = "correct horse battery", "wrong password"

	// Fifty failures, each from an address of its own so that no client
	// is held back: the first ten have their password checked; after them
	// the account asks for a proof, which this guesser does not bring.
	for i := range 50 {
		want := http.StatusUnauthorized
		if i >= 10 {
			want = http.StatusPreconditionRequired
		}
		wantCode(t, ts.signIn("alice", wrong, "", fmt.Sprintf("198.51.100.%d", i+1)), want, fmt.Sprintf("guess %d", i+1))
	}

	var last string // the last solution a step used
	steps := []struct {
		name     string
		password string
		proof    string // "" none, "solved" a fresh solution, "again" the last one, or the proof itself
		ip       string
		wantCode int
		want     []string
	}{
		{"a guess without a solution is refused unchecked", wrong, "", "203.0.113.1", http.StatusPreconditionRequired,
			[]string{"many failed sign-ins lately", "Solving the puzzle needs JavaScript", "<noscript>", `data-signin-token="`}},
		{"the right password without a solution is refused too", right, "", "203.0.113.2", http.StatusPreconditionRequired,
			[]string{"For now, sign in to this account from a browser with JavaScript on"}},
		{"a made-up solution", wrong, "AAAA:1", "203.0.113.3", http.StatusForbidden, []string{"answer to the puzzle was not accepted"}},
		{"a guess with a solution has its password checked", wrong, "solved", "203.0.113.4", http.StatusUnauthorized,
			[]string{"That name and password do not match."}},
		{"a solution is good once", right, "again", "203.0.113.5", http.StatusForbidden, []string{"answer to the puzzle was not accepted"}},
		{"the right password with a solution signs in", right, "solved", "203.0.113.6", http.StatusSeeOther, nil},
		{"after which the account needs no proof", right, "", "203.0.113.7", http.StatusSeeOther, nil},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			proof := s.proof
			switch proof {
			case "solved":
				proof = ts.solvedSignIn(t)
				last = proof
			case "again":
				proof = last
			}
			rec := ts.signIn("alice", s.password, proof, s.ip)
			wantCode(t, rec, s.wantCode, s.name)
			for _, w := range s.want {
				if !strings.Contains(rec.Body.String(), w) {
					t.Errorf("the page lacks %q: %.3000s", w, rec.Body)
				}
			}
			if s.wantCode != http.StatusSeeOther {
				return
			}
			cookie := rec.Result().Cookies()
			if len(cookie) != 1 || cookie[0].Name != request.SessionCookie {
				t.Fatalf("cookies %v", cookie)
			}
			req := httptest.NewRequest("GET", "/mod", nil)
			req.AddCookie(cookie[0])
			wantCode(t, serve(ts.handler, req), http.StatusOK, "the queue with the new session")
		})
	}

	t.Run("bearer tokens are unaffected", func(t *testing.T) {
		for i := range 12 {
			ts.signIn("alice", wrong, "", fmt.Sprintf("192.0.2.%d", i+1))
		}
		wantCode(t, serve(ts.handler, jsonReq("GET", "/api/v1/mod/me", "", token)), http.StatusOK, "the API with the token")
		req := httptest.NewRequest("GET", "/mod/audit", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		wantCode(t, serve(ts.handler, req), http.StatusOK, "a page with the token")
	})

	t.Run("a client that keeps failing is slowed down", func(t *testing.T) {
		const ip = "203.0.113.99"
		for i := range 10 {
			wantCode(t, ts.signIn("alice", wrong, ts.solvedSignIn(t), ip), http.StatusUnauthorized, fmt.Sprintf("failure %d", i+1))
		}
		rec := ts.signIn("alice", right, ts.solvedSignIn(t), ip)
		wantCode(t, rec, http.StatusTooManyRequests, "the right password from the failing client")
		if ra := rec.Header().Get("Retry-After"); ra == "" || ra == "0" {
			t.Errorf("Retry-After %q", ra)
		}
		wantCode(t, ts.signIn("alice", right, ts.solvedSignIn(t), "203.0.113.100"), http.StatusSeeOther, "the right password from elsewhere")
	})
}
