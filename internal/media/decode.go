package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"

	"golang.org/x/image/webp"
)

// decodeFirst decodes the first frame of a scrubbed file. It returns the
// frame and where it sits on the canvas (for still pictures, the whole
// canvas). A decoder that fails or panics makes the file unprocessable.
func decodeFirst(f Format, data []byte, info scrubbed) (img image.Image, at image.Rectangle, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, damaged("media: %s decoder panicked: %v", f, r)
		}
	}()
	canvas := image.Rect(0, 0, info.width, info.height)
	switch {
	case f == JPEG:
		img, err = jpeg.Decode(bytes.NewReader(data))
	case f == PNG:
		img, err = png.Decode(bytes.NewReader(data))
	case f == GIF:
		// The first frame, with bounds in canvas coordinates.
		img, err = gif.Decode(bytes.NewReader(data))
		if err == nil {
			return img, img.Bounds(), nil
		}
	case f == WebP && info.webp.animated:
		lay := info.webp
		img, err = webp.Decode(bytes.NewReader(firstWebPFrame(data, lay)))
		if err == nil && img.Bounds().Size() != lay.frame.Size() {
			err = fmt.Errorf("webp: first frame is %v, not %v", img.Bounds(), lay.frame)
		}
		if err == nil {
			return img, lay.frame, nil
		}
	case f == WebP:
		img, err = webp.Decode(bytes.NewReader(data))
	default:
		err = fmt.Errorf("media: no decoder for %q", f)
	}
	if err != nil {
		return nil, canvas, damaged("media: decoding %s: %w", f, err)
	}
	if img.Bounds() != canvas {
		return nil, canvas, damaged("media: %s decoded to %v, header says %v", f, img.Bounds(), canvas)
	}
	return img, canvas, nil
}

// firstWebPFrame builds a standalone still WebP from the first frame of an
// animation (x/image/webp does not decode animations): the bitstream alone,
// or VP8X + ALPH + VP8 when the frame has an alpha chunk.
func firstWebPFrame(data []byte, lay webpLayout) []byte {
	chunk := func(b []byte, fourcc string, p []byte) []byte {
		b = append(b, fourcc...)
		b = binary.LittleEndian.AppendUint32(b, uint32(len(p)))
		b = append(b, p...)
		if len(p)%2 == 1 {
			b = append(b, 0)
		}
		return b
	}
	bits := data[lay.bits[0] : lay.bits[0]+lay.bits[1]]
	fourcc := "VP8 "
	if lay.lossless {
		fourcc = "VP8L"
	}
	b := []byte("RIFF\x00\x00\x00\x00WEBP")
	if lay.alph[1] > 0 && !lay.lossless {
		w, h := lay.frame.Dx()-1, lay.frame.Dy()-1
		x := []byte{vp8xAlpha, 0, 0, 0, byte(w), byte(w >> 8), byte(w >> 16), byte(h), byte(h >> 8), byte(h >> 16)}
		b = chunk(b, "VP8X", x)
		b = chunk(b, "ALPH", data[lay.alph[0]:lay.alph[0]+lay.alph[1]])
	}
	b = chunk(b, fourcc, bits)
	binary.LittleEndian.PutUint32(b[4:8], uint32(len(b)-8))
	return b
}
