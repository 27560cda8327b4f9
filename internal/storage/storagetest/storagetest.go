// Package storagetest opens real stores for tests: a SQLite database and a
// media folder in a temporary directory, opened the way the server opens
// them.
package storagetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/storage"
)

// epoch is when Open creates the channels it is given.
var epoch = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// Open opens a fresh SQLite database and media folder under t.TempDir(),
// creates channels in it, and closes both when the test ends. It fails the
// test on any error.
func Open(t testing.TB, channels ...chatpic.Channel) *storage.Set {
	t.Helper()
	dir := t.TempDir()
	s, err := storage.Open(context.Background(), config.Storage{
		Data: dir, DB: filepath.Join(dir, "chatpic.db"), Blobs: filepath.Join(dir, "media"),
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if len(channels) > 0 {
		if _, err := s.DB.Seed(context.Background(), channels, epoch); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

// Disk returns the media folder of a Set that Open returned.
func Disk(s *storage.Set) *diskblob.Store { return s.Blobs.(*diskblob.Store) }
