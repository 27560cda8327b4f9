package media

import (
	"bytes"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"image/png"
	"io"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/pdq"
)

// pdqVectors holds the PDQ reference images and expected.csv, in the
// workspace's shared folder beside the repository.
const pdqVectors = "../../../shared/testdata/pdq"

// processed runs Process on file and returns its Result.
func processed(t *testing.T, file []byte) Result {
	t.Helper()
	res, err := Process(t.Context(), bytes.NewReader(file), int64(len(file)), io.Discard, io.Discard, DefaultLimits())
	if err != nil {
		t.Fatalf("Process: %v", err)
	}
	return res
}

// TestReferenceVectorsThroughProcess checks the hash an upload gets, by the
// whole pipeline (a JPEG decoded at a reduced scale, as Process decodes it),
// against the reference implementations' hashes of the same files: within
// the 16 bits the reference tests allow. Pictures too flat to be matched on
// (quality under pdq.MinQuality) are only logged: their coefficients sit
// at the median, so a decoder's rounding moves their hash (q0003 is 16 bits
// off with image/jpeg's decoder and 18 with ours, at full scale too).
func TestReferenceVectorsThroughProcess(t *testing.T) {
	f, err := os.Open(filepath.Join(pdqVectors, "expected.csv"))
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("../shared/testdata/pdq not found: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) < 2 {
		t.Fatalf("expected.csv: %d rows, %v", len(rows), err)
	}
	for _, row := range rows[1:] {
		name := row[0]
		t.Run(name, func(t *testing.T) {
			ref, err := pdq.ParseHash(row[1])
			if err != nil {
				t.Fatal(err)
			}
			file, err := os.ReadFile(filepath.Join(pdqVectors, name))
			if err != nil {
				t.Fatal(err)
			}
			res := processed(t, file)
			d := pdq.Distance(res.PDQ, ref)
			t.Logf("%-26s quality %3d, %2d bits from the reference", name, res.PDQQuality, d)
			if res.PDQQuality >= pdq.MinQuality && d > 16 {
				t.Errorf("%d bits from the reference hash, want at most 16", d)
			}
		})
	}
}

// exifTurn is, for each EXIF orientation, the orientation of pdq.Dihedral
// that turns the stored pixels the way they are displayed.
var exifTurn = [9]int{
	1: pdq.Original,
	2: pdq.FlipY,      // mirrored left to right
	3: pdq.Rotate180,  // upside down
	4: pdq.FlipX,      // mirrored top to bottom
	5: pdq.FlipPlus1,  // transposed
	6: pdq.Rotate270,  // turned a quarter clockwise to display
	7: pdq.FlipMinus1, // transversed
	8: pdq.Rotate90,   // turned a quarter counter-clockwise to display
}

// TestPDQOrientation checks which pixels are hashed: those stored, whatever
// the EXIF orientation says (so a file hashes as the reference tools hash
// it), and that the eight hashes of one upload include the upright
// picture's for every orientation tag.
func TestPDQOrientation(t *testing.T) {
	display := image.NewNRGBA(image.Rect(0, 0, 900, 600)) // big enough to be decoded at a reduced scale
	draw.Draw(display, display.Rect, mediatest.Scene(900, 600, 5), image.Point{}, draw.Src)
	upright := processed(t, encodeJPEG(t, display))
	if upright.PDQQuality < pdq.MinQuality {
		t.Fatalf("the scene has quality %d", upright.PDQQuality)
	}
	for o := 1; o <= 8; o++ {
		t.Run(fmt.Sprintf("orientation %d", o), func(t *testing.T) {
			stored := encodeJPEG(t, storedFor(display, o))
			tagged := processed(t, afterSOI(stored, exifAPP1(t, binary.BigEndian, o)))
			untagged := processed(t, stored)
			if tagged.PDQDihedral != untagged.PDQDihedral || tagged.PDQ != untagged.PDQ {
				t.Errorf("the orientation tag changed the hashes: they must be of the pixels as stored")
			}
			d := pdq.Distance(tagged.PDQDihedral[exifTurn[o]], upright.PDQ)
			t.Logf("orientation %d: Dihedral[%d] is %d bits from the upright picture's hash", o, exifTurn[o], d)
			if d > 16 {
				t.Errorf("Dihedral[%d] is %d bits from the upright picture's hash, want at most 16", exifTurn[o], d)
			}
		})
	}
}

