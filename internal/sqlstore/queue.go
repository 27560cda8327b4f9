package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"sort"
	"time"

	"github.com/chatpic/chatpic"
)

// Queue returns up to limit uploads and comments that wait for a
// moderator: hidden, pending, or with open reports, and not expired at now.
// The most serious come first, then the most recently reported or made.
func (s *Store) Queue(ctx context.Context, limit int, now time.Time) ([]chatpic.QueueItem, error) {
	// Everything open is ranked, then cut: an old serious report must not
	// fall off behind newer mild ones. maxQueue only bounds the work.
	const maxQueue = 5000
	posts, err := queryPosts(ctx, s.read, `WHERE (status <> 'visible'
		OR id IN (SELECT post_id FROM reports WHERE resolved_at IS NULL AND comment_id = ''))
		AND (expires_at IS NULL OR expires_at > ?) ORDER BY created_at DESC LIMIT ?`, now.UnixMilli(), maxQueue)
	if err != nil {
		return nil, err
	}
	var items []chatpic.QueueItem
	for _, p := range posts {
		items = append(items, chatpic.QueueItem{Post: p, Status: p.Status})
	}
	rows, err := s.read.QueryContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE (status IN ('hidden', 'pending')
		OR id IN (SELECT comment_id FROM reports WHERE resolved_at IS NULL AND comment_id <> ''))
		AND post_id IN (SELECT id FROM posts WHERE expires_at IS NULL OR expires_at > ?)
		ORDER BY created_at DESC LIMIT ?`, now.UnixMilli(), maxQueue)
	if err != nil {
		return nil, internal("queue", err)
	}
	var comments []chatpic.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			rows.Close()
			return nil, internal("queue", err)
		}
		comments = append(comments, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, internal("queue", err)
	}
	for _, c := range comments {
		p, err := s.PostInGrace(ctx, c.PostID, now)
		if err != nil {
			continue // the upload is gone, and the comment with it
		}
		items = append(items, chatpic.QueueItem{Post: p, Comment: &c, Status: c.Status})
	}
	for i := range items {
		if err := s.openReports(ctx, &items[i]); err != nil {
			return nil, err
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		a, b := items[i], items[j]
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		return latest(a).After(latest(b))
	})
	if len(items) > limit {
		items = items[:limit]
	}
	return items, nil
}

func latest(q chatpic.QueueItem) time.Time {
	if !q.LastReportAt.IsZero() {
		return q.LastReportAt
	}
	if q.Comment != nil {
		return q.Comment.CreatedAt
	}
	return q.Post.CreatedAt
}

// OpenReasons counts the open reports on an upload (commentID "") or on
// one of its comments, by reason.
func (s *Store) OpenReasons(ctx context.Context, postID, commentID string) (map[chatpic.ReportReason]int, error) {
	q := chatpic.QueueItem{Post: chatpic.Post{ID: postID}}
	if commentID != "" {
		q.Comment = &chatpic.Comment{ID: commentID}
	}
	err := s.openReports(ctx, &q)
	return q.Reports, err
}

// openReports fills in the open reports on a queue item.
func (s *Store) openReports(ctx context.Context, q *chatpic.QueueItem) error {
	commentID := ""
	if q.Comment != nil {
		commentID = q.Comment.ID
	}
	rows, err := s.read.QueryContext(ctx, `SELECT reason, note, created_at, file FROM reports
		WHERE post_id = ? AND comment_id = ? AND resolved_at IS NULL ORDER BY created_at DESC`, q.Post.ID, commentID)
	if err != nil {
		return internal("queue", err)
	}
	defer rows.Close()
	q.Reports = map[chatpic.ReportReason]int{}
	q.FileReports = map[int]int{}
	for rows.Next() {
		var reason chatpic.ReportReason
		var note string
		var created int64
		var file int
		if err := rows.Scan(&reason, &note, &created, &file); err != nil {
			return internal("queue", err)
		}
		q.Reports[reason]++
		if file > 0 {
			q.FileReports[file]++
		}
		q.Severity = max(q.Severity, reason.Severity())
		if note != "" {
			q.Notes = append(q.Notes, note)
		}
		if t := time.UnixMilli(created).UTC(); t.After(q.LastReportAt) {
			q.LastReportAt = t
		}
	}
	if err := rows.Err(); err != nil {
		return internal("queue", err)
	}
	return nil
}

// RemovePost takes a post down for the moderators: its row goes, leaving a
// tombstone with reason "removed" and the statement of reasons, its
// reports are closed, and the audit entry is written, all in one
// transaction. It returns the post so the caller can delete its files, or
// KindGone or KindNotFound if there is no such post.
func (s *Store) RemovePost(ctx context.Context, id, statement string, audit chatpic.AuditEntry, now time.Time) (chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Post{}, internal("remove post", err)
	}
	defer tx.Rollback()
	p, err := s.postToRemove(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		return chatpic.Post{}, s.tombstone(ctx, id)
	}
	if err != nil {
		return chatpic.Post{}, internal("remove post", err)
	}
	if err := removePost(ctx, tx, p, statement, audit, now); err != nil {
		return chatpic.Post{}, err
	}
	if err := tx.Commit(); err != nil {
		return chatpic.Post{}, internal("remove post", err)
	}
	return p, nil
}

// removePost does RemovePost's work on p, read inside tx by postToRemove.
func removePost(ctx context.Context, tx *txn, p chatpic.Post, statement string, audit chatpic.AuditEntry, now time.Time) error {
	if err := bury(ctx, tx, p, chatpic.ReasonRemoved, now); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE tombstones SET note = ? WHERE id = ?`, statement, p.ID); err != nil {
		return internal("remove post", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = post_count - 1 WHERE slug = ?`, p.Channel); err != nil {
		return internal("remove post", err)
	}
	if err := resolve(ctx, tx, p.ID, "", "removed", true, now); err != nil {
		return err
	}
	return addAudit(ctx, tx, audit)
}

// RestorePost shows a hidden or pending post again, closes its reports as
// kept, and writes the audit entry. It returns the post as it is now,
// KindGone or KindNotFound if there is no such post.
func (s *Store) RestorePost(ctx context.Context, id string, audit chatpic.AuditEntry, now time.Time) (chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Post{}, internal("restore post", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE posts SET status = 'visible' WHERE id = ?`, id)
	if err != nil {
		return chatpic.Post{}, internal("restore post", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chatpic.Post{}, s.tombstone(ctx, id)
	}
	if err := resolve(ctx, tx, id, "", "kept", false, now); err != nil {
		return chatpic.Post{}, err
	}
	if err := addAudit(ctx, tx, audit); err != nil {
		return chatpic.Post{}, err
	}
	p, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postReadColumns+` FROM posts WHERE id = ?`, id))
	if err != nil {
		return chatpic.Post{}, internal("restore post", err)
	}
	if err := tx.Commit(); err != nil {
		return chatpic.Post{}, internal("restore post", err)
	}
	return p, nil
}

