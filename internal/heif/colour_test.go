package heif

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"math"
	"testing"
)

// squareColours are the colours of the test pictures' squares: saturated
// ones, greys near both ends of the range, and a skin tone.
var squareColours = []color.RGBA{
	{220, 30, 40, 255}, {40, 200, 70, 255}, {30, 50, 210, 255}, {128, 128, 128, 255},
	{240, 240, 235, 255}, {15, 20, 25, 255}, {230, 220, 30, 255}, {225, 170, 140, 255},
}

// squareGreys are the levels of the grey test pictures' squares.
var squareGreys = []uint8{5, 20, 60, 100, 128, 200, 235, 250}

// squareSize is the side of a square: 32 keeps every square on whole
// chroma samples at 4:2:0.
const squareSize = 32

// squares returns a picture of 4 x 2 squares of the colours c(i), i from
// 0 to 7, left to right, top to bottom.
func squares(c func(i int) color.Color) *image.RGBA64 {
	m := image.NewRGBA64(image.Rect(0, 0, 4*squareSize, 2*squareSize))
	for y := range m.Rect.Dy() {
		for x := range m.Rect.Dx() {
			m.Set(x, y, c(y/squareSize*4+x/squareSize))
		}
	}
	return m
}

// pngOf encodes m as a PNG: of 16-bit samples if deep, else of 8-bit
// ones (grey if m is an *image.Gray).
func pngOf(t *testing.T, m image.Image, deep bool) []byte {
	t.Helper()
	if !deep {
		if _, grey := m.(*image.Gray); !grey {
			m = toRGBA(m)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// greyOf returns m with its red samples as grey.
func greyOf(m image.Image) *image.Gray {
	g := image.NewGray(m.Bounds())
	for y := range m.Bounds().Dy() {
		for x := range m.Bounds().Dx() {
			r, _, _, _ := m.At(x, y).RGBA()
			g.Pix[y*g.Stride+x] = uint8(r >> 8)
		}
	}
	return g
}

// y4mOf returns m, which must be made of 2 x 2 blocks of one colour, as a
// Y4M file of 4:2:0 samples that encode its colours by the signal s
// (matrix 1, 6 or 9), as H.273 section 8 has it.
func y4mOf(m image.Image, s signal) []byte {
	kr, kb := map[uint16][2]float64{1: {0.2126, 0.0722}, 6: {0.299, 0.114}, 9: {0.2627, 0.0593}}[s.matrix][0],
		map[uint16][2]float64{1: {0.2126, 0.0722}, 6: {0.299, 0.114}, 9: {0.2627, 0.0593}}[s.matrix][1]
	quantise := func(v, scale, offset float64) byte {
		return byte(math.Max(0, math.Min(255, math.Round(offset+scale*v))))
	}
	ys, yo, cs := 219.0, 16.0, 224.0
	if s.full {
		ys, yo, cs = 255, 0, 255
	}
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := fmt.Appendf(nil, "YUV4MPEG2 W%d H%d F25:1 Ip A1:1 C420jpeg\nFRAME\n", w, h)
	var cb, cr []byte
	for y := range h {
		for x := range w {
			r, g, bl, _ := m.At(x, y).RGBA()
			R, G, B := float64(r)/65535, float64(g)/65535, float64(bl)/65535
			ey := kr*R + (1-kr-kb)*G + kb*B
			out = append(out, quantise(ey, ys, yo))
			if x%2 == 0 && y%2 == 0 {
				cb = append(cb, quantise((B-ey)/(2*(1-kb)), cs, 128))
				cr = append(cr, quantise((R-ey)/(2*(1-kr)), cs, 128))
			}
		}
	}
	return append(append(out, cb...), cr...)
}

// withPrimary returns the HEIC file data with a derived image of type
// typ ("grid", "iden" or "iovl") of its primary made the primary.
func withPrimary(t *testing.T, data []byte, typ string) []byte {
	f := importHEIF(t, data)
	w, h := 4*squareSize, 2*squareSize
	d := &fitem{id: 100, typ: typ, props: []fprop{{ispeBox(w, h), false}}}
	switch typ {
	case "grid": // one tile
		d.data = []byte{0, 0, 0, 0, byte(w >> 8), byte(w), byte(h >> 8), byte(h)}
	case "iovl": // one picture at the origin, on opaque black
		d.data = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, byte(w >> 8), byte(w), byte(h >> 8), byte(h), 0, 0, 0, 0}
	}
	f.items = append(f.items, d)
	f.refs = append(f.refs, fref{"dimg", d.id, []uint32{f.primary}})
	f.primary = d.id
	return f.bytes()
}

// TestHEICColours encodes pictures of known colours with heif-enc, in the
// ways a HEIC file declares its colours (as libheif writes it from a PNG;
// from YCbCr samples at limited or full range by BT.601, BT.709 or
// BT.2020, declared in the HEVC VUI or in an nclx property; grey; at 10
// bits; in a grid or an identity derivation), and checks that Decode
// finds the matrix and range the file declares and gives back each colour
// within a few levels.
func TestHEICColours(t *testing.T) {
	colours := squares(func(i int) color.Color { return squareColours[i] })
	greys := squares(func(i int) color.Color { return color.Gray{squareGreys[i]} })
	// limitedGreys holds the greys at limited range, as the samples of a
	// picture that says so must be.
	limitedGreys := squares(func(i int) color.Color {
		return color.Gray{uint8(math.Round(16 + float64(squareGreys[i])*219/255))}
	})
	const q = "95"
	vui := func(s signal) []string { // x265 parameters for the VUI of s
		r := "limited"
		if s.full {
			r = "full"
		}
		return []string{"-q", q, "-p", "x265:range=" + r, "-p", fmt.Sprintf("x265:colormatrix=%d", s.matrix)}
	}
	bt601l, bt709l, bt2020f := signal{matrix: 6, yBits: 8, cBits: 8}, signal{matrix: 1, yBits: 8, cBits: 8}, signal{matrix: 9, full: true, yBits: 8, cBits: 8}
	tests := []struct {
		name string
		heic func(t *testing.T) []byte
		want *signal // nil: whatever the heif-enc at hand writes
		grey bool
	}{
		{"from PNG, 4:2:0", func(t *testing.T) []byte { return heifEnc(t, pngOf(t, colours, false), "png", "-q", q) }, nil, false},
		{"from PNG, 4:2:2", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, colours, false), "png", "-q", q, "-p", "chroma=422")
		}, nil, false},
		{"from PNG, 4:4:4", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, colours, false), "png", "-q", q, "-p", "chroma=444")
		}, nil, false},
		// libheif 1.15 ignores these options for HEVC (and writes BT.601
		// at full range); later versions write the nclx and follow it.
		{"from PNG, asked for BT.709 at limited range", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, colours, false), "png", "-q", q, "--matrix_coefficients=1", "--colour_primaries=1",
				"--transfer_characteristic=1", "--full_range_flag=0")
		}, nil, false},
		{"from PNG, asked for BT.2020 at limited range", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, colours, false), "png", "-q", q, "--matrix_coefficients=9", "--colour_primaries=9",
				"--transfer_characteristic=14", "--full_range_flag=0")
		}, nil, false},
		{"from 16-bit PNG, at 10 bits", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, colours, true), "png", "-q", q, "-b", "10")
		}, nil, false},
		{"BT.601 at limited range, in the VUI", func(t *testing.T) []byte {
			return heifEnc(t, y4mOf(colours, bt601l), "y4m", vui(bt601l)...)
		}, &bt601l, false},
		{"BT.709 at limited range, in the VUI", func(t *testing.T) []byte {
			return heifEnc(t, y4mOf(colours, bt709l), "y4m", vui(bt709l)...)
		}, &bt709l, false},
		{"BT.2020 at full range, in the VUI", func(t *testing.T) []byte {
			return heifEnc(t, y4mOf(colours, bt2020f), "y4m", vui(bt2020f)...)
		}, &bt2020f, false},
		{"limited range and no matrix in the VUI: BT.601", func(t *testing.T) []byte {
			return heifEnc(t, y4mOf(colours, bt601l), "y4m", "-q", q, "-p", "x265:range=limited")
		}, &signal{matrix: 2, yBits: 8, cBits: 8}, false},
		{"BT.709 at limited range in an nclx property, the VUI saying full range", func(t *testing.T) []byte {
			data := heifEnc(t, y4mOf(colours, bt709l), "y4m", "-q", q, "-p", "x265:range=full")
			f := importHEIF(t, data)
			f.addProp(f.primary, nclxBox(1, 1, 1, false), false, false)
			return f.bytes()
		}, &signal{matrix: 1, primaries: 1, yBits: 8, cBits: 8}, false},
		// libheif builds these in RGB and hands them back at full range.
		{"a grid of BT.601 at limited range", func(t *testing.T) []byte {
			return withPrimary(t, heifEnc(t, y4mOf(colours, bt601l), "y4m", vui(bt601l)...), "grid")
		}, &signal{matrix: 6, full: true}, false},
		{"an identity derivation of BT.709 at limited range", func(t *testing.T) []byte {
			return withPrimary(t, heifEnc(t, y4mOf(colours, bt709l), "y4m", vui(bt709l)...), "iden")
		}, &signal{matrix: 1, full: true}, false},
		{"an overlay of BT.709 at limited range", func(t *testing.T) []byte {
			return withPrimary(t, heifEnc(t, y4mOf(colours, bt709l), "y4m", vui(bt709l)...), "iovl")
		}, &signal{matrix: 1, full: true}, false},
		{"a grid of BT.709 at limited range in an nclx property, the VUI saying BT.601", func(t *testing.T) []byte {
			data := heifEnc(t, y4mOf(colours, bt709l), "y4m", "-q", q, "-p", "x265:range=full", "-p", "x265:colormatrix=6")
			f := importHEIF(t, data)
			f.addProp(f.primary, nclxBox(1, 1, 1, false), false, false)
			return withPrimary(t, f.bytes(), "grid")
		}, &signal{matrix: 6, full: true}, false},
		{"grey", func(t *testing.T) []byte { return heifEnc(t, pngOf(t, greyOf(greys), false), "png", "-q", q) }, nil, true},
		{"grey at limited range", func(t *testing.T) []byte {
			return heifEnc(t, pngOf(t, greyOf(limitedGreys), false), "png", "-q", q, "-p", "x265:range=limited")
		}, &signal{matrix: 2, yBits: 8, cBits: 8}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.heic(t)
			p, err := probe(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			s := heicSignal(data, p)
			if tt.want != nil && s != *tt.want {
				t.Errorf("the file's colours are read as %+v, want %+v", s, *tt.want)
			}
			img, _, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if _, ok := img.(*image.Gray); ok != tt.grey {
				t.Errorf("decoded as %T", img)
			}
			want := colours
			if tt.grey {
				want = greys
			}
			checkSquares(t, img, want, s)
		})
	}
}

