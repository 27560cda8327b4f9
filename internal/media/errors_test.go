package media

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/gif"
	"io"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
)

func process(t *testing.T, file []byte, lim Limits) (Result, error) {
	t.Helper()
	return Process(t.Context(), bytes.NewReader(file), int64(len(file)), io.Discard, io.Discard, lim)
}

func ihdr(w, h uint32) []byte {
	d := binary.BigEndian.AppendUint32(nil, w)
	d = binary.BigEndian.AppendUint32(d, h)
	return pngChunk("IHDR", append(d, 8, 2, 0, 0, 0))
}

func plainGIF(t testing.TB, frames int) []byte {
	pal := color.Palette{color.Black, color.White}
	g := &gif.GIF{LoopCount: 0}
	for range frames {
		g.Image = append(g.Image, image.NewPaletted(image.Rect(0, 0, 64, 48), pal))
		g.Delay = append(g.Delay, 10)
	}
	var b bytes.Buffer
	if err := gif.EncodeAll(&b, g); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestTooLarge(t *testing.T) {
	lossless := encodeVP8L(t, twoTone(64, 48, [4]uint8{0, 0, 255, 255}))
	hugeVP8L := append([]byte{0x2F}, binary.LittleEndian.AppendUint32(nil, 16383|16383<<14)...)
	threeFrames := riffWebP(vp8x(vp8xAnim, 64, 48),
		anmf(0, 0, 64, 48, riffChunk("VP8L", lossless)),
		anmf(0, 0, 64, 48, riffChunk("VP8L", lossless)),
		anmf(0, 0, 64, 48, riffChunk("VP8L", lossless)))
	small := Limits{MaxPixels: 1_000_000, MaxFrames: 2, MaxTotalPixels: 5000}
	tests := []struct {
		name string
		file []byte
		lim  Limits
		msg  string
	}{
		{"png bomb", cat(pngSignature, ihdr(100000, 100000), pngChunk("IDAT", zlibBytes(nil)), pngChunk("IEND", nil)),
			DefaultLimits(), "pictures are limited to 50 megapixels (this one is 10000)"},
		{"png just over", cat(pngSignature, ihdr(1001, 1000), pngChunk("IDAT", zlibBytes(nil)), pngChunk("IEND", nil)),
			small, "pictures are limited to 1 megapixels (this one is 1.0)"},
		{"jpeg bomb", fakeJPEG(sof(0xC0, 60000, 60000)), DefaultLimits(), "this one is 3600"},
		{"progressive jpeg bomb", fakeJPEG(sof(0xC2, 10000, 6000)), DefaultLimits(), "this one is 60"},
		{"gif bomb", cat([]byte("GIF89a\xFF\xFF\xFF\xFF\x00\x00\x00"), []byte{0x3B}), DefaultLimits(), "this one is 4295"},
		{"webp canvas bomb", riffWebP(vp8x(0, 16384, 16384), riffChunk("VP8L", hugeVP8L)), DefaultLimits(), "this one is 268"},
		{"webp simple bomb", riffWebP(riffChunk("VP8L", hugeVP8L)), DefaultLimits(), "this one is 268"},
		{"gif frames", plainGIF(t, 3), Limits{MaxFrames: 2}, "limited to 2 frames"},
		{"gif total pixels", plainGIF(t, 3), Limits{MaxTotalPixels: 9000}, "across all frames"},
		{"webp frames", threeFrames, Limits{MaxFrames: 2}, "limited to 2 frames"},
		{"apng declared frames", cat(pngSignature, ihdr(10, 10), pngChunk("acTL", []byte{0, 0, 0x13, 0x88, 0, 0, 0, 0})),
			DefaultLimits(), "limited to 1000 frames"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := process(t, tt.file, tt.lim)
			wantKind(t, err, chatpic.KindTooLarge)
			if msg := chatpic.ErrorMessage(err); !strings.Contains(msg, tt.msg) {
				t.Errorf("message %q does not contain %q", msg, tt.msg)
			}
		})
	}
}

func TestTruncated(t *testing.T) {
	clean := map[string][]byte{
		"jpeg": encodeJPEG(t, quadrants(64, 48)),
		"png":  encodePNG(t, quadrants(64, 48)),
		"apng": apngFixture(t),
		"gif":  plainGIF(t, 2),
	}
	for _, fx := range fixtures(t) {
		if fx.format == WebP && !bytes.Contains(fx.file, []byte("SECRET-TRAILER")) {
			clean[fx.name] = fx.file
		}
	}
	for name, file := range clean {
		for _, n := range []int{len(file) - 1, len(file) - 5, len(file) / 2, 20} {
			t.Run(fmt.Sprintf("%s cut to %d", name, n), func(t *testing.T) {
				_, err := process(t, file[:n], DefaultLimits())
				wantKind(t, err, chatpic.KindUnprocessable)
			})
		}
	}
}

// withoutSegments removes the segments with marker m from the header of a
// JPEG made by image/jpeg.
func withoutSegments(jpg []byte, m byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for p := jpg[2:]; ; {
		n := 2 + int(binary.BigEndian.Uint16(p[2:]))
		if p[1] == mSOS {
			return append(out, p...)
		}
		if p[1] != m {
			out = append(out, p[:n]...)
		}
		p = p[n:]
	}
}

