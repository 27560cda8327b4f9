package heif

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"

	"github.com/gen2brain/avif"
)

// Markers hidden in the metadata items of the fixtures. None may survive
// into a converted file.
var (
	gpsMarker = []byte("GPS-MARKER-48.858370N-2.294481E")
	xmpMarker = []byte("XMP-MARKER-secret-location")
)

var (
	red   = color.RGBA{255, 0, 0, 255}
	green = color.RGBA{0, 255, 0, 255}
	blue  = color.RGBA{0, 0, 255, 255}
	white = color.RGBA{255, 255, 255, 255}
	grey  = color.RGBA{128, 128, 128, 255}
)

// corners returns a w x h picture, grey with a coloured block in each
// corner: red top left, green top right, blue bottom left, white bottom
// right. alpha, if not 255, is the alpha of the grey middle.
func corners(w, h int, alpha uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	bw, bh := w/4, h/4
	for y := range h {
		for x := range w {
			c := grey
			c.A = alpha
			switch {
			case x < bw && y < bh:
				c = red
			case x >= w-bw && y < bh:
				c = green
			case x < bw && y >= h-bh:
				c = blue
			case x >= w-bw && y >= h-bh:
				c = white
			}
			m.Set(x, y, c)
		}
	}
	return m
}

// photo returns a w x h picture with smooth gradients and a little noise,
// a stand-in for a photograph in benchmarks.
func photo(w, h int) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	seed := uint32(1)
	for y := range h {
		for x := range w {
			seed = seed*1664525 + 1013904223
			n := uint8(seed >> 29)
			i := m.PixOffset(x, y)
			m.Pix[i+0] = uint8(x*255/w) + n
			m.Pix[i+1] = uint8(y*255/h) + n
			m.Pix[i+2] = uint8((x^y)&0x3F) + 96
			m.Pix[i+3] = 255
		}
	}
	return m
}

// encodeAVIF encodes m with the WebAssembly libavif encoder.
func encodeAVIF(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := avif.Encode(&b, m, avif.Options{Quality: quality, QualityAlpha: quality, Speed: 10,
		ChromaSubsampling: image.YCbCrSubsampleRatio444}); err != nil {
		t.Fatalf("encoding the AVIF fixture: %v", err)
	}
	return b.Bytes()
}

// encodeHEIC encodes m with heif-enc (Debian's libheif-examples), the only
// HEVC encoder at hand: there is none in pure Go or WebAssembly (libheif
// in github.com/gen2brain/heic decodes only, and the ffmpeg in
// codeberg.org/gruf/go-ffmpreg is built without libx265). Tests that need
// a real HEIC skip without it.
func encodeHEIC(t testing.TB, m image.Image, quality string) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return heifEnc(t, b.Bytes(), "png", "-q", quality, "-p", "preset=ultrafast", "-p", "chroma=444")
}

