package heif

import (
	"bytes"
	"image"
	"math"
	"testing"

	"github.com/chatpic/chatpic"
)

// referenceRGB converts the 8-bit samples y, cb, cr of the signal s to
// RGB from 0 to 255, unrounded and unclamped, the way ITU-T H.273 puts it
// (section 8, equations 20 to 31 run backwards): the samples are brought
// to E'Y in [0, 1] and E'PB, E'PR in [-0.5, 0.5], then R and B follow
// from their colour differences and G from the luma equation. Samples of
// more than 8 bits that were cut to 8 stand for the middle of the ones
// that were cut to them.
func referenceRGB(s signal, y, cb, cr int) [3]float64 {
	sample := func(v, bits int) (float64, float64) { // the sample, and 2^(bits-8)
		if bits <= 8 {
			return float64(v), 1
		}
		k := math.Exp2(float64(bits - 8))
		return float64(v)*k + (k-1)/2, k
	}
	ey := func(v, bits int) float64 {
		n, k := sample(v, bits)
		if s.full {
			return n / (256*k - 1)
		}
		return (n - 16*k) / (219 * k)
	}
	ec := func(v, bits int) float64 {
		n, k := sample(v, bits)
		if s.full {
			return (n - 128*k) / (256*k - 1)
		}
		return (n - 128*k) / (224 * k)
	}
	Y, pb, pr := ey(y, s.yBits), ec(cb, s.cBits), ec(cr, s.cBits)
	var r, g, b float64
	switch s.matrix {
	case 0: // GBR: at limited range the colour planes are quantised as luma
		r, g, b = ey(cr, s.cBits), Y, ey(cb, s.cBits)
	case 8: // YCgCo
		t := Y - pb
		r, g, b = t+pr, Y+pb, t-pr
	default:
		kr, kb := 0.299, 0.114
		if w, ok := map[uint16][2]float64{1: {0.2126, 0.0722}, 4: {0.30, 0.11}, 7: {0.212, 0.087},
			9: {0.2627, 0.0593}, 10: {0.2627, 0.0593}}[s.matrix]; ok {
			kr, kb = w[0], w[1]
		}
		r = Y + 2*(1-kr)*pr
		b = Y + 2*(1-kb)*pb
		g = (Y - kr*r - kb*b) / (1 - kr - kb)
	}
	return [3]float64{255 * r, 255 * g, 255 * b}
}

// TestYCCTablesRound checks the conversion of every tenth sample value
// (and the extremes) of each signal against referenceRGB: each component
// must be the reference rounded to the nearest integer and clamped, but
// where the reference lies within 1/10000 of a half.
func TestYCCTablesRound(t *testing.T) {
	tests := []struct {
		name  string
		s     signal
		ref   signal  // the signal to compute the reference by, if not s
		slack float64 // how much further than a half from the reference
	}{
		{name: "BT.601 full range (JFIF)", s: signal{matrix: 6, full: true}},
		{name: "BT.601 limited range", s: signal{matrix: 6}},
		{name: "BT.601 as matrix 5", s: signal{matrix: 5}},
		{name: "unspecified, taken as BT.601", s: signal{matrix: 2}},
		{name: "reserved, taken as BT.601", s: signal{matrix: 3, full: true}},
		{name: "BT.709 limited range", s: signal{matrix: 1}},
		{name: "BT.709 full range", s: signal{matrix: 1, full: true}},
		{name: "BT.2020 limited range", s: signal{matrix: 9}},
		{name: "BT.2020 full range", s: signal{matrix: 9, full: true}},
		{name: "BT.2020 constant luminance, taken as non-constant", s: signal{matrix: 10}},
		{name: "FCC", s: signal{matrix: 4}},
		{name: "SMPTE 240M", s: signal{matrix: 7, full: true}},
		{name: "YCgCo limited range", s: signal{matrix: 8}},
		{name: "YCgCo full range", s: signal{matrix: 8, full: true}},
		{name: "GBR limited range", s: signal{matrix: 0}},
		{name: "GBR full range", s: signal{matrix: 0, full: true}},
		// Weights derived from the BT.709 primaries match BT.709's to 4 digits.
		{name: "chromaticity-derived from BT.709 primaries", s: signal{matrix: 12, primaries: 1}, ref: signal{matrix: 1}, slack: 0.02},
		{name: "chromaticity-derived, unknown primaries: BT.601", s: signal{matrix: 13, primaries: 99}, ref: signal{matrix: 6}},
		{name: "BT.709 limited range, 10 bits cut to 8", s: signal{matrix: 1, yBits: 10, cBits: 10}},
		{name: "BT.601 full range, 12 bits cut to 8", s: signal{matrix: 6, full: true, yBits: 12, cBits: 12}},
	}
	values := []int{0, 1, 15, 16, 17, 127, 128, 129, 234, 235, 236, 239, 240, 241, 254, 255}
	for v := 2; v < 255; v += 10 {
		values = append(values, v)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ref := tt.s
			if tt.ref != (signal{}) {
				ref = tt.ref
			}
			tab := newYCCTables(tt.s)
			bad := 0
			for _, y := range values {
				for _, cb := range values {
					for _, cr := range values {
						var got [3]uint8
						if tab.identity {
							got = [3]uint8{clamp8(tab.rCr[cr]), clamp8(tab.y[y]), clamp8(tab.bCb[cb])}
						} else {
							l := tab.y[y]
							got = [3]uint8{clamp8(l + tab.rCb[cb] + tab.rCr[cr]), clamp8(l + tab.gCb[cb] + tab.gCr[cr]), clamp8(l + tab.bCb[cb] + tab.bCr[cr])}
						}
						want := referenceRGB(ref, y, cb, cr)
						for c, w := range want {
							rounded := math.Max(0, math.Min(255, math.Round(w)))
							tie := math.Abs(w-math.Floor(w)-0.5) < 1e-4
							if float64(got[c]) != rounded && !tie && math.Abs(float64(got[c])-math.Max(0, math.Min(255, w))) > 0.5+tt.slack {
								if bad++; bad <= 5 {
									t.Errorf("Y %d Cb %d Cr %d: component %d is %d, want %.4f rounded", y, cb, cr, c, got[c], w)
								}
							}
						}
					}
				}
			}
		})
	}
}

