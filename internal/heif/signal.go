package heif

// The heic package (v0.4.5) asks libheif for the picture in the colour
// space libheif prefers, YCbCr at the coded chroma format for HEVC, and
// returns the planes it gets as an *image.YCbCr, which image/color reads
// as JFIF: BT.601 at full range. They mostly are not. For a picture coded
// as one HEVC item, libheif 1.18 (as built into the heic package)
// resamples the chroma to 4:4:4 and back, cuts samples of more than 8
// bits to 8, and otherwise leaves them as coded: in the matrix and range
// of the item's nclx colour property, or else of the VUI of its sequence
// parameter set. HEVC encoders mostly write limited ("video") range,
// which read as full range looks washed out. So Decode converts the
// planes to RGB itself, as libheif would (heicSignal, heicRGB).

// signal says how the samples of a YCbCr picture encode RGB: by the
// MatrixCoefficients of ITU-T H.273 (and its ColourPrimaries, from which
// matrices 12 and 13 are derived), at full range or at limited range
// (luma 16-235, chroma 16-240 at 8 bits).
type signal struct {
	matrix, primaries uint16
	full              bool
	// yBits and cBits are the bit depths of luma and chroma as coded, if
	// more than 8: libheif returns such samples cut to 8 bits, their low
	// bits dropped.
	yBits, cBits int
}

// jfif is BT.601 at full range, what image/color takes YCbCr to be, and
// libheif's default: what heicSignal returns for a picture it cannot
// follow to an HEVC item.
var jfif = signal{matrix: 6, full: true}

// heicSignal returns the signal of the YCbCr planes that libheif, in the
// heic package, returns for the primary image of data, the whole file,
// which p describes. As libheif 1.18 decodes (and as measured):
//   - a coded item comes back in its own signal: that of its colr nclx
//     property (the last, which libheif keeps) if it has one, else that
//     of its HEVC stream's VUI, video_full_range_flag (false without a
//     VUI) and matrix_coeffs (libde265 takes 11 and above, and a VUI
//     without one, as 2, "unspecified"), with its bit depths;
//   - a grid, an overlay or an identity derivation is built in RGB, each
//     coded item converted by its own signal, and comes back at full
//     range by the matrix of the VUI of the first coded item it is made
//     of (not of any nclx property, its own or its items'), at 8 bits.
//
// An unspecified matrix means BT.601 to libheif, and so to heicRGB.
func heicSignal(data []byte, p *probed) signal {
	m := p.meta
	id, derived := m.primary, false
	for range maxDerivDep + 1 {
		i := m.byID[id]
		if i == nil {
			return jfif
		}
		switch i.typ {
		case "grid", "iden", "iovl":
			kids := m.refsFrom("dimg", id)
			if len(kids) == 0 {
				return jfif
			}
			id, derived = kids[0], true
		case "hvc1":
			var s signal
			if derived {
				s = vuiSignal(data, m, i)
				s.full = true
				return s
			} else if n, ok := nclxSignal(m, i); ok {
				s = n
			} else {
				s = vuiSignal(data, m, i)
			}
			if cfg := m.propsOf(i, "hvcC"); len(cfg) > 0 && len(cfg[0].data) > 18 {
				s.yBits, s.cBits = 8+int(cfg[0].data[17]&7), 8+int(cfg[0].data[18]&7)
			}
			return s
		default:
			return jfif
		}
	}
	return jfif
}

// nclxSignal returns the signal of the last nclx colour property of item
// i, if it has one.
func nclxSignal(m *meta, i *item) (s signal, ok bool) {
	for _, c := range m.propsOf(i, "colr") {
		cur := cursor{p: c.data}
		if cur.fourCC() != "nclx" {
			continue
		}
		n := signal{primaries: cur.u16()}
		cur.u16() // transfer characteristics
		n.matrix, n.full = cur.u16(), cur.u8()&0x80 != 0
		if cur.err == nil {
			s, ok = n, true
		}
	}
	return s, ok
}

// vuiSignal returns the signal that the last sequence parameter set of
// the HEVC item i declares (in its hvcC property, then in its data, as
// the decoder reads them), with libde265's defaults for what it does not
// declare.
func vuiSignal(data []byte, m *meta, i *item) signal {
	s := signal{matrix: 2}
	sps := func(nal []byte) error {
		if len(nal) < 2 || nal[0]>>1&0x3F != 33 { // SPS_NUT
			return nil
		}
		if v, err := parseHEVCSPS(nal); err == nil {
			s = signal{matrix: v.matrix, full: v.full}
		}
		return nil
	}
	if k, ok := m.firstProp(i, "hvcC"); ok {
		if lenSize, err := hvcCUnits(m.props[k].data, sps); err == nil {
			nalUnits(itemData(data, m, i), lenSize, sps) // what it read before an error stands
		}
	}
	if s.matrix >= 11 {
		s.matrix = 2
	}
	return s
}

