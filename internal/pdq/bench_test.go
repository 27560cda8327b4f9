package pdq

import (
	"image"
	"testing"
)

// photoYCbCr returns a w×h 4:2:0 picture shaped like a decoded photo:
// smooth shading with edges and fine texture in Y, gently varying chroma.
// It is deterministic.
func photoYCbCr(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			v := 40 + 120*x/w + 60*y/h + int(seed>>28) // shading and texture
			if (x/(w/7)+y/(h/5))%2 == 0 {
				v -= 30 // blocks with edges
			}
			m.Y[y*m.YStride+x] = uint8(v)
		}
	}
	cw, ch := (w+1)/2, (h+1)/2
	for y := range ch {
		for x := range cw {
			m.Cb[y*m.CStride+x] = uint8(100 + 60*x/cw)
			m.Cr[y*m.CStride+x] = uint8(150 - 50*y/ch)
		}
	}
	return m
}

// BenchmarkCompute12MP hashes a 4000×3000 JPEG-style picture, the size the
// upload path hands over after decoding a phone photo.
func BenchmarkCompute12MP(b *testing.B) {
	img := photoYCbCr(4000, 3000)
	b.ReportAllocs()
	for b.Loop() {
		Compute(img)
	}
}

// BenchmarkDihedral12MP is BenchmarkCompute12MP for all eight orientations.
func BenchmarkDihedral12MP(b *testing.B) {
	img := photoYCbCr(4000, 3000)
	b.ReportAllocs()
	for b.Loop() {
		Dihedral(img)
	}
}

// BenchmarkComputeRGBA1MP hashes a 1000×1000 *image.RGBA, as PNG uploads
// decode.
func BenchmarkComputeRGBA1MP(b *testing.B) {
	src := photoYCbCr(1000, 1000)
	img := image.NewRGBA(src.Rect)
	for y := range 1000 {
		for x := range 1000 {
			img.Set(x, y, src.At(x, y))
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		Compute(img)
	}
}
