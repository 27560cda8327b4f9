package media

import (
	"encoding/binary"
	"image"
	"io"
)

// VP8X flags that are kept: colour profile, alpha and animation. The EXIF
// and XMP flags and the reserved bits are cleared.
const (
	vp8xICC   = 0x20
	vp8xAlpha = 0x10
	vp8xAnim  = 0x02
)

// webpChunk is a chunk to write: its data comes from src at off, or from
// data when that is set.
type webpChunk struct {
	fourcc string
	off    int64
	size   int64
	data   []byte
	subs   []webpChunk // ANMF: the kept chunks of the frame, after data (its header)
}

// outSize returns the size of the chunk's data in the output.
func (c *webpChunk) outSize() int64 {
	if c.subs == nil {
		return c.size
	}
	n := int64(len(c.data))
	for _, s := range c.subs {
		n += 8 + s.size + s.size&1
	}
	return n
}

// webpLayout locates, in the scrubbed output, what the thumbnail needs.
type webpLayout struct {
	animated bool
	frame    image.Rectangle // the first frame, in canvas coordinates
	alph     [2]int64        // offset and size of its ALPH data, if any
	bits     [2]int64        // offset and size of its VP8 or VP8L data
	lossless bool
}

// scrubWebP walks the RIFF chunks of a WebP and writes a new RIFF with only
// VP8X (EXIF and XMP flags cleared), ICCP, ANIM, ANMF (with only their
// ALPH, VP8 and VP8L chunks), ALPH, VP8 and VP8L, padded, with a RIFF size
// that fits. EXIF, XMP, unknown chunks and bytes after the RIFF payload are
// dropped.
func scrubWebP(src io.ReaderAt, size int64, w io.Writer, lim Limits, strict bool) (scrubbed, error) {
	var info scrubbed
	var hdr [12]byte
	if err := readAt(src, size, hdr[:], 0); err != nil {
		return info, err
	}
	if string(hdr[:4]) != "RIFF" || string(hdr[8:]) != "WEBP" {
		return info, damaged("webp: bad RIFF header")
	}
	end := 8 + int64(binary.LittleEndian.Uint32(hdr[4:8]))
	if end > size {
		return info, truncated()
	}
	if strict && end != size {
		return info, strictErr("bytes after the RIFF payload")
	}
	var (
		kept     []webpChunk
		b        *budget
		seen     = map[string]bool{}
		hasImage bool
	)
	for off := int64(12); off < end; {
		c, next, err := nextWebPChunk(src, off, end)
		if err != nil {
			return info, err
		}
		off = next
		if len(kept) == 0 {
			if err := webpFirst(src, &c, &info, strict); err != nil {
				return info, err
			}
			hasImage = c.fourcc != "VP8X"
			if b, err = newBudget(lim, int64(info.width), int64(info.height)); err != nil {
				return info, err
			}
			kept = append(kept, c)
			continue
		}
		anim := info.webp.animated
		switch {
		case kept[0].fourcc != "VP8X":
			// Simple format: the bitstream is all there is.
		case c.fourcc == "ICCP" || c.fourcc == "ANIM" && anim:
			if seen[c.fourcc] {
				return info, damaged("webp: two %s chunks", c.fourcc)
			}
			seen[c.fourcc] = true
			if c.fourcc == "ICCP" && !strict && c.size <= maxICC {
				info.icc = make([]byte, c.size)
				if err := readAt(src, size, info.icc, c.off); err != nil {
					return info, err
				}
			}
			kept = append(kept, c)
			continue
		case c.fourcc == "ANMF" && anim:
			if err := webpFrame(src, &c, info.width, info.height, strict); err != nil {
				return info, err
			}
			if err := b.frame(); err != nil {
				return info, err
			}
			kept = append(kept, c)
			continue
		case (c.fourcc == "ALPH" || c.fourcc == "VP8 " || c.fourcc == "VP8L") && !anim:
			if hasImage || seen[c.fourcc] {
				return info, damaged("webp: misplaced %s chunk", c.fourcc)
			}
			seen[c.fourcc] = true
			if c.fourcc != "ALPH" {
				hasImage = true
				if wd, ht, err := bitstreamSize(src, c); err != nil {
					return info, err
				} else if wd != info.width || ht != info.height {
					return info, damaged("webp: bitstream is %dx%d in a %dx%d canvas", wd, ht, info.width, info.height)
				}
			}
			kept = append(kept, c)
			continue
		}
		if strict {
			return info, strictErr("chunk " + c.fourcc)
		}
	}
	if len(kept) == 0 {
		return info, damaged("webp: no chunks")
	}
	if !info.webp.animated {
		if !hasImage {
			return info, damaged("webp: no image data")
		}
		if err := b.frame(); err != nil {
			return info, err
		}
	}
	if info.frames = b.frames; info.frames == 0 {
		return info, damaged("webp: animation without frames")
	}
	return info, writeWebP(src, w, kept, &info.webp)
}