func TestUnprocessable(t *testing.T) {
	pngFile := encodePNG(t, quadrants(64, 48))
	badCRC := append([]byte(nil), pngFile...)
	badCRC[len(badCRC)-20] ^= 0xFF // inside the last IDAT
	g := plainGIF(t, 1)
	tests := []struct {
		name string
		file []byte
	}{
		{"png bad crc", badCRC},
		{"png without IHDR first", cat(pngSignature, pngChunk("gAMA", []byte{0, 0, 0, 1}), pngChunks(pngFile)[0])},
		{"png without IDAT", cat(pngSignature, ihdr(10, 10), pngChunk("IEND", nil))},
		{"png bad chunk type", cat(pngSignature, ihdr(10, 10), pngChunk("I\x00AT", nil))},
		{"jpeg without huffman tables", withoutSegments(encodeJPEG(t, quadrants(64, 48)), mDHT)},
		{"jpeg scan before frame", fakeJPEG(segment(mSOS, []byte{1, 1, 0, 0, 63, 0}), []byte{1, 2, 3})},
		{"jpeg without scan", fakeJPEG(sof(0xC0, 10, 10))},
		{"jpeg two frames", fakeJPEG(sof(0xC0, 10, 10), sof(0xC0, 10, 10))},
		{"jpeg zero height", fakeJPEG(sof(0xC0, 10, 0))},
		{"jpeg bad length", []byte{0xFF, 0xD8, 0xFF, 0xDB, 0x00, 0x01}},
		{"gif without image", []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00\x3B")},
		{"gif frame off screen", cat(g[:len(g)-1], []byte{0x2C, 0, 0, 0, 0, 100, 0, 1, 0, 0, 2, 2, 0x4C, 0x01, 0, 0x3B})},
		{"gif unknown block", cat(g[:len(g)-1], []byte{0x99})},
		{"webp garbage bitstream", riffWebP(riffChunk("VP8L", []byte{0x2F, 0x3F, 0xC0, 0x0B, 0, 0xFF, 0xFF, 0xFF}))},
		{"webp unknown first chunk", riffWebP(riffChunk("ABCD", []byte{1, 2}))},
		{"webp still without image", riffWebP(vp8x(0, 10, 10))},
		{"webp animation without frames", riffWebP(vp8x(vp8xAnim, 10, 10))},
		{"webp frame off canvas", riffWebP(vp8x(vp8xAnim, 10, 10), anmf(4, 4, 10, 10, riffChunk("VP8 ", grayVP8(10, 10))))},
		{"webp canvas and bitstream differ", riffWebP(vp8x(0, 10, 10), riffChunk("VP8 ", grayVP8(12, 10)))},
		{"webp lossy not a key frame", riffWebP(riffChunk("VP8 ", append([]byte{1}, grayVP8(10, 10)[1:]...)))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := process(t, tt.file, DefaultLimits())
			wantKind(t, err, chatpic.KindUnprocessable)
		})
	}
}

func TestUnsupported(t *testing.T) {
	tests := []struct {
		name, file, looks string
	}{
		{"empty", "", "empty"},
		{"pdf", "%PDF-1.7\n...", "a PDF document"},
		{"html", "\xEF\xBB\xBF  <!DOCTYPE html><html>", "an HTML page"},
		{"svg", "<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\">", "an SVG drawing"},
		{"zip", "PK\x03\x04\x14\x00", "a ZIP archive"},
		{"heic", "\x00\x00\x00\x18ftypheic\x00\x00\x00\x00", "a HEIC picture"},
		{"mp4", "\x00\x00\x00\x18ftypisom\x00\x00\x00\x00", "an MP4 video"},
		{"text", "hello", "(JPEG, PNG, GIF or WebP)"},
		{"riff avi", "RIFF\x00\x00\x00\x00AVI LIST", "an AVI video"},
		{"jpeg prefix too short", "\xFF\xD8", "(JPEG, PNG, GIF or WebP)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := Sniff([]byte(tt.file))
			if f != "" {
				t.Errorf("Sniff = %q", f)
			}
			wantKind(t, err, chatpic.KindUnsupported)
			msg := chatpic.ErrorMessage(err)
			if !strings.Contains(msg, tt.looks) || !strings.Contains(msg, "JPEG, PNG, GIF or WebP") {
				t.Errorf("message %q should name %q and the accepted formats", msg, tt.looks)
			}
			_, err = process(t, []byte(tt.file), DefaultLimits())
			wantKind(t, err, chatpic.KindUnsupported)
		})
	}
}

func TestSniff(t *testing.T) {
	tests := []struct {
		head string
		want Format
	}{
		{"\xFF\xD8\xFF\xE0", JPEG},
		{"\x89PNG\r\n\x1a\n", PNG},
		{"GIF87a", GIF},
		{"GIF89a", GIF},
		{"RIFF\x10\x00\x00\x00WEBPVP8 ", WebP},
	}
	for _, tt := range tests {
		if f, err := Sniff([]byte(tt.head)); f != tt.want || err != nil {
			t.Errorf("Sniff(%q) = %q, %v; want %q", tt.head, f, err, tt.want)
		}
		if tt.want.MIME() == "" || tt.want.Ext() == "" {
			t.Errorf("%q has no MIME type or extension", tt.want)
		}
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestInternal(t *testing.T) {
	file := encodeJPEG(t, quadrants(64, 48))
	r := func() io.ReaderAt { return bytes.NewReader(file) }
	n := int64(len(file))
	ctx, cancel := context.WithCancel(t.Context())
	cancel()

	_, err := Process(ctx, r(), n, io.Discard, io.Discard, DefaultLimits())
	wantKind(t, err, chatpic.KindInternal)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v does not wrap context.Canceled", err)
	}
	_, err = Process(t.Context(), r(), n, failWriter{}, io.Discard, DefaultLimits())
	wantKind(t, err, chatpic.KindInternal)
	_, err = Process(t.Context(), r(), n, io.Discard, failWriter{}, DefaultLimits())
	wantKind(t, err, chatpic.KindInternal)
}
