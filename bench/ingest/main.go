// Command ingest times chatpic's ingest of one file: sniff, scrub, verify,
// thumbnail and hashes, exactly as an upload goes through them. bench/
// ingest.sh runs it side by side with vipsthumbnail.
//
//	ingest -make photo.jpg [-w 4000 -h 3000]   write a camera-like test JPEG
//	ingest FILE                                 ingest FILE once, print the time
package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	"math/rand/v2"
	"os"
	"time"

	"github.com/chatpic/chatpic/internal/media"
)

func main() {
	out := flag.String("make", "", "write a camera-like test JPEG to this file and exit")
	w := flag.Int("w", 4000, "width of the test JPEG")
	h := flag.Int("h", 3000, "height of the test JPEG")
	flag.Parse()
	if *out != "" {
		if err := makeJPEG(*out, *w, *h); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: ingest FILE | ingest -make FILE")
		os.Exit(2)
	}
	took, err := ingest(flag.Arg(0))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Printf("%.1f ms\n", float64(took.Microseconds())/1000)
}

// ingest runs the upload pipeline on one file and returns how long it took.
func ingest(path string) (time.Duration, error) {
	start := time.Now()
	f, err := os.Open(path)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return 0, err
	}
	sum := sha256.New()
	var thumb bytes.Buffer
	if _, err := media.Process(context.Background(), f, st.Size(), sum, &thumb, media.DefaultLimits()); err != nil {
		return 0, err
	}
	return time.Since(start), nil
}

// makeJPEG writes a w×h JPEG with the texture of a photo (gradients, shapes
// and sensor-like noise), at the quality phones use, so that it decodes
// like one.
func makeJPEG(path string, w, h int) error {
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
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		return err
	}
	return os.WriteFile(path, buf.Bytes(), 0o644)
}
