package sqlstore

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"os"

	"github.com/chatpic/chatpic"
)

// Snapshot writes a copy of the whole database, as it stood at one moment,
// to a new SQLite file at path, while other connections go on reading and
// writing (VACUUM INTO, run as a read transaction). The copy is synced to
// disk before Snapshot returns. path must not exist. On PostgreSQL it
// returns an error of kind chatpic.KindUnsupported: use pg_dump or the
// server's own backups there.
func (s *Store) Snapshot(ctx context.Context, path string) error {
	if !s.d.copiesToFile {
		return chatpic.Errorf(chatpic.KindUnsupported, "a PostgreSQL database is backed up with pg_dump or PostgreSQL's own backups, not by chatpic")
	}
	if _, err := os.Lstat(path); err == nil {
		return chatpic.Errorf(chatpic.KindConflict, "%s already exists", path)
	}
	if err := s.vacuumInto(ctx, path); err != nil {
		return fmt.Errorf("sqlstore: snapshot: %w", err)
	}
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("sqlstore: snapshot: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("sqlstore: snapshot: %w", err)
	}
	return nil
}

// vacuumInto runs VACUUM INTO on a connection of the read pool: in WAL mode
// a reader sees one consistent state and does not hold up the writer, so
// uploads go on while the copy is made. VACUUM INTO writes only the new
// file, but SQLite refuses it under query_only, so the connection drops
// query_only for the copy; if it cannot take it back, the connection is
// thrown away rather than returned to the pool writable.
func (s *Store) vacuumInto(ctx context.Context, path string) (err error) {
	conn, err := s.read.Conn(ctx)
	if err != nil {
		return err
	}
	defer func() {
		_, reset := conn.ExecContext(context.WithoutCancel(ctx), "PRAGMA query_only = ON")
		if reset != nil {
			conn.Raw(func(any) error { return driver.ErrBadConn })
		}
		err = errors.Join(err, conn.Close())
	}()
	if _, err := conn.ExecContext(ctx, "PRAGMA query_only = OFF"); err != nil {
		return err
	}
	_, err = conn.ExecContext(ctx, "VACUUM INTO ?", path)
	return err
}
