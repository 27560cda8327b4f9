// Command ingest times chatpic's ingest of one file as an upload goes
// through it: spool, sniff, scrub or convert or remux, verify, thumbnail,
// hashes, store the files and record the post. bench/ingest.sh runs it side
// by side with vipsthumbnail.
//
//	ingest -make photo.jpg [-w 4000 -h 3000 -q 90]   write a camera-like test JPEG
//	ingest [-cache DIR] FILE...                 upload each FILE once, print the times
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"io"
	"log/slog"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/codecs"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/sqlstore"
	"github.com/chatpic/chatpic/internal/worker"
)

func main() {
	if os.Getenv(worker.EnvMarker) == "1" {
		// This binary is also its own media worker, as chatpic is.
		cache := flag.String("cache", "", "")
		flag.Parse()
		if err := worker.Main(context.Background(), codecs.Handlers(codecs.Options{CacheDir: *cache})); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	out := flag.String("make", "", "write a camera-like test JPEG to this file and exit")
	w := flag.Int("w", 4000, "width of the test JPEG")
	h := flag.Int("h", 3000, "height of the test JPEG")
	q := flag.Int("q", 90, "JPEG quality of the test JPEG (99 makes a 6000x4000 one of about 17 MB)")
	cache := flag.String("cache", filepath.Join(os.TempDir(), "chatpic-bench-cache"), "where the compiled ffmpeg is cached")
	flag.Parse()
	if *out != "" {
		if err := makeJPEG(*out, *w, *h, *q); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: ingest [-cache DIR] FILE... | ingest -make FILE")
		os.Exit(2)
	}
	if err := run(*cache, flag.Args()); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run uploads each file into a fresh site and prints how long each took.
func run(cache string, files []string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "ingest-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := sqlstore.Open(ctx, filepath.Join(dir, "chatpic.db"))
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := db.Seed(ctx, chatpic.DefaultChannels(), time.Now()); err != nil {
		return err
	}
	blobs, err := diskblob.Open(filepath.Join(dir, "media"))
	if err != nil {
		return err
	}
	defer blobs.Close()
	exe, err := os.Executable()
	if err != nil {
		return err
	}
	pool := func() *worker.Pool {
		return worker.NewPool(worker.Config{Command: func() *exec.Cmd {
			return exec.Command(exe, "-cache", cache)
		}})
	}
	pictures, videos := pool(), pool()
	defer pictures.Close()
	defer videos.Close()
	cfg := posting.Config{MaxBytes: 100 << 20, Media: media.DefaultLimits(), TempDir: dir,
		Codecs: codecs.NewClient(pictures, videos)}
	svc := posting.New(db, blobs, slog.New(slog.NewTextHandler(io.Discard, nil)), time.Now, cfg)
	for _, path := range files {
		took, err := upload(ctx, svc, path)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		fmt.Printf("%s %.1f ms\n", filepath.Base(path), float64(took.Microseconds())/1000)
	}
	return nil
}

func upload(ctx context.Context, svc *posting.Service, path string) (time.Duration, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	sp, err := svc.Spool(f)
	if err != nil {
		return 0, err
	}
	defer sp.Close()
	if _, err := svc.Upload(ctx, "random", posting.Draft{Files: []*posting.Spooled{sp}}); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// makeJPEG writes a w×h JPEG with the texture of a photo (gradients, shapes
// and sensor-like noise), at the quality phones use, so that it decodes
// like one.
func makeJPEG(path string, w, h, quality int) error {
	img := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range h {
		for x := range w {
			v := 60 + 120*x/w + 40*y/h
			if (x/200+y/150)%3 == 0 {
				v += 30
			}
			v += rng.IntN(17) - 8
			img.Y[img.YOffset(x, y)] = uint8(min(max(v, 0), 255))
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			i := img.COffset(x*2, y*2)
			img.Cb[i] = uint8(100 + 60*x*2/w + rng.IntN(5))
			img.Cr[i] = uint8(150 - 50*y*2/h + rng.IntN(5))
		}
	}
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
