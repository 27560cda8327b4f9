package web

import (
	"errors"
	"net/http"

	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// Views of an upload with a view limit are spent only by a person's
// deliberate action. Chat apps, mail scanners and security proxies fetch
// every link they see, so reading anything (GET or HEAD of the page, of the
// direct media link, of the thumbnail) spends nothing and shows nothing of
// the picture: the page shows a notice with a button, a plain form that
// posts to ViewPost, which spends one view and answers with the page
// showing the picture, its media links carrying that view's short-lived
// ticket. A media link without a ticket sends the person to the page
// (viewFirst).

// ViewPost handles the "View it now" button of the page of an upload with
// a view limit, and the password form of one locked with a password, POST
// /p/{id}/view (under the same cross-origin protection as every form): it
// checks the password, if any, spends one view, if counted, and answers
// with the page showing the picture. A missing or wrong password answers
// 403 with the form again. An upload with neither is shown by its page,
// where it is sent back to; one whose views are used up answers 410.
func (w *Web) ViewPost(rw http.ResponseWriter, r *http.Request) {
	var in request.Unlock
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	v, err := w.posts.View(r.Context(), r.PathValue("id"), in.Password, w.origin.ClientAddr(r))
	if errors.Is(err, posting.ErrLocked) {
		// The same form again, saying what went wrong.
		w.showPost(rw, r, http.StatusForbidden, v.Post, postView{notice: true, problem: w.lang(r).Error(err)})
		return
	}
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if v.Ticket == "" {
		w.seeOther(rw, r, "/p/"+v.Post.ID)
		return
	}
	w.showPost(rw, r, http.StatusOK, v.Post, postView{ticket: v.Ticket, viewed: v.Post.ViewsLeft != 0, left: v.Left})
}

// viewFirst answers a request for the file of an upload with a view limit
// that carries no valid ticket, if err says so: it sends the person to the
// upload's page, where they may choose to spend a view, and reports true.
// Nothing is spent, and the answer is never cached.
func (w *Web) viewFirst(rw http.ResponseWriter, r *http.Request, id string, err error) bool {
	if !errors.Is(err, posting.ErrViewFirst) {
		return false
	}
	rw.Header().Set("Cache-Control", "no-store")
	w.seeOther(rw, r, "/p/"+id)
	return true
}
