// Package sqlstore keeps chatpic's metadata (channels, posts, tombstones,
// discussion and moderation) in SQL: in SQLite through modernc.org/sqlite
// (pure Go, the default), or in PostgreSQL through pgx when instances scale
// out. Every query is written once, in SQL both accept; a small dialect
// rewrites placeholders and supplies the few fragments that differ. Each
// dialect has its own numbered migrations, the same numbers in both.
//
// On PostgreSQL several instances share the database. Every transaction
// that adds posts to a channel or takes them away locks the channel's row
// first and its posts after, so that capacity eviction stays exact and
// concurrent writers cannot deadlock; the janitor's work is shared out by
// advisory locks.
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

//go:embed migrations
var migrations embed.FS

// Store is the SQL store. It is safe for concurrent use. On SQLite, writes
// go through a single connection (SQLite allows one writer at a time;
// queueing in Go is cheaper than busy-waiting in SQLite), reads through a
// pool. On PostgreSQL, one pool serves both.
type Store struct {
	write *db
	read  *db
	d     *dialect
}

// Options tune OpenWith. The zero value is what Open does.
type Options struct {
	// SkipMigrations opens the database as it is, leaving pending
	// migrations to an explicit Migrate (the "chatpic migrate" command).
	// Nothing touches the database until the first call.
	SkipMigrations bool
}

// Open opens the database named by dsn and applies pending migrations. A
// dsn starting "postgres://" or "postgresql://" selects PostgreSQL (any
// parameter pgx accepts may follow, search_path among them); "sqlite:PATH"
// or a plain file path selects SQLite, creating the file if needed. The
// caller closes the Store.
func Open(ctx context.Context, dsn string) (*Store, error) {
	return OpenWith(ctx, dsn, Options{})
}

// OpenWith is Open with options.
func OpenWith(ctx context.Context, dsn string, opts Options) (*Store, error) {
	var s *Store
	var err error
	if isPostgres(dsn) {
		s, err = openPostgres(dsn)
	} else {
		path := strings.TrimPrefix(dsn, "sqlite:")
		if path == "" {
			return nil, errors.New("sqlstore: empty database path")
		}
		s, err = openSQLite(path)
	}
	if err != nil {
		return nil, err
	}
	if !opts.SkipMigrations {
		if _, err := s.Migrate(ctx); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// isPostgres reports whether dsn names a PostgreSQL database.
func isPostgres(dsn string) bool {
	return strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://")
}

// dialectFor returns the dialect of the database dsn names.
func dialectFor(dsn string) *dialect {
	if isPostgres(dsn) {
		return newPostgresDialect()
	}
	return newSQLiteDialect()
}

// openSQLite opens two pools on one file. The pragmas ride in the DSN so that
// every pooled connection gets them, not just the first one.
func openSQLite(path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err)
	}
	q := url.Values{}
	for _, p := range []string{
		// The busy timeout first: switching to WAL takes a lock that
		// another process opening the file at the same moment may hold.
		"busy_timeout(10000)",
		"journal_mode(WAL)",
		"foreign_keys(ON)",
		"synchronous(NORMAL)",
		"cache_size(-16000)", // 16 MB per connection
		"temp_store(MEMORY)",
	} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate") // take the write lock at BEGIN: no upgrade deadlocks
	write, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxIdleTime(0)

	q.Del("_txlock")
	q.Add("_pragma", "query_only(ON)")
	read, err := sql.Open("sqlite", "file:"+abs+"?"+q.Encode())
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("sqlstore: open %s: %w", path, err)
	}
	read.SetMaxOpenConns(max(4, runtime.GOMAXPROCS(0)))
	read.SetMaxIdleConns(max(4, runtime.GOMAXPROCS(0)))
	d := newSQLiteDialect()
	return &Store{write: &db{DB: write, d: d}, read: &db{DB: read, d: d}, d: d}, nil
}

