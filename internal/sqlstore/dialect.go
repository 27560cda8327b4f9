package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// dialect is what differs between the databases the store speaks. Queries
// are written once, with ? placeholders, in SQL both databases accept; the
// dialect rewrites the placeholders and supplies the few fragments that
// differ. It is safe for concurrent use.
type dialect struct {
	// name is "sqlite" or "postgres", and the folder of the dialect's
	// migrations.
	name string
	// concurrent is set for a database that other instances may write at
	// the same time, with row locks (PostgreSQL). Without it (SQLite) one
	// transaction writes at a time and every lock below is a no-op.
	concurrent bool
	// forUpdate follows a SELECT that locks the rows it reads until the
	// transaction ends.
	forUpdate string
	// greatest names the function that returns the larger of two values.
	greatest string
	// bytes names the type of a column of bytes.
	bytes string
	// copiesToFile is set for a database that can write a consistent copy
	// of itself to a file (SQLite's VACUUM INTO).
	copiesToFile bool
	// createMigrations creates the table of applied migrations if needed.
	createMigrations string
	// hasMigrations counts the tables of applied migrations: 0 or 1.
	hasMigrations string
	// lockMigrations waits for the lock that lets one instance at a time
	// migrate the schema ("" if not needed).
	lockMigrations string
	// tryLockJob takes the lock of the janitor job named by its argument
	// unless another instance holds it, and returns whether it did.
	tryLockJob string

	numbered bool     // placeholders are $1, $2... instead of ?
	rebound  sync.Map // query with ? → query with $n
}

func newSQLiteDialect() *dialect {
	return &dialect{
		name:             "sqlite",
		copiesToFile:     true,
		greatest:         "MAX",
		bytes:            "BLOB",
		createMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`,
		hasMigrations:    `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'`,
	}
}

// The PostgreSQL advisory locks are keyed by the schema as well as by what
// they guard, so that instances of separate chatpic databases kept in
// separate schemas of one PostgreSQL database do not wait for each other.
func newPostgresDialect() *dialect {
	return &dialect{
		name:             "postgres",
		concurrent:       true,
		forUpdate:        " FOR UPDATE",
		greatest:         "GREATEST",
		bytes:            "BYTEA",
		createMigrations: `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, applied_at BIGINT NOT NULL)`,
		hasMigrations: `SELECT COUNT(*) FROM pg_catalog.pg_tables
			WHERE schemaname = current_schema() AND tablename = 'schema_migrations'`,
		lockMigrations: `SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('chatpic migrate'))`,
		tryLockJob:     `SELECT pg_try_advisory_xact_lock(hashtext(current_schema()), hashtext('chatpic janitor ' || ?))`,
		numbered:       true,
	}
}

// rebind returns query as the database wants it. A rewritten query is
// cached: queries are built from constants, so there are only so many.
func (d *dialect) rebind(query string) string {
	if !d.numbered {
		return query
	}
	if q, ok := d.rebound.Load(query); ok {
		return q.(string)
	}
	q := numberPlaceholders(query)
	d.rebound.Store(query, q)
	return q
}

// numberPlaceholders replaces each ? outside string literals and line
// comments with $1, $2, ... in order.
func numberPlaceholders(query string) string {
	var b strings.Builder
	b.Grow(len(query) + 16)
	n := 0
	for i := 0; i < len(query); i++ {
		switch c := query[i]; {
		case c == '\'': // a literal; '' inside one reads as its end and a new start
			end := strings.IndexByte(query[i+1:], '\'')
			if end < 0 {
				b.WriteString(query[i:])
				return b.String()
			}
			b.WriteString(query[i : i+end+2])
			i += end + 1
		case c == '-' && strings.HasPrefix(query[i:], "--"):
			end := strings.IndexByte(query[i:], '\n')
			if end < 0 {
				end = len(query) - i
			}
			b.WriteString(query[i : i+end])
			i += end - 1
		case c == '?':
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
		default:
			b.WriteByte(c)
		}
	}
	return b.String()
}

// db is a pool that speaks its dialect: queries are rebound on the way in,
// and prepared once (see stmt).
type db struct {
	*sql.DB
	d *dialect

	stmts sync.Map // query as written → *sql.Stmt
	n     atomic.Int32
}

// maxStmts bounds the statements kept prepared; the queries are written in
// the code, so there are far fewer than this, but a query built at run time
// must not grow the cache without bound.
const maxStmts = 512

// stmt returns query prepared on the pool: SQLite parses a statement each
// time it is run unless it is kept prepared, which was a sixth of the cost
// of serving a thumbnail. database/sql prepares it on each connection that
// runs it, once. It returns nil when the cache is full (the caller runs
// the query unprepared).
func (p *db) stmt(ctx context.Context, query string) (*sql.Stmt, error) {
	if s, ok := p.stmts.Load(query); ok {
		return s.(*sql.Stmt), nil
	}
	if p.n.Load() >= maxStmts {
		return nil, nil
	}
	s, err := p.DB.PrepareContext(ctx, p.d.rebind(query))
	if err != nil {
		return nil, err
	}
	if prev, loaded := p.stmts.LoadOrStore(query, s); loaded {
		s.Close()
		return prev.(*sql.Stmt), nil
	}
	p.n.Add(1)
	return s, nil
}

// Close closes the prepared statements and the pool.
func (p *db) Close() error {
	p.stmts.Range(func(_, s any) bool {
		s.(*sql.Stmt).Close()
		return true
	})
	return p.DB.Close()
}

func (p *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return p.DB.ExecContext(ctx, p.d.rebind(query), args...)
	}
	return s.ExecContext(ctx, args...)
}

func (p *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	s, err := p.stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	if s == nil {
		return p.DB.QueryContext(ctx, p.d.rebind(query), args...)
	}
	return s.QueryContext(ctx, args...)
}

func (p *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	s, err := p.stmt(ctx, query)
	if err != nil || s == nil {
		// A failed prepare fails the query the same way, reported by Scan.
		return p.DB.QueryRowContext(ctx, p.d.rebind(query), args...)
	}
	return s.QueryRowContext(ctx, args...)
}

// BeginTx starts a transaction that speaks the pool's dialect. The caller
// ends it; every write transaction is followed by a deferred Rollback.
func (p *db) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, d: p.d, pool: p}, nil
}

// txn is a transaction that speaks its dialect, running the pool's
// prepared statements on its connection.
type txn struct {
	*sql.Tx
	d    *dialect
	pool *db
}

// stmt returns the pool's prepared statement for query on the
// transaction's connection, or nil if the pool has not prepared it: it is
// not prepared here, since preparing on the pool needs a free connection,
// and a SQLite writer has only the one the transaction holds.
func (t *txn) stmt(ctx context.Context, query string) *sql.Stmt {
	s, ok := t.pool.stmts.Load(query)
	if !ok {
		return nil
	}
	return t.Tx.StmtContext(ctx, s.(*sql.Stmt))
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if s := t.stmt(ctx, query); s != nil {
		return s.QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.d.rebind(query))
}
