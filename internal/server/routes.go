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
		if strings.HasPrefix(r.URL.Path, "/api/") {
			a.Fail(rw, r, err)
			return
		}
		w.Fail(rw, r, err)
	}
}

// table is the route table: every pattern chatpic answers, with its
// handler.
func table(w *web.Web, a *api.API, ready []Pinger, deps Deps) map[string]http.HandlerFunc {
	t := map[string]http.HandlerFunc{
		// Pages.
		"GET /{$}":              w.Home,
		"GET /c/{slug}":         w.Channel,
		"POST /c/{slug}":        w.UploadToChannel,
		"POST /upload":          w.Upload,
		"POST /link":            w.UploadLinkOnly,
		"GET /p/{id}":           w.Post,
		"POST /p/{id}/delete":   w.Delete,
		"POST /p/{id}/comments": w.AddComment,
		"POST /p/{id}/votes":    w.Vote,
		"POST /p/{id}/view":     w.ViewPost,
		"GET /static/":          w.Static,
		"GET /favicon.ico":      w.Favicon,
		"/":                     w.NotFound,

		// Media.
		"GET /m/{file}": w.Media,
		"GET /t/{file}": w.Thumb,

		// JSON API v1.
		"GET /api/v1/channels":                  a.Channels,
		"GET /api/v1/channels/{slug}":           a.Channel,
		"GET /api/v1/channels/{slug}/posts":     a.Posts,
		"GET /api/v1/channels/{slug}/events":    a.ChannelEvents,
		"GET /api/v1/channels/{slug}/challenge": a.Challenge,
		"POST /api/v1/channels/{slug}/posts":    a.Upload,
		"POST /api/v1/uploads":                  a.UploadLinkOnly,
		"GET /api/v1/posts/{id}":                a.Post,
		"DELETE /api/v1/posts/{id}":             a.Delete,
		"POST /api/v1/posts/{id}/views":         a.View,
		"GET /api/v1/posts/{id}/events":         a.PostEvents,
		"GET /api/v1/posts/{id}/comments":       a.Comments,
		"POST /api/v1/posts/{id}/comments":      a.AddComment,
		"POST /api/v1/posts/{id}/votes":         a.Vote,
		"POST /api/v1/posts/{id}/reports":       a.ReportPost,
		"POST /api/v1/comments/{id}/reports":    a.ReportComment,
		"POST /api/v1/reports":                  a.ReportLink,
		"GET /api/v1/reports/{code}":            a.ReportStatus,
		"GET /api/v1/transparency":              a.Transparency,
		"/api/":                                 a.NotFound,

		// Operations.
		"GET /healthz": healthz,
		"GET /readyz":  readyz(ready, deps.Log),
	}
	// Reports, transparency and moderation: pages and API.
	maps.Copy(t, w.SafetyRoutes())
	maps.Copy(t, a.ModRoutes())
	return t
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}