func TestKrKbOfPrimaries(t *testing.T) {
	tests := []struct {
		primaries uint16
		kr, kb    float64
	}{
		{1, 0.2126, 0.0722},  // BT.709
		{9, 0.2627, 0.0593},  // BT.2020
		{12, 0.2290, 0.0793}, // Display P3 (D65)
	}
	for _, tt := range tests {
		kr, kb, ok := krKbOfPrimaries(tt.primaries)
		if !ok || math.Abs(kr-tt.kr) > 1e-4 || math.Abs(kb-tt.kb) > 1e-4 {
			t.Errorf("primaries %d: Kr %.4f Kb %.4f (%v), want %.4f %.4f", tt.primaries, kr, kb, ok, tt.kr, tt.kb)
		}
	}
	if _, _, ok := krKbOfPrimaries(2); ok {
		t.Error("unspecified primaries give weights")
	}
}

// planes returns a w x h YCbCr picture of the ratio whose luma samples
// are all y and whose chroma samples are cb and cr by column (repeated if
// there are more columns), rows padded by pad bytes.
func planes(w, h int, ratio image.YCbCrSubsampleRatio, y byte, cb, cr []byte, pad int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), ratio)
	cw, ch := m.CStride, len(m.Cb)/m.CStride
	p := &image.YCbCr{YStride: w + pad, CStride: cw + pad, SubsampleRatio: ratio, Rect: m.Rect}
	p.Y = bytes.Repeat([]byte{y}, p.YStride*h)
	p.Cb, p.Cr = make([]byte, p.CStride*ch), make([]byte, p.CStride*ch)
	for r := range ch {
		for x := range cw {
			p.Cb[r*p.CStride+x], p.Cr[r*p.CStride+x] = cb[x%len(cb)], cr[x%len(cr)]
		}
	}
	return p
}

