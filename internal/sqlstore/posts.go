package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

const postColumns = `id, channel, seq, caption, mime, ext, thumb_ext, thumb_mime, width, height, bytes, sha256,
	created_at, expires_at, delete_token_hash, kind, duration_ms, frames, pdq, pdq_quality, status, client_key, sensitive, password_hash, album`

// postReadColumns are postColumns and what discussion adds, which an
// insert leaves at their defaults.
const postReadColumns = postColumns + `, score, comment_count, COALESCE(views_left, 0)`

// querier is what a pool and a transaction have in common.
type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func scanPost(row rowScanner) (chatpic.Post, error) {
	var p chatpic.Post
	var sum []byte
	var created, expires sql.NullInt64
	var durationMS int64
	var password, album sql.NullString
	err := row.Scan(&p.ID, &p.Channel, &p.Seq, &p.Caption, &p.MIME, &p.Ext, &p.ThumbExt, &p.ThumbMIME,
		&p.Width, &p.Height, &p.Bytes, &sum, &created, &expires, &p.DeleteTokenHash,
		&p.Kind, &durationMS, &p.Frames, &p.PDQ, &p.PDQQuality, &p.Status, &p.ClientKey, &p.Sensitive, &password, &album,
		&p.Score, &p.CommentCount, &p.ViewsLeft)
	p.Duration = time.Duration(durationMS) * time.Millisecond
	p.PasswordHash = password.String
	copy(p.SHA256[:], sum)
	if err == nil {
		err = setAlbum(&p, album)
	}
	p.CreatedAt = fromMillis(created)
	p.ExpiresAt = fromMillis(expires)
	return p, err
}

// queryPosts returns the posts selected by the SQL after "FROM posts".
func queryPosts(ctx context.Context, q querier, tail string, args ...any) ([]chatpic.Post, error) {
	rows, err := q.QueryContext(ctx, `SELECT `+postReadColumns+` FROM posts `+tail, args...)
	if err != nil {
		return nil, internal("query posts", err)
	}
	defer rows.Close()
	var out []chatpic.Post
	for rows.Next() {
		p, err := scanPost(rows)
		if err != nil {
			return nil, internal("query posts", err)
		}
		out = append(out, p)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("query posts", err)
	}
	return out, nil
}

// CreatePost inserts p into its channel, giving it the channel's next Seq,
// and returns it with Seq set. If the channel then holds more than its
// capacity, the oldest posts are evicted in the same transaction (as
// tombstones with reason "evicted", or "expired" if their time had run out)
// and returned, so the caller can delete their files. The cost does not grow
// with the channel's history. Concurrent calls for one channel, from any
// number of instances, take turns: the channel never holds more than its
// capacity and each post is evicted once. It returns a KindNotFound error if
// the channel does not exist, KindConflict if p's ID is taken.
func (s *Store) CreatePost(ctx context.Context, p chatpic.Post, now time.Time) (chatpic.Post, []chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return p, nil, internal("create post", err)
	}
	defer tx.Rollback()
	// Updating the channel row first also locks it (on databases with row
	// locks), which serialises the channel's inserts and evictions and keeps
	// the count exact: see lockChannel.
	var count, capacity int
	err = tx.QueryRowContext(ctx,
		`UPDATE channels SET post_count = post_count + 1, post_total = post_total + 1
		 WHERE slug = ? RETURNING post_count, post_total, capacity`, p.Channel).Scan(&count, &p.Seq, &capacity)
	if errors.Is(err, sql.ErrNoRows) {
		return p, nil, chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", p.Channel)
	}
	if err != nil {
		return p, nil, internal("create post", err)
	}
	album, err := albumValue(p)
	if err != nil {
		return p, nil, internal("create post", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO posts (`+postColumns+`, views_left) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		p.ID, p.Channel, p.Seq, p.Caption, p.MIME, p.Ext, p.ThumbExt, p.ThumbMIME, p.Width, p.Height, p.Bytes, p.SHA256[:],
		p.CreatedAt.UnixMilli(), millis(p.ExpiresAt), p.DeleteTokenHash,
		kindOrImage(p.Kind), p.Duration.Milliseconds(), p.Frames, p.PDQ, p.PDQQuality, string(statusOrVisible(p.Status)), p.ClientKey, p.Sensitive,
		nullIfEmpty(p.PasswordHash), album, nullIfZero(p.ViewsLeft))
	if isUniqueViolation(err) {
		return p, nil, chatpic.Errorf(chatpic.KindConflict, "a post with this ID exists already")
	}
	if err != nil {
		return p, nil, internal("create post", err)
	}
	evicted, err := evictOldest(ctx, tx, p.Channel, count-capacity, now)
	if err != nil {
		return p, nil, err
	}
	if err := tx.Commit(); err != nil {
		return p, nil, internal("create post", err)
	}
	return p, evicted, nil
}

