package posting

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg"
	_ "image/png"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/gen2brain/avif"
)

// mediaDir holds HEIF conformance files and AVIF samples from real
// encoders (see its README).
const mediaDir = "../../../shared/testdata/media"

// TestUploadRealHEIFFiles uploads every HEIF conformance file and AVIF
// sample. Each is either accepted, stored the right way up (compared with
// the PNG the samples come with), with its colour profile and without any
// metadata, or refused with a 4xx that says why; never a 5xx. After all of
// them the server still takes a HEIC, an AVIF and a JPEG.
func TestUploadRealHEIFFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes some 240 real files")
	}
	var files []string
	for _, dir := range []string{"heif-conformance", "avif-samples"} {
		entries, err := os.ReadDir(filepath.Join(mediaDir, dir))
		if errors.Is(err, fs.ErrNotExist) {
			t.Skipf("%s is absent: no real HEIF files to upload", mediaDir)
		}
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			switch filepath.Ext(e.Name()) {
			case ".heic", ".avif", ".avifs":
				files = append(files, filepath.Join(mediaDir, dir, e.Name()))
			}
		}
	}
	f := newFixtureWith(t, func(c *Config) { c.MaxBytes = 50 << 20 })

	type outcome struct {
		file, result string
		accepted     bool
	}
	results := make([]outcome, len(files))
	var wg sync.WaitGroup
	next := make(chan int)
	for range 2 { // two at a time, as two workers would
		wg.Go(func() {
			for i := range next {
				results[i] = outcome{file: files[i]}
				results[i].result, results[i].accepted = checkUpload(t, f, files[i])
			}
		})
	}
	for i := range files {
		next <- i
	}
	close(next)
	wg.Wait()

	accepted := 0
	for _, r := range results {
		t.Logf("%-70s %s", filepath.Base(r.file), r.result)
		if r.accepted {
			accepted++
		}
	}
	t.Logf("%d of %d files accepted, the others refused with a reason", accepted, len(files))
	if accepted < len(files)/2 {
		t.Errorf("only %d of %d real files were accepted", accepted, len(files))
	}

	// The server is whole: the next uploads of each kind go through.
	heic, _ := os.ReadFile(filepath.Join(mediaDir, "heif-conformance", "C001.heic"))
	var av bytes.Buffer
	if err := avif.Encode(&av, mediatest.Picture(64, 48), avif.Options{Quality: 60, Speed: 10}); err != nil {
		t.Fatal(err)
	}
	for name, file := range map[string][]byte{"HEIC": heic, "AVIF": av.Bytes(), "JPEG": mediatest.JPEG(64, 48)} {
		if _, err := f.upload("random", "", file); err != nil {
			t.Errorf("after the real files, a %s upload: %v", name, err)
		}
	}
}

