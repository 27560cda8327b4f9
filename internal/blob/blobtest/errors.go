package blobtest

import (
	"bytes"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

// missingKeys are keys with no object, in a store holding only existing.
var missingKeys = []struct{ name, key string }{
	{"never stored", "media/none.jpg"},
	{"beside an object", "media/b.jpg"},
	{"folder of objects", "media"},
	{"below an object", "media/a.jpg/x"},
	{"top level", "nothing"},
}

const existing = "media/a.jpg"

func testMissingKey(t *testing.T, s blob.Store) {
	put(t, s, existing, []byte("a"))
	for _, tt := range missingKeys {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := s.Open(t.Context(), tt.key)
			if err == nil {
				obj.Close()
			}
			checkNotFound(t, "Open("+tt.key+")", err)
			_, err = s.Stat(t.Context(), tt.key)
			checkNotFound(t, "Stat("+tt.key+")", err)
		})
	}
}

func testDeleteMissingKey(t *testing.T, s blob.Store) {
	put(t, s, existing, []byte("a"))
	for _, tt := range missingKeys {
		t.Run(tt.name, func(t *testing.T) {
			if err := s.Delete(t.Context(), tt.key); err != nil {
				t.Errorf("Delete(%q) = %v, want nil", tt.key, err)
			}
		})
	}
	// Deleting "media" must not have touched the objects under it.
	checkContent(t, s, existing, []byte("a"))
}

func testDeleteThenOpen(t *testing.T, s blob.Store) {
	const key = "media/gone.gif"
	put(t, s, key, []byte("GIF89a"))
	put(t, s, "media/kept.gif", []byte("GIF89a"))
	if err := s.Delete(t.Context(), key); err != nil {
		t.Fatalf("Delete: %v", err)
	}
	checkAbsent(t, s, key)
	if err := s.Delete(t.Context(), key); err != nil {
		t.Errorf("second Delete = %v, want nil", err)
	}
	checkContent(t, s, "media/kept.gif", []byte("GIF89a"))
}

// invalidKeys are refused by blob.ValidKey, so by every method.
var invalidKeys = []struct{ name, key string }{
	{"empty", ""},
	{"leading slash", "/a"},
	{"trailing slash", "a/"},
	{"double slash", "a//b"},
	{"parent first", "../x"},
	{"parent in the middle", "a/../b"},
	{"dot segment", "a/./b"},
	{"hidden name", ".hidden"},
	{"hidden folder", "a/.tmp/x"},
	{"space", "a b"},
	{"backslash", `a\b`},
	{"NUL byte", "a\x00b"},
	{"non-ASCII", "é"},
	{"300 bytes", strings.Repeat("k/", 150)[:300]},
}

func testInvalidKeys(t *testing.T, s blob.Store) {
	for _, tt := range invalidKeys {
		t.Run(tt.name, func(t *testing.T) {
			ctx := t.Context()
			_, err := s.Put(ctx, tt.key, bytes.NewReader([]byte("data")), "")
			checkInvalid(t, "Put", tt.key, err)
			obj, err := s.Open(ctx, tt.key)
			if err == nil {
				obj.Close()
			}
			checkInvalid(t, "Open", tt.key, err)
			_, err = s.Stat(ctx, tt.key)
			checkInvalid(t, "Stat", tt.key, err)
			checkInvalid(t, "Delete", tt.key, s.Delete(ctx, tt.key))
		})
	}
	if got := listKeys(t, s, ""); len(got) != 0 {
		t.Errorf("after Puts with invalid keys, List(\"\") = %q, want nothing", got)
	}
}

func testInvalidPrefixes(t *testing.T, s blob.Store) {
	put(t, s, existing, []byte("a"))
	prefixes := []struct{ name, prefix string }{
		{"lone slash", "/"},
		{"leading slash", "/media/"},
		{"double slash", "media//"},
		{"parent", "../"},
		{"hidden folder", ".tmp/"},
		{"space", "a b/"},
		{"non-ASCII", "é/"},
		{"300 bytes", strings.Repeat("k/", 150)},
	}
	for _, tt := range prefixes {
		t.Run(tt.name, func(t *testing.T) {
			called := false
			err := s.List(t.Context(), tt.prefix, func(blob.Info) error {
				called = true
				return nil
			})
			checkInvalid(t, "List", tt.prefix, err)
			if called {
				t.Errorf("List(%q) called fn", tt.prefix)
			}
		})
	}
}

func checkInvalid(t *testing.T, op, key string, err error) {
	t.Helper()
	if got := chatpic.ErrorKind(err); got != chatpic.KindInvalid {
		t.Errorf("%s(%.40q) = %v (kind %q), want kind %q", op, key, err, got, chatpic.KindInvalid)
	}
}
