package diskblob

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"syscall"

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
	o, err := s.open(key)
	if notExist(err) || errors.Is(err, errNotRegular) {
		return nil, notFound("open", key)
	}
	if err != nil {
		return nil, fmt.Errorf("diskblob: open %q: %w", key, err)
	}
	return o, nil
}

// errNotRegular is why a key that names a folder, a symlink or anything
// else but a file opens as not found.
var errNotRegular = errors.New("not a regular file")

// open opens key for reading through its folder when it has one folder
// level, else through the store's root. If the folder no longer finds it
// (the folder was replaced behind the store's back), the store's root
// decides, and the folder is opened again next time.
func (s *Store) open(key string) (*object, error) {
	dir, name, ok := strings.Cut(key, "/")
	if !ok || strings.Contains(name, "/") {
		return openRoot(s.root, key, key)
	}
	d, err := s.dir(dir)
	if err != nil {
		return openRoot(s.root, key, key)
	}
	o, err := d.open(key, name)
	if notExist(err) {
		s.dirs.CompareAndDelete(dir, d)
		return openRoot(s.root, key, key)
	}
	return o, err
}

// openRoot opens name in r as the object under key.
func openRoot(r *os.Root, key, name string) (*object, error) {
	f, err := r.Open(name)
	if err != nil {
		return nil, err
	}
	fi, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, err
	}
	if !fi.Mode().IsRegular() {
		f.Close()
		return nil, errNotRegular
	}
	return newObject(f, info(key, fi)), nil
}

// folder is an open folder that keys live in ("media", "thumb"), kept so
// that opening a key walks one path component, not two: opening was a
// third of serving a thumbnail.
type folder struct {
	root *os.Root
	// fd is the folder itself, where the platform opens files in it with
	// fewer system calls than root (see open_linux.go); nil elsewhere.
	fd *os.File
}

func (d *folder) close() {
	d.root.Close()
	if d.fd != nil {
		d.fd.Close()
	}
}

// dir returns the open folder name, opening it if needed.
func (s *Store) dir(name string) (*folder, error) {
	if d, ok := s.dirs.Load(name); ok {
		return d.(*folder), nil
	}
	r, err := s.root.OpenRoot(name)
	if err != nil {
		return nil, err
	}
	d := &folder{root: r, fd: openFolder(r)}
	if prev, loaded := s.dirs.LoadOrStore(name, d); loaded {
		d.close()
		return prev.(*folder), nil
	}
	return d, nil
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
//
// A stored file never changes once written (a Put replaces it by a rename),
// so the object knows its size, and Seek only notes where the next Read
// starts: the kernel's position is moved when a Read or sendfile needs it
// somewhere else. The seeks http.ServeContent makes to learn the size (to
// the end and back) so cost no system call.
type object struct {
	f    handle
	info blob.Info
	// pos is where the caller's next Read starts, when at is true; else the
	// kernel's position is the caller's. kpos is the kernel's position, when
	// kat is true.
	pos, kpos int64
	at, kat   bool
}

// handle is what an object reads through: an *os.File, or on Linux the bare
// descriptor of a file (see open_linux.go).
type handle interface {
	io.ReadSeekCloser
	SyscallConn() (syscall.RawConn, error)
}

func newObject(f handle, info blob.Info) *object {
	return &object{f: f, info: info, at: true, kat: true}
}

func (o *object) Read(p []byte) (int, error) {
	if err := o.sync(); err != nil {
		return 0, err
	}
	n, err := o.f.Read(p)
	if o.at {
		o.pos += int64(n)
		o.kpos = o.pos
	}
	return n, err
}

func (o *object) Seek(offset int64, whence int) (int64, error) {
	var base int64
	switch whence {
	case io.SeekStart:
	case io.SeekEnd:
		base = o.info.Size
	case io.SeekCurrent:
		if !o.at {
			n, err := o.f.Seek(offset, whence)
			if err == nil {
				o.pos, o.kpos, o.at, o.kat = n, n, true, true
			}
			return n, err
		}
		base = o.pos
	default:
		return 0, fmt.Errorf("diskblob: seek %s: invalid whence %d", o.info.Key, whence)
	}
	if base+offset < 0 {
		return 0, fmt.Errorf("diskblob: seek %s: negative position", o.info.Key)
	}
	o.pos, o.at = base+offset, true
	return o.pos, nil
}

// sync moves the kernel's position to the caller's, if they differ.
func (o *object) sync() error {
	if !o.at || o.kat && o.kpos == o.pos {
		return nil
	}
	if _, err := o.f.Seek(o.pos, io.SeekStart); err != nil {
		o.kat = false
		return err
	}
	o.kpos, o.kat = o.pos, true
	return nil
}

// SyscallConn gives the kernel the file at the caller's position, for
// sendfile, which moves the position without telling us.
func (o *object) SyscallConn() (syscall.RawConn, error) {
	if err := o.sync(); err != nil {
		return nil, err
	}
	o.at, o.kat = false, false
	return o.f.SyscallConn()
}

func (o *object) Close() error    { return o.f.Close() }
func (o *object) Info() blob.Info { return o.info }
