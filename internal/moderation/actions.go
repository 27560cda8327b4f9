package moderation

import (
	"context"
	"fmt"
	"image"
	_ "image/gif" // thumbnail formats, for hashing a removed picture
	_ "image/jpeg"
	_ "image/png"
	"io"
	"time"

	_ "golang.org/x/image/webp"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/pdq"
)

// MaxStatement is the longest statement of reasons, in characters.
const MaxStatement = 500

// Item is a queue item with what the ban lists say about it.
type Item struct {
	chatpic.QueueItem
	// HashMatch is true when the upload matches a banned hash (a list
	// imported after it arrived, say).
	HashMatch bool
}

// Queue returns up to limit items waiting for a moderator, most serious
// and newest first. Errors: KindUnauthorized.
func (s *Service) Queue(ctx context.Context, by chatpic.Moderator, limit int) ([]Item, error) {
	if err := requireModerator(by); err != nil {
		return nil, err
	}
	if err := s.hashes.Sync(ctx); err != nil {
		return nil, err
	}
	items, err := s.store.Queue(ctx, min(max(limit, 1), 500), s.clock())
	if err != nil {
		return nil, err
	}
	out := make([]Item, len(items))
	for i, q := range items {
		out[i].QueueItem = q
		if q.Comment == nil {
			var hash []byte
			if q.Post.PDQQuality >= pdq.MinQuality {
				hash = q.Post.PDQ
			}
			_, out[i].HashMatch = s.hashes.Check([][32]byte{q.Post.SHA256}, hash)
		}
	}
	return out, nil
}

// Removal is a moderator's decision to take something down.
type Removal struct {
	// Statement is the reason given, shown on the upload's tombstone.
	Statement string
	// Category is the report reason it falls under, for the transparency
	// figures; "" takes the most serious open report's, or other.
	Category chatpic.ReportReason
	// Ban also bans the picture's hashes so it cannot come back.
	Ban bool
}

// RemovePost removes an upload with its files; its page becomes a
// tombstone with the statement of reasons. With r.Ban, its SHA-256 and
// the PDQ hashes of all eight orientations are banned. Errors:
// KindUnauthorized, KindInvalid, KindNotFound, KindGone.
func (s *Service) RemovePost(ctx context.Context, by chatpic.Moderator, id string, r Removal) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	statement, err := chatpic.CleanNote(r.Statement, MaxStatement)
	if err != nil {
		return err
	}
	if r.Category != "" {
		if _, err := chatpic.ParseReportReason(string(r.Category)); err != nil {
			return err
		}
	}
	if !chatpic.ValidID(id) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	now := s.clock()
	p, err := s.store.PostInGrace(ctx, id, now)
	if err != nil {
		return err
	}
	if r.Category == "" {
		if r.Category, err = s.category(ctx, id); err != nil {
			return err
		}
	}
	var bans []chatpic.HashBan
	if r.Ban {
		// Hash before the files go.
		bans = s.bansFor(ctx, p, now)
	}
	ctx = context.WithoutCancel(ctx)
	p, err = s.store.RemovePost(ctx, id, statement, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: "remove_post", Target: id, Reason: statement, Category: r.Category,
	}, now)
	if err != nil {
		return err
	}
	if len(bans) > 0 {
		n, err := s.store.AddHashBans(ctx, bans, chatpic.AuditEntry{
			At: now, Moderator: by.Name, Action: "ban_hashes", Target: id, Reason: fmt.Sprintf("%d hashes", len(bans)),
		})
		if err != nil {
			return err
		}
		s.log.Info("hashes banned", "post", id, "new", n)
	}
	s.log.Info("post removed", "post", id, "moderator", by.Name, "category", r.Category, "ban", r.Ban)
	s.announce.Discard(ctx, chatpic.ReasonRemoved, p)
	return nil
}

// category returns the most serious reason among an upload's open
// reports, or other.
func (s *Service) category(ctx context.Context, id string) (chatpic.ReportReason, error) {
	reasons, err := s.store.OpenReasons(ctx, id, "")
	if err != nil {
		return "", err
	}
	best := chatpic.ReasonOther
	for r := range reasons {
		if r.Severity() > best.Severity() {
			best = r
		}
	}
	return best, nil
}

