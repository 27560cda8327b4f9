package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

// AddReport records r and, in the same transaction, hides its target if
// r's reason hides at once or if the distinct open reporters reach the
// channel's threshold. A client reporting the same thing (the upload, one
// file of it, or a comment) again counts once while the report is open; a
// more serious reason replaces a milder one. A report of one file of an
// album hides the whole upload: hiding is decided per upload, which is
// the safe choice (an ncii report on one picture takes the album down at
// once, until a moderator removes that file and restores the rest). After a moderator's decision, a new report starts a new round. If receipt is not nil
// it is stored as the hash of a receipt code for the report's target.
// It returns KindGone or KindNotFound if the target does not exist.
func (s *Store) AddReport(ctx context.Context, r chatpic.Report, receipt []byte, now time.Time) (chatpic.ReportResult, error) {
	var res chatpic.ReportResult
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return res, internal("report", err)
	}
	defer tx.Rollback()
	status, threshold, err := s.reportTarget(ctx, tx, r, now)
	if err != nil {
		return res, err
	}
	var old string
	err = tx.QueryRowContext(ctx, `SELECT reason FROM reports WHERE post_id = ? AND comment_id = ? AND file = ? AND reporter = ? AND resolved_at IS NULL`,
		r.PostID, r.CommentID, r.File, r.Reporter).Scan(&old)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.ExecContext(ctx, `INSERT INTO reports (post_id, comment_id, file, reason, note, reporter, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, r.PostID, r.CommentID, r.File, string(r.Reason), r.Note, r.Reporter, r.CreatedAt.UnixMilli())
	case err == nil && r.Reason.Severity() > chatpic.ReportReason(old).Severity():
		_, err = tx.ExecContext(ctx, `UPDATE reports SET reason = ?, note = CASE WHEN ? <> '' THEN ? ELSE note END
			WHERE post_id = ? AND comment_id = ? AND file = ? AND reporter = ? AND resolved_at IS NULL`,
			string(r.Reason), r.Note, r.Note, r.PostID, r.CommentID, r.File, r.Reporter)
	}
	if err != nil {
		return res, internal("report", err)
	}
	if receipt != nil {
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipts (code_hash, post_id, comment_id, reason, created_at) VALUES (?, ?, ?, ?, ?)`,
			receipt, r.PostID, r.CommentID, string(r.Reason), now.UnixMilli()); err != nil {
			return res, internal("report", err)
		}
	}
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(DISTINCT reporter) FROM reports WHERE post_id = ? AND comment_id = ? AND resolved_at IS NULL`,
		r.PostID, r.CommentID).Scan(&res.Reporters); err != nil {
		return res, internal("report", err)
	}
	if status == chatpic.StatusVisible && (r.Reason.HidesAtOnce() || res.Reporters >= threshold) {
		table, id := "posts", r.PostID
		if r.CommentID != "" {
			table, id = "comments", r.CommentID
		}
		if _, err := tx.ExecContext(ctx, `UPDATE `+table+` SET status = 'hidden' WHERE id = ?`, id); err != nil {
			return res, internal("report", err)
		}
		res.Hidden = true
	}
	if err := tx.Commit(); err != nil {
		return res, internal("report", err)
	}
	return res, nil
}

// reportTarget returns the status of a report's target and its channel's
// report threshold, or the error for a target that does not exist. On a
// database with row locks it locks the row of the post (reported itself or
// through a comment), so that the reports on a post and its comments take
// turns and count each other.
func (s *Store) reportTarget(ctx context.Context, tx *txn, r chatpic.Report, now time.Time) (chatpic.Status, int, error) {
	var status chatpic.Status
	var threshold int
	var expires sql.NullInt64
	// The channel is read in a subquery, which the lock does not reach: see
	// lockChannel for why a post's lock must not take its channel's.
	err := tx.QueryRowContext(ctx, `SELECT status, (SELECT report_threshold FROM channels WHERE slug = posts.channel), expires_at
		FROM posts WHERE id = ?`+s.d.forUpdate, r.PostID).Scan(&status, &threshold, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, s.tombstone(ctx, r.PostID)
	}
	if err != nil {
		return "", 0, internal("report", err)
	}
	if expires.Valid && expires.Int64 <= now.UnixMilli() {
		return "", 0, chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
	}
	if r.CommentID == "" {
		return status, threshold, nil
	}
	err = tx.QueryRowContext(ctx, `SELECT status FROM comments WHERE id = ? AND post_id = ?`, r.CommentID, r.PostID).Scan(&status)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, chatpic.Errorf(chatpic.KindNotFound, "there is no such comment")
	}
	if err != nil {
		return "", 0, internal("report", err)
	}
	if status == chatpic.StatusRemoved {
		return "", 0, chatpic.Errorf(chatpic.KindGone, "this comment was removed")
	}
	return status, threshold, nil
}

// Comment returns the comment with the given ID, whatever its status, or
// a KindNotFound error.
func (s *Store) Comment(ctx context.Context, id string) (chatpic.Comment, error) {
	c, err := scanComment(s.read.QueryRowContext(ctx, `SELECT `+commentColumns+` FROM comments WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chatpic.Errorf(chatpic.KindNotFound, "there is no such comment")
	}
	if err != nil {
		return c, internal("comment", err)
	}
	return c, nil
}

// Receipt returns the receipt whose code hashes to hash, or KindNotFound.
func (s *Store) Receipt(ctx context.Context, hash []byte) (chatpic.Receipt, error) {
	var rc chatpic.Receipt
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT post_id, comment_id, reason, created_at FROM receipts WHERE code_hash = ?`, hash).
		Scan(&rc.PostID, &rc.CommentID, &rc.Reason, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return rc, chatpic.Errorf(chatpic.KindNotFound, "there is no report with that receipt code")
	}
	if err != nil {
		return rc, internal("receipt", err)
	}
	rc.CreatedAt = time.UnixMilli(created).UTC()
	var outcome sql.NullString
	if err := s.read.QueryRowContext(ctx, `SELECT
		(SELECT COUNT(*) FROM reports WHERE post_id = ? AND comment_id = ? AND resolved_at IS NULL),
		(SELECT outcome FROM reports WHERE post_id = ? AND comment_id = ? AND resolved_at IS NOT NULL ORDER BY resolved_at DESC LIMIT 1)`,
		rc.PostID, rc.CommentID, rc.PostID, rc.CommentID).Scan(&rc.Open, &outcome); err != nil {
		return rc, internal("receipt", err)
	}
	rc.Outcome = outcome.String
	return rc, nil
}

// resolve closes the open reports on a target with outcome, inside tx, and
// forgets their notes. With all set, the reports on the post's comments
// are closed too.
func resolve(ctx context.Context, tx querier, postID, commentID, outcome string, all bool, now time.Time) error {
	q := `UPDATE reports SET resolved_at = ?, outcome = ?, note = '' WHERE post_id = ? AND comment_id = ? AND resolved_at IS NULL`
	args := []any{now.UnixMilli(), outcome, postID, commentID}
	if all {
		q = `UPDATE reports SET resolved_at = ?, outcome = ?, note = '' WHERE post_id = ? AND resolved_at IS NULL`
		args = args[:3]
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return internal("resolve reports", err)
	}
	return nil
}
