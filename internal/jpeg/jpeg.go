// Package jpeg decodes baseline and progressive JPEG files at a reduced
// scale (1/1, 1/2, 1/4 or 1/8) straight from the DCT coefficients, the way
// libjpeg's scaled decoding and libvips' shrink-on-load do: at 1/8 every
// 8x8 block becomes its DC value, at 1/4 a 2x2 inverse DCT, at 1/2 a 4x4
// one. Each reduced IDCT computes the exact box average of the full one, so
// a 1/s decode equals a full decode followed by an s x s box filter, up to
// rounding and clipping.
//
// It exists to make thumbnails and perceptual hashes of uploads without
// holding a full-resolution picture: a sequential (baseline or extended)
// file is decoded one block at a time into planes of the reduced size; a
// progressive file keeps, until the last scan, a bitmap of the non-zero
// coefficients of each block and the values of those the reduced IDCT
// reads, two bytes each: 64 a block at 1/1, 25 at 1/4, 1 at 1/8.
//
// Every entropy-coded symbol of every scan is still decoded and checked, so
// a file that image/jpeg refuses as corrupt or truncated is refused here too,
// with the few documented exceptions listed on [Decode]. Decode and
// DecodeConfig are safe for concurrent use.
package jpeg

import (
	"errors"
	"fmt"
	"image"
	"image/color"
	"io"
)

// A FormatError reports that the input is not a valid JPEG file.
type FormatError string

func (e FormatError) Error() string { return "jpeg: invalid format: " + string(e) }

// An UnsupportedError reports that the input uses a valid JPEG feature this
// package does not decode: 12-bit samples, arithmetic coding, lossless or
// hierarchical modes, two components, or a 4-component file without an Adobe
// APP14 segment.
type UnsupportedError string

func (e UnsupportedError) Error() string { return "jpeg: unsupported feature: " + string(e) }

// ErrTooLarge is returned, wrapped, when the frame has more pixels than
// Options.MaxPixels allows. It is detected from the frame header, before any
// pixel or coefficient memory is allocated.
var ErrTooLarge = errors.New("jpeg: image has too many pixels")

// Options controls Decode.
type Options struct {
	// MinWidth and MinHeight select the scale: Decode uses the smallest
	// output among 1/8, 1/4, 1/2 and 1/1 whose width is at least MinWidth
	// and whose height is at least MinHeight. A zero value does not
	// constrain its dimension; both zero means full scale.
	MinWidth, MinHeight int
	// MaxPixels, when positive, makes Decode refuse with ErrTooLarge a frame
	// whose width*height exceeds it. Zero means no limit.
	MaxPixels int64

	scale int // tests only: forces the scale
}

// Config describes a JPEG file from its headers alone.
type Config struct {
	Width, Height int  // of the full-scale picture, in pixels
	Components    int  // 1 (gray), 3 (YCbCr or RGB) or 4 (CMYK or YCCK)
	Progressive   bool // SOF2; otherwise baseline or extended sequential
	// ColorModel is the model of the image Decode returns: color.GrayModel,
	// color.YCbCrModel, color.RGBAModel or color.CMYKModel.
	ColorModel color.Model

	frame frame // sampling geometry, for MemoryNeeded
	out   outKind
}

// Scale returns the denominator (1, 2, 4 or 8) that Decode will use for a
// file described by c, as Options.MinWidth and MinHeight select it.
func Scale(c Config, o Options) int {
	if o.scale != 0 {
		return normScale(o.scale)
	}
	if o.MinWidth <= 0 && o.MinHeight <= 0 {
		return 1
	}
	for _, s := range [...]int{8, 4, 2} {
		if ceilDiv(c.Width, s) >= o.MinWidth && ceilDiv(c.Height, s) >= o.MinHeight {
			return s
		}
	}
	return 1
}

// MemoryNeeded returns an upper bound, in bytes, of the memory Decode
// allocates to decode the file described by c at 1/scale (scale is 1, 2, 4
// or 8; other values are treated as 1). The returned image is part of it.
func (c Config) MemoryNeeded(scale int) int64 {
	return c.frame.memory(normScale(scale), c.out)
}

// DecodeConfig reads the headers of a JPEG file up to its first scan and
// returns its description. It does not check the tables or the scans; a file
// it accepts may still fail to Decode.
func DecodeConfig(r io.Reader) (Config, error) {
	d := newDecoder(r, Options{})
	d.headersOnly = true
	if err := d.run(); err != nil {
		return Config{}, err
	}
	if !d.sofSeen {
		return Config{}, FormatError("missing SOF marker")
	}
	return d.config(), nil
}

// Decode reads a JPEG file from r and returns it at the scale chosen by
// opts (see Scale). Its bounds start at (0, 0) and measure
// ceil(Width/scale) x ceil(Height/scale).
//
// The result is an *image.Gray for one component; an *image.YCbCr for three
// components, with the file's chroma subsampling when image.YCbCr can express
// it (4:4:4, 4:2:2, 4:2:0, 4:4:0, 4:1:1, 4:1:0) and converted to 4:4:4
// otherwise; an *image.RGBA for an RGB file (Adobe transform 0 or components
// named R, G, B, without JFIF); an *image.CMYK for four components, inverted
// as the Adobe APP14 segment says, as image/jpeg does.
//
// Decode refuses what image/jpeg refuses, with an error wrapping
// io.ErrUnexpectedEOF for a truncated file, a FormatError for corrupt data
// and an UnsupportedError for valid features it lacks. It is stricter than
// image/jpeg on: a zero width or height; a Huffman table that is
// over-subscribed or uses an all-ones code (libjpeg refuses both); an AC
// symbol with a zero size and a run of 1 to 14 in a sequential scan (not
// defined by T.81); more than 500 scans (a progressive file has about ten,
// and each scan costs a pass over the picture). It is more lenient on:
// sampling factors of 3 and other combinations image/jpeg does not handle;
// restart intervals in non-interleaved scans of a subsampled component,
// which it counts in blocks as T.81 says (image/jpeg counts them in MCUs of
// the frame and fails). On corrupt files its pixels may also differ where
// image/jpeg departs from T.81: an EOB run left over at the end of a scan
// is dropped, not carried into the next one, and APP0 and APP14 segments
// after the first scan do not change the color interpretation.
//
// Decode allocates nothing for pixels before checking opts.MaxPixels; its
// allocations are bounded by Config.MemoryNeeded.
func Decode(r io.Reader, opts Options) (img image.Image, err error) {
	defer func() {
		if p := recover(); p != nil {
			img, err = nil, fmt.Errorf("jpeg: decoder bug: %v", p)
		}
	}()
	return decode(r, opts)
}

// decode is Decode without the recover, so that tests see panics.
func decode(r io.Reader, opts Options) (image.Image, error) {
	d := newDecoder(r, opts)
	if err := d.run(); err != nil {
		return nil, err
	}
	return d.finish()
}

func ceilDiv(a, b int) int { return (a + b - 1) / b }

// normScale maps anything but 2, 4 and 8 to 1.
func normScale(s int) int {
	switch s {
	case 2, 4, 8:
		return s
	}
	return 1
}
