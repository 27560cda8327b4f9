package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
)

// postgresEnv names the PostgreSQL database the tests may use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable. Each test works
// in a schema of its own, made for it and dropped after it.
const postgresEnv = "CHATPIC_TEST_POSTGRES"

// testDialect is a database the suite runs on.
type testDialect struct {
	name string
	// database returns the DSN of a new, empty database that lasts as long
	// as the test.
	database func(tb testing.TB) string
}

var testDialects = []testDialect{
	{"sqlite", sqliteDatabase},
	{"postgres", postgresDatabase},
}

// skipUnlessReady skips the test if the dialect's database is not set up.
func (d testDialect) skipUnlessReady(tb testing.TB) {
	tb.Helper()
	if d.name == "postgres" && os.Getenv(postgresEnv) == "" {
		tb.Skip(postgresEnv + " not set: PostgreSQL suite skipped")
	}
}

// open returns a migrated Store on a new, empty database, closed when the
// test ends.
func (d testDialect) open(tb testing.TB) *Store {
	tb.Helper()
	return openForTest(tb, d.database(tb))
}

// eachDialect runs fn as a subtest per dialect, named after it.
func eachDialect(t *testing.T, fn func(t *testing.T, d testDialect)) {
	for _, d := range testDialects {
		t.Run(d.name, func(t *testing.T) {
			d.skipUnlessReady(t)
			fn(t, d)
		})
	}
}

// eachDialectB is eachDialect for benchmarks.
func eachDialectB(b *testing.B, fn func(b *testing.B, d testDialect)) {
	for _, d := range testDialects {
		b.Run(d.name, func(b *testing.B) {
			d.skipUnlessReady(b)
			fn(b, d)
		})
	}
}

// openForTest opens (and migrates) the database dsn, and closes it when
// the test ends.
func openForTest(tb testing.TB, dsn string) *Store {
	tb.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func sqliteDatabase(tb testing.TB) string {
	return filepath.Join(tb.TempDir(), "chatpic.db")
}

// postgresDatabase creates a schema with a random name and returns the
// DSN that puts it first on every connection's search path. The schema is
// dropped, with everything in it, when the test ends.
func postgresDatabase(tb testing.TB) string {
	tb.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		tb.Skip(postgresEnv + " not set: PostgreSQL suite skipped")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		tb.Fatalf("%s: %v", postgresEnv, err)
	}
	schema := "chatpic_test_" + hex.EncodeToString(randomBytes(8))
	admin := func(query string) {
		tb.Helper()
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			tb.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), query); err != nil {
			tb.Fatalf("%s: %v", query, err)
		}
	}
	admin(`CREATE SCHEMA ` + schema)
	tb.Cleanup(func() { admin(`DROP SCHEMA ` + schema + ` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}
