package api

import (
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/request"
)

// Comment is a comment as the API shows it.
type Comment struct {
	ID         string `json:"id"`
	Number     int    `json:"number"`
	Body       string `json:"body"`
	PosterID   string `json:"poster_id"`
	IsUploader bool   `json:"is_uploader"`
	CreatedAt  string `json:"created_at"`
	// Status is "visible", "removed" (by moderators; the body is empty),
	// or "pending" in the answer to a comment that waits for review.
	Status string `json:"status"`
}

func comment(c chatpic.Comment) Comment {
	return Comment{ID: c.ID, Number: c.Number, Body: c.Body, PosterID: c.PosterID,
		IsUploader: c.IsUploader, CreatedAt: timestamp(c.CreatedAt), Status: string(statusOf(c.Status))}
}

// AddComment answers POST /api/v1/posts/{id}/comments with JSON {"body"}
// or a form (see request.Comment): 201 and the comment. The uploader proves
// who they are with the X-Delete-Token header (or a "token" field).
func (a *API) AddComment(w http.ResponseWriter, r *http.Request) {
	var in request.Comment
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	token := r.Header.Get("X-Delete-Token")
	if token == "" {
		token = in.Token
	}
	proof := r.Header.Get("X-Chatpic-Pow")
	if proof == "" {
		proof = in.Proof
	}
	c, err := a.posts.Comment(r.Context(), r.PathValue("id"), in.Body, token, proof, a.origin.ClientAddr(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	code := http.StatusCreated
	if !c.Visible() {
		code = http.StatusAccepted // waits for review
	}
	a.write(w, r, code, comment(c))
}

// Comments answers GET /api/v1/posts/{id}/comments: {"comments":[...]},
// oldest first.
func (a *API) Comments(w http.ResponseWriter, r *http.Request) {
	thread, err := a.posts.Comments(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := struct {
		Comments []Comment `json:"comments"`
	}{Comments: []Comment{}}
	for _, c := range thread {
		out.Comments = append(out.Comments, comment(c))
	}
	a.write(w, r, http.StatusOK, out)
}

// Vote answers POST /api/v1/posts/{id}/votes with {"value":1|-1|0} (or a
// form): {"score":N}.
func (a *API) Vote(w http.ResponseWriter, r *http.Request) {
	var in request.Vote
	if err := request.Decode(w, r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	value, err := in.Int()
	if err != nil {
		a.fail(w, r, err)
		return
	}
	score, err := a.posts.Vote(r.Context(), r.PathValue("id"), value, a.origin.ClientAddr(r))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, struct {
		Score int `json:"score"`
	}{score})
}
