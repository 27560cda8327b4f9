package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/janitor"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// A backup is a folder laid out as a data folder: the database and the
// media folder, nothing else (temporary files and caches are rebuilt).
const (
	backupDB    = "chatpic.db"
	backupMedia = "media"
)

// sharedStorageHelp is what backup and restore say on PostgreSQL or S3,
// where chatpic keeps nothing of its own.
const sharedStorageHelp = `chatpic backs up only its own SQLite database and media folder.
On PostgreSQL and S3 all of chatpic's data lives in those two, so use their tools:
  the database:  pg_dump (chatpic's schema), or PostgreSQL's own backups with point-in-time recovery
  the media:     the object store's versioning or replication, or a copy such as aws s3 sync or rclone sync
Back up the database first, then the media: every upload's files are stored before its row.
Keep the --secret-file safe too, apart from the database backups: without it the keyed hashes
in the database (poster IDs, poster bans) no longer match.`

// cmdBackup writes a consistent copy of a SQLite site, which may be
// running, to a new folder: first a snapshot of the database, then the
// media files, which an upload stores before its row, so every post in the
// snapshot finds its files.
func cmdBackup(ctx context.Context, e env, args []string) error {
	cfg, folder, err := parseFolderCommand(e, args, "backup DEST", "DEST must not exist or be an empty folder.",
		"say where to write the backup")
	if err != nil {
		return err
	}
	if _, err := os.Stat(cfg.Storage.DB); err != nil {
		return fmt.Errorf("backup: no database to back up: %w", err)
	}
	dest := filepath.Clean(folder)
	stage, err := stageFolder(dest)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done := false
	defer func() {
		if !done {
			os.RemoveAll(stage)
		}
	}()

	// The database first: a post in the snapshot had its files stored
	// before its row, so the media copied next holds them. It is opened as
	// it is: a backup taken before an upgrade must not migrate the site.
	db, err := sqlstore.OpenWith(ctx, cfg.Storage.DB, sqlstore.Options{SkipMigrations: true})
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	err = db.Snapshot(ctx, filepath.Join(stage, backupDB))
	db.Close()
	if err == nil {
		err = os.Chmod(filepath.Join(stage, backupDB), 0o600) // it holds hashes of posters
	}
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	files, err := copyTree(cfg.Storage.Blobs, filepath.Join(stage, backupMedia), true)
	if err != nil {
		return fmt.Errorf("backup: media: %w", err)
	}
	posts, r, err := reconcile(ctx, stage, e)
	counted := fmt.Sprintf(" (%d posts)", posts)
	if errors.Is(err, errBehind) {
		counted = ""
		fmt.Fprintf(e.stderr, "backup: %v; the copy is kept as it is, and the janitor of the site it is restored to will tidy it\n", err)
	} else if err != nil {
		return fmt.Errorf("backup: checking the copy: %w", err)
	}
	if err := os.Remove(dest); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(stage, dest); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	done = true
	syncDir(filepath.Dir(dest))
	fmt.Fprintf(e.stdout, "backup: %s%s, %s to %s\n", backupDB, counted, files, dest)
	if r.LostPosts+r.OrphanFiles+r.Expired > 0 {
		fmt.Fprintf(e.stdout, "backup: left out %d posts whose files were deleted while it ran, %d expired posts, and %d files no post in the snapshot names (uploads after it)\n",
			r.LostPosts, r.Expired, r.OrphanFiles)
	}
	return nil
}

// parseFolderCommand reads the arguments of backup and restore (name):
// one folder, and the storage flags, which must name a SQLite database and
// a media folder. use is the command and its folder ("backup DEST"), help
// follows the usage line, and missing is the complaint when no folder is
// given.
func parseFolderCommand(e env, args []string, use, help, missing string) (config.Config, string, error) {
	name, _, _ := strings.Cut(use, " ")
	flags := flag.NewFlagSet(name, flag.ContinueOnError)
	flags.SetOutput(e.stderr)
	flags.Usage = func() {
		fmt.Fprintf(e.stderr, "usage: chatpic %s [--data DIR --db FILE --blobs DIR]\n%s\n", use, help)
		flags.PrintDefaults()
	}
	set := config.NewSet(flags, e.getenv, false)
	pos, err := parseInterspersed(flags, args)
	if err != nil {
		return config.Config{}, "", err
	}
	if len(pos) != 1 {
		flags.Usage()
		return config.Config{}, "", fmt.Errorf("%s: %s", name, missing)
	}
	cfg, err := set.Config()
	if err != nil {
		return config.Config{}, "", fmt.Errorf("configuration:\n%w", err)
	}
	if cfg.Storage.Shared() || cfg.Storage.S3 != nil {
		return config.Config{}, "", fmt.Errorf("%s: this site keeps its data in PostgreSQL or S3\n%s", name, sharedStorageHelp)
	}
	return cfg, pos[0], nil
}

