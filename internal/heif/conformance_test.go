package heif

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/chatpic/chatpic"
)

// mediaDir holds real-world media shared by the tests (see its README.md):
// the HEIF conformance files and the AVIF samples. It is not part of the
// repository; CI always has it.
const mediaDir = "../../../shared/testdata/media"

// conformanceRefusals are the files of the media folder that Decode
// refuses, with the kind and why. Every other file must decode.
var conformanceRefusals = map[string]struct {
	kind chatpic.Kind
	why  string
}{
	// Image sequences (a track in a moov box) with no still image item.
	"C026.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C027.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C028.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C029.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C030.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C031.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C032.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C036.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C037.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C038.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	"C041.heic": {chatpic.KindUnsupported, "sequence without a still image"},
	// The primary is an identity derivation of an identity derivation
	// whose ispe (1280x720) is not the size of its source as shown
	// (300x300): an error in the file (nokiatech/heif_conformance#11),
	// which libheif decodes into garbage.
	"C039.heic": {chatpic.KindUnprocessable, "iden size does not match its source"},
	// The primary is predicted from another picture (a pred reference):
	// libheif does not support it and faults on it.
	"C044.heic": {chatpic.KindUnsupported, "predictively coded picture"},
	// The primary is a grid of AVC-coded tiles.
	"multilayer004.heic": {chatpic.KindUnsupported, "AVC-coded picture"},
}

// bigMedia names the files whose decoding takes seconds each; with -short
// they are only probed.
var bigMedia = []string{"hato.", "plum-blossom-large."}

// TestConformance probes and decodes every HEIC, AVIF and AVIFS file of
// the shared media folder with the real decoders. Each must decode or be
// refused as conformanceRefusals says, with a message for a person; a
// decoded picture must have the size Probe gives, carry the colour profile
// of the file, and, where the folder has a PNG of what it should look
// like, look like it.
func TestConformance(t *testing.T) {
	var files []string
	for _, pattern := range []string{"heif-conformance/*.heic", "avif-samples/*.avif", "avif-samples/*.avifs"} {
		m, err := filepath.Glob(filepath.Join(mediaDir, pattern))
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skipf("no HEIF files in %s: the shared media folder is absent (CI always has it)", mediaDir)
	}
	// Generous: all files decode in about 80 s on a slow 2-core machine.
	deadline := time.Now().Add(6 * time.Minute)
	if d, ok := t.Deadline(); ok && d.Before(deadline) {
		deadline = d.Add(-10 * time.Second)
	}
	Warm()
	refs := &references{cache: map[string]*image.RGBA{}}
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "file\tresult\tsize\tkind or reference\tmessage or mean difference")
	counts := map[string]int{}
	for _, path := range files {
		name := filepath.Base(path)
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		info, perr := Probe(bytes.NewReader(data), int64(len(data)))
		if testing.Short() && perr == nil && isBig(name) {
			fmt.Fprintf(tw, "%s\tprobed only (-short)\t%dx%d\t\t\n", name, info.Width, info.Height)
			counts["probed only"]++
			continue
		}
		res := decodeBy(t, name, data, deadline)
		want, refused := conformanceRefusals[name]
		switch {
		case res.err != nil:
			e, ok := errors.AsType[*chatpic.Error](res.err)
			if !ok {
				t.Errorf("%s: Decode error %v is not a *chatpic.Error", name, res.err)
				continue
			}
			fmt.Fprintf(tw, "%s\trefused\t\t%s\t%s\n", name, e.Kind, e.Message)
			counts["refused, "+string(e.Kind)+": "+e.Message]++
			switch {
			case !refused:
				t.Errorf("%s: Decode: %v; want it decoded", name, res.err)
			case e.Kind != want.kind:
				t.Errorf("%s: Decode error %v is %s; want %s (%s)", name, res.err, e.Kind, want.kind, want.why)
			case e.Message == "" || strings.Contains(e.Message, "heif:"):
				t.Errorf("%s: the message %q is not one for a person", name, e.Message)
			}
			if perr != nil && chatpic.ErrorKind(perr) != e.Kind {
				t.Errorf("%s: Probe refuses it as %s (%v), Decode as %s", name, chatpic.ErrorKind(perr), perr, e.Kind)
			}
			continue
		case refused:
			t.Errorf("%s: decoded; want it refused as %s (%s)", name, want.kind, want.why)
		case perr != nil:
			t.Errorf("%s: Decode accepts it, Probe refuses it: %v", name, perr)
		}
		img := res.img
		counts["accepted"]++
		if got, want := img.Bounds(), image.Rect(0, 0, res.info.Width, res.info.Height); got != want {
			t.Errorf("%s: decoded to %v, Info says %v", name, got, want)
		}
		if res.info.Width != info.Width || res.info.Height != info.Height || res.info.Format != info.Format {
			t.Errorf("%s: Decode says %s %dx%d, Probe %s %dx%d", name,
				res.info.Format, res.info.Width, res.info.Height, info.Format, info.Width, info.Height)
		}
		if _, ok := Sniff(data[:min(len(data), SniffLen)]); !ok {
			t.Errorf("%s: decoded, but Sniff does not recognise it", name)
		}
		if p, err := probe(bytes.NewReader(data), int64(len(data))); err == nil && p.alpha && opaque(img) {
			t.Errorf("%s: the file has an alpha plane, the picture decoded is opaque", name)
		}
		if strings.HasPrefix(name, "red-at-12-oclock-") && (res.info.ICC == nil || info.ICC == nil) {
			t.Errorf("%s: Info.ICC is nil, the file has a colour profile", name)
		}
		diff := "\t"
		if ref := referenceFor(name); ref != "" {
			diff = refs.compare(t, name, img, ref)
		}
		fmt.Fprintf(tw, "%s\taccepted\t%dx%d\t%s\n", name, res.info.Width, res.info.Height, diff)
	}
	tw.Flush()
	t.Logf("%d files:\n%s", len(files), table.String())
	var summary strings.Builder
	for _, k := range slices.Sorted(maps.Keys(counts)) {
		fmt.Fprintf(&summary, "  %3d %s\n", counts[k], k)
	}
	t.Logf("summary:\n%s", summary.String())
}