// heifEnc runs heif-enc with the arguments args on in, a picture in the
// format ext (png, jpeg or y4m), and returns the HEIC file it writes. It
// skips t if heif-enc is not installed.
func heifEnc(t testing.TB, in []byte, ext string, args ...string) []byte {
	t.Helper()
	enc, err := exec.LookPath("heif-enc")
	if err != nil {
		t.Skip("heif-enc is not installed (apt-get install libheif-examples): no HEVC encoder to make a HEIC fixture")
	}
	dir := t.TempDir()
	src, out := filepath.Join(dir, "in."+ext), filepath.Join(dir, "out.heic")
	if err := os.WriteFile(src, in, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(enc, slices.Concat(args, []string{"-o", out, src})...)
	if msg, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("heif-enc %v: %v\n%s", args, err, msg)
	}
	data, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// testICC returns a well-formed (if useless) RGB ICC profile of n bytes,
// at least 132.
func testICC(n int) []byte {
	p := make([]byte, n)
	binary.BigEndian.PutUint32(p[0:], uint32(n))
	copy(p[4:], "none")
	binary.BigEndian.PutUint32(p[8:], 0x04300000)
	copy(p[12:], "mntrRGB XYZ ")
	copy(p[36:], "acsp")
	for i := 132; i < n; i++ {
		p[i] = byte(i * 7)
	}
	return p
}

// fixtureOpts says what to put into a fixture made from an encoder's
// output.
type fixtureOpts struct {
	icc      []byte
	ops      [][]byte // irot/imir boxes, in order
	metadata bool     // Exif and XMP items with the markers
}

// dress adds a colour profile, transformations and metadata items to the
// encoded file data.
func dress(t testing.TB, data []byte, o fixtureOpts) *fixture {
	t.Helper()
	f := importHEIF(t, data)
	if o.icc != nil {
		f.addProp(f.primary, colrICC(o.icc), false, true)
	}
	for _, b := range o.ops {
		f.addProp(f.primary, b, true, false)
	}
	if o.metadata {
		exif := append([]byte("MM\x00\x2a\x00\x00\x00\x08"), gpsMarker...)
		xmp := append([]byte(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF>`), xmpMarker...)
		f.addMetadata(exif, append(xmp, "</rdf:RDF></x:xmpmeta>"...))
	}
	return f
}

// cornersAVIF is a 64x48 AVIF of corners, encoded once.
var cornersAVIF = sync.OnceValue(func() []byte {
	var b bytes.Buffer
	if err := avif.Encode(&b, corners(64, 48, 255), avif.Options{Quality: 90, Speed: 10,
		ChromaSubsampling: image.YCbCrSubsampleRatio444}); err != nil {
		panic(err)
	}
	return b.Bytes()
})

// fakeHEIC is a hand-made HEIC container whose HEVC data is not real: its
// hvcC holds a sequence parameter set of the right size (4:4:4) and its
// data one NAL unit that is not a picture. Probe and the bitstream checks
// accept it; a decoder fails on it.
func fakeHEIC(w, h int) *fixture {
	return &fixture{
		brands:  []string{"heic", "mif1", "heic"},
		primary: 1,
		items: []*fitem{{id: 1, typ: "hvc1", data: fakeHEVC,
			props: []fprop{{hvcCBox(w, h, 3), true}, {ispeBox(w, h), false}}}},
	}
}

// fakeHEVC is item data of one length-prefixed NAL unit: an IDR slice
// header with nothing after it.
var fakeHEVC = []byte{0, 0, 0, 3, 19 << 1, 1, 0xAF}

// hvcCBox returns an hvcC property for HEVC pictures of w x h in the
// chroma format (0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4), with 4-byte NAL
// unit lengths and a sequence parameter set.
func hvcCBox(w, h, chroma int) []byte {
	return hvcCBoxOf(chroma, 8, hevcSPS(w, h, chroma))
}

// hvcCBoxOf returns an hvcC property that declares the chroma format and
// bit depth and holds the sequence parameter set NAL unit sps.
func hvcCBoxOf(chroma, depth int, sps []byte) []byte {
	d := 0xF8 | byte(depth-8)
	p := []byte{1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xF0, 0, 0xFC, 0xFC | byte(chroma), d, d, 0, 0, 0x0F}
	p = append(p, 1, 0x80|33) // one array, of SPS units
	p = append(p, be16(1)...)
	p = append(p, be16(len(sps))...)
	return boxOf("hvcC", append(p, sps...))
}

// hevcSPS returns the start of an HEVC sequence parameter set NAL unit
// declaring a w x h picture in the chroma format: as far as its size,
// then a stop bit.
func hevcSPS(w, h, chroma int) []byte {
	var b bitWriter
	b.put(33<<9|1, 16) // NAL unit header: SPS, layer 0, temporal ID 1
	b.put(0, 4)        // sps_video_parameter_set_id
	b.put(0, 3)        // sps_max_sub_layers_minus1
	b.put(1, 1)        // sps_temporal_id_nesting_flag
	for range 3 {      // profile_tier_level, 96 bits
		b.put(0, 32)
	}
	b.ue(0) // sps_seq_parameter_set_id
	b.ue(chroma)
	if chroma == 3 {
		b.put(0, 1) // separate_colour_plane_flag
	}
	b.ue(w)
	b.ue(h)
	b.put(0, 1) // conformance_window_flag
	b.put(1, 1) // rbsp_stop_one_bit
	return b.bytes()
}

// bitWriter writes a bitstream most significant bit first.
type bitWriter struct {
	p []byte
	n int // bits written
}

func (b *bitWriter) put(v uint64, n int) {
	for i := n - 1; i >= 0; i-- {
		if b.n%8 == 0 {
			b.p = append(b.p, 0)
		}
		b.p[len(b.p)-1] |= byte(v>>i&1) << (7 - b.n%8)
		b.n++
	}
}

// ue writes v as an Exp-Golomb code.
func (b *bitWriter) ue(v int) {
	x := uint64(v) + 1
	n := 0
	for x>>n > 1 {
		n++
	}
	b.put(0, n)
	b.put(x, n+1)
}

func (b *bitWriter) bytes() []byte { return b.p }
