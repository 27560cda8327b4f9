package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"time"

	"github.com/chatpic/chatpic"
)

// RemoveFile takes the nth file (counting from 1) of a post down for the
// moderators, in one transaction: the file is marked Removed in the
// post's album, the open reports that name it are closed as removed, and
// audit (an AuditRemoveFile entry) is written. When n is the last file of
// the post still shown, the whole post is removed instead, exactly as
// RemovePost removes it (tombstone with reason "removed" and statement,
// every report closed), and audit is written as AuditRemovePost with the
// post's ID as its target; whole is then true. It returns the post with
// its nth file marked Removed, so the caller can delete that file (or,
// with whole, all of them). Errors: KindGone or KindNotFound (no such
// post), KindNotFound (no such file), KindConflict (the file was removed
// already).
func (s *Store) RemoveFile(ctx context.Context, id string, n int, statement string, audit chatpic.AuditEntry, now time.Time) (p chatpic.Post, whole bool, err error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Post{}, false, internal("remove file", err)
	}
	defer tx.Rollback()
	p, err = s.postToRemove(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return chatpic.Post{}, false, s.tombstone(ctx, id)
	}
	if err != nil {
		return chatpic.Post{}, false, internal("remove file", err)
	}
	it, ok := p.File(n)
	switch {
	case !ok:
		return chatpic.Post{}, false, chatpic.Errorf(chatpic.KindNotFound, "there is no such file")
	case it.Removed:
		return chatpic.Post{}, false, chatpic.Errorf(chatpic.KindConflict, "this file was removed already")
	}
	whole = p.Shown() == 1
	p.More = slices.Clone(p.More)
	if n == 1 {
		p.Item.Removed = true
	} else {
		p.More[n-2].Removed = true
	}
	if whole {
		audit.Action, audit.Target = chatpic.AuditRemovePost, p.ID
		if err := removePost(ctx, tx, p, statement, audit, now); err != nil {
			return chatpic.Post{}, false, err
		}
	} else {
		album, err := albumValue(p)
		if err != nil {
			return chatpic.Post{}, false, internal("remove file", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE posts SET album = ? WHERE id = ?`, album, id); err != nil {
			return chatpic.Post{}, false, internal("remove file", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE reports SET resolved_at = ?, outcome = 'removed', note = ''
			WHERE post_id = ? AND comment_id = '' AND file = ? AND resolved_at IS NULL`, now.UnixMilli(), id, n); err != nil {
			return chatpic.Post{}, false, internal("remove file", err)
		}
		if err := addAudit(ctx, tx, audit); err != nil {
			return chatpic.Post{}, false, err
		}
	}
	if err := tx.Commit(); err != nil {
		return chatpic.Post{}, false, internal("remove file", err)
	}
	return p, whole, nil
}
