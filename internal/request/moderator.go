package request

import (
	"net/http"
	"strings"
)

// SessionCookie is the name of the moderator session cookie.
const SessionCookie = "chatpic_mod"

// ModeratorToken returns the credential a moderation request carries: an
// API token from "Authorization: Bearer TOKEN" (session false), or the
// session cookie (session true); "" if neither.
func ModeratorToken(r *http.Request) (token string, session bool) {
	if auth := r.Header.Get("Authorization"); auth != "" {
		scheme, tok, ok := strings.Cut(auth, " ")
		if ok && strings.EqualFold(scheme, "Bearer") {
			return strings.TrimSpace(tok), false
		}
		return "", false
	}
	if c, err := r.Cookie(SessionCookie); err == nil {
		return c.Value, true
	}
	return "", false
}
