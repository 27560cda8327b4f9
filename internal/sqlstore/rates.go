package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic/internal/limit"
)

var _ limit.Store = (*Store)(nil)

// TakeRate makes one decision of the generic cell rate algorithm for key
// in bucket at now (see limit.Store): a row holds the moment the key's
// allowance is full again, an allowed event pushes it interval later, and
// an event is allowed if that moment is then at most burst after now. State
// under prev counts as key's. The decision is one INSERT ... ON CONFLICT DO
// UPDATE ... WHERE, which PostgreSQL runs atomically on the row however
// many instances decide at once; a refused event writes nothing, and a
// second, read-only query works out the wait.
func (s *Store) TakeRate(ctx context.Context, bucket string, key, prev []byte, now time.Time, interval, burst time.Duration) (bool, time.Duration, error) {
	if prev == nil {
		prev = key
	}
	t, i, b := now.UnixNano(), int64(interval), int64(burst)
	g := s.d.greatest
	query := `INSERT INTO rate_limits (bucket, client, full_ns)
		SELECT CAST(? AS TEXT), CAST(? AS ` + s.d.bytes + `), base + ?
		FROM (SELECT ` + g + `(CAST(? AS BIGINT), COALESCE((SELECT full_ns FROM rate_limits WHERE bucket = ? AND client = ?), 0)) AS base) AS b
		WHERE base + ? - ? <= ?
		ON CONFLICT (bucket, client) DO UPDATE SET full_ns = ` + g + `(rate_limits.full_ns + ?, excluded.full_ns)
		WHERE ` + g + `(rate_limits.full_ns + ?, excluded.full_ns) - ? <= ?
		RETURNING full_ns`
	// A refusal whose wait comes out at nothing lost a race with a reset:
	// decide again.
	for range 3 {
		var full int64
		err := s.write.QueryRowContext(ctx, query, bucket, key, i, t, bucket, prev, i, b, t, i, i, b, t).Scan(&full)
		if err == nil {
			return true, 0, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return false, 0, internal("rate limit", err)
		}
		var stored sql.NullInt64
		if err := s.write.QueryRowContext(ctx, `SELECT MAX(full_ns) FROM rate_limits WHERE bucket = ? AND client IN (?, ?)`,
			bucket, key, prev).Scan(&stored); err != nil {
			return false, 0, internal("rate limit", err)
		}
		if wait := max(stored.Int64, t) + i - b - t; wait > 0 {
			return false, time.Duration(wait), nil
		}
	}
	return false, 0, internal("rate limit", errors.New("no decision after three tries"))
}

// ResetRates forgets the state of keys in bucket.
func (s *Store) ResetRates(ctx context.Context, bucket string, keys ...[]byte) error {
	for _, k := range keys {
		if _, err := s.write.ExecContext(ctx, `DELETE FROM rate_limits WHERE bucket = ? AND client = ?`, bucket, k); err != nil {
			return internal("reset rate limit", err)
		}
	}
	return nil
}
