package sqlstore

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/chatpic/chatpic"
)

// TestFullDatabase: a SQLite database that runs out of space (here its
// max_page_count, which SQLite reports as it reports a full disk) refuses
// the post with KindStorageFull, and keeps nothing of it.
func TestFullDatabase(t *testing.T) {
	ctx := context.Background()
	s := openForTest(t, sqliteDatabase(t))
	mustChannel(t, s, "cats", 100_000, 0)
	// One writer connection, so the pragma holds for every write.
	var pages int
	if err := s.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.write.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+2)); err != nil {
		t.Fatal(err)
	}
	var err error
	var stored int
	for range 10_000 {
		p := newPost("cats", t0, 0)
		p.Caption = strings.Repeat("x", 500)
		if _, _, err = s.CreatePost(ctx, p, t0); err != nil {
			break
		}
		stored++
	}
	if chatpic.ErrorKind(err) != chatpic.KindStorageFull {
		t.Fatalf("after %d posts: %v (kind %q), want storage_full", stored, err, chatpic.ErrorKind(err))
	}
	var rows int
	if err := s.read.QueryRowContext(ctx, "SELECT COUNT(*) FROM posts").Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != stored {
		t.Fatalf("%d rows after %d stored posts and a refused one", rows, stored)
	}
}

func TestStorageFullErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want chatpic.Kind
	}{
		{"PostgreSQL disk_full", &pgconn.PgError{Code: "53100"}, chatpic.KindStorageFull},
		{"PostgreSQL another error", &pgconn.PgError{Code: "57014"}, chatpic.KindInternal},
		{"SQLite full", sqliteCode(13), chatpic.KindStorageFull},
		{"SQLite busy", sqliteCode(5), chatpic.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chatpic.ErrorKind(internal("test", tt.err)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

type sqliteCode int

func (c sqliteCode) Error() string { return fmt.Sprintf("sqlite error %d", int(c)) }
func (c sqliteCode) Code() int     { return int(c) }
