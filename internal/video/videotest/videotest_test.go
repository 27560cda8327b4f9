package videotest

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/video"
)

func TestClip(t *testing.T) {
	opts := video.Options{}
	if dir, err := os.UserCacheDir(); err == nil {
		opts.CacheDir = filepath.Join(dir, "chatpic", "wazero-test")
	}
	r, err := video.NewRunner(context.Background(), opts)
	if err != nil {
		t.Fatalf("NewRunner: %v", err)
	}
	defer r.Close(context.Background())
	dir := t.TempDir()
	src := filepath.Join(dir, "clip.mov")
	if err := Clip(context.Background(), r, src, 320, 240, 2); err != nil {
		t.Fatal(err)
	}
	res, err := r.Process(context.Background(), src, filepath.Join(dir, "out.mp4"), filepath.Join(dir, "poster.png"), video.Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Container != video.MP4 || res.Width != 320 || res.Height != 240 || res.Duration < 1900*time.Millisecond {
		t.Fatalf("result %+v: want a 320x240 MP4 of 2 s", res)
	}
	out, err := os.ReadFile(filepath.Join(dir, "out.mp4"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range Markers {
		if bytes.Contains(out, []byte(m)) {
			t.Errorf("the output still holds %q", m)
		}
	}
}
