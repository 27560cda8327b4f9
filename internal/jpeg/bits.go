package jpeg

import (
	"encoding/binary"
	"fmt"
)

// bitReader holds entropy-coded bits, most significant first, in the top
// n bits of acc; the bits below them are zero.
//
// When the data of a scan ends (a marker or the end of the input), fillBits
// goes on supplying zero bits and counts them in pad. Decoding never stops
// to check: the scan loop checks after each block that n >= pad, that is,
// that no padding was consumed. This keeps the hot loops free of error
// paths and refuses exactly the files whose scans need more bits than they
// have, as image/jpeg does.
type bitReader struct {
	acc  uint64
	n    uint
	pad  uint
	stop stopReason
}

type stopReason uint8

const (
	flowing    stopReason = iota
	atMarker              // input.buf[input.i] is the 0xFF of a marker
	atInputEnd            // the input ended or failed; see decoder.readErr
)

// fillBits tops up d.bits to at least 57 bits.
func (d *decoder) fillBits() {
	b, in := &d.bits, &d.in
	for b.n <= 56 {
		if b.stop != flowing {
			b.n += 8
			b.pad += 8
			continue
		}
		if in.j-in.i >= 8 {
			w := binary.BigEndian.Uint64(in.buf[in.i:])
			if !hasFF(w) {
				k := (64 - b.n) >> 3 // whole bytes that fit
				b.acc |= w >> (64 - 8*k) << (64 - b.n - 8*k)
				b.n += 8 * k
				in.i += int(k)
				continue
			}
		}
		if in.i == in.j {
			if err := in.fill(); err != nil {
				d.stopAtEnd(err)
				continue
			}
		}
		c := in.buf[in.i]
		if c == 0xFF {
			if in.i+1 == in.j {
				if err := in.fill(); err != nil {
					d.stopAtEnd(err)
					continue
				}
			}
			if in.buf[in.i+1] != 0 {
				b.stop = atMarker
				continue
			}
			in.i++ // the stuffed zero
		}
		in.i++
		b.acc |= uint64(c) << (56 - b.n)
		b.n += 8
	}
}

func (d *decoder) stopAtEnd(err error) {
	d.bits.stop = atInputEnd
	if d.readErr == nil {
		d.readErr = err
	}
}

// hasFF reports whether any byte of w is 0xFF.
func hasFF(w uint64) bool {
	const lo, hi = 0x0101010101010101, 0x8080808080808080
	x := ^w
	return (x-lo)&^x&hi != 0
}

// overrun returns the error for a block that consumed padding bits.
func (d *decoder) overrun() error {
	if d.bits.stop == atInputEnd {
		return fmt.Errorf("jpeg: scan data cut short: %w", d.readErr)
	}
	return FormatError("scan data ends before the scan does")
}

// restart discards the bits left in the current restart interval and
// consumes the restart marker RSTn that must follow it. Like image/jpeg, it
// skips bytes that are not a marker before it; any other marker is an error.
func (d *decoder) restart(n int) error {
	d.bits = bitReader{}
	want := byte(0xD0 + n)
	for {
		c, err := d.in.readByte()
		if err != nil {
			return err
		}
		if c != 0xFF {
			continue
		}
		m := byte(0xFF)
		for m == 0xFF {
			if m, err = d.in.readByte(); err != nil {
				return err
			}
		}
		switch m {
		case 0:
			continue
		case want:
			return nil
		}
		return FormatError(fmt.Sprintf("expected restart marker RST%d, found marker 0x%02X", n, m))
	}
}
