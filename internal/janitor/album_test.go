package janitor

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// TestRunAlbums checks that the janitor treats every file of an album as
// the album's: an expired album goes with all its files, a live album
// keeps them, and a file named for an album that has no row is an orphan.
func TestRunAlbums(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	real := time.Now().UTC()
	now := real.Add(2 * time.Hour)
	album := func(channel string) chatpic.Post {
		p := chatpic.Post{ID: chatpic.NewID(), Channel: channel, Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg"},
			More:      []chatpic.Item{{MIME: "image/png", Ext: "png", ThumbExt: "jpg"}, {MIME: "image/gif", Ext: "gif", ThumbExt: "png"}},
			CreatedAt: real, DeleteTokenHash: chatpic.HashToken("x")}
		if channel == "brief" {
			p.ExpiresAt = real.Add(time.Hour)
		}
		for _, key := range p.Keys() {
			if _, err := f.blobs.Put(ctx, key, strings.NewReader("abc"), ""); err != nil {
				t.Fatal(err)
			}
		}
		if _, _, err := f.db.CreatePost(ctx, p, real); err != nil {
			t.Fatal(err)
		}
		return p
	}
	live, expired := album("keep"), album("brief")
	ghost := chatpic.Post{ID: chatpic.NewID(), Item: chatpic.Item{Ext: "png", ThumbExt: "jpg"}, More: []chatpic.Item{{Ext: "webp", ThumbExt: "jpg"}}}
	for _, key := range ghost.Keys()[2:] { // only its second file
		if _, err := f.blobs.Put(ctx, key, strings.NewReader("abc"), ""); err != nil {
			t.Fatal(err)
		}
	}

	r, err := f.j.Run(ctx, now, Options{Grace: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	if r.Expired != 1 || r.OrphanFiles != 2 || r.LostPosts != 0 {
		t.Errorf("report %+v, want 1 expired album and the 2 orphan files of a post that never was", r)
	}
	for _, key := range live.Keys() {
		if !f.exists(t, key) {
			t.Errorf("%s of a live album was deleted", key)
		}
	}
	for _, key := range append(expired.Keys(), ghost.Keys()...) {
		if f.exists(t, key) {
			t.Errorf("%s is still there", key)
		}
	}
}