// bansFor returns the hashes that keep p from coming back: its stored
// file's SHA-256, its PDQ hash, and the PDQ hashes of the eight
// orientations of its thumbnail (so a mirrored or rotated copy matches).
func (s *Service) bansFor(ctx context.Context, p chatpic.Post, now time.Time) []chatpic.HashBan {
	ban := func(kind chatpic.HashKind, h []byte) chatpic.HashBan {
		return chatpic.HashBan{Kind: kind, Hash: h, Note: "removed " + p.ID, Source: "removal", CreatedAt: now}
	}
	bans := []chatpic.HashBan{ban(chatpic.HashSHA256, p.SHA256[:])}
	if len(p.PDQ) == 32 && p.PDQQuality >= pdq.MinQuality {
		bans = append(bans, ban(chatpic.HashPDQ, p.PDQ))
	}
	img, err := s.decodeThumb(ctx, p)
	if err != nil {
		s.log.Error("hash removed picture", "post", p.ID, "err", err)
		return bans
	}
	hashes, _ := pdq.Dihedral(img)
	for _, h := range hashes {
		bans = append(bans, ban(chatpic.HashPDQ, h[:]))
	}
	return bans
}

func (s *Service) decodeThumb(ctx context.Context, p chatpic.Post) (img image.Image, err error) {
	obj, err := s.blobs.Open(ctx, p.ThumbKey())
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	defer func() {
		if recover() != nil {
			img, err = nil, fmt.Errorf("moderation: thumbnail of %s does not decode", p.ID)
		}
	}()
	cfg, _, err := image.DecodeConfig(obj)
	if err != nil {
		return nil, err
	}
	if cfg.Width*cfg.Height > 4096*4096 {
		return nil, fmt.Errorf("moderation: thumbnail of %s is too large", p.ID)
	}
	if _, err := obj.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	img, _, err = image.Decode(obj)
	return img, err
}

// RestorePost shows a hidden or pending upload again and closes its
// reports as kept. Errors: KindUnauthorized, KindInvalid, KindNotFound,
// KindGone.
func (s *Service) RestorePost(ctx context.Context, by chatpic.Moderator, id, reason string) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return err
	}
	if !chatpic.ValidID(id) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	now := s.clock()
	before, err := s.store.PostInGrace(ctx, id, now)
	if err != nil {
		return err
	}
	p, err := s.store.RestorePost(ctx, id, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: "restore_post", Target: id, Reason: reason,
	}, now)
	if err != nil {
		return err
	}
	if !before.Visible() {
		s.announce.Appeared(ctx, p)
	}
	return nil
}

// RemoveComment removes a comment: its number stays, its body goes.
// Errors: KindUnauthorized, KindInvalid, KindNotFound, KindConflict.
func (s *Service) RemoveComment(ctx context.Context, by chatpic.Moderator, id string, r Removal) error {
	return s.setComment(ctx, by, id, chatpic.StatusRemoved, "remove_comment", r)
}

// RestoreComment shows a hidden or pending comment again. Errors as
// RemoveComment's.
func (s *Service) RestoreComment(ctx context.Context, by chatpic.Moderator, id, reason string) error {
	return s.setComment(ctx, by, id, chatpic.StatusVisible, "restore_comment", Removal{Statement: reason})
}

func (s *Service) setComment(ctx context.Context, by chatpic.Moderator, id string, status chatpic.Status, action string, r Removal) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	statement, err := chatpic.CleanNote(r.Statement, MaxStatement)
	if err != nil {
		return err
	}
	if !chatpic.ValidID(id) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such comment")
	}
	if status == chatpic.StatusRemoved && r.Category == "" {
		r.Category = chatpic.ReasonOther
	}
	_, err = s.store.SetCommentStatus(ctx, id, status, chatpic.AuditEntry{
		At: s.clock(), Moderator: by.Name, Action: action, Target: id, Reason: statement, Category: r.Category,
	}, s.clock())
	return err
}

// BanPoster bans the person behind an upload (or, with a comment ID, a
// comment) from uploading and commenting for as long as the client secret
// the upload was made under lives (a day by default). Errors:
// KindUnauthorized, KindNotFound, KindGone, KindConflict (the secret has
// rotated, so nobody can be recognised any more).
func (s *Service) BanPoster(ctx context.Context, by chatpic.Moderator, t Target, reason string) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return err
	}
	if !chatpic.ValidID(t.PostID) && !chatpic.ValidID(t.CommentID) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	now := s.clock()
	var key []byte
	var made time.Time
	target := t.PostID
	if t.CommentID != "" {
		c, err := s.store.Comment(ctx, t.CommentID)
		if err != nil {
			return err
		}
		key, made, target = c.ClientKey, c.CreatedAt, c.ID
	} else {
		p, err := s.store.PostInGrace(ctx, t.PostID, now)
		if err != nil {
			return err
		}
		key, made = p.ClientKey, p.CreatedAt
	}
	end := s.keys.ClientKeyEnd(made)
	if key == nil || !end.After(now) {
		return chatpic.Errorf(chatpic.KindConflict, "this was posted too long ago: the poster can no longer be recognised")
	}
	return s.store.BanClient(ctx, key, end, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: "ban_poster", Target: target, Reason: reason,
	})
}

