package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/chatpic/chatpic/internal/sqlstore"
)

// cmdRestore puts a backup made by cmdBackup back as a site's database and
// media folder. The site must not be running, and must hold no database
// yet: restore never overwrites one.
func cmdRestore(ctx context.Context, e env, args []string) error {
	cfg, src, err := parseFolderCommand(e, args, "restore SRC",
		"SRC is a folder written by chatpic backup; the site must be stopped and hold no database.", "say which backup to restore")
	if err != nil {
		return err
	}
	if _, err := os.Stat(filepath.Join(src, backupDB)); err != nil {
		return fmt.Errorf("restore: %s is not a chatpic backup: %w", src, err)
	}
	db := cfg.Storage.DB
	switch _, err := os.Lstat(db); {
	case err == nil:
		return fmt.Errorf("restore: %s already exists: restore into a new data folder, or move the database away first", db)
	case !errors.Is(err, fs.ErrNotExist):
		return fmt.Errorf("restore: %w", err)
	}
	if !empty(cfg.Storage.Blobs) {
		return fmt.Errorf("restore: %s is not empty: restore into a new data folder, or move the media away first", cfg.Storage.Blobs)
	}
	if err := os.MkdirAll(filepath.Dir(db), 0o750); err != nil {
		return fmt.Errorf("restore: %w", err)
	}

	// The database goes in last: while it is missing, the folder is plainly
	// not restored. Leftovers of an interrupted try are cleared first.
	media := cfg.Storage.Blobs + ".restoring"
	tmpDB := db + ".restoring"
	for _, p := range []string{media, tmpDB, tmpDB + "-wal", tmpDB + "-shm"} {
		if err := os.RemoveAll(p); err != nil {
			return fmt.Errorf("restore: %w", err)
		}
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(media)
			os.Remove(tmpDB)
		}
	}()
	files, err := copyTree(filepath.Join(src, backupMedia), media, true)
	if err != nil {
		return fmt.Errorf("restore: media: %w", err)
	}
	if _, err := copyFile(filepath.Join(src, backupDB), tmpDB); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	// Open the copy as the server would (migrating it if this binary is
	// newer than the backup): a backup that does not open is not restored.
	store, err := sqlstore.Open(ctx, tmpDB)
	if err != nil {
		return fmt.Errorf("restore: the backup's database: %w", err)
	}
	posts, err := store.CountPosts(ctx)
	if cerr := store.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("restore: the backup's database: %w", err)
	}
	if _, err := os.Stat(tmpDB + "-wal"); err == nil {
		return fmt.Errorf("restore: the backup's database left a write-ahead log behind (%s-wal)", tmpDB)
	}
	os.Remove(tmpDB + "-shm")
	if err := os.Remove(cfg.Storage.Blobs); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(media, cfg.Storage.Blobs); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	if err := os.Rename(tmpDB, db); err != nil {
		return fmt.Errorf("restore: %w", err)
	}
	done = true
	syncDir(filepath.Dir(db))
	fmt.Fprintf(e.stdout, "restore: %s (%d posts), %s from %s\n", db, posts, files, src)
	return nil
}
