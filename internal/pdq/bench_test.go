package pdq

import (
	"image"
	"testing"
)

// synthYCbCr returns a w×h 4:2:0 picture with smooth structure and some
// noise, filled deterministically.
func synthYCbCr(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	seed := uint32(1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			m.Y[y*m.YStride+x] = uint8((x*255/w+y*255/h)/2 + int(seed>>28))
		}
	}
	for i := range m.Cb {
		m.Cb[i] = uint8(64 + i%128)
		m.Cr[i] = uint8(192 - i%128)
	}
	return m
}

// BenchmarkCompute12MP hashes a 4000×3000 JPEG-style picture, the size the
// upload path hands over after decoding a phone photo.
func BenchmarkCompute12MP(b *testing.B) {
	img := synthYCbCr(4000, 3000)
	b.ReportAllocs()
	for b.Loop() {
		Compute(img)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/op")
}
