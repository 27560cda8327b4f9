package jpeg

// lutBits is the number of bits the Huffman look-up table resolves at once;
// longer codes take the slow path.
const lutBits = 9

// huffTable is a Huffman decoding table (T.81 annex C and F.2.2.3).
type huffTable struct {
	// lut maps the next lutBits bits to length<<8 | symbol, or to 0 when
	// the code is longer than lutBits (or invalid).
	lut [1 << lutBits]uint16
	// maxCode[l] is the largest code of length l, or -1 if there is none;
	// a code of length l has its symbol at vals[code+valOffset[l]].
	maxCode   [17]int32
	valOffset [17]int32
	vals      [256]uint8
	defined   bool
}

// errBadHuffmanTable is returned for a table whose counts cannot form a
// prefix code; image/jpeg accepts such tables, libjpeg does not.
var errBadHuffmanTable = FormatError("Huffman table is over-subscribed or uses an all-ones code")

// build derives t from the code counts per length (counts[l-1] codes of
// length l) and the symbols in code order.
func (t *huffTable) build(counts *[16]uint8, vals []uint8) error {
	*t = huffTable{}
	copy(t.vals[:], vals)
	code, k := int32(0), int32(0)
	for l := int32(1); l <= 16; l++ {
		n := int32(counts[l-1])
		// T.81 C.2: the codes of length l must fit in l bits, and, as
		// libjpeg requires, leave out the code made of ones only.
		if code+n >= 1<<l {
			return errBadHuffmanTable
		}
		t.maxCode[l] = -1
		if n > 0 {
			t.valOffset[l] = k - code
			for range n {
				if l <= lutBits {
					e := uint16(l)<<8 | uint16(t.vals[k])
					lo := code << (lutBits - l)
					for i := range int32(1) << (lutBits - l) {
						t.lut[lo+i] = e
					}
				}
				code++
				k++
			}
			t.maxCode[l] = code - 1
		}
		code <<= 1
	}
	t.defined = true
	return nil
}

// slowSymbol decodes a code longer than lutBits from the top of acc. It
// returns the symbol and code length, or length 0 if no code matches.
func (t *huffTable) slowSymbol(acc uint64) (sym uint8, length uint) {
	for l := uint(lutBits + 1); l <= 16; l++ {
		code := int32(acc >> (64 - l))
		if code <= t.maxCode[l] {
			return t.vals[code+t.valOffset[l]], l
		}
	}
	return 0, 0
}

var errBadCode = FormatError("bad Huffman code")

// symbol decodes one Huffman-coded symbol. The caller has made sure that
// d.bits holds at least 16 bits.
func (d *decoder) symbol(t *huffTable) (uint8, error) {
	b := &d.bits
	if e := t.lut[b.acc>>(64-lutBits)]; e != 0 {
		l := uint(e >> 8)
		b.acc <<= l
		b.n -= l
		return uint8(e), nil
	}
	s, l := t.slowSymbol(b.acc)
	if l == 0 {
		return 0, errBadCode
	}
	b.acc <<= l
	b.n -= l
	return s, nil
}

// receive returns the next s bits (s <= 16) as an unsigned value. The
// caller has made sure that d.bits holds them.
func (d *decoder) receive(s uint) int32 {
	b := &d.bits
	v := int32(b.acc >> 1 >> (63 - s)) // s == 0 yields 0
	b.acc <<= s
	b.n -= s
	return v
}

// extend maps the s-bit value v to its signed coefficient (T.81 F.2.2.1).
func extend(v int32, s uint) int32 {
	if s > 0 && v < 1<<(s-1) {
		v -= 1<<s - 1
	}
	return v
}

// processDHT reads a DHT segment of n bytes (T.81 B.2.4.2).
func (d *decoder) processDHT(n int) error {
	for n > 0 {
		if n < 17 {
			return FormatError("DHT has wrong length")
		}
		var hdr [17]byte
		if err := d.in.readFull(hdr[:]); err != nil {
			return err
		}
		tc, th := hdr[0]>>4, hdr[0]&0x0F
		if tc > 1 {
			return FormatError("bad Tc value")
		}
		if th > 3 || (d.baseline && th > 1) {
			return FormatError("bad Th value")
		}
		var counts [16]uint8
		copy(counts[:], hdr[1:])
		total := 0
		for _, c := range counts {
			total += int(c)
		}
		if total == 0 {
			return FormatError("Huffman table has zero length")
		}
		if total > 256 {
			return FormatError("Huffman table has excessive length")
		}
		n -= 17 + total
		if n < 0 {
			return FormatError("DHT has wrong length")
		}
		var vals [256]byte
		if err := d.in.readFull(vals[:total]); err != nil {
			return err
		}
		if err := d.huff[tc][th].build(&counts, vals[:total]); err != nil {
			return err
		}
	}
	return nil
}
