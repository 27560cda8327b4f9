// Package web renders chatpic's HTML pages and serves media files. Templates
// and static files are embedded and parsed at start-up; every page works
// without JavaScript.
package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"html/template"
	"io/fs"
	"log/slog"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/cache"
	"github.com/chatpic/chatpic/internal/compress"
	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

//go:generate go run icons_gen.go

//go:embed templates static
var files embed.FS

// Web serves the pages, static files and media.
type Web struct {
	posts  *posting.Service
	mods   *moderation.Service
	origin *request.Origin
	log    *slog.Logger
	// redirect, when set, answers media requests with a redirect.
	redirect Redirector
	// failures, when set, counts the failures answered with a 5xx.
	failures FailureCounter
	// nsfwFeeds gives channels marked NSFW a feed too.
	nsfwFeeds bool
	// text holds the message catalogs; pages has every page, rendered in
	// the language of each request (see lang and execute).
	text  *i18n.Bundle
	pages map[string]*pageSet
	// static maps a file's name to its URL, which carries a content hash,
	// and the URL's path back to the file's bytes.
	staticURL  map[string]string
	staticFile map[string][]byte
	// staticBr and staticGz are the static files compressed, made once.
	staticBr, staticGz map[string][]byte
	// pageCache keeps rendered public pages for a moment; nil when there
	// are no events to drop them by.
	pageCache *cache.Cache
	// manifest is the web app manifest, made once.
	manifest []byte
}

// pageNames lists the pages; each is parsed with the layout and partials.
var pageNames = []string{
	"home", "channel", "post", "message", "pending", "delete", "share",
	"report", "filed", "receipt", "transparency", "uploads",
	"mod-login", "mod-queue", "mod-channels", "mod-audit", "mod-moderators",
}

