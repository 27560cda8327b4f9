package diskblob

import (
	"context"
	"crypto/rand"
	"fmt"
	"io"
	"os"
	"path"
	"runtime"

	"github.com/chatpic/chatpic/internal/blob"
)

// copyBufSize is the chunk Put reads and writes at a time; ctx is checked
// between chunks.
const copyBufSize = 64 << 10

// Put stores the bytes read from r under key, replacing any object there, and
// returns the number of bytes stored. It streams r into a temp file under
// .tmp/, syncs it, and renames it onto key's path (creating folders), so
// readers see the old object or the whole new one. If r fails or ctx is
// cancelled, the temp file is removed and the returned error wraps r's error
// or ctx.Err(). If key's path collides with a folder of other objects (or
// needs a folder where an object is), the error is of kind
// chatpic.KindConflict; if a segment of key is longer than the file system
// allows (255 bytes, usually), of kind chatpic.KindInvalid. contentType is
// not kept: the server serves disk objects with the type it recorded.
func (s *Store) Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error) {
	if err := blob.ValidKey(key); err != nil {
		return 0, err
	}
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("diskblob: put %q: %w", key, err)
	}
	tmp, n, err := s.writeTemp(ctx, r)
	if err != nil {
		return 0, fmt.Errorf("diskblob: put %q: %w", key, err)
	}
	committed := false
	defer func() {
		if !committed {
			s.root.Remove(tmp) // best effort; Open sweeps what is left
		}
	}()

	dir := path.Dir(key)
	if dir != "." {
		if err := s.root.MkdirAll(dir, dirPerm); err != nil {
			return 0, fmt.Errorf("diskblob: put %q: %w", key, pathErr(key, err))
		}
	}
	// Last chance to honour a cancellation: after the rename the object is in.
	if err := ctx.Err(); err != nil {
		return 0, fmt.Errorf("diskblob: put %q: %w", key, err)
	}
	if err := s.root.Rename(tmp, key); err != nil {
		return 0, fmt.Errorf("diskblob: put %q: %w", key, pathErr(key, err))
	}
	committed = true
	if err := s.syncDir(dir); err != nil {
		return 0, fmt.Errorf("diskblob: put %q: the object is in place but may not survive a crash: %w", key, err)
	}
	return n, nil
}

// writeTemp copies r into a new temp file, syncs and closes it, and returns
// its name in the root. On error it leaves no file behind.
func (s *Store) writeTemp(ctx context.Context, r io.Reader) (string, int64, error) {
	// MkdirAll again in case someone removed .tmp while we were open.
	if err := s.root.MkdirAll(tmpDir, dirPerm); err != nil {
		return "", 0, err
	}
	name := path.Join(tmpDir, rand.Text())
	f, err := s.root.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, filePerm)
	if err != nil {
		return "", 0, err
	}
	n, err := copyCtx(ctx, f, r)
	if err == nil {
		err = f.Sync()
	}
	// Close is checked: on some file systems it reports write errors.
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		s.root.Remove(name)
		return "", 0, err
	}
	return name, n, nil
}

// copyCtx copies r to w until r's EOF, checking ctx before each read. A
// read error is returned as is, so its kind survives the wrapping.
func copyCtx(ctx context.Context, w io.Writer, r io.Reader) (int64, error) {
	buf := make([]byte, copyBufSize)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		nr, rerr := r.Read(buf)
		if nr > 0 {
			nw, werr := w.Write(buf[:nr])
			n += int64(nw)
			if werr != nil {
				return n, fmt.Errorf("writing temp file: %w", werr)
			}
		}
		if rerr == io.EOF { // Read returns io.EOF itself, never wrapped
			return n, nil
		}
		if rerr != nil {
			return n, rerr
		}
	}
}

// syncDir flushes dir's entries to disk, so that a rename into it survives
// a crash. Windows cannot sync a folder; there it is a no-op.
func (s *Store) syncDir(dir string) error {
	if runtime.GOOS == "windows" {
		return nil
	}
	d, err := s.root.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	if cerr := d.Close(); err == nil {
		err = cerr
	}
	return err
}
