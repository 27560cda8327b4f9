package server

import (
	"context"
	"net/http"

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

	// Pages.
	mux.HandleFunc("GET /{$}", w.Home)
	mux.HandleFunc("GET /c/{slug}", w.Channel)
	mux.HandleFunc("POST /c/{slug}", w.UploadToChannel)
	mux.HandleFunc("POST /upload", w.Upload)
	mux.HandleFunc("POST /link", w.UploadLinkOnly)
	mux.HandleFunc("GET /p/{id}", w.Post)
	mux.HandleFunc("POST /p/{id}/delete", w.Delete)
	mux.HandleFunc("POST /p/{id}/comments", w.AddComment)
	mux.HandleFunc("POST /p/{id}/votes", w.Vote)
	mux.HandleFunc("GET /static/", w.Static)
	mux.HandleFunc("/", w.NotFound)

	// Media.
	mux.HandleFunc("GET /m/{file}", w.Media)
	mux.HandleFunc("GET /t/{file}", w.Thumb)

	// JSON API v1.
	mux.HandleFunc("GET /api/v1/channels", a.Channels)
	mux.HandleFunc("GET /api/v1/channels/{slug}", a.Channel)
	mux.HandleFunc("GET /api/v1/channels/{slug}/posts", a.Posts)
	mux.HandleFunc("GET /api/v1/channels/{slug}/events", a.ChannelEvents)
	mux.HandleFunc("POST /api/v1/channels/{slug}/posts", a.Upload)
	mux.HandleFunc("POST /api/v1/uploads", a.UploadLinkOnly)
	mux.HandleFunc("GET /api/v1/posts/{id}", a.Post)
	mux.HandleFunc("DELETE /api/v1/posts/{id}", a.Delete)
	mux.HandleFunc("GET /api/v1/posts/{id}/events", a.PostEvents)
	mux.HandleFunc("GET /api/v1/posts/{id}/comments", a.Comments)
	mux.HandleFunc("POST /api/v1/posts/{id}/comments", a.AddComment)
	mux.HandleFunc("POST /api/v1/posts/{id}/votes", a.Vote)
	mux.HandleFunc("/api/", a.NotFound)

	// Operations.
	mux.HandleFunc("GET /healthz", healthz)
	mux.HandleFunc("GET /readyz", readyz(ready, deps.Log))

	return withMiddleware(mux, deps)
}

func healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte("ok\n"))
}
