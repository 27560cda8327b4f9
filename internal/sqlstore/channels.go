package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

const channelColumns = `slug, title, description, capacity, ttl_seconds, nsfw, created_at,
	report_threshold, premod, challenge, locked, max_files`

// channelValues are the placeholders for channelColumns.
const channelValues = `?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?`

// channelArgs returns c's values for channelColumns, created at the given time.
func channelArgs(c chatpic.Channel, created time.Time) []any {
	return []any{c.Slug, c.Title, c.Description, c.Capacity, int64(c.TTL / time.Second), c.NSFW, created.UnixMilli(),
		c.Threshold(), string(c.Moderation()), string(c.ChallengeMode()), c.Locked, c.FileLimit()}
}

// visibleStats counts a channel's visible posts (rows whose status is
// visible and whose time has not run out) and finds the newest, in time
// that does not grow with the channel: post_count counts every row, from
// which the rows that are not visible and the visible rows already expired
// are taken, each through a partial index that holds only them (few: the
// moderation queue, and what expired since the janitor's last pass); the
// newest is read from the top of (channel, seq), past any such rows.
const visibleStats = `
	c.post_count
	 - (SELECT COUNT(*) FROM posts p WHERE p.channel = c.slug AND p.status <> 'visible')
	 - (SELECT COUNT(*) FROM posts p WHERE p.channel = c.slug AND p.expires_at IS NOT NULL AND p.expires_at <= ` + atNow + ` AND p.status = 'visible'),
	(SELECT p.created_at FROM posts p WHERE p.channel = c.slug AND p.status = 'visible' AND (p.expires_at IS NULL OR p.expires_at > ` + atNow + `)
	 ORDER BY p.seq DESC LIMIT 1)`

type rowScanner interface{ Scan(dest ...any) error }

func scanChannel(row rowScanner, extra ...any) (chatpic.Channel, error) {
	var c chatpic.Channel
	var ttl int64
	var created sql.NullInt64
	dest := append([]any{&c.Slug, &c.Title, &c.Description, &c.Capacity, &ttl, &c.NSFW, &created,
		&c.ReportThreshold, &c.Premod, &c.Challenge, &c.Locked, &c.MaxFiles}, extra...)
	if err := row.Scan(dest...); err != nil {
		return c, err
	}
	c.TTL = time.Duration(ttl) * time.Second
	c.CreatedAt = fromMillis(created)
	return c, nil
}

func scanChannelStats(row rowScanner) (chatpic.ChannelStats, error) {
	var st chatpic.ChannelStats
	var last sql.NullInt64
	c, err := scanChannel(row, &st.Count, &last)
	st.Channel = c
	st.LastPostAt = fromMillis(last)
	return st, err
}

