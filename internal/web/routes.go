package web

import (
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/request"
)

// Routes returns every route of the pages, keyed by pattern: pages, forms,
// media, static files, the web app's manifest and share target, reporting,
// the transparency page and moderation.
// Every /mod/ route but the sign-in form refuses anyone who is not a
// moderator: a GET goes to the sign-in form, anything else gets 401. Admin
// pages and actions answer 403 to other moderators.
func (w *Web) Routes() map[string]http.HandlerFunc {
	id := func(r *http.Request) string { return r.PathValue("id") }
	reason := func(r *http.Request) string { return r.PostForm.Get("reason") }
	return map[string]http.HandlerFunc{
		// Pages.
		"GET /{$}":                w.Home,
		"GET /c/{slug}":           w.Channel,
		"POST /c/{slug}":          w.UploadToChannel,
		"GET /c/{slug}/feed.atom": w.Feed,
		"POST /upload":            w.Upload,
		"POST /link":              w.UploadLinkOnly,
		"GET /p/{id}":             w.Post,
		"GET /p/{id}/qr.svg":      w.QRCode,
		"POST /p/{id}/delete":     w.Delete,
		"GET /d/{id}/{token}":     w.DeleteLink,
		"POST /d/{id}/{token}":    w.DeleteByLink,
		"GET /sharex.sxcu":        w.ShareX,
		"POST /p/{id}/comments":   w.AddComment,
		"POST /p/{id}/votes":      w.Vote,
		"POST /p/{id}/view":       w.ViewPost,
		"GET /static/":            w.Static,
		"GET /favicon.ico":        w.Favicon,

		// The installed web app: its manifest and its share target.
		"GET /manifest.webmanifest": w.Manifest,
		"POST /share":               w.ShareTarget,
		"GET /share/{id}":           w.SharePage,
		"GET /share/{id}/file":      w.SharedFile,
		"GET /share/{id}/file/{n}":  w.SharedFile,

		"/": w.NotFound,

		// Media.
		"GET /m/{file}": w.Media,
		"GET /t/{file}": w.Thumb,

		// Reports and transparency, for anyone.
		"POST /p/{id}/report":       w.ReportPost,
		"GET /report":               w.ReportForm,
		"POST /report":              w.ReportLink,
		"GET /report/status":        w.LookUpReport,
		"GET /report/status/{code}": w.ReportStatus,
		"GET /transparency":         w.Transparency,
		"GET /mod/login":            w.LoginForm,
		"POST /mod/login":           w.Login,

		// Moderators.
		"POST /mod/logout":                 w.mod(w.Logout),
		"GET /mod":                         w.mod(w.Queue),
		"GET /mod/preview/{id}":            w.mod(w.Preview(false)),
		"GET /mod/preview/{id}/full":       w.mod(w.Preview(true)),
		"GET /mod/channels":                w.mod(w.Channels),
		"GET /mod/audit":                   w.mod(w.Audit),
		"POST /mod/channels/{slug}/lock":   w.mod(w.lock(true)),
		"POST /mod/channels/{slug}/unlock": w.mod(w.lock(false)),
		"POST /mod/posts/{id}/remove": w.mod(w.act("removed", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.RemovePost(r.Context(), m, id(r), removal(r.PostForm))
		})),
		"POST /mod/posts/{id}/files/{n}/remove": w.mod(w.act("file_removed", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			n, err := request.FileNumber(r)
			if err != nil {
				return err
			}
			return w.mods.RemoveFile(r.Context(), m, id(r), n, removal(r.PostForm))
		})),
		"POST /mod/posts/{id}/restore": w.mod(w.act("restored", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.RestorePost(r.Context(), m, id(r), reason(r))
		})),
		"POST /mod/posts/{id}/ban": w.mod(w.act("banned", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.BanPoster(r.Context(), m, moderation.Target{PostID: id(r)}, reason(r))
		})),
		"POST /mod/comments/{id}/remove": w.mod(w.act("removed", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.RemoveComment(r.Context(), m, id(r), removal(r.PostForm))
		})),
		"POST /mod/comments/{id}/restore": w.mod(w.act("restored", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.RestoreComment(r.Context(), m, id(r), reason(r))
		})),
		"POST /mod/comments/{id}/ban": w.mod(w.act("banned", "/mod", func(r *http.Request, m chatpic.Moderator) error {
			return w.mods.BanPoster(r.Context(), m, moderation.Target{CommentID: id(r)}, reason(r))
		})),

		// Admins.
		"POST /mod/channels/{slug}":          w.admin(w.editChannel()),
		"GET /mod/moderators":                w.admin(w.Moderators),
		"POST /mod/moderators":               w.admin(w.addModerator()),
		"POST /mod/moderators/{name}/remove": w.admin(w.removeModerator()),
	}
}
