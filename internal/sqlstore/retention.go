package sqlstore

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

// evictOldest removes the n oldest posts of a channel inside tx (nothing if
// n <= 0) and returns them. It walks the (channel, seq) index from its low
// end, so it reads n entries whatever the channel's history.
func evictOldest(ctx context.Context, tx querier, channel string, n int, now time.Time) ([]chatpic.Post, error) {
	if n <= 0 {
		return nil, nil
	}
	victims, err := queryPosts(ctx, tx, `WHERE channel = ? ORDER BY seq LIMIT ?`, channel, n)
	if err != nil {
		return nil, err
	}
	for _, p := range victims {
		reason := chatpic.ReasonEvicted
		if p.Expired(now) {
			reason = chatpic.ReasonExpired
		}
		if err := bury(ctx, tx, p, reason, now); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = post_count - ? WHERE slug = ?`,
		len(victims), channel); err != nil {
		return nil, internal("evict", err)
	}
	return victims, nil
}

// errNoPostRow is the cause bury reports when the post's row was gone
// already: another transaction took it away first.
var errNoPostRow = errors.New("the post's row is gone")

// bury deletes a post row and leaves its tombstone. The caller adjusts the
// channel's post_count. It returns an internal error that wraps
// errNoPostRow, having written nothing, if there was no row to delete.
func bury(ctx context.Context, tx querier, p chatpic.Post, reason chatpic.GoneReason, now time.Time) error {
	res, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, p.ID)
	if err != nil {
		return internal("bury", err)
	}
	if n, err := res.RowsAffected(); err != nil || n == 0 {
		return internal("bury", cmp.Or(err, errNoPostRow))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO tombstones (id, channel, reason, gone_at) VALUES (?, ?, ?, ?)`,
		p.ID, p.Channel, string(reason), now.UnixMilli()); err != nil {
		return internal("bury", err)
	}
	return nil
}

// ExpirePosts removes up to limit posts whose time ran out at or before now,
// leaving tombstones with reason "expired", and returns them so the caller
// can delete their files. Reads already hide these posts; this frees the
// rows. Call it until it returns fewer than limit. Every instance may call
// it at once: each post is removed and returned by one call only, and a
// call that finds another instance at this work returns nothing at once
// (the other instance carries on).
func (s *Store) ExpirePosts(ctx context.Context, now time.Time, limit int) ([]chatpic.Post, error) {
	var expired []chatpic.Post
	_, err := s.job(ctx, "expire", func(tx *txn) error {
		// Posts evicted or deleted after they were chosen, before their
		// channel was locked, are skipped, and others chosen in their place.
		for want := limit; want > 0; {
			posts, err := queryPosts(ctx, tx, `WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
				now.UnixMilli(), want)
			if err != nil {
				return err
			}
			if err := s.lockChannelsOf(ctx, tx, posts); err != nil {
				return internal("expire", err)
			}
			skipped := 0
			for _, p := range posts {
				err := bury(ctx, tx, p, chatpic.ReasonExpired, now)
				if errors.Is(err, errNoPostRow) {
					skipped++
					continue
				}
				if err != nil {
					return err
				}
				if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = post_count - 1 WHERE slug = ?`, p.Channel); err != nil {
					return internal("expire", err)
				}
				expired = append(expired, p)
			}
			if skipped == 0 || len(posts) < want {
				break
			}
			want -= len(posts) - skipped
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return expired, nil
}
