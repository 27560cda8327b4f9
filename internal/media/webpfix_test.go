package media

import (
	"encoding/binary"
	"image"
	"testing"
)

// bitWriter writes a VP8L bit stream: least significant bit first.
type bitWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *bitWriter) put(v uint32, bits uint) {
	w.acc |= uint64(v) << w.n
	for w.n += bits; w.n >= 8; w.n -= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
	}
}

func (w *bitWriter) bytes() []byte {
	if w.n > 0 {
		return append(w.buf, byte(w.acc))
	}
	return w.buf
}

// encodeVP8L encodes m losslessly, in the simplest legal way: no
// transforms, no colour cache, and for each channel a "simple" prefix code
// of one or two symbols. So it only handles pictures with at most two
// distinct values per channel, which is all the tests need.
func encodeVP8L(t testing.TB, m *image.NRGBA) []byte {
	t.Helper()
	b := m.Bounds()
	var w bitWriter
	w.put(0x2F, 8)
	w.put(uint32(b.Dx()-1), 14)
	w.put(uint32(b.Dy()-1), 14)
	w.put(1, 1) // alpha is used
	w.put(0, 3) // version
	w.put(0, 1) // no transform
	w.put(0, 1) // no colour cache
	w.put(0, 1) // no meta prefix codes

	// VP8L codes green, red, blue, alpha; NRGBA stores R, G, B, A.
	order := [4]int{1, 0, 2, 3}
	var syms [4][]uint8
	for i := 0; i < len(m.Pix); i += 4 {
		for c, ch := range order {
			v := m.Pix[i+ch]
			switch {
			case len(syms[c]) == 0 || len(syms[c]) == 1 && syms[c][0] != v:
				syms[c] = append(syms[c], v)
			case syms[c][0] != v && syms[c][1] != v:
				t.Fatalf("encodeVP8L: more than two values in channel %d", ch)
			}
		}
	}
	for _, s := range syms {
		w.put(1, 1) // simple code
		w.put(uint32(len(s)-1), 1)
		if s[0] < 2 {
			w.put(0, 1)
			w.put(uint32(s[0]), 1)
		} else {
			w.put(1, 1)
			w.put(uint32(s[0]), 8)
		}
		if len(s) == 2 {
			w.put(uint32(s[1]), 8)
		}
	}
	// Distance code: one symbol, never used.
	w.put(1, 1)
	w.put(0, 1)
	w.put(0, 1)
	w.put(0, 1)

	for i := 0; i < len(m.Pix); i += 4 {
		for c, ch := range order {
			if len(syms[c]) == 2 {
				bit := uint32(0)
				if m.Pix[i+ch] == syms[c][1] {
					bit = 1
				}
				w.put(bit, 1)
			}
		}
	}
	return w.bytes()
}

// grayVP8 returns a VP8 key frame of w x h that decodes to flat grey. An
// all-zero first partition decodes as: every header field zero, no
// probability updates, no skipping, every macroblock B_PRED with B_DC_PRED
// sub-blocks and DC chroma; an all-zero token partition makes every block
// end at once. A bool decoder fed zeros yields zeros whatever the
// probabilities, which is what lets the test avoid the probability tables.
func grayVP8(w, h int) []byte {
	const first, tokens = 4096, 1024
	tag := uint32(1<<4 | first<<5) // key frame, version 0, shown
	b := []byte{byte(tag), byte(tag >> 8), byte(tag >> 16), 0x9D, 0x01, 0x2A}
	b = binary.LittleEndian.AppendUint16(b, uint16(w))
	b = binary.LittleEndian.AppendUint16(b, uint16(h))
	return append(b, make([]byte, first+tokens)...)
}

// rawALPH returns an uncompressed, unfiltered ALPH payload.
func rawALPH(alpha []byte) []byte { return append([]byte{0}, alpha...) }

// riffChunk returns a RIFF chunk, padded.
func riffChunk(fourcc string, data []byte) []byte {
	c := append([]byte(fourcc), binary.LittleEndian.AppendUint32(nil, uint32(len(data)))...)
	c = append(c, data...)
	if len(data)%2 == 1 {
		c = append(c, 0)
	}
	return c
}

// riffWebP wraps chunks in a RIFF WEBP header.
func riffWebP(chunks ...[]byte) []byte {
	body := cat(chunks...)
	h := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(body)))...)
	return cat(h, []byte("WEBP"), body)
}

func vp8x(flags byte, w, h int) []byte {
	d := []byte{flags, 0, 0, 0}
	d = append(d, byte(w-1), byte((w-1)>>8), byte((w-1)>>16))
	d = append(d, byte(h-1), byte((h-1)>>8), byte((h-1)>>16))
	return riffChunk("VP8X", d)
}

// anmf returns an ANMF chunk for a frame of w x h at (x, y) (even).
func anmf(x, y, w, h int, sub ...[]byte) []byte {
	d := []byte{
		byte(x / 2), byte(x / 2 >> 8), byte(x / 2 >> 16),
		byte(y / 2), byte(y / 2 >> 8), byte(y / 2 >> 16),
		byte(w - 1), byte((w - 1) >> 8), byte((w - 1) >> 16),
		byte(h - 1), byte((h - 1) >> 8), byte((h - 1) >> 16),
		100, 0, 0, // duration
		0,
	}
	return riffChunk("ANMF", cat(d, cat(sub...)))
}

// twoTone returns a w x h picture with a red top-left quadrant over a
// background colour bg (whose channels are 0 or 255 so the simple VP8L
// encoder can code it).
func twoTone(w, h int, bg [4]uint8) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			i := m.PixOffset(x, y)
			if x < w/2 && y < h/2 {
				copy(m.Pix[i:], []uint8{255, 0, 0, 255})
			} else {
				copy(m.Pix[i:], bg[:])
			}
		}
	}
	return m
}
