package web

import (
	"cmp"
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// uploadsPage answers an upload form whose files were posted one by one
// ("Separate posts"): a link and a delete link for each new post, and why
// any file was refused.
type uploadsPage struct {
	Title   string
	Posts   []createdLink
	Refused []chatpic.FileRefusal
	// NotPosted says which files were not tried after a refusal that
	// stopped the rest (a rate limit, a busy server); "" if none.
	NotPosted string
	Back      string
}

// createdLink is one post made by an upload of several separate posts.
type createdLink struct {
	File      int // which file of the form, from 1
	ID        string
	ShareURL  string
	DeleteURL string
	Token     string
	Pending   bool
}

// postFunc posts one draft: into a channel, or by link only.
type postFunc func(d posting.Draft) (posting.Created, error)

// uploadSeparately posts each file of up as its own upload, in order. The
// first goes under pass, the admission made before the body was read;
// pass is then released, and each other file is admitted by the posting
// service as an upload of its own (rate limit, ban, uploads in flight), as
// if it had come in a request of its own. The caption and choices of the
// form apply to each. A file refused for what it is (too large, not a
// picture or video, unreadable) does not stop the others; any other
// refusal (a rate limit, a busy server) stops there, and the files after
// it are not posted. A proof of work is spent by the first post that
// needs it, so in a channel that asks for one the files after it are
// refused as such (a form with JavaScript sends each file with a proof of
// its own). It answers with the list of new posts and refusals,
// or, when nothing was posted, with the first refusal as uploadFailed
// does.
func (w *Web) uploadSeparately(rw http.ResponseWriter, r *http.Request, pass *posting.Pass, up *request.Upload, back string, post postFunc) {
	base, l := w.origin.Base(r), w.lang(r)
	page := uploadsPage{Title: l.T("Uploaded"), Back: back}
	var first error
	for i, f := range up.Files {
		d := up.Draft(w.origin.ClientAddr(r))
		d.Files = []*posting.Spooled{f}
		if i == 0 {
			d.Pass = pass
		} else {
			pass.Release() // each further file holds a place of its own
		}
		c, err := post(d)
		if err != nil {
			first = cmp.Or(first, err)
			if request.Status(err) >= 500 && !request.ClientGone(r) {
				w.log.Error("page request failed", "method", r.Method, "path", request.LogPath(r), "err", err)
				w.countFailure(err)
			}
			page.Refused = append(page.Refused, chatpic.RefuseFile(i+1, err))
			if !fileFault(err) {
				if rest := len(up.Files) - i - 1; rest == 1 {
					page.NotPosted = l.T("File %d was not posted.", len(up.Files))
				} else if rest > 1 {
					page.NotPosted = l.T("Files %d to %d were not posted.", i+2, len(up.Files))
				}
				break
			}
			continue
		}
		page.Posts = append(page.Posts, createdLink{
			File: i + 1, ID: c.Post.ID, ShareURL: base + "/p/" + c.Post.ID,
			DeleteURL: base + "/d/" + c.Post.ID + "/" + c.DeleteToken, Token: c.DeleteToken, Pending: c.Pending(),
		})
	}
	if len(page.Posts) == 0 {
		w.uploadFailed(rw, r, first, back)
		return
	}
	if first != nil {
		page.Title = l.T("Uploaded in part")
	}
	w.render(rw, r, http.StatusCreated, "uploads", page)
}

// fileFault reports whether err refused a file for what it is, so that
// the other files of a form may still be posted.
func fileFault(err error) bool {
	switch chatpic.ErrorKind(err) {
	case chatpic.KindTooLarge, chatpic.KindUnsupported, chatpic.KindUnprocessable:
		return true
	}
	return false
}
