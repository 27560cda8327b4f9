package jpeg

import (
	"image"
	"image/color"
)

const maxComponents = 4

// frame is the sampling geometry of a frame (T.81 A.1.1).
type frame struct {
	width, height int
	nComp         int
	progressive   bool
	h, v          [maxComponents]int // sampling factors, 1..4
	hmax, vmax    int
	mcusX, mcusY  int // MCUs of an interleaved scan
}

// setup derives hmax, vmax and the MCU counts from the factors.
func (f *frame) setup() {
	f.hmax, f.vmax = 1, 1
	for i := range f.nComp {
		f.hmax = max(f.hmax, f.h[i])
		f.vmax = max(f.vmax, f.v[i])
	}
	f.mcusX = ceilDiv(f.width, 8*f.hmax)
	f.mcusY = ceilDiv(f.height, 8*f.vmax)
}

// padded returns the block grid of component i in interleaved scans (whole
// MCUs); every scan of the component writes inside it.
func (f *frame) padded(i int) (bw, bh int) {
	return f.mcusX * f.h[i], f.mcusY * f.v[i]
}

// covered returns the blocks of component i that a non-interleaved scan
// codes: those that hold at least one sample of the component (T.81 A.2.2).
func (f *frame) covered(i int) (cbw, cbh int) {
	cw := ceilDiv(f.width*f.h[i], f.hmax)
	ch := ceilDiv(f.height*f.v[i], f.vmax)
	return ceilDiv(cw, 8), ceilDiv(ch, 8)
}

// compScale returns the scale component i is decoded at for an output at
// 1/scale. Gray and YCbCr outputs keep each plane at its own resolution.
// The converted ones take a subsampled component at a finer scale, when it
// is subsampled alike across and down, so that it reaches the output
// resolution without being upsampled, as libjpeg does.
func (f *frame) compScale(i, scale int, out outKind) int {
	if out == outGray || out == outYCbCr {
		return scale
	}
	rh, rv := f.hmax/f.h[i], f.vmax/f.v[i]
	if rh != rv || f.hmax%f.h[i] != 0 || f.vmax%f.v[i] != 0 {
		return scale
	}
	for scale > 1 && rh%2 == 0 {
		scale, rh = scale/2, rh/2
	}
	return scale
}

// outKind is the type of image Decode builds, fixed by the headers before
// the first scan.
type outKind uint8

const (
	outGray     outKind = iota // the one plane
	outYCbCr                   // the planes as they are
	outYCbCr444                // chroma planes resampled to full size
	outRGBA                    // RGB components
	outCMYK                    // Adobe CMYK, stored inverted
	outYCCK                    // Adobe YCCK, converted to CMYK
)

func (k outKind) model() color.Model {
	switch k {
	case outGray:
		return color.GrayModel
	case outRGBA:
		return color.RGBAModel
	case outCMYK, outYCCK:
		return color.CMYKModel
	}
	return color.YCbCrModel
}

// ratio returns the subsampling of a 3-component frame when image.YCbCr can
// represent it directly: Y at the maximum factors and Cb, Cr alike, dividing
// them in one of the ratios image.YCbCr knows.
func (f *frame) ratio() (image.YCbCrSubsampleRatio, bool) {
	if f.nComp != 3 || f.h[0] != f.hmax || f.v[0] != f.vmax ||
		f.h[1] != f.h[2] || f.v[1] != f.v[2] ||
		f.hmax%f.h[1] != 0 || f.vmax%f.v[1] != 0 {
		return 0, false
	}
	switch (f.hmax/f.h[1])<<4 | f.vmax/f.v[1] {
	case 0x11:
		return image.YCbCrSubsampleRatio444, true
	case 0x12:
		return image.YCbCrSubsampleRatio440, true
	case 0x21:
		return image.YCbCrSubsampleRatio422, true
	case 0x22:
		return image.YCbCrSubsampleRatio420, true
	case 0x41:
		return image.YCbCrSubsampleRatio411, true
	case 0x42:
		return image.YCbCrSubsampleRatio410, true
	}
	return 0, false
}

// Memory accounting. Large allocations are rounded up to whole 8 KiB pages
// by the runtime, so each one is charged a page more than its size.
const (
	decoderBytes = 40 << 10 // the decoder struct, buffers and tables included
	allocSlack   = 8 << 10
)

// memory returns an upper bound of the bytes decoding at 1/scale allocates.
func (f *frame) memory(scale int, out outKind) int64 {
	total := int64(decoderBytes)
	for i := range f.nComp {
		cs := f.compScale(i, scale, out)
		bs := int64(8 / cs)
		bw, bh := f.padded(i)
		total += int64(bw)*bs*int64(bh)*bs + allocSlack
		if f.progressive {
			total += int64(bw)*int64(bh)*int64(2*keepSetFor(cs).n+8) + 2*allocSlack
		}
	}
	ow, oh := int64(ceilDiv(f.width, scale)), int64(ceilDiv(f.height, scale))
	maps := 4*ow*int64(f.nComp) + int64(f.nComp)*allocSlack
	switch out {
	case outYCbCr444:
		total += 3*ow*oh + allocSlack + maps
	case outRGBA, outCMYK, outYCCK:
		total += 4*ow*oh + allocSlack + maps
	}
	return total
}
