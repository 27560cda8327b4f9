// Package posting is the heart of chatpic: it takes uploads into channels,
// serves them back, and lets their uploaders delete them. It orchestrates the
// metadata store, the blob store and the media pipeline; the web pages and the
// JSON API are both thin layers over it.
package posting

import (
	"context"
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/video"
)

// Store is the metadata this package needs. *sqlstore.Store implements it.
type Store interface {
	Channels(ctx context.Context, now time.Time) ([]chatpic.ChannelStats, error)
	Channel(ctx context.Context, slug string, now time.Time) (chatpic.ChannelStats, error)
	ChannelSettings(ctx context.Context, slug string) (chatpic.Channel, error)
	CreatePost(ctx context.Context, p chatpic.Post, now time.Time) (chatpic.Post, []chatpic.Post, error)
	Post(ctx context.Context, id string, now time.Time) (chatpic.Post, error)
	PostInGrace(ctx context.Context, id string, now time.Time) (chatpic.Post, error)
	CountView(ctx context.Context, id string, now time.Time) (chatpic.Post, error)
	Posts(ctx context.Context, channel string, sort chatpic.Sort, after chatpic.Cursor, limit int, now time.Time) ([]chatpic.Post, error)
	RecentPostTimes(ctx context.Context, channel string, n int, now time.Time) ([]time.Time, error)
	AddComment(ctx context.Context, c chatpic.Comment, now time.Time) (chatpic.Comment, error)
	Comments(ctx context.Context, postID string) ([]chatpic.Comment, error)
	Vote(ctx context.Context, postID string, voter []byte, value int, now time.Time) (int, error)
	DeletePost(ctx context.Context, id string, reason chatpic.GoneReason, now time.Time) (chatpic.Post, error)
}

// VideoProcessor checks, cleans and remuxes a clip and writes its poster
// frame. *video.Runner implements it.
type VideoProcessor interface {
	Process(ctx context.Context, srcPath, dstPath, posterPath string, lim video.Limits) (video.Result, error)
}

// Config bounds uploads.
type Config struct {
	MaxBytes int64        // largest accepted picture file
	Media    media.Limits // what the decoder accepts
	// Video processes video uploads; nil means the server takes none.
	Video       VideoProcessor
	VideoLimits video.Limits
	TempDir     string // where uploads are spooled; "" for the system default
	// Workers bounds how many uploads are decoded at once; 0 means one per
	// CPU.
	Workers int
	// Keys derives poster IDs and vote keys; nil means a fresh Keyring.
	Keys *chatpic.Keyring
	// Events receives live updates; nil means none are sent.
	Events Publisher
	// Guard admits or refuses what clients do (rate limits, bans, the
	// challenge); nil admits everything.
	Guard Guard
	// Screen checks new uploads against the banned hashes; nil checks
	// nothing.
	Screen Screen
}

// Guard decides whether a client may do something. *moderation.Guard
// implements it.
type Guard interface {
	// Admit decides an upload or comment into ch (see moderation.Guard).
	Admit(ctx context.Context, a chatpic.Action, ch chatpic.Channel, client netip.Addr, proof string) error
	// Allow counts an action against the client's rate limit.
	Allow(ctx context.Context, a chatpic.Action, client netip.Addr) error
}

// Screen refuses uploads whose hashes are banned. *moderation.HashList
// implements it.
type Screen interface {
	// Screen returns a KindForbidden error if any of sums (SHA-256) or
	// the PDQ hash (nil for none) matches a ban.
	Screen(ctx context.Context, sums [][32]byte, pdq []byte) error
}

// Service runs the posting use-cases. It is safe for concurrent use.
type Service struct {
	store Store
	blobs blob.Store
	log   *slog.Logger
	now   func() time.Time
	cfg   Config
	keys  *chatpic.Keyring
	// work is a semaphore: decoding a picture takes a CPU and tens of MB.
	work chan struct{}
	// heavy admits one HEIC or AVIF decode at a time: the WebAssembly
	// decoders take hundreds of MB for a phone picture.
	heavy chan struct{}
}

