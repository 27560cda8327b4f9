package posting

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/crc32"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/sqlstore"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

type fixture struct {
	svc   *Service
	db    *sqlstore.Store
	blobs *diskblob.Store
	tmp   string
}

func newFixture(t *testing.T, maxBytes int64) fixture {
	t.Helper()
	return newFixtureWith(t, func(c *Config) { c.MaxBytes = maxBytes })
}

// newFixtureWith is newFixture with a configuration that change edits. By
// default the service decodes HEIC, AVIF and video in workers that are
// this test binary (see TestMain).
func newFixtureWith(t *testing.T, change func(*Config)) fixture {
	t.Helper()
	st := storagetest.Open(t, chatpic.DefaultChannels()...)
	db, blobs, dir := st.DB, storagetest.Disk(st), t.TempDir()
	tmp := filepath.Join(dir, "tmp")
	os.Mkdir(tmp, 0o750)
	cfg := Config{MaxBytes: 1 << 20, Media: media.DefaultLimits(), TempDir: tmp, Codecs: testCodecs(t, opHEIF)}
	change(&cfg)
	svc := New(db, blobs, slog.New(slog.NewTextHandler(io.Discard, nil)), func() time.Time { return t0 }, cfg)
	return fixture{svc, db, blobs, tmp}
}

func (f fixture) upload(slug, caption string, file []byte) (Created, error) {
	sp, err := f.svc.Spool(bytes.NewReader(file))
	if err != nil {
		return Created{}, err
	}
	defer sp.Close()
	return f.svc.Upload(context.Background(), slug, Draft{Files: []*Spooled{sp}, Caption: caption})
}

// leftovers lists what is in the temp folder and the blob store.
func (f fixture) leftovers(t *testing.T) []string {
	t.Helper()
	var out []string
	entries, _ := os.ReadDir(f.tmp)
	for _, e := range entries {
		out = append(out, "tmp/"+e.Name())
	}
	f.blobs.List(context.Background(), "", func(i blob.Info) error {
		out = append(out, i.Key)
		return nil
	})
	return out
}

func TestRefusedUploadsLeaveNothing(t *testing.T) {
	f := newFixture(t, 64<<10)
	bomb := mediatest.PNG(8, 8)
	// Claim 100000×100000 pixels in the header, with a valid CRC.
	copy(bomb[16:24], []byte{0, 1, 0x86, 0xa0, 0, 1, 0x86, 0xa0})
	binary.BigEndian.PutUint32(bomb[29:33], crc32.ChecksumIEEE(bomb[12:29]))
	tests := []struct {
		name    string
		slug    string
		caption string
		file    []byte
		want    chatpic.Kind
	}{
		{"over the size limit", "random", "", bytes.Repeat([]byte{0xFF, 0xD8}, 40<<10), chatpic.KindTooLarge},
		{"not an image", "random", "", []byte("GIF? no: #!/bin/sh\nrm -rf /\n"), chatpic.KindUnsupported},
		{"truncated", "random", "", mediatest.JPEG(64, 64)[:300], chatpic.KindUnprocessable},
		{"decompression bomb", "random", "", bomb, chatpic.KindTooLarge},
		{"unknown channel", "nowhere", "", mediatest.PNG(8, 8), chatpic.KindNotFound},
		{"caption too long", "random", strings.Repeat("x", 501), mediatest.PNG(8, 8), chatpic.KindInvalid},
		{"empty", "random", "", nil, chatpic.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := f.upload(tt.slug, tt.caption, tt.file)
			if got := chatpic.ErrorKind(err); got != tt.want {
				t.Fatalf("got %v (%s), want %s", err, got, tt.want)
			}
			if left := f.leftovers(t); len(left) != 0 {
				t.Fatalf("a refused upload left %v behind", left)
			}
		})
	}
}

