package heif

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"image"
	_ "image/jpeg" // hato.jpg
	_ "image/png"
	"maps"
	"math"
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
	libheif := libheifDecoder()
	compared := map[[sha256.Size]byte]bool{}
	if libheif == "" {
		t.Log("heif-dec (or heif-convert) is not installed (apt-get install libheif-examples): HEIC colours are not compared with libheif's")
	}
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
		} else if res.info.Format == HEIC && libheif != "" {
			// Many conformance files hold the same picture; rendering
			// takes libheif most of a second.
			sum := sha256.Sum256(toRGBA(img).Pix)
			if testing.Short() && compared[sum] {
				diff = filepath.Base(libheif) + "\tthe picture of a file compared before (-short)"
			} else {
				compared[sum] = true
				diff = compareLibheif(t, name, data, img, libheif)
			}
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

// referenceFor returns the PNG (or JPEG) of the media folder that shows
// how the AVIF sample name should look, or "" if there is none. The
// kimono files are the same picture stored rotated, mirrored or cropped
// and marked to be shown the right way (the PNGs named like them show
// them as stored); the fox, plum blossom and hato files are one picture
// at every depth and chroma format (but the hato files of 10 and 12 bits
// are 3078 pixels wide, hato.jpg 3082).
func referenceFor(name string) string {
	switch {
	case strings.HasPrefix(name, "hato.") && strings.Contains(name, ".8bpc."):
		return "hato.jpg"
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
// within about 5 (2 for grey pictures against a colour reference, which
// compare by luma); a picture shown rotated, mirrored or cropped
// elsewhere differs by 40 or more. The table also shows the mean
// difference with its sign, but does not bound it: the kimono references
// are bluer than the samples by 1 to 3.
const (
	maxColourDiff = 6
	maxLumaDiff   = 3
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
		m, _, err := image.Decode(bytes.NewReader(data))
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
	kind, limit := "colour", maxColourDiff
	var colour, alpha float64
	var bias [3]float64
	for i := 0; i < len(got.Pix); i += 4 {
		g, w := got.Pix[i:i+4:i+4], want.Pix[i:i+4:i+4]
		if grey {
			colour += absDiff(luma(g), luma(w))
			bias[0] += luma(g) - luma(w)
		} else {
			for c := range 3 {
				colour += absDiff(float64(g[c]), float64(w[c])) / 3
				bias[c] += float64(g[c]) - float64(w[c])
			}
		}
		alpha += absDiff(float64(g[3]), float64(w[3]))
	}
	n := float64(len(got.Pix) / 4)
	colour, alpha = colour/n, alpha/n
	if grey {
		kind, limit = "luma", maxLumaDiff
		bias[1], bias[2] = bias[0], bias[0]
	}
	for c := range bias {
		bias[c] /= n
	}
	if colour > float64(limit) || alpha > maxAlphaDiff {
		t.Errorf("%s differs from %s by %.1f in %s and %.1f in alpha (mean per channel); want at most %d and %d",
			name, ref, colour, kind, alpha, limit, maxAlphaDiff)
	}
	return fmt.Sprintf("%s\t%s %.1f (%+.1f %+.1f %+.1f), alpha %.1f", ref, kind, colour, bias[0], bias[1], bias[2], alpha)
}

// maxLibheifBias bounds the mean difference, with its sign, per colour
// channel between a HEIC picture as Decode decodes it and as libheif
// renders it: colours read with the wrong range or matrix shift (by -5 to
// -8 on the limited-range conformance files read as full range); the
// rest of the differences stay within 0.7.
const maxLibheifBias = 1

// maxLibheifDiff is the mean absolute difference allowed per colour
// channel between a HEIC picture as Decode decodes it and as libheif's
// own decoder renders it. Decoded as full-range BT.601 (JFIF), as before
// Decode converted colours itself, the limited-range conformance files
// differed by about 9.5. The rest comes from libheif: the heic package's
// libheif 1.18 resamples chroma to 4:4:4 and back, and Decode then
// interpolates it bilinearly, where heif-convert 1.15 repeats each chroma
// sample (on the fine colour detail of C049 and C050, 2.1 and 2.3 in
// blue); and libheif widens limited range by 1.1689 where 255/219 is
// 1.1644 (about 0.5 on the rest).
const maxLibheifDiff = 2.5

// compareLibheif fails t if img, the HEIC file data (named name) as
// Decode decoded it, differs from libheif's rendering by dec by more than
// maxLibheifDiff in a colour channel (or its mean by maxLibheifBias), or
// by maxAlphaDiff in alpha, and returns the reference and the
// differences, for the table. A file that libheif cannot render, or
// renders another image of, is left out.
func compareLibheif(t *testing.T, name string, data []byte, img image.Image, dec string) string {
	t.Helper()
	ref := filepath.Base(dec)
	want, err := renderByLibheif(t.TempDir(), dec, data)
	switch {
	case err != nil:
		return ref + "\tnot compared: " + err.Error()
	case want.Bounds() != img.Bounds():
		return ref + fmt.Sprintf("\tnot compared: libheif renders another image, of %v", want.Bounds())
	}
	d, bias := meanDiff(img, want)
	if d[0] > maxLibheifDiff || d[1] > maxLibheifDiff || d[2] > maxLibheifDiff || d[3] > maxAlphaDiff {
		t.Errorf("%s differs from %s's rendering by %.2f, %.2f, %.2f in red, green, blue and %.2f in alpha (mean); want at most %g and %d",
			name, ref, d[0], d[1], d[2], d[3], maxLibheifDiff, maxAlphaDiff)
	}
	if math.Abs(bias[0]) > maxLibheifBias || math.Abs(bias[1]) > maxLibheifBias || math.Abs(bias[2]) > maxLibheifBias {
		t.Errorf("%s is %+.2f, %+.2f, %+.2f off %s's rendering in red, green and blue (mean); want at most %d either way",
			name, bias[0], bias[1], bias[2], ref, maxLibheifBias)
	}
	return fmt.Sprintf("%s\tR %.2f G %.2f B %.2f (%+.1f %+.1f %+.1f), alpha %.2f", ref, d[0], d[1], d[2], bias[0], bias[1], bias[2], d[3])
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