// Post returns the post with the given ID as it stands at now. A post whose
// time has run out, whose views are used up, or that left a tombstone,
// yields a KindGone error with the reason; an ID never seen yields
// KindNotFound.
func (s *Store) Post(ctx context.Context, id string, now time.Time) (chatpic.Post, error) {
	p, err := s.PostInGrace(ctx, id, now)
	if err == nil && p.ViewsLeft < 0 {
		return chatpic.Post{}, chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
	}
	return p, err
}

// PostInGrace is Post, except that a self-destructing post whose last view
// was just used (ViewsLeft -1) is still returned for the short grace in
// which the page of that view loads its picture.
func (s *Store) PostInGrace(ctx context.Context, id string, now time.Time) (chatpic.Post, error) {
	p, err := scanPost(s.read.QueryRowContext(ctx, `SELECT `+postReadColumns+` FROM posts WHERE id = ?`, id))
	switch {
	case err == nil:
		if p.Expired(now) {
			return chatpic.Post{}, chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
		}
		return p, nil
	case !errors.Is(err, sql.ErrNoRows):
		return p, internal("post", err)
	}
	return chatpic.Post{}, s.tombstone(ctx, id)
}

// tombstone returns the KindGone error for a post that left a tombstone,
// with the moderators' statement of reasons for a removal, or KindNotFound.
func (s *Store) tombstone(ctx context.Context, id string) error {
	var reason, note string
	err := s.read.QueryRowContext(ctx, `SELECT reason, note FROM tombstones WHERE id = ?`, id).Scan(&reason, &note)
	if errors.Is(err, sql.ErrNoRows) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no such upload")
	}
	if err != nil {
		return internal("post", err)
	}
	e := chatpic.Gone(chatpic.GoneReason(reason), "this upload is gone")
	e.Statement = note
	return e
}

// Posts returns up to limit posts of a channel that are visible at now, in
// the order sort, after the cursor (the zero Cursor: from the start). It
// does not check that the channel exists.
func (s *Store) Posts(ctx context.Context, channel string, sort chatpic.Sort, after chatpic.Cursor, limit int, now time.Time) ([]chatpic.Post, error) {
	const visible = `channel = ? AND (expires_at IS NULL OR expires_at > ` + atNow + `) AND status = 'visible'`
	if sort == chatpic.SortTop {
		if after.IsZero() {
			return queryPosts(ctx, s.read, `WHERE `+visible+` ORDER BY score DESC, seq DESC LIMIT ?`,
				channel, now.UnixMilli(), limit)
		}
		return queryPosts(ctx, s.read,
			`WHERE `+visible+` AND (score < ? OR (score = ? AND seq < ?)) ORDER BY score DESC, seq DESC LIMIT ?`,
			channel, now.UnixMilli(), after.Score, after.Score, after.Seq, limit)
	}
	before := after.Seq
	if before <= 0 {
		before = 1 << 62
	}
	return queryPosts(ctx, s.read, `WHERE `+visible+` AND seq < ? ORDER BY seq DESC LIMIT ?`,
		channel, now.UnixMilli(), before, limit)
}

// DeletePost removes the post with the given ID, leaving a tombstone with
// reason, and returns it so the caller can delete its files. It returns
// KindGone if the post is already gone (with the earlier reason) and
// KindNotFound if it never existed. A post whose time ran out but whose row
// is still there is deleted with reason "expired", whatever was asked.
func (s *Store) DeletePost(ctx context.Context, id string, reason chatpic.GoneReason, now time.Time) (chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Post{}, internal("delete post", err)
	}
	defer tx.Rollback()
	p, err := s.postToRemove(ctx, tx, id)
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		_, err := s.Post(ctx, id, now)
		return chatpic.Post{}, err
	}
	if err != nil {
		return chatpic.Post{}, internal("delete post", err)
	}
	if p.Expired(now) {
		reason = chatpic.ReasonExpired
	}
	if err := bury(ctx, tx, p, reason, now); err != nil {
		return chatpic.Post{}, err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = post_count - 1 WHERE slug = ?`, p.Channel); err != nil {
		return chatpic.Post{}, internal("delete post", err)
	}
	if err := tx.Commit(); err != nil {
		return chatpic.Post{}, internal("delete post", err)
	}
	return p, nil
}

// PostExists reports whether a row for the post exists, visible or not (an
// expired row the janitor has not removed yet still exists).
func (s *Store) PostExists(ctx context.Context, id string) (bool, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE id = ?`, id).Scan(&n); err != nil {
		return false, internal("post exists", err)
	}
	return n > 0, nil
}

