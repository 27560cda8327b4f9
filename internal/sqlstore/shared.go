package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic/internal/keyring"
)

// This file and rates.go hold the state that the instances of one site
// share when they run on one PostgreSQL database: secrets, rate limits and
// used proof-of-work challenges (migration 0008). Every statement works on
// SQLite too, where a single instance has no need of them.

var _ keyring.SecretSource = (*Store)(nil)

// Shared reports whether several instances may serve one site from this
// database at once (PostgreSQL): they then keep the state they must agree
// on (secrets, rate counts, used challenges) and the live events in it.
// On a database only one instance opens (SQLite), that state stays in the
// instance's memory.
func (s *Store) Shared() bool { return s.d.concurrent }

// SharedDSN reports, without opening it, whether the database dsn names
// is one several instances may share: what Shared reports once it is
// open.
func SharedDSN(dsn string) bool { return dialectFor(dsn).concurrent }

// Secret returns the 32-byte random secret called name for period, first
// making one that lasts until expires if there is none: whichever instance
// asks first makes it, and every instance then reads the same bytes until
// the janitor deletes it after expires (see PruneShared). The secret never
// appears in an error.
func (s *Store) Secret(ctx context.Context, name string, period int64, expires time.Time) ([]byte, error) {
	fresh := make([]byte, 32)
	rand.Read(fresh)
	// A row pruned between the two statements (it would have expired) is
	// made again on the second round.
	for range 2 {
		if _, err := s.write.ExecContext(ctx, `INSERT INTO secrets (name, period, value, expires_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (name, period) DO NOTHING`, name, period, fresh, expires.UnixMilli()); err != nil {
			return nil, internal("secret", err)
		}
		var value []byte
		err := s.write.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ? AND period = ?`, name, period).Scan(&value)
		if err == nil {
			return value, nil
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return nil, internal("secret", err)
		}
	}
	return nil, internal("secret", errors.New("the secret vanished as it was made"))
}

// SpendChallenge records the proof-of-work challenge whose MAC is mac,
// good until expires, and reports whether it was new: false means some
// instance used it before.
func (s *Store) SpendChallenge(ctx context.Context, mac []byte, expires time.Time) (bool, error) {
	res, err := s.write.ExecContext(ctx, `INSERT INTO spent_challenges (mac, expires_at) VALUES (?, ?)
		ON CONFLICT (mac) DO NOTHING`, mac, expires.UnixMilli())
	if err != nil {
		return false, internal("spend challenge", err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, internal("spend challenge", err)
	}
	return n == 1, nil
}

// PruneShared deletes the secrets and the used challenges that expired
// before now and the rate-limit entries whose allowance is full again, and
// returns how many rows it deleted. Every instance may call it at once;
// one does the work, the others return 0.
func (s *Store) PruneShared(ctx context.Context, now time.Time) (int, error) {
	const op = "prune shared state"
	var total int64
	_, err := s.job(ctx, op, func(tx *txn) error {
		for _, q := range []struct {
			query string
			arg   int64
		}{
			{`DELETE FROM secrets WHERE expires_at <= ?`, now.UnixMilli()},
			{`DELETE FROM spent_challenges WHERE expires_at <= ?`, now.UnixMilli()},
			{`DELETE FROM rate_limits WHERE full_ns <= ?`, now.UnixNano()},
		} {
			res, err := tx.ExecContext(ctx, q.query, q.arg)
			if err != nil {
				return internal(op, err)
			}
			n, err := res.RowsAffected()
			if err != nil {
				return internal(op, err)
			}
			total += n
		}
		return nil
	})
	return int(total), err
}
