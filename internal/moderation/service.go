package moderation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"log/slog"
	"net/netip"
	"net/url"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/limit"
)

// Store is the metadata this package needs. *sqlstore.Store implements it.
type Store interface {
	GuardStore
	HashStore
	ChannelStore
	AlertStore
	Post(ctx context.Context, id string, now time.Time) (chatpic.Post, error)
	PostInGrace(ctx context.Context, id string, now time.Time) (chatpic.Post, error)
	Comment(ctx context.Context, id string) (chatpic.Comment, error)
	Channel(ctx context.Context, slug string, now time.Time) (chatpic.ChannelStats, error)
	ChannelSettings(ctx context.Context, slug string) (chatpic.Channel, error)

	AddReport(ctx context.Context, r chatpic.Report, receipt []byte, now time.Time) (chatpic.ReportResult, error)
	Receipt(ctx context.Context, hash []byte) (chatpic.Receipt, error)
	Queue(ctx context.Context, limit int, now time.Time) ([]chatpic.QueueItem, error)
	OpenReasons(ctx context.Context, postID, commentID string) (map[chatpic.ReportReason]int, error)
	RemovePost(ctx context.Context, id, statement string, audit chatpic.AuditEntry, now time.Time) (chatpic.Post, error)
	RemoveFile(ctx context.Context, id string, n int, statement string, audit chatpic.AuditEntry, now time.Time) (chatpic.Post, bool, error)
	RestorePost(ctx context.Context, id string, audit chatpic.AuditEntry, now time.Time) (chatpic.Post, error)
	SetCommentStatus(ctx context.Context, id string, status chatpic.Status, audit chatpic.AuditEntry, now time.Time) (chatpic.Comment, error)
	BanClient(ctx context.Context, client []byte, expires time.Time, audit chatpic.AuditEntry) error
	SetChannelLocked(ctx context.Context, slug string, locked bool, audit chatpic.AuditEntry) error
	UpdateChannelAudited(ctx context.Context, c chatpic.Channel, audit chatpic.AuditEntry, now time.Time) ([]chatpic.Post, error)
	AddHashBans(ctx context.Context, bans []chatpic.HashBan, audit chatpic.AuditEntry) (int, error)
	AddAudit(ctx context.Context, e chatpic.AuditEntry) error
	Audit(ctx context.Context, before int64, limit int) ([]chatpic.AuditEntry, error)
	Transparency(ctx context.Context, since time.Time) ([]chatpic.Month, error)

	CreateModerator(ctx context.Context, m chatpic.Moderator, passwordHash string) error
	DeleteModerator(ctx context.Context, name string) error
	Moderators(ctx context.Context) ([]chatpic.Moderator, error)
	ModeratorPassword(ctx context.Context, name string) (chatpic.Moderator, string, error)
	SetModeratorToken(ctx context.Context, name string, hash []byte, now time.Time) error
	CreateSession(ctx context.Context, hash []byte, name string, now, expires time.Time) error
	DeleteSession(ctx context.Context, hash []byte) error
	Authenticate(ctx context.Context, hash []byte, session bool, now time.Time) (chatpic.Moderator, error)
}

// Announcer tells live pages what moderation changed, and lets go of the
// files of uploads it took down. *posting.Service implements it.
type Announcer interface {
	// Discard announces that posts are gone and deletes their files.
	Discard(ctx context.Context, reason chatpic.GoneReason, posts ...chatpic.Post)
	// FileRemoved announces that the nth file of p (as it is now, with
	// that file marked Removed) was removed, and deletes that file.
	FileRemoved(ctx context.Context, p chatpic.Post, n int)
	Hidden(ctx context.Context, p chatpic.Post)
	Appeared(ctx context.Context, p chatpic.Post)
}

// Config sets up the Service.
type Config struct {
	// SessionLife is how long a moderator stays signed in.
	SessionLife time.Duration
	// Accounts bounds sign-in attempts per moderator account.
	Accounts limit.Rule
	// Meter, if set, counts the reports filed, by reason.
	Meter interface {
		Report(reason chatpic.ReportReason)
	}
	// Alerts, if set, is told when an ncii or illegal report hides
	// something, and by CheckQueue when the queue waits too long.
	Alerts Alerter
}

// DefaultSessionLife is how long a moderator session lasts by default.
const DefaultSessionLife = 12 * time.Hour

// Service runs the moderation use-cases. It is safe for concurrent use.
type Service struct {
	store     Store
	blobs     blob.Store
	log       *slog.Logger
	now       func() time.Time
	keys      *keyring.Ring
	guard     *Guard
	hashes    *HashList
	announce  Announcer
	cfg       Config
	accounts  rates         // sign-in attempts per account
	passwords chan struct{} // bounds concurrent argon2id checks (64 MiB each)
}