// ScanPosts returns up to limit post rows, visible or not, with IDs after
// after in ID order, for walking every row in pages.
func (s *Store) ScanPosts(ctx context.Context, after string, limit int) ([]chatpic.Post, error) {
	return queryPosts(ctx, s.read, `WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
}

// CountPosts counts every post row, visible or not, as ScanPosts walks
// them.
func (s *Store) CountPosts(ctx context.Context) (int, error) {
	var n int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts`).Scan(&n); err != nil {
		return 0, internal("count posts", err)
	}
	return n, nil
}

// statusOrVisible stores an unset status as visible.
func statusOrVisible(st chatpic.Status) chatpic.Status {
	if st == "" {
		return chatpic.StatusVisible
	}
	return st
}

// kindOrImage stores an unset kind as an image, the only kind before video.
func kindOrImage(k chatpic.MediaKind) chatpic.MediaKind {
	if k == "" {
		return chatpic.Image
	}
	return k
}

// RecentPostTimes returns the creation times of up to n of a channel's
// newest posts visible at now, newest first.
func (s *Store) RecentPostTimes(ctx context.Context, channel string, n int, now time.Time) ([]time.Time, error) {
	rows, err := s.read.QueryContext(ctx,
		`SELECT created_at FROM posts WHERE channel = ? AND (expires_at IS NULL OR expires_at > `+atNow+`) ORDER BY seq DESC LIMIT ?`,
		channel, now.UnixMilli(), n)
	if err != nil {
		return nil, internal("recent posts", err)
	}
	defer rows.Close()
	var out []time.Time
	for rows.Next() {
		var ms sql.NullInt64
		if err := rows.Scan(&ms); err != nil {
			return nil, internal("recent posts", err)
		}
		out = append(out, fromMillis(ms))
	}
	if err := rows.Err(); err != nil {
		return nil, internal("recent posts", err)
	}
	return out, nil
}

func nullIfZero(n int) sql.NullInt64 {
	return sql.NullInt64{Int64: int64(n), Valid: n != 0}
}

func nullIfEmpty(s string) sql.NullString {
	return sql.NullString{String: s, Valid: s != ""}
}

// usedUpGrace is how long a self-destructing upload's files stay readable
// after its last view, so the page of that view can still load its
// picture; then it expires like any other.
const usedUpGrace = 2 * time.Minute

// CountView counts one view of a self-destructing post (one with
// ViewsLeft) and returns it as it was before the view. The view that uses
// the last one up still succeeds; from then on the post reads as expired
// and its files are removed by the janitor after a short grace. Posts
// without a view limit are returned unchanged. Errors are as Post's.
func (s *Store) CountView(ctx context.Context, id string, now time.Time) (chatpic.Post, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return chatpic.Post{}, internal("count view", err)
	}
	defer tx.Rollback()
	// The lock makes concurrent views of the post take turns, so that
	// only one of them is its last.
	p, err := scanPost(tx.QueryRowContext(ctx, `SELECT `+postReadColumns+` FROM posts WHERE id = ?`+s.d.forUpdate, id))
	if errors.Is(err, sql.ErrNoRows) {
		tx.Rollback()
		return s.Post(ctx, id, now)
	}
	if err != nil {
		return chatpic.Post{}, internal("count view", err)
	}
	if p.Expired(now) || p.ViewsLeft < 0 {
		return chatpic.Post{}, chatpic.Gone(chatpic.ReasonExpired, "this upload has expired")
	}
	if p.ViewsLeft == 0 { // no limit
		return p, nil
	}
	if p.ViewsLeft == 1 {
		// Used up: -1 marks it, and it expires after the grace.
		expires := now.Add(usedUpGrace)
		if !p.ExpiresAt.IsZero() && p.ExpiresAt.Before(expires) {
			expires = p.ExpiresAt
		}
		_, err = tx.ExecContext(ctx, `UPDATE posts SET views_left = -1, expires_at = ? WHERE id = ?`, expires.UnixMilli(), id)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE posts SET views_left = views_left - 1 WHERE id = ?`, id)
	}
	if err != nil {
		return chatpic.Post{}, internal("count view", err)
	}
	if err := tx.Commit(); err != nil {
		return chatpic.Post{}, internal("count view", err)
	}
	return p, nil
}