// LockChannel makes a channel read-only (locked) or open again. Errors:
// KindUnauthorized, KindNotFound.
func (s *Service) LockChannel(ctx context.Context, by chatpic.Moderator, slug string, locked bool, reason string) error {
	if err := requireModerator(by); err != nil {
		return err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return err
	}
	action := "unlock_channel"
	if locked {
		action = "lock_channel"
	}
	return s.store.SetChannelLocked(ctx, slug, locked, chatpic.AuditEntry{
		At: s.clock(), Moderator: by.Name, Action: action, Target: slug, Reason: reason,
	})
}

// ChannelEdit changes some of a channel's settings; nil fields stay.
type ChannelEdit struct {
	Capacity        *int
	TTL             *time.Duration
	ReportThreshold *int
	Premod          *chatpic.Premod
	Challenge       *chatpic.Challenge
}

// EditChannel changes a channel's capacity, time to live, report
// threshold, pre-moderation or challenge setting. Lowering the capacity
// evicts at once: the evicted uploads are announced, their files
// deleted, and they are returned. Only admins may do it. Errors:
// KindForbidden, KindInvalid, KindNotFound.
func (s *Service) EditChannel(ctx context.Context, by chatpic.Moderator, slug string, e ChannelEdit, reason string) ([]chatpic.Post, error) {
	if err := requireAdmin(by); err != nil {
		return nil, err
	}
	reason, err := chatpic.CleanNote(reason, MaxStatement)
	if err != nil {
		return nil, err
	}
	if err := chatpic.ValidateSlug(slug); err != nil {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	now := s.clock()
	st, err := s.store.Channel(ctx, slug, now)
	if err != nil {
		return nil, err
	}
	c := st.Channel
	if e.Capacity != nil {
		c.Capacity = *e.Capacity
	}
	if e.TTL != nil {
		c.TTL = *e.TTL
	}
	if e.ReportThreshold != nil {
		if *e.ReportThreshold < 1 {
			return nil, chatpic.Errorf(chatpic.KindInvalid, "a channel's report threshold is between 1 and %d", chatpic.MaxReportThreshold)
		}
		c.ReportThreshold = *e.ReportThreshold
	}
	if e.Premod != nil {
		c.Premod = *e.Premod
	}
	if e.Challenge != nil {
		c.Challenge = *e.Challenge
	}
	evicted, err := s.store.UpdateChannelAudited(ctx, c, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: "edit_channel", Target: slug, Reason: reason,
	}, now)
	if err != nil {
		return nil, err
	}
	s.announce.Discard(ctx, chatpic.ReasonEvicted, evicted...)
	return evicted, nil
}

// Audit returns up to limit audit entries older than before (0: the
// newest). Errors: KindUnauthorized.
func (s *Service) Audit(ctx context.Context, by chatpic.Moderator, before int64, limit int) ([]chatpic.AuditEntry, error) {
	if err := requireModerator(by); err != nil {
		return nil, err
	}
	return s.store.Audit(ctx, before, min(max(limit, 1), 500))
}

// Preview opens the thumbnail (or with full, the media file) of any
// upload that still has its row, hidden or not, for a moderator's
// review. The caller closes the object. Errors: KindUnauthorized,
// KindNotFound, KindGone.
func (s *Service) Preview(ctx context.Context, by chatpic.Moderator, id string, full bool) (blob.Object, chatpic.Post, error) {
	if err := requireModerator(by); err != nil {
		return nil, chatpic.Post{}, err
	}
	if !chatpic.ValidID(id) {
		return nil, chatpic.Post{}, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	p, err := s.store.PostInGrace(ctx, id, s.clock())
	if err != nil {
		return nil, p, err
	}
	key := p.ThumbKey()
	if full {
		key = p.MediaKey()
	}
	obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		return nil, p, err
	}
	return obj, p, nil
}
