package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	"github.com/chatpic/chatpic"
)

// On a database that several instances write at once (PostgreSQL), the
// rule that keeps capacity eviction exact and writers free of deadlocks is:
// a transaction that adds posts to a channel or takes them away locks the
// channel's row before it touches any of the channel's posts. CreatePost
// and UpdateChannel take that lock by updating the row; the others call
// lockChannel. A transaction locks one channel, except the janitor's
// expiry, which locks several, in slug order for each batch, and of which
// one runs at a time.
// Transactions that only change a post in place (a report, a comment, a
// vote, a view) lock the post's row alone. On SQLite one transaction writes
// at a time and these locks are no-ops.

// lockChannel locks the row of the channel with the given slug until tx
// ends. A missing channel locks nothing.
func (s *Store) lockChannel(ctx context.Context, tx *txn, slug string) error {
	if !s.d.concurrent {
		return nil
	}
	var one int
	err := tx.QueryRowContext(ctx, `SELECT 1 FROM channels WHERE slug = ?`+s.d.forUpdate, slug).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	return err
}

// lockChannelsOf locks, in slug order, the channels of the given posts.
func (s *Store) lockChannelsOf(ctx context.Context, tx *txn, posts []chatpic.Post) error {
	if !s.d.concurrent {
		return nil
	}
	var slugs []string
	for _, p := range posts {
		slugs = append(slugs, p.Channel)
	}
	slices.Sort(slugs)
	for _, slug := range slices.Compact(slugs) {
		if err := s.lockChannel(ctx, tx, slug); err != nil {
			return err
		}
	}
	return nil
}

// postToRemove reads the row of the post with the given ID inside tx, for
// a transaction that takes the post away: the post's channel is locked
// first, and the row read again under that lock, since an eviction may
// have taken it in between. It returns sql.ErrNoRows if there is no row.
func (s *Store) postToRemove(ctx context.Context, tx *txn, id string) (chatpic.Post, error) {
	const query = `SELECT ` + postReadColumns + ` FROM posts WHERE id = ?`
	p, err := scanPost(tx.QueryRowContext(ctx, query, id))
	if err != nil || !s.d.concurrent {
		return p, err
	}
	if err := s.lockChannel(ctx, tx, p.Channel); err != nil {
		return p, err
	}
	return scanPost(tx.QueryRowContext(ctx, query+s.d.forUpdate, id))
}

// job runs fn inside a write transaction as the janitor job called name,
// and reports whether it ran. Every instance runs the janitor: on
// PostgreSQL the transaction first tries the job's advisory lock, and if
// another instance holds it, job returns false at once without calling
// fn, since that instance is doing the work. fn's errors are returned as
// they are.
func (s *Store) job(ctx context.Context, name string, fn func(tx *txn) error) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, internal(name, err)
	}
	defer tx.Rollback()
	if s.d.tryLockJob != "" {
		var mine bool
		if err := tx.QueryRowContext(ctx, s.d.tryLockJob, name).Scan(&mine); err != nil {
			return false, internal(name, err)
		}
		if !mine {
			return false, nil
		}
	}
	if err := fn(tx); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, internal(name, err)
	}
	return true, nil
}
