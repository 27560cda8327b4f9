package diskblob

import (
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
	return newObject(os.NewFile(uintptr(fd), key), info), nil
}