// TestPDQTransparency checks that transparent pictures hash as the
// reference hashes them, with the colour stored under each pixel whatever
// its alpha: the upload's hash is the one pdq.Compute gives the decoded
// file, and the same picture opaque has the same hash.
func TestPDQTransparency(t *testing.T) {
	scene := mediatest.Scene(320, 240, 9)
	r := scene.Rect
	opaque := image.NewNRGBA(r)
	seeThrough := image.NewNRGBA(r) // the left half invisible, a band half
	deep := image.NewNRGBA64(r)
	for y := range r.Dy() {
		for x := range r.Dx() {
			c := scene.RGBAAt(x, y)
			opaque.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, 255})
			a := uint8(255)
			switch {
			case x < r.Dx()/2:
				a = 0
			case y > r.Dy()/2 && y < r.Dy()*3/4:
				a = 128
			}
			seeThrough.SetNRGBA(x, y, color.NRGBA{c.R, c.G, c.B, a})
			deep.SetNRGBA64(x, y, color.NRGBA64{uint16(c.R) * 0x101, uint16(c.G) * 0x101, uint16(c.B) * 0x101, uint16(a) * 0x101})
		}
	}
	// A palette picture with a tRNS chunk: every other entry invisible.
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.NRGBA{uint8(i), uint8(255 - i), uint8(i / 2), uint8(255 * (i % 2))}
	}
	paletted := image.NewPaletted(r, pal)
	rng := rand.New(rand.NewPCG(1, 1))
	for y := range r.Dy() {
		for x := range r.Dx() {
			paletted.SetColorIndex(x, y, uint8((x/16+y/16)*37+rng.IntN(3)))
		}
	}
	opaqueHash := processed(t, encodePNG(t, opaque)).PDQ
	tests := []struct {
		name string
		img  image.Image
		same bool // hashes as the opaque scene
	}{
		{"8-bit RGBA, half invisible", seeThrough, true},
		{"16-bit RGBA, half invisible", deep, true},
		{"palette with tRNS", paletted, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := encodePNG(t, tt.img)
			res := processed(t, file)
			decoded, err := png.Decode(bytes.NewReader(file))
			if err != nil {
				t.Fatal(err)
			}
			listed, q := pdq.Compute(decoded)
			if d := pdq.Distance(res.PDQ, listed); d != 0 || res.PDQQuality != q {
				t.Errorf("the upload's hash is %d bits from the file's (quality %d, want %d)", d, res.PDQQuality, q)
			}
			if d := pdq.Distance(res.PDQ, opaqueHash); tt.same && d != 0 {
				t.Errorf("%d bits from the same picture opaque, want 0", d)
			}
		})
	}
}

// TestPDQTinyPictures checks the reference's minimum size: a picture under
// pdq.MinSide pixels on a side has quality 0 and the zero hashes, so it
// never matches; a JPEG strip that its reduced-scale decoding would make
// too thin is decoded thick enough to be hashed.
func TestPDQTinyPictures(t *testing.T) {
	noise := func(w, h int) *image.NRGBA {
		m := image.NewNRGBA(image.Rect(0, 0, w, h))
		rng := rand.New(rand.NewPCG(uint64(w), uint64(h)))
		for i := range m.Pix {
			m.Pix[i] = uint8(rng.IntN(256))
		}
		return m
	}
	tests := []struct {
		name   string
		file   []byte
		hashed bool
	}{
		{"4×4 PNG", encodePNG(t, noise(4, 4)), false},
		{"300×4 PNG", encodePNG(t, noise(300, 4)), false},
		{"1×1 GIF", mediatest.GIF(1, 1, 1), false},
		{"5×5 PNG", encodePNG(t, noise(5, 5)), true},
		{"a 2400×6 JPEG strip", encodeJPEG(t, mediatest.Scene(2400, 6, 3)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res := processed(t, tt.file)
			zero := res.PDQQuality == 0 && res.PDQDihedral == [8]pdq.Hash{} && res.PDQ == pdq.Hash{}
			if zero == tt.hashed {
				t.Errorf("quality %d, hash %v: want hashed %v", res.PDQQuality, res.PDQ, tt.hashed)
			}
		})
	}
}