// Channels returns every channel with what is visible in it at now, in the
// order they were created.
func (s *Store) Channels(ctx context.Context, now time.Time) ([]chatpic.ChannelStats, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT `+channelColumns+`, `+visibleStats+` FROM channels c WHERE private = FALSE ORDER BY c.created_at, c.slug`,
		now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, internal("channels", err)
	}
	defer rows.Close()
	var out []chatpic.ChannelStats
	for rows.Next() {
		st, err := scanChannelStats(rows)
		if err != nil {
			return nil, internal("channels", err)
		}
		out = append(out, st)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("channels", err)
	}
	return out, nil
}

// Channel returns the channel with the given slug and what is visible in it
// at now. It returns a KindNotFound error if there is none.
func (s *Store) Channel(ctx context.Context, slug string, now time.Time) (chatpic.ChannelStats, error) {
	st, err := scanChannelStats(s.read.QueryRowContext(ctx,
		`SELECT `+channelColumns+`, `+visibleStats+` FROM channels c WHERE slug = ?`,
		now.UnixMilli(), now.UnixMilli(), slug))
	if errors.Is(err, sql.ErrNoRows) {
		return st, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	if err != nil {
		return st, internal("channel", err)
	}
	return st, nil
}

// ChannelSettings returns the channel with the given slug, without
// counting what is in it (cheaper than Channel). It returns a KindNotFound
// error if there is none.
func (s *Store) ChannelSettings(ctx context.Context, slug string) (chatpic.Channel, error) {
	c, err := scanChannel(s.read.QueryRowContext(ctx, `SELECT `+channelColumns+` FROM channels WHERE slug = ?`, slug))
	if errors.Is(err, sql.ErrNoRows) {
		return c, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	if err != nil {
		return c, internal("channel", err)
	}
	return c, nil
}

// CreateChannel adds c, which must be valid. It returns a KindConflict error
// if a channel with the same slug exists.
func (s *Store) CreateChannel(ctx context.Context, c chatpic.Channel) error {
	if err := c.Validate(); err != nil {
		return err
	}
	_, err := s.write.ExecContext(ctx,
		`INSERT INTO channels (`+channelColumns+`) VALUES (`+channelValues+`)`, channelArgs(c, c.CreatedAt)...)
	if isUniqueViolation(err) {
		return chatpic.Errorf(chatpic.KindConflict, "a channel called %q exists already", c.Slug)
	}
	if err != nil {
		return internal("create channel", err)
	}
	return nil
}

// UpdateChannel replaces the settings of the channel with c's slug. If the
// new capacity is below what the channel holds, the oldest posts are evicted
// in the same transaction and returned, so the caller can delete their files.
// A new TTL applies to uploads from now on; existing ones keep their expiry.
// It returns a KindNotFound error if there is no such channel.
func (s *Store) UpdateChannel(ctx context.Context, c chatpic.Channel, now time.Time) ([]chatpic.Post, error) {
	return s.updateChannel(ctx, c, nil, now)
}

func (s *Store) updateChannel(ctx context.Context, c chatpic.Channel, audit *chatpic.AuditEntry, now time.Time) ([]chatpic.Post, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, internal("update channel", err)
	}
	defer tx.Rollback()
	var count int
	err = tx.QueryRowContext(ctx,
		`UPDATE channels SET title = ?, description = ?, capacity = ?, ttl_seconds = ?, nsfw = ?,
		 report_threshold = ?, premod = ?, challenge = ?, locked = ?, max_files = ?
		 WHERE slug = ? RETURNING post_count`,
		c.Title, c.Description, c.Capacity, int64(c.TTL/time.Second), c.NSFW,
		c.Threshold(), string(c.Moderation()), string(c.ChallengeMode()), c.Locked, c.FileLimit(), c.Slug).Scan(&count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", c.Slug)
	}
	if err != nil {
		return nil, internal("update channel", err)
	}
	evicted, err := evictOldest(ctx, tx, c.Slug, count-c.Capacity, now)
	if err != nil {
		return nil, err
	}
	if audit != nil {
		if err := addAudit(ctx, tx, *audit); err != nil {
			return nil, err
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, internal("update channel", err)
	}
	return evicted, nil
}

// DeleteChannel removes the channel and every post in it; the posts become
// tombstones with reason "removed" and are returned, so the caller can delete
// their files. It returns a KindNotFound error if there is no such channel.
func (s *Store) DeleteChannel(ctx context.Context, slug string, now time.Time) ([]chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, internal("delete channel", err)
	}
	defer tx.Rollback()
	var count int
	err = tx.QueryRowContext(ctx, `SELECT post_count FROM channels WHERE slug = ?`+s.d.forUpdate, slug).Scan(&count)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	if err != nil {
		return nil, internal("delete channel", err)
	}
	posts, err := queryPosts(ctx, tx, `WHERE channel = ? ORDER BY seq`, slug)
	if err != nil {
		return nil, err
	}
	for _, p := range posts {
		if err := bury(ctx, tx, p, chatpic.ReasonRemoved, now); err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM channels WHERE slug = ?`, slug); err != nil {
		return nil, internal("delete channel", err)
	}
	if err := tx.Commit(); err != nil {
		return nil, internal("delete channel", err)
	}
	return posts, nil
}

// Seed adds channels if the database has never been seeded, and reports
// whether it did. Channels an operator removed later do not come back.
// Of instances that start at once, one seeds.
func (s *Store) Seed(ctx context.Context, channels []chatpic.Channel, now time.Time) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, internal("seed", err)
	}
	defer tx.Rollback()
	// Marking first makes a concurrent seeder wait here for this
	// transaction, and then find the mark.
	res, err := tx.ExecContext(ctx, `INSERT INTO settings (name, value) VALUES ('seeded', ?) ON CONFLICT (name) DO NOTHING`,
		now.UTC().Format(time.RFC3339))
	if err != nil {
		return false, internal("seed", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("seed", err)
	}
	if n == 0 {
		return false, nil
	}
	for i, c := range channels {
		if err := c.Validate(); err != nil {
			return false, err
		}
		// Offsetting creation times keeps the seeds in the order given.
		created := now.Add(time.Duration(i) * time.Millisecond)
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO channels (`+channelColumns+`) VALUES (`+channelValues+`)`, channelArgs(c, created)...); err != nil {
			return false, internal("seed", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return false, internal("seed", err)
	}
	return true, nil
}

// atNow is the placeholder of the present moment where a read compares it
// with an indexed time (expires_at). As a sub-select it is a value the
// planner cannot see: PostgreSQL would otherwise, for every execution
// whose moment lies past its statistics (always: time moves on), read the
// actual end of the index to estimate the range, work that grows with the
// table and made a channel's row cost 1.6 times more at 100,000 uploads
// than at 100. The plans stay index look-ups either way; SQLite evaluates
// the sub-select once per statement.
const atNow = `(SELECT CAST(? AS BIGINT))`