// openPostgres opens one pool, through pgx's database/sql driver. Runtime
// parameters in the DSN (search_path, say) reach every connection.
func openPostgres(dsn string) (*Store, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqlstore: %w", err) // pgx redacts the password
	}
	// chatpic's queries are short index look-ups: compiling them (JIT)
	// costs more than running them, and PostgreSQL would do it for any
	// query whose estimate is off, as one over a table it never analysed
	// (autovacuum leaves a table of a few channels alone): 12 ms for the
	// home page's list of channels, which runs in 0.3. An operator's own
	// jit setting in the DSN wins.
	if _, set := cfg.RuntimeParams["jit"]; !set {
		cfg.RuntimeParams["jit"] = "off"
	}
	// Every query is prepared once per connection (pgx's statement cache)
	// and planned once, for any values: planning each execution anew for
	// its values read the actual ends of the indexes the values fall past
	// (the cursor of a first page, the present moment), work that grows
	// with the table and made a channel's pages cost 1.2 times more at
	// 100,000 uploads than at 100. The generic plans are the same index
	// look-ups. Again the DSN may say otherwise.
	if _, set := cfg.RuntimeParams["plan_cache_mode"]; !set {
		cfg.RuntimeParams["plan_cache_mode"] = "force_generic_plan"
	}
	pool := stdlib.OpenDB(*cfg)
	conns := max(8, 4*runtime.GOMAXPROCS(0))
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	d := newPostgresDialect()
	p := &db{DB: pool, d: d}
	return &Store{write: p, read: p, d: d}, nil
}

// Close closes the database.
func (s *Store) Close() error {
	if s.read == s.write {
		return s.write.Close()
	}
	return errors.Join(s.read.Close(), s.write.Close())
}

// Ping reports whether the database answers a query.
func (s *Store) Ping(ctx context.Context) error {
	var one int
	if err := s.read.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return fmt.Errorf("sqlstore: ping: %w", err)
	}
	return nil
}

// isUniqueViolation reports whether err is a uniqueness or primary-key
// violation.
func isUniqueViolation(err error) bool {
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pg.Code == "23505" // unique_violation
	}
	var coder interface{ Code() int }
	if errors.As(err, &coder) {
		switch coder.Code() {
		case 1555, 2067: // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
			return true
		}
	}
	return false
}

// isForeignKeyViolation reports whether err is a foreign-key violation.
func isForeignKeyViolation(err error) bool {
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pg.Code == "23503" // foreign_key_violation
	}
	var coder interface{ Code() int }
	return errors.As(err, &coder) && coder.Code() == 787 // SQLITE_CONSTRAINT_FOREIGNKEY
}

// millis converts t to the stored form; the zero time becomes NULL.
func millis(t time.Time) sql.NullInt64 {
	if t.IsZero() {
		return sql.NullInt64{}
	}
	return sql.NullInt64{Int64: t.UnixMilli(), Valid: true}
}

// fromMillis converts a stored time back; NULL becomes the zero time.
func fromMillis(v sql.NullInt64) time.Time {
	if !v.Valid {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

// internal wraps a driver error for the caller; it is logged, never shown.
func internal(op string, err error) error {
	if isStorageFull(err) {
		return chatpic.StorageFull(fmt.Errorf("sqlstore: %s: %w", op, err))
	}
	return chatpic.Internal(chatpic.Source(fmt.Errorf("sqlstore: %s: %w", op, err), chatpic.ErrDatabase))
}

// isStorageFull reports whether err says the database ran out of space:
// SQLITE_FULL (the disk, or max_page_count), PostgreSQL's disk_full.
func isStorageFull(err error) bool {
	if pg, ok := errors.AsType[*pgconn.PgError](err); ok {
		return pg.Code == "53100" // disk_full
	}
	var coder interface{ Code() int }
	return errors.As(err, &coder) && coder.Code()&0xff == 13 // SQLITE_FULL
}
