package api

import (
	"net/http"
)

// Viewed is the answer to a spent view of an upload with a view limit: the
// post as GET /api/v1/posts/{id} shows it, except that views_left is what
// is left after this view (0 when it was the last) and media_url and
// thumb_url carry the view's ticket (?v=TICKET), good for two minutes at
// least. Without a ticket those links show nothing of the picture: they
// redirect to the upload's page.
type Viewed struct {
	Post
	// Ticket is the view's ticket, as the links carry it; "" for an
	// upload without a view limit, whose links need none.
	Ticket string `json:"ticket,omitempty"`
}

// View answers POST /api/v1/posts/{id}/views: a script spends one view of
// an upload with a view limit, as a person does with the page's "View it
// now" button, and gets links that show the picture for a short while
// (see Viewed): 200. Reading the post (GET /api/v1/posts/{id}) or its
// links never spends a view. An upload without a view limit answers as GET
// does, spending nothing; one whose views are used up answers 410.
func (a *API) View(w http.ResponseWriter, r *http.Request) {
	v, err := a.posts.View(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := Viewed{Post: a.post(r, v.Post), Ticket: v.Ticket}
	if v.Ticket != "" {
		left := v.Left
		out.ViewsLeft = &left
		out.MediaURL += "?v=" + v.Ticket
		out.ThumbURL += "?v=" + v.Ticket
	}
	a.write(w, r, http.StatusOK, out)
}
