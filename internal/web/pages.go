package web

import (
	"context"
	"net/http"
	"strconv"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

type homePage struct {
	Title    string
	Channels []chatpic.ChannelStats
	// Share is the form that posts into a chosen channel, Link the
	// link-only one.
	Share, Link uploadForm
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
	Upload  uploadForm
	Pow     powChallenge
	// Feed is the path of the channel's Atom feed; "" if it has none.
	Feed string
	// Problem, on the page answering a refused upload form, says what to
	// change before sending it again.
	Problem string
}

// sensitive reports whether the pages show p blurred until a viewer asks
// to see it: in a channel marked NSFW, or marked sensitive by its
// uploader.
func sensitive(p chatpic.Post, ch chatpic.Channel) bool { return ch.NSFW || p.Sensitive }

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
	// Alt describes the picture; Description is the preview text of a
	// shared link.
	Alt, Description string
	// ThumbMIME, ThumbWidth and ThumbHeight describe the preview image.
	ThumbMIME               string
	ThumbWidth, ThumbHeight int
	LinkOnly                bool
	// Files are the files of an album, in order, each with its links; nil
	// for a single file, which MediaSrc and ThumbSrc show.
	Files []albumFile
	// Blurred shows the picture blurred, with a control that shows it:
	// its channel is marked NSFW or its uploader marked it sensitive, and
	// the viewer has not asked to see it (?show=sensitive), nor just
	// spent a view on it or given its password (a page with a ticket,
	// which the link of Show could not bring back).
	Blurred bool
	// Reply starts the comment box with a reference to another comment
	// (?reply=N), so that replying works without JavaScript.
	Reply string
	// Notice is set on the page of an upload with a view limit before a
	// view is spent, or locked with a password before it is given: it
	// shows nothing of the picture, only how many views are left and the
	// button that spends one, or the password form (POST /p/{id}/view).
	Notice bool
	// Problem says what was wrong with the password given.
	Problem string
	// Viewed is set on the page a spent view answers with; Left is how
	// many views are left after it.
	Viewed bool
	Left   int
}

// Home renders GET /: the channels and an upload form.
func (w *Web) Home(rw http.ResponseWriter, r *http.Request) {
	w.page(rw, r, func() (string, any, []string, bool, error) {
		chans, err := w.posts.Channels(r.Context())
		if err != nil {
			return "", nil, nil, false, err
		}
		l := w.posts.Limits()
		page := homePage{Channels: chans,
			Share: newUploadForm("share-file", l), Link: newUploadForm("link-file", l),
			Pow: w.challenge(r.Context(), chatpic.LinkOnly)}
		return "home", page, []string{homeTag}, page.Pow.Token == "", nil
	})
}

// Channel renders GET /c/{slug}: its uploads, newest first, a page at a time.
func (w *Web) Channel(rw http.ResponseWriter, r *http.Request) {
	w.page(rw, r, func() (string, any, []string, bool, error) {
		sort, after, limit, err := request.Page(r)
		if err != nil {
			return "", nil, nil, false, err
		}
		ch, err := w.posts.Channel(r.Context(), r.PathValue("slug"))
		if err != nil {
			return "", nil, nil, false, err
		}
		data, err := w.channelData(r.Context(), ch, sort, after, limit)
		if err != nil {
			return "", nil, nil, false, err
		}
		page := data
		// A post's comments change its count on the page without a
		// channel event.
		tags := []string{posting.ChannelTopic(ch.Slug)}
		for _, p := range page.Posts {
			tags = append(tags, posting.PostTopic(p.ID))
		}
		return "channel", data, tags, data.Pow.Token == "", nil
	})
}

// channelData is what the page of ch shows: its uploads in sort order
// after the cursor, and its upload form.
func (w *Web) channelData(ctx context.Context, ch chatpic.ChannelStats, sort chatpic.Sort, after chatpic.Cursor, limit int) (channelPage, error) {
	page, err := w.posts.Posts(ctx, ch.Slug, sort, after, limit)
	if err != nil {
		return channelPage{}, err
	}
	return channelPage{
		Title: ch.Title, Channel: ch, Posts: page.Posts, Next: page.Next, Sort: string(sort),
		Upload: newUploadForm("upload-file", w.posts.Limits()), Pow: w.challenge(ctx, ch.Slug),
		Feed: w.feedURL(ch.Channel),
	}, nil
}

