package diskblob

import (
	"errors"
	"io/fs"
	"path"
	"time"
)

// removeStaleTemp removes the temp files last written more than staleAfter
// before now: the leftovers of a crash. Younger ones may belong to a Put in
// progress, here or in another process sharing the folder.
func (s *Store) removeStaleTemp(now time.Time) error {
	d, err := s.root.Open(tmpDir)
	if err != nil {
		return err
	}
	// A folder opened in an os.Root reads its entries' info eagerly (and
	// relative to the folder, not by path), so Info below costs no syscall.
	entries, err := d.ReadDir(-1)
	d.Close()
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return err
		}
		if now.Sub(fi.ModTime()) <= staleAfter {
			continue
		}
		if err := s.root.Remove(path.Join(tmpDir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return err
		}
	}
	return nil
}
