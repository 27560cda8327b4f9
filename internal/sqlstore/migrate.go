package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

// migration is one embedded numbered .sql file of a dialect.
type migration struct {
	version int
	name    string // the file name, e.g. "0001_init.sql"
	body    string
}

// migrationsFor returns the embedded migrations of the dialect in order.
func migrationsFor(d *dialect) ([]migration, error) {
	dir := "migrations/" + d.name
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	sort.Slice(entries, func(i, j int) bool { return entries[i].Name() < entries[j].Name() })
	var out []migration
	for _, e := range entries {
		name := e.Name()
		num, _, ok := strings.Cut(name, "_")
		version, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(name, ".sql") {
			return nil, fmt.Errorf("bad migration name %q", name)
		}
		body, err := fs.ReadFile(migrations, dir+"/"+name)
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: version, name: name, body: string(body)})
	}
	return out, nil
}

// Pending returns the file names of the migrations not yet applied to the
// database, in the order Migrate would apply them. It changes nothing.
func (s *Store) Pending(ctx context.Context) ([]string, error) {
	pending, err := s.pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: pending migrations: %w", err)
	}
	var names []string
	for _, m := range pending {
		names = append(names, m.name)
	}
	return names, nil
}

// Migrate applies, in order and each in its own transaction, the embedded
// migrations not yet applied, and returns the file names of those it
// applied. On PostgreSQL, instances that migrate at once take turns: each
// migration is applied by one of them, and the others see it recorded. If
// a migration fails, Migrate returns those applied before it and the error.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	// Processes that open a new SQLite file at the same moment can find it
	// busy while one of them turns on WAL, a step that does not wait for
	// the busy timeout. Migrating is idempotent: try again, a little later.
	var applied []string
	for wait := 10 * time.Millisecond; ; wait *= 2 {
		done, err := s.migrate(ctx)
		applied = append(applied, done...)
		if err == nil || !isBusy(err) || wait > 2*time.Second {
			return applied, err
		}
		select {
		case <-ctx.Done():
			return applied, err
		case <-time.After(wait):
		}
	}
}

func (s *Store) migrate(ctx context.Context) ([]string, error) {
	pending, err := s.pending(ctx)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: migrate: %w", err)
	}
	var applied []string
	for _, m := range pending {
		done, err := s.apply(ctx, m)
		if err != nil {
			return applied, fmt.Errorf("sqlstore: migration %s: %w", m.name, err)
		}
		if done {
			applied = append(applied, m.name)
		}
	}
	return applied, nil
}

// isBusy reports whether err is SQLite's "database is locked".
func isBusy(err error) bool {
	var coder interface{ Code() int }
	return errors.As(err, &coder) && coder.Code()&0xff == 5 // SQLITE_BUSY and its extended codes
}

// pending returns the migrations not recorded in schema_migrations (all of
// them if there is no such table yet).
func (s *Store) pending(ctx context.Context) ([]migration, error) {
	all, err := migrationsFor(s.d)
	if err != nil {
		return nil, err
	}
	// A transaction, so that on SQLite the read waits (busy_timeout) for
	// another process that is opening or migrating the same file, instead
	// of failing at once.
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	var tables int
	if err := tx.QueryRowContext(ctx, s.d.hasMigrations).Scan(&tables); err != nil {
		return nil, err
	}
	if tables == 0 {
		return all, nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	applied := map[int]bool{}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		applied[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []migration
	for _, m := range all {
		if !applied[m.version] {
			out = append(out, m)
		}
	}
	return out, nil
}

// apply applies m unless it is recorded already, and reports whether it
// did. The check, the migration and its record share one transaction,
// which on PostgreSQL first takes the lock that one migrating instance
// holds at a time.
func (s *Store) apply(ctx context.Context, m migration) (bool, error) {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	if s.d.lockMigrations != "" {
		if _, err := tx.ExecContext(ctx, s.d.lockMigrations); err != nil {
			return false, err
		}
	}
	if _, err := tx.ExecContext(ctx, s.d.createMigrations); err != nil {
		return false, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
		return false, err
	}
	if n > 0 {
		return false, nil
	}
	// The body goes to the driver as it is: it may hold several statements.
	if _, err := tx.Tx.ExecContext(ctx, m.body); err != nil {
		return false, err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`,
		m.version, time.Now().UnixMilli()); err != nil {
		return false, err
	}
	return true, tx.Commit()
}