// tooManyFiles answers an upload form that asks for one post of more files
// than the channel slug takes with the channel's page, its form and the
// problem above it, and reports true; it reports false, having answered
// nothing, when the files fit (or the channel is not one to show).
func (w *Web) tooManyFiles(rw http.ResponseWriter, r *http.Request, slug string, files int) bool {
	if files < 2 || slug == chatpic.LinkOnly {
		return false
	}
	ch, err := w.posts.Channel(r.Context(), slug)
	if err != nil || files <= ch.FileLimit() {
		return false // the upload says what is wrong, if anything
	}
	data, err := w.channelData(r.Context(), ch, chatpic.SortNew, chatpic.Cursor{}, request.DefaultPageSize)
	if err != nil {
		return false
	}
	// Both counts are 2 or more here: no language needs a plural entry.
	l := w.lang(r)
	data.Problem = l.T("%s takes at most %d files in one post, and you chose %d. Choose fewer, or post them as separate posts.", ch.Title, ch.FileLimit(), files)
	if ch.FileLimit() == 1 {
		data.Problem = l.T("%s takes one file per post, and you chose %d. Choose one, or post them as separate posts.", ch.Title, files)
	}
	w.render(rw, r, http.StatusBadRequest, "channel", data)
	return true
}

// Post renders GET /p/{id}, or a 410 tombstone saying why it is gone.
// Reading the page spends nothing: the page of an upload with a view limit
// shows a notice with a button that spends a view (ViewPost), so that chat
// apps' link previews, mail scanners and crawlers cannot use the views up.
func (w *Web) Post(rw http.ResponseWriter, r *http.Request) {
	p, err := w.posts.Post(r.Context(), r.PathValue("id"))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	w.showPost(rw, r, http.StatusOK, p, postView{notice: p.Gated()})
}

// replyText returns the start of a reply to comment ?reply=N, or "" when
// the query asks for none or for nonsense.
func replyText(r *http.Request) string {
	n, err := strconv.Atoi(r.URL.Query().Get("reply"))
	if err != nil || n < 1 || n > 999999 {
		return ""
	}
	return ">>" + strconv.Itoa(n) + "\n"
}

// renderPost renders the page of p; token, when set, is its delete token,
// shown once on the page that answers the upload, whose picture then
// costs none of its views.
func (w *Web) renderPost(rw http.ResponseWriter, r *http.Request, code int, p chatpic.Post, token string) {
	v := postView{token: token}
	if token != "" {
		v.ticket = w.posts.Ticket(p)
	}
	w.showPost(rw, r, code, p, v)
}

// postView says how a post page shows its upload.
type postView struct {
	token  string // the delete token, on the page answering the upload
	ticket string // carried by the media links of an upload with a view limit
	notice bool   // a view-limited or locked upload before a view: nothing of it shows
	// problem, on the form of a locked upload, says what was wrong with
	// the password given.
	problem string
	viewed  bool // the page of a spent view
	left    int  // the views left after it
}

