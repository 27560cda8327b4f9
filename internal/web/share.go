package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
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
	// Share is what is held; it holds no files when Missing says why.
	Share   posting.Share
	Missing string
	// Upload is the upload form: the file field of an empty page, and the
	// limits a held file is checked against.
	Upload uploadForm
	// Pow is the puzzle the link-only upload form solves first, when
	// needed.
	Pow powChallenge
}

// sharedView is one held file of a share, as its page shows it.
type sharedView struct {
	posting.SharedFile
	N   int    // counting from 1
	URL string // where the page shows it from
}

// Held reports whether the page shows held files.
func (p sharePage) Held() bool { return len(p.Share.Files) > 0 }

// Files are the held files as the page shows them, each with the address
// it is shown from.
func (p sharePage) Files() []sharedView {
	out := make([]sharedView, len(p.Share.Files))
	for i, f := range p.Share.Files {
		out[i] = sharedView{SharedFile: f, N: i + 1, URL: "/share/" + p.Share.ID + "/file"}
		if i > 0 {
			out[i].URL += "/" + strconv.Itoa(i+1)
		}
	}
	return out
}

// FileURL is where the page shows the first held file from.
func (p sharePage) FileURL() string { return "/share/" + p.Share.ID + "/file" }

// Format is the first held file's format, for the page's one-file
// sentences.
func (p sharePage) Format() media.FormatInfo { return p.Share.Files[0].Format }

// Size is the size of every held file together.
func (p sharePage) Size() int64 {
	var n int64
	for _, f := range p.Share.Files {
		n += f.Size
	}
	return n
}

// Largest is the size of the largest held file, which the page's script
// checks against the limit for one file.
func (p sharePage) Largest() int64 {
	var n int64
	for _, f := range p.Share.Files {
		n = max(n, f.Size)
	}
	return n
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
	files, err := request.ParseShare(rw, r, w.posts)
	rw.Header().Set("Connection", "close") // what is left of a refused body is not wanted
	if err != nil {
		w.uploadFailed(rw, r, err, "/")
		return
	}
	defer func() {
		for _, f := range files {
			f.Close()
		}
	}()
	sh, err := w.posts.Hold(r.Context(), files)
	if err != nil {
		w.uploadFailed(rw, r, err, "/")
		return
	}
	w.seeOther(rw, r, "/share/"+sh.ID)
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
	l := w.lang(r)
	page := sharePage{Title: l.T("Post what you shared"), Channels: chans,
		Upload: newUploadForm("share-file", w.posts.Limits()),
		Pow:    w.challenge(r.Context(), chatpic.LinkOnly)}
	sh, err := w.posts.Shared(r.Context(), id)
	if err != nil {
		if chatpic.ErrorKind(err) != chatpic.KindNotFound {
			w.fail(rw, r, err)
			return
		}
		code := http.StatusNotFound
		if expires, _, ok := chatpic.ParseShareID(id); ok && !w.posts.Now().Before(expires) {
			code = http.StatusGone
		}
		page.Title, page.Missing = l.T("Nothing to post"), sentence(l.Error(err))
		w.render(rw, r, code, "share", page)
		return
	}
	page.Share = sh
	if len(sh.Files) > 1 {
		page.Title = l.N("Post what you shared (%d files)", len(sh.Files))
	}
	w.render(rw, r, http.StatusOK, "share", page)
}

// SharedFile serves GET /share/{id}/file and /share/{id}/file/{n}, the
// first or nth held file as it was shared, for the preview of its upload
// form: never cached, under the sandbox policy of media files, with the
// type its bytes say.
func (w *Web) SharedFile(rw http.ResponseWriter, r *http.Request) {
	n := 1
	if v := r.PathValue("n"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || strconv.Itoa(n) != v || n < 2 {
			http.NotFound(rw, r)
			return
		}
	}
	sh, obj, err := w.posts.OpenShare(r.Context(), r.PathValue("id"), n)
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
