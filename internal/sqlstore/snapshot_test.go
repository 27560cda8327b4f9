package sqlstore

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// TestSnapshot copies a SQLite database the store keeps open, and finds in
// the copy what was committed before it, and nothing written after it.
func TestSnapshot(t *testing.T) {
	ctx := context.Background()
	s := openForTest(t, sqliteDatabase(t))
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	mustChannel(t, s, "pics", 100, 0)
	before, _ := mustPost(t, s, newPost("pics", t0, 0))

	path := filepath.Join(t.TempDir(), "copy.db")
	if err := s.Snapshot(ctx, path); err != nil {
		t.Fatal(err)
	}
	after, _ := mustPost(t, s, newPost("pics", t0, 0))
	if err := s.Snapshot(ctx, path); chatpic.ErrorKind(err) != chatpic.KindConflict {
		t.Errorf("a snapshot onto an existing file: %v, want a conflict", err)
	}

	c := openForTest(t, path)
	if _, err := c.Post(ctx, before.ID, t0); err != nil {
		t.Errorf("the post made before the snapshot: %v", err)
	}
	if _, err := c.Post(ctx, after.ID, t0); chatpic.ErrorKind(err) != chatpic.KindNotFound {
		t.Errorf("the post made after the snapshot: %v, want not found", err)
	}
}

// TestSnapshotPostgres checks that PostgreSQL says to use its own tools.
func TestSnapshotPostgres(t *testing.T) {
	d := testDialects[1]
	d.skipUnlessReady(t)
	err := d.open(t).Snapshot(context.Background(), filepath.Join(t.TempDir(), "copy.db"))
	if chatpic.ErrorKind(err) != chatpic.KindUnsupported {
		t.Fatalf("got %v, want unsupported", err)
	}
}
