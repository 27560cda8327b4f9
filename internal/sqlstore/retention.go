package sqlstore

import (
	"context"
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

// bury deletes a post row and leaves its tombstone. The caller adjusts the
// channel's post_count.
func bury(ctx context.Context, tx querier, p chatpic.Post, reason chatpic.GoneReason, now time.Time) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM posts WHERE id = ?`, p.ID); err != nil {
		return internal("bury", err)
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
// rows. Call it until it returns fewer than limit.
func (s *Store) ExpirePosts(ctx context.Context, now time.Time, limit int) ([]chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, internal("expire", err)
	}
	defer tx.Rollback()
	posts, err := queryPosts(ctx, tx, `WHERE expires_at IS NOT NULL AND expires_at <= ? ORDER BY expires_at LIMIT ?`,
		now.UnixMilli(), limit)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		if err := bury(ctx, tx, p, chatpic.ReasonExpired, now); err != nil {
			return nil, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = post_count - 1 WHERE slug = ?`, p.Channel); err != nil {
			return nil, internal("expire", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, internal("expire", err)
	}
	return posts, nil
}
