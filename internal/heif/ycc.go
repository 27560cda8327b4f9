package heif

import (
	"image"
	"math"
)

// yccTables convert the 8-bit YCbCr samples of one signal to RGB. Each
// table holds, by sample value, that sample's part of a colour component
// in 16.16 fixed point; y includes the half that makes the sum round.
type yccTables struct {
	y                            [256]int32
	rCb, rCr, gCb, gCr, bCb, bCr [256]int32
	// identity says G is Y, B is Cb and R is Cr (matrix 0): then rCr and
	// bCb hold R and B, rounding half included, and the rest is unused.
	identity bool
}

// newYCCTables returns the tables for s.
func newYCCTables(s signal) *yccTables {
	t := &yccTables{identity: s.matrix == 0}
	fix := func(v float64) int32 { return int32(math.Round(v * 65536)) }
	// [R G B] = Y + mat * [Cb Cr], all at full range.
	var mat [3][2]float64
	switch kr, kb, ok := krKb(s); {
	case s.matrix == 8: // YCgCo: Cb is Cg, Cr is Co
		mat = [3][2]float64{{-1, 1}, {1, 0}, {-1, -1}}
	case ok:
		kg := 1 - kr - kb
		mat = [3][2]float64{{0, 2 * (1 - kr)}, {-2 * kb * (1 - kb) / kg, -2 * kr * (1 - kr) / kg}, {2 * (1 - kb), 0}}
	}
	for v := range 256 {
		t.y[v] = fix(s.luma(v, s.yBits)) + 1<<15
		if t.identity {
			// At limited range H.273 quantises all three as luma.
			t.rCr[v] = fix(s.luma(v, s.cBits)) + 1<<15
			t.bCb[v] = t.rCr[v]
			continue
		}
		c := s.chroma(v, s.cBits)
		t.rCb[v], t.rCr[v] = fix(mat[0][0]*c), fix(mat[0][1]*c)
		t.gCb[v], t.gCr[v] = fix(mat[1][0]*c), fix(mat[1][1]*c)
		t.bCb[v], t.bCr[v] = fix(mat[2][0]*c), fix(mat[2][1]*c)
	}
	return t
}

