// Command pdqfp measures how often PDQ would refuse an unrelated photo: it
// hashes every picture under the given directories and, for every pair of
// distinct photos, takes the distance between the eight orientations of one
// and the other, as a banned picture (stored in its eight orientations) is
// compared with an upload. bench/pdqfp.sh gathers the photos and runs it.
//
//	pdqfp [-min 128] [-family 0.95] DIR...
//
// Exact duplicates (same SHA-256) are dropped, and so are near-duplicates:
// pictures whose 32×32 grey thumbnails correlate at -family or more (the
// same picture at another size or compression) are one family, of which the
// largest is kept. The test is independent of PDQ, and the families are
// listed for a person to check. As a sanity check it also hashes each photo
// after re-encoding as JPEG quality 50 and after halving its size, and
// counts how many still match themselves.
package main

import (
	"bytes"
	"crypto/sha256"
	"flag"
	"fmt"
	"image"
	"image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"

	"golang.org/x/image/draw"
	_ "golang.org/x/image/webp"

	"github.com/chatpic/chatpic/internal/pdq"
)

// thresholds are the match thresholds reported: the default and two looser.
var thresholds = []int{pdq.MatchThreshold, 40, 50}

func main() {
	minSide := flag.Int("min", 128, "skip pictures whose shorter side is smaller (icons)")
	family := flag.Float64("family", 0.95, "thumbnail correlation at or above which two pictures are one near-duplicate family")
	flag.Parse()
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: pdqfp [-min N] [-family R] DIR...")
		os.Exit(2)
	}
	if err := run(flag.Args(), *minSide, *family, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "pdqfp:", err)
		os.Exit(1)
	}
}

// photo is one decoded picture and what was measured of it.
type photo struct {
	name         string // directory base name / path inside it
	size         image.Point
	hashes       [8]pdq.Hash // Dihedral
	quality      int
	thumb        []float64 // 32×32 grey, zero mean, unit norm
	jpeg50, half int       // distance to itself re-encoded, halved
	err          error
	small        bool
}

// run measures the pictures under dirs and prints the figures to w.
func run(dirs []string, minSide int, family float64, w io.Writer) error {
	files, dups, err := collect(dirs)
	if err != nil {
		return err
	}
	photos := make([]photo, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range runtime.GOMAXPROCS(0) {
		wg.Go(func() {
			for i := range next {
				photos[i] = measure(files[i], minSide)
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	var kept []photo
	small := 0
	for _, p := range photos {
		switch {
		case p.err != nil:
			fmt.Fprintf(w, "skipped %s: %v\n", p.name, p.err)
		case p.small:
			small++
		default:
			kept = append(kept, p)
		}
	}
	fmt.Fprintf(w, "files: %d pictures; %d exact duplicates (same SHA-256) dropped; %d smaller than %d px dropped\n",
		len(files)+dups, dups, small, minSide)
	kept = dropFamilies(kept, family, w)
	report(kept, w)
	return nil
}

// file is a picture to measure: its contents and the name to print.
type file struct {
	name string
	data []byte
}

// collect reads every .jpg, .jpeg, .png and .webp under dirs, in a fixed
// order, dropping files whose contents were already seen.
func collect(dirs []string) (files []file, dups int, err error) {
	seen := make(map[[32]byte]bool)
	for _, dir := range dirs {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			switch strings.ToLower(filepath.Ext(path)) {
			case ".jpg", ".jpeg", ".png", ".webp":
			default:
				return nil
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			sum := sha256.Sum256(data)
			if seen[sum] {
				dups++
				return nil
			}
			seen[sum] = true
			rel, _ := filepath.Rel(dir, path)
			files = append(files, file{filepath.Join(filepath.Base(dir), rel), data})
			return nil
		})
		if err != nil {
			return nil, 0, err
		}
	}
	return files, dups, nil
}

// measure decodes f and hashes it, its thumbnail and its two altered
// copies.
func measure(f file, minSide int) photo {
	p := photo{name: f.name}
	img, _, err := image.Decode(bytes.NewReader(f.data))
	if err != nil {
		p.err = err
		return p
	}
	b := img.Bounds()
	if min(b.Dx(), b.Dy()) < minSide {
		p.small = true
		return p
	}
	p.size = b.Size()
	p.hashes, p.quality = pdq.Dihedral(img)
	p.thumb = thumbnail(img)

	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 50}); err != nil {
		p.err = err
		return p
	}
	reencoded, err := jpeg.Decode(&buf)
	if err != nil {
		p.err = err
		return p
	}
	h, _ := pdq.Compute(reencoded)
	p.jpeg50 = pdq.Distance(h, p.hashes[pdq.Original])
	h, _ = pdq.Compute(scale(img, b.Dx()/2, b.Dy()/2))
	p.half = pdq.Distance(h, p.hashes[pdq.Original])
	return p
}

func scale(img image.Image, w, h int) *image.RGBA {
	dst := image.NewRGBA(image.Rect(0, 0, w, h))
	draw.BiLinear.Scale(dst, dst.Rect, img, img.Bounds(), draw.Src, nil)
	return dst
}

// thumbnail returns img squeezed to 32×32 grey levels, less their mean,
// scaled to unit length, so that the dot product of two is their
// correlation.
func thumbnail(img image.Image) []float64 {
	t := scale(img, 32, 32)
	v := make([]float64, 0, 32*32)
	sum := 0.0
	for i := 0; i < len(t.Pix); i += 4 {
		y := 0.299*float64(t.Pix[i]) + 0.587*float64(t.Pix[i+1]) + 0.114*float64(t.Pix[i+2])
		v = append(v, y)
		sum += y
	}
	norm := 0.0
	for i := range v {
		v[i] -= sum / float64(len(v))
		norm += v[i] * v[i]
	}
	for i := range v {
		v[i] /= math.Sqrt(norm) + 1e-9 // a flat picture stays all zeros
	}
	return v
}
