package heif

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"testing"

	"github.com/chatpic/chatpic"
)

// orientationCases are the transformations tried on the corners picture
// and where its coloured corners must end up: top left, top right, bottom
// left, bottom right.
var orientationCases = []struct {
	name string
	ops  [][]byte
	want [4]color.RGBA
}{
	{"none", nil, [4]color.RGBA{red, green, blue, white}},
	{"irot 90 anti-clockwise", [][]byte{irotBox(1)}, [4]color.RGBA{green, white, red, blue}},
	{"irot 180", [][]byte{irotBox(2)}, [4]color.RGBA{white, blue, green, red}},
	{"irot 270 (90 clockwise)", [][]byte{irotBox(3)}, [4]color.RGBA{blue, red, white, green}},
	{"imir axis 0 exchanges top and bottom", [][]byte{imirBox(0)}, [4]color.RGBA{blue, white, red, green}},
	{"imir axis 1 exchanges left and right", [][]byte{imirBox(1)}, [4]color.RGBA{green, red, white, blue}},
	{"irot 90 then imir 0 (a transpose)", [][]byte{irotBox(1), imirBox(0)}, [4]color.RGBA{red, blue, green, white}},
}

// encoders make the corners fixture in each format; HEIC needs heif-enc.
var encoders = []struct {
	format string
	encode func(t testing.TB, m image.Image) []byte
}{
	{AVIF, func(t testing.TB, m image.Image) []byte { return encodeAVIF(t, m, 90) }},
	{HEIC, func(t testing.TB, m image.Image) []byte { return encodeHEIC(t, m, "90") }},
}

func TestDecodeOrientation(t *testing.T) {
	for _, enc := range encoders {
		t.Run(enc.format, func(t *testing.T) {
			src := enc.encode(t, corners(64, 48, 255))
			for _, tt := range orientationCases {
				t.Run(tt.name, func(t *testing.T) {
					data := dress(t, src, fixtureOpts{ops: tt.ops}).bytes()
					img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
					if err != nil {
						t.Fatalf("Decode: %v", err)
					}
					w, h := 64, 48
					if len(tt.ops) > 0 && (tt.ops[0][8] == 1 || tt.ops[0][8] == 3) && string(tt.ops[0][4:8]) == "irot" {
						w, h = h, w
					}
					if info.Format != enc.format || info.Width != w || info.Height != h || img.Bounds() != image.Rect(0, 0, w, h) {
						t.Fatalf("decoded %s %v, Info %s %dx%d; want %dx%d", enc.format, img.Bounds(), info.Format, info.Width, info.Height, w, h)
					}
					checkCorners(t, img, tt.want)
				})
			}
		})
	}
}

// checkCorners checks the colour at the middle of each corner block.
func checkCorners(t *testing.T, img image.Image, want [4]color.RGBA) {
	t.Helper()
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	at := [4]image.Point{{w / 8, h / 8}, {w - 1 - w/8, h / 8}, {w / 8, h - 1 - h/8}, {w - 1 - w/8, h - 1 - h/8}}
	names := [4]string{"top left", "top right", "bottom left", "bottom right"}
	for i, p := range at {
		if got := nearest(img.At(b.Min.X+p.X, b.Min.Y+p.Y)); got != want[i] {
			t.Errorf("%s corner is %v, want %v", names[i], got, want[i])
		}
	}
}