// clamp8 returns the 8-bit sample for v, a sum of table entries.
func clamp8(v int32) uint8 {
	v >>= 16
	if uint32(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// heicRGB returns img, as the heic package decoded it, with the colours
// its samples encode by the signal s: an *image.YCbCr becomes an opaque
// *image.RGBA at the origin with a stride of 4 bytes a pixel (the planes
// are left to the garbage collector); an *image.Gray is brought to full
// range in place; any other picture, which libheif converted itself, is
// returned as it is. Chroma at 4:2:0 and 4:2:2 is interpolated
// bilinearly, its samples taken to lie between those of luma, as libheif
// does. img's bounds must start at the origin; planes shorter than their
// bounds say are an error.
func heicRGB(img image.Image, s signal) (image.Image, error) {
	switch m := img.(type) {
	case *image.YCbCr:
		return yccToRGBA(m, newYCCTables(s))
	case *image.Gray:
		w, h := m.Rect.Dx(), m.Rect.Dy()
		if m.Rect.Min != (image.Point{}) || h > 0 && (m.Stride < w || len(m.Pix) < (h-1)*m.Stride+w) {
			return nil, damaged("heif: decoder returned a %v grey picture in %d bytes", m.Rect, len(m.Pix))
		}
		t := newYCCTables(s)
		var lut [256]uint8
		identity := true
		for v := range lut {
			lut[v] = clamp8(t.y[v])
			identity = identity && lut[v] == uint8(v)
		}
		if identity {
			return m, nil
		}
		for y := range h {
			row := m.Pix[y*m.Stride : y*m.Stride+w]
			for x, v := range row {
				row[x] = lut[v]
			}
		}
	}
	return img, nil
}

// yccToRGBA converts m, whose bounds start at the origin, by t, a row at
// a time.
func yccToRGBA(m *image.YCbCr, t *yccTables) (*image.RGBA, error) {
	w, h := m.Rect.Dx(), m.Rect.Dy()
	cw, ch := w, h
	switch m.SubsampleRatio {
	case image.YCbCrSubsampleRatio444:
	case image.YCbCrSubsampleRatio422:
		cw = (w + 1) / 2
	case image.YCbCrSubsampleRatio420:
		cw, ch = (w+1)/2, (h+1)/2
	default:
		return nil, damaged("heif: decoder returned chroma subsampled as %v", m.SubsampleRatio)
	}
	if m.Rect.Min != (image.Point{}) || h > 0 && (m.YStride < w || m.CStride < cw ||
		len(m.Y) < (h-1)*m.YStride+w || len(m.Cb) < (ch-1)*m.CStride+cw || len(m.Cr) < (ch-1)*m.CStride+cw) {
		return nil, damaged("heif: decoder returned a %v picture in planes of %d, %d and %d bytes",
			m.Rect, len(m.Y), len(m.Cb), len(m.Cr))
	}
	out := image.NewRGBA(image.Rect(0, 0, w, h))
	var cb, cr []uint8   // the row's chroma, a sample a pixel
	var vcb, vcr []int32 // the row's chroma samples, interpolated vertically, times 4
	if m.SubsampleRatio != image.YCbCrSubsampleRatio444 {
		cb, cr = make([]uint8, w), make([]uint8, w)
		vcb, vcr = make([]int32, cw), make([]int32, cw)
	}
	for y := range h {
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio444:
			cb, cr = m.Cb[y*m.CStride:y*m.CStride+w], m.Cr[y*m.CStride:y*m.CStride+w]
		case image.YCbCrSubsampleRatio422:
			rb, rr := m.Cb[y*m.CStride:y*m.CStride+cw], m.Cr[y*m.CStride:y*m.CStride+cw]
			for x := range cw {
				vcb[x], vcr[x] = 4*int32(rb[x]), 4*int32(rr[x])
			}
			upsample(cb, vcb)
			upsample(cr, vcr)
		case image.YCbCrSubsampleRatio420:
			near, far := neighbours(y, ch)
			nb, nr := m.Cb[near*m.CStride:near*m.CStride+cw], m.Cr[near*m.CStride:near*m.CStride+cw]
			fb, fr := m.Cb[far*m.CStride:far*m.CStride+cw], m.Cr[far*m.CStride:far*m.CStride+cw]
			for x := range cw {
				vcb[x] = 3*int32(nb[x]) + int32(fb[x])
				vcr[x] = 3*int32(nr[x]) + int32(fr[x])
			}
			upsample(cb, vcb)
			upsample(cr, vcr)
		}
		ys := m.Y[y*m.YStride : y*m.YStride+w]
		dst := out.Pix[y*out.Stride : y*out.Stride+4*w]
		if t.identity {
			for x, v := range ys {
				d := dst[4*x : 4*x+4 : 4*x+4]
				d[0], d[1], d[2], d[3] = clamp8(t.rCr[cr[x]]), clamp8(t.y[v]), clamp8(t.bCb[cb[x]]), 0xFF
			}
			continue
		}
		for x, v := range ys {
			l, b, r := t.y[v], cb[x], cr[x]
			d := dst[4*x : 4*x+4 : 4*x+4]
			d[0] = clamp8(l + t.rCb[b] + t.rCr[r])
			d[1] = clamp8(l + t.gCb[b] + t.gCr[r])
			d[2] = clamp8(l + t.bCb[b] + t.bCr[r])
			d[3] = 0xFF
		}
	}
	return out, nil
}

// neighbours returns, for pixel i of a row or column, the chroma sample
// nearest to it and the next nearest, of n: a pixel lies at i/2 - 1/4 in
// chroma samples, which lie between pairs of pixels. At the edges the
// nearest is its own neighbour.
func neighbours(i, n int) (near, far int) {
	near, far = i/2, i/2+1
	if i%2 == 0 {
		far = i/2 - 1
	}
	return near, max(0, min(far, n-1))
}

// upsample fills dst, a row of pixels, from v, the row's chroma samples
// (half as many, rounded up) at four times their value: each pixel takes
// 3/4 of its nearest sample and 1/4 of the next nearest, rounded.
func upsample(dst []uint8, v []int32) {
	for x := range dst {
		near, far := neighbours(x, len(v))
		dst[x] = uint8((3*v[near] + v[far] + 8) >> 4)
	}
}
