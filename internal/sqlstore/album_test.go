package sqlstore

import (
	"context"
	"reflect"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

var albumCases = []conformanceCase{
	{"an album reads back whole, from every read", testAlbumRoundTrip},
}

// testAlbumRoundTrip stores a post of three files and reads every file
// back, in order, from each read that returns posts: one post, a page of
// the channel, and the posts eviction takes away (whose files the caller
// deletes).
func testAlbumRoundTrip(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "albums", 1, 0)
	p := newPost("albums", t0, 0)
	p.Item.Removed = true
	p.Item.PDQ, p.Item.PDQQuality = make([]byte, 32), 80
	p.More = []chatpic.Item{
		{Kind: chatpic.Image, MIME: "image/webp", Ext: "webp", ThumbExt: "jpg", ThumbMIME: "image/jpeg",
			Width: 640, Height: 480, Frames: 12, Bytes: 4567, PDQ: []byte{1, 2, 3}, PDQQuality: 90},
		{Kind: chatpic.Video, MIME: "video/mp4", Ext: "mp4", ThumbExt: "jpg", ThumbMIME: "image/jpeg",
			Width: 1920, Height: 1080, Duration: 2500 * time.Millisecond, Bytes: 1 << 20, Removed: true},
	}
	p.More[0].SHA256[31] = 7
	p.More[1].SHA256[0] = 9
	stored, _ := mustPost(t, s, p)
	p.Kind, p.Seq = chatpic.Image, stored.Seq // stored as an image when unset

	got, err := s.Post(ctx, p.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got.Items(), p.Items()) {
		t.Errorf("Post() files:\n%+v\nwant\n%+v", got.Items(), p.Items())
	}
	page, err := s.Posts(ctx, "albums", chatpic.SortNew, chatpic.Cursor{}, 10, t0)
	if err != nil || len(page) != 1 || !reflect.DeepEqual(page[0].Items(), p.Items()) {
		t.Errorf("Posts() = %+v, %v; want the album", page, err)
	}
	_, evicted := mustPost(t, s, newPost("albums", t0.Add(time.Second), 0))
	if len(evicted) != 1 || !reflect.DeepEqual(evicted[0].Keys(), p.Keys()) {
		t.Errorf("evicted %+v, want the album with the keys of its 3 files", evicted)
	}

	single, _ := mustPost(t, s, newPost("albums", t0.Add(2*time.Second), 0))
	var album *string
	if err := s.read.QueryRowContext(ctx, `SELECT album FROM posts WHERE id = ?`, single.ID).Scan(&album); err != nil || album != nil {
		t.Errorf("a single file's album column = %v, %v; want NULL", album, err)
	}
}