// nearest returns the test colour closest to c.
func nearest(c color.Color) color.RGBA {
	r, g, b, _ := c.RGBA()
	best, bestD := color.RGBA{}, int64(-1)
	for _, k := range []color.RGBA{red, green, blue, white, grey} {
		dr, dg, db := int64(r>>8)-int64(k.R), int64(g>>8)-int64(k.G), int64(b>>8)-int64(k.B)
		if d := dr*dr + dg*dg + db*db; bestD < 0 || d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

func TestDecodeNarrowHEIC(t *testing.T) {
	data := encodeHEIC(t, corners(40, 40, 255), "90")
	_, _, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
	if k := chatpic.ErrorKind(err); k != chatpic.KindUnsupported {
		t.Fatalf("Decode error = %v (kind %q), want unsupported", err, k)
	}
}

func TestDecodeOddSizeAndSequence(t *testing.T) {
	f := dress(t, encodeAVIF(t, corners(33, 17, 255), 90), fixtureOpts{ops: [][]byte{irotBox(3)}})
	f.brands = []string{"avis", "avif", "msf1", "mif1"}
	f.after = append(f.after, moovBox(7))
	data := f.bytes()
	img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	if img.Bounds() != image.Rect(0, 0, 17, 33) || info.Frames != 7 {
		t.Errorf("decoded %v with %d frames; want 17x33, 7 frames", img.Bounds(), info.Frames)
	}
	checkCorners(t, img, [4]color.RGBA{blue, red, white, green})
}

func TestDecodeLimits(t *testing.T) {
	avifFile := cornersAVIF()
	bomb := importHEIF(t, avifFile)
	bomb.setProp(bomb.primary, ispeBox(100_000, 100_000))
	// Garbage instead of AV1: had Decode decoded, it would have failed.
	bomb.item(bomb.primary).data = bytes.Repeat([]byte{0xA5}, 100)

	grid := fakeHEIC(100, 100)
	grid.items[0].typ = "grid"
	grid.items[0].data = []byte{0, 0, 1, 1, 0, 100, 0, 100} // 2x2 tiles, 100x100
	for id := uint32(2); id <= 5; id++ {
		grid.items = append(grid.items, &fitem{id: id, typ: "hvc1", data: []byte("x"),
			props: []fprop{{ispeBox(10_000, 10_000), false}}})
	}
	grid.refs = []fref{{"dimg", 1, []uint32{2, 3, 4, 5}}}

	tests := []struct {
		name      string
		data      []byte
		maxPixels int64
	}{
		{"ispe claims 100000x100000", bomb.bytes(), 0},
		{"grid of four 100-megapixel tiles", grid.bytes(), 0},
		{"one pixel over the limit", avifFile, 64*48 - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(context.Background(), bytes.NewReader(tt.data), int64(len(tt.data)), tt.maxPixels)
			if k := chatpic.ErrorKind(err); k != chatpic.KindTooLarge {
				t.Fatalf("Decode error = %v (kind %q), want too large", err, k)
			}
		})
	}
	if _, _, err := Decode(context.Background(), bytes.NewReader(avifFile), int64(len(avifFile)), 64*48); err != nil {
		t.Errorf("a picture at the limit: %v", err)
	}
}

func TestDecodeRefuses(t *testing.T) {
	avifFile := cornersAVIF()
	garbage := importHEIF(t, avifFile)
	prim := garbage.item(garbage.primary)
	prim.data = bytes.Repeat([]byte{0x5A}, len(prim.data))
	small := importHEIF(t, avifFile)
	small.setProp(small.primary, ispeBox(32, 24))
	large := importHEIF(t, avifFile)
	large.setProp(large.primary, ispeBox(640, 480))
	noSeq := importHEIF(t, avifFile)
	noSeq.setProp(noSeq.primary, boxOf("av1C", []byte{0x81, 0, 0x0C, 0}))
	noSeq.item(noSeq.primary).data = []byte{0x12, 0} // a temporal delimiter alone
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		data []byte
		kind chatpic.Kind
	}{
		{"AVIF cut short", context.Background(), avifFile[:len(avifFile)-20], chatpic.KindUnprocessable},
		{"AV1 data replaced by garbage", context.Background(), garbage.bytes(), chatpic.KindUnprocessable},
		{"ispe smaller than the coded picture", context.Background(), small.bytes(), chatpic.KindUnprocessable},
		{"ispe larger than the coded picture", context.Background(), large.bytes(), chatpic.KindUnprocessable},
		{"av1C without a sequence header, data cut to nothing", context.Background(), noSeq.bytes(), chatpic.KindUnprocessable},
		{"HEVC data that is not HEVC", context.Background(), fakeHEIC(64, 48).bytes(), chatpic.KindUnprocessable},
		{"not HEIF", context.Background(), []byte("GIF89a........"), chatpic.KindUnsupported},
		{"context cancelled", cancelled, avifFile, chatpic.KindInternal},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, _, err := Decode(tt.ctx, bytes.NewReader(tt.data), int64(len(tt.data)), 0)
			if _, ok := errors.AsType[*chatpic.Error](err); !ok || chatpic.ErrorKind(err) != tt.kind {
				t.Fatalf("Decode error = %v (%T), want kind %s", err, err, tt.kind)
			}
		})
	}
}

