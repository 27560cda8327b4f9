package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/chatpic/chatpic"
)

// CreateModerator adds a moderator with the given password hash. It
// returns KindConflict if the name is taken.
func (s *Store) CreateModerator(ctx context.Context, m chatpic.Moderator, passwordHash string) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO moderators (name, password_hash, admin, created_at) VALUES (?, ?, ?, ?)`,
		m.Name, passwordHash, m.Admin, m.CreatedAt.UnixMilli())
	if isUniqueViolation(err) {
		return chatpic.Errorf(chatpic.KindConflict, "there is a moderator called %q already", m.Name)
	}
	if err != nil {
		return internal("create moderator", err)
	}
	return nil
}

// DeleteModerator removes a moderator with their sessions and token. It
// returns KindNotFound if there is none of that name.
func (s *Store) DeleteModerator(ctx context.Context, name string) error {
	res, err := s.write.ExecContext(ctx, `DELETE FROM moderators WHERE name = ?`, name)
	if err != nil {
		return internal("delete moderator", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no moderator called %q", name)
	}
	return nil
}

// Moderators returns every moderator, by name.
func (s *Store) Moderators(ctx context.Context) ([]chatpic.Moderator, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, admin, created_at FROM moderators ORDER BY name`)
	if err != nil {
		return nil, internal("moderators", err)
	}
	defer rows.Close()
	var out []chatpic.Moderator
	for rows.Next() {
		var m chatpic.Moderator
		var created int64
		if err := rows.Scan(&m.Name, &m.Admin, &created); err != nil {
			return nil, internal("moderators", err)
		}
		m.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("moderators", err)
	}
	return out, nil
}

// ModeratorPassword returns a moderator and their password hash, or
// KindNotFound.
func (s *Store) ModeratorPassword(ctx context.Context, name string) (chatpic.Moderator, string, error) {
	var m chatpic.Moderator
	var hash string
	var created int64
	err := s.read.QueryRowContext(ctx, `SELECT name, admin, created_at, password_hash FROM moderators WHERE name = ?`, name).
		Scan(&m.Name, &m.Admin, &created, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return m, "", chatpic.Errorf(chatpic.KindNotFound, "there is no moderator called %q", name)
	}
	if err != nil {
		return m, "", internal("moderator", err)
	}
	m.CreatedAt = time.UnixMilli(created).UTC()
	return m, hash, nil
}

// SetModeratorToken makes hash the moderator's only API token hash,
// replacing any earlier one. It returns KindNotFound for an unknown name.
func (s *Store) SetModeratorToken(ctx context.Context, name string, hash []byte, now time.Time) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return internal("set token", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `DELETE FROM mod_tokens WHERE name = ?`, name); err != nil {
		return internal("set token", err)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO mod_tokens (token_hash, name, created_at) VALUES (?, ?, ?)`, hash, name, now.UnixMilli())
	if isForeignKeyViolation(err) {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no moderator called %q", name)
	}
	if err != nil {
		return internal("set token", err)
	}
	if err := tx.Commit(); err != nil {
		return internal("set token", err)
	}
	return nil
}

// CreateSession records a session (by its token's hash) for a moderator
// until expires.
func (s *Store) CreateSession(ctx context.Context, hash []byte, name string, now, expires time.Time) error {
	_, err := s.write.ExecContext(ctx, `INSERT INTO mod_sessions (token_hash, name, created_at, expires_at) VALUES (?, ?, ?, ?)`,
		hash, name, now.UnixMilli(), expires.UnixMilli())
	if err != nil {
		return internal("create session", err)
	}
	return nil
}

// DeleteSession ends a session; ending one that does not exist is not an
// error.
func (s *Store) DeleteSession(ctx context.Context, hash []byte) error {
	if _, err := s.write.ExecContext(ctx, `DELETE FROM mod_sessions WHERE token_hash = ?`, hash); err != nil {
		return internal("delete session", err)
	}
	return nil
}

// PruneSessions deletes the sessions that ended before now and returns how
// many. Every instance may call it at once; one does the work, the others
// return 0.
func (s *Store) PruneSessions(ctx context.Context, now time.Time) (int, error) {
	return s.prune(ctx, "prune sessions", `DELETE FROM mod_sessions WHERE expires_at <= ?`, now)
}

// prune runs the janitor job called name: a DELETE of what ended by now,
// whose count it returns.
func (s *Store) prune(ctx context.Context, name, query string, now time.Time) (int, error) {
	var n int64
	_, err := s.job(ctx, name, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, query, now.UnixMilli())
		if err == nil {
			n, err = res.RowsAffected()
		}
		if err != nil {
			return internal(name, err)
		}
		return nil
	})
	return int(n), err
}

// Authenticate returns the moderator whose unexpired session (session
// true) or API token has the given hash, or KindUnauthorized.
func (s *Store) Authenticate(ctx context.Context, hash []byte, session bool, now time.Time) (chatpic.Moderator, error) {
	q := `SELECT m.name, m.admin, m.created_at FROM mod_tokens t JOIN moderators m ON m.name = t.name WHERE t.token_hash = ?`
	args := []any{hash}
	if session {
		q = `SELECT m.name, m.admin, m.created_at FROM mod_sessions t JOIN moderators m ON m.name = t.name
			WHERE t.token_hash = ? AND t.expires_at > ?`
		args = append(args, now.UnixMilli())
	}
	var m chatpic.Moderator
	var created int64
	err := s.read.QueryRowContext(ctx, q, args...).Scan(&m.Name, &m.Admin, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return m, chatpic.Errorf(chatpic.KindUnauthorized, "sign in as a moderator first")
	}
	if err != nil {
		return m, internal("authenticate", err)
	}
	m.CreatedAt = time.UnixMilli(created).UTC()
	return m, nil
}

// addAudit writes an audit entry inside tx.
func addAudit(ctx context.Context, tx querier, e chatpic.AuditEntry) error {
	if _, err := tx.ExecContext(ctx, `INSERT INTO audit (at, moderator, action, target, reason, category) VALUES (?, ?, ?, ?, ?, ?)`,
		e.At.UnixMilli(), e.Moderator, string(e.Action), e.Target, e.Reason, string(e.Category)); err != nil {
		return internal("audit", err)
	}
	return nil
}

// AddAudit writes an audit entry on its own.
func (s *Store) AddAudit(ctx context.Context, e chatpic.AuditEntry) error {
	return addAudit(ctx, s.write, e)
}

// Audit returns up to limit audit entries with IDs below before (0: from
// the newest), newest first.
func (s *Store) Audit(ctx context.Context, before int64, limit int) ([]chatpic.AuditEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := s.read.QueryContext(ctx, `SELECT id, at, moderator, action, target, reason, category FROM audit
		WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, internal("audit", err)
	}
	defer rows.Close()
	var out []chatpic.AuditEntry
	for rows.Next() {
		var e chatpic.AuditEntry
		var at int64
		if err := rows.Scan(&e.ID, &at, &e.Moderator, &e.Action, &e.Target, &e.Reason, &e.Category); err != nil {
			return nil, internal("audit", err)
		}
		e.At = time.UnixMilli(at).UTC()
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("audit", err)
	}
	return out, nil
}

// UpdateChannelAudited is UpdateChannel that also writes an audit entry
// in the same transaction.
func (s *Store) UpdateChannelAudited(ctx context.Context, c chatpic.Channel, audit chatpic.AuditEntry, now time.Time) ([]chatpic.Post, error) {
	return s.updateChannel(ctx, c, &audit, now)
}
