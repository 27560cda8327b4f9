package server

import (
	"context"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/chatpic/chatpic/internal/api"
	"github.com/chatpic/chatpic/internal/web"
)

// Pinger is anything /readyz checks: the database and the blob store.
type Pinger interface {
	Ping(ctx context.Context) error
}

// Routes returns the whole URL surface of chatpic, wrapped in the
// middleware every response gets.
func Routes(w *web.Web, a *api.API, ready []Pinger, deps Deps) http.Handler {
	mux := http.NewServeMux()
	t := table(w, a, ready, deps)
	for _, pattern := range slices.Sorted(maps.Keys(t)) {
		mux.HandleFunc(pattern, t[pattern])
	}
	return withMiddleware(mux, deps, failer(w, a))
}

// failer answers errors the middleware meets in the form of the surface
// the request was for: JSON under /api/, a page elsewhere.
func failer(w *web.Web, a *api.API) failFunc {
	return func(rw http.ResponseWriter, r *http.Request, err error) {
		if isAPI(r) {
			a.Fail(rw, r, err)
			return
		}
		w.Fail(rw, r, err)
	}
}

// isAPI reports whether r is for the JSON API, whose every answer,
// errors included, is JSON.
func isAPI(r *http.Request) bool { return strings.HasPrefix(r.URL.Path, "/api/") }

// table is the route table: every pattern chatpic answers, with its
// handler: the pages' routes, the API's and the operational ones. The
// API's are all under /api/ and the pages' none are; a pattern that two
// surfaces both claim is a mistake that Routes would hide, and that the
// route tests catch.
func table(w *web.Web, a *api.API, ready []Pinger, deps Deps) map[string]http.HandlerFunc {
	t := map[string]http.HandlerFunc{
		"GET /healthz": healthz,
		"GET /readyz":  readyz(ready, deps.Log),
	}
	maps.Copy(t, w.Routes())
	maps.Copy(t, a.Routes())
	return t
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}
