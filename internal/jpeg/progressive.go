package jpeg

import "math/bits"

// Progressive scans (T.81 G.1.2) accumulate quantized coefficients;
// reconstruct transforms them once all scans are read. Each block keeps a
// bitmap of its non-zero coefficients, which is all refinement scans need
// to be parsed, and the values of those the reduced IDCT reads (keepSet),
// 16 bits each: all 64 at 1/1, 49 at 1/2, 25 at 1/4, the DC alone at 1/8.

var (
	errRefineSymbol = FormatError("unexpected Huffman code in a refinement scan")
	errRefineRun    = FormatError("too many coefficients in a refinement scan")
)

// keepSet lists the coefficients kept at a scale.
type keepSet struct {
	n    int
	mask uint64   // bit k is set if zig-zag index k is kept
	slot [64]int8 // by zig-zag index: where its value is kept, or -1
}

// keepSets is indexed by log2(scale).
var keepSets = [4]keepSet{newKeepSet(1), newKeepSet(2), newKeepSet(4), newKeepSet(8)}

// newKeepSet keeps, at 1/scale, the coefficients whose frequencies the
// reduced IDCT uses (see idct.go).
func newKeepSet(scale int) keepSet {
	used := func(f int) bool {
		switch scale {
		case 2:
			return f != 4
		case 4:
			return f == 0 || f%2 == 1
		case 8:
			return f == 0
		}
		return true
	}
	var ks keepSet
	for k, p := range zigzag {
		ks.slot[k] = -1
		if used(int(p)/8) && used(int(p)%8) {
			ks.slot[k] = int8(ks.n)
			ks.mask |= 1 << k
			ks.n++
		}
	}
	return ks
}

func keepSetFor(scale int) *keepSet {
	switch scale {
	case 2:
		return &keepSets[1]
	case 4:
		return &keepSets[2]
	case 8:
		return &keepSets[3]
	}
	return &keepSets[0]
}

// allocCoefs allocates the progressive state of component c.
func (c *component) allocCoefs() {
	c.keep = keepSetFor(c.scale)
	c.coef = make([]int16, c.bw*c.bh*c.keep.n)
	c.nz = make([]uint64, c.bw*c.bh)
}

// block returns the index and the kept values of block (bx, by).
func (c *component) block(bx, by int) (int, []int16) {
	b := by*c.bw + bx
	n := c.keep.n
	return b, c.coef[b*n : b*n+n : b*n+n]
}

// store sets *p to v, noting when v does not fit 16 bits (only a corrupt
// file gets there: 8-bit coefficients have 12).
func (d *decoder) store(p *int16, v int32) {
	if int32(int16(v)) != v {
		d.noteQuirk("coefficient overflows 16 bits")
	}
	*p = int16(v)
}

// bit returns the next bit.
func (d *decoder) bit() int32 {
	if d.bits.n == 0 {
		d.fillBits()
	}
	v := int32(d.bits.acc >> 63)
	d.bits.acc <<= 1
	d.bits.n--
	return v
}

// dcFirst decodes the first scan of DC coefficients.
func (d *decoder) dcFirst(sc *scanComp, bx, by int, s *scan) error {
	if d.bits.n < 32 {
		d.fillBits()
	}
	t, err := d.symbol(sc.dc)
	if err != nil {
		return err
	}
	if t > 16 {
		return errDCSize
	}
	sc.c.pred += extend(d.receive(uint(t)), uint(t))
	_, vals := sc.c.block(bx, by)
	d.store(&vals[0], sc.c.pred<<s.al)
	return nil
}

// dcRefine adds one bit to a DC coefficient.
func (d *decoder) dcRefine(sc *scanComp, bx, by int, s *scan) error {
	_, vals := sc.c.block(bx, by)
	d.store(&vals[0], int32(vals[0])|d.bit()<<s.al)
	return nil
}

// acFirst decodes the first scan of a band of AC coefficients.
func (d *decoder) acFirst(sc *scanComp, bx, by int, s *scan) error {
	if d.eobRun > 0 {
		d.eobRun--
		return nil
	}
	c := sc.c
	b, vals := c.block(bx, by)
	for k := s.ss; k <= s.se; {
		if d.bits.n < 32 {
			d.fillBits()
		}
		rs, err := d.symbol(sc.ac)
		if err != nil {
			return err
		}
		r, t := int(rs>>4), uint(rs&0x0F)
		if t == 0 {
			if r < 15 {
				d.eobRun = 1<<r + int(d.receive(uint(r))) - 1
				return nil
			}
			k += 16
			continue
		}
		// A run past the band ends the block, as in image/jpeg.
		if k += r; k > s.se {
			return nil
		}
		v := extend(d.receive(t), t) << s.al
		c.nz[b] |= 1 << k
		if j := c.keep.slot[k&63]; j >= 0 {
			d.store(&vals[j], v)
		}
		k++
	}
	return nil
}

