// Package api is chatpic's JSON API v1. It has its own request and response
// types, so the domain can change without breaking clients; every handler
// decodes, calls the posting service and encodes.
package api

import (
	"bytes"
	"encoding/json"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/cache"
	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/i18n"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// API serves /api/v1. Its exported methods are http.HandlerFuncs that
// the server mounts; see internal/server/routes.go.
type API struct {
	posts  *posting.Service
	mods   *moderation.Service
	origin *request.Origin
	log    *slog.Logger
	live   Subscriber
	// failures, when set, counts the failures answered with a 5xx.
	failures FailureCounter
	// streams holds the places of open event streams.
	streams *limit.Slots
	// listings keeps rendered channel listings for a moment; nil when
	// there are no events to drop them by (see posting.Service.Watch).
	listings *cache.Cache
	// openAPI is the document GET /api/v1/openapi.json answers, made
	// once.
	openAPI func() (*cache.Entry, error)
	// text translates error messages for requests that name a language;
	// nil answers in English only.
	text *i18n.Bundle
}

// New returns an API. live serves the event streams; nil turns them off.
// lim bounds the event streams.
func New(posts *posting.Service, mods *moderation.Service, origin *request.Origin, log *slog.Logger, live Subscriber, lim Limits) *API {
	a := &API{posts: posts, mods: mods, origin: origin, log: log, live: live, streams: lim.streams(),
		openAPI: sync.OnceValues(func() (*cache.Entry, error) { return openAPIEntry(origin.Fixed()) })}
	l := cache.New(ListingTTL, 1024, time.Now)
	if posts.Watch(func(topic string) { dropListings(l, topic) }) {
		a.listings = l
	}
	text, err := i18n.New()
	if err != nil { // the binary's own catalogs; its tests refuse this
		log.Error("api: messages in English only", "err", err)
	}
	a.text = text
	return a
}

// messages returns how err and the refusals of its files read for r, and
// the language's tag: in the language r names (?lang=, else
// Accept-Language), or, for a request that names none (a script), in
// English exactly as the message was made, with the tag "".
func (a *API) messages(r *http.Request, err error) (string, []fileRefusal, string) {
	files := chatpic.ErrorFiles(err)
	out := make([]fileRefusal, 0, len(files))
	param, header := r.URL.Query().Get(i18n.Param), r.Header.Get("Accept-Language")
	if a.text == nil || param == "" && header == "" {
		for _, f := range files {
			out = append(out, fileRefusal{File: f.File, Kind: f.Kind, Message: f.Message})
		}
		return chatpic.ErrorMessage(err), out, ""
	}
	l := a.text.Match(header, param)
	for _, f := range files {
		out = append(out, fileRefusal{File: f.File, Kind: f.Kind, Message: l.Refusal(f)})
	}
	return l.Error(err), out, l.Tag()
}

// ListingTTL is how long a rendered channel listing is reused: every
// change to a channel drops its listings at once, so this bounds only how
// stale the forecast and the hiding of expired uploads can be.
const ListingTTL = 2 * time.Second

// dropListings forgets the listings a change to topic makes stale: the
// channel's, and the list of channels (counts, newest upload).
func dropListings(c *cache.Cache, topic string) {
	if topic == "" {
		c.Clear()
		return
	}
	c.Drop(topic)
	if strings.HasPrefix(topic, "channel:") {
		c.Drop(allChannels)
	}
}

// allChannels tags the cached list of channels.
const allChannels = "channels"

// listing answers r with a JSON listing: from the listing cache while it
// is fresh, else built once however many clients ask for it at that
// moment, kept, and dropped when any of its tags changes. An error from
// build is answered as fail does.
func (a *API) listing(w http.ResponseWriter, r *http.Request, build func() (v any, tags []string, err error)) {
	if a.listings == nil {
		v, _, err := build()
		if err != nil {
			a.fail(w, r, err)
			return
		}
		a.write(w, r, http.StatusOK, v)
		return
	}
	e, err := a.listings.Load(a.origin.Base(r)+r.URL.RequestURI(), func() (*cache.Entry, []string, bool, error) {
		v, tags, err := build()
		if err != nil {
			return nil, nil, false, err
		}
		b, err := json.Marshal(v)
		if err != nil {
			return nil, nil, false, chatpic.Internal(err)
		}
		return cache.NewEntry(http.StatusOK, "application/json; charset=utf-8", "no-cache", append(b, '\n')), tags, true, nil
	})
	if err != nil {
		a.fail(w, r, err)
		return
	}
	// The express lane may send it again until the cache drops it.
	until, tags := e.Kept()
	express.Keep(r, until, tags...)
	e.Serve(w, r)
}

// Express lets the express lane keep the listings the API answers, until
// the listing cache drops them (see express.Keep). Call it before
// serving.
func (a *API) Express(s *express.Store) {
	if a.listings != nil {
		a.listings.Also(s)
	}
}

var errNoLive = chatpic.Errorf(chatpic.KindNotFound, "live updates are not enabled on this server")

// Channel is a channel as the API shows it.
type Channel struct {
	Slug        string `json:"slug"`
	Title       string `json:"title"`
	Description string `json:"description"`
	Rule        string `json:"rule"`
	Capacity    int    `json:"capacity"`
	// MaxFiles is the most files one upload to the channel may carry.
	MaxFiles   int     `json:"max_files"`
	TTLSeconds int64   `json:"ttl_seconds"`
	NSFW       bool    `json:"nsfw"`
	Count      int     `json:"count"`
	LastPostAt *string `json:"last_post_at"`
	URL        string  `json:"url"`
	// ForecastSeconds is how long an upload made now is likely to stay,
	// from the channel's rules and recent pace; null while unknown.
	ForecastSeconds *int64 `json:"forecast_seconds"`
}

// Post is an upload as the API shows it. DeleteToken and DeleteURL are only
// ever set in the response to the upload that created it.
type Post struct {
	ID          string `json:"id"`
	Channel     string `json:"channel"`
	URL         string `json:"url"`
	MediaURL    string `json:"media_url"`
	ThumbURL    string `json:"thumb_url"`
	DeleteToken string `json:"delete_token,omitempty"`
	// DeleteURL is the page that deletes the upload, the token in its
	// path (/d/{id}/{token}): it asks to confirm, and deletes on POST.
	// Like DeleteToken, it is set only in the answer to the upload.
	DeleteURL string `json:"delete_url,omitempty"`
	Caption   string `json:"caption"`
	Kind      string `json:"kind"`
	MIME      string `json:"mime"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bytes     int64  `json:"bytes"`
	// DurationSeconds is a video's length; null for pictures.
	DurationSeconds *float64 `json:"duration_seconds"`
	// Frames is an animation's frame count: 1 for a still picture, null
	// for video.
	Frames       *int `json:"frames"`
	Score        int  `json:"score"`
	CommentCount int  `json:"comment_count"`
	// ViewsLeft counts down the views of a self-destructing upload; null
	// when it has no view limit.
	ViewsLeft *int    `json:"views_left"`
	CreatedAt string  `json:"created_at"`
	ExpiresAt *string `json:"expires_at"`
	// Status is "visible", or "pending" while it waits for review (or
	// "hidden", as moderators see it).
	Status string `json:"status"`
	// Sensitive is set when the uploader marked the picture sensitive:
	// show it blurred until the viewer asks to see it, as everything in
	// a channel whose "nsfw" is set.
	Sensitive bool `json:"sensitive"`
	// Media are the upload's files in order: one, or several for an
	// album. The fields above describe the first, as they did before
	// albums.
	Media []Media `json:"media"`
}

// Media is one file of an upload.
type Media struct {
	URL      string `json:"url"`
	ThumbURL string `json:"thumb_url"`
	Kind     string `json:"kind"`
	MIME     string `json:"mime"`
	Width    int    `json:"width"`
	Height   int    `json:"height"`
	Bytes    int64  `json:"bytes"`
	// DurationSeconds is a video's length; null for pictures.
	DurationSeconds *float64 `json:"duration_seconds"`
	// Frames is an animation's frame count: 1 for a still picture, null
	// for video.
	Frames *int `json:"frames"`
	// Removed is set when moderation took this file down and left the
	// rest of the upload: its links answer 410.
	Removed bool `json:"removed"`
}

type errorBody struct {
	Error errorDetail `json:"error"`
}

type errorDetail struct {
	Kind    chatpic.Kind       `json:"kind"`
	Message string             `json:"message"`
	Reason  chatpic.GoneReason `json:"reason,omitempty"`
	// Statement is the moderators' statement of reasons for a removal.
	Statement string `json:"statement,omitempty"`
	// RetryAfter is, for rate_limited and unavailable, the seconds to wait (as the
	// Retry-After header says).
	RetryAfter int `json:"retry_after,omitempty"`
	// Files, when an upload of several files was refused, says which
	// files were refused and why.
	Files []fileRefusal `json:"files,omitempty"`
}

type fileRefusal struct {
	File    int          `json:"file"` // counting from 1
	Kind    chatpic.Kind `json:"kind"`
	Message string       `json:"message"`
}

func statusOf(s chatpic.Status) chatpic.Status {
	if s == "" {
		return chatpic.StatusVisible
	}
	return s
}

func timestamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func optionalTimestamp(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := timestamp(t)
	return &s
}

func (a *API) channel(r *http.Request, c chatpic.ChannelStats) Channel {
	out := Channel{
		Slug: c.Slug, Title: c.Title, Description: c.Description, Rule: c.Rule(),
		Capacity: c.Capacity, MaxFiles: c.FileLimit(), TTLSeconds: int64(c.TTL / time.Second), NSFW: c.NSFW,
		Count: c.Count, LastPostAt: optionalTimestamp(c.LastPostAt),
		URL: a.origin.Base(r) + "/c/" + c.Slug,
	}
	if c.ForecastKnown {
		secs := int64(c.Forecast / time.Second)
		out.ForecastSeconds = &secs
	}
	return out
}

func (a *API) post(r *http.Request, p chatpic.Post) Post {
	base := a.origin.Base(r)
	out := Post{
		ID: p.ID, Channel: p.Channel,
		URL:      base + "/p/" + p.ID,
		MediaURL: base + "/m/" + p.ID + "." + p.Ext,
		ThumbURL: base + "/t/" + p.ID + "." + p.ThumbExt,
		Caption:  p.Caption, Kind: string(p.Kind), MIME: p.MIME, Width: p.Width, Height: p.Height, Bytes: p.Bytes,
		CreatedAt: timestamp(p.CreatedAt), ExpiresAt: optionalTimestamp(p.ExpiresAt),
		Score: p.Score, CommentCount: p.CommentCount, Status: string(statusOf(p.Status)), Sensitive: p.Sensitive,
	}
	if p.IsLinkOnly() {
		out.Channel = "" // in no channel
	}
	if p.ViewsLeft > 0 {
		left := p.ViewsLeft
		out.ViewsLeft = &left
	}
	out.DurationSeconds, out.Frames = lengthOf(p.Item)
	for n, it := range p.Items() {
		m := Media{
			URL:      base + "/m/" + p.FileName(n+1) + "." + it.Ext,
			ThumbURL: base + "/t/" + p.FileName(n+1) + "." + it.ThumbExt,
			Kind:     string(it.Kind), MIME: it.MIME, Width: it.Width, Height: it.Height, Bytes: it.Bytes,
			Removed: it.Removed,
		}
		m.DurationSeconds, m.Frames = lengthOf(it)
		out.Media = append(out.Media, m)
	}
	return out
}

// lengthOf returns a video's duration, or the frames of a picture.
func lengthOf(it chatpic.Item) (*float64, *int) {
	if it.Kind == chatpic.Video {
		d := it.Duration.Seconds()
		return &d, nil
	}
	frames := it.Frames
	return nil, &frames
}

// write encodes v as the JSON response with status code.
func (a *API) write(w http.ResponseWriter, r *http.Request, code int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		a.fail(w, r, chatpic.Internal(err))
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(buf.Bytes())
}

// fail writes err as a JSON error with the status of its kind. Internal
// errors are logged here, once, and shown only as a generic message.
func (a *API) fail(w http.ResponseWriter, r *http.Request, err error) {
	code := request.Status(err)
	if code >= 500 && !request.ClientGone(r) {
		a.log.Error("api request failed", "method", r.Method, "path", r.URL.Path, "err", err)
		if a.failures != nil {
			a.failures.Failure(chatpic.ErrorSource(err))
		}
	}
	body := errorBody{Error: errorDetail{
		Kind:      chatpic.ErrorKind(err),
		Reason:    chatpic.ErrorReason(err),
		Statement: chatpic.ErrorStatement(err),
	}}
	var tag string
	body.Error.Message, body.Error.Files, tag = a.messages(r, err)
	if len(body.Error.Files) == 0 {
		body.Error.Files = nil
	}
	if tag != "" {
		w.Header().Set("Content-Language", tag)
	}
	if k := body.Error.Kind; k == chatpic.KindRateLimited || k == chatpic.KindUnavailable {
		body.Error.RetryAfter = chatpic.RetryAfterSeconds(err)
		w.Header().Set("Retry-After", strconv.Itoa(body.Error.RetryAfter))
	}
	if body.Error.Kind == chatpic.KindUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="chatpic moderation"`)
	}
	buf, _ := json.Marshal(body)
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	w.Write(append(buf, '\n'))
}

// CountFailures makes every request answered with a 5xx count in c, by
// where its error came from (chatpic.ErrorSource). Call it before
// serving.
func (a *API) CountFailures(c FailureCounter) { a.failures = c }

// FailureCounter counts failures by where they came from ("database",
// "media_store" or "other", see chatpic.ErrorSource). *meter.Meter
// implements it.
type FailureCounter interface{ Failure(source string) }

// Fail answers with err as a JSON error, as every API handler does; see
// fail.
func (a *API) Fail(w http.ResponseWriter, r *http.Request, err error) { a.fail(w, r, err) }

// NotFound answers any /api/ path that has no route.
func (a *API) NotFound(w http.ResponseWriter, r *http.Request) {
	a.fail(w, r, chatpic.Errorf(chatpic.KindNotFound, "there is no such API endpoint"))
}
