package heif

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/chatpic/chatpic"
)

// The decoders allocate for the picture size their bitstream declares (an
// HEVC sequence parameter set, an AV1 sequence header), not the ispe box
// Probe checked; and the heic and avif packages size their output buffers
// from ispe but fill them at the bitstream's size. So before decoding, the
// size declared in every parameter set of every coded item, in its
// configuration property and in its data, must be the item's ispe.

var errBits = errors.New("heif: bitstream ends early")

// bits reads a bitstream most significant bit first.
type bits struct {
	p   []byte
	pos int // in bits
	err error
}

func (b *bits) u(n int) uint64 {
	var v uint64
	for range n {
		if b.pos >= 8*len(b.p) {
			b.err = errBits
			return 0
		}
		v = v<<1 | uint64(b.p[b.pos/8]>>(7-b.pos%8)&1)
		b.pos++
	}
	return v
}

// ue reads an Exp-Golomb code (HEVC ue(v)).
func (b *bits) ue() uint64 {
	zeros := 0
	for b.u(1) == 0 && b.err == nil {
		if zeros++; zeros > 31 {
			b.err = errBits
			return 0
		}
	}
	return 1<<zeros - 1 + b.u(zeros)
}

// unescape removes HEVC emulation prevention bytes (00 00 03).
func unescape(p []byte) []byte {
	out := make([]byte, 0, len(p))
	zeros := 0
	for _, c := range p {
		if zeros >= 2 && c == 3 {
			zeros = 0
			continue
		}
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
		out = append(out, c)
	}
	return out
}

// av1SequenceSize returns the largest frame size an AV1 sequence header
// OBU payload declares.
func av1SequenceSize(p []byte) (int, int, error) {
	b := &bits{p: p}
	b.u(3)           // seq_profile
	b.u(1)           // still_picture
	if b.u(1) == 1 { // reduced_still_picture_header
		b.u(5)
	} else {
		delayLen := 0
		decoderModel := false
		if b.u(1) == 1 { // timing_info_present_flag
			b.u(64)
			if b.u(1) == 1 { // equal_picture_interval
				b.ue() // uvlc has the same form
			}
			if decoderModel = b.u(1) == 1; decoderModel {
				delayLen = int(b.u(5)) + 1
				b.u(32 + 5 + 5)
			}
		}
		initialDelay := b.u(1) == 1
		for range b.u(5) + 1 { // operating points
			b.u(12)
			if b.u(5) > 7 {
				b.u(1)
			}
			if decoderModel && b.u(1) == 1 {
				b.u(2*delayLen + 1)
			}
			if initialDelay && b.u(1) == 1 {
				b.u(4)
			}
		}
	}
	wb, hb := int(b.u(4))+1, int(b.u(4))+1
	w, h := b.u(wb)+1, b.u(hb)+1
	return int(w), int(h), b.err
}

// obus calls f with the type and payload of each OBU in p, which holds OBUs
// with size fields (as av1C and AVIF item data do).
func obus(p []byte, f func(typ byte, payload []byte) error) error {
	for len(p) > 0 {
		h := p[0]
		n := 1
		if h&0x04 != 0 { // extension header
			n++
		}
		if n > len(p) {
			return errBits
		}
		size, k := uint64(len(p)-n), 0 // without a size field, the OBU runs to the end
		if h&0x02 != 0 {
			size, k = binary.Uvarint(p[n:]) // leb128 is little-endian base 128, as uvarint
			if k <= 0 || size > uint64(len(p)-n-k) {
				return errBits
			}
		}
		payload := p[n+k : n+k+int(size)]
		if err := f(h>>3&0x0F, payload); err != nil {
			return err
		}
		p = p[n+k+int(size):]
	}
	return nil
}

