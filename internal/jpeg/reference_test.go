package jpeg

import (
	"bytes"
	"errors"
	stdjpeg "image/jpeg"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// pdqDir holds the photographs of the PDQ reference vectors, shared with
// the pdq package.
const pdqDir = "../../../shared/testdata/pdq"

// TestReferencePhotos decodes real camera and editor output at 1/1 and
// compares it with image/jpeg.
func TestReferencePhotos(t *testing.T) {
	entries, err := os.ReadDir(pdqDir)
	if errors.Is(err, fs.ErrNotExist) {
		t.Skipf("%s is absent: no reference photos to decode", pdqDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, e := range entries {
		name := e.Name()
		if ext := strings.ToLower(filepath.Ext(name)); ext != ".jpg" && ext != ".jpeg" {
			continue
		}
		n++
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(pdqDir, name))
			if err != nil {
				t.Fatal(err)
			}
			ref, err := stdjpeg.Decode(bytes.NewReader(data))
			if err != nil {
				t.Fatalf("image/jpeg: %v", err)
			}
			got, err := Decode(bytes.NewReader(data), Options{})
			if err != nil {
				t.Fatal(err)
			}
			want, have := planesOf(ref), planesOf(got)
			if len(want) != len(have) {
				t.Fatalf("got %T, image/jpeg %T", got, ref)
			}
			for i := range want {
				if db, diff := psnr(want[i], have[i]); db < 40 || diff > 2 {
					t.Errorf("%s: PSNR %.1f dB, max difference %d; want >= 40 dB, <= 2", want[i].name, db, diff)
				}
			}
		})
	}
	if n == 0 {
		t.Skipf("no JPEG file in %s", pdqDir)
	}
}
