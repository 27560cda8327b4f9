package chatpic

import (
	"errors"
	"strconv"
)

// MaxFiles is the most files one post may carry, and a channel's default
// (Channel.MaxFiles).
const MaxFiles = 10

// Items returns the post's files in order: the first, then the rest of an
// album. The caller may not modify the result's elements through p.
func (p Post) Items() []Item {
	return append([]Item{p.Item}, p.More...)
}

// Files returns how many files the post carries, removed ones included.
func (p Post) Files() int { return 1 + len(p.More) }

// IsAlbum reports whether the post carries more than one file.
func (p Post) IsAlbum() bool { return len(p.More) > 0 }

// File returns the post's nth file, counting from 1, and whether there is
// one.
func (p Post) File(n int) (Item, bool) {
	switch {
	case n == 1:
		return p.Item, true
	case n >= 2 && n-2 < len(p.More):
		return p.More[n-2], true
	}
	return Item{}, false
}

// Cover returns the number of the file that stands for the post in lists
// and previews: the first that was not removed (1 if all were).
func (p Post) Cover() int {
	for i, it := range p.Items() {
		if !it.Removed {
			return i + 1
		}
	}
	return 1
}

// Shown returns how many of the post's files were not removed.
func (p Post) Shown() int {
	n := 0
	for _, it := range p.Items() {
		if !it.Removed {
			n++
		}
	}
	return n
}

// FileName returns the name under which the post's nth file (counting
// from 1) is linked and stored, without extension: the post's ID for the
// first, ID-n for the others. FileName(1) of every post ever made is its
// ID, so links made before albums keep working.
func (p Post) FileName(n int) string {
	if n <= 1 {
		return p.ID
	}
	return p.ID + "-" + strconv.Itoa(n)
}

// FileKey returns the blob-store key of the post's nth file, or with
// thumb, of its thumbnail.
func (p Post) FileKey(n int, thumb bool) string {
	it, _ := p.File(n)
	if thumb {
		return "thumb/" + p.FileName(n) + "." + it.ThumbExt
	}
	return "media/" + p.FileName(n) + "." + it.Ext
}

// Keys returns the blob-store keys of every file of the post and their
// thumbnails, removed files included (deleting a missing key is harmless).
func (p Post) Keys() []string {
	keys := make([]string, 0, 2*p.Files())
	for n := 1; n <= p.Files(); n++ {
		keys = append(keys, p.FileKey(n, false), p.FileKey(n, true))
	}
	return keys
}

// ParseFileName splits a file name made by FileName into the post's ID
// and the file's number. ok is false for anything FileName cannot make.
func ParseFileName(name string) (id string, n int, ok bool) {
	id, rest, album := name, "", false
	if len(name) > idLen && name[idLen] == '-' {
		id, rest, album = name[:idLen], name[idLen+1:], true
	}
	if !ValidID(id) {
		return "", 0, false
	}
	if !album {
		return id, 1, true
	}
	// No sign, no leading zero: one name per file.
	if rest == "" || rest[0] < '1' || rest[0] > '9' || len(rest) > 2 {
		return "", 0, false
	}
	n, err := strconv.Atoi(rest)
	if err != nil || n < 2 || n > MaxFiles {
		return "", 0, false
	}
	return id, n, true
}

// FileRefusal says why one file of an upload of several was refused.
type FileRefusal struct {
	File    int // counting from 1, in the order the files were sent
	Kind    Kind
	Message string // safe to show
	// Key and Args are what Message is made of, as ErrorText gives them,
	// for showing it in another language.
	Key  string
	Args []any
}

// RefuseFile returns the FileRefusal of the nth file for err.
func RefuseFile(n int, err error) FileRefusal {
	key, args := ErrorText(err)
	return FileRefusal{File: n, Kind: ErrorKind(err), Message: ErrorMessage(err), Key: key, Args: args}
}

// ErrorFiles returns the refusals per file carried by err (see
// Error.Files), or nil.
func ErrorFiles(err error) []FileRefusal {
	if e, ok := errors.AsType[*Error](err); ok {
		return e.Files
	}
	return nil
}