func isBig(name string) bool {
	for _, p := range bigMedia {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return false
}

type decoded struct {
	img  image.Image
	info Info
	err  error
}

// decodeBy decodes data with Decode and fails the test if it has not
// returned by deadline (the decode cannot be interrupted: it is left to
// finish in the background) or if it panics.
func decodeBy(t *testing.T, name string, data []byte, deadline time.Time) decoded {
	t.Helper()
	done := make(chan decoded, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- decoded{err: fmt.Errorf("Decode panicked: %v", r)}
			}
		}()
		img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
		done <- decoded{img, info, err}
	}()
	timer := time.NewTimer(time.Until(deadline))
	defer timer.Stop()
	select {
	case d := <-done:
		return d
	case <-timer.C:
		t.Fatalf("%s: Decode has not returned by the test's deadline", name)
		return decoded{}
	}
}

// referenceFor returns the PNG of the media folder that shows how the
// AVIF sample name should look, or "" if there is none. The kimono files
// are the same picture stored rotated, mirrored or cropped and marked to
// be shown the right way (the PNGs named like them show them as stored);
// the fox and plum blossom files are one picture at every depth and
// chroma format.
func referenceFor(name string) string {
	switch {
	case strings.HasPrefix(name, "kimono.") && strings.HasSuffix(name, ".crop.avif"):
		return "kimono.crop.png"
	case strings.HasPrefix(name, "kimono."):
		return "kimono.png"
	case strings.HasPrefix(name, "fox."):
		ref := "fox"
		for _, odd := range []string{".odd-width", ".odd-height"} {
			if strings.Contains(name, odd) {
				ref += odd
			}
		}
		return ref + ".png"
	case strings.HasPrefix(name, "plum-blossom-small."):
		return "plum-blossom-small.png"
	case strings.HasPrefix(name, "plum-blossom-large."):
		return "plum-blossom-large.png"
	}
	return ""
}

// references compares decoded pictures with the reference PNGs, read once.
type references struct {
	cache map[string]*image.RGBA
}

