package diskblob

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"strings"

	"github.com/chatpic/chatpic/internal/blob"
)

// Open returns the object under key for reading; the caller must close it.
// A missing key, or one that names a folder, yields an error matching
// blob.ErrNotFound. The object stays readable, with the bytes it had when
// opened, even if the key is overwritten or deleted meanwhile.
func (s *Store) Open(ctx context.Context, key string) (blob.Object, error) {
	if err := blob.ValidKey(key); err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("diskblob: open %q: %w", key, err)
	}
	f, err := s.open(key)
	if notExist(err) {
		return nil, notFound("open", key)
	}
	if err != nil {
		return nil, fmt.Errorf("diskblob: open %q: %w", key, err)
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("diskblob: open %q: %w", key, err)
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, notFound("open", key)
	}
	return &object{f: f, info: info(key, fi)}, nil
}

// open opens key for reading through the cached root of its folder when it
// has one folder level, else through the store's root. If the folder's
// cached root no longer finds it (the folder was replaced behind the
// store's back), the store's root decides, and the cache is refreshed.
func (s *Store) open(key string) (*os.File, error) {
	dir, name, ok := strings.Cut(key, "/")
	if !ok || strings.Contains(name, "/") {
		return s.root.Open(key)
	}
	r, err := s.dir(dir)
	if err != nil {
		return s.root.Open(key)
	}
	f, err := r.Open(name)
	if notExist(err) {
		s.dirs.CompareAndDelete(dir, r) // a replaced folder is opened again next time
		return s.root.Open(key)
	}
	return f, err
}

// dir returns the cached root of folder name, opening it if needed.
func (s *Store) dir(name string) (*os.Root, error) {
	if r, ok := s.dirs.Load(name); ok {
		return r.(*os.Root), nil
	}
	r, err := s.root.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	if prev, loaded := s.dirs.LoadOrStore(name, r); loaded {
		r.Close()
		return prev.(*os.Root), nil
	}
	return r, nil
}

// Stat returns the Info of the object under key, or an error matching
// blob.ErrNotFound as Open does.
func (s *Store) Stat(ctx context.Context, key string) (blob.Info, error) {
	if err := blob.ValidKey(key); err != nil {
		return blob.Info{}, err
	}
	if err := ctx.Err(); err != nil {
		return blob.Info{}, fmt.Errorf("diskblob: stat %q: %w", key, err)
	}
	fi, err := s.root.Stat(key)
	if notExist(err) || err == nil && !fi.Mode().IsRegular() {
		return blob.Info{}, notFound("stat", key)
	}
	if err != nil {
		return blob.Info{}, fmt.Errorf("diskblob: stat %q: %w", key, err)
	}
	return info(key, fi), nil
}

func info(key string, fi fs.FileInfo) blob.Info {
	return blob.Info{Key: key, Size: fi.Size(), ModTime: fi.ModTime().UTC()}
}

// object is an open file. It wraps *os.File rather than embedding it so
// that callers cannot reach Write, Chmod and the like by type assertion.
type object struct {
	f    *os.File
	info blob.Info
}

func (o *object) Read(p []byte) (int, error)                   { return o.f.Read(p) }
func (o *object) Seek(offset int64, whence int) (int64, error) { return o.f.Seek(offset, whence) }
func (o *object) Close() error                                 { return o.f.Close() }
func (o *object) Info() blob.Info                              { return o.info }

// File returns the file, opened only for reading, for blob.Content.
func (o *object) File() *os.File { return o.f }
