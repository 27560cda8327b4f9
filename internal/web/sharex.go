package web

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/i18n"
)

// shareXConfig is a ShareX custom uploader (.sxcu, ShareX 13 and later).
// The {json:...} syntax picks a field out of the API's answer to the
// upload.
type shareXConfig struct {
	Version         string
	Name            string
	DestinationType string
	RequestMethod   string
	RequestURL      string
	Body            string
	FileFormName    string
	URL             string
	ThumbnailURL    string
	DeletionURL     string
	ErrorMessage    string
}

// ShareX answers GET /sharex.sxcu with a ShareX custom uploader for this
// site, as a download: link-only uploads (POST /api/v1/uploads), or with
// ?channel=SLUG uploads into that channel (404 for no such channel). Its
// links come from --base-url, or from the request.
func (w *Web) ShareX(rw http.ResponseWriter, r *http.Request) {
	base := w.origin.Base(r)
	host := base
	if u, err := url.Parse(base); err == nil && u.Host != "" {
		host = u.Host
	}
	c := shareXConfig{
		Version: "15.0.0", Name: "chatpic (" + host + ")",
		DestinationType: "ImageUploader, FileUploader",
		RequestMethod:   http.MethodPost, RequestURL: base + "/api/v1/uploads",
		Body: "MultipartFormData", FileFormName: "file",
		URL: "{json:url}", ThumbnailURL: "{json:thumb_url}", DeletionURL: "{json:delete_url}",
		ErrorMessage: "{json:error.message}",
	}
	file := "chatpic-" + fileSafe(host)
	if slug := r.URL.Query().Get("channel"); slug != "" {
		ch, err := w.posts.Channel(r.Context(), slug)
		if err != nil {
			w.fail(rw, r, err)
			return
		}
		c.Name = "chatpic " + ch.Title + " (" + host + ")"
		c.RequestURL = base + "/api/v1/channels/" + ch.Slug + "/posts"
		file += "-" + ch.Slug
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		w.fail(rw, r, chatpic.Internal(err))
		return
	}
	rw.Header().Set("Content-Type", "application/json; charset=utf-8")
	rw.Header().Set("Content-Disposition", `attachment; filename="`+file+`.sxcu"`)
	rw.Header().Set("Cache-Control", "no-cache")
	rw.Write(append(b, '\n'))
}

// fileSafe keeps the letters, digits, dots and hyphens of a host name for
// a file name; anything else (the colon before a port) becomes a hyphen.
func fileSafe(s string) string {
	return strings.Map(func(c rune) rune {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '.', c == '-':
			return c
		}
		return '-'
	}, s)
}

// deletePage asks the uploader to confirm a deletion from a delete link.
type deletePage struct {
	Title string
	Post  chatpic.Post
	// Token is the delete token, from the link.
	Token string
	// ThumbSrc is the thumbnail the page shows, "" when there is none to
	// show (an upload waiting for review).
	ThumbSrc, Alt string
}

// DeleteLink answers GET /d/{id}/{token}, the delete link of an upload's
// API answer (delete_url), which ShareX and chat apps open with a GET: a
// page that shows the upload and asks to confirm, deleting nothing, since
// link previews and prefetchers follow links too. A wrong token gets the
// refusal POST /p/{id}/delete gives.
func (w *Web) DeleteLink(rw http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	p, err := w.posts.Owned(r.Context(), r.PathValue("id"), token)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.lang(r)
	page := deletePage{Title: l.T("Delete this upload?"), Post: p, Token: token, Alt: deleteAlt(l, p, w.posts.Now())}
	if p.Status == "" || p.Status == chatpic.StatusVisible {
		page.ThumbSrc = coverThumb(p)
		// The token proves its holder sent the upload: showing it to them
		// spends none of its views, as on the page answering the upload.
		if p.Gated() {
			page.ThumbSrc += "?v=" + w.posts.Ticket(p)
		}
	}
	w.render(rw, r, http.StatusOK, "delete", page)
}

// deleteAlt describes the upload of a delete page for people who cannot
// see its thumbnail, in l: its caption, or what it is, where, and when it
// was posted.
func deleteAlt(l i18n.Lang, p chatpic.Post, now time.Time) string {
	if p.Caption != "" {
		return p.Caption
	}
	ago := l.Ago(p.CreatedAt, now)
	n := albumCount(p)
	video := cover(p).Kind == chatpic.Video
	if p.IsLinkOnly() {
		switch {
		case n > 0:
			return l.N("Album of %d files shared by link, posted %s", p.Shown(), ago)
		case video:
			return l.T("Video shared by link, posted %s", ago)
		}
		return l.T("Picture shared by link, posted %s", ago)
	}
	switch {
	case n > 0:
		return l.N("Album of %d files in %s, posted %s", p.Shown(), p.Channel, ago)
	case video:
		return l.T("Video in %s, posted %s", p.Channel, ago)
	}
	return l.T("Picture in %s, posted %s", p.Channel, ago)
}

// DeleteByLink handles POST /d/{id}/{token}, the confirmation form of
// DeleteLink, as POST /p/{id}/delete does.
func (w *Web) DeleteByLink(rw http.ResponseWriter, r *http.Request) {
	w.deletePost(rw, r, r.PathValue("id"), r.PathValue("token"))
}
