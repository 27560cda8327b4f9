package chatpic

import (
	"encoding/base64"
	"slices"
	"testing"
)

func TestIDLength(t *testing.T) {
	if got := base64.RawURLEncoding.EncodedLen(idBytes); got != idLen {
		t.Fatalf("idLen = %d, but an ID of %d bytes is %d characters", idLen, idBytes, got)
	}
}

func TestFileNames(t *testing.T) {
	const id = "AAAAAAAAAAAAAAAAAAAA"
	p := Post{ID: id, Item: Item{Ext: "jpg", ThumbExt: "webp"},
		More: []Item{{Ext: "png", ThumbExt: "jpg"}, {Ext: "mp4", ThumbExt: "jpg"}}}
	if got, want := p.Keys(), []string{
		"media/" + id + ".jpg", "thumb/" + id + ".webp",
		"media/" + id + "-2.png", "thumb/" + id + "-2.jpg",
		"media/" + id + "-3.mp4", "thumb/" + id + "-3.jpg",
	}; !slices.Equal(got, want) {
		t.Errorf("Keys() = %q, want %q", got, want)
	}
	for n := 1; n <= p.Files(); n++ {
		gotID, gotN, ok := ParseFileName(p.FileName(n))
		if !ok || gotID != id || gotN != n {
			t.Errorf("ParseFileName(FileName(%d) = %q) = %q, %d, %v", n, p.FileName(n), gotID, gotN, ok)
		}
	}
	if _, ok := p.File(4); ok {
		t.Error("File(4) of three files found one")
	}
	if _, ok := p.File(0); ok {
		t.Error("File(0) found one")
	}
}

func TestParseFileName(t *testing.T) {
	const id = "AAAAAAAAAAAAAAAAAAAA"
	for _, tt := range []struct {
		name string
		n    int // 0: refused
	}{
		{id, 1},
		{id + "-2", 2},
		{id + "-10", 10},
		{id + "-1", 0},  // the first file has no suffix
		{id + "-11", 0}, // past MaxFiles
		{id + "-02", 0}, // one name per file
		{id + "-0", 0},
		{id + "-", 0},
		{id + "--2", 0},
		{id + "-+2", 0},
		{id + "-2x", 0},
		{id + "-100", 0},
		{id + "x", 0},
		{id[:19], 0},
		{id[:19] + "-2", 0},
		{"AAAAAAAAAAAAAAAAAAA-2", 0}, // 19 characters then a suffix
		{"AAAAAAAAAAAAAAAAAAA!", 0},
		{"", 0},
	} {
		gotID, n, ok := ParseFileName(tt.name)
		if ok != (tt.n > 0) || n != tt.n || ok && gotID != id {
			t.Errorf("ParseFileName(%q) = %q, %d, %v; want file %d", tt.name, gotID, n, ok, tt.n)
		}
	}
}

func TestCoverAndShown(t *testing.T) {
	for _, tt := range []struct {
		name         string
		removed      []bool // per file
		cover, shown int
		album        bool
		files        int
	}{
		{"a single file", []bool{false}, 1, 1, false, 1},
		{"an album", []bool{false, false, false}, 1, 3, true, 3},
		{"its first file removed", []bool{true, false, false}, 2, 2, true, 3},
		{"all but the last removed", []bool{true, true, false}, 3, 1, true, 3},
		{"all removed", []bool{true, true}, 1, 0, true, 2},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var p Post
			p.Item.Removed = tt.removed[0]
			for _, r := range tt.removed[1:] {
				p.More = append(p.More, Item{Removed: r})
			}
			if p.Cover() != tt.cover || p.Shown() != tt.shown || p.IsAlbum() != tt.album || p.Files() != tt.files {
				t.Errorf("Cover %d, Shown %d, IsAlbum %v, Files %d; want %d, %d, %v, %d",
					p.Cover(), p.Shown(), p.IsAlbum(), p.Files(), tt.cover, tt.shown, tt.album, tt.files)
			}
		})
	}
}

func TestChannelFileLimit(t *testing.T) {
	base := Channel{Slug: "pics", Title: "Pics", Capacity: 10}
	for _, tt := range []struct {
		max, limit int
		ok         bool
	}{
		{0, MaxFiles, true}, {1, 1, true}, {4, 4, true}, {MaxFiles, MaxFiles, true},
		{MaxFiles + 1, 0, false}, {-1, 0, false},
	} {
		c := base
		c.MaxFiles = tt.max
		err := c.Validate()
		if (err == nil) != tt.ok {
			t.Errorf("MaxFiles %d: Validate() = %v, want ok %v", tt.max, err, tt.ok)
		}
		if tt.ok && c.FileLimit() != tt.limit {
			t.Errorf("MaxFiles %d: FileLimit() = %d, want %d", tt.max, c.FileLimit(), tt.limit)
		}
	}
}
