package pdq

import (
	"image"
	"image/color"
)

// rowFunc writes the luminance of row y of the image (counted from the top
// of its bounds, 0-based) into dst, which has one element per column.
// Values are on the 0..255 scale.
type rowFunc func(y int, dst []float64)

// lumR, lumG and lumB are the reference's luminance weights applied to each
// 8-bit value: Y = lumR[r] + lumG[g] + lumB[b]. Never written after
// initialisation.
var lumR, lumG, lumB = lumTable(0.299), lumTable(0.587), lumTable(0.114)

func lumTable(coeff float64) *[256]float64 {
	t := new([256]float64)
	for v := range t {
		t[v] = coeff * float64(v)
	}
	return t
}

// rowReader returns a rowFunc for img. The common decoded types are read
// directly; any other goes through At.
//
// Alpha is ignored, as in the reference, which reads only the colour
// channels: straight (non-premultiplied) colours are hashed. Premultiplied
// pixels are divided by their alpha first; fully transparent ones read as
// black.
func rowReader(img image.Image) rowFunc {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		if b.Min.X >= 0 && b.Min.Y >= 0 {
			return ycbcrRows(m)
		}
	case *image.Gray:
		return func(y int, dst []float64) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:len(dst)]
			for x, v := range pix {
				dst[x] = float64(v)
			}
		}
	case *image.NRGBA:
		return func(y int, dst []float64) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:4*len(dst)]
			for x := range dst {
				p := pix[4*x : 4*x+3 : 4*x+3]
				dst[x] = lumR[p[0]] + lumG[p[1]] + lumB[p[2]]
			}
		}
	case *image.RGBA:
		return func(y int, dst []float64) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:4*len(dst)]
			for x := range dst {
				p := pix[4*x : 4*x+4 : 4*x+4]
				if p[3] == 0xff {
					dst[x] = lumR[p[0]] + lumG[p[1]] + lumB[p[2]]
				} else {
					dst[x] = straightLuma(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
				}
			}
		}
	case *image.Paletted:
		var pal [256]float64
		for i, c := range m.Palette {
			pal[i] = colorLuma(c)
		}
		return func(y int, dst []float64) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:len(dst)]
			for x, v := range pix {
				dst[x] = pal[v] // out-of-palette indexes read as black
			}
		}
	}
	return func(y int, dst []float64) {
		for x := range dst {
			dst[x] = colorLuma(img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
}

// colorLuma returns the luminance of c's straight colour on the 0..255 scale.
func colorLuma(c color.Color) float64 {
	r, g, b, a := c.RGBA()
	return straightLuma(r, g, b, a)
}

// straightLuma returns the luminance of a 16-bit premultiplied colour after
// undoing the premultiplication, on the 0..255 scale.
func straightLuma(r, g, b, a uint32) float64 {
	if a == 0 {
		return 0
	}
	y := 0.299*float64(r) + 0.587*float64(g) + 0.114*float64(b)
	if a != 0xffff {
		y = y * 0xffff / float64(a)
	}
	return y / 0x101
}

// ycbcrRows reads a JPEG-style image. Each pixel is converted to 8-bit RGB
// as image/color does (and as a decoder handing RGB to the reference would),
// clamping included, and its luminance taken from that. Using the Y plane
// directly would be the same but for rounding and for that clamping, which
// matters for saturated colours next to edges, where the subsampled chroma
// and the full-resolution Y disagree.
func ycbcrRows(m *image.YCbCr) rowFunc {
	b := m.Rect
	// Horizontal and vertical chroma subsampling, as shifts.
	var hs, vs uint
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio422:
		hs = 1
	case image.YCbCrSubsampleRatio420:
		hs, vs = 1, 1
	case image.YCbCrSubsampleRatio440:
		vs = 1
	case image.YCbCrSubsampleRatio411:
		hs = 2
	case image.YCbCrSubsampleRatio410:
		hs, vs = 2, 1
	}
	return func(y int, dst []float64) {
		ay := b.Min.Y + y
		yrow := m.Y[(ay-b.Min.Y)*m.YStride:]
		yrow = yrow[:len(dst)]
		coff := ((ay >> vs) - (b.Min.Y >> vs)) * m.CStride
		cb, cr := m.Cb[coff:], m.Cr[coff:]
		c0 := b.Min.X >> hs
		for x, yv := range yrow {
			ci := ((b.Min.X + x) >> hs) - c0
			dst[x] = ycbcrLuma(yv, cb[ci], cr[ci])
		}
	}
}

// ycbcrLuma converts one JFIF YCbCr pixel to 8-bit RGB with the fixed-point
// arithmetic of color.YCbCrToRGB and returns its luminance.
func ycbcrLuma(yv, cb, cr uint8) float64 {
	yy := int32(yv) * 0x10101
	cb1, cr1 := int32(cb)-128, int32(cr)-128
	r := clamp16(yy + 91881*cr1)
	g := clamp16(yy - 22554*cb1 - 46802*cr1)
	bl := clamp16(yy + 116130*cb1)
	return lumR[r] + lumG[g] + lumB[bl]
}

// clamp16 returns v>>16 clamped to 0..255.
func clamp16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}
