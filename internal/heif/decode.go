package heif

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"io"
	"math"
	"strconv"

	"github.com/chatpic/chatpic"
	"github.com/gen2brain/avif"
	"github.com/gen2brain/heic"
)

// codedAllowance is how many times maxPixels the decoder may produce in
// all: a grid's tiles overhang the picture a little, and an alpha plane is
// a second picture.
const codedAllowance = 3

// Decode decodes the primary image of the HEIF file of size bytes in r,
// with its clean aperture, rotation and mirroring applied, so that it shows
// the right way up. The image's bounds start at (0, 0) and match the
// returned Info. It is an *image.RGBA (alpha premultiplied), except for
// a HEIC picture shown as coded (without transformations): then it is an
// *image.NRGBA if it has an alpha plane (or libheif converted it to RGB
// itself), an *image.Gray if it is grey. Its samples are RGB (or grey)
// at full range, converted by the matrix and range the file declares
// (for HEIC, as libheif reads them: an nclx colour property, else the
// HEVC VUI, else BT.601 at limited range); Info.ICC, if not nil,
// describes them. An image sequence yields its still image; metadata
// items (Exif, XMP) are never read.
//
// maxPixels bounds the picture (width*height as coded); zero or less means
// DefaultMaxPixels. It is checked from the boxes before anything is
// decoded, together with the pixels of grid tiles and alpha planes, which
// may add up to codedAllowance times maxPixels.
//
// Errors are *chatpic.Error: those of Probe; KindTooLarge over the limit;
// KindUnprocessable if the decoder fails or panics, or produces a picture
// of other dimensions than the boxes say; KindInternal if reading r fails
// or ctx is done.
//
// Decode checks that the HEVC parameter sets and AV1 sequence headers
// declare the picture size of the boxes, since the decoders allocate by
// them. It refuses HEIC pictures narrower than 49 pixels (97 with 4:2:0
// or 4:2:2 chroma), which the heic package misreads, as KindUnsupported.
//
// Decode reads the whole file into memory twice (three times, decoding
// twice, for a HEIC picture with an alpha plane) and holds the decoder's
// memory (some tens of bytes per pixel) while it runs, and the picture it
// returns (4 bytes a pixel) beside the decoder's output while it converts
// it; a grey HEIC picture keeps the decoder's memory alive. A decode
// cannot be interrupted: ctx is checked before and after, and a
// 12-megapixel picture takes seconds. It is safe for concurrent use;
// callers bound the concurrency.
func Decode(ctx context.Context, r io.ReaderAt, size int64, maxPixels int64) (img image.Image, info Info, err error) {
	return decode(ctx, r, size, maxPixels, decodeBytes)
}

// decoder decodes the primary image of a whole HEIF file, made ready by
// prepare, as coded: without its transformations. It must not keep or
// change data.
type decoder func(format string, data []byte) (image.Image, error)

// decode is Decode with the decoder dec, so that tests can run all that
// surrounds the decoder without it.
func decode(ctx context.Context, r io.ReaderAt, size int64, maxPixels int64, dec decoder) (img image.Image, info Info, err error) {
	if maxPixels <= 0 {
		maxPixels = DefaultMaxPixels
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, cancelled(err)
	}
	p, err := probe(r, size)
	if err != nil {
		return nil, Info{}, err
	}
	if n := int64(p.codedW) * int64(p.codedH); n > maxPixels {
		return nil, Info{}, tooLarge(maxPixels, n)
	}
	if maxPixels <= math.MaxInt64/codedAllowance && p.coded > codedAllowance*maxPixels {
		return nil, Info{}, chatpic.Errorf(chatpic.KindTooLarge,
			"this picture is made of more pixels than chatpic decodes (%s megapixels)", megapixels(p.coded))
	}
	if err := heicWidth(p); err != nil {
		return nil, Info{}, err
	}
	data := make([]byte, size)
	if err := readFull(r, data, 0); err != nil {
		if _, ok := errors.AsType[*chatpic.Error](err); !ok {
			err = chatpic.Internal(fmt.Errorf("heif: reading the file: %w", err))
		}
		return nil, Info{}, err
	}
	if err := checkBitstreams(data, p); err != nil {
		return nil, Info{}, err
	}
	prepare(data, p)
	img, err = dec(p.info.Format, data)
	if err != nil {
		return nil, Info{}, damaged("heif: decoding %s: %w", p.info.Format, err)
	}
	if err := ctx.Err(); err != nil {
		return nil, Info{}, cancelled(err)
	}
	if want := image.Rect(0, 0, p.codedW, p.codedH); img.Bounds() != want {
		return nil, Info{}, damaged("heif: %s decoded to %v, the boxes say %v", p.info.Format, img.Bounds(), want)
	}
	if p.info.Format == AVIF {
		img = toRGBA(img) // 10-bit pictures come as RGBA64
	}
	if err := check(img, p); err != nil {
		return nil, Info{}, err
	}
	if p.info.Format == HEIC {
		// The alpha plane is missing only from planar pictures; one that
		// libheif converted to RGB itself (matrix 0) comes with it.
		_, grey := img.(*image.Gray)
		_, ycc := img.(*image.YCbCr)
		if img, err = heicRGB(img, heicSignal(data, p)); err != nil {
			return nil, Info{}, err
		}
		if p.alpha && (grey || ycc) {
			if img, err = withAlpha(img, data, p, dec); err != nil {
				return nil, Info{}, err
			}
			if err := ctx.Err(); err != nil {
				return nil, Info{}, cancelled(err)
			}
		}
	}
	if len(p.ops) > 0 {
		img = transform(img, p.ops)
	}
	return img, p.info, nil
}