// SetCommentStatus sets a comment's status for the moderators (visible to
// restore it, removed to remove it, which also forgets its body and its
// client key), closes its reports, and writes the audit entry. A removed
// comment cannot be restored (KindConflict). It returns the comment as it
// is now, or KindNotFound.
func (s *Store) SetCommentStatus(ctx context.Context, id string, status chatpic.Status, audit chatpic.AuditEntry, now time.Time) (chatpic.Comment, error) {
	if status != chatpic.StatusVisible && status != chatpic.StatusRemoved {
		return chatpic.Comment{}, chatpic.Errorf(chatpic.KindInvalid, "a moderator can only restore or remove a comment")
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Comment{}, internal("moderate comment", err)
	}
	defer tx.Rollback()
	c, err := scanComment(tx.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ?`+s.d.forUpdate, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chatpic.Errorf(chatpic.KindNotFound, "there is no such comment")
	}
	if err != nil {
		return c, internal("moderate comment", err)
	}
	if c.Status == chatpic.StatusRemoved {
		return c, chatpic.Errorf(chatpic.KindConflict, "this comment was removed already")
	}
	outcome := "kept"
	if status == chatpic.StatusRemoved {
		outcome = "removed"
		_, err = tx.ExecContext(ctx, `UPDATE comments SET status = 'removed', body = '', client_key = NULL WHERE id = ?`, id)
		c.Body, c.ClientKey = "", nil
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE comments SET status = ? WHERE id = ?`, string(status), id)
	}
	if err != nil {
		return c, internal("moderate comment", err)
	}
	c.Status = status
	if err := resolve(ctx, tx, c.PostID, id, outcome, false, now); err != nil {
		return c, err
	}
	if err := addAudit(ctx, tx, audit); err != nil {
		return c, err
	}
	if err := tx.Commit(); err != nil {
		return c, internal("moderate comment", err)
	}
	return c, nil
}