// New returns a Service. now is the clock (time.Now outside tests).
func New(store Store, blobs blob.Store, log *slog.Logger, now func() time.Time, cfg Config) *Service {
	if cfg.Workers <= 0 {
		cfg.Workers = runtime.GOMAXPROCS(0)
	}
	if cfg.TempDir == "" {
		cfg.TempDir = os.TempDir()
	}
	if cfg.Keys == nil {
		cfg.Keys = chatpic.NewKeyring()
	}
	d := video.DefaultLimits()
	if cfg.VideoLimits.MaxBytes <= 0 {
		cfg.VideoLimits.MaxBytes = d.MaxBytes
	}
	if cfg.VideoLimits.MaxDuration <= 0 {
		cfg.VideoLimits.MaxDuration = d.MaxDuration
	}
	if cfg.VideoLimits.MaxPixels <= 0 {
		cfg.VideoLimits.MaxPixels = cfg.Media.MaxPixels
	}
	return &Service{store: store, blobs: blobs, log: log, now: now, cfg: cfg, keys: cfg.Keys,
		work: make(chan struct{}, cfg.Workers), heavy: make(chan struct{}, 1)}
}

// Limits are the bounds on uploads, as shown to people before they upload.
type Limits struct {
	PictureBytes int64
	// VideoBytes and VideoDuration bound videos; VideoBytes is 0 when the
	// server takes no video.
	VideoBytes    int64
	VideoDuration time.Duration
}

// Limits returns the bounds on uploads.
func (s *Service) Limits() Limits {
	l := Limits{PictureBytes: s.cfg.MaxBytes}
	if s.cfg.Video != nil {
		l.VideoBytes, l.VideoDuration = s.cfg.VideoLimits.MaxBytes, s.cfg.VideoLimits.MaxDuration
	}
	return l
}

// MaxBytes is the largest upload of any kind the service accepts.
func (s *Service) MaxBytes() int64 {
	l := s.Limits()
	return max(l.PictureBytes, l.VideoBytes)
}

// Now returns the service's current time.
func (s *Service) Now() time.Time { return s.now().UTC() }

// Channels returns every channel with what is visible in it now and its
// retention forecast.
func (s *Service) Channels(ctx context.Context) ([]chatpic.ChannelStats, error) {
	now := s.Now()
	chans, err := s.store.Channels(ctx, now)
	if err != nil {
		return nil, err
	}
	for i := range chans {
		if err := s.forecast(ctx, &chans[i], now); err != nil {
			return nil, err
		}
	}
	return chans, nil
}

// forecast fills in how long an upload made now is likely to stay.
func (s *Service) forecast(ctx context.Context, st *chatpic.ChannelStats, now time.Time) error {
	recent, err := s.store.RecentPostTimes(ctx, st.Slug, chatpic.ForecastSample, now)
	if err != nil {
		return err
	}
	st.Forecast, st.ForecastKnown = chatpic.Forecast(st.Channel, recent, now)
	return nil
}

