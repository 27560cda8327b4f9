package media

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/gif"
	"image/png"
	"io"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/jpeg"

	"golang.org/x/image/webp"
)

// decodeFirst decodes the first frame of the scrubbed file of size bytes in
// src. It returns the frame and where it sits on the canvas (for still
// pictures, the whole canvas). A JPEG comes at the smallest scale whose
// size is still at least want, so its bounds may be smaller than the
// rectangle it covers. A decoder that fails or panics makes the file
// unprocessable.
func decodeFirst(f Format, src io.ReaderAt, size int64, info scrubbed, lim Limits, want image.Point) (img image.Image, at image.Rectangle, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, damaged("media: %s decoder panicked: %v", f, r)
		}
	}()
	canvas := image.Rect(0, 0, info.width, info.height)
	in := func() io.Reader { return bufio.NewReaderSize(io.NewSectionReader(src, 0, size), 64<<10) }
	expect := canvas
	switch {
	case f == JPEG:
		opts := jpeg.Options{MinWidth: want.X, MinHeight: want.Y, MaxPixels: lim.MaxPixels}
		img, err = jpeg.Decode(in(), opts)
		if err == nil {
			s := jpeg.Scale(jpeg.Config{Width: info.width, Height: info.height}, opts)
			expect = image.Rect(0, 0, (info.width+s-1)/s, (info.height+s-1)/s)
		}
	case f == PNG:
		img, err = png.Decode(in())
	case f == GIF:
		// The first frame, with bounds in canvas coordinates.
		img, err = gif.Decode(in())
		if err == nil {
			return img, img.Bounds(), nil
		}
	case f == WebP && info.webp.animated:
		lay := info.webp
		var frame []byte
		if frame, err = firstWebPFrame(src, size, lay); err == nil {
			img, err = webp.Decode(bytes.NewReader(frame))
		}
		if err == nil && img.Bounds().Size() != lay.frame.Size() {
			err = fmt.Errorf("webp: first frame is %v, not %v", img.Bounds(), lay.frame)
		}
		if err == nil {
			return img, lay.frame, nil
		}
	case f == WebP:
		img, err = webp.Decode(in())
	default:
		err = fmt.Errorf("media: no decoder for %q", f)
	}
	if err != nil {
		if _, ok := errors.AsType[*chatpic.Error](err); ok {
			return nil, canvas, err // reading the output back failed
		}
		return nil, canvas, damaged("media: decoding %s: %w", f, err)
	}
	if img.Bounds() != expect {
		return nil, canvas, damaged("media: %s decoded to %v, header says %v", f, img.Bounds(), expect)
	}
	return img, canvas, nil
}

// firstWebPFrame builds a standalone still WebP from the first frame of an
// animation (x/image/webp does not decode animations): the bitstream alone,
// or VP8X + ALPH + VP8 when the frame has an alpha chunk.
func firstWebPFrame(src io.ReaderAt, size int64, lay webpLayout) ([]byte, error) {
	section := func(at [2]int64) ([]byte, error) {
		if at[1] < 0 || at[1] > size {
			return nil, truncated()
		}
		p := make([]byte, at[1])
		return p, readAt(src, size, p, at[0])
	}
	chunk := func(b []byte, fourcc string, p []byte) []byte {
		b = append(b, fourcc...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
		if len(p)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	bits, err := section(lay.bits)
	if err != nil {
		return nil, err
	}
	fourcc := "VP8 "
	if lay.lossless {
		fourcc = "VP8L"
	}
	b := []byte("RIFF\x00\x00\x00\x00WEBP")
	if lay.alph[1] > 0 && !lay.lossless {
		w, h := lay.frame.Dx()-1, lay.frame.Dy()-1
		x := []byte{vp8xAlpha, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)}
		b = chunk(b, "VP8X", x)
		alph, err := section(lay.alph)
		if err != nil {
			return nil, err
		}
		b = chunk(b, "ALPH", alph)
	}
	b = chunk(b, fourcc, bits)
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	return b, nil
}