func TestHEICRGB(t *testing.T) {
	limited601 := signal{matrix: 6}
	tests := []struct {
		name  string
		img   image.Image
		s     signal
		check func(t *testing.T, out image.Image)
	}{
		{"4:4:4 BT.601 limited: black, white, red, green, blue", func() image.Image {
			m := planes(5, 1, image.YCbCrSubsampleRatio444, 0, []byte{128, 128, 90, 54, 240}, []byte{128, 128, 240, 34, 110}, 3)
			copy(m.Y, []byte{16, 235, 81, 145, 41})
			return m
		}(), limited601, func(t *testing.T, out image.Image) {
			m := out.(*image.RGBA)
			want := []byte{0, 0, 0, 255, 255, 255, 255, 255, 255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255}
			for i := range want {
				if d := int(m.Pix[i]) - int(want[i]); d < -2 || d > 2 {
					t.Fatalf("got %v, want about %v", m.Pix, want)
				}
			}
		}},
		{"4:2:0: chroma interpolated between samples", func() image.Image {
			// Two chroma columns: Cr 128 (grey), then 240 (red).
			return planes(4, 2, image.YCbCrSubsampleRatio420, 128, []byte{128}, []byte{128, 240}, 0)
		}(), signal{matrix: 6, full: true}, func(t *testing.T, out image.Image) {
			m := out.(*image.RGBA)
			// Cr per column: 128, 3/4*128+1/4*240 = 156, 3/4*240+1/4*128 = 212, 240.
			var got []int
			for x := range 4 {
				got = append(got, int(m.Pix[4*x]))
			}
			want := []int{128, 167, 246, 255} // R = Y + 1.402 (Cr - 128)
			for i := range want {
				if d := got[i] - want[i]; d < -1 || d > 1 {
					t.Fatalf("red across the row is %v, want %v", got, want)
				}
			}
		}},
		{"4:2:0 of odd size", planes(5, 3, image.YCbCrSubsampleRatio420, 100, []byte{90, 100, 110}, []byte{200, 100}, 1),
			limited601, func(t *testing.T, out image.Image) {
				if out.Bounds() != image.Rect(0, 0, 5, 3) {
					t.Fatalf("bounds %v", out.Bounds())
				}
			}},
		{"4:2:2", planes(6, 2, image.YCbCrSubsampleRatio422, 180, []byte{128}, []byte{128}, 2), limited601,
			func(t *testing.T, out image.Image) {
				m := out.(*image.RGBA)
				for i := 0; i < len(m.Pix); i += 4 {
					if m.Pix[i] != 191 || m.Pix[i+1] != 191 || m.Pix[i+2] != 191 || m.Pix[i+3] != 255 {
						t.Fatalf("pixel %d is %v, want grey 191: (180-16)*255/219 = 190.96", i/4, m.Pix[i:i+4])
					}
				}
			}},
		{"grey at limited range, widened in place", &image.Gray{Pix: []byte{16, 235, 126, 9, 0, 255, 128, 9}, Stride: 4, Rect: image.Rect(0, 0, 3, 2)},
			limited601, func(t *testing.T, out image.Image) {
				g := out.(*image.Gray)
				if want := []byte{0, 255, 128, 9, 0, 255, 130, 9}; !bytes.Equal(g.Pix, want) {
					t.Fatalf("grey samples %v, want %v (the padding left as it is)", g.Pix, want)
				}
			}},
		{"grey at full range, left alone", &image.Gray{Pix: []byte{16, 235}, Stride: 2, Rect: image.Rect(0, 0, 2, 1)},
			signal{matrix: 2, full: true}, func(t *testing.T, out image.Image) {
				if g := out.(*image.Gray); !bytes.Equal(g.Pix, []byte{16, 235}) {
					t.Fatalf("grey samples %v", g.Pix)
				}
			}},
		{"RGB from libheif, left alone", image.NewNRGBA(image.Rect(0, 0, 2, 2)), limited601, func(t *testing.T, out image.Image) {
			if _, ok := out.(*image.NRGBA); !ok {
				t.Fatalf("returned a %T", out)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := heicRGB(tt.img, tt.s)
			if err != nil {
				t.Fatalf("heicRGB: %v", err)
			}
			tt.check(t, out)
		})
	}
}

func TestHEICRGBRefuses(t *testing.T) {
	short := planes(8, 8, image.YCbCrSubsampleRatio420, 0, []byte{0}, []byte{0}, 0)
	short.Cr = short.Cr[:len(short.Cr)-1]
	tests := []struct {
		name string
		img  image.Image
	}{
		{"a chroma plane a byte short", short},
		{"a luma stride narrower than the picture", &image.YCbCr{Y: make([]byte, 64), Cb: make([]byte, 64), Cr: make([]byte, 64),
			YStride: 7, CStride: 8, SubsampleRatio: image.YCbCrSubsampleRatio444, Rect: image.Rect(0, 0, 8, 8)}},
		{"4:1:0 chroma", image.NewYCbCr(image.Rect(0, 0, 8, 8), image.YCbCrSubsampleRatio410)},
		{"bounds off the origin", image.NewYCbCr(image.Rect(1, 1, 8, 8), image.YCbCrSubsampleRatio444)},
		{"a grey plane a byte short", &image.Gray{Pix: make([]byte, 15), Stride: 4, Rect: image.Rect(0, 0, 4, 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := heicRGB(tt.img, signal{matrix: 6})
			if k := chatpic.ErrorKind(err); k != chatpic.KindUnprocessable {
				t.Fatalf("heicRGB error = %v (kind %q), want unprocessable", err, k)
			}
		})
	}
}

func TestUpsample(t *testing.T) {
	tests := []struct {
		name string
		v    []int32 // samples times 4
		want []uint8
	}{
		{"one sample", []int32{400}, []uint8{100, 100}},
		{"two samples", []int32{0, 400}, []uint8{0, 25, 75, 100}},
		{"odd width", []int32{0, 400}, []uint8{0, 25, 75}},
		{"rounds halves up", []int32{2, 0}, []uint8{1, 0}}, // (3*2+0+8)/16 = 0.875
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := make([]uint8, len(tt.want))
			upsample(got, tt.v)
			if !bytes.Equal(got, tt.want) {
				t.Errorf("upsample(%v) = %v, want %v", tt.v, got, tt.want)
			}
		})
	}
}

// TestTo8 checks every 16-bit sample: it must become the 8-bit one
// nearest to it, v/257 rounded.
func TestTo8(t *testing.T) {
	for v := range uint32(1 << 16) {
		if got, want := to8(v), uint8((2*v+257)/514); got != want {
			t.Fatalf("to8(%d) = %d, want %d", v, got, want)
		}
	}
}

// BenchmarkHEICRGB converts a 12-megapixel 4:2:0 picture at limited range
// to RGB, as Decode does after the heic package.
func BenchmarkHEICRGB(b *testing.B) {
	m := planes(4000, 3000, image.YCbCrSubsampleRatio420, 120, []byte{90, 100, 140}, []byte{200, 60}, 0)
	b.SetBytes(4000 * 3000)
	for b.Loop() {
		if _, err := heicRGB(m, signal{matrix: 1}); err != nil {
			b.Fatal(err)
		}
	}
}
