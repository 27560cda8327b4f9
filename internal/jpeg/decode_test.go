package jpeg

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	stdjpeg "image/jpeg"
	"math"
	"sync"
	"testing"
)

// accuracyCase is a file and the file image/jpeg decodes as its reference
// (the same coefficients without restart markers when image/jpeg cannot
// read those).
type accuracyCase struct {
	name    string
	file    func(t *testing.T) []byte
	ref     func(t *testing.T) []byte // nil: file itself
	want    string                    // type of the result
	maxDiff int                       // at 1/1, per channel
}

// small is the picture most tests encode.
var small = sync.OnceValue(func() *image.RGBA { return photo(203, 101, 1) })

func raw(space string, restart int, separate bool, adobe int, factors ...int) func(t *testing.T) []byte {
	return func(t *testing.T) []byte {
		m := small()
		return encodeRaw(rawSpec{
			width: m.Bounds().Dx(), height: m.Bounds().Dy(),
			comps:   rawPlanes(m, space, factors...),
			restart: restart, separate: separate, adobe: adobe, jfif: adobe < 0 && space == "ycc",
			quant: 3,
		})
	}
}

func accuracyCases() []accuracyCase {
	std := func(q int, gray bool) func(t *testing.T) []byte {
		return func(t *testing.T) []byte {
			if gray {
				return encode(t, grayOf(small()), q)
			}
			return encode(t, small(), q)
		}
	}
	return []accuracyCase{
		{name: "image/jpeg 4:2:0 q90", file: std(90, false), want: "*image.YCbCr", maxDiff: 2},
		{name: "image/jpeg 4:2:0 q40", file: std(40, false), want: "*image.YCbCr", maxDiff: 2},
		{name: "image/jpeg gray q90", file: std(90, true), want: "*image.Gray", maxDiff: 2},
		{name: "4:4:4", file: raw("ycc", 0, false, -1, 0x11, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{name: "4:2:2", file: raw("ycc", 0, false, -1, 0x21, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{name: "4:4:0", file: raw("ycc", 0, false, -1, 0x12, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{name: "4:1:1", file: raw("ycc", 0, false, -1, 0x41, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{name: "4:2:0 restart 3", file: raw("ycc", 3, false, -1, 0x22, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{name: "4:4:4 one scan per component restart 5", file: raw("ycc", 5, true, -1, 0x11, 0x11, 0x11), want: "*image.YCbCr", maxDiff: 2},
		{
			// image/jpeg counts this restart interval in MCUs, not blocks.
			name: "4:2:0 one scan per component restart 7",
			file: raw("ycc", 7, true, -1, 0x22, 0x11, 0x11), ref: raw("ycc", 0, true, -1, 0x22, 0x11, 0x11),
			want: "*image.YCbCr", maxDiff: 2,
		},
		{name: "RGB by component ids", file: raw("rgb", 0, false, -1, 0x11, 0x11, 0x11), want: "*image.RGBA", maxDiff: 2},
		{name: "RGB by Adobe transform 0", file: raw("ycc", 0, false, 0, 0x11, 0x11, 0x11), want: "*image.RGBA", maxDiff: 2},
		{name: "Adobe CMYK", file: raw("cmyk", 0, false, 0, 0x11, 0x11, 0x11, 0x11), want: "*image.CMYK", maxDiff: 2},
		{name: "Adobe CMYK 2x2 C and K", file: raw("cmyk", 0, false, 0, 0x22, 0x11, 0x11, 0x22), want: "*image.CMYK", maxDiff: 2},
		{name: "Adobe YCCK", file: raw("ycck", 0, false, 2, 0x11, 0x11, 0x11, 0x11), want: "*image.CMYK", maxDiff: 6},
		{name: "Adobe YCCK 4:2:0", file: raw("ycck", 4, false, 2, 0x22, 0x11, 0x11, 0x22), want: "*image.CMYK", maxDiff: 6},
	}
}

// toolCases are files made by libjpeg-turbo's cjpeg and jpegtran, when
// they are installed: progressive scripts with successive approximation,
// per-scan optimized tables, restart intervals, more subsamplings.
func toolCases() []accuracyCase {
	c := func(args ...string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return cjpeg(t, medium(), args...) }
	}
	g := func(args ...string) func(t *testing.T) []byte {
		return func(t *testing.T) []byte { return cjpeg(t, grayOf(medium()), args...) }
	}
	ycc, gray := "*image.YCbCr", "*image.Gray"
	return []accuracyCase{
		{name: "cjpeg progressive 4:2:0", file: c("-progressive"), want: ycc, maxDiff: 2},
		{name: "cjpeg progressive 4:4:4 q100", file: c("-progressive", "-sample", "1x1", "-quality", "100"), want: ycc, maxDiff: 2},
		{name: "cjpeg progressive optimized 4:2:2", file: c("-progressive", "-optimize", "-sample", "2x1"), want: ycc, maxDiff: 2},
		{name: "cjpeg progressive 4:4:0 q30", file: c("-progressive", "-sample", "1x2", "-quality", "30"), want: ycc, maxDiff: 2},
		{name: "cjpeg progressive gray", file: g("-progressive"), want: gray, maxDiff: 2},
		{name: "cjpeg progressive gray restart 3 blocks", file: g("-progressive", "-restart", "3B"), want: gray, maxDiff: 2},
		{name: "cjpeg progressive 4:4:4 restart 1 row", file: c("-progressive", "-sample", "1x1", "-restart", "1"), want: ycc, maxDiff: 2},
		{
			// image/jpeg cannot read restart intervals in the
			// non-interleaved scans of a subsampled component.
			name: "cjpeg progressive 4:2:0 restart 5 blocks", file: c("-progressive", "-restart", "5B"),
			ref: c("-progressive"), want: ycc, maxDiff: 2,
		},
		{name: "cjpeg 4:2:2 restart 2 rows", file: c("-sample", "2x1", "-restart", "2"), want: ycc, maxDiff: 2},
		{name: "cjpeg 4:4:0", file: c("-sample", "1x2"), want: ycc, maxDiff: 2},
		{name: "cjpeg 4:1:1 optimized", file: c("-sample", "4x1", "-optimize"), want: ycc, maxDiff: 2},
		{name: "cjpeg RGB", file: c("-rgb"), want: "*image.RGBA", maxDiff: 2},
		{name: "cjpeg RGB progressive", file: c("-rgb", "-progressive"), want: "*image.RGBA", maxDiff: 2},
		{
			name: "jpegtran progressive of image/jpeg output",
			file: func(t *testing.T) []byte { return jpegtran(t, encode(t, medium(), 85), "-progressive") },
			want: ycc, maxDiff: 2,
		},
	}
}

// medium is a picture of several restart intervals' worth of MCUs.
var medium = sync.OnceValue(func() *image.RGBA { return photo(333, 217, 5) })

// TestDecodeMatchesStdlib decodes each case at every scale and compares
// it with image/jpeg's full decode, box-averaged to the same scale.
func TestDecodeMatchesStdlib(t *testing.T) {
	for _, tc := range append(accuracyCases(), toolCases()...) {
		t.Run(tc.name, func(t *testing.T) {
			data := tc.file(t)
			refData := data
			if tc.ref != nil {
				refData = tc.ref(t)
			}
			ref, err := stdjpeg.Decode(bytes.NewReader(refData))
			if err != nil {
				t.Fatalf("image/jpeg: %v", err)
			}
			for _, s := range []int{1, 2, 4, 8} {
				got := decodeAt(t, data, s)
				if typ := fmt.Sprintf("%T", got); typ != tc.want {
					t.Fatalf("1/%d: got %s, want %s", s, typ, tc.want)
				}
				want, have := planesOf(ref), planesOf(got)
				for i := range want {
					db, diff := psnr(shrink(want[i], s), have[i])
					min := 35.0
					if s == 1 {
						min = 45
						if diff > tc.maxDiff {
							t.Errorf("1/1 %s: max difference %d, want <= %d", want[i].name, diff, tc.maxDiff)
						}
					}
					if db < min {
						t.Errorf("1/%d %s: PSNR %.1f dB, want >= %.0f", s, want[i].name, db, min)
					}
				}
			}
		})
	}
}

// TestDecodeUnusualSampling covers sampling factors image/jpeg refuses:
// the output is 4:4:4 with the nearest chroma sample, checked against the
// encoder's own planes at 1/1 and against the shrunk 1/1 decode below.
// A component subsampled alike across and down is decoded at the output
// resolution; any other keeps its own, coarser one, hence minReduced.
func TestDecodeUnusualSampling(t *testing.T) {
	tests := []struct {
		name       string
		factors    []int
		minReduced float64
	}{
		{"chroma finer than luma", []int{0x11, 0x22, 0x22}, 30},
		{"luma 4x4", []int{0x44, 0x22, 0x11}, 30},
		{"factor 3", []int{0x31, 0x11, 0x11}, 22},
		{"Cb and Cr differ", []int{0x22, 0x21, 0x12}, 25},
		{"luma 1x2 chroma 2x1", []int{0x12, 0x21, 0x21}, 25},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := small()
			comps := rawPlanes(m, "ycc", tc.factors...)
			spec := rawSpec{width: m.Bounds().Dx(), height: m.Bounds().Dy(), comps: comps, adobe: -1, quant: 1, separate: true}
			data := encodeRaw(spec)
			full := decodeAt(t, data, 1)
			yc, ok := full.(*image.YCbCr)
			if !ok || yc.SubsampleRatio != image.YCbCrSubsampleRatio444 {
				t.Fatalf("got %T, want a 4:4:4 *image.YCbCr", full)
			}
			have := planesOf(full)
			hmax, vmax := 1, 1
			for _, c := range comps {
				hmax, vmax = max(hmax, c.h), max(vmax, c.v)
			}
			for i, c := range comps {
				want := plane{name: have[i].name, w: have[i].w, h: have[i].h, pix: make([]byte, len(have[i].pix))}
				for y := range want.h {
					for x := range want.w {
						want.pix[y*want.w+x] = c.pix[(y*c.v/vmax)*c.w+x*c.h/hmax]
					}
				}
				if db, _ := psnr(want, have[i]); db < 40 {
					t.Errorf("1/1 %s: PSNR %.1f dB against the encoded samples, want >= 40", want.name, db)
				}
			}
			for _, s := range []int{2, 4, 8} {
				got := planesOf(decodeAt(t, data, s))
				for i := range have {
					if db, _ := psnr(shrink(have[i], s), got[i]); db < tc.minReduced {
						t.Errorf("1/%d %s: PSNR %.1f dB against the shrunk 1/1 decode, want >= %.0f", s, have[i].name, db, tc.minReduced)
					}
				}
			}
		})
	}
}

// TestDecodeSizes checks the output size of odd-sized pictures at every
// scale.
func TestDecodeSizes(t *testing.T) {
	sizes := []image.Point{{1, 1}, {7, 9}, {17, 33}, {8, 8}, {16, 15}, {4001, 2999}}
	for _, sz := range sizes {
		for _, gray := range []bool{false, true} {
			m := image.NewRGBA(image.Rect(0, 0, sz.X, sz.Y))
			for i := range m.Pix {
				m.Pix[i] = uint8(i * 7 % 251)
			}
			var src image.Image = m
			if gray {
				src = grayOf(m)
			}
			data := encode(t, src, 75)
			for _, s := range []int{1, 2, 4, 8} {
				t.Run(fmt.Sprintf("%dx%d gray=%v 1/%d", sz.X, sz.Y, gray, s), func(t *testing.T) {
					got := decodeAt(t, data, s).Bounds()
					want := image.Rect(0, 0, ceilDiv(sz.X, s), ceilDiv(sz.Y, s))
					if got != want {
						t.Errorf("bounds %v, want %v", got, want)
					}
				})
			}
		}
	}
}

func TestScale(t *testing.T) {
	cfg := Config{Width: 4000, Height: 3000}
	tests := []struct {
		name string
		opts Options
		want int
	}{
		{"zero options decode at full size", Options{}, 1},
		{"thumbnail 512 wide", Options{MinWidth: 512}, 4},
		{"thumbnail 500 wide fits 1/8", Options{MinWidth: 500}, 8},
		{"height decides", Options{MinWidth: 100, MinHeight: 1000}, 2},
		{"larger than the picture", Options{MinWidth: 5000}, 1},
		{"exact half", Options{MinWidth: 2000, MinHeight: 1500}, 2},
		{"one more than half", Options{MinWidth: 2001}, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Scale(cfg, tc.opts); got != tc.want {
				t.Errorf("Scale = %d, want %d", got, tc.want)
			}
		})
	}
	odd := Config{Width: 17, Height: 9}
	if got := Scale(odd, Options{MinWidth: 3, MinHeight: 2}); got != 8 {
		t.Errorf("17x9 wanting 3x2: Scale = %d, want 8 (ceil(17/8) = 3, ceil(9/8) = 2)", got)
	}
}

func TestDecodeConfig(t *testing.T) {
	tests := []struct {
		name  string
		file  func(t *testing.T) []byte
		want  Config
		model color.Model
	}{
		{"4:2:0", func(t *testing.T) []byte { return encode(t, small(), 90) }, Config{Width: 203, Height: 101, Components: 3}, color.YCbCrModel},
		{"gray", func(t *testing.T) []byte { return encode(t, grayOf(small()), 90) }, Config{Width: 203, Height: 101, Components: 1}, color.GrayModel},
		{"RGB", raw("rgb", 0, false, -1, 0x11, 0x11, 0x11), Config{Width: 203, Height: 101, Components: 3}, color.RGBAModel},
		{"CMYK", raw("cmyk", 0, false, 0, 0x11, 0x11, 0x11, 0x11), Config{Width: 203, Height: 101, Components: 4}, color.CMYKModel},
		{"odd sampling", raw("ycc", 0, true, -1, 0x11, 0x22, 0x22), Config{Width: 203, Height: 101, Components: 3}, color.YCbCrModel},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := DecodeConfig(bytes.NewReader(tc.file(t)))
			if err != nil {
				t.Fatal(err)
			}
			if cfg.Width != tc.want.Width || cfg.Height != tc.want.Height || cfg.Components != tc.want.Components || cfg.Progressive {
				t.Errorf("got %dx%d, %d components, progressive %v; want %dx%d, %d, false",
					cfg.Width, cfg.Height, cfg.Components, cfg.Progressive, tc.want.Width, tc.want.Height, tc.want.Components)
			}
			if cfg.ColorModel != tc.model {
				t.Errorf("color model %v, want %v", cfg.ColorModel, tc.model)
			}
		})
	}
}

// TestIDCTExact checks the fixed-point IDCTs against the defining formula
// on random blocks, including the box averages of the reduced ones.
func TestIDCTExact(t *testing.T) {
	rng := newRand(3)
	for _, s := range []int{1, 2, 4} {
		n := 8 / s
		worst := 0.0
		for range 2000 {
			var blk [64]int32
			for i := range blk {
				if rng.IntN(3) == 0 || i == 0 {
					blk[i] = int32(rng.IntN(401) - 200)
				}
			}
			var full [64]float64
			for y := range 8 {
				for x := range 8 {
					sum := 0.0
					for v := range 8 {
						for u := range 8 {
							cu, cv := 1.0, 1.0
							if u == 0 {
								cu = math.Sqrt2 / 2
							}
							if v == 0 {
								cv = math.Sqrt2 / 2
							}
							sum += cu * cv * float64(blk[v*8+u]) * dctCos[x][u] * dctCos[y][v]
						}
					}
					full[y*8+x] = sum/4 + 128
				}
			}
			dst := make([]byte, 64)
			idct(s, &blk, 63, dst, n)
			for y := range n {
				for x := range n {
					mean := 0.0
					for yy := range s {
						for xx := range s {
							mean += full[(y*s+yy)*8+x*s+xx]
						}
					}
					mean = math.Max(0, math.Min(255, mean/float64(s*s)))
					worst = math.Max(worst, math.Abs(mean-float64(dst[y*n+x])))
				}
			}
		}
		if worst > 0.55 {
			t.Errorf("1/%d: worst error %.3f, want <= 0.55 (rounding only)", s, worst)
		}
	}
}
