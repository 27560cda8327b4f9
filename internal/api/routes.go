package api

import (
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// Routes returns every route of the JSON API v1, keyed by pattern; all
// are under /api/. The moderation routes (/api/v1/mod/) refuse anyone who
// is not a moderator, and the admin ones other moderators, before reading
// the request's body. Request bodies are the request package's structs,
// decoded strictly. openapi.json describes every route but the catch-all
// "/api/", and no other (openapitest's tests check both ways).
func (a *API) Routes() map[string]http.HandlerFunc {
	id := func(r *http.Request) string { return r.PathValue("id") }
	return map[string]http.HandlerFunc{
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
		"GET /api/v1/openapi.json":              a.OpenAPIDocument,
		"/api/":                                 a.NotFound,

		// Moderation.
		"GET /api/v1/mod/me":    a.mod(a.Me),
		"GET /api/v1/mod/queue": a.mod(a.Queue),
		"GET /api/v1/mod/audit": a.mod(a.Audit),
		"POST /api/v1/mod/posts/{id}/remove": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Removal) error {
			return a.mods.RemovePost(r.Context(), m, id(r), in.Removal())
		})),
		"POST /api/v1/mod/posts/{id}/files/{n}/remove": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Removal) error {
			n, err := request.FileNumber(r)
			if err != nil {
				return err
			}
			return a.mods.RemoveFile(r.Context(), m, id(r), n, in.Removal())
		})),
		"POST /api/v1/mod/posts/{id}/restore": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Note) error {
			return a.mods.RestorePost(r.Context(), m, id(r), in.Reason)
		})),
		"POST /api/v1/mod/posts/{id}/ban": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Note) error {
			return a.mods.BanPoster(r.Context(), m, moderation.Target{PostID: id(r)}, in.Reason)
		})),
		"POST /api/v1/mod/comments/{id}/remove": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Removal) error {
			return a.mods.RemoveComment(r.Context(), m, id(r), in.Removal())
		})),
		"POST /api/v1/mod/comments/{id}/restore": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Note) error {
			return a.mods.RestoreComment(r.Context(), m, id(r), in.Reason)
		})),
		"POST /api/v1/mod/comments/{id}/ban": a.mod(act(a, func(r *http.Request, m chatpic.Moderator, in request.Note) error {
			return a.mods.BanPoster(r.Context(), m, moderation.Target{CommentID: id(r)}, in.Reason)
		})),
		"POST /api/v1/mod/channels/{slug}/lock":   a.mod(a.lock(true)),
		"POST /api/v1/mod/channels/{slug}/unlock": a.mod(a.lock(false)),
		"PATCH /api/v1/mod/channels/{slug}":       a.admin(a.EditChannel),
		"GET /api/v1/mod/moderators":              a.admin(a.Moderators),
		"POST /api/v1/mod/moderators": a.admin(act(a, func(r *http.Request, m chatpic.Moderator, in request.NewModerator) error {
			return a.mods.AddModerator(r.Context(), m, in.Name, in.Password, in.Admin)
		})),
		"DELETE /api/v1/mod/moderators/{name}": a.admin(func(w http.ResponseWriter, r *http.Request, m chatpic.Moderator) {
			if err := a.mods.RemoveModerator(r.Context(), m, r.PathValue("name")); err != nil {
				a.fail(w, r, err)
				return
			}
			w.WriteHeader(http.StatusNoContent)
		}),
		"GET /api/v1/mod/hashes":  a.admin(a.ExportHashes),
		"POST /api/v1/mod/hashes": a.admin(a.ImportHashes),
	}
}