// Mean absolute differences allowed between a decoded sample and its
// reference, per 8-bit channel. Lossy coding at the samples' quality stays
// within about 5 (and 10 for grey pictures against a colour reference,
// which compare by luma); a picture shown rotated, mirrored or cropped
// elsewhere differs by 40 or more.
const (
	maxColourDiff = 7
	maxAlphaDiff  = 2
)

// compare fails t if img, the decoded sample name, does not look like the
// reference PNG ref, and returns how much they differ, for the table.
func (r *references) compare(t *testing.T, name string, img image.Image, ref string) string {
	t.Helper()
	want, ok := r.cache[ref]
	if !ok {
		data, err := os.ReadFile(filepath.Join(mediaDir, "avif-samples", ref))
		if err != nil {
			t.Fatalf("%s: reading its reference: %v", name, err)
		}
		m, err := png.Decode(bytes.NewReader(data))
		if err != nil {
			t.Fatalf("%s: decoding %s: %v", name, ref, err)
		}
		want = toRGBA(m)
		r.cache[ref] = want
	}
	got := toRGBA(img)
	if got.Rect != want.Rect {
		t.Errorf("%s is %v, %s is %v", name, got.Rect, ref, want.Rect)
		return ref + "\tof another size"
	}
	grey := strings.Contains(name, ".monochrome.")
	var colour, alpha float64
	for i := 0; i < len(got.Pix); i += 4 {
		g, w := got.Pix[i:i+4:i+4], want.Pix[i:i+4:i+4]
		if grey {
			colour += absDiff(luma(g), luma(w))
		} else {
			colour += absDiff(float64(g[0]), float64(w[0])) + absDiff(float64(g[1]), float64(w[1])) + absDiff(float64(g[2]), float64(w[2]))
		}
		alpha += absDiff(float64(g[3]), float64(w[3]))
	}
	n := float64(len(got.Pix) / 4)
	if !grey {
		colour /= 3
	}
	colour, alpha = colour/n, alpha/n
	if colour > maxColourDiff || alpha > maxAlphaDiff {
		t.Errorf("%s differs from %s by %.1f in colour and %.1f in alpha (mean per channel); want at most %d and %d",
			name, ref, colour, alpha, maxColourDiff, maxAlphaDiff)
	}
	kind := "colour"
	if grey {
		kind = "luma"
	}
	return fmt.Sprintf("%s\t%s %.1f, alpha %.1f", ref, kind, colour, alpha)
}

// luma returns the luma of a premultiplied RGBA pixel.
func luma(p []byte) float64 {
	return 0.299*float64(p[0]) + 0.587*float64(p[1]) + 0.114*float64(p[2])
}

func absDiff(a, b float64) float64 {
	if a > b {
		return a - b
	}
	return b - a
}

// TestProbeDescribesDecoding: what Probe reports for memory estimates
// (alpha, bit depth, pixels decoded) matches the samples' names.
func TestProbeDescribesDecoding(t *testing.T) {
	dir := filepath.Join(mediaDir, "avif-samples")
	tests := []struct {
		file  string
		alpha bool
		depth int
	}{
		{"fox.profile0.8bpc.yuv420.avif", false, 8},
		{"fox.profile0.10bpc.yuv420.avif", false, 10},
		{"fox.profile2.12bpc.yuv444.avif", false, 12},
		{"plum-blossom-small.profile0.8bpc.yuv420.alpha-full.avif", true, 8},
		{"plum-blossom-small.profile2.12bpc.yuv422.alpha-limited.avif", true, 12},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(dir, tt.file))
			if err != nil {
				t.Skipf("%s: %v", tt.file, err)
			}
			info, err := Probe(bytes.NewReader(b), int64(len(b)))
			if err != nil {
				t.Fatal(err)
			}
			px := int64(info.Width) * int64(info.Height)
			if info.Alpha != tt.alpha || info.Depth != tt.depth || info.Coded < px || (tt.alpha && info.Coded < 2*px) {
				t.Fatalf("alpha %v depth %d coded %d (of %d pixels), want alpha %v depth %d", info.Alpha, info.Depth, info.Coded, px, tt.alpha, tt.depth)
			}
		})
	}
}
