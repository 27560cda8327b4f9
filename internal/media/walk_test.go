package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/color"
	"image/draw"
	"math"
	"testing"
)

// scrub runs a walker over file and then verifies its output, as Process
// does, without decoding.
func scrub(t *testing.T, walk walkFunc, file []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	if _, err := walk(bytes.NewReader(file), int64(len(file)), &out, DefaultLimits(), false); err != nil {
		t.Fatalf("scrub: %v", err)
	}
	cw := &compareWriter{want: bytes.NewReader(out.Bytes()), size: int64(out.Len())}
	if _, err := walk(bytes.NewReader(out.Bytes()), int64(out.Len()), cw, DefaultLimits(), true); err != nil || !cw.done() {
		t.Fatalf("verify: %v (complete: %v)", err, cw.done())
	}
	return out.Bytes()
}

// Go's encoder writes only baseline JPEGs, so progressive structure
// (several scans with tables between them), restart markers, stuffed bytes
// and fill bytes are checked on a skeleton that does not decode.
func TestScrubJPEGScans(t *testing.T) {
	dht := segment(mDHT, []byte{0x00, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x05})
	sos := segment(mSOS, []byte{1, 1, 0x00, 0, 63, 0})
	dri := segment(mDRI, []byte{0, 4})
	file := cat([]byte{0xFF, 0xD8},
		segment(0xFE, []byte("SECRET-COMMENT")),
		sof(0xC2, 16, 16), dri, dht, sos,
		[]byte{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xFF, 0xFF, 0xD1, 0x78}, // stuffing, RST0, fill + RST1
		[]byte{0xFF, 0xFF}, dht, // fill before a marker between scans
		segment(0xE5, []byte("SECRET-APP5")),
		sos, []byte{0x9A, 0xFF, 0x00},
		[]byte{0xFF, 0xD9}, []byte("SECRET-TRAILER"))
	want := cat([]byte{0xFF, 0xD8},
		sof(0xC2, 16, 16), dri, dht, sos,
		[]byte{0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0xD1, 0x78},
		dht, sos, []byte{0x9A, 0xFF, 0x00}, []byte{0xFF, 0xD9})
	if got := scrub(t, scrubJPEG, file); !bytes.Equal(got, want) {
		t.Errorf("scrubbed to\n% x\nwant\n% x", got, want)
	}
}

func TestScrubJPEGLongScan(t *testing.T) {
	// Scan data longer than the read buffer, with an 0xFF at every
	// possible buffer boundary.
	data := bytes.Repeat([]byte{0x11, 0xFF, 0x00, 0x22, 0xFF, 0xD3, 0x33}, 40000)
	file := fakeJPEG(sof(0xC0, 16, 16), segment(mSOS, []byte{1, 1, 0, 0, 63, 0}), data)
	if got := scrub(t, scrubJPEG, file); !bytes.Equal(got, file) {
		t.Errorf("a clean long scan changed")
	}
}

func TestStrictRefusesLeftovers(t *testing.T) {
	// Each of these is a scrubbed-looking file with one thing left in that
	// the verifier must catch.
	jpg := encodeJPEG(t, quadrants(16, 16))
	tests := []struct {
		name string
		walk walkFunc
		file []byte
	}{
		{"jpeg comment", scrubJPEG, afterSOI(jpg, segment(0xFE, []byte("x")))},
		{"jpeg full exif", scrubJPEG, afterSOI(jpg, exifAPP1(t, binary.BigEndian, 6))},
		{"jpeg trailer", scrubJPEG, cat(jpg, []byte("x"))},
		{"jpeg jfif thumbnail", scrubJPEG, afterSOI(jpg, segment(0xE0, []byte("JFIF\x00\x01\x02\x00\x00\x01\x00\x01\x01\x01abc")))},
		{"png text", scrubPNG, cat(pngSignature, ihdr(1, 1), pngChunk("tEXt", []byte("a\x00b")))},
		{"gif comment", scrubGIF, cat([]byte("GIF89a\x01\x00\x01\x00\x00\x00\x00"), []byte{0x21, 0xFE, 1, 'x', 0})},
		{"webp exif", scrubWebP, riffWebP(vp8x(0x08, 40, 30), riffChunk("VP8 ", grayVP8(40, 30)))},
		{"webp trailer", scrubWebP, cat(riffWebP(riffChunk("VP8 ", grayVP8(40, 30))), []byte("x"))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.walk(bytes.NewReader(tt.file), int64(len(tt.file)), &bytes.Buffer{}, DefaultLimits(), true)
			if err == nil {
				t.Errorf("strict walk accepted it")
			}
		})
	}
}

