package sqlstore

import (
	"context"
	"database/sql"
	"strconv"
	"strings"
	"sync"
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
		greatest:         "MAX",
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

// db is a pool that speaks its dialect: queries are rebound on the way in.
type db struct {
	*sql.DB
	d *dialect
}

func (p *db) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return p.DB.ExecContext(ctx, p.d.rebind(query), args...)
}

func (p *db) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return p.DB.QueryContext(ctx, p.d.rebind(query), args...)
}

func (p *db) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return p.DB.QueryRowContext(ctx, p.d.rebind(query), args...)
}

// BeginTx starts a transaction that speaks the pool's dialect. The caller
// ends it; every write transaction is followed by a deferred Rollback.
func (p *db) BeginTx(ctx context.Context, opts *sql.TxOptions) (*txn, error) {
	tx, err := p.DB.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return &txn{Tx: tx, d: p.d}, nil
}

// txn is a transaction that speaks its dialect.
type txn struct {
	*sql.Tx
	d *dialect
}

func (t *txn) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	return t.Tx.ExecContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return t.Tx.QueryContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	return t.Tx.QueryRowContext(ctx, t.d.rebind(query), args...)
}

func (t *txn) PrepareContext(ctx context.Context, query string) (*sql.Stmt, error) {
	return t.Tx.PrepareContext(ctx, t.d.rebind(query))
}
