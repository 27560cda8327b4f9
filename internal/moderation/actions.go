package moderation

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/pdq"
)

// MaxStatement is the longest statement of reasons, in characters.
const MaxStatement = 500

// Item is a queue item with what the ban lists say about it.
type Item struct {
	chatpic.QueueItem
	// HashMatch is true when a file of the upload still shown matches a
	// banned hash (a list imported after it arrived, say).
	HashMatch bool
	// MatchingFiles are the numbers of those files, ascending.
	MatchingFiles []int
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
		if q.Comment != nil {
			continue
		}
		for n, it := range q.Post.Items() {
			if it.Removed {
				continue
			}
			var hashes []pdq.Hash
			if len(it.PDQ) == 32 && it.PDQQuality >= pdq.MinQuality {
				hashes = []pdq.Hash{pdq.Hash(it.PDQ)}
			}
			if _, match := s.hashes.Check([][32]byte{it.SHA256}, hashes); match {
				out[i].HashMatch = true
				out[i].MatchingFiles = append(out[i].MatchingFiles, n+1)
			}
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
	// Ban also bans the picture's hashes so it cannot come back: of
	// every file of an upload (see RemovePost), or of the one file
	// removed (RemoveFile).
	Ban bool
}

// RemovePost removes an upload with its files; its page becomes a
// tombstone with the statement of reasons. With r.Ban, the hashes of
// every file of the upload are banned, those removed from its album
// before included (see bansFor). Errors: KindUnauthorized, KindInvalid,
// KindNotFound, KindGone.
func (s *Service) RemovePost(ctx context.Context, by chatpic.Moderator, id string, r Removal) error {
	statement, err := s.checkRemoval(by, id, &r)
	if err != nil {
		return err
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
		for n := 1; n <= p.Files(); n++ {
			bans = append(bans, s.bansFor(ctx, p, n, now)...)
		}
	}
	ctx = context.WithoutCancel(ctx)
	p, err = s.store.RemovePost(ctx, id, statement, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: chatpic.AuditRemovePost, Target: id, Reason: statement, Category: r.Category,
	}, now)
	if err != nil {
		return err
	}
	if err := s.ban(ctx, by, id, bans, now); err != nil {
		return err
	}
	s.log.Info("post removed", "post", id, "moderator", by.Name, "category", r.Category, "ban", r.Ban)
	s.announce.Discard(ctx, chatpic.ReasonRemoved, p)
	return nil
}

// RemoveFile removes the nth file (counting from 1) of an album and
// leaves the rest: its links answer 410 with reason removed, its media
// and thumbnail are deleted, and live pages are told the upload changed.
// With r.Ban that file's hashes are banned (see bansFor). Removing the
// last file still shown removes the whole upload, as RemovePost does.
// Reports of the whole upload stay open, and an upload hidden by reports
// stays hidden until a moderator restores it. Errors: KindUnauthorized,
// KindInvalid, KindNotFound (no such upload or file), KindGone,
// KindConflict (the file was removed already).
func (s *Service) RemoveFile(ctx context.Context, by chatpic.Moderator, id string, n int, r Removal) error {
	statement, err := s.checkRemoval(by, id, &r)
	if err != nil {
		return err
	}
	now := s.clock()
	p, err := s.store.PostInGrace(ctx, id, now)
	if err != nil {
		return err
	}
	it, ok := p.File(n)
	switch {
	case !ok:
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	case it.Removed:
		return chatpic.Errorf(chatpic.KindConflict, "this file was removed already")
	}
	if r.Category == "" {
		if r.Category, err = s.category(ctx, id); err != nil {
			return err
		}
	}
	var bans []chatpic.HashBan
	if r.Ban {
		bans = s.bansFor(ctx, p, n, now) // before the file goes
	}
	ctx = context.WithoutCancel(ctx)
	p, whole, err := s.store.RemoveFile(ctx, id, n, statement, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: chatpic.AuditRemoveFile, Target: p.FileName(n), Reason: statement, Category: r.Category,
	}, now)
	if err != nil {
		return err
	}
	if err := s.ban(ctx, by, p.FileName(n), bans, now); err != nil {
		return err
	}
	s.log.Info("file removed", "post", id, "file", n, "whole", whole, "moderator", by.Name, "category", r.Category, "ban", r.Ban)
	if whole {
		s.announce.Discard(ctx, chatpic.ReasonRemoved, p)
	} else {
		s.announce.FileRemoved(ctx, p, n)
	}
	return nil
}

