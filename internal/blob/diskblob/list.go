package diskblob

import (
	"context"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/chatpic/chatpic/internal/blob"
)

// List calls fn for every object whose key starts with prefix, in lexical key
// order, and stops with fn's error, unchanged, if fn fails. It walks only the
// folders that can hold matching keys, holding in memory just the entries of
// the folders on its current path. It skips hidden names (the .tmp folder
// among them) and names that are not valid keys, which no caller can ask for,
// and symlinks, which it never follows so that a planted link cannot make it
// loop or list what it points to.
func (s *Store) List(ctx context.Context, prefix string, fn func(blob.Info) error) error {
	if err := blob.ValidPrefix(prefix); err != nil {
		return err
	}
	dir := "."
	if i := strings.LastIndexByte(prefix, '/'); i >= 0 {
		dir = prefix[:i]
	}
	return s.walk(ctx, dir, prefix, fn)
}

// walk lists the objects under dir (a key-shaped folder path, or "." for the
// top) whose keys start with prefix.
func (s *Store) walk(ctx context.Context, dir, prefix string, fn func(blob.Info) error) error {
	entries, err := s.readDir(ctx, dir)
	if err != nil {
		return fmt.Errorf("diskblob: list %q: %w", prefix, err)
	}
	for _, e := range entries {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("diskblob: list %q: %w", prefix, err)
		}
		key := e.name
		if dir != "." {
			key = dir + "/" + e.name
		}
		if blob.ValidKey(key) != nil {
			continue
		}
		switch {
		case e.info.IsDir():
			sub := key + "/"
			if strings.HasPrefix(sub, prefix) || strings.HasPrefix(prefix, sub) {
				if err := s.walk(ctx, key, prefix, fn); err != nil {
					return err
				}
			}
		case e.info.Mode().IsRegular() && strings.HasPrefix(key, prefix):
			if err := fn(info(key, e.info)); err != nil {
				return err
			}
		}
	}
	return nil
}

type entry struct {
	name    string
	sortKey string      // name, plus "/" for a folder
	info    fs.FileInfo // from lstat: a symlink is neither a folder nor a regular file
}

// readDir returns dir's entries in the order that lists keys lexically. A
// folder's keys all start with its name plus "/", so sorting folders as
// name+"/" and files as name makes a depth-first walk yield sorted keys,
// even though '-' and '.' sort before '/'. A missing dir has no entries.
func (s *Store) readDir(ctx context.Context, dir string) ([]entry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d, err := s.root.Open(dir)
	if notExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	defer d.Close()
	des, err := d.ReadDir(-1)
	if notExist(err) { // dir is a file: a prefix such as "media/x.jpg/"
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	entries := make([]entry, 0, len(des))
	for _, de := range des {
		if strings.HasPrefix(de.Name(), ".") {
			continue
		}
		// In an os.Root, ReadDir has already lstat'ed each entry.
		fi, err := de.Info()
		if notExist(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		e := entry{name: de.Name(), sortKey: de.Name(), info: fi}
		if fi.IsDir() {
			e.sortKey += "/"
		}
		entries = append(entries, e)
	}
	slices.SortFunc(entries, func(a, b entry) int { return strings.Compare(a.sortKey, b.sortKey) })
	return entries, nil
}