// New parses the templates and hashes the static files. An error means the
// binary was built with a broken template. mods serves the reporting,
// transparency and moderation pages and the proof-of-work challenges of
// posting forms; with mods nil, forms carry no challenge and Routes must
// not be mounted (the templates can still be rendered).
func New(posts *posting.Service, mods *moderation.Service, origin *request.Origin, log *slog.Logger) (*Web, error) {
	w := &Web{posts: posts, mods: mods, origin: origin, log: log, staticURL: map[string]string{}, staticFile: map[string][]byte{},
		staticBr: map[string][]byte{}, staticGz: map[string][]byte{}}
	pc := cache.New(PageTTL, 1024, time.Now)
	if posts.Watch(func(topic string) { dropPages(pc, topic) }) {
		w.pageCache = pc
	}
	var err error
	if w.text, err = i18n.New(); err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	entries, err := fs.ReadDir(files, "static")
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	for _, e := range entries {
		b, err := fs.ReadFile(files, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		w.addStatic(e.Name(), b)
	}
	// The scripts' words, a file per language, cached as any static file
	// and so fetched once, not sent with every page.
	for _, l := range w.text.Languages() {
		b, err := wordsScript(l, w.text.Keys("js"))
		if err != nil {
			return nil, fmt.Errorf("web: %w", err)
		}
		w.addStatic(wordsFile(l), b)
	}
	if w.manifest, err = newManifest(func(name string) string { return w.staticURL[name] }, takenKinds(posts.Limits())); err != nil {
		return nil, fmt.Errorf("web: manifest: %w", err)
	}
	funcs := template.FuncMap{
		"static": func(name string) (string, error) {
			if u, ok := w.staticURL[name]; ok {
				return u, nil
			}
			return "", fmt.Errorf("no static file %q", name)
		},
		"iso": func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		"thumbSize": thumbSize,
		"thumbURL":  coverThumb,
		"cover":     cover,
		"count":     albumCount,
		"sensitive": sensitive,
		// The words (t, n, ago, alt, rule, ...) are each language's: see
		// langFuncs.
		"capital":     capital,
		"sentence":    sentence,
		"commentHTML": commentHTML,
		"seconds":     chatpic.FormatClock,
		"reasons":     func() []chatpic.ReportReason { return chatpic.ReportReasons },
		"auditLink":   auditLink,
		"themeLight":  func() string { return themeLight },
		"themeDark":   func() string { return themeDark },
	}
	// The words' functions, bound to English until a render binds them
	// to its request's language.
	english, _ := w.text.Lookup(i18n.English)
	for name, f := range w.langFuncs(english.Unpinned()) {
		funcs[name] = f
	}
	w.pages = map[string]*pageSet{}
	for _, page := range pageNames {
		ps, err := newPageSet(func() (*template.Template, error) {
			return template.New("").Funcs(funcs).ParseFS(files, "templates/layout.html", "templates/partials.html", "templates/"+page+".html")
		})
		if err != nil {
			return nil, fmt.Errorf("web: template %s: %w", page, err)
		}
		w.pages[page] = ps
	}
	return w, nil
}

// addStatic serves b as the static file name, under a URL that carries
// its hash, compressed once when its type compresses.
func (w *Web) addStatic(name string, b []byte) {
	sum := sha256.Sum256(b)
	ext := path.Ext(name)
	url := "/static/" + name[:len(name)-len(ext)] + "." + hex.EncodeToString(sum[:6]) + ext
	w.staticURL[name] = url
	w.staticFile[url] = b
	if compress.Compressible(mime.TypeByExtension(ext)) {
		w.staticBr[url], w.staticGz[url] = compress.Bytes(b, compress.Brotli), compress.Bytes(b, compress.Gzip)
	}
}

// thumbSize returns width and height attributes for a post's thumbnail, so
// the grid does not shift as thumbnails arrive.
func thumbSize(p chatpic.Post) template.HTMLAttr {
	tw, th := thumbDims(p)
	return template.HTMLAttr(fmt.Sprintf(`width="%d" height="%d"`, tw, th))
}

// thumbDims returns the size of the thumbnail that stands for a post (its
// cover's, see chatpic.Post.Cover): the picture fitted within
// media.ThumbMax, never enlarged.
func thumbDims(p chatpic.Post) (w, h int) {
	it := cover(p)
	w, h = it.Width, it.Height
	if long := max(w, h); long > media.ThumbMax {
		w, h = max(1, w*media.ThumbMax/long), max(1, h*media.ThumbMax/long)
	}
	return w, h
}

// capital returns s with its first letter in upper case.
func capital(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + s[n:]
}

// render executes a page in the request's language into a buffer and
// writes it with status code, so a template error never leaves half a
// page behind.
func (w *Web) render(rw http.ResponseWriter, r *http.Request, code int, name string, data any) {
	l := w.lang(r)
	var buf bytes.Buffer
	if err := w.execute(&buf, name, l, data); err != nil {
		w.log.Error("render page", "page", name, "err", err)
		http.Error(rw, l.T("something went wrong on our side"), http.StatusInternalServerError)
		return
	}
	languageHeaders(rw.Header(), l)
	rw.Header().Set("Content-Type", "text/html; charset=utf-8")
	rw.Header().Set("Cache-Control", "no-store")
	rw.WriteHeader(code)
	rw.Write(buf.Bytes())
}

// execute renders the page name in the language l into buf: a copy of
// the page, for this render alone, with the words of l bound to it.
func (w *Web) execute(buf *bytes.Buffer, name string, l i18n.Lang, data any) error {
	ps, ok := w.pages[name]
	if !ok {
		return fmt.Errorf("web: no page %q", name)
	}
	t, err := ps.get()
	if err != nil {
		return fmt.Errorf("web: page %s: %w", name, err)
	}
	defer ps.put(t)
	return t.Funcs(w.langFuncs(l)).ExecuteTemplate(buf, "layout", data)
}

// messagePage is a page that says one thing: an error, or that something
// was done. Retry, if set, says when to try again.
type messagePage struct {
	Title, Heading, Text, Retry, Back, BackText string
	// Limits, when set, reminds people what they may upload.
	Limits string
	// Files, for an album refused as a whole, says which files were
	// refused and why.
	Files []chatpic.FileRefusal
}

// fail renders err as a page with the status of its kind; gone uploads get
// a tombstone that says why. Internal errors are logged here, once.
func (w *Web) fail(rw http.ResponseWriter, r *http.Request, err error) {
	w.failPage(rw, r, err, messagePage{})
}

// Fail answers with err as an error page, as every page handler does; see
// fail.
func (w *Web) Fail(rw http.ResponseWriter, r *http.Request, err error) { w.fail(rw, r, err) }

// failPage is fail with the back link of m, when set. m's texts, when
// set, are in the request's language already; failPage writes the rest in
// it.
func (w *Web) failPage(rw http.ResponseWriter, r *http.Request, err error, m messagePage) {
	code := request.Status(err)
	if code >= 500 && !request.ClientGone(r) {
		w.log.Error("page request failed", "method", r.Method, "path", request.LogPath(r), "err", err)
		w.countFailure(err)
	}
	l := w.lang(r)
	h, ok := headings[chatpic.ErrorKind(err)]
	if !ok {
		h = "Something went wrong"
	}
	m.Title, m.Heading, m.Text = l.T(h), l.T(h), sentence(l.Error(err))
	if files := chatpic.ErrorFiles(err); len(files) > 0 {
		m.Title, m.Heading, m.Files = l.T("Nothing was posted"), l.T("Nothing was posted"), files
		m.Text = l.N("%d of the files were refused, so none of them was posted:", len(files))
	}
	switch chatpic.ErrorKind(err) {
	case chatpic.KindGone:
		m.Title, m.Heading = l.T("Gone"), l.T("This upload is gone")
		reason := chatpic.ErrorReason(err)
		m.Text = l.T(reason.Explain())
		if st := chatpic.ErrorStatement(err); st != "" && reason == chatpic.ReasonRemoved {
			m.Text = l.T("The moderators removed this upload. Their reason: %s", sentence(st))
		}
	case chatpic.KindRateLimited:
		rw.Header().Set("Retry-After", strconv.Itoa(chatpic.RetryAfterSeconds(err)))
		m.Title, m.Heading = l.T("Slow down"), l.T("Please slow down")
		m.Retry = retryIn(l, err)
	case chatpic.KindChallenge:
		m.Title, m.Heading = l.T("Very busy"), l.T("This channel is very busy right now")
		m.Text = l.T("Too many posts are arriving here at once, so your browser must first solve a small puzzle " +
			"that shows it is not a flood bot. That needs JavaScript: turn it on, go back and send your post again, " +
			"or wait a few minutes until the rush is over.")
	case chatpic.KindUnavailable:
		rw.Header().Set("Retry-After", strconv.Itoa(chatpic.RetryAfterSeconds(err)))
		m.Retry = retryIn(l, err)
	case chatpic.KindUnauthorized:
		m.Back, m.BackText = "/mod/login", l.T("Sign in")
	}
	w.render(rw, r, code, "message", m)
}

// headings name what went wrong in a page's heading, by error kind, in
// words rather than HTTP's; English keys, translated where they are shown.
var headings = map[chatpic.Kind]string{
	chatpic.KindInvalid:       "Something in the form is not right",
	chatpic.KindNotFound:      "Not found",
	chatpic.KindTooLarge:      "That file is too large",
	chatpic.KindUnsupported:   "That kind of file can't be posted here",
	chatpic.KindUnprocessable: "That file could not be read",
	chatpic.KindForbidden:     "Not allowed",
	chatpic.KindConflict:      "That changed in the meantime",
	chatpic.KindUnauthorized:  "Please sign in",
	chatpic.KindUnavailable:   "The server is very busy",
	chatpic.KindStorageFull:   "The server is out of space",
	chatpic.KindTimeout:       "That took too long",
	chatpic.KindInternal:      "Something went wrong on our side",
}

// retryIn tells people when they may try again after a KindRateLimited
// error, in the words of its Retry-After, in l.
func retryIn(l i18n.Lang, err error) string {
	// Rounded up, so that trying then works.
	switch secs := chatpic.RetryAfterSeconds(err); {
	case secs > 3600:
		return l.N("You can try again in %d hours.", (secs+3599)/3600)
	case secs > 60:
		return l.N("You can try again in %d minutes.", (secs+59)/60)
	default:
		return l.N("You can try again in %d seconds.", secs)
	}
}

// sentence makes an error message read as a sentence: a capital first
// letter and a full stop.
func sentence(s string) string {
	if s == "" {
		return s
	}
	s = capital(s)
	if !strings.HasSuffix(s, ".") && !strings.HasSuffix(s, "?") && !strings.HasSuffix(s, "!") {
		s += "."
	}
	return s
}

// NotFound renders the 404 page for any path without a route.
func (w *Web) NotFound(rw http.ResponseWriter, r *http.Request) {
	w.fail(rw, r, chatpic.Errorf(chatpic.KindNotFound, "There is nothing at this address."))
}

// Favicon answers GET /favicon.ico, which browsers ask for whatever the
// page's icon link says, with the icon.
func (w *Web) Favicon(rw http.ResponseWriter, r *http.Request) {
	rw.Header().Set("Content-Type", "image/svg+xml")
	rw.Header().Set("Cache-Control", "public, max-age=86400")
	express.Keep(r, w.posts.Now().Add(time.Hour))
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(w.staticFile[w.staticURL["icon.svg"]]))
}

// Static serves the embedded static files under their hashed URLs, cached
// for a year: a changed file gets a new URL.
func (w *Web) Static(rw http.ResponseWriter, r *http.Request) {
	b, ok := w.staticFile[r.URL.Path]
	if !ok {
		http.NotFound(rw, r)
		return
	}
	rw.Header().Set("Content-Type", mime.TypeByExtension(path.Ext(r.URL.Path)))
	rw.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	// A static file never changes while the server runs.
	express.Keep(r, w.posts.Now().Add(time.Hour))
	// Compressed once at start, never per request.
	if br, ok := w.staticBr[r.URL.Path]; ok {
		rw.Header().Add("Vary", "Accept-Encoding")
		switch compress.Negotiate(r) {
		case compress.Brotli:
			b = br
			rw.Header().Set("Content-Encoding", compress.Brotli)
		case compress.Gzip:
			b = w.staticGz[r.URL.Path]
			rw.Header().Set("Content-Encoding", compress.Gzip)
		}
	}
	http.ServeContent(rw, r, "", time.Time{}, bytes.NewReader(b))
}