// New returns a Service.
func New(store Store, blobs blob.Store, log *slog.Logger, now func() time.Time, keys *keyring.Ring,
	guard *Guard, hashes *HashList, announce Announcer, cfg Config) *Service {
	if cfg.SessionLife <= 0 {
		cfg.SessionLife = DefaultSessionLife
	}
	if cfg.Accounts.Events == 0 {
		cfg.Accounts = limit.Rule{Events: 10, Per: 15 * time.Minute}
	}
	return &Service{store: store, blobs: blobs, log: log, now: now, keys: keys, guard: guard, hashes: hashes,
		announce: announce, cfg: cfg, accounts: guard.newRates("account", cfg.Accounts, 10_000), passwords: make(chan struct{}, 2)}
}

func (s *Service) clock() time.Time { return s.now().UTC() }

// Target names what a report is about: an upload, one file of it, or a
// comment on it.
type Target struct {
	PostID    string
	CommentID string // "" for the upload itself
	// File is the number of the file of an album the report is about,
	// counting from 1; 0 for the whole upload.
	File int
}

// Filed is the answer to a report.
type Filed struct {
	// Receipt is a code to follow the report at /report/status/{code};
	// shown once, only its hash is kept.
	Receipt string
	Hidden  bool // the report hid its target
}

// Report files client's report of t. An ncii or illegal report hides the
// target at once; other reasons hide it once the channel's threshold of
// distinct reporters agree. A report of one file of an album hides the
// whole upload so (see sqlstore.Store.AddReport): the moderators decide
// about the file. Errors: KindInvalid (reason, note, a file number the
// upload does not have, a file of a comment), KindNotFound, KindGone
// (of the upload, or of a file removed already), KindRateLimited.
func (s *Service) Report(ctx context.Context, t Target, reason, note string, client netip.Addr) (Filed, error) {
	r, err := chatpic.ParseReportReason(reason)
	if err != nil {
		return Filed{}, err
	}
	if note, err = chatpic.CleanNote(note, chatpic.MaxReportNote); err != nil {
		return Filed{}, err
	}
	if t.CommentID != "" && !chatpic.ValidID(t.CommentID) {
		return Filed{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such comment")
	}
	if t.File != 0 && t.CommentID != "" {
		return Filed{}, chatpic.Errorf(chatpic.KindInvalid, "a report names a comment or a file, not both")
	}
	if t.PostID == "" && t.CommentID != "" {
		c, err := s.store.Comment(ctx, t.CommentID)
		if err != nil {
			return Filed{}, err
		}
		t.PostID = c.PostID
	}
	if !chatpic.ValidID(t.PostID) {
		return Filed{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	if err := s.guard.Allow(ctx, chatpic.ActionReport, client); err != nil {
		return Filed{}, err
	}
	now := s.clock()
	p, err := s.store.PostInGrace(ctx, t.PostID, now)
	if err != nil {
		return Filed{}, err
	}
	if t.File != 0 {
		it, ok := p.File(t.File)
		switch {
		case !ok:
			return Filed{}, chatpic.Errorf(chatpic.KindInvalid, "this upload has no file %d: it has %d", t.File, p.Files())
		case it.Removed:
			return Filed{}, chatpic.Gone(chatpic.ReasonRemoved, "this file was removed from its upload")
		case !p.IsAlbum():
			t.File = 0 // the only file is the upload
		}
	}
	code, hash := newReceipt()
	res, err := s.store.AddReport(ctx, chatpic.Report{
		PostID: t.PostID, CommentID: t.CommentID, File: t.File, Reason: r, Note: note,
		Reporter: s.keys.Reporter(p, t.CommentID, client, now), CreatedAt: now.Truncate(time.Millisecond),
	}, hash, now)
	if err != nil {
		return Filed{}, err
	}
	if s.cfg.Meter != nil {
		s.cfg.Meter.Report(r)
	}
	if res.Hidden {
		s.log.Info("hidden by reports", "post", t.PostID, "comment", t.CommentID, "reason", r, "reporters", res.Reporters)
		if r.HidesAtOnce() && s.cfg.Alerts != nil {
			s.cfg.Alerts.UrgentReport(r, t.CommentID != "", now)
		}
		if t.CommentID == "" {
			s.announce.Hidden(ctx, p)
		}
	}
	return Filed{Receipt: code, Hidden: res.Hidden}, nil
}

// ReportLink is Report for a link to an upload (its page, media or
// thumbnail URL, or its bare ID), as pasted by someone who is not on the
// site. A link to a comment (/p/{id}#id-{comment}) reports the comment;
// a media or thumbnail link to one file of an album (/m/{id}-2.jpg)
// reports that file.
//
// file names the file of an album for a link that names none (a page
// link, or a bare ID); 0 for none. A link to a file and another file
// number are KindInvalid.
func (s *Service) ReportLink(ctx context.Context, link string, file int, reason, note string, client netip.Addr) (Filed, error) {
	t, ok := ParseLink(link)
	if !ok {
		return Filed{}, chatpic.Errorf(chatpic.KindInvalid, "paste the link to the upload, such as https://example.org/p/AbC...")
	}
	switch {
	case file == 0:
	case t.File == 0:
		t.File = file
	case t.File != file:
		return Filed{}, chatpic.Errorf(chatpic.KindInvalid, "the link is to file %d of the upload, not file %d", t.File, file)
	}
	return s.Report(ctx, t, reason, note, client)
}

// ParseLink finds the upload (and comment, or file) a pasted link points
// at. A media or thumbnail link names its file, 1 for /m/{id}.{ext}; a
// page link names the whole upload.
func ParseLink(link string) (Target, bool) {
	link = strings.TrimSpace(link)
	if chatpic.ValidID(link) {
		return Target{PostID: link}, true
	}
	u, err := url.Parse(link)
	if err != nil || len(link) > 2000 {
		return Target{}, false
	}
	path := strings.TrimSuffix(u.Path, "/")
	var t Target
	switch {
	case strings.HasPrefix(path, "/p/"):
		t.PostID = strings.TrimPrefix(path, "/p/")
		if c, ok := strings.CutPrefix(u.Fragment, "id-"); ok && chatpic.ValidID(c) {
			t.CommentID = c
		}
	case strings.HasPrefix(path, "/m/"), strings.HasPrefix(path, "/t/"):
		name, _, _ := strings.Cut(path[3:], ".")
		id, n, ok := chatpic.ParseFileName(name)
		if !ok {
			return Target{}, false
		}
		t.PostID, t.File = id, n
	}
	return t, chatpic.ValidID(t.PostID)
}

var receiptEncoding = base32.NewEncoding("ABCDEFGHJKLMNPQRSTUVWXYZ23456789").WithPadding(base32.NoPadding)

// newReceipt returns a random receipt code (80 bits, as four groups of
// four characters) and the hash that is stored.
func newReceipt() (string, []byte) {
	b := make([]byte, 10)
	rand.Read(b)
	s := receiptEncoding.EncodeToString(b)
	code := s[0:4] + "-" + s[4:8] + "-" + s[8:12] + "-" + s[12:16]
	return code, receiptHash(code)
}

func receiptHash(code string) []byte {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	h := sha256.Sum256([]byte("receipt\x00" + code))
	return h[:]
}

// ReceiptStatus is where a report stands, as its reporter may see it.
type ReceiptStatus struct {
	Received time.Time
	Reason   chatpic.ReportReason
	Comment  bool // the report was about a comment
	// State is one of "waiting" (nobody has decided yet), "hidden" (hidden
	// while waiting), "removed", "kept" (reviewed and left up), or "gone"
	// (the upload went for another reason: expired, deleted, ...).
	State     string
	Statement string // the moderators' statement of reasons for a removal
}

// Receipt returns where the report with the given receipt code stands, or
// KindNotFound.
func (s *Service) Receipt(ctx context.Context, code string) (ReceiptStatus, error) {
	if len(code) > 40 {
		return ReceiptStatus{}, chatpic.Errorf(chatpic.KindNotFound, "there is no report with that receipt code")
	}
	rc, err := s.store.Receipt(ctx, receiptHash(code))
	if err != nil {
		return ReceiptStatus{}, err
	}
	st := ReceiptStatus{Received: rc.CreatedAt, Reason: rc.Reason, Comment: rc.CommentID != ""}
	p, err := s.store.Post(ctx, rc.PostID, s.clock())
	switch {
	case chatpic.ErrorKind(err) == chatpic.KindGone:
		st.State = "gone"
		if chatpic.ErrorReason(err) == chatpic.ReasonRemoved {
			st.State, st.Statement = "removed", chatpic.ErrorStatement(err)
		}
		return st, nil
	case err != nil && chatpic.ErrorKind(err) != chatpic.KindNotFound:
		return st, err
	case err != nil:
		st.State = "gone"
		return st, nil
	}
	status := p.Status
	if rc.CommentID != "" {
		c, err := s.store.Comment(ctx, rc.CommentID)
		if err != nil {
			st.State = "gone"
			return st, nil
		}
		status = c.Status
	}
	switch {
	case status == chatpic.StatusRemoved:
		st.State = "removed"
	case status == chatpic.StatusHidden:
		st.State = "hidden"
	case rc.Open > 0 || rc.Outcome == "":
		st.State = "waiting"
	default:
		st.State = rc.Outcome
	}
	return st, nil
}

// Transparency returns the public moderation figures of the last twelve
// months, newest first.
func (s *Service) Transparency(ctx context.Context) ([]chatpic.Month, error) {
	now := s.clock()
	since := time.Date(now.Year(), now.Month()-11, 1, 0, 0, 0, 0, time.UTC)
	return s.store.Transparency(ctx, since)
}

// Challenge returns a fresh proof-of-work challenge for a channel, saying
// whether one is needed now. Errors: KindNotFound.
func (s *Service) Challenge(ctx context.Context, slug string) (Challenge, error) {
	if slug != chatpic.LinkOnly {
		if err := chatpic.ValidateSlug(slug); err != nil {
			return Challenge{}, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
		}
	}
	ch, err := s.store.ChannelSettings(ctx, slug)
	if err != nil {
		return Challenge{}, err
	}
	return s.guard.Challenge(ctx, ch)
}
