package posting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/codecs"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/worker"
	"github.com/gen2brain/avif"
)

// fullBlobs is a blob store whose disk fills up for keys with a prefix.
type fullBlobs struct {
	blob.Store
	prefix string
}

func (f fullBlobs) Put(ctx context.Context, key string, r io.Reader, contentType string) (int64, error) {
	if strings.HasPrefix(key, f.prefix) {
		io.Copy(io.Discard, io.LimitReader(r, 4096))
		return 0, fmt.Errorf("diskblob: put %s: write: %w", key, syscall.ENOSPC)
	}
	return f.Store.Put(ctx, key, r, contentType)
}

// fullStore is a database that is full, as sqlstore reports it.
type fullStore struct{ Store }

func (fullStore) CreatePost(context.Context, chatpic.Post, time.Time) (chatpic.Post, []chatpic.Post, error) {
	return chatpic.Post{}, nil, chatpic.StorageFull(errors.New("sqlstore: create post: database or disk is full (13)"))
}

// fullDisk converts pictures into /dev/full, where every write fails with
// ENOSPC, as on a full disk.
type fullDisk struct{ *switchableCodecs }

func (c fullDisk) ConvertHEIF(ctx context.Context, src, _ string, maxPixels int64, b worker.Limits) (codecs.Converted, error) {
	return c.Client.ConvertHEIF(ctx, src, "/dev/full", maxPixels, b)
}

// TestStorageFullAtEachStage: running out of space anywhere an upload is
// written refuses it with 507 storage_full naming the stage (for the log),
// and leaves nothing behind: no temporary file, no stored file, no row.
func TestStorageFullAtEachStage(t *testing.T) {
	var heic bytes.Buffer
	if err := avif.Encode(&heic, mediatest.Picture(64, 48), avif.Options{Quality: 80, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	enospc := func(stage string) func(string) error {
		return func(s string) error {
			if s == stage {
				return &fsError{syscall.ENOSPC}
			}
			return nil
		}
	}
	tests := []struct {
		name  string
		file  []byte
		setup func(t *testing.T, f *fixture)
		stage string
	}{
		{"spooling the upload", mediatest.JPEG(64, 48), func(t *testing.T, f *fixture) { f.svc.failWrite = enospc("spool") }, "spooling the upload"},
		{"writing the cleaned file", mediatest.JPEG(64, 48), func(t *testing.T, f *fixture) { f.svc.failWrite = enospc("clean") }, "writing the cleaned file"},
		{"converting a HEIF picture", heic.Bytes(), func(t *testing.T, f *fixture) {
			if _, err := os.Stat("/dev/full"); err != nil {
				t.Skip("no /dev/full to stand for a full disk")
			}
			f.svc.cfg.Codecs = fullDisk{testCodecs(t, opHEIF)}
		}, "converting the picture"},
		{"storing the media file", mediatest.JPEG(64, 48), func(t *testing.T, f *fixture) { f.svc.blobs = fullBlobs{f.blobs, "media/"} }, "storing the media file"},
		{"storing the thumbnail", mediatest.JPEG(64, 48), func(t *testing.T, f *fixture) { f.svc.blobs = fullBlobs{f.blobs, "thumb/"} }, "storing the thumbnail"},
		{"recording the post", mediatest.JPEG(64, 48), func(t *testing.T, f *fixture) { f.svc.store = fullStore{f.db} }, "recording the post"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, 1<<20)
			tt.setup(t, &f)
			_, err := f.upload("random", "", tt.file)
			if chatpic.ErrorKind(err) != chatpic.KindStorageFull {
				t.Fatalf("got %v (kind %q), want storage_full", err, chatpic.ErrorKind(err))
			}
			if !strings.Contains(err.Error(), tt.stage) {
				t.Errorf("the error %q does not name the stage %q", err, tt.stage)
			}
			if left := f.leftovers(t); len(left) != 0 {
				t.Errorf("left %v behind", left)
			}
			page, err := f.svc.Posts(context.Background(), "random", chatpic.SortNew, chatpic.Cursor{}, 10)
			if err != nil || len(page.Posts) != 0 {
				t.Errorf("the channel holds %d posts (%v)", len(page.Posts), err)
			}
		})
	}
}

// fsError is how the os package reports a failed write.
type fsError struct{ errno syscall.Errno }

func (e *fsError) Error() string { return "write /data/tmp/x: " + e.errno.Error() }
func (e *fsError) Unwrap() error { return e.errno }
