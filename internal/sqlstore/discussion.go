package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

// visiblePost locks in the post a comment or vote is for, inside tx: it
// returns KindGone or KindNotFound as Post does when the post is not
// visible at now. On a database with row locks it locks the post's row,
// so that nothing takes the post away before tx ends.
func (s *Store) visiblePost(ctx context.Context, tx *txn, id string, now time.Time) error {
	var expires sql.NullInt64
	var status chatpic.Status
	err := tx.QueryRowContext(ctx, `SELECT expires_at, status FROM posts WHERE id = ?`+s.d.forUpdate, id).Scan(&expires, &status)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err := s.Post(ctx, id, now)
		if err == nil { // deleted between the two reads
			err = chatpic.Gone(chatpic.ReasonDeleted, "this upload is gone")
		}
		return err
	case err != nil:
		return internal("post", err)
	case expires.Valid && expires.Int64 <= now.UnixMilli():
		return chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
	case status != chatpic.StatusVisible:
		return chatpic.Post{Status: status}.Unavailable()
	}
	return nil
}

// AddComment appends c to its post's thread and returns it with the next
// Number there. It returns KindGone or KindNotFound if the post is not
// visible at now.
func (s *Store) AddComment(ctx context.Context, c chatpic.Comment, now time.Time) (chatpic.Comment, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return c, internal("add comment", err)
	}
	defer tx.Rollback()
	if err := s.visiblePost(ctx, tx, c.PostID, now); err != nil {
		return c, err
	}
	if err := tx.QueryRowContext(ctx,
		`UPDATE posts SET comment_count = comment_count + 1 WHERE id = ? RETURNING comment_count`, c.PostID).Scan(&c.Number); err != nil {
		return c, internal("add comment", err)
	}
	if _, err := tx.ExecContext(ctx,
		`INSERT INTO comments (id, post_id, n, body, poster_id, is_uploader, created_at, status, client_key)
		 VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		c.ID, c.PostID, c.Number, c.Body, c.PosterID, c.IsUploader, c.CreatedAt.UnixMilli(),
		string(statusOrVisible(c.Status)), c.ClientKey); err != nil {
		return c, internal("add comment", err)
	}
	if err := tx.Commit(); err != nil {
		return c, internal("add comment", err)
	}
	return c, nil
}

const commentColumns = `id, post_id, n, body, poster_id, is_uploader, created_at, status, client_key`

func scanComment(row rowScanner) (chatpic.Comment, error) {
	var c chatpic.Comment
	var created int64
	err := row.Scan(&c.ID, &c.PostID, &c.Number, &c.Body, &c.PosterID, &c.IsUploader, &created, &c.Status, &c.ClientKey)
	c.CreatedAt = time.UnixMilli(created).UTC()
	return c, err
}

// Comments returns the whole thread of a post, oldest first, whatever
// each comment's status. It does not check that the post is visible.
func (s *Store) Comments(ctx context.Context, postID string) ([]chatpic.Comment, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+commentColumns+` FROM comments WHERE post_id = ? ORDER BY n`, postID)
	if err != nil {
		return nil, internal("comments", err)
	}
	defer rows.Close()
	var out []chatpic.Comment
	for rows.Next() {
		c, err := scanComment(rows)
		if err != nil {
			return nil, internal("comments", err)
		}
		out = append(out, c)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("comments", err)
	}
	return out, nil
}

// Vote records voter's vote on a post (1 or -1; 0 withdraws it), replacing
// any earlier one, and returns the post's new score. It returns KindGone or
// KindNotFound if the post is not visible at now, KindInvalid for another
// value.
func (s *Store) Vote(ctx context.Context, postID string, voter []byte, value int, now time.Time) (int, error) {
	if err := chatpic.ValidateVote(value); err != nil {
		return 0, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, internal("vote", err)
	}
	defer tx.Rollback()
	if err := s.visiblePost(ctx, tx, postID, now); err != nil {
		return 0, err
	}
	var old int
	err = tx.QueryRowContext(ctx, `SELECT value FROM votes WHERE post_id = ? AND voter = ?`, postID, voter).Scan(&old)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, internal("vote", err)
	}
	if value == chatpic.VoteNone {
		_, err = tx.ExecContext(ctx, `DELETE FROM votes WHERE post_id = ? AND voter = ?`, postID, voter)
	} else {
		_, err = tx.ExecContext(ctx, `INSERT INTO votes (post_id, voter, value) VALUES (?, ?, ?)
			ON CONFLICT (post_id, voter) DO UPDATE SET value = excluded.value`, postID, voter, value)
	}
	if err != nil {
		return 0, internal("vote", err)
	}
	var score int
	if err := tx.QueryRowContext(ctx, `UPDATE posts SET score = score + ? WHERE id = ? RETURNING score`,
		value-old, postID).Scan(&score); err != nil {
		return 0, internal("vote", err)
	}
	if err := tx.Commit(); err != nil {
		return 0, internal("vote", err)
	}
	return score, nil
}
