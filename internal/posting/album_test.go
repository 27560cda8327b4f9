package posting

import (
	"bytes"
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
)

// uploadAll posts files as one upload into slug.
func (f fixture) uploadAll(t *testing.T, slug string, files ...[]byte) (Created, error) {
	t.Helper()
	var sps []*Spooled
	for _, file := range files {
		sp, err := f.svc.Spool(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		sps = append(sps, sp)
	}
	return f.svc.Upload(context.Background(), slug, Draft{Files: sps})
}

func TestAlbumUpload(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	c, err := f.uploadAll(t, "random", mediatest.JPEG(64, 48), mediatest.PNG(30, 20), mediatest.GIF(16, 16, 3))
	if err != nil {
		t.Fatal(err)
	}
	p := c.Post
	want := []struct {
		mime          string
		width, height int
		frames        int
	}{{"image/jpeg", 64, 48, 1}, {"image/png", 30, 20, 1}, {"image/gif", 16, 16, 3}}
	if p.Files() != len(want) {
		t.Fatalf("the post has %d files, want %d", p.Files(), len(want))
	}
	for i, it := range p.Items() {
		w := want[i]
		if it.MIME != w.mime || it.Width != w.width || it.Height != w.height || it.Frames != w.frames || it.Bytes == 0 || it.PDQ == nil {
			t.Errorf("file %d: %+v, want %s %dx%d with %d frames, hashed", i+1, it, w.mime, w.width, w.height, w.frames)
		}
	}
	if c.Channel.Count != 1 {
		t.Errorf("the channel counts %d uploads after an album, want 1", c.Channel.Count)
	}
	for n, it := range p.Items() {
		for _, thumb := range []bool{false, true} {
			ext := it.Ext
			if thumb {
				ext = it.ThumbExt
			}
			mf, err := f.svc.MediaFile(ctx, p.FileName(n+1), ext, thumb, "")
			if err != nil || mf.N != n+1 || mf.Key != p.FileKey(n+1, thumb) {
				t.Fatalf("MediaFile(%s.%s, thumb %v) = %+v, %v", p.FileName(n+1), ext, thumb, mf, err)
			}
			obj, err := f.svc.OpenFile(ctx, mf.Key)
			if err != nil {
				t.Fatalf("file %d (thumb %v) is not stored: %v", n+1, thumb, err)
			}
			obj.Close()
		}
	}
	for _, tt := range []struct{ name, ext string }{
		{p.ID + "-4", "jpg"},          // no fourth file
		{p.FileName(2), p.Item.Ext},   // the first file's extension
		{p.ID + "-02", p.More[0].Ext}, // not a name FileName makes
	} {
		if _, err := f.svc.MediaFile(ctx, tt.name, tt.ext, false, ""); chatpic.ErrorKind(err) != chatpic.KindNotFound {
			t.Errorf("MediaFile(%s.%s) = %v, want not found", tt.name, tt.ext, err)
		}
	}
	got, err := f.svc.Post(ctx, p.ID)
	if err != nil || !slices.EqualFunc(got.Items(), p.Items(), func(a, b chatpic.Item) bool { return a.SHA256 == b.SHA256 }) {
		t.Errorf("Post() reads back %+v, %v; want the same 3 files", got.Items(), err)
	}
}

// TestAlbumRefusedLeavesNothing checks that one bad file refuses the whole
// album, names every refused file with its reason, and leaves no post, no
// file and no temporary file behind.
func TestAlbumRefusedLeavesNothing(t *testing.T) {
	f := newFixture(t, 64<<10)
	ctx := context.Background()
	if err := f.db.CreateChannel(ctx, chatpic.Channel{Slug: "pairs", Title: "Pairs", Capacity: 10, MaxFiles: 2, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	good, junk, cut := mediatest.PNG(8, 8), []byte("not a picture at all, just words"), mediatest.JPEG(64, 64)[:300]
	for _, tt := range []struct {
		name    string
		slug    string
		files   [][]byte
		kind    chatpic.Kind
		refused []int // the files named, in order
	}{
		{"one file of three not a picture", "random", [][]byte{good, junk, good}, chatpic.KindUnsupported, []int{2}},
		{"two bad files of three", "random", [][]byte{cut, good, junk}, chatpic.KindUnprocessable, []int{1, 3}},
		{"the last of ten", "random", append(slices.Repeat([][]byte{good}, 9), junk), chatpic.KindUnsupported, []int{10}},
		{"more than the channel takes", "pairs", [][]byte{good, good, good}, chatpic.KindInvalid, nil},
		{"a single bad file is refused as before", "random", [][]byte{junk}, chatpic.KindUnsupported, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			before, err := f.svc.Channel(ctx, tt.slug)
			if err != nil {
				t.Fatal(err)
			}
			_, err = f.uploadAll(t, tt.slug, tt.files...)
			if chatpic.ErrorKind(err) != tt.kind {
				t.Fatalf("Upload() = %v, want %s", err, tt.kind)
			}
			var named []int
			for _, r := range chatpic.ErrorFiles(err) {
				named = append(named, r.File)
				if r.Kind == "" || r.Message == "" {
					t.Errorf("refusal %+v has no kind or message", r)
				}
			}
			if !slices.Equal(named, tt.refused) {
				t.Errorf("the error names files %v, want %v (%v)", named, tt.refused, err)
			}
			if left := f.leftovers(t); len(left) != 0 {
				t.Errorf("a refused album left %v behind", left)
			}
			after, err := f.svc.Channel(ctx, tt.slug)
			if err != nil || after.Count != before.Count {
				t.Errorf("the channel went from %d to %d uploads (%v)", before.Count, after.Count, err)
			}
		})
	}
}

// TestAlbumGoesWhole checks that an album pushed out of its channel takes
// every one of its files with it.
func TestAlbumGoesWhole(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	if err := f.db.CreateChannel(ctx, chatpic.Channel{Slug: "one", Title: "One", Capacity: 1, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	album, err := f.uploadAll(t, "one", mediatest.PNG(8, 8), mediatest.JPEG(16, 16), mediatest.PNG(9, 9))
	if err != nil {
		t.Fatal(err)
	}
	if n := len(f.leftovers(t)); n != 6 {
		t.Fatalf("an album of 3 stored %d files, want 6 (each with its thumbnail)", n)
	}
	next, err := f.uploadAll(t, "one", mediatest.PNG(10, 10))
	if err != nil {
		t.Fatal(err)
	}
	if left, want := f.leftovers(t), next.Post.Keys(); !slices.Equal(left, want) {
		t.Errorf("after the album was evicted the store holds %v, want only %v", left, want)
	}
	for n := 1; n <= 3; n++ {
		it, _ := album.Post.File(n)
		_, err := f.svc.MediaFile(ctx, album.Post.FileName(n), it.Ext, false, "")
		if chatpic.ErrorReason(err) != chatpic.ReasonEvicted {
			t.Errorf("file %d of the evicted album: %v, want gone (evicted)", n, err)
		}
	}
}

// TestAlbumFileGates checks that every file of an album answers as the
// album does: a link-only album with a view limit shows each file only
// with the ticket of a view, and a file moderation removed is gone while
// the others stay.
func TestAlbumFileGates(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	var sps []*Spooled
	for _, file := range [][]byte{mediatest.PNG(8, 8), mediatest.PNG(9, 9)} {
		sp, err := f.svc.Spool(bytes.NewReader(file))
		if err != nil {
			t.Fatal(err)
		}
		defer sp.Close()
		sps = append(sps, sp)
	}
	c, err := f.svc.UploadLinkOnly(ctx, Draft{Files: sps}, 3)
	if err != nil {
		t.Fatal(err)
	}
	p := c.Post
	if _, err := f.svc.MediaFile(ctx, p.FileName(2), "png", false, ""); !errors.Is(err, ErrViewFirst) {
		t.Errorf("file 2 without a ticket: %v, want ErrViewFirst", err)
	}
	if _, err := f.svc.MediaFile(ctx, p.FileName(2), "png", false, f.svc.Ticket(p)); err != nil {
		t.Errorf("file 2 with a ticket: %v", err)
	}

	q := p
	q.ID, q.ViewsLeft, q.Channel = chatpic.NewID(), 0, "random"
	q.More = slices.Clone(p.More)
	q.More[0].Removed = true
	if _, _, err := f.db.CreatePost(ctx, q, t0); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.MediaFile(ctx, q.FileName(2), "png", false, ""); chatpic.ErrorReason(err) != chatpic.ReasonRemoved {
		t.Errorf("a removed file: %v, want gone (removed)", err)
	}
	if _, err := f.svc.MediaFile(ctx, q.FileName(1), q.Item.ThumbExt, true, ""); err != nil {
		t.Errorf("the file beside a removed one: %v", err)
	}
}