// checkUpload uploads one file and checks the outcome, returning a line for
// the log and whether it was accepted.
func checkUpload(t *testing.T, f fixture, path string) (string, bool) {
	t.Helper()
	file, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := f.upload("random", "", file)
	if err != nil {
		kind := chatpic.ErrorKind(err)
		switch kind {
		case chatpic.KindUnsupported, chatpic.KindUnprocessable, chatpic.KindTooLarge:
		default:
			t.Errorf("%s: refused with %v (kind %s), want a 4xx for the file", path, err, kind)
		}
		if msg := chatpic.ErrorMessage(err); msg == "" || strings.Contains(msg, "on our side") {
			t.Errorf("%s: refused without a reason: %q", path, msg)
		}
		return fmt.Sprintf("refused %s: %s", kind, chatpic.ErrorMessage(err)), false
	}
	p := c.Post
	mf, err := f.svc.MediaFile(context.Background(), p.ID, p.Ext, false, "")
	if err != nil {
		t.Fatal(err)
	}
	obj, err := f.svc.OpenFile(context.Background(), mf.Key)
	if err != nil {
		t.Fatal(err)
	}
	stored, _ := io.ReadAll(obj)
	obj.Close()
	for _, meta := range []string{"Exif\x00\x00", "http://ns.adobe.com/xap/1.0/", "<x:xmpmeta"} {
		if bytes.Contains(stored, []byte(meta)) {
			t.Errorf("%s: the stored file still holds metadata (%q)", path, meta)
		}
	}
	name := filepath.Base(path)
	if strings.HasPrefix(name, "red-at-12-oclock-with-color-profile") &&
		!bytes.Contains(stored, []byte("ICC_PROFILE")) && !bytes.Contains(stored, []byte("iCCP")) {
		t.Errorf("%s: the colour profile was lost", path)
	}
	img, _, err := image.Decode(bytes.NewReader(stored))
	if err != nil {
		t.Fatalf("%s: the stored file does not decode: %v", path, err)
	}
	result := fmt.Sprintf("accepted %dx%d %s", p.Width, p.Height, p.MIME)
	if ref := reference(path); ref != "" {
		diff, err := lumaDifference(img, ref)
		if err != nil {
			t.Errorf("%s: against %s: %v", path, filepath.Base(ref), err)
		} else if diff > 12 {
			t.Errorf("%s: differs from %s by %.1f levels of luma on average: turned, mirrored or cropped wrong", path, filepath.Base(ref), diff)
		}
		result += fmt.Sprintf(", %.1f from %s", diff, filepath.Base(ref))
	}
	return result, true
}

// reference returns the PNG that shows how an AVIF sample should look, or
// "" if it has none. Every kimono file, whatever its rotation, mirroring
// and crop, shows as kimono.png or kimono.crop.png (the other kimono PNGs
// are the pictures as stored); the fox and plum blossom files share one per
// size.
func reference(path string) string {
	dir, name := filepath.Split(path)
	if strings.HasPrefix(name, "kimono.") {
		if strings.Contains(name, ".crop") {
			return filepath.Join(dir, "kimono.crop.png")
		}
		return filepath.Join(dir, "kimono.png")
	}
	base := strings.TrimSuffix(name, filepath.Ext(name))
	candidates := []string{base + ".png"}
	if parts := strings.Split(base, "."); len(parts) > 1 {
		var sized []string
		for _, p := range parts[1:] {
			if strings.HasPrefix(p, "odd-") {
				sized = append(sized, p)
			}
		}
		candidates = append(candidates, strings.Join(append([]string{parts[0]}, sized...), ".")+".png")
	}
	for _, c := range slices.Compact(candidates) {
		if _, err := os.Stat(filepath.Join(dir, c)); err == nil && c != name {
			return filepath.Join(dir, c)
		}
	}
	return ""
}

// lumaDifference is the mean absolute difference of luma between img and
// the PNG at path, which must have the same size.
func lumaDifference(img image.Image, path string) (float64, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	ref, _, err := image.Decode(bytes.NewReader(b))
	if err != nil {
		return 0, err
	}
	if img.Bounds().Size() != ref.Bounds().Size() {
		return 0, fmt.Errorf("stored %v, reference %v", img.Bounds().Size(), ref.Bounds().Size())
	}
	luma := func(m image.Image, x, y int) float64 {
		r, g, b, a := m.At(x, y).RGBA()
		if a == 0 {
			return 0
		}
		return (0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)) / 257
	}
	var sum float64
	ib, rb := img.Bounds(), ref.Bounds()
	n := 0
	for y := 0; y < ib.Dy(); y += 2 {
		for x := 0; x < ib.Dx(); x += 2 {
			sum += abs(luma(img, ib.Min.X+x, ib.Min.Y+y) - luma(ref, rb.Min.X+x, rb.Min.Y+y))
			n++
		}
	}
	return sum / float64(max(n, 1)), nil
}

func abs(v float64) float64 {
	if v < 0 {
		return -v
	}
	return v
}
