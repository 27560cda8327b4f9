package web

import (
	"context"
	"encoding/hex"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// mediaCSP keeps a media file from running anything if a browser is tricked
// into rendering it as a document.
const mediaCSP = "default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'; sandbox"

// Header values every media response shares (see fileHeaders); net/http
// only reads them.
var (
	mediaCSPValue = []string{mediaCSP}
	nosniffValue  = []string{"nosniff"}
	crossOrigin   = []string{"cross-origin"}
)

// maxMediaAge is how long a media file may be cached: it never changes.
const maxMediaAge = 365 * 24 * time.Hour

// Redirector sends media requests elsewhere: a presigned link to the
// object store, or a CDN in front of it.
type Redirector interface {
	// MediaURL returns where the file stored under key can be fetched,
	// served with contentType.
	MediaURL(ctx context.Context, key, contentType string) (string, error)
	// MaxAge is how long a redirect to such a URL may be cached.
	MaxAge() time.Duration
}

// RedirectMedia makes media requests answer with a redirect to r instead
// of the bytes, except for uploads whose views are counted: their files are
// shown only to the ticket of a spent view, which chatpic checks. Call it
// before serving.
func (w *Web) RedirectMedia(r Redirector) { w.redirect = r }

// FailureCounter counts failures by where they came from ("database",
// "media_store" or "other", see chatpic.ErrorSource). *meter.Meter
// implements it.
type FailureCounter interface{ Failure(source string) }

// CountFailures makes every request answered with a 5xx count in c. Call
// it before serving.
func (w *Web) CountFailures(c FailureCounter) { w.failures = c }

func (w *Web) countFailure(err error) {
	if w.failures != nil {
		w.failures.Failure(chatpic.ErrorSource(err))
	}
}

// Media serves GET /m/{file}: a post's media file, named ID.EXT.
func (w *Web) Media(rw http.ResponseWriter, r *http.Request) { w.serveMedia(rw, r, false) }

// Thumb serves GET /t/{file}: a post's thumbnail, named ID.EXT.
func (w *Web) Thumb(rw http.ResponseWriter, r *http.Request) { w.serveMedia(rw, r, true) }

// serveMedia answers with the file of a visible post, with Range and
// conditional requests, our own Content-Type, and a sandbox CSP, or with a
// redirect when one is set up. Gone posts answer 410 and unknown ones 404,
// as short plain text. The file of a post with a view limit is served only
// with the ticket of a spent view (?v=TICKET); without one the request is
// sent to the post's page, and nothing is spent.
func (w *Web) serveMedia(rw http.ResponseWriter, r *http.Request, thumb bool) {
	name, ext, ok := strings.Cut(r.PathValue("file"), ".")
	if !ok {
		w.mediaFailed(rw, r, "", chatpic.Errorf(chatpic.KindNotFound, "there is no such file"))
		return
	}
	f, err := w.posts.MediaFile(r.Context(), name, ext, thumb, r.URL.Query().Get("v"))
	if w.viewFirst(rw, r, f.Post.ID, err) {
		return
	}
	if err != nil {
		w.mediaFailed(rw, r, f.Post.ID, err)
		return
	}
	p := f.Post
	// Uploads whose views are counted, or locked with a password, are
	// always served from here, to the holders of a ticket.
	if w.redirect != nil && !p.Gated() {
		w.redirectMedia(rw, r, f, thumb)
		return
	}
	obj, err := w.posts.OpenFile(r.Context(), f.Key)
	if chatpic.ErrorKind(err) == chatpic.KindNotFound {
		err = w.posts.FileMissing(r.Context(), p.ID)
	}
	if err != nil {
		w.mediaFailed(rw, r, p.ID, err)
		return
	}
	defer obj.Close()

	h := rw.Header()
	fileHeaders(h, f, thumb)
	h["Cross-Origin-Resource-Policy"] = crossOrigin // direct links embed anywhere
	// The bytes never change, but a post that will expire should not
	// outlive its time in caches.
	age := maxMediaAge
	if !p.ExpiresAt.IsZero() {
		age = min(age, p.ExpiresAt.Sub(w.posts.Now()))
	}
	h.Set("Cache-Control", "public, max-age="+strconv.Itoa(int(age/time.Second))+", immutable")
	if p.Gated() {
		h.Set("Cache-Control", "private, no-store") // the ticket is short-lived
	} else if w.pageCache != nil {
		// A file larger than the express lane holds goes out from
		// net/http, with sendfile.
		if obj.Info().Size > express.MaxEntry && express.Pass(r) {
			return
		}
		// The lane may send a thumbnail or a picture again from memory
		// until its upload changes (the events every instance hears), for
		// a few seconds at most, in case an event is late or lost; an
		// upload that expires, a second at a time, so that its max-age
		// stays true.
		until := w.posts.Now().Add(5 * time.Second)
		if !p.ExpiresAt.IsZero() {
			until = w.posts.Now().Add(time.Second)
			if p.ExpiresAt.Before(until) {
				until = p.ExpiresAt
			}
		}
		express.Keep(r, until, posting.PostTopic(p.ID))
	}
	http.ServeContent(rw, r, "", p.CreatedAt, obj)
}

// mediaFailed answers a media request that failed: 410 for a gone post,
// 404 for an unknown one, as short plain text in the request's language
// (a gone post's reason in words).
func (w *Web) mediaFailed(rw http.ResponseWriter, r *http.Request, id string, err error) {
	code := request.Status(err)
	if code >= 500 && !request.ClientGone(r) {
		w.log.Error("serve media", "post", id, "err", err)
		w.countFailure(err)
	}
	l := w.lang(r)
	msg := sentence(l.Error(err))
	if reason := chatpic.ErrorReason(err); reason != "" {
		msg = l.T(reason.Explain())
	}
	languageHeaders(rw.Header(), l)
	rw.Header().Set("Cache-Control", "no-store")
	http.Error(rw, msg, code)
}

// redirectMedia answers a request for the file f (or with thumb, its
// thumbnail) with a redirect to where it can be fetched.
func (w *Web) redirectMedia(rw http.ResponseWriter, r *http.Request, f posting.File, thumb bool) {
	typ := f.Item.MIME
	if thumb {
		typ = f.Item.ThumbMIME
	}
	u, err := w.redirect.MediaURL(r.Context(), f.Key, typ)
	if err != nil {
		w.mediaFailed(rw, r, f.Post.ID, chatpic.Internal(fmt.Errorf("web: media redirect: %w", err)))
		return
	}
	age := w.redirect.MaxAge()
	if !f.Post.ExpiresAt.IsZero() {
		age = min(age, f.Post.ExpiresAt.Sub(w.posts.Now()))
	}
	// Private: a shared cache must not go on redirecting to an upload
	// that a report has hidden since.
	rw.Header().Set("Cache-Control", "private, max-age="+strconv.Itoa(max(0, int(age/time.Second))))
	http.Redirect(rw, r, u, http.StatusFound)
}

// fileHeaders sets what every response carrying a post's file (or with
// thumb, its thumbnail) sends: our own Content-Type, no sniffing, a
// sandbox CSP in case a browser renders it as a document, and an ETag.
func fileHeaders(h http.Header, f posting.File, thumb bool) {
	h["X-Content-Type-Options"] = nosniffValue
	h["Content-Security-Policy"] = mediaCSPValue
	name, it := f.Post.FileName(f.N), f.Item
	if thumb {
		h.Set("Content-Disposition", `inline; filename="`+name+`.`+it.ThumbExt+`"`)
		h.Set("Content-Type", it.ThumbMIME)
		h.Set("ETag", `"t`+hex.EncodeToString(it.SHA256[:12])+`"`)
	} else {
		h.Set("Content-Disposition", `inline; filename="`+name+`.`+it.Ext+`"`)
		h.Set("Content-Type", it.MIME)
		h.Set("ETag", `"`+hex.EncodeToString(it.SHA256[:])+`"`)
	}
}
