package video

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// BenchmarkProcess10s1080p measures Process (probe, remux, verify, poster)
// on a 10 s 1080p30 H.264 + AAC clip, with the built-in ffmpeg and, when
// one is installed, the system's. Encoding the clip with the built-in
// ffmpeg takes about a minute; it happens once, outside the timer.
func BenchmarkProcess10s1080p(b *testing.B) {
	src := fixture(b, "1080p.mp4", func(tb testing.TB) {
		ffmpeg(tb, "-filter_complex",
			"testsrc2=size=1920x1080:rate=30,format=yuv420p[v];sine=frequency=440:sample_rate=48000[a]",
			"-map", "[v]", "-map", "[a]", "-t", "10", "-c:v", "libx264", "-preset", "ultrafast", "-g", "60",
			"-c:a", "aac", "-f", "mov", "{dir}/1080p.mp4")
	})
	st, err := os.Stat(src)
	if err != nil {
		b.Fatal(err)
	}
	bench := func(b *testing.B, r *Runner) {
		dir := b.TempDir()
		b.SetBytes(st.Size())
		for b.Loop() {
			dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster.jpg")
			res, err := r.Process(context.Background(), src, dst, poster, Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if res.Width != 1920 || res.Height != 1080 {
				b.Fatalf("Result %+v", res)
			}
		}
	}
	b.Run("wasm", func(b *testing.B) { bench(b, testRunner(b)) })
	b.Run("system", func(b *testing.B) {
		if _, err := exec.LookPath("ffmpeg"); err != nil {
			b.Skip("no ffmpeg on PATH")
		}
		r, err := NewRunner(context.Background(), Options{SystemFFmpeg: true})
		if err != nil {
			b.Fatal(err)
		}
		defer r.Close(context.Background())
		bench(b, r)
	})
}