// maxSquareDiff is how far, per channel, the middle of a square may be
// from its colour: what lossy coding of a flat square leaves. Read as
// full range, a limited-range picture is off by up to 16 (26 at white).
const maxSquareDiff = 3

// checkSquares fails t if the mean colour of the 8 x 8 pixels in the
// middle of each square of got is more than maxSquareDiff from want's.
func checkSquares(t *testing.T, got, want image.Image, s signal) {
	t.Helper()
	g, w := toRGBA(got), toRGBA(want)
	if g.Rect != w.Rect {
		t.Fatalf("decoded to %v, want %v", g.Rect, w.Rect)
	}
	for i := range 8 {
		x0, y0 := i%4*squareSize+squareSize/2-4, i/4*squareSize+squareSize/2-4
		var sum [3]float64
		for y := y0; y < y0+8; y++ {
			for x := x0; x < x0+8; x++ {
				o := g.PixOffset(x, y)
				for c := range 3 {
					sum[c] += float64(g.Pix[o+c])
				}
			}
		}
		o := w.PixOffset(x0, y0)
		for c := range 3 {
			if d := sum[c]/64 - float64(w.Pix[o+c]); math.Abs(d) > maxSquareDiff {
				t.Errorf("square %d is %.1f %.1f %.1f, want %v (read as %+v)", i, sum[0]/64, sum[1]/64, sum[2]/64, w.Pix[o:o+3], s)
				break
			}
		}
	}
}