// acRefine adds one bit to a band of AC coefficients: a correction bit to
// each coefficient that is already non-zero, and new coefficients of
// magnitude 1<<al (T.81 G.1.2.3). It keeps the bit reader in locals: most
// of a refinement scan is correction bits.
func (d *decoder) acRefine(sc *scanComp, bx, by int, s *scan) error {
	c := sc.c
	b, vals := c.block(bx, by)
	nz := c.nz[b]
	p1 := int32(1) << s.al
	k, se := s.ss, s.se
	acc, n := d.bits.acc, d.bits.n
	refill := func() {
		d.bits.acc, d.bits.n = acc, n
		d.fillBits()
		acc, n = d.bits.acc, d.bits.n
	}
	if d.eobRun == 0 {
		for ; k <= se; k++ {
			if n < 32 {
				refill()
			}
			var rs uint8
			var l uint
			if e := sc.ac.lut[acc>>(64-lutBits)]; e != 0 {
				rs, l = uint8(e), uint(e>>8)
			} else if rs, l = sc.ac.slowSymbol(acc); l == 0 {
				return errBadCode
			}
			acc <<= l
			n -= l
			r, t := int(rs>>4), rs&0x0F
			var z int32
			switch t {
			case 0:
				if r < 15 {
					d.eobRun = 1<<r + int(acc>>1>>(63-uint(r)))
					acc <<= uint(r)
					n -= uint(r)
				}
			case 1:
				z = p1
				if acc>>63 == 0 {
					z = -p1
				}
				acc <<= 1
				n--
			default:
				d.bits.acc, d.bits.n = acc, n // what it read, for blockErr
				return errRefineSymbol
			}
			if d.eobRun > 0 {
				break
			}
			// Skip r zero coefficients, correcting the non-zero ones on
			// the way, and stop on the next zero one.
			for ; k <= se; k++ {
				if nz>>k&1 != 0 {
					if n == 0 {
						refill()
					}
					bit := acc >> 63
					acc <<= 1
					n--
					if bit != 0 {
						d.correct(c, vals, k, p1)
					}
				} else if r == 0 {
					break
				} else {
					r--
				}
			}
			if k > se {
				d.bits.acc, d.bits.n = acc, n // what it read, for blockErr
				return errRefineRun
			}
			if z != 0 {
				nz |= 1 << k
				if j := c.keep.slot[k]; j >= 0 {
					vals[j] = int16(z)
				}
			}
		}
	}
	if d.eobRun > 0 {
		d.eobRun--
		for m := nz >> k << k & (^uint64(0) >> (63 - se)); m != 0; m &= m - 1 {
			if n == 0 {
				refill()
			}
			bit := acc >> 63
			acc <<= 1
			n--
			if bit != 0 {
				d.correct(c, vals, bits.TrailingZeros64(m), p1)
			}
		}
	}
	d.bits.acc, d.bits.n = acc, n
	c.nz[b] = nz
	return nil
}

// correct adds p1 to the magnitude of the non-zero coefficient k.
func (d *decoder) correct(c *component, vals []int16, k int, p1 int32) {
	j := c.keep.slot[k&63]
	if j < 0 {
		return
	}
	v := int32(vals[j])
	if v >= 0 {
		v += p1
	} else {
		v -= p1
	}
	d.store(&vals[j], v)
}

// reconstruct dequantizes and transforms the coefficients of every
// component a scan touched, at d.scale, into its plane. Like image/jpeg it
// uses the quantization tables in force at the end of the file.
func (d *decoder) reconstruct() {
	for i := range d.nComp {
		c := &d.comp[i]
		if c.coef == nil {
			continue
		}
		bs := 8 / c.scale
		q := &d.quant[c.tq]
		mask := c.keep.mask &^ 1 // the DC coefficient is always there
		for by := range c.cbh {
			for bx := range c.cbw {
				b, src := c.block(bx, by)
				dst := c.plane[by*bs*c.stride+bx*bs:]
				d.blk[0] = d.dequant(int32(src[0]) * q[0])
				last := 0
				acs := c.nz[b] & mask
				for m := acs; m != 0; m &= m - 1 {
					k := bits.TrailingZeros64(m)
					d.blk[zigzag[k]] = d.dequant(int32(src[c.keep.slot[k]]) * q[k])
					last = k
				}
				idct(c.scale, &d.blk, last, dst, c.stride)
				d.blk[0] = 0
				for m := acs; m != 0; m &= m - 1 {
					d.blk[zigzag[bits.TrailingZeros64(m)]] = 0
				}
			}
		}
	}
}

// dequant notes an out-of-range dequantized coefficient and returns it.
func (d *decoder) dequant(v int32) int32 {
	if uint32(v+coefLimit) > 2*coefLimit {
		d.noteQuirk("coefficient out of range")
	}
	return v
}
