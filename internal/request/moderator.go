package request

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chatpic/chatpic"
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

// FileNumber returns the file number in the path of a request for one
// file of an upload (its {n}: 1 to chatpic.MaxFiles, written without a
// sign or leading zero), or KindNotFound.
func FileNumber(r *http.Request) (int, error) {
	s := r.PathValue("n")
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > chatpic.MaxFiles || strconv.Itoa(n) != s {
		return 0, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	}
	return n, nil
}
