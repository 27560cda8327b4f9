package media

import (
	"bytes"
	"encoding/binary"
	"image"
	"io"
	"testing"
)

// phoneLike returns a w x h picture with smooth gradients and fine detail,
// which compresses about like a photograph.
func phoneLike(w, h int) *image.YCbCr {
	m := image.NewYCbCr(image.Rect(0, 0, w, h), image.YCbCrSubsampleRatio420)
	for y := range h {
		for x := range w {
			m.Y[y*m.YStride+x] = uint8((x*255/w + y*255/h + (x*y)%23) / 2)
		}
	}
	for y := range (h + 1) / 2 {
		for x := range (w + 1) / 2 {
			m.Cb[y*m.CStride+x] = uint8(x * 255 / w * 2 % 256)
			m.Cr[y*m.CStride+x] = uint8(y * 255 / h * 2 % 256)
		}
	}
	return m
}

// BenchmarkProcess12MP measures the whole pipeline (sniff, scrub, verify,
// decode, thumbnail) on a 4000x3000 JPEG.
func BenchmarkProcess12MP(b *testing.B) {
	file := afterSOI(encodeJPEG(b, phoneLike(4000, 3000)), exifAPP1(b, binary.BigEndian, 6))
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Process(b.Context(), bytes.NewReader(file), int64(len(file)), io.Discard, io.Discard, DefaultLimits()); err != nil {
			b.Fatal(err)
		}
	}
}