// krKb returns the luma weights of red and blue for the matrix of s, and
// false for matrices 0 and 8, which have none. A matrix that H.273
// reserves, or that needs more than weights (11, 14: SMPTE ST 2085,
// ICtCp), is taken as BT.601, and BT.2020 constant luminance (10) as
// non-constant (9), as libheif does.
func krKb(s signal) (kr, kb float64, ok bool) {
	switch s.matrix {
	case 0, 8:
		return 0, 0, false
	case 1:
		return 0.2126, 0.0722, true
	case 4:
		return 0.30, 0.11, true
	case 7:
		return 0.212, 0.087, true
	case 9, 10:
		return 0.2627, 0.0593, true
	case 12, 13:
		if kr, kb, ok := krKbOfPrimaries(s.primaries); ok {
			return kr, kb, true
		}
	}
	return 0.299, 0.114, true
}

// primaries are the x, y chromaticities of red, green, blue and white of
// the H.273 ColourPrimaries that libheif knows.
var primaries = map[uint16][8]float64{
	1:  {0.640, 0.330, 0.300, 0.600, 0.150, 0.060, 0.3127, 0.3290},
	4:  {0.67, 0.33, 0.21, 0.71, 0.14, 0.08, 0.310, 0.316},
	5:  {0.64, 0.33, 0.29, 0.60, 0.15, 0.06, 0.3127, 0.3290},
	6:  {0.630, 0.340, 0.310, 0.595, 0.155, 0.070, 0.3127, 0.3290},
	7:  {0.630, 0.340, 0.310, 0.595, 0.155, 0.070, 0.3127, 0.3290},
	8:  {0.681, 0.319, 0.243, 0.692, 0.145, 0.049, 0.310, 0.316},
	9:  {0.708, 0.292, 0.170, 0.797, 0.131, 0.046, 0.3127, 0.3290},
	10: {1, 0, 0, 1, 0, 0, 1.0 / 3, 1.0 / 3},
	11: {0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.314, 0.351},
	12: {0.680, 0.320, 0.265, 0.690, 0.150, 0.060, 0.3127, 0.3290},
	22: {0.630, 0.340, 0.295, 0.605, 0.155, 0.077, 0.3127, 0.3290},
}

// krKbOfPrimaries derives the luma weights from colour primaries (H.273
// equations 39 and 40), for the chromaticity-derived matrices.
func krKbOfPrimaries(code uint16) (kr, kb float64, ok bool) {
	p, ok := primaries[code]
	if !ok {
		return 0, 0, false
	}
	xr, yr, xg, yg, xb, yb, xw, yw := p[0], p[1], p[2], p[3], p[4], p[5], p[6], p[7]
	zr, zg, zb, zw := 1-xr-yr, 1-xg-yg, 1-xb-yb, 1-xw-yw
	d := yw * (xr*(yg*zb-yb*zg) + xg*(yb*zr-yr*zb) + xb*(yr*zg-yg*zr))
	if d == 0 {
		return 0, 0, false
	}
	kr = yr * (xw*(yg*zb-yb*zg) + yw*(xb*zg-xg*zb) + zw*(xg*yb-xb*yg)) / d
	kb = yb * (xw*(yr*zg-yg*zr) + yw*(xg*zr-xr*zg) + zw*(xr*yg-xg*yr)) / d
	return kr, kb, true
}

// luma returns the luma, from 0 to 255 at full range, that the 8-bit
// sample v of s stands for: if it was coded at bits bits (9 to 16), the
// middle of the samples that libheif cut to v.
func (s signal) luma(v, bits int) float64 {
	m, n := uncut(v, bits)
	if s.full {
		return n * 255 / (256*m - 1)
	}
	return (n - 16*m) * 255 / (219 * m)
}

// chroma is luma for a chroma sample, from -127.5 to 127.5 at full range.
func (s signal) chroma(v, bits int) float64 {
	m, n := uncut(v, bits)
	if s.full {
		return (n - 128*m) * 255 / (256*m - 1)
	}
	return (n - 128*m) * 255 / (224 * m)
}

// uncut returns m, 2^(bits-8), and the sample of bits bits in the middle
// of those that drop to the 8-bit sample v when cut to 8 bits (m is 1,
// and the sample v, for 8 bits or a depth out of range).
func uncut(v, bits int) (m, n float64) {
	m = 1
	if bits > 8 && bits <= 16 {
		m = float64(int(1) << (bits - 8))
	}
	return m, float64(v)*m + (m-1)/2
}