// webpFirst reads the first chunk, which decides between the simple format
// (a lone VP8 or VP8L bitstream) and the extended one (VP8X first), and
// sets the canvas size. A VP8X chunk gets its kept flags as new data.
func webpFirst(src io.ReaderAt, c *webpChunk, info *scrubbed, strict bool) error {
	switch c.fourcc {
	case "VP8 ", "VP8L":
		wd, ht, err := bitstreamSize(src, *c)
		info.width, info.height = wd, ht
		return err
	case "VP8X":
		if c.size != 10 {
			return damaged("webp: VP8X is %d bytes", c.size)
		}
		d := make([]byte, 10)
		if err := readAt(src, c.off+c.size, d, c.off); err != nil {
			return err
		}
		flags := d[0] & (vp8xICC | vp8xAlpha | vp8xAnim)
		if strict && (d[0] != flags || [3]byte(d[1:4]) != [3]byte{}) {
			return strictErr("VP8X flags")
		}
		d[0], d[1], d[2], d[3] = flags, 0, 0, 0
		c.data = d
		info.width, info.height = 1+int(le24(d[4:])), 1+int(le24(d[7:]))
		info.webp.animated = flags&vp8xAnim != 0
		return nil
	}
	return damaged("webp: first chunk is %q", c.fourcc)
}

// webpFrame checks the ANMF chunk c and collects its kept sub-chunks.
func webpFrame(src io.ReaderAt, c *webpChunk, cw, ch int, strict bool) error {
	if c.size < 16 {
		return damaged("webp: short ANMF")
	}
	c.data = make([]byte, 16)
	if err := readAt(src, c.off+c.size, c.data, c.off); err != nil {
		return err
	}
	x, y := 2*int(le24(c.data[0:])), 2*int(le24(c.data[3:]))
	fw, fh := 1+int(le24(c.data[6:])), 1+int(le24(c.data[9:]))
	if x+fw > cw || y+fh > ch {
		return damaged("webp: frame outside the canvas")
	}
	c.subs = []webpChunk{}
	hasBits := false
	for off, end := c.off+16, c.off+c.size; off < end; {
		s, next, err := nextWebPChunk(src, off, end)
		if err != nil {
			return err
		}
		off = next
		switch s.fourcc {
		case "ALPH":
			if hasBits || len(c.subs) > 0 {
				return damaged("webp: misplaced ALPH in a frame")
			}
		case "VP8 ", "VP8L":
			if hasBits {
				return damaged("webp: two bitstreams in a frame")
			}
			hasBits = true
			if wd, ht, err := bitstreamSize(src, s); err != nil {
				return err
			} else if wd != fw || ht != fh {
				return damaged("webp: frame bitstream is %dx%d, not %dx%d", wd, ht, fw, fh)
			}
		default:
			if strict {
				return strictErr("chunk " + s.fourcc + " in a frame")
			}
			continue
		}
		c.subs = append(c.subs, s)
	}
	if !hasBits {
		return damaged("webp: frame without a bitstream")
	}
	return nil
}