func TestBoxShrink(t *testing.T) {
	const w, h, k = 31, 17, 3
	want := color.RGBA{200, 100, 50, 255}
	rect := image.Rect(0, 0, w, h)
	fill := func(m draw.Image) draw.Image {
		draw.Draw(m, m.Bounds(), image.NewUniform(want), image.Point{}, draw.Src)
		return m
	}
	tests := map[string]image.Image{
		"rgba":   fill(image.NewRGBA(rect)),
		"nrgba":  fill(image.NewNRGBA(rect)),
		"gray":   fill(image.NewGray(rect)),
		"offset": fill(image.NewRGBA(image.Rect(5, 7, 5+w, 7+h))),
	}
	for _, r := range []image.YCbCrSubsampleRatio{image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422,
		image.YCbCrSubsampleRatio420, image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410} {
		m := image.NewYCbCr(rect, r)
		yy, cb, cr := color.RGBToYCbCr(want.R, want.G, want.B)
		for i := range m.Y {
			m.Y[i] = yy
		}
		for i := range m.Cb {
			m.Cb[i], m.Cr[i] = cb, cr
		}
		tests["ycbcr "+r.String()] = m
	}
	for name, src := range tests {
		t.Run(name, func(t *testing.T) {
			got := boxShrink(src, k, k)
			if b := got.Bounds(); b.Dx() != (w+k-1)/k || b.Dy() != (h+k-1)/k {
				t.Fatalf("size %v", b)
			}
			wr, wg, wb, _ := color.RGBAModel.Convert(src.At(src.Bounds().Min.X, src.Bounds().Min.Y)).RGBA()
			for y := range got.Rect.Dy() {
				for x := range got.Rect.Dx() {
					c := got.RGBAAt(x, y)
					if diff(c.R, wr>>8) > 2 || diff(c.G, wg>>8) > 2 || diff(c.B, wb>>8) > 2 || c.A != 255 {
						t.Fatalf("pixel (%d,%d) = %v, want %v", x, y, c, want)
					}
				}
			}
		})
	}
}

func diff(a uint8, b uint32) int { return int(math.Abs(float64(int(a) - int(b)))) }

// A one-pixel checkerboard must shrink to flat grey; nearest-neighbour
// sampling would give black, white or moiré.
func TestThumbnailDoesNotAlias(t *testing.T) {
	const w, h = 2003, 1500
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			if (x+y)%2 == 0 {
				m.Pix[y*m.Stride+x] = 255
			}
		}
	}
	file := encodePNG(t, m)
	var thumb bytes.Buffer
	res, err := processTo(t, file, &thumb)
	if err != nil {
		t.Fatal(err)
	}
	tm := checkThumb(t, thumb.Bytes(), res)
	for y := range res.ThumbHeight {
		for x := range res.ThumbWidth {
			if g := color.GrayModel.Convert(tm.At(x, y)).(color.Gray).Y; g < 100 || g > 155 {
				t.Fatalf("thumbnail pixel (%d,%d) is %d, want about 128", x, y, g)
			}
		}
	}
}

func processTo(t *testing.T, file []byte, thumb *bytes.Buffer) (Result, error) {
	return Process(t.Context(), bytes.NewReader(file), int64(len(file)), &bytes.Buffer{}, thumb, DefaultLimits())
}

func TestThumbnailShapes(t *testing.T) {
	tests := []struct{ w, h, tw, th int }{
		{5000, 1, 512, 1},
		{1, 5000, 1, 512},
		{600, 1, 512, 1},
		{513, 512, 512, 511},
		{512, 512, 512, 512},
		{3, 2, 3, 2},
		{4000, 3000, 512, 384},
		{1025, 2050, 256, 512},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%dx%d", tt.w, tt.h), func(t *testing.T) {
			m := image.NewGray(image.Rect(0, 0, tt.w, tt.h))
			for i := range m.Pix {
				m.Pix[i] = 77
			}
			var thumb bytes.Buffer
			res, err := processTo(t, encodePNG(t, m), &thumb)
			if err != nil {
				t.Fatal(err)
			}
			if res.ThumbWidth != tt.tw || res.ThumbHeight != tt.th {
				t.Errorf("thumbnail is %dx%d, want %dx%d", res.ThumbWidth, res.ThumbHeight, tt.tw, tt.th)
			}
			tm := checkThumb(t, thumb.Bytes(), res)
			if g := color.GrayModel.Convert(tm.At(tt.tw/2, tt.th/2)).(color.Gray).Y; g < 70 || g > 84 {
				t.Errorf("thumbnail centre is %d, want 77", g)
			}
		})
	}
}
