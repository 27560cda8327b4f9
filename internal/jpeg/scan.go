package jpeg

import (
	"errors"
	"fmt"
)

// zigzag maps a zig-zag index (T.81 figure A.6) to its natural-order
// position row*8+column.
var zigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10,
	17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34,
	27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36,
	29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46,
	53, 60, 61, 54, 47, 55, 62, 63,
}

// coefLimit bounds the dequantized coefficients an 8-bit encoder produces
// (|F| <= 2048 plus half a quantization step); beyond it the file is
// corrupt, and rounding differences between IDCTs are no longer small.
const coefLimit = 4096

// maxScans bounds the scans of a file. A progressive encoder writes about
// ten; a scan made of one EOB run covers the whole picture in two bytes, so
// without a bound a small file could keep the decoder busy for minutes.
const maxScans = 500

var errTooManyScans = FormatError(fmt.Sprintf("more than %d scans", maxScans))

// scanComp is a component as a scan codes it.
type scanComp struct {
	c      *component
	ci     int // index in decoder.comp
	dc, ac *huffTable
	q      *[64]int32
}

// scan is a scan header (T.81 B.2.3).
type scan struct {
	comps          [maxComponents]scanComp
	n              int
	ss, se, ah, al int
}

// blockFunc decodes the block (bx, by) of a scan component.
type blockFunc func(d *decoder, sc *scanComp, bx, by int, s *scan) error

// processSOS reads a scan header and decodes the scan.
func (d *decoder) processSOS(n int) error {
	if !d.sofSeen {
		return FormatError("missing SOF marker")
	}
	if n < 6 || n > 4+2*d.nComp || n%2 != 0 {
		return FormatError("SOS has wrong length")
	}
	if d.scans++; d.scans > maxScans {
		return errTooManyScans
	}
	var b [4 + 2*maxComponents]byte
	if err := d.in.readFull(b[:n]); err != nil {
		return err
	}
	var s scan
	s.n = int(b[0])
	if n != 4+2*s.n {
		return FormatError("SOS length inconsistent with number of components")
	}
	totalHV := 0
	for i := range s.n {
		id, tables := b[1+2*i], b[2+2*i]
		ci := -1
		for j := range d.nComp {
			if d.comp[j].id == id {
				ci = j
			}
		}
		if ci < 0 {
			return FormatError("unknown component selector")
		}
		for j := range i {
			if s.comps[j].ci == ci {
				return FormatError("repeated component selector")
			}
		}
		td, ta := tables>>4, tables&0x0F
		if td > 3 || d.baseline && td > 1 {
			return FormatError("bad Td value")
		}
		if ta > 3 || d.baseline && ta > 1 {
			return FormatError("bad Ta value")
		}
		c := &d.comp[ci]
		s.comps[i] = scanComp{c: c, ci: ci, dc: &d.huff[0][td], ac: &d.huff[1][ta], q: &d.quant[c.tq]}
		totalHV += d.h[ci] * d.v[ci]
	}
	if s.n > 1 && totalHV > 10 {
		return FormatError("total sampling factors too large")
	}
	s.se = 63
	if d.progressive {
		p := b[1+2*s.n:]
		s.ss, s.se, s.ah, s.al = int(p[0]), int(p[1]), int(p[2]>>4), int(p[2]&0x0F)
		if s.ss == 0 && s.se != 0 || s.ss > s.se || s.se > 63 {
			return FormatError("bad spectral selection bounds")
		}
		if s.ss != 0 && s.n != 1 {
			return FormatError("progressive AC coefficients for more than one component")
		}
		if s.ah != 0 && s.ah != s.al+1 {
			return FormatError("bad successive approximation values")
		}
	}
	if !d.scanSeen {
		if err := d.startImage(); err != nil {
			return err
		}
		d.scanSeen = true
	}
	fn, needDC, needAC := d.blockDecoder(&s)
	for i := range s.n {
		sc := &s.comps[i]
		if needDC && !sc.dc.defined || needAC && !sc.ac.defined {
			return FormatError("missing Huffman table")
		}
		if d.progressive && sc.c.coef == nil {
			sc.c.allocCoefs()
		}
	}
	return d.decodeScan(&s, fn)
}

