package jpeg

// Sequential (baseline and extended) blocks are decoded and transformed
// one at a time, straight into the output plane: no coefficient outlives
// its block.

var (
	errDCSize = FormatError("DC difference longer than 16 bits")
	// errSeqEOBRun is returned for an AC symbol of size 0 with a run of 1
	// to 14, which only progressive scans define. image/jpeg reads it as a
	// progressive EOB run; libjpeg as an end of block.
	errSeqEOBRun = FormatError("EOB run in a sequential scan")
)

// seqBlock decodes a block and writes its reduction at d.scale.
func (d *decoder) seqBlock(sc *scanComp, bx, by int, _ *scan) error {
	last, err := d.decodeBlock(sc)
	if err != nil {
		return err
	}
	c := sc.c
	bs := 8 / c.scale
	idct(c.scale, &d.blk, last, c.plane[by*bs*c.stride+bx*bs:], c.stride)
	return nil
}

// decodeDC decodes the DC difference of a block and returns the new
// dequantized DC value. The caller has made sure d.bits holds 32 bits.
func (d *decoder) decodeDC(sc *scanComp) (int32, error) {
	s, err := d.symbol(sc.dc)
	if err != nil {
		return 0, err
	}
	if s > 16 {
		return 0, errDCSize
	}
	sc.c.pred += extend(d.receive(uint(s)), uint(s))
	dc := sc.c.pred * sc.q[0]
	if uint32(dc+coefLimit) > 2*coefLimit {
		d.noteQuirk("coefficient out of range")
	}
	return dc, nil
}

// decodeBlock decodes one block into d.blk, dequantized, in natural order.
// It returns the zig-zag index of the last coefficient it set.
func (d *decoder) decodeBlock(sc *scanComp) (int, error) {
	blk := &d.blk
	*blk = [64]int32{}
	if d.bits.n < 32 {
		d.fillBits()
	}
	dc, err := d.decodeDC(sc)
	if err != nil {
		return 0, err
	}
	blk[0] = dc
	ac, q := sc.ac, sc.q
	acc, n := d.bits.acc, d.bits.n
	last := 0
	for k := 1; k < 64; {
		if n < 32 {
			d.bits.acc, d.bits.n = acc, n
			d.fillBits()
			acc, n = d.bits.acc, d.bits.n
		}
		var rs uint8
		var l uint
		if e := ac.lut[acc>>(64-lutBits)]; e != 0 {
			rs, l = uint8(e), uint(e>>8)
		} else if rs, l = ac.slowSymbol(acc); l == 0 {
			return 0, errBadCode
		}
		acc <<= l
		n -= l
		r, s := int(rs>>4), uint(rs&0x0F)
		if s == 0 {
			if r == 15 {
				k += 16
				continue
			}
			if r != 0 {
				d.bits.acc, d.bits.n = acc, n // what it read, for blockErr
				return 0, errSeqEOBRun
			}
			break
		}
		// A run past the end ends the block without reading the value,
		// as in image/jpeg (libjpeg discards the value instead).
		if k += r; k > 63 {
			break
		}
		v := int32(acc >> (64 - s))
		acc <<= s
		n -= s
		if v < 1<<(s-1) {
			v -= 1<<s - 1
		}
		v *= q[k&63]
		if uint32(v+coefLimit) > 2*coefLimit {
			d.noteQuirk("coefficient out of range")
		}
		blk[zigzag[k&63]] = v
		last = k
		k++
	}
	d.bits.acc, d.bits.n = acc, n
	return last, nil
}

// seqBlockDC is seqBlock at scale 8: it checks the AC coefficients without
// storing them.
func (d *decoder) seqBlockDC(sc *scanComp, bx, by int, _ *scan) error {
	if d.bits.n < 32 {
		d.fillBits()
	}
	dc, err := d.decodeDC(sc)
	if err != nil {
		return err
	}
	c := sc.c
	c.plane[by*c.stride+bx] = dcValue(dc)
	ac := sc.ac
	acc, n := d.bits.acc, d.bits.n
	for k := 1; k < 64; {
		if n < 32 {
			d.bits.acc, d.bits.n = acc, n
			d.fillBits()
			acc, n = d.bits.acc, d.bits.n
		}
		var rs uint8
		var l uint
		if e := ac.lut[acc>>(64-lutBits)]; e != 0 {
			rs, l = uint8(e), uint(e>>8)
		} else if rs, l = ac.slowSymbol(acc); l == 0 {
			return errBadCode
		}
		r, s := int(rs>>4), uint(rs&0x0F)
		if s == 0 {
			acc <<= l
			n -= l
			if r == 15 {
				k += 16
				continue
			}
			if r != 0 {
				d.bits.acc, d.bits.n = acc, n // what it read, for blockErr
				return errSeqEOBRun
			}
			break
		}
		if k += r; k > 63 {
			acc <<= l
			n -= l
			break
		}
		acc <<= l + s
		n -= l + s
		k++
	}
	d.bits.acc, d.bits.n = acc, n
	return nil
}