func TestUploadStoresScrubbedFilesAndEvicts(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	if err := f.db.CreateChannel(ctx, chatpic.Channel{Slug: "two", Title: "Two", Capacity: 2, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var created []Created
	for range 3 {
		c, err := f.upload("two", " hello ", mediatest.CameraJPEG(64, 48, 1, "MARKER-XYZ"))
		if err != nil {
			t.Fatal(err)
		}
		created = append(created, c)
	}
	first := created[0].Post
	if _, err := f.svc.Post(ctx, first.ID); chatpic.ErrorReason(err) != chatpic.ReasonEvicted {
		t.Fatalf("first post: %v, want evicted", err)
	}
	left := f.leftovers(t)
	if len(left) != 4 {
		t.Fatalf("files %v, want media and thumbnail of the two kept posts", left)
	}
	last := created[2]
	if last.Post.Caption != "hello" || last.DeleteToken == "" || !chatpic.TokenMatches(last.DeleteToken, last.Post.DeleteTokenHash) {
		t.Fatalf("created %+v", last.Post)
	}
	mf, err := f.svc.MediaFile(ctx, last.Post.ID, "jpg", false, "")
	p, key := mf.Post, mf.Key
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.OpenFile(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	b, _ := io.ReadAll(obj)
	if bytes.Contains(b, []byte("MARKER-XYZ")) || int64(len(b)) != p.Bytes {
		t.Fatalf("stored media: %d bytes (post says %d), marker present: %v", len(b), p.Bytes, bytes.Contains(b, []byte("MARKER-XYZ")))
	}
}

func TestDelete(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	c, err := f.upload("memes", "", mediatest.PNG(10, 10))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, id, token string
		want            chatpic.Kind
	}{
		{"wrong token", c.Post.ID, "nope", chatpic.KindForbidden},
		{"empty token", c.Post.ID, "", chatpic.KindForbidden},
		{"unknown post", chatpic.NewID(), c.DeleteToken, chatpic.KindNotFound},
		{"junk id", "../x", c.DeleteToken, chatpic.KindNotFound},
		{"right token", c.Post.ID, c.DeleteToken, ""},
		{"again", c.Post.ID, c.DeleteToken, chatpic.KindGone},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := chatpic.ErrorKind(f.svc.Delete(ctx, tt.id, tt.token)); got != tt.want {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
	if left := f.leftovers(t); len(left) != 0 {
		t.Fatalf("deleting left %v", left)
	}
}

// TestConcurrentUploadsRespectCapacity uploads from many goroutines into a
// small channel: it never holds more than its capacity, and every upload
// either stays or was evicted.
func TestConcurrentUploadsRespectCapacity(t *testing.T) {
	// Twelve at once from one client: more than a client may have in
	// flight by default.
	f := newFixtureWith(t, func(c *Config) { c.UploadsPerClient = 12 })
	ctx := context.Background()
	if err := f.db.CreateChannel(ctx, chatpic.Channel{Slug: "busy", Title: "Busy", Capacity: 3, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	ids := make(chan string, 12)
	for range 12 {
		wg.Go(func() {
			c, err := f.upload("busy", "", mediatest.PNG(8, 8))
			if err != nil {
				t.Error(err)
				return
			}
			ids <- c.Post.ID
		})
	}
	wg.Wait()
	close(ids)
	visible := 0
	for id := range ids {
		_, err := f.svc.Post(ctx, id)
		switch chatpic.ErrorReason(err) {
		case "":
			if err != nil {
				t.Fatal(err)
			}
			visible++
		case chatpic.ReasonEvicted:
		default:
			t.Fatalf("post %s: %v", id, err)
		}
	}
	page, err := f.svc.Posts(ctx, "busy", chatpic.SortNew, chatpic.Cursor{}, 100)
	if err != nil || visible != 3 || len(page.Posts) != 3 {
		t.Fatalf("visible %d, listed %d (%v); want 3", visible, len(page.Posts), err)
	}
	if left := f.leftovers(t); len(left) != 6 {
		t.Fatalf("%d files, want 6 (3 posts × media and thumbnail): %v", len(left), left)
	}
}