// writeWebP writes the RIFF container holding chunks to w and records where
// the first animation frame ended up.
func writeWebP(src io.ReaderAt, w io.Writer, chunks []webpChunk, lay *webpLayout) error {
	payload := int64(4)
	for i := range chunks {
		n := chunks[i].outSize()
		payload += 8 + n + n&1
	}
	if payload > 1<<32-1 {
		return damaged("webp: too big")
	}
	cw := &countWriter{w: w}
	var hdr [12]byte
	copy(hdr[:], "RIFF")
	binary.LittleEndian.PutUint32(hdr[4:], uint32(payload))
	copy(hdr[8:], "WEBP")
	if _, err := cw.Write(hdr[:]); err != nil {
		return err
	}
	firstFrame := true
	for _, c := range chunks {
		if err := writeChunkHeader(cw, c.fourcc, c.outSize()); err != nil {
			return err
		}
		if c.subs == nil {
			if err := writeChunkData(src, cw, c); err != nil {
				return err
			}
			continue
		}
		if _, err := cw.Write(c.data); err != nil {
			return err
		}
		if firstFrame {
			x, y := 2*int(le24(c.data[0:])), 2*int(le24(c.data[3:]))
			lay.frame = image.Rect(x, y, x+1+int(le24(c.data[6:])), y+1+int(le24(c.data[9:])))
		}
		for _, s := range c.subs {
			if err := writeChunkHeader(cw, s.fourcc, s.size); err != nil {
				return err
			}
			if firstFrame {
				switch s.fourcc {
				case "ALPH":
					lay.alph = [2]int64{cw.n, s.size}
				default:
					lay.bits = [2]int64{cw.n, s.size}
					lay.lossless = s.fourcc == "VP8L"
				}
			}
			if err := writeChunkData(src, cw, s); err != nil {
				return err
			}
		}
		firstFrame = false
	}
	return nil
}

func writeChunkHeader(w io.Writer, fourcc string, size int64) error {
	var h [8]byte
	copy(h[:], fourcc)
	binary.LittleEndian.PutUint32(h[4:], uint32(size))
	_, err := w.Write(h[:])
	return err
}

// writeChunkData writes c's data and a zero pad byte if its size is odd.
func writeChunkData(src io.ReaderAt, w io.Writer, c webpChunk) error {
	if c.data != nil {
		if _, err := w.Write(c.data); err != nil {
			return err
		}
	} else if _, err := io.Copy(w, io.NewSectionReader(src, c.off, c.size)); err != nil {
		return readErr(err)
	}
	if c.size&1 == 1 {
		_, err := w.Write([]byte{0})
		return err
	}
	return nil
}

// nextWebPChunk reads the chunk header at off and returns the chunk and the
// offset of the next one. A missing pad byte at the very end is tolerated.
func nextWebPChunk(src io.ReaderAt, off, end int64) (webpChunk, int64, error) {
	var h [8]byte
	if err := readAt(src, end, h[:], off); err != nil {
		return webpChunk{}, 0, err
	}
	c := webpChunk{fourcc: string(h[:4]), off: off + 8, size: int64(binary.LittleEndian.Uint32(h[4:]))}
	next := c.off + c.size + c.size&1
	switch {
	case c.off+c.size > end:
		return c, 0, truncated()
	case next > end:
		next = end
	}
	return c, next, nil
}

// bitstreamSize reads the dimensions from the header of a VP8 or VP8L chunk.
func bitstreamSize(src io.ReaderAt, c webpChunk) (int, int, error) {
	var h [10]byte
	if c.fourcc == "VP8L" {
		if err := readAt(src, c.off+c.size, h[:5], c.off); err != nil {
			return 0, 0, err
		}
		if h[0] != 0x2F {
			return 0, 0, damaged("webp: bad VP8L signature")
		}
		v := binary.LittleEndian.Uint32(h[1:5])
		return 1 + int(v&0x3FFF), 1 + int(v>>14&0x3FFF), nil
	}
	if err := readAt(src, c.off+c.size, h[:], c.off); err != nil {
		return 0, 0, err
	}
	if h[0]&1 != 0 || h[3] != 0x9D || h[4] != 0x01 || h[5] != 0x2A {
		return 0, 0, damaged("webp: bad VP8 frame header")
	}
	wd, ht := int(binary.LittleEndian.Uint16(h[6:])&0x3FFF), int(binary.LittleEndian.Uint16(h[8:])&0x3FFF)
	if wd == 0 || ht == 0 {
		return 0, 0, damaged("webp: empty VP8 frame")
	}
	return wd, ht, nil
}

func le24(b []byte) uint32 { return uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 }
