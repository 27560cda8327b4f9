package web

import (
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
)

// pendingPage answers an upload into a pre-moderated channel: it is not
// shown to anyone until a moderator approves it.
type pendingPage struct {
	Title       string
	Post        chatpic.Post
	Channel     chatpic.ChannelStats
	ShareURL    string
	DeleteToken string
}

// created answers an upload form with the new post's page, which shows the
// delete token this once; or, when the upload waits for a moderator's
// approval, with a page that says so (202), since the post's own page
// answers 404 until then.
func (w *Web) created(rw http.ResponseWriter, r *http.Request, c posting.Created) {
	rw.Header().Set("Location", "/p/"+c.Post.ID)
	if !c.Pending() {
		w.renderPost(rw, r, http.StatusCreated, c.Post, c.DeleteToken)
		return
	}
	w.render(rw, r, http.StatusAccepted, "pending", pendingPage{
		Title: w.lang(r).T("Waiting for review"), Post: c.Post, Channel: c.Channel,
		ShareURL: w.origin.Base(r) + "/p/" + c.Post.ID, DeleteToken: c.DeleteToken,
	})
}
