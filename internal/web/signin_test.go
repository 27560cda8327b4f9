package web

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
)

// TestSignInPage follows the sign-in form of an account under a guessing
// attack, as a browser with JavaScript and one without see it.
func TestSignInPage(t *testing.T) {
	f := newFixture(t, nil)
	signIn := func(form url.Values, ip string) *httptest.ResponseRecorder {
		req := httptest.NewRequest("POST", "/mod/login", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.RemoteAddr = ip + ":1234"
		return f.serve(req)
	}
	challenge := regexp.MustCompile(`data-signin-token="([^"]+)" data-signin-bits="(\d+)" data-signin-seconds="(\d+)"`)

	form := f.get("/mod/login", nil)
	wantPage(t, form, http.StatusOK, `id="login-form"`, `name="pow"`, `src="`+f.web.staticURL["pow.js"]+`"`,
		`src="`+f.web.staticURL["login.js"]+`"`, `class="hint js-only" hidden`)
	m := challenge.FindStringSubmatch(form.Body.String())
	if m == nil || m[3] != "600" {
		t.Fatalf("the form's challenge: %q", m)
	}
	if strings.Contains(form.Body.String(), "many failed sign-ins lately") {
		t.Error("a fresh form warns of failed sign-ins")
	}

	for i := range 10 {
		signIn(url.Values{"name": {modName}, "password": {"guess"}}, fmt.Sprintf("198.51.100.%d", i+1))
	}
	guarded := signIn(url.Values{"name": {" " + modName}, "password": {modPassword}}, "203.0.113.1")
	wantPage(t, guarded, http.StatusPreconditionRequired, "many failed sign-ins lately", `value="mo"`,
		"Enter your password again and sign in", "<noscript><p><strong>Solving the puzzle needs JavaScript", `data-signin-token="`)
	if strings.Contains(guarded.Body.String(), modPassword) {
		t.Error("the page repeats the password")
	}
	m = challenge.FindStringSubmatch(guarded.Body.String())
	if m == nil {
		t.Fatal("the refusal carries no fresh challenge")
	}
	bits, _ := strconv.Atoi(m[2])
	rec := signIn(url.Values{"name": {modName}, "password": {modPassword}, "pow": {m[1] + ":" + pow.Solve(m[1], bits)}}, "203.0.113.1")
	if rec.Code != http.StatusSeeOther || rec.Header().Get("Location") != "/mod" {
		t.Fatalf("with the challenge solved: %d %.500s", rec.Code, rec.Body)
	}

	t.Run("a form that is not text", func(t *testing.T) {
		rec := signIn(url.Values{"name": {modName}, "password": {"\xff"}}, "203.0.113.2")
		wantPage(t, rec, http.StatusBadRequest, "The form is not valid UTF-8 text.")
	})
}
