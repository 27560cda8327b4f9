package sqlstore

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

func TestNumberPlaceholders(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"none", `SELECT 1`, `SELECT 1`},
		{"in order", `SELECT a FROM t WHERE b = ? AND c > ? LIMIT ?`, `SELECT a FROM t WHERE b = $1 AND c > $2 LIMIT $3`},
		{"not in a literal", `SELECT '?', 'it''s ?' FROM t WHERE a = ?`, `SELECT '?', 'it''s ?' FROM t WHERE a = $1`},
		{"not in a comment", "SELECT ? -- why?\nFROM t WHERE a = ?", "SELECT $1 -- why?\nFROM t WHERE a = $2"},
		{"an unterminated literal is left alone", `SELECT ? 'x?`, `SELECT $1 'x?`},
		{"ten and more", `VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, `VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := numberPlaceholders(tt.in); got != tt.want {
				t.Fatalf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestRebindCaches(t *testing.T) {
	d := newPostgresDialect()
	q := `SELECT ? + ?`
	if got := d.rebind(q); got != `SELECT $1 + $2` {
		t.Fatalf("rebind = %q", got)
	}
	if _, ok := d.rebound.Load(q); !ok {
		t.Fatal("the rebound query was not cached")
	}
	if got := newSQLiteDialect().rebind(q); got != q {
		t.Fatalf("sqlite rebind = %q, want the query unchanged", got)
	}
}

func TestConstraintErrors(t *testing.T) {
	tests := []struct {
		name               string
		err                error
		unique, foreignKey bool
	}{
		{"postgres unique_violation", &pgconn.PgError{Code: "23505"}, true, false},
		{"postgres foreign_key_violation, wrapped", fmt.Errorf("insert: %w", &pgconn.PgError{Code: "23503"}), false, true},
		{"postgres check_violation", &pgconn.PgError{Code: "23514"}, false, false},
		{"anything else", errors.New("unique"), false, false},
		{"nil", nil, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := isUniqueViolation(tt.err); got != tt.unique {
				t.Errorf("isUniqueViolation = %v", got)
			}
			if got := isForeignKeyViolation(tt.err); got != tt.foreignKey {
				t.Errorf("isForeignKeyViolation = %v", got)
			}
		})
	}
}

// TestPostgresSessionSettings checks the settings the store's connections
// run with unless the DSN asks otherwise: no JIT compilation (compiling a
// short look-up cost a home page 12 ms where running it took 0.3), and
// plans made once per prepared query (planning each execution for its
// values made pages cost more as a channel grew).
func TestPostgresSessionSettings(t *testing.T) {
	d := testDialects[1]
	d.skipUnlessReady(t)
	dsn := d.database(t)
	for _, c := range []struct {
		name, extra, setting, want string
	}{
		{"jit by default", "", "jit", "off"},
		{"jit as the operator says", "jit=on", "jit", "on"},
		{"plans by default", "", "plan_cache_mode", "force_generic_plan"},
		{"plans as the operator says", "plan_cache_mode=auto", "plan_cache_mode", "auto"},
	} {
		t.Run(c.name, func(t *testing.T) {
			u := dsn
			if c.extra != "" {
				u += "&" + c.extra
			}
			s := openForTest(t, u)
			var got string
			if err := s.read.QueryRowContext(context.Background(), `SHOW `+c.setting).Scan(&got); err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("%s = %q, want %q", c.setting, got, c.want)
			}
		})
	}
}
