package pdq

import (
	"image"
	"image/color"
)

// rowFunc writes the luminance of row y of the image (counted from the top
// of its bounds, 0-based) into dst, which has one element per column.
// Values are in thousandths of a level: 0 to 255000 (so that the common
// 8-bit cases are exact integers).
type rowFunc func(y int, dst []float32)

// lumTables holds the reference's luminance weights times each 8-bit value,
// in thousandths: 1000·(0.299R + 0.587G + 0.114B) = r[R] + g[G] + b[B],
// exactly. Look-ups measured faster than multiplying. Hot loops copy the
// pointers into locals, which keeps the tables' addresses in registers.
type lumTables struct{ r, g, b *[256]int32 }

// lumOf is the one set of tables. It is never written after initialisation.
var lumOf = lumTables{lumTable(299), lumTable(587), lumTable(114)}

func lumTable(weight int32) *[256]int32 {
	t := new([256]int32)
	for v := range t {
		t[v] = weight * int32(v)
	}
	return t
}

// of returns the luminance of an 8-bit RGB colour in thousandths.
func (l lumTables) of(r, g, b uint8) int32 { return l.r[r] + l.g[g] + l.b[b] }

// rowReader returns a rowFunc for img. The common decoded types are read
// directly; any other goes through At. The rowFunc may keep state between
// calls, so it belongs to one goroutine.
//
// Alpha is ignored, as in the reference, which reads only the colour
// channels: the straight colour stored under a transparent pixel is hashed
// as it is; see Compute.
func rowReader(img image.Image) rowFunc {
	b := img.Bounds()
	switch m := img.(type) {
	case *image.YCbCr:
		if b.Min.X >= 0 && b.Min.Y >= 0 {
			return ycbcrRows(m)
		}
	case *image.NYCbCrA: // a WebP with alpha: the colour planes are straight
		if b.Min.X >= 0 && b.Min.Y >= 0 {
			return ycbcrRows(&m.YCbCr)
		}
	case *image.Gray:
		return func(y int, dst []float32) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:len(dst)]
			for x, v := range pix {
				dst[x] = float32(1000 * int32(v))
			}
		}
	case *image.Gray16:
		return func(y int, dst []float32) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:2*len(dst)]
			for x := range dst {
				dst[x] = wideLuma(wide(pix[2*x:]), wide(pix[2*x:]), wide(pix[2*x:]))
			}
		}
	case *image.NRGBA64: // 16-bit PNG with alpha, straight
		return func(y int, dst []float32) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:8*len(dst)]
			for x := range dst {
				p := pix[8*x : 8*x+6 : 8*x+6]
				dst[x] = wideLuma(wide(p[0:]), wide(p[2:]), wide(p[4:]))
			}
		}
	case *image.NRGBA:
		return func(y int, dst []float32) {
			l := lumOf
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:4*len(dst)]
			for x := range dst {
				p := pix[4*x : 4*x+3 : 4*x+3]
				dst[x] = float32(l.of(p[0], p[1], p[2]))
			}
		}
	case *image.RGBA:
		return func(y int, dst []float32) {
			l := lumOf
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:4*len(dst)]
			for x := range dst {
				p := pix[4*x : 4*x+4 : 4*x+4]
				if p[3] == 0xff {
					dst[x] = float32(l.of(p[0], p[1], p[2]))
				} else {
					dst[x] = straightLuma(uint32(p[0])*0x101, uint32(p[1])*0x101, uint32(p[2])*0x101, uint32(p[3])*0x101)
				}
			}
		}
	case *image.Paletted:
		// A transparent entry (a PNG's tRNS) keeps the colour it stores.
		var pal [256]float32 // indexes past the palette read as black
		for i, c := range m.Palette[:min(len(m.Palette), len(pal))] {
			pal[i] = colorLuma(c)
		}
		return func(y int, dst []float32) {
			pix := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			pix = pix[:len(dst)]
			for x, v := range pix {
				dst[x] = pal[v]
			}
		}
	}
	return func(y int, dst []float32) {
		for x := range dst {
			dst[x] = colorLuma(img.At(b.Min.X+x, b.Min.Y+y))
		}
	}
}

