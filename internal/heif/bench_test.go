package heif

import (
	"bytes"
	"context"
	"io"
	"testing"
)

// The 12-megapixel fixtures take seconds to encode, so they are made once
// per test binary and only by the benchmarks.
var (
	photoAVIF []byte
	photoHEIC []byte
)

// BenchmarkConvertAVIF decodes a 12-megapixel AVIF and encodes the JPEG
// that replaces it.
func BenchmarkConvertAVIF(b *testing.B) {
	if photoAVIF == nil {
		photoAVIF = encodeAVIF(b, photo(4000, 3000), 60)
	}
	benchConvert(b, photoAVIF)
}

// BenchmarkConvertHEIC decodes a 12-megapixel HEIC (made by heif-enc, if
// installed) and encodes the JPEG that replaces it.
func BenchmarkConvertHEIC(b *testing.B) {
	if photoHEIC == nil {
		photoHEIC = encodeHEIC(b, photo(4000, 3000), "60")
	}
	benchConvert(b, photoHEIC)
}

func benchConvert(b *testing.B, data []byte) {
	Warm()
	b.SetBytes(int64(len(data)))
	b.ResetTimer()
	for b.Loop() {
		img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := Encode(io.Discard, img, info.ICC); err != nil {
			b.Fatal(err)
		}
	}
}