// checkRemoval checks a removal of the upload id by a moderator, and
// returns its statement cleaned.
func (s *Service) checkRemoval(by chatpic.Moderator, id string, r *Removal) (string, error) {
	if err := requireModerator(by); err != nil {
		return "", err
	}
	statement, err := chatpic.CleanNote(r.Statement, MaxStatement)
	if err != nil {
		return "", err
	}
	if r.Category != "" {
		if _, err := chatpic.ParseReportReason(string(r.Category)); err != nil {
			return "", err
		}
	}
	if !chatpic.ValidID(id) {
		return "", chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	return statement, nil
}

// ban adds bans, made for the removal of target (an upload or one of its
// files), with their audit entry; none is nothing.
func (s *Service) ban(ctx context.Context, by chatpic.Moderator, target string, bans []chatpic.HashBan, now time.Time) error {
	if len(bans) == 0 {
		return nil
	}
	n, err := s.store.AddHashBans(ctx, bans, chatpic.AuditEntry{
		At: now, Moderator: by.Name, Action: chatpic.AuditBanHashes, Target: target, Reason: fmt.Sprintf("%d hashes", len(bans)),
	})
	if err != nil {
		return err
	}
	s.log.Info("hashes banned", "target", target, "new", n)
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

// bansFor returns the hashes that keep the nth file of p from coming
// back: its stored file's SHA-256, and the PDQ hashes of the eight
// orientations of its picture decoded from the stored file, exactly as an
// upload of that file is hashed (media.Hashes), so that the same picture
// sent again, turned, mirrored or under another orientation tag is
// refused. For a video the poster frame's thumbnail is hashed, and so it
// is when the stored file cannot be read (a failure is logged). A file
// removed from its album before has no stored file left: its hashes
// recorded at upload are banned. No PDQ hash is banned for a picture too
// plain to be matched on.
func (s *Service) bansFor(ctx context.Context, p chatpic.Post, n int, now time.Time) []chatpic.HashBan {
	it, _ := p.File(n)
	name := p.FileName(n)
	ban := func(kind chatpic.HashKind, h []byte) chatpic.HashBan {
		return chatpic.HashBan{Kind: kind, Hash: h, Note: "removed " + name, Source: "removal", CreatedAt: now}
	}
	bans := []chatpic.HashBan{ban(chatpic.HashSHA256, it.SHA256[:])}
	var hashes [8]pdq.Hash
	var quality int
	err := fmt.Errorf("moderation: %s is a video", name)
	switch {
	case it.Removed:
		err = fmt.Errorf("moderation: %s was removed", name)
	case it.Kind != chatpic.Video:
		if hashes, quality, err = s.hashStored(ctx, name, p.FileKey(n, false)); err != nil {
			s.log.Error("hash removed picture; hashing its thumbnail", "file", name, "err", err)
		}
	}
	if err != nil && !it.Removed {
		if hashes, quality, err = s.hashStored(ctx, name, p.FileKey(n, true)); err != nil {
			s.log.Error("hash removed picture's thumbnail", "file", name, "err", err)
		}
	}
	seen := map[pdq.Hash]bool{}
	if err == nil && quality >= pdq.MinQuality {
		for _, h := range hashes {
			if !seen[h] {
				seen[h] = true
				bans = append(bans, ban(chatpic.HashPDQ, h[:]))
			}
		}
	}
	// The hash recorded at upload, for uploads hashed before their
	// pictures were hashed as stored, and files whose bytes are gone.
	if len(it.PDQ) == 32 && it.PDQQuality >= pdq.MinQuality && !seen[pdq.Hash(it.PDQ)] {
		bans = append(bans, ban(chatpic.HashPDQ, it.PDQ))
	}
	return bans
}

// maxHashedFile bounds the stored file bansFor reads into memory to hash.
const maxHashedFile = 256 << 20

// hashStored returns the PDQ hashes of the eight orientations of the
// picture stored under key, of the file named name, and their quality
// (see media.Hashes).
func (s *Service) hashStored(ctx context.Context, name, key string) ([8]pdq.Hash, int, error) {
	obj, err := s.blobs.Open(ctx, key)
	if err != nil {
		return [8]pdq.Hash{}, 0, chatpic.Source(err, chatpic.ErrMediaStore)
	}
	defer obj.Close()
	if size := obj.Info().Size; size > maxHashedFile {
		return [8]pdq.Hash{}, 0, fmt.Errorf("moderation: %s of %s is %d bytes, too large to hash", key, name, size)
	}
	// The decoders read at offsets; a blob is a stream.
	b, err := io.ReadAll(io.LimitReader(obj, maxHashedFile+1))
	if err != nil {
		return [8]pdq.Hash{}, 0, fmt.Errorf("moderation: read %s: %w", key, err)
	}
	hs, q, err := media.Hashes(ctx, bytes.NewReader(b), int64(len(b)), media.Limits{})
	if err != nil {
		return [8]pdq.Hash{}, 0, fmt.Errorf("moderation: hash %s: %w", key, err)
	}
	return hs, q, nil
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
		At: now, Moderator: by.Name, Action: chatpic.AuditRestorePost, Target: id, Reason: reason,
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
	return s.setComment(ctx, by, id, chatpic.StatusRemoved, chatpic.AuditRemoveComment, r)
}

// RestoreComment shows a hidden or pending comment again. Errors as
// RemoveComment's.
func (s *Service) RestoreComment(ctx context.Context, by chatpic.Moderator, id, reason string) error {
	return s.setComment(ctx, by, id, chatpic.StatusVisible, chatpic.AuditRestoreComment, Removal{Statement: reason})
}

func (s *Service) setComment(ctx context.Context, by chatpic.Moderator, id string, status chatpic.Status, action chatpic.AuditAction, r Removal) error {
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
		At: now, Moderator: by.Name, Action: chatpic.AuditBanPoster, Target: target, Reason: reason,
	})
}

