package sqlstore

import (
	"context"
	"time"

	"github.com/chatpic/chatpic"
)

// AddHashBans records hashes whose pictures may not be uploaded, skipping
// any already banned, with the audit entry (if audit.Action is set) in the
// same transaction. It returns how many were new.
func (s *Store) AddHashBans(ctx context.Context, bans []chatpic.HashBan, audit chatpic.AuditEntry) (int, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, internal("ban hashes", err)
	}
	defer tx.Rollback()
	added := 0
	for _, b := range bans {
		res, err := tx.ExecContext(ctx, `INSERT INTO hash_bans (kind, hash, note, source, created_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (kind, hash) DO NOTHING`, string(b.Kind), b.Hash, b.Note, b.Source, b.CreatedAt.UnixMilli())
		if err != nil {
			return 0, internal("ban hashes", err)
		}
		n, _ := res.RowsAffected()
		added += int(n)
	}
	if audit.Action != "" {
		if err := addAudit(ctx, tx, audit); err != nil {
			return 0, err
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, internal("ban hashes", err)
	}
	return added, nil
}

// HashBans returns up to limit banned hashes with IDs above after, in ID
// order.
func (s *Store) HashBans(ctx context.Context, after int64, limit int) ([]chatpic.HashBan, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT id, kind, hash, note, source, created_at FROM hash_bans
		WHERE id > ? ORDER BY id LIMIT ?`, after, limit)
	if err != nil {
		return nil, internal("hash bans", err)
	}
	defer rows.Close()
	var out []chatpic.HashBan
	for rows.Next() {
		var b chatpic.HashBan
		var created int64
		if err := rows.Scan(&b.ID, &b.Kind, &b.Hash, &b.Note, &b.Source, &created); err != nil {
			return nil, internal("hash bans", err)
		}
		b.CreatedAt = time.UnixMilli(created).UTC()
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, internal("hash bans", err)
	}
	return out, nil
}

// HashBanVersion returns the number of banned hashes and the highest ID:
// a cheap way for a cache to learn whether the list changed.
func (s *Store) HashBanVersion(ctx context.Context) (count int, maxID int64, err error) {
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*), COALESCE(MAX(id), 0) FROM hash_bans`).Scan(&count, &maxID); err != nil {
		return 0, 0, internal("hash bans", err)
	}
	return count, maxID, nil
}

// BanClient records a poster ban on a client's keyed hash until expires,
// with the audit entry, in one transaction.
func (s *Store) BanClient(ctx context.Context, client []byte, expires time.Time, audit chatpic.AuditEntry) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return internal("ban", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO poster_bans (client, expires_at) VALUES (?, ?)
		ON CONFLICT (client) DO UPDATE SET expires_at = `+s.d.greatest+`(poster_bans.expires_at, excluded.expires_at)`,
		client, expires.UnixMilli()); err != nil {
		return internal("ban", err)
	}
	if err := addAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return internal("ban", err)
	}
	return nil
}

// ClientBanned reports whether any of the keyed hashes has a poster ban
// that lasts past now.
func (s *Store) ClientBanned(ctx context.Context, now time.Time, clients ...[]byte) (bool, error) {
	for _, c := range clients {
		if c == nil {
			continue
		}
		var n int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM poster_bans WHERE client = ? AND expires_at > ?`,
			c, now.UnixMilli()).Scan(&n); err != nil {
			return false, internal("ban", err)
		}
		if n > 0 {
			return true, nil
		}
	}
	return false, nil
}

// PruneBans deletes poster bans that ended before now and returns how many.
// Every instance may call it at once; one does the work, the others return
// 0.
func (s *Store) PruneBans(ctx context.Context, now time.Time) (int, error) {
	return s.prune(ctx, "prune bans", `DELETE FROM poster_bans WHERE expires_at <= ?`, now)
}

// SetChannelLocked locks or unlocks a channel, with the audit entry, in one
// transaction. It returns KindNotFound for an unknown channel.
func (s *Store) SetChannelLocked(ctx context.Context, slug string, locked bool, audit chatpic.AuditEntry) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return internal("lock channel", err)
	}
	defer tx.Rollback()
	res, err := tx.ExecContext(ctx, `UPDATE channels SET locked = ? WHERE slug = ? AND private = FALSE`, locked, slug)
	if err != nil {
		return internal("lock channel", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return chatpic.Errorf(chatpic.KindNotFound, "there is no channel called %q", slug)
	}
	if err := addAudit(ctx, tx, audit); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return internal("lock channel", err)
	}
	return nil
}
