package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/video/videotest"
)

// TestEndToEndVideo uploads a phone clip that carries a location and
// follows it to its page, its media with Range requests and its poster.
func TestEndToEndVideo(t *testing.T) {
	cache := filepath.Join(os.TempDir(), "chatpic-test-cache")
	r, err := video.NewRunner(context.Background(), video.Options{CacheDir: filepath.Join(cache, "ffmpeg")})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close(context.Background())
	clip := filepath.Join(t.TempDir(), "clip.mov")
	if err := videotest.Clip(context.Background(), r, clip, 320, 240, 2); err != nil {
		t.Fatal(err)
	}
	file, err := os.ReadFile(clip)
	if err != nil {
		t.Fatal(err)
	}

	in := start(t)
	res := in.upload("random", file, "a clip")
	if res.status != http.StatusCreated {
		t.Fatalf("upload: %d %s", res.status, res.body)
	}
	p := decode[struct {
		postJSON
		Kind     string   `json:"kind"`
		MIME     string   `json:"mime"`
		Duration *float64 `json:"duration_seconds"`
		Frames   *int     `json:"frames"`
	}](t, res)
	if p.Kind != "video" || p.MIME != "video/mp4" || p.Duration == nil || *p.Duration < 1.9 || p.Frames != nil ||
		p.Width != 320 || p.Height != 240 || !strings.HasSuffix(p.MediaURL, ".mp4") {
		t.Fatalf("video post %+v", p)
	}

	m := in.get(p.MediaURL)
	if m.status != 200 || m.header.Get("Content-Type") != "video/mp4" {
		t.Fatalf("media: %d %s", m.status, m.header.Get("Content-Type"))
	}
	for _, marker := range videotest.Markers {
		if bytes.Contains(m.body, []byte(marker)) {
			t.Fatalf("the served clip still holds %q", marker)
		}
	}
	if moov, mdat := bytes.Index(m.body, []byte("moov")), bytes.Index(m.body, []byte("mdat")); moov < 0 || moov > mdat {
		t.Fatalf("moov at %d, mdat at %d: want moov first so seeking works", moov, mdat)
	}
	req, _ := http.NewRequest("GET", p.MediaURL, nil)
	req.Header.Set("Range", "bytes=100-199")
	if r := in.do(req); r.status != http.StatusPartialContent || len(r.body) != 100 {
		t.Fatalf("range request: %d with %d bytes", r.status, len(r.body))
	}
	if th := in.get(p.ThumbURL); th.status != 200 || !strings.HasPrefix(th.header.Get("Content-Type"), "image/") {
		t.Fatalf("poster thumbnail: %d %s", th.status, th.header.Get("Content-Type"))
	}
	page := in.get(p.URL)
	if page.status != 200 || !bytes.Contains(page.body, []byte("<video")) || !bytes.Contains(page.body, []byte(`poster="/t/`+p.ID)) {
		t.Fatalf("post page: %d, want a <video> with its poster", page.status)
	}
}
