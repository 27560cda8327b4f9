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
// counts how many still match themselves; and it turns each a quarter, a
// half and three quarters and mirrors it, and counts how many of those
// copies, uploaded, would match the photo as a list has it.
//
// Every picture is hashed as chatpic hashes an upload (media.Hashes): its
// stored pixels, decoded as the upload pipeline decodes them (a JPEG at the
// reduced scale its thumbnail needs), in all eight orientations.
package main

import (
	"bytes"
	"context"
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

	"github.com/chatpic/chatpic/internal/media"
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
	// turned is, for each of its copies turned or mirrored (see turns),
	// the distance at which the copy, uploaded, matches the photo as a
	// hash list has it: the least over the copy's eight hashes against the
	// photo's as given.
	turned [len(turns)]int
	err    error
	small  bool
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

// measure decodes f and hashes it, its thumbnail and its altered copies.
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
	if p.hashes, p.quality, err = uploadHashes(f.data); err != nil {
		p.err = err
		return p
	}
	p.thumb = thumbnail(img)

	copies := []struct {
		img     image.Image
		quality int
		d       *int
	}{
		{img, 50, &p.jpeg50},
		{scale(img, b.Dx()/2, b.Dy()/2), 95, &p.half},
	}
	rgba := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	draw.Draw(rgba, rgba.Rect, img, b.Min, draw.Src)
	for i, t := range turns {
		copies = append(copies, struct {
			img     image.Image
			quality int
			d       *int
		}{turn(rgba, t.o), 90, &p.turned[i]})
	}
	for i, c := range copies {
		var buf bytes.Buffer
		if err := jpeg.Encode(&buf, c.img, &jpeg.Options{Quality: c.quality}); err != nil {
			p.err = err
			return p
		}
		hs, _, err := uploadHashes(buf.Bytes())
		if err != nil {
			p.err = err
			return p
		}
		if i < 2 { // the same way up: compared as given
			*c.d = pdq.Distance(hs[pdq.Original], p.hashes[pdq.Original])
			continue
		}
		*c.d = 256
		for _, h := range hs {
			*c.d = min(*c.d, pdq.Distance(h, p.hashes[pdq.Original]))
		}
	}
	return p
}

// uploadHashes hashes a picture file as chatpic hashes an upload.
func uploadHashes(file []byte) ([8]pdq.Hash, int, error) {
	return media.Hashes(context.Background(), bytes.NewReader(file), int64(len(file)), media.Limits{})
}

// turns are the turned and mirrored copies measured, each given by the
// EXIF orientation whose stored pixels it is (see turn).
var turns = [...]struct {
	name string
	o    int
}{
	{"turned a quarter clockwise", 8},
	{"turned a half", 3},
	{"turned a quarter counter-clockwise", 6},
	{"mirrored left to right", 2},
}

// turn returns the pixels a camera would store for the displayed picture
// d under EXIF orientation o: d turned or mirrored.
func turn(d *image.RGBA, o int) *image.RGBA {
	dw, dh := d.Rect.Dx(), d.Rect.Dy()
	sw, sh := dw, dh
	if o >= 5 {
		sw, sh = dh, dw
	}
	s := image.NewRGBA(image.Rect(0, 0, sw, sh))
	for dy := range dh {
		for dx := range dw {
			x, y := dx, dy
			switch o {
			case 2:
				x = sw - 1 - dx
			case 3:
				x, y = sw-1-dx, sh-1-dy
			case 6:
				x, y = dy, sh-1-dx
			case 8:
				x, y = sw-1-dy, dx
			}
			si, di := s.PixOffset(x, y), d.PixOffset(dx, dy)
			copy(s.Pix[si:si+4], d.Pix[di:di+4])
		}
	}
	return s
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
