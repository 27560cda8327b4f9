package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

type homePage struct {
	Title    string
	Channels []chatpic.ChannelStats
	Limits   string
	// Pow is the puzzle the link-only upload form solves first, when
	// needed.
	Pow powChallenge
}

type channelPage struct {
	Title   string
	Channel chatpic.ChannelStats
	Posts   []chatpic.Post
	Next    string
	Sort    string
	Limits  string
	Pow     powChallenge
}

type postPage struct {
	Title    string
	Post     chatpic.Post
	Channel  chatpic.ChannelStats
	NSFW     bool
	ShareURL string
	MediaURL string
	ThumbURL string
	// MediaSrc and ThumbSrc are what the page itself loads.
	MediaSrc, ThumbSrc string
	// DeleteToken is set only on the page answering the upload itself.
	DeleteToken string
	Comments    []chatpic.Comment
	// Pow is the puzzle the comment form solves first, when needed.
	Pow powChallenge
}

// Home renders GET /: the channels and an upload form.
func (w *Web) Home(rw http.ResponseWriter, r *http.Request) {
	chans, err := w.posts.Channels(r.Context())
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "home", homePage{Channels: chans, Limits: limitsText(w.posts.Limits()),
		Pow: w.challenge(r.Context(), chatpic.LinkOnly)})
}

// Channel renders GET /c/{slug}: its uploads, newest first, a page at a time.
func (w *Web) Channel(rw http.ResponseWriter, r *http.Request) {
	sort, after, limit, err := request.Page(r)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	ch, err := w.posts.Channel(r.Context(), r.PathValue("slug"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	page, err := w.posts.Posts(r.Context(), ch.Slug, sort, after, limit)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "channel", channelPage{
		Title: ch.Title, Channel: ch, Posts: page.Posts, Next: page.Next, Sort: string(sort),
		Limits: limitsText(w.posts.Limits()), Pow: w.challenge(r.Context(), ch.Slug),
	})
}

// Post renders GET /p/{id}, or a 410 tombstone saying why it is gone.
func (w *Web) Post(rw http.ResponseWriter, r *http.Request) {
	// A page view of a self-destructing upload uses up one of its views.
	p, err := w.posts.View(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.renderPost(rw, r, http.StatusOK, p, "")
}

func (w *Web) renderPost(rw http.ResponseWriter, r *http.Request, code int, p chatpic.Post, token string) {
	ch := chatpic.ChannelStats{Channel: chatpic.Channel{Slug: chatpic.LinkOnly, Title: "a private link"}}
	if !p.IsLinkOnly() {
		var err error
		if ch, err = w.posts.Channel(r.Context(), p.Channel); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	comments, err := w.posts.Comments(r.Context(), p.ID)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	base := w.origin.Base(r)
	title := p.Caption
	if title == "" {
		title = "Upload in " + ch.Title
	}
	if len(title) > 60 {
		title = strings.ToValidUTF8(title[:60], "") + "…"
	}
	// The page's own media links carry a ticket, so that showing the
	// picture of a self-destructing upload costs no more views.
	src := "/m/" + p.ID + "." + p.Ext
	thumbSrc := "/t/" + p.ID + "." + p.ThumbExt
	if p.ViewsLeft != 0 || token != "" {
		v := "?v=" + w.posts.Ticket(p)
		src, thumbSrc = src+v, thumbSrc+v
	}
	w.render(rw, r, code, "post", postPage{
		Title: title, Post: p, Channel: ch,
		// No preview tags for NSFW channels, nor for uploads whose views
		// are counted: a chat app's preview bot would spend them.
		NSFW:        ch.NSFW || p.ViewsLeft != 0,
		MediaSrc:    src,
		ThumbSrc:    thumbSrc,
		ShareURL:    base + "/p/" + p.ID,
		MediaURL:    base + "/m/" + p.ID + "." + p.Ext,
		ThumbURL:    base + "/t/" + p.ID + "." + p.ThumbExt,
		DeleteToken: token,
		Comments:    comments,
		Pow:         w.challenge(r.Context(), p.Channel),
	})
}

// AddComment handles the comment form of a post page, POST
// /p/{id}/comments, and goes back to the post at the new comment.
func (w *Web) AddComment(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "the form could not be read"))
		return
	}
	c, err := w.posts.Comment(r.Context(), r.PathValue("id"), r.PostForm.Get("body"),
		strings.TrimSpace(r.PostForm.Get("token")), r.PostForm.Get("pow"), w.origin.ClientAddr(r))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if c.Status == chatpic.StatusPending {
		w.render(rw, r, http.StatusAccepted, "message", messagePage{
			Title: "Waiting for review", Heading: "Your comment is waiting for review",
			Text: "The moderators of this channel read comments before they are shown. Yours will appear once they approve it.",
			Back: "/p/" + c.PostID, BackText: "Back to the upload",
		})
		return
	}
	http.Redirect(rw, r, "/p/"+c.PostID+"#c-"+strconv.Itoa(c.Number), http.StatusSeeOther)
}

