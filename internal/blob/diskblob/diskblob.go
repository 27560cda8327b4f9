// Package diskblob is a blob.Store on a local folder. It works through an
// os.Root, so no key, and no symlink planted in the folder, can reach a file
// outside it.
package diskblob

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sync"
	"syscall"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

const (
	dirPerm  = 0o750 // folders, before the umask
	filePerm = 0o640 // objects, before the umask

	// tmpDir holds objects being written. Its dot-name keeps it out of the
	// key space (blob.ValidKey refuses hidden segments).
	tmpDir = ".tmp"
	// staleAfter is the age past which Open removes a temp file. It is long
	// because another process (a server mid-upload, the CLI janitor) may
	// share the folder; a temp file being written is younger than its last
	// write.
	staleAfter = time.Hour
)

// Store is a blob.Store keeping each object as a file: key "media/x.jpg" is
// the file media/x.jpg under the folder. It is safe for concurrent use, also
// by several processes sharing the folder.
//
// Three limits come from the file system: a key cannot name both an object
// and the folder of other objects ("a" and "a/b"), so such a Put fails with
// chatpic.KindConflict; a key segment longer than a file name may be (255
// bytes, usually) fails Put with chatpic.KindInvalid; and on a
// case-insensitive file system, keys that differ only in case name the same
// object.
type Store struct {
	root *os.Root
	dirs sync.Map // folder name → *folder
}

var _ blob.Store = (*Store)(nil)

// Open opens the folder dir as a blob store, creating it (mode 0o750) if
// needed. It removes temp files left by a crash more than an hour ago. The
// caller must Close the store.
func Open(dir string) (*Store, error) {
	if err := os.MkdirAll(dir, dirPerm); err != nil {
		return nil, fmt.Errorf("diskblob: %w", err)
	}
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, fmt.Errorf("diskblob: %w", err)
	}
	s := &Store{root: root}
	if err := root.MkdirAll(tmpDir, dirPerm); err != nil {
		root.Close()
		return nil, fmt.Errorf("diskblob: %w", err)
	}
	if err := s.removeStaleTemp(time.Now()); err != nil {
		root.Close()
		return nil, fmt.Errorf("diskblob: removing stale temp files: %w", err)
	}
	return s, nil
}

// Close releases the folder. Objects already open stay readable; every other
// call on s after Close fails.
func (s *Store) Close() error {
	s.dirs.Range(func(_, d any) bool {
		d.(*folder).close()
		return true
	})
	return s.root.Close()
}

// Ping reports whether the folder is still there and reachable.
func (s *Store) Ping(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("diskblob: ping: %w", err)
	}
	// Stat a name inside the folder: Stat(".") would succeed on an open but
	// deleted folder.
	if _, err := s.root.Stat(tmpDir); err != nil {
		return fmt.Errorf("diskblob: ping: %w", err)
	}
	return nil
}

// Delete removes the object under key. A missing key, or a key that names a
// folder of other objects, is not an error. Empty folders are left in place
// so as not to race with a concurrent Put creating them.
func (s *Store) Delete(ctx context.Context, key string) error {
	if err := blob.ValidKey(key); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("diskblob: delete %q: %w", key, err)
	}
	// Lstat, not Stat: a symlink is removed itself, never followed.
	fi, err := s.root.Lstat(key)
	if notExist(err) || err == nil && fi.IsDir() {
		return nil
	}
	if err != nil {
		return fmt.Errorf("diskblob: delete %q: %w", key, err)
	}
	if err := s.root.Remove(key); err != nil && !notExist(err) {
		return fmt.Errorf("diskblob: delete %q: %w", key, err)
	}
	return nil
}

// notExist reports whether err means no object can be at the path: nothing
// there, a file where the path needs a folder, or a name longer than the
// file system allows.
func notExist(err error) bool {
	return errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.ENAMETOOLONG)
}

func notFound(op, key string) error {
	return fmt.Errorf("diskblob: %s %q: %w", op, key, blob.ErrNotFound)
}

// pathErr classifies err, from making key's folders or renaming onto key's
// path: a file and a folder colliding there is KindConflict, a segment over
// the file system's name limit is KindInvalid; anything else stays as is.
func pathErr(key string, err error) error {
	switch {
	case errors.Is(err, syscall.ENAMETOOLONG):
		return &chatpic.Error{
			Kind:    chatpic.KindInvalid,
			Message: "blob: key has a segment too long for the file system",
			Err:     err,
		}
	case errors.Is(err, syscall.EISDIR) || errors.Is(err, syscall.ENOTDIR) ||
		errors.Is(err, syscall.EEXIST) || errors.Is(err, syscall.ENOTEMPTY):
		e := chatpic.Errorf(chatpic.KindConflict, "blob: key %q collides with a folder of other objects or an object", key)
		e.Err = err
		return e
	}
	return err
}
