package api

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatpic/chatpic"
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

// maxSmallBody bounds the body of a comment or vote request.
const maxSmallBody = 16 << 10

// fields reads a small request body as JSON (an object of strings and
// numbers) or as a form, into a map of strings. It returns KindInvalid for
// anything else, and for a body over maxSmallBody.
func fields(w http.ResponseWriter, r *http.Request) (map[string]string, error) {
	r.Body = http.MaxBytesReader(w, r.Body, maxSmallBody)
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	out := map[string]string{}
	if mt == "application/json" {
		var raw map[string]json.RawMessage
		body, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "the request body is too large")
		}
		if err := json.Unmarshal(body, &raw); err != nil {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "the request body is not a JSON object")
		}
		for k, v := range raw {
			var s string
			if json.Unmarshal(v, &s) == nil {
				out[k] = s
				continue
			}
			var n json.Number
			if json.Unmarshal(v, &n) == nil {
				out[k] = n.String()
				continue
			}
			var b bool
			if json.Unmarshal(v, &b) == nil {
				out[k] = strconv.FormatBool(b)
				continue
			}
			return nil, chatpic.Errorf(chatpic.KindInvalid, "field %q must be a string, a number or true/false", k)
		}
		return out, nil
	}
	if err := r.ParseForm(); err != nil {
		return nil, chatpic.Errorf(chatpic.KindInvalid, "the request body is not a form or JSON")
	}
	for k := range r.PostForm {
		out[k] = r.PostForm.Get(k)
	}
	return out, nil
}

// AddComment answers POST /api/v1/posts/{id}/comments with JSON {"body"}
// or a form: 201 and the comment. The uploader proves who they are with the
// X-Delete-Token header (or a "token" field).
func (a *API) AddComment(w http.ResponseWriter, r *http.Request) {
	f, err := fields(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	token := r.Header.Get("X-Delete-Token")
	if token == "" {
		token = f["token"]
	}
	proof := r.Header.Get("X-Chatpic-Pow")
	if proof == "" {
		proof = f["pow"]
	}
	c, err := a.posts.Comment(r.Context(), r.PathValue("id"), f["body"], token, proof, a.origin.ClientAddr(r))
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

// Vote answers POST /api/v1/posts/{id}/votes with {"value":1|-1|0}:
// {"score":N}.
func (a *API) Vote(w http.ResponseWriter, r *http.Request) {
	f, err := fields(w, r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	value, err := strconv.Atoi(strings.TrimSpace(f["value"]))
	if err != nil {
		a.fail(w, r, chatpic.Errorf(chatpic.KindInvalid, "value must be 1 (up), -1 (down) or 0 (withdraw)"))
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