// Vote handles the vote buttons of a post page, POST /p/{id}/votes with
// the field "value" (1 or -1), and goes back to the post.
func (w *Web) Vote(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "the form could not be read"))
		return
	}
	value, err := strconv.Atoi(r.PostForm.Get("value"))
	if err != nil {
		w.fail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "a vote is up or down"))
		return
	}
	id := r.PathValue("id")
	if _, err := w.posts.Vote(r.Context(), id, value, w.origin.ClientAddr(r)); err != nil {
		w.fail(rw, r, err)
		return
	}
	http.Redirect(rw, r, "/p/"+id+"#votes", http.StatusSeeOther)
}

// UploadToChannel handles the upload form of a channel page, POST
// /c/{slug}. It answers with the new post's page, which shows the delete
// token this once, or, in a pre-moderated channel, a page saying that the
// upload waits for review.
func (w *Web) UploadToChannel(rw http.ResponseWriter, r *http.Request) {
	w.upload(rw, r, r.PathValue("slug"))
}

// Upload handles the home page's upload form, POST /upload, whose "channel"
// field names the channel.
func (w *Web) Upload(rw http.ResponseWriter, r *http.Request) {
	w.upload(rw, r, "")
}

func (w *Web) upload(rw http.ResponseWriter, r *http.Request, slug string) {
	if slug != "" {
		if _, err := w.posts.Channel(r.Context(), slug); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	up, err := request.ParseUpload(rw, r, w.posts)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer up.Close()
	if slug == "" {
		slug = up.Channel
	}
	created, err := w.posts.Upload(r.Context(), slug, up.Draft(w.origin.ClientAddr(r)))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.created(rw, r, created)
}

// UploadLinkOnly handles the home page's link-only upload form, POST
// /link ("file", "caption", "expires_in", "max_views").
func (w *Web) UploadLinkOnly(rw http.ResponseWriter, r *http.Request) {
	up, err := request.ParseUpload(rw, r, w.posts)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	defer up.Close()
	created, err := w.posts.UploadLinkOnly(r.Context(), up.Draft(w.origin.ClientAddr(r)), up.MaxViews)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.created(rw, r, created)
}

// Delete handles POST /p/{id}/delete with the form field "token".
func (w *Web) Delete(rw http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(rw, r.Body, 4<<10)
	if err := r.ParseForm(); err != nil {
		w.fail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "the form could not be read"))
		return
	}
	p, err := w.posts.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := w.posts.Delete(r.Context(), p.ID, strings.TrimSpace(r.PostForm.Get("token"))); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.render(rw, r, http.StatusOK, "message", messagePage{
		Title: "Deleted", Heading: "Deleted",
		Text: "Your upload, its thumbnail and its link are gone.",
		Back: "/c/" + p.Channel, BackText: "Back to the channel",
	})
}

// limitsText tells people what they may upload, before they try.
func limitsText(l posting.Limits) string {
	text := "Pictures (JPEG, PNG, GIF, WebP, HEIC, AVIF) up to " + chatpic.FormatSize(l.PictureBytes)
	if l.VideoBytes > 0 {
		text += "; videos (MP4, WebM, MOV) up to " + chatpic.FormatSize(l.VideoBytes) +
			" and " + chatpic.FormatDuration(l.VideoDuration)
	}
	return text
}
