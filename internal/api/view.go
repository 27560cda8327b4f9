package api

import (
	"net/http"

	"github.com/chatpic/chatpic/internal/request"
)

// Viewed is the answer to a spent view of an upload with a view limit, or
// to the password of a locked one: the post as GET /api/v1/posts/{id}
// shows it, except that views_left is what is left after this view (0
// when it was the last) and media_url and thumb_url carry the view's
// ticket (?v=TICKET), good for two minutes at least. Without a ticket
// those links show nothing of the picture: they redirect to the upload's
// page.
type Viewed struct {
	Post
	// Ticket is the view's ticket, as the links carry it; "" for an
	// upload with neither a view limit nor a password, whose links need
	// none.
	Ticket string `json:"ticket,omitempty"`
}

// View answers POST /api/v1/posts/{id}/views: a script spends one view of
// an upload with a view limit, as a person does with the page's "View it
// now" button, and gets links that show the picture for a short while
// (see Viewed): 200. Reading the post (GET /api/v1/posts/{id}) or its
// links never spends a view. An upload locked with a password takes it in
// the body ({"password":"..."}, or a form field), checked before any view
// is spent: 403 without it or for a wrong one, 429 after too many tries
// (--rate-passwords). An upload with neither answers as GET does,
// spending nothing; one whose views are used up answers 410.
func (a *API) View(w http.ResponseWriter, r *http.Request) {
	var in request.Unlock
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	v, err := a.posts.View(r.Context(), r.PathValue("id"), in.Password, a.origin.ClientAddr(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := Viewed{Post: a.post(r, v.Post), Ticket: v.Ticket}
	if v.Ticket != "" {
		if v.Post.ViewsLeft != 0 {
			left := v.Left
			out.ViewsLeft = &left
		}
		out.MediaURL += "?v=" + v.Ticket
		out.ThumbURL += "?v=" + v.Ticket
	}
	a.write(w, r, http.StatusOK, out)
}