// failingReader fails every read, as a broken spool file would.
type failingReader struct{}

func (failingReader) ReadAt([]byte, int64) (int, error) { return 0, errors.New("disk on fire") }

func TestReadErrorIsInternal(t *testing.T) {
	_, err := Probe(failingReader{}, 1000)
	if k := chatpic.ErrorKind(err); k != chatpic.KindInternal {
		t.Errorf("Probe error = %v (kind %q), want internal", err, k)
	}
}

// TestDecodeWorkarounds decodes files that the decoders refuse as they
// are, though their primary image is fine, and that prepare mends.
func TestDecodeWorkarounds(t *testing.T) {
	tests := []struct {
		name   string
		format string
		change func(f *fixture)
	}{
		{"one ipma box per item, as early AVIF encoders wrote", AVIF, func(f *fixture) {
			f.addMetadata(gpsMarker, xmpMarker)
			f.splitIpma = true
		}},
		{"sequence whose brands name avis, with a still image", AVIF, func(f *fixture) {
			f.brands = []string{"avis", "msf1", "avis", "miaf"}
			f.after = append(f.after, moovBox(3))
		}},
		{"a metadata item describing item 0", AVIF, func(f *fixture) {
			f.addMetadata(gpsMarker, xmpMarker)
			f.refs[0].to = []uint32{0}
		}},
		{"an overlay, not the primary, of the primary twice", HEIC, func(f *fixture) {
			f.items = append(f.items, &fitem{id: 50, typ: "iovl",
				data:  []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 64, 0, 48, 0, 0, 0, 0, 0, 0, 0, 0},
				props: []fprop{{ispeBox(64, 48), false}}})
			f.refs = append(f.refs, fref{"dimg", 50, []uint32{f.primary, f.primary}})
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var src []byte
			for _, enc := range encoders {
				if enc.format == tt.format {
					src = enc.encode(t, corners(64, 48, 255))
				}
			}
			f := importHEIF(t, src)
			tt.change(f)
			data := f.bytes()
			img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if info.Format != tt.format || img.Bounds() != image.Rect(0, 0, 64, 48) {
				t.Fatalf("decoded %s %v, want %s 64x48", info.Format, img.Bounds(), tt.format)
			}
			checkCorners(t, img, [4]color.RGBA{red, green, blue, white})
		})
	}
}

// TestDeepGreyAndFullColourHEICRefused: 10-bit grey and 4:4:4 HEIC, which
// the heic package cannot copy out of libheif, are refused as unsupported
// before decoding, while 10-bit 4:2:0 is not.
func TestDeepGreyAndFullColourHEICRefused(t *testing.T) {
	tests := []struct {
		name          string
		chroma, depth int
		refused       bool
	}{
		{"10-bit grey", 0, 10, true},
		{"10-bit 4:4:4", 3, 10, true},
		{"12-bit 4:4:4", 3, 12, true},
		{"10-bit 4:2:0", 1, 10, false},
		{"8-bit 4:4:4", 3, 8, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := fakeHEIC(128, 128)
			f.setProp(1, hvcCBoxOf(tt.chroma, tt.depth, hevcSPS(128, 128, tt.chroma)))
			data := f.bytes()
			p, err := probe(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatal(err)
			}
			err = heicWidth(p)
			if got := chatpic.ErrorKind(err) == chatpic.KindUnsupported; got != tt.refused {
				t.Fatalf("refused %v (%v), want %v", got, err, tt.refused)
			}
		})
	}
}
