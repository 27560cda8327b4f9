// Package posting is the heart of chatpic: it takes uploads into channels,
// serves them back, and lets their uploaders delete them. It orchestrates the
// metadata store, the blob store and the media pipeline; the web pages and the
// JSON API are both thin layers over it.
package posting

import (
	"context"
	"errors"
	"log/slog"
	"net/netip"
	"os"
	"runtime"
	"runtime/debug"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/codecs"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/worker"
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

// Codecs runs the heavy, untrusted decoders (HEIC, AVIF, video) outside
// the server's process, each call bounded in time and memory by b.
// *codecs.Client implements it.
type Codecs interface {
	// ConvertHEIF decodes the HEIC or AVIF picture at src and writes it to
	// dst as a JPEG or PNG (see codecs.Client.ConvertHEIF).
	ConvertHEIF(ctx context.Context, src, dst string, maxPixels int64, b worker.Limits) (codecs.Converted, error)
	// ProcessVideo checks and remuxes the clip at src into dst and writes
	// its poster frame (see video.Runner.Process).
	ProcessVideo(ctx context.Context, src, dst, poster string, lim video.Limits, b worker.Limits) (video.Result, error)
}

// Meter counts uploads. *meter.Meter implements it.
type Meter interface {
	Upload(format string, took time.Duration)
	Refused(k chatpic.Kind)
}

// Config bounds uploads.
type Config struct {
	// Meter, if set, counts uploads accepted (by the format they came in,
	// with how long they took) and refused (by the error's kind).
	Meter    Meter
	MaxBytes int64        // largest accepted picture file
	Media    media.Limits // what the decoder accepts
	// Codecs decodes HEIC, AVIF and video; nil means the server takes
	// none of them.
	Codecs Codecs
	// NoVideo refuses videos even with Codecs set.
	NoVideo     bool
	VideoLimits video.Limits
	TempDir     string // where uploads are spooled; "" for the system default
	// Workers bounds how many pictures are decoded in this process at
	// once; 0 means one per CPU.
	Workers int
	// UploadsPerClient and UploadsInFlight bound the uploads being
	// received or processed at once, per client and in all (see Admit);
	// 0 means DefaultUploadsPerClient and DefaultUploadsInFlight.
	UploadsPerClient, UploadsInFlight int
	// UploadRate is the least average pace of an upload's body, in bytes a
	// second, after UploadGrace: a body that falls behind is cut off. 0
	// means DefaultUploadRate, a negative value no minimum.
	UploadRate  int64
	UploadGrace time.Duration
	// Memory bounds the memory that media work may need at once, in this
	// process and its workers together, by estimates made from each file's
	// headers; work past it waits (see budget). 0 means DefaultMemory.
	Memory int64
	// DecodeTimeout is how long one decode may take per started 10 MB of
	// its file (so a 4 MB HEIC gets it once, a 25 MB clip three times);
	// past it the work is abandoned and the upload refused. 0 means
	// DefaultDecodeTimeout.
	DecodeTimeout time.Duration
	// QueueTimeout is how long an upload may wait for memory or a worker
	// before it is refused as overloaded (503 with Retry-After). 0 means
	// DefaultQueueTimeout.
	QueueTimeout time.Duration
	// Keys derives poster IDs and vote keys; nil means a fresh keyring.Ring.
	Keys *keyring.Ring
	// Events receives live updates; nil means none are sent.
	Events Publisher
	// Guard admits or refuses what clients do (rate limits, bans, the
	// challenge); nil admits everything.
	Guard Guard
	// Screen checks new uploads against the banned hashes; nil checks
	// nothing.
	Screen Screen
}

// releaseAfter is how long media work must have stopped before the memory
// it took is given back to the system.
const releaseAfter = 10 * time.Second

// Defaults for Config.
const (
	// DefaultMemory suits a machine with 1 GB: the server's own ~50 MB
	// beside it, and room for a 24-megapixel HEIC or a 12-megapixel AVIF
	// decode with JPEGs decoded beside it.
	DefaultMemory        = 768_000_000
	DefaultDecodeTimeout = time.Minute
	DefaultQueueTimeout  = 2 * time.Minute
)

// Guard decides whether a client may do something. *moderation.Guard
// implements it.
type Guard interface {
	// Admit decides an upload or comment into ch (see moderation.Guard).
	Admit(ctx context.Context, a chatpic.Action, ch chatpic.Channel, client netip.Addr, proof string) error
	// Enter, Open and Prove are Admit's three parts: what is known from
	// the client alone, from the channel, and from the proof of work.
	Enter(ctx context.Context, a chatpic.Action, client netip.Addr) error
	Open(ch chatpic.Channel) error
	Prove(ctx context.Context, a chatpic.Action, ch chatpic.Channel, proof string) error
	// Allow counts an action against the client's rate limit, and
	// Forgive clears the count (a right password after wrong ones).
	Allow(ctx context.Context, a chatpic.Action, client netip.Addr) error
	Forgive(ctx context.Context, a chatpic.Action, client netip.Addr) error
}

// Screen refuses uploads whose hashes are banned. *moderation.HashList
// implements it.
type Screen interface {
	// Screen returns a KindForbidden error if any of sums (SHA-256) or
	// of the PDQ hashes (the eight orientations of the picture; none for
	// a picture too plain to be matched on) matches a ban.
	Screen(ctx context.Context, sums [][32]byte, pdqs []pdq.Hash) error
}

// Service runs the posting use-cases. It is safe for concurrent use.
type Service struct {
	store Store
	blobs blob.Store
	log   *slog.Logger
	now   func() time.Time
	cfg   Config
	keys  *keyring.Ring
	// work is a semaphore: decoding a picture takes a CPU.
	work chan struct{}
	// mem admits media work by the memory it needs.
	mem *budget
	// inflight holds the places of uploads in flight.
	inflight *limit.Slots
	// release gives memory back to the system once media work stops.
	release *time.Timer
	// events, when set, shows every event in this process (see Watch).
	events observable
	watch  watchers
	// visible remembers posts whose files are asked for (see MediaFile).
	visible visibility
	// passwords bounds the argon2id hashes made or checked at once for
	// locked uploads (64 MiB each).
	passwords chan struct{}
	// failWrite, set only by tests, fails writes to temporary files at a
	// stage ("spool", "clean", "convert") with the error it returns.
	failWrite func(stage string) error
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
		cfg.Keys = keyring.New()
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
	if cfg.Memory <= 0 {
		cfg.Memory = DefaultMemory
	}
	if cfg.DecodeTimeout <= 0 {
		cfg.DecodeTimeout = DefaultDecodeTimeout
	}
	if cfg.QueueTimeout <= 0 {
		cfg.QueueTimeout = DefaultQueueTimeout
	}
	s := &Service{store: store, blobs: blobs, log: log, now: now, cfg: cfg, keys: cfg.Keys,
		work: make(chan struct{}, cfg.Workers), mem: newBudget(cfg.Memory, lightReserve(cfg.Memory)),
		inflight: newInflight(cfg), passwords: make(chan struct{}, 1)}
	// Decoding grows the heap; the runtime gives the pages back to the
	// system over several minutes. Once uploads have stopped for a while,
	// give them back at once, so an idle server stays small.
	s.release = time.AfterFunc(time.Hour, func() {
		if s.mem.quiet() {
			debug.FreeOSMemory()
		}
	})
	s.release.Stop()
	s.mem.idle = func() { s.release.Reset(releaseAfter) }
	if o, ok := cfg.Events.(observable); ok {
		s.events = o
		o.Observe(s.observe)
	}
	return s
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
	if s.takesVideo() {
		l.VideoBytes, l.VideoDuration = s.cfg.VideoLimits.MaxBytes, s.cfg.VideoLimits.MaxDuration
	}
	return l
}

func (s *Service) takesVideo() bool { return s.cfg.Codecs != nil && !s.cfg.NoVideo }

// MaxBytes is the largest upload of any kind the service accepts.
func (s *Service) MaxBytes() int64 {
	l := s.Limits()
	return max(l.PictureBytes, l.VideoBytes)
}

// UploadBytes is the most the files of one upload may hold together: an
// album of MaxFiles pictures, or one video, whichever is larger. Each
// file keeps its own limit.
func (s *Service) UploadBytes() int64 {
	l := s.Limits()
	return max(l.PictureBytes*chatpic.MaxFiles, l.VideoBytes)
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

// Owned returns the post if token is its delete token, changing nothing,
// so that a page can ask its uploader to confirm a deletion. It returns
// KindForbidden for a wrong token, as Delete does, and KindGone or
// KindNotFound as Post does.
func (s *Service) Owned(ctx context.Context, id, token string) (chatpic.Post, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return p, err
	}
	if !chatpic.TokenMatches(token, p.DeleteTokenHash) {
		return chatpic.Post{}, chatpic.Errorf(chatpic.KindForbidden, "that delete token is not right for this upload")
	}
	return p, nil
}

// Delete deletes a post if token is its delete token. It returns KindForbidden
// for a wrong token, and KindGone or KindNotFound as Post does.
func (s *Service) Delete(ctx context.Context, id, token string) error {
	p, err := s.Owned(ctx, id, token)
	if err != nil {
		return err
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

// Viewing is one view of a self-destructing upload, spent by a person
// (see View).
type Viewing struct {
	// Post is the upload as it was before this view: Post.ViewsLeft
	// counts this view. For an upload without a view limit it is 0 and
	// nothing was spent.
	Post chatpic.Post
	// Left is how many views are left after this one: 0 when this was
	// the last, after which the upload answers as gone (except to this
	// view's ticket, for its short life).
	Left int
	// Ticket, for an upload with a view limit, is what this view's media
	// links carry (as ?v=TICKET) so that they show the picture; see
	// MediaFile. It stays good for two to four minutes (see
	// keyring.Ring.Ticket).
	Ticket string
}

// ErrViewFirst is the cause of the error MediaFile returns for the file of
// an upload with a view limit, or locked with a password, fetched without
// a valid ticket: nothing is spent, and the file is not shown, until a
// person chooses to spend a view (or gives the password) on the upload's
// page. Test for it with errors.Is.
var ErrViewFirst = errors.New("posting: a view-limited upload's files need the ticket of a spent view")

// View spends one view of a visible upload that self-destructs after a
// number of views, and returns it with the ticket its media links carry.
// It is what a person's deliberate action calls (the page's "View it now"
// button, POST /api/v1/posts/{id}/views); reading the post (Post) or its
// files without a ticket (MediaFile) never spends anything, so link
// previews, mail scanners and crawlers cannot. An upload locked with a
// password is opened only with secret, checked first (see unlock) and
// before any view is spent; it gets a ticket even without a view limit.
// An upload that is neither is returned as Post returns it, with nothing
// spent and no ticket. Concurrent views take turns: only one of them is
// the last. Errors are as Post's and unlock's (after which the Viewing
// still holds the post, for its form to be shown again); the view after
// the last is KindGone.
func (s *Service) View(ctx context.Context, id, secret string, client netip.Addr) (Viewing, error) {
	p, err := s.Post(ctx, id)
	if err != nil {
		return Viewing{Post: p}, err
	}
	if p.Locked() {
		if err := s.unlock(ctx, p, secret, client); err != nil {
			return Viewing{Post: p}, err
		}
	}
	now := s.Now()
	if p.ViewsLeft != 0 {
		if p, err = s.store.CountView(ctx, id, now); err != nil {
			return Viewing{}, err
		}
		if p.ViewsLeft != 0 {
			s.log.Info("view spent", "post", p.ID, "left", p.ViewsLeft-1)
			return Viewing{Post: p, Left: p.ViewsLeft - 1, Ticket: s.keys.Ticket(p, now)}, nil
		}
	}
	// No view limit (or none after all): nothing spent, and a ticket only
	// for the files of a locked upload.
	v := Viewing{Post: p}
	if p.Locked() {
		v.Ticket = s.keys.Ticket(p, now)
	}
	return v, nil
}

// Ticket returns a ticket for the media links of p that the uploader's own
// page carries, right after the upload, so that showing the picture to the
// person who sent it spends none of its views.
func (s *Service) Ticket(p chatpic.Post) string {
	return s.keys.Ticket(p, s.Now())
}

// File is one file of a post, as MediaFile finds it.
type File struct {
	Post chatpic.Post
	N    int // its number in the post, counting from 1
	Item chatpic.Item
	// Key is the blob-store key of the file or thumbnail asked for.
	Key string
}

// MediaFile looks up a file of a visible post (or with thumb, its
// thumbnail) by its name (chatpic.Post.FileName) and extension, which
// must be the one it was stored with, and returns it with the blob key,
// for OpenFile or for a caller that sends the client elsewhere to fetch
// it. It never spends a view: the file of a post with a view limit is
// found only with the ticket of a view (View), and without one MediaFile
// returns a KindForbidden error wrapping ErrViewFirst, or KindGone once
// the views are used up. A file that moderation removed from its album is
// KindGone (removed). Other errors are as Post's, and KindNotFound for a
// wrong name or extension.
func (s *Service) MediaFile(ctx context.Context, name, ext string, thumb bool, ticket string) (File, error) {
	id, n, ok := chatpic.ParseFileName(name)
	if !ok {
		return File{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	now := s.Now()
	p, ok := s.visible.get(id, now)
	if !ok || p.Expired(now) {
		// In the grace after the last view, its ticket still shows the
		// file.
		var err error
		if p, err = s.store.PostInGrace(ctx, id, now); err != nil {
			return File{Post: p}, err
		}
		if p.Visible() && p.ViewsLeft == 0 {
			s.visible.put(p, now)
		}
	}
	f := File{Post: p, N: n}
	if err := p.Unavailable(); err != nil {
		return f, err
	}
	if f.Item, ok = p.File(n); !ok {
		return f, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	}
	key, want := p.FileKey(n, false), f.Item.Ext
	if thumb {
		key, want = p.FileKey(n, true), f.Item.ThumbExt
	}
	switch {
	case ext != want:
		return f, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	case f.Item.Removed:
		return f, chatpic.Gone(chatpic.ReasonRemoved, "this file was removed from its upload")
	}
	switch {
	case !p.Gated() || s.keys.TicketValid(p, ticket, now):
		f.Key = key
		return f, nil
	case p.ViewsLeft < 0:
		return f, chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
	case p.ViewsLeft == 0: // locked
		return f, &chatpic.Error{Kind: chatpic.KindForbidden, Err: ErrViewFirst,
			Message: "this upload is locked with a password: open its page to give it"}
	}
	return f, &chatpic.Error{Kind: chatpic.KindForbidden, Err: ErrViewFirst,
		Message: "this upload vanishes after it has been viewed: open its page to view it"}
}

// OpenFile opens the file under key, as MediaFile returned it. The caller
// closes the object. A missing file is KindNotFound.
func (s *Service) OpenFile(ctx context.Context, key string) (blob.Object, error) {
	obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		if chatpic.ErrorKind(err) == chatpic.KindNotFound {
			return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
		}
		return nil, mediaStoreErr("open "+key, err)
	}
	return obj, nil
}

// FileMissing answers for the post id whose file, as MediaFile named it,
// is not in the blob store: the post may have gone on another instance,
// which deleted its files, before this instance heard of it. It forgets
// what it remembered of the post and returns the store's word: the post's
// gone error if it is gone (410 for the client, as it will be once the
// event arrives), else KindNotFound.
func (s *Service) FileMissing(ctx context.Context, id string) error {
	s.visible.drop(PostTopic(id))
	p, err := s.store.PostInGrace(ctx, id, s.Now())
	if err != nil {
		return err
	}
	if err := p.Unavailable(); err != nil {
		return err
	}
	return chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
}

// removeFiles deletes a gone post's media and thumbnail. A failure is logged;
// the janitor removes files that no row references.
func (s *Service) removeFiles(ctx context.Context, posts ...chatpic.Post) {
	for _, p := range posts {
		for _, key := range p.Keys() {
			if err := s.blobs.Delete(ctx, key); err != nil {
				s.log.Error("delete file of gone post", "key", key, "err", err)
			}
		}
	}
}