// Audit returns up to limit audit entries older than before (0: the
// newest). Errors: KindUnauthorized.
func (s *Service) Audit(ctx context.Context, by chatpic.Moderator, before int64, limit int) ([]chatpic.AuditEntry, error) {
	if err := requireModerator(by); err != nil {
		return nil, err
	}
	return s.store.Audit(ctx, before, min(max(limit, 1), 500))
}

// Preview opens, for a moderator, the thumbnail (or with full, the media
// file) of any file of any upload, hidden or not, removed from its album
// or not while its bytes remain: name is the file's (chatpic.Post.FileName).
// It returns the object, which the caller closes, the post and the file's
// number. Errors: KindForbidden (not a moderator), KindNotFound (no such
// upload or file), the post's gone error, and the blob store's.
func (s *Service) Preview(ctx context.Context, by chatpic.Moderator, name string, full bool) (blob.Object, chatpic.Post, int, error) {
	if err := requireModerator(by); err != nil {
		return nil, chatpic.Post{}, 0, err
	}
	id, n, ok := chatpic.ParseFileName(name)
	if !ok {
		return nil, chatpic.Post{}, 0, chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	p, err := s.store.PostInGrace(ctx, id, s.clock())
	if err != nil {
		return nil, p, 0, err
	}
	if _, ok := p.File(n); !ok {
		return nil, p, 0, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	}
	obj, err := s.blobs.Open(ctx, p.FileKey(n, !full))
	if err != nil {
		return nil, p, 0, chatpic.Source(err, chatpic.ErrMediaStore)
	}
	return obj, p, n, nil
}