func (w *Web) showPost(rw http.ResponseWriter, r *http.Request, code int, p chatpic.Post, v postView) {
	token := v.token
	l := w.lang(r)
	ch := chatpic.ChannelStats{Channel: chatpic.Channel{Slug: chatpic.LinkOnly, Title: l.T("a private link")}}
	if !p.IsLinkOnly() {
		var err error
		if ch, err = w.posts.Channel(r.Context(), p.Channel); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	var comments []chatpic.Comment
	// Comments may describe the picture; a locked upload has none.
	if !v.notice && !p.Locked() {
		var err error
		if comments, err = w.posts.Comments(r.Context(), p.ID); err != nil {
			w.fail(rw, r, err)
			return
		}
	}
	base := w.origin.Base(r)
	title := p.Caption
	if title == "" {
		title = l.T("Upload in %s", ch.Title)
	}
	if len(title) > 60 {
		title = strings.ToValidUTF8(title[:60], "") + "…"
	}
	if v.notice && p.Locked() {
		title = l.T("A locked upload") // its caption is for those with the password
	}
	// The page's own media links carry the ticket of the view it shows:
	// without one, an upload with a view limit shows nothing.
	src := "/m/" + p.ID + "." + p.Ext
	thumbSrc := "/t/" + p.ID + "." + p.ThumbExt
	if v.ticket != "" {
		q := "?v=" + v.ticket
		src, thumbSrc = src+q, thumbSrc+q
	}
	// Previews show the album's cover; a single file is its own cover.
	tw, th := thumbDims(p)
	cov := cover(p)
	desc := l.T("Shared by link on chatpic.")
	if !p.IsLinkOnly() {
		desc = l.T("Posted in %s on chatpic, which %s.", ch.Title, ruleText(l, ch.Channel))
	}
	if n := albumCount(p); n > 0 {
		desc = capital(albumText(l, p)) + ". " + desc
	}
	w.render(rw, r, code, "post", postPage{
		Title: title, Post: p, Channel: ch, LinkOnly: p.IsLinkOnly(),
		Alt: postAlt(l, p, ch.Title, w.posts.Now()), Description: desc,
		ThumbMIME: cov.ThumbMIME, ThumbWidth: tw, ThumbHeight: th,
		Files: albumFiles(l, p, base, v.ticket, ch.Title, w.posts.Now()),
		Reply: replyText(r),
		// No preview tags for what is shown blurred, nor for uploads whose
		// files need a ticket: a chat app's preview bot would spend a view.
		NSFW:        sensitive(p, ch.Channel) || p.Gated(),
		Blurred:     sensitive(p, ch.Channel) && v.ticket == "" && r.URL.Query().Get("show") != "sensitive",
		MediaSrc:    src,
		ThumbSrc:    thumbSrc,
		ShareURL:    base + "/p/" + p.ID,
		MediaURL:    base + "/m/" + p.ID + "." + p.Ext,
		ThumbURL:    base + coverThumb(p),
		DeleteToken: token,
		Comments:    comments,
		Pow:         w.challenge(r.Context(), p.Channel),
		Notice:      v.notice,
		Problem:     v.problem,
		Viewed:      v.viewed,
		Left:        v.left,
	})
}

// AddComment handles the comment form of a post page, POST
// /p/{id}/comments, and goes back to the post at the new comment.
func (w *Web) AddComment(rw http.ResponseWriter, r *http.Request) {
	var in request.Comment
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	c, err := w.posts.Comment(r.Context(), r.PathValue("id"), in.Body,
		strings.TrimSpace(in.Token), in.Proof, w.origin.ClientAddr(r))
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if c.Status == chatpic.StatusPending {
		l := w.lang(r)
		w.render(rw, r, http.StatusAccepted, "message", messagePage{
			Title: l.T("Waiting for review"), Heading: l.T("Your comment is waiting for review"),
			Text: l.T("The moderators of this channel read comments before they are shown. Yours will appear once they approve it."),
			Back: "/p/" + c.PostID, BackText: l.T("Back to the upload"),
		})
		return
	}
	w.seeOther(rw, r, "/p/"+c.PostID+"#c-"+strconv.Itoa(c.Number))
}

// Vote handles the vote buttons of a post page, POST /p/{id}/votes with
// the field "value" (1 or -1), and goes back to the post.
func (w *Web) Vote(rw http.ResponseWriter, r *http.Request) {
	var in request.Vote
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	value, err := in.Int()
	if err != nil {
		w.fail(rw, r, chatpic.Errorf(chatpic.KindInvalid, "a vote is up or down"))
		return
	}
	id := r.PathValue("id")
	if _, err := w.posts.Vote(r.Context(), id, value, w.origin.ClientAddr(r)); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.seeOther(rw, r, "/p/"+id+"#votes")
}

// UploadToChannel handles the upload form of a channel page, POST
// /c/{slug}. It answers with the new post's page, which shows the delete
// token this once, or, in a pre-moderated channel, a page saying that the
// upload waits for review. Several files make one post, an album, unless
// the form's "album" field is "separate": then each is posted as its own
// upload (see uploadSeparately).
func (w *Web) UploadToChannel(rw http.ResponseWriter, r *http.Request) {
	w.upload(rw, r, r.PathValue("slug"))
}

// Upload handles the home page's upload form, POST /upload, whose "channel"
// field names the channel.
func (w *Web) Upload(rw http.ResponseWriter, r *http.Request) {
	w.upload(rw, r, "")
}

func (w *Web) upload(rw http.ResponseWriter, r *http.Request, slug string) {
	back := "/"
	if slug != "" {
		back = "/c/" + slug
	}
	pass, err := request.AdmitUpload(rw, r, w.posts, w.origin, slug)
	if err != nil {
		rw.Header().Set("Connection", "close") // rather than drain the body
		if chatpic.ErrorKind(err) == chatpic.KindNotFound {
			w.fail(rw, r, err)
			return
		}
		w.uploadFailed(rw, r, err, back)
		return
	}
	defer pass.Release()
	// The home page's form names the channel in a field before the file:
	// it is checked before the file is read.
	up, err := request.ParseUpload(rw, r, w.posts, func(slug string) error { return pass.Channel(r.Context(), slug) })
	if err != nil {
		rw.Header().Set("Connection", "close") // the rest of the body is not wanted
		w.uploadFailed(rw, r, err, back)
		return
	}
	defer up.Close()
	if slug == "" {
		slug = up.Channel
	}
	if up.Separate && len(up.Files) > 1 {
		w.uploadSeparately(rw, r, pass, up, back, func(d posting.Draft) (posting.Created, error) {
			return w.posts.Upload(r.Context(), slug, d)
		})
		return
	}
	if w.tooManyFiles(rw, r, slug, len(up.Files)) {
		return
	}
	d := up.Draft(w.origin.ClientAddr(r))
	d.Pass = pass
	created, err := w.posts.Upload(r.Context(), slug, d)
	if err != nil {
		w.uploadFailed(rw, r, err, back)
		return
	}
	w.created(rw, r, created)
}

// uploadFailed explains a refused upload, reminding people of the limits
// when the file was the trouble, with a link back to the form.
func (w *Web) uploadFailed(rw http.ResponseWriter, r *http.Request, err error, back string) {
	l := w.lang(r)
	m := messagePage{Back: back, BackText: l.T("Back to the upload form")}
	switch chatpic.ErrorKind(err) {
	case chatpic.KindTooLarge, chatpic.KindUnsupported, chatpic.KindUnprocessable:
		m.Limits = limitsText(l, w.posts.Limits())
	}
	w.failPage(rw, r, err, m)
}

// UploadLinkOnly handles the home page's link-only upload form, POST
// /link ("file", "caption", "expires_in", "max_views", "album"), as
// UploadToChannel does.
func (w *Web) UploadLinkOnly(rw http.ResponseWriter, r *http.Request) {
	pass, err := request.AdmitUpload(rw, r, w.posts, w.origin, chatpic.LinkOnly)
	if err != nil {
		rw.Header().Set("Connection", "close")
		w.uploadFailed(rw, r, err, "/#link")
		return
	}
	defer pass.Release()
	up, err := request.ParseUpload(rw, r, w.posts, nil)
	if err != nil {
		rw.Header().Set("Connection", "close")
		w.uploadFailed(rw, r, err, "/#link")
		return
	}
	defer up.Close()
	if up.Separate && len(up.Files) > 1 {
		w.uploadSeparately(rw, r, pass, up, "/#link", func(d posting.Draft) (posting.Created, error) {
			return w.posts.UploadLinkOnly(r.Context(), d, up.MaxViews)
		})
		return
	}
	d := up.Draft(w.origin.ClientAddr(r))
	d.Pass = pass
	created, err := w.posts.UploadLinkOnly(r.Context(), d, up.MaxViews)
	if err != nil {
		w.uploadFailed(rw, r, err, "/#link")
		return
	}
	w.created(rw, r, created)
}

// Delete handles POST /p/{id}/delete with the form field "token".
func (w *Web) Delete(rw http.ResponseWriter, r *http.Request) {
	var in request.Delete
	if err := request.Form(rw, r, &in); err != nil {
		w.fail(rw, r, err)
		return
	}
	w.deletePost(rw, r, r.PathValue("id"), strings.TrimSpace(in.Token))
}

// deletePost deletes upload id if token is its delete token, and says so.
func (w *Web) deletePost(rw http.ResponseWriter, r *http.Request, id, token string) {
	p, err := w.posts.Post(r.Context(), id)
	if err != nil {
		w.fail(rw, r, err)
		return
	}
	if err := w.posts.Delete(r.Context(), p.ID, token); err != nil {
		w.fail(rw, r, err)
		return
	}
	l := w.lang(r)
	back, backText := "/c/"+p.Channel, l.T("Back to the channel")
	if p.IsLinkOnly() {
		back, backText = "/", l.T("Back to the channels")
	}
	w.render(rw, r, http.StatusOK, "message", messagePage{
		Title: l.T("Deleted"), Heading: l.T("Deleted"),
		Text: l.T("Your upload, its thumbnail and its link are gone."),
		Back: back, BackText: backText,
	})
}

// uploadForm is what an upload form's file field shows, and what
// upload.js checks before sending a file: the limits (which the page puts
// in words, see limitsText) and the types the file picker offers. All of
// it comes from the registry of formats (media.Formats).
type uploadForm struct {
	ID     string // unique on the page
	Limits posting.Limits
	Accept string
	// MaxPicture and MaxVideo are in bytes; MaxVideo is 0 when the server
	// takes no video.
	MaxPicture, MaxVideo int64
	// Formats tells upload.js the accepted formats, as JSON.
	Formats uploadFormats
}

func newUploadForm(id string, l posting.Limits) uploadForm {
	return uploadForm{ID: id, Limits: l, Accept: media.Accept(takenKinds(l)...),
		MaxPicture: l.PictureBytes, MaxVideo: l.VideoBytes, Formats: acceptedFormats()}
}

// takenKinds returns the kinds of media the limits let in.
func takenKinds(l posting.Limits) []chatpic.MediaKind {
	if l.VideoBytes > 0 {
		return []chatpic.MediaKind{chatpic.Image, chatpic.Video}
	}
	return []chatpic.MediaKind{chatpic.Image}
}

// uploadKind is what upload.js knows of the formats of one kind: the
// media types and file extensions that tell a file of it, and their names
// for its messages.
type uploadKind struct {
	Types []string `json:"types"`
	Exts  []string `json:"exts"`
	Names string   `json:"names"`
}

// uploadFormats is what upload.js knows of the accepted formats. NoPreview
// lists the types of pictures a browser cannot show before upload.
type uploadFormats struct {
	Picture   uploadKind `json:"picture"`
	Video     uploadKind `json:"video"`
	NoPreview []string   `json:"noPreview"`
}

// acceptedFormats returns the accepted formats as upload.js reads them
// from an upload field's data-formats.
func acceptedFormats() uploadFormats {
	var f uploadFormats
	for _, info := range media.Formats() {
		k := &f.Picture
		if info.Kind == chatpic.Video {
			k = &f.Video
		}
		types := append([]string{info.MIME}, info.Aliases...)
		k.Types = append(k.Types, types...)
		k.Exts = append(k.Exts, info.Exts...)
		if info.Kind == chatpic.Image && !info.Preview {
			f.NoPreview = append(f.NoPreview, types...)
		}
	}
	f.Picture.Names = strings.Join(media.Names(chatpic.Image), ", ")
	f.Video.Names = strings.Join(media.Names(chatpic.Video), ", ")
	return f
}