// nalUnits calls f with each NAL unit of HEVC item data, whose units are
// prefixed with their length in lenSize bytes.
func nalUnits(p []byte, lenSize int, f func(nal []byte) error) error {
	for len(p) > 0 {
		if len(p) < lenSize {
			return errBits
		}
		var n uint64
		for _, c := range p[:lenSize] {
			n = n<<8 | uint64(c)
		}
		p = p[lenSize:]
		if n > uint64(len(p)) {
			return errBits
		}
		if err := f(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// checkBitstreams checks, in data, the whole file, that every coded item
// of p declares the size its ispe does. A configuration property shared
// by many items of one size is read once.
func checkBitstreams(data []byte, p *probed) error {
	m := p.meta
	type cfgKey struct{ prop, w, h int }
	type cfgResult struct {
		seen    bool // it declared the size
		lenSize int  // hvcC: bytes of the NAL unit length prefix
	}
	checked := map[cfgKey]cfgResult{}
	for _, id := range p.codedItems {
		i := m.byID[id]
		w, h, err := ispe(m, i)
		if err != nil {
			return err
		}
		seen := false
		match := func(sw, sh int, err error) error {
			if err != nil {
				return damaged("heif: item %d: reading its parameters: %w", id, err)
			}
			if sw != w || sh != h {
				return damaged("heif: item %d is coded as %dx%d, its ispe says %dx%d", id, sw, sh, w, h)
			}
			seen = true
			return nil
		}
		cfgType := "hvcC"
		if i.typ == "av01" {
			cfgType = "av1C"
		}
		k, ok := m.firstProp(i, cfgType)
		if !ok || cfgType == "av1C" && len(m.props[k].data) < 4 {
			return damaged("heif: item %d has no %s", id, cfgType)
		}
		cfg := m.props[k].data
		key := cfgKey{k, w, h}
		res, done := checked[key]
		switch i.typ {
		case "av01":
			seq := func(typ byte, payload []byte) error {
				if typ != 1 { // OBU_SEQUENCE_HEADER
					return nil
				}
				return match(av1SequenceSize(payload))
			}
			if !done {
				err = obus(cfg[4:], seq)
			}
			if err == nil {
				err = obus(itemData(data, m, i), seq)
			}
		case "hvc1":
			sps := func(nal []byte) error {
				if len(nal) < 2 || nal[0]>>1&0x3F != 33 { // SPS_NUT
					return nil
				}
				s, err := parseHEVCSPS(nal)
				return match(s.w, s.h, err)
			}
			if !done {
				res.lenSize, err = hvcCUnits(cfg, sps)
			}
			if err == nil {
				err = nalUnits(itemData(data, m, i), res.lenSize, sps)
			}
		}
		if _, ok := errors.AsType[*chatpic.Error](err); err != nil && !ok {
			err = damaged("heif: item %d: %w", id, err)
		}
		if err != nil {
			return err
		}
		if !done {
			res.seen = seen
			checked[key] = res
		}
		if !seen && !res.seen {
			return damaged("heif: item %d declares no picture size", id)
		}
	}
	return nil
}

// hvcCUnits calls f with each NAL unit in the hvcC payload p and returns
// the size of the length prefix of NAL units in the item data.
func hvcCUnits(p []byte, f func(nal []byte) error) (int, error) {
	c := cursor{p: p}
	c.take(21)
	lenSize := int(c.u8()&3) + 1
	for range c.u8() {
		c.u8() // NAL unit type
		for range c.u16() {
			nal := c.take(int(c.u16()))
			if c.err != nil {
				return 0, errBits
			}
			if err := f(nal); err != nil {
				return 0, err
			}
		}
	}
	if c.err != nil {
		return 0, errBits
	}
	if lenSize == 3 {
		return 0, fmt.Errorf("heif: NAL length of 3 bytes")
	}
	return lenSize, nil
}

// itemData returns the bytes of item i in data, the whole file. Probe
// checked that its extents lie within the file or idat.
func itemData(data []byte, m *meta, i *item) []byte {
	src := data
	if i.method == 1 {
		src = data[m.idat.off:m.idat.end()]
	}
	var out []byte
	for _, e := range i.extents {
		end := e.off + e.len
		if e.len == 0 {
			end = uint64(len(src))
		}
		out = append(out, src[e.off:end]...)
	}
	return out
}