// stageFolder checks that dest does not exist or is an empty folder and
// makes the folder beside it that the backup is written into, so that a
// backup that fails half-way never looks like a whole one.
func stageFolder(dest string) (string, error) {
	entries, err := os.ReadDir(dest)
	switch {
	case err == nil && len(entries) > 0:
		return "", fmt.Errorf("%s is not empty: back up into a new folder", dest)
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		return "", err
	}
	stage := dest + ".partial"
	if err := os.Mkdir(stage, 0o750); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("%s exists: another backup is running, or one failed (then remove it)", stage)
		}
		return "", err
	}
	return stage, nil
}

// errBehind says that a database lacks migrations this binary knows.
var errBehind = errors.New("the database is behind this binary (chatpic migrate brings it up to date)")

// reconcile makes the copy in dir agree with itself, as the janitor would
// on the site: the snapshot may name posts whose files were deleted
// (evicted, expired, taken down) before the media were copied, and the
// media may hold files of uploads whose row came after the snapshot. It
// returns the number of posts left. A database behind this binary is left
// alone (errBehind): the janitor's queries are this binary's.
func reconcile(ctx context.Context, dir string, e env) (int, janitor.Report, error) {
	db, err := sqlstore.OpenWith(ctx, filepath.Join(dir, backupDB), sqlstore.Options{SkipMigrations: true})
	if err != nil {
		return 0, janitor.Report{}, err
	}
	defer db.Close()
	switch pending, err := db.Pending(ctx); {
	case err != nil:
		return 0, janitor.Report{}, err
	case len(pending) > 0:
		return 0, janitor.Report{}, errBehind
	}
	blobs, err := diskblob.Open(filepath.Join(dir, backupMedia))
	if err != nil {
		return 0, janitor.Report{}, err
	}
	defer blobs.Close()
	log := slog.New(slog.DiscardHandler)
	// No grace period: nothing is in flight in a copy, and files written
	// since the clock was read must count as well.
	noGrace := janitor.Options{Grace: math.MinInt64}
	r, err := janitor.New(db, blobs, log, nil, "").Run(ctx, e.now(), noGrace)
	if err != nil {
		return 0, r, err
	}
	n, err := db.CountPosts(ctx)
	return n, r, err
}

// treeCopy says what copyTree did.
type treeCopy struct {
	files, linked int
	bytes         int64
}

func (c treeCopy) String() string {
	how := "copied"
	if c.linked == c.files && c.files > 0 {
		how = "hard-linked"
	} else if c.linked > 0 {
		how = fmt.Sprintf("%d hard-linked", c.linked)
	}
	return fmt.Sprintf("%d media files (%s, %s)", c.files, chatpic.FormatSize(c.bytes), how)
}

// copyTree puts every regular file under src, but for hidden ones (the
// blob store's temp files) and held shares (chatpic.SharePrefix: files
// shared from a phone, not scrubbed yet, held for minutes), at the same
// place under dst, a new folder. A
// file is hard-linked, if link and dst is on the same file system, and
// copied (to a temp file, synced, renamed) otherwise: the blob store never
// changes a file in place, it renames a whole new one over it, so neither
// way can catch a file half-written. A missing src is an empty one.
func copyTree(src, dst string, link bool) (treeCopy, error) {
	var c treeCopy
	if err := os.MkdirAll(dst, 0o750); err != nil {
		return c, err
	}
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) {
			return nil // deleted while we walked, or no media yet
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(src, path)
		if err != nil {
			return err
		}
		if rel != "." && strings.HasPrefix(d.Name(), ".") || d.IsDir() && filepath.ToSlash(rel)+"/" == chatpic.SharePrefix {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		to := filepath.Join(dst, rel)
		switch {
		case d.IsDir():
			return os.MkdirAll(to, 0o750)
		case !d.Type().IsRegular():
			return nil
		}
		fi, err := d.Info()
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if link {
			err := os.Link(path, to)
			if err == nil {
				c.files, c.linked, c.bytes = c.files+1, c.linked+1, c.bytes+fi.Size()
				return nil
			}
			if errors.Is(err, fs.ErrNotExist) {
				return nil
			}
			link = false // another file system, or one without links: copy from now on
		}
		n, err := copyFile(path, to)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		c.files, c.bytes = c.files+1, c.bytes+n
		return nil
	})
	return c, err
}

// copyFile copies the file src to the new file dst through a temp file
// beside it, synced before the rename.
func copyFile(src, dst string) (int64, error) {
	in, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer in.Close()
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".copy-*")
	if err != nil {
		return 0, err
	}
	n, err := io.Copy(tmp, in)
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), dst)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return 0, err
	}
	return n, nil
}

// syncDir makes a rename in dir durable, as far as the system allows.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}
