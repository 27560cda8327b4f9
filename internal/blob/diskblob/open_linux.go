package diskblob

import (
	"io"
	"os"
	"syscall"
	"time"

	"github.com/chatpic/chatpic/internal/blob"
)

// openFolder opens the folder of r itself, for open; nil if it cannot,
// and the folder's root serves instead.
func openFolder(r *os.Root) *os.File {
	f, err := r.Open(".")
	if err != nil {
		return nil
	}
	return f
}

// open opens name in the folder as the object under key with one openat(2)
// and one fstat(2). os.Root would also try to add the file to the network
// poller and set and clear its non-blocking flag, four more system calls
// on the path of every media request. name is one segment that
// blob.ValidKey passed (no "/", no "..", nothing hidden), and O_NOFOLLOW
// refuses a symlink in its place, so nothing outside the folder can be
// reached, as through the root.
func (d *folder) open(key, name string) (*object, error) {
	if d.fd == nil {
		return openRoot(d.root, key, name)
	}
	rc, err := d.fd.SyscallConn()
	if err != nil {
		return openRoot(d.root, key, name)
	}
	fd, oerr := -1, error(nil)
	// Control holds the folder open while it runs: a Close meanwhile
	// cannot hand its number to another file.
	if err := rc.Control(func(dirfd uintptr) {
		for {
			fd, oerr = syscall.Openat(int(dirfd), name, syscall.O_RDONLY|syscall.O_CLOEXEC|syscall.O_NOFOLLOW|syscall.O_NOCTTY, 0)
			if oerr != syscall.EINTR {
				return
			}
		}
	}); err != nil {
		return nil, err
	}
	if oerr == syscall.ELOOP {
		return nil, errNotRegular // a symlink
	}
	if oerr != nil {
		return nil, &os.PathError{Op: "openat", Path: key, Err: oerr}
	}
	var st syscall.Stat_t
	if err := syscall.Fstat(fd, &st); err != nil {
		syscall.Close(fd)
		return nil, &os.PathError{Op: "fstat", Path: key, Err: err}
	}
	if st.Mode&syscall.S_IFMT != syscall.S_IFREG {
		syscall.Close(fd)
		return nil, errNotRegular
	}
	info := blob.Info{Key: key, Size: st.Size, ModTime: time.Unix(st.Mtim.Sec, st.Mtim.Nsec).UTC()}
	return newObject(&rawFile{fd: fd, key: key}, info), nil
}

// rawFile is an open regular file read with plain system calls. os.NewFile
// would ask the kernel for the descriptor's flags and register a
// finalizer, on every media request; an object is always closed by its
// one user, which needs neither. A regular file is never non-blocking, so
// reads and sendfile never wait for the poller.
type rawFile struct {
	fd  int
	key string
}

func (f *rawFile) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	for {
		n, err := syscall.Read(f.fd, p)
		switch {
		case err == syscall.EINTR:
			continue
		case err != nil:
			return 0, &os.PathError{Op: "read", Path: f.key, Err: err}
		case n == 0:
			return 0, io.EOF
		}
		return n, nil
	}
}

func (f *rawFile) Seek(offset int64, whence int) (int64, error) {
	n, err := syscall.Seek(f.fd, offset, whence)
	if err != nil {
		return 0, &os.PathError{Op: "seek", Path: f.key, Err: err}
	}
	return n, nil
}

// Close closes the descriptor; the file must not be used after.
func (f *rawFile) Close() error {
	if f.fd < 0 {
		return os.ErrClosed
	}
	err := syscall.Close(f.fd)
	f.fd = -1
	if err != nil {
		return &os.PathError{Op: "close", Path: f.key, Err: err}
	}
	return nil
}

// SyscallConn hands the descriptor to sendfile.
func (f *rawFile) SyscallConn() (syscall.RawConn, error) {
	if f.fd < 0 {
		return nil, os.ErrClosed
	}
	return rawConn(f.fd), nil
}

// rawConn is a regular file's descriptor as a syscall.RawConn: it is
// always ready, so each call runs its function once (again only if the
// function asks to wait, which it never needs to).
type rawConn int

func (c rawConn) Control(f func(fd uintptr)) error { f(uintptr(c)); return nil }

func (c rawConn) Read(f func(fd uintptr) bool) error {
	for !f(uintptr(c)) {
	}
	return nil
}

func (c rawConn) Write(f func(fd uintptr) bool) error {
	for !f(uintptr(c)) {
	}
	return nil
}