// colorLuma returns the luminance of c's straight colour, in thousandths;
// a nil colour reads as black. The colour types that store straight colour
// are read as stored, whatever their alpha; the others are premultiplied,
// so their colour is recovered by dividing by alpha, and a fully
// transparent one, which has lost it, reads as black.
func colorLuma(c color.Color) float32 {
	switch c := c.(type) {
	case nil:
		return 0
	case color.NRGBA:
		return float32(lumOf.of(c.R, c.G, c.B))
	case color.NRGBA64:
		return wideLuma(uint32(c.R), uint32(c.G), uint32(c.B))
	case color.NYCbCrA:
		r, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
		return float32(lumOf.of(r, g, b))
	}
	r, g, b, a := c.RGBA()
	return straightLuma(r, g, b, a)
}

// wide reads a big-endian 16-bit sample.
func wide(p []byte) uint32 { return uint32(p[0])<<8 | uint32(p[1]) }

// wideLuma returns the luminance, in thousandths of an 8-bit level, of a
// straight 16-bit colour.
func wideLuma(r, g, b uint32) float32 {
	return float32((299*float64(r) + 587*float64(g) + 114*float64(b)) / 0x101)
}

// straightLuma returns the luminance, in thousandths of an 8-bit level, of a
// 16-bit premultiplied colour after undoing the premultiplication.
func straightLuma(r, g, b, a uint32) float32 {
	if a == 0 {
		return 0
	}
	y := 299*float64(r) + 587*float64(g) + 114*float64(b)
	if a != 0xffff {
		y = y * 0xffff / float64(a)
	}
	return float32(y / 0x101)
}

// ycbcrRows reads a JPEG-style image. Each pixel is converted to 8-bit RGB
// exactly as image/color does (and as a decoder handing RGB to the reference
// would), rounding and clamping included, and its luminance taken from that.
// Reading the Y plane alone would make Compute about three times faster,
// but the rounding and clamping it skips follow the chroma and move hashes:
// on the reference vectors by up to 8 bits for a saturated picture (q0122)
// and by 42 for a flat one (q0003), which then lands 36 bits from the
// reference hash instead of 16.
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
	c0 := b.Min.X >> hs
	// The 16.16 fixed-point terms each chroma sample of the current chroma
	// row adds to Y for R, G and B; rows share them under vertical
	// subsampling, neighbouring pixels under horizontal.
	terms := make([][3]int32, ((b.Max.X-1)>>hs)-c0+1)
	cached := -1
	return func(y int, dst []float32) {
		l := lumOf
		ay := b.Min.Y + y
		yrow := m.Y[y*m.YStride:]
		yrow = yrow[:len(dst)]
		if coff := ((ay >> vs) - (b.Min.Y >> vs)) * m.CStride; coff != cached {
			cached = coff
			cb, cr := m.Cb[coff:coff+len(terms)], m.Cr[coff:coff+len(terms)]
			for i := range terms {
				cb1, cr1 := int32(cb[i])-128, int32(cr[i])-128
				terms[i] = [3]int32{91881 * cr1, -22554*cb1 - 46802*cr1, 116130 * cb1}
			}
		}
		if hs == 1 && b.Min.X%2 == 0 {
			// The common case, by pairs: pixels 2i and 2i+1 share term i.
			for i, t := range terms[:len(yrow)/2] {
				p, d := yrow[2*i:2*i+2:2*i+2], dst[2*i:2*i+2:2*i+2]
				yy0, yy1 := int32(p[0])*0x10101, int32(p[1])*0x10101
				d[0] = float32(l.of(clamp16(yy0+t[0]), clamp16(yy0+t[1]), clamp16(yy0+t[2])))
				d[1] = float32(l.of(clamp16(yy1+t[0]), clamp16(yy1+t[1]), clamp16(yy1+t[2])))
			}
			if len(yrow)%2 == 1 {
				x := len(yrow) - 1
				t, yy := terms[x/2], int32(yrow[x])*0x10101
				dst[x] = float32(l.of(clamp16(yy+t[0]), clamp16(yy+t[1]), clamp16(yy+t[2])))
			}
			return
		}
		for x, yv := range yrow {
			t := &terms[((b.Min.X+x)>>hs)-c0]
			yy := int32(yv) * 0x10101
			dst[x] = float32(l.of(clamp16(yy+t[0]), clamp16(yy+t[1]), clamp16(yy+t[2])))
		}
	}
}

// clamp16 returns v>>16 clamped to 0..255, as image/color does.
func clamp16(v int32) uint8 {
	if uint32(v)&0xff000000 == 0 {
		return uint8(v >> 16)
	}
	return uint8(^(v >> 31))
}
