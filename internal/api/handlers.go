package api

import (
	"net/http"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// Channels answers GET /api/v1/channels.
func (a *API) Channels(w http.ResponseWriter, r *http.Request) {
	a.listing(w, r, func() (any, []string, error) {
		chans, err := a.posts.Channels(r.Context())
		if err != nil {
			return nil, nil, err
		}
		out := struct {
			Channels []Channel `json:"channels"`
		}{Channels: []Channel{}}
		for _, c := range chans {
			out.Channels = append(out.Channels, a.channel(r, c))
		}
		return out, []string{allChannels}, nil
	})
}

// Channel answers GET /api/v1/channels/{slug}.
func (a *API) Channel(w http.ResponseWriter, r *http.Request) {
	c, err := a.posts.Channel(r.Context(), r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, a.channel(r, c))
}

// Posts answers GET /api/v1/channels/{slug}/posts?sort=new|top&before=CURSOR&limit=N.
func (a *API) Posts(w http.ResponseWriter, r *http.Request) {
	a.listing(w, r, func() (any, []string, error) {
		sort, after, limit, err := request.Page(r)
		if err != nil {
			return nil, nil, err
		}
		page, err := a.posts.Posts(r.Context(), r.PathValue("slug"), sort, after, limit)
		if err != nil {
			return nil, nil, err
		}
		out := struct {
			Posts []Post  `json:"posts"`
			Next  *string `json:"next"`
		}{Posts: []Post{}}
		// A post's comments change its comment count without a channel
		// event.
		tags := []string{posting.ChannelTopic(r.PathValue("slug"))}
		for _, p := range page.Posts {
			out.Posts = append(out.Posts, a.post(r, p))
			tags = append(tags, posting.PostTopic(p.ID))
		}
		if page.Next != "" {
			out.Next = &page.Next
		}
		return out, tags, nil
	})
}

// Upload answers POST /api/v1/channels/{slug}/posts with a multipart body
// ("file", optional "caption"): 201 and the post with its delete token.
func (a *API) Upload(w http.ResponseWriter, r *http.Request) {
	pass, err := a.admit(w, r, r.PathValue("slug"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer pass.Release()
	up, err := request.ParseUpload(w, r, a.posts, nil)
	if err != nil {
		w.Header().Set("Connection", "close") // the rest of the body is not wanted
		a.fail(w, r, err)
		return
	}
	defer up.Close()
	d := up.Draft(a.origin.ClientAddr(r))
	d.Pass = pass
	created, err := a.posts.Upload(r.Context(), r.PathValue("slug"), d)
	a.created(w, r, created, err)
}

// admit decides an upload from its request line and headers, before a
// byte of its body is read (see request.CheckUpload, posting.Service.Admit);
// a refusal closes the connection rather than drain the body.
func (a *API) admit(w http.ResponseWriter, r *http.Request, slug string) (*posting.Pass, error) {
	pass, err := request.AdmitUpload(w, r, a.posts, a.origin, slug)
	if err != nil {
		w.Header().Set("Connection", "close")
	}
	return pass, err
}

// created answers an upload: 201 with the post, its delete token and its
// delete link, 202 with "status":"pending" when it waits for a moderator's
// approval, or the error.
func (a *API) created(w http.ResponseWriter, r *http.Request, c posting.Created, err error) {
	if err != nil {
		a.fail(w, r, err)
		return
	}
	out := a.post(r, c.Post)
	out.DeleteToken = c.DeleteToken
	out.DeleteURL = a.origin.Base(r) + "/d/" + c.Post.ID + "/" + c.DeleteToken
	w.Header().Set("Location", out.URL)
	if c.Pending() {
		a.write(w, r, http.StatusAccepted, out)
		return
	}
	a.write(w, r, http.StatusCreated, out)
}

// Post answers GET /api/v1/posts/{id}: the post, or 410 with the reason it
// is gone; for an upload locked with a password, 403 (kind forbidden):
// POST /api/v1/posts/{id}/views with the password shows it.
func (a *API) Post(w http.ResponseWriter, r *http.Request) {
	p, err := a.posts.Readable(r.Context(), r.PathValue("id"))
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.write(w, r, http.StatusOK, a.post(r, p))
}

// Delete answers DELETE /api/v1/posts/{id} with the X-Delete-Token header:
// 204, or 403 for a wrong token.
func (a *API) Delete(w http.ResponseWriter, r *http.Request) {
	token := r.Header.Get("X-Delete-Token")
	if token == "" {
		a.fail(w, r, chatpic.Errorf(chatpic.KindForbidden, "send the delete token in the X-Delete-Token header"))
		return
	}
	if err := a.posts.Delete(r.Context(), r.PathValue("id"), token); err != nil {
		a.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// UploadLinkOnly answers POST /api/v1/uploads with a multipart body
// ("file", optional "caption", "expires_in" (default 24h) and
// "max_views"): 201 and the post, which is in no channel and found only by
// its link.
func (a *API) UploadLinkOnly(w http.ResponseWriter, r *http.Request) {
	pass, err := a.admit(w, r, chatpic.LinkOnly)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	defer pass.Release()
	up, err := request.ParseUpload(w, r, a.posts, nil)
	if err != nil {
		w.Header().Set("Connection", "close") // the rest of the body is not wanted
		a.fail(w, r, err)
		return
	}
	defer up.Close()
	d := up.Draft(a.origin.ClientAddr(r))
	d.Pass = pass
	created, err := a.posts.UploadLinkOnly(r.Context(), d, up.MaxViews)
	a.created(w, r, created, err)
}
