package blobtest

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/blob"
)

// listKeysFixture holds names where walking folders in name order differs
// from lexical key order: '-' and '.' sort before '/'.
var listKeysFixture = []string{
	"media/a.jpg",
	"media/b.jpg",
	"media/sub/c.jpg",
	"media-x/d.jpg",
	"media.y/e.jpg",
	"mediaz/f.jpg",
	"thumbs/a.webp",
	"top.txt",
}

func testListPrefix(t *testing.T, s blob.Store) {
	before := time.Now()
	sizes := make(map[string]int64)
	for i, key := range listKeysFixture {
		data := fill('x', 10+i) // a distinct size per key
		put(t, s, key, data)
		sizes[key] = int64(len(data))
	}
	after := time.Now()

	tests := []struct {
		name   string
		prefix string
		want   []string
	}{
		{"empty prefix lists everything", "", []string{
			"media-x/d.jpg", "media.y/e.jpg", "media/a.jpg", "media/b.jpg", "media/sub/c.jpg",
			"mediaz/f.jpg", "thumbs/a.webp", "top.txt",
		}},
		{"folder", "media/", []string{"media/a.jpg", "media/b.jpg", "media/sub/c.jpg"}},
		{"nested folder", "media/sub/", []string{"media/sub/c.jpg"}},
		{"partial segment", "media", []string{
			"media-x/d.jpg", "media.y/e.jpg", "media/a.jpg", "media/b.jpg", "media/sub/c.jpg", "mediaz/f.jpg",
		}},
		{"partial file name", "media/b", []string{"media/b.jpg"}},
		{"whole key", "top.txt", []string{"top.txt"}},
		{"no match", "nothing/", nil},
		{"below an object", "top.txt/", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			err := s.List(t.Context(), tt.prefix, func(info blob.Info) error {
				got = append(got, info.Key)
				if info.Size != sizes[info.Key] {
					t.Errorf("%q: Size = %d, want %d", info.Key, info.Size, sizes[info.Key])
				}
				checkModTime(t, info.Key, info.ModTime, before, after)
				return nil
			})
			if err != nil {
				t.Fatalf("List(%q): %v", tt.prefix, err)
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("List(%q) = %q, want %q", tt.prefix, got, tt.want)
			}
		})
	}
}

func testListEmptyStore(t *testing.T, s blob.Store) {
	for _, prefix := range []string{"", "media/"} {
		if got := listKeys(t, s, prefix); len(got) != 0 {
			t.Errorf("List(%q) on an empty store = %q, want nothing", prefix, got)
		}
	}
}

func testListStopsOnError(t *testing.T, s blob.Store) {
	for _, key := range listKeysFixture {
		put(t, s, key, []byte("x"))
	}
	errStop := errors.New("stop here")
	var got []string
	err := s.List(t.Context(), "", func(info blob.Info) error {
		got = append(got, info.Key)
		if len(got) == 2 {
			return errStop
		}
		return nil
	})
	if !errors.Is(err, errStop) {
		t.Errorf("List = %v, want fn's error %v", err, errStop)
	}
	if len(got) != 2 {
		t.Errorf("fn called for %q, want it to stop after 2 calls", got)
	}
}
