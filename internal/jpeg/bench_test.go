package jpeg

import (
	"bytes"
	"fmt"
	stdjpeg "image/jpeg"
	"os/exec"
	"sync"
	"testing"
)

// benchPhoto is a 12-megapixel 4:2:0 baseline file at quality 90, made
// once per test binary (encoding it takes a second).
var benchPhoto = sync.OnceValue(func() []byte {
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, photo(4000, 3000, 42), &stdjpeg.Options{Quality: 90}); err != nil {
		panic(err)
	}
	return buf.Bytes()
})

// BenchmarkDecode compares Decode at each scale with image/jpeg.Decode at
// full size, on baseline and (when jpegtran is installed) progressive
// versions of the same 4000x3000 picture.
func BenchmarkDecode(b *testing.B) {
	files := []struct {
		name string
		data []byte
	}{{"baseline", benchPhoto()}}
	if _, err := exec.LookPath("jpegtran"); err == nil {
		files = append(files, struct {
			name string
			data []byte
		}{"progressive", jpegtran(b, benchPhoto(), "-progressive")})
	}
	for _, f := range files {
		b.Run(f.name+"/stdlib", func(b *testing.B) {
			b.SetBytes(int64(len(f.data)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := stdjpeg.Decode(bytes.NewReader(f.data)); err != nil {
					b.Fatal(err)
				}
			}
		})
		for _, s := range []int{1, 2, 4, 8} {
			b.Run(fmt.Sprintf("%s/1_%d", f.name, s), func(b *testing.B) {
				b.SetBytes(int64(len(f.data)))
				b.ReportAllocs()
				for b.Loop() {
					if _, err := Decode(bytes.NewReader(f.data), Options{scale: s}); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}
