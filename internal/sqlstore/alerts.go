package sqlstore

import (
	"context"
	"database/sql"
	"time"
)

// OpenReports returns how many reports wait for a decision on uploads that
// are still there at now, and when the oldest of them was made (zero when
// none waits).
func (s *Store) OpenReports(ctx context.Context, now time.Time) (int, time.Time, error) {
	var n int
	var oldest sql.NullInt64
	err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), MIN(r.created_at) FROM reports r
		WHERE r.resolved_at IS NULL
		AND r.post_id IN (SELECT id FROM posts WHERE expires_at IS NULL OR expires_at > ?)`, now.UnixMilli()).Scan(&n, &oldest)
	if err != nil {
		return 0, time.Time{}, internal("open reports", err)
	}
	return n, fromMillis(oldest), nil
}

// MarkAlert records that the alert called name was sent for the moment at,
// and reports whether this call is the first to record at or anything
// later: of several instances that would send the same alert, only the
// one that gets true sends it.
func (s *Store) MarkAlert(ctx context.Context, name string, at time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO alert_marks (name, at) VALUES (?, ?)
		ON CONFLICT (name) DO UPDATE SET at = excluded.at WHERE alert_marks.at < excluded.at`, name, at.UnixMilli())
	if err != nil {
		return false, internal("mark alert", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("mark alert", err)
	}
	return n == 1, nil
}
