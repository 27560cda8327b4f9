package web

import (
	"net/http"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// sharePage is the upload form for a file shared to the site from another
// app (the web app's share target), prefilled with it. When nothing is
// held at its address any more, Missing says why and the page is the
// ordinary upload form.
type sharePage struct {
	Title    string
	Channels []chatpic.ChannelStats
	// Share is the held file, when Held; FileURL is where the page shows
	// it from.
	Share   posting.Share
	Held    bool
	FileURL string
	Missing string
	// Upload is the upload form: the file field of an empty page, and the
	// limits a held file is checked against.
	Upload uploadForm
	// Pow is the puzzle the link-only upload form solves first, when
	// needed.
	Pow powChallenge
}

// ShareTarget answers the web app's share target, POST /share: a phone's
// share sheet posts the picture there. Admitted and bounded as any upload
// (see Upload), the first file is held for chatpic.ShareHold (see
// posting.Service.Hold) and the answer is 303 See Other to its prefilled
// upload form, GET /share/{id}.
func (w *Web) ShareTarget(rw http.ResponseWriter, r *http.Request) {
	pass, err := request.AdmitUpload(rw, r, w.posts, w.origin, "")
	if err != nil {
		rw.Header().Set("Connection", "close") // rather than drain the body
		w.uploadFailed(rw, r, err, "/")
		return
	}
	defer pass.Release()
	sp, err := request.ParseShare(rw, r, w.posts)
	// What follows the first file (more files) is not wanted.
	rw.Header().Set("Connection", "close")
	if err != nil {
		w.uploadFailed(rw, r, err, "/")
		return
	}
	defer sp.Close()
	sh, err := w.posts.Hold(r.Context(), sp)
	if err != nil {
		w.uploadFailed(rw, r, err, "/")
		return
	}
	http.Redirect(rw, r, "/share/"+sh.ID, http.StatusSeeOther)
}

// SharePage renders GET /share/{id}: the upload form with the held file,
// which is posted through the ordinary upload forms (their "share" field,
// see request.ParseUpload). A share that is gone answers 410 when its time
// ran out and 404 otherwise, with the empty form.
func (w *Web) SharePage(rw http.ResponseWriter, r *http.Request) {
	id := r.PathValue("id")
	chans, err := w.posts.Channels(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.posts.Limits()
	page := sharePage{Title: "Post what you shared", Channels: chans,
		Upload: newUploadForm("share-file", l),
		Pow:    w.challenge(r.Context(), chatpic.LinkOnly)}
	sh, obj, err := w.posts.OpenShare(r.Context(), id)
	if err != nil {
		if chatpic.ErrorKind(err) != chatpic.KindNotFound {
			w.fail(rw, r, err)
			return
		}
		code := http.StatusNotFound
		if expires, ok := chatpic.ParseShareID(id); ok && !w.posts.Now().Before(expires) {
			code = http.StatusGone
		}
		page.Title, page.Missing = "Nothing to post", sentence(chatpic.ErrorMessage(err))
		w.render(rw, r, code, "share", page)
		return
	}
	obj.Close()
	page.Share, page.Held, page.FileURL = sh, true, "/share/"+sh.ID+"/file"
	w.render(rw, r, http.StatusOK, "share", page)
}

// SharedFile serves GET /share/{id}/file, the held file as it was shared,
// for the preview of its upload form: never cached, under the sandbox
// policy of media files, with the type its bytes say.
func (w *Web) SharedFile(rw http.ResponseWriter, r *http.Request) {
	sh, obj, err := w.posts.OpenShare(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer obj.Close()
	h := rw.Header()
	h["X-Content-Type-Options"] = nosniffValue
	h["Content-Security-Policy"] = mediaCSPValue
	h.Set("Content-Type", sh.Format.MIME)
	h.Set("Content-Disposition", "inline")
	h.Set("Cache-Control", "no-store")
	http.ServeContent(rw, r, "", time.Time{}, obj)
}