// blockDecoder picks the block decoder for a scan and says which tables it
// uses.
func (d *decoder) blockDecoder(s *scan) (fn blockFunc, needDC, needAC bool) {
	dcOnly := true
	for i := range s.n {
		dcOnly = dcOnly && s.comps[i].c.scale == 8
	}
	switch {
	case !d.progressive && dcOnly:
		return (*decoder).seqBlockDC, true, true
	case !d.progressive:
		return (*decoder).seqBlock, true, true
	case s.ss == 0 && s.ah == 0:
		return (*decoder).dcFirst, true, false
	case s.ss == 0:
		return (*decoder).dcRefine, false, false
	case s.ah == 0:
		return (*decoder).acFirst, false, true
	}
	return (*decoder).acRefine, false, true
}

// decodeScan runs fn over the blocks of a scan in coding order (T.81
// A.2), handling restart intervals, and checks after each block that it
// did not read past the scan's data.
func (d *decoder) decodeScan(s *scan, fn blockFunc) error {
	d.bits = bitReader{}
	d.eobRun = 0
	for i := range s.n {
		s.comps[i].c.pred = 0
	}
	ri := d.restartInterval
	left, rst := ri, 0
	// restart is due before every MCU but the first of each interval.
	restart := func() error {
		if left == 0 {
			if err := d.restart(rst); err != nil {
				return err
			}
			rst = (rst + 1) & 7
			left = ri
			d.eobRun = 0
			for i := range s.n {
				s.comps[i].c.pred = 0
			}
		}
		left--
		return nil
	}
	if s.n == 1 {
		sc := &s.comps[0]
		if ri > 0 && d.h[sc.ci]*d.v[sc.ci] > 1 {
			d.noteQuirk("restart interval in a non-interleaved scan of a subsampled component")
		}
		for by := range sc.c.cbh {
			for bx := range sc.c.cbw {
				if ri > 0 {
					if err := restart(); err != nil {
						return err
					}
				}
				if err := fn(d, sc, bx, by, s); err != nil {
					return d.blockErr(err)
				}
				if d.bits.n < d.bits.pad {
					return d.overrun()
				}
			}
		}
	} else {
		for my := range d.mcusY {
			for mx := range d.mcusX {
				if ri > 0 {
					if err := restart(); err != nil {
						return err
					}
				}
				for i := range s.n {
					sc := &s.comps[i]
					h, v := d.h[sc.ci], d.v[sc.ci]
					for y := range v {
						for x := range h {
							if err := fn(d, sc, mx*h+x, my*v+y, s); err != nil {
								return d.blockErr(err)
							}
							if d.bits.n < d.bits.pad {
								return d.overrun()
							}
						}
					}
				}
			}
		}
	}
	if d.eobRun > 0 {
		// image/jpeg carries it into the next scan; T.81 and libjpeg do not.
		d.noteQuirk("EOB run past the end of a scan")
	}
	// Bytes read ahead into the accumulator are dropped, as the marker
	// search would skip them.
	d.bits = bitReader{}
	return nil
}

// blockErr attributes a block's error to the end of the scan data when the
// block read into the padding: the bits it choked on were made up. A
// symbol it decoded and refused used the bits it consumed, which d.bits
// counts; a code that matched nothing may have looked up to 16 bits past
// them.
func (d *decoder) blockErr(err error) error {
	switch {
	case d.bits.stop == flowing:
	case d.bits.n < d.bits.pad:
		return d.overrun()
	case errors.Is(err, errBadCode) && d.bits.n < d.bits.pad+16:
		return d.overrun()
	}
	return err
}