// Channel returns one channel with its retention forecast, or a
// KindNotFound error.
func (s *Service) Channel(ctx context.Context, slug string) (chatpic.ChannelStats, error) {
	if err := chatpic.ValidateSlug(slug); err != nil {
		return chatpic.ChannelStats{}, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	now := s.Now()
	st, err := s.store.Channel(ctx, slug, now)
	if err != nil {
		return st, err
	}
	return st, s.forecast(ctx, &st, now)
}

// MaxPageSize is the most posts one page holds.
const MaxPageSize = 100

// Page is one page of a channel.
type Page struct {
	Posts []chatpic.Post
	// Next is the cursor of the following page, in the page's sort, ""
	// if there is none.
	Next string
}

// Posts returns up to limit visible posts of a channel in the order sort,
// after the cursor (the zero Cursor: from the start). limit is clamped to
// 1..MaxPageSize. It returns a KindNotFound error if the channel does not
// exist.
func (s *Service) Posts(ctx context.Context, slug string, sort chatpic.Sort, after chatpic.Cursor, limit int) (Page, error) {
	if _, err := s.Channel(ctx, slug); err != nil {
		return Page{}, err
	}
	limit = min(max(limit, 1), MaxPageSize)
	// Ask for one more than shown to learn whether another page exists.
	posts, err := s.store.Posts(ctx, slug, sort, after, limit+1, s.Now())
	if err != nil {
		return Page{}, err
	}
	var page Page
	if len(posts) > limit {
		posts = posts[:limit]
		last := posts[limit-1]
		page.Next = chatpic.Cursor{Score: last.Score, Seq: last.Seq}.Format(sort)
	}
	page.Posts = posts
	return page, nil
}

// Post returns a visible post, a KindGone error with the reason, or
// KindNotFound.
func (s *Service) Post(ctx context.Context, id string) (chatpic.Post, error) {
	if !chatpic.ValidID(id) {
		return chatpic.Post{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	p, err := s.store.Post(ctx, id, s.Now())
	if err != nil {
		return p, err
	}
	return p, p.Unavailable()
}

// Delete deletes a post if token is its delete token. It returns KindForbidden
// for a wrong token, and KindGone or KindNotFound as Post does.
func (s *Service) Delete(ctx context.Context, id, token string) error {
	p, err := s.Post(ctx, id)
	if err != nil {
		return err
	}
	if !chatpic.TokenMatches(token, p.DeleteTokenHash) {
		return chatpic.Errorf(chatpic.KindForbidden, "that delete token is not right for this upload")
	}
	p, err = s.store.DeletePost(ctx, id, chatpic.ReasonDeleted, s.Now())
	if err != nil {
		return err
	}
	s.log.Info("post deleted by uploader", "post", p.ID, "channel", p.Channel)
	s.Gone(ctx, chatpic.ReasonDeleted, p)
	s.removeFiles(context.WithoutCancel(ctx), p)
	return nil
}

// View returns a visible post as Post does, counting the view if the post
// self-destructs after a number of views: ViewsLeft in the result is what
// is left after this view (0 for no limit or when this was the last).
func (s *Service) View(ctx context.Context, id string) (chatpic.Post, error) {
	if !chatpic.ValidID(id) {
		return chatpic.Post{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	p, err := s.store.PostInGrace(ctx, id, s.Now())
	if err != nil {
		return p, err
	}
	if err := p.Unavailable(); err != nil {
		return p, err
	}
	p, err = s.store.CountView(ctx, id, s.Now())
	if err == nil && p.ViewsLeft > 0 {
		p.ViewsLeft--
	}
	return p, err
}

// Ticket returns what the page of a counted view appends to the media
// links of a self-destructing post, so loading them counts no more views.
func (s *Service) Ticket(p chatpic.Post) string {
	return s.keys.Ticket(p, s.Now())
}

// MediaFile looks up the media file (or with thumb, the thumbnail) of a
// visible post and returns the post and the file's key, for OpenFile or
// for a caller that sends the client elsewhere to fetch it; ext must be
// the one the post was stored with. For a post that self-destructs after
// a number of views, a fetch without a valid ticket (see Ticket) counts as
// a view. Errors are as Post's, and KindNotFound for a wrong extension.
func (s *Service) MediaFile(ctx context.Context, id, ext string, thumb bool, ticket string) (chatpic.Post, string, error) {
	if !chatpic.ValidID(id) {
		return chatpic.Post{}, "", chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	now := s.Now()
	p, err := s.store.PostInGrace(ctx, id, now)
	if err != nil {
		return p, "", err
	}
	if err := p.Unavailable(); err != nil {
		return p, "", err
	}
	key, want := p.MediaKey(), p.Ext
	if thumb {
		key, want = p.ThumbKey(), p.ThumbExt
	}
	if ext != want {
		return p, "", chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	}
	if p.ViewsLeft != 0 && !s.keys.TicketValid(p, ticket, now) {
		if p, err = s.store.CountView(ctx, id, now); err != nil {
			return p, "", err
		}
	}
	return p, key, nil
}

// OpenFile opens the file under key, as MediaFile returned it. The caller
// closes the object. A missing file is KindNotFound.
func (s *Service) OpenFile(ctx context.Context, key string) (blob.Object, error) {
	obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		if chatpic.ErrorKind(err) == chatpic.KindNotFound {
			return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
		}
		return nil, chatpic.Internal(fmt.Errorf("posting: open %s: %w", key, err))
	}
	return obj, nil
}

// removeFiles deletes a gone post's media and thumbnail. A failure is logged;
// the janitor removes files that no row references.
func (s *Service) removeFiles(ctx context.Context, posts ...chatpic.Post) {
	for _, p := range posts {
		for _, key := range []string{p.MediaKey(), p.ThumbKey()} {
			if err := s.blobs.Delete(ctx, key); err != nil {
				s.log.Error("delete file of gone post", "key", key, "err", err)
			}
		}
	}
}