// check catches a failure the avif package does not report, and repairs
// damage the heic package does, both in their v0.4 releases:
//   - avif returns success when libavif parsed the file but could not
//     decode the picture, with whatever its output buffer held. A picture
//     without an alpha plane decodes fully opaque, so any other alpha
//     means it was not decoded; with an alpha plane, all-transparent does.
//   - heic frees its output buffer before returning a view of it, so the
//     allocator's bookkeeping overwrites up to the first 24 bytes of the
//     first row. They are replaced by the second row's.
func check(img image.Image, p *probed) error {
	if m, ok := img.(*image.RGBA); ok && p.info.Format == AVIF {
		seen := false
		for i := 3; i < len(m.Pix); i += 4 {
			a := m.Pix[i]
			if !p.alpha && a != 0xFF {
				return damaged("heif: libavif returned a picture it did not decode")
			}
			seen = seen || a != 0
		}
		if !seen {
			return damaged("heif: libavif returned a picture it did not decode")
		}
		return nil
	}
	var pix []byte
	var stride int
	switch m := img.(type) {
	case *image.YCbCr:
		pix, stride = m.Y, m.YStride
	case *image.Gray:
		pix, stride = m.Pix, m.Stride
	case *image.NRGBA:
		pix, stride = m.Pix, m.Stride
	case *image.RGBA:
		pix, stride = m.Pix, m.Stride
	}
	if img.Bounds().Dy() >= 2 && stride > 0 && len(pix) >= 2*stride {
		n := min(24, stride)
		copy(pix[:n], pix[stride:stride+n])
	}
	return nil
}

// heicWidth refuses HEIC pictures whose luma or chroma planes are narrower
// than 49 samples: libheif gives such planes a row stride of 64 bytes,
// while the heic package (v0.4.5) reads them with a stride rounded up to
// 16 only, so the picture comes out scrambled or the decoder faults.
func heicWidth(p *probed) error {
	if p.info.Format != HEIC || len(p.codedItems) == 0 {
		return nil
	}
	chroma := byte(1) // 4:2:0 unless hvcC says otherwise
	if cfg := p.meta.propsOf(p.meta.byID[p.codedItems[0]], "hvcC"); len(cfg) > 0 && len(cfg[0].data) > 16 {
		chroma = cfg[0].data[16] & 3
	}
	least := 49
	if chroma == 1 || chroma == 2 { // chroma planes are half as wide
		least = 97
	}
	if p.codedW < least {
		e := chatpic.Errorf(chatpic.KindUnsupported, "HEIC pictures narrower than %d pixels are not supported", least)
		e.Err = fmt.Errorf("heif: HEIC %d wide, chroma format %d", p.codedW, chroma)
		return e
	}
	// The heic package copies planes deeper than 8 bits into an 8-bit
	// buffer, which libheif overruns for grey and 4:4:4 pictures (a trap
	// in the WebAssembly): refuse them for what they are, not as damaged.
	if p.info.Depth > 8 && (chroma == 0 || chroma == 3) {
		return &chatpic.Error{Kind: chatpic.KindUnsupported,
			Message: "HEIC pictures of more than 8 bits in grey or in full colour resolution (4:4:4) are not supported",
			Err:     fmt.Errorf("heif: HEIC of %d bits, chroma format %d", p.info.Depth, chroma)}
	}
	return nil
}

// decodeBytes runs the decoder for format on data, turning a panic into an
// error.
func decodeBytes(format string, data []byte) (img image.Image, err error) {
	defer func() {
		if r := recover(); r != nil {
			img, err = nil, fmt.Errorf("decoder panicked: %v", r)
		}
	}()
	if format == HEIC {
		return heic.Decode(bytes.NewReader(data))
	}
	return avif.Decode(bytes.NewReader(data))
}

// Warm compiles the WebAssembly decoders now instead of on the first
// Decode, which would otherwise take about a second longer. It is safe to
// call from several goroutines and more than once; a server may call it in
// the background when it starts.
func Warm() {
	heic.Init()
	avif.InitDecoder()
}

// Backend describes the decoders in use, for a start-up log line: "wasm"
// for each that runs in the WebAssembly sandbox, "system" for one that
// loaded a shared library (possible only in a dynamically linked binary
// built without -tags nodynamic, on a machine with libheif.so or
// libavif.so).
func Backend() string {
	name := func(err error) string {
		if err == nil {
			return "system"
		}
		return "wasm"
	}
	return "heic=" + name(heic.Dynamic()) + " avif=" + name(avif.Dynamic())
}

func tooLarge(limit, n int64) error {
	return chatpic.Errorf(chatpic.KindTooLarge, "pictures are limited to %s megapixels (this one is %s)",
		megapixels(limit), megapixels(n))
}

func cancelled(err error) error {
	return chatpic.Internal(fmt.Errorf("heif: decoding stopped: %w", err))
}

// megapixels formats a pixel count in megapixels, with one decimal below
// 10.
func megapixels(n int64) string {
	mp := float64(n) / 1e6
	if mp >= 10 || n%1_000_000 == 0 {
		return strconv.FormatInt((n+500_000)/1_000_000, 10)
	}
	return strconv.FormatFloat(mp, 'f', 1, 64)
}
