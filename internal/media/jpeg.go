package media

import (
	"bytes"
	"encoding/binary"
	"io"
)

// JPEG marker codes (the byte after 0xFF).
const (
	mSOI   = 0xD8
	mEOI   = 0xD9
	mSOS   = 0xDA
	mDQT   = 0xDB
	mDRI   = 0xDD
	mDHT   = 0xC4
	mDAC   = 0xCC
	mRST0  = 0xD0
	mRST7  = 0xD7
	mAPP0  = 0xE0
	mAPP1  = 0xE1
	mAPP2  = 0xE2
	mAPP14 = 0xEE
)

var (
	jfifID  = []byte("JFIF\x00")
	exifID  = []byte("Exif\x00\x00")
	iccID   = []byte("ICC_PROFILE\x00")
	adobeID = []byte("Adobe")
)

// adobeLen is the length of an APP14 Adobe payload.
const adobeLen = 12

// isSOF reports whether m starts a frame (SOF0..SOF15 except DHT, JPG, DAC).
func isSOF(m byte) bool {
	return m >= 0xC0 && m <= 0xCF && m != mDHT && m != 0xC8 && m != mDAC
}

// scrubJPEG walks the marker segments of a JPEG and writes to w: SOI, a
// fresh JFIF APP0 without thumbnail (if the file had JFIF), a minimal EXIF
// APP1 holding only the orientation (if it is not 1), then the ICC profile,
// Adobe, tables, frame and scans in their original order, then EOI.
// Everything else, including all bytes after EOI, is dropped. Fill bytes are
// removed.
func scrubJPEG(src io.ReaderAt, size int64, w io.Writer, lim Limits, strict bool) (scrubbed, error) {
	s := newStream(src, size)
	info := scrubbed{orientation: 1}
	var soi [2]byte
	if err := s.readFull(soi[:]); err != nil {
		return info, err
	}
	if soi != [2]byte{0xFF, mSOI} {
		return info, damaged("jpeg: no SOI")
	}
	var (
		head        bytes.Buffer // kept segments before the first scan
		out         io.Writer    = &head
		jfif        []byte
		exifSeen    bool
		app1Written bool
		sawSOF      bool
		sawSOS      bool
		icc         iccChunks
		pending     byte // a marker found at the end of a scan
	)
	for {
		m := pending
		pending = 0
		if m == 0 {
			var err error
			if m, err = nextMarker(s, strict); err != nil {
				return info, err
			}
		}
		switch {
		case m == mEOI:
			if !sawSOS {
				return info, damaged("jpeg: EOI before any scan")
			}
			if _, err := w.Write([]byte{0xFF, mEOI}); err != nil {
				return info, err
			}
			if strict && s.remaining() > 0 {
				return info, strictErr("bytes after EOI")
			}
			info.icc = icc.profile()
			return info, nil
		case m == mSOI || m == 0x01 || m >= mRST0 && m <= mRST7 || m == 0xFF || m == 0x00:
			// A marker without a length outside a scan: SOI again is
			// nonsense, the others carry nothing we need.
			if m == mSOI {
				return info, damaged("jpeg: second SOI")
			}
			if strict {
				return info, strictErr("a stray marker")
			}
			continue
		}

		var lb [2]byte
		if err := s.readFull(lb[:]); err != nil {
			return info, err
		}
		n := int64(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return info, damaged("jpeg: segment %#x has length %d", m, n+2)
		}
		seg := append([]byte{0xFF, m}, lb[:]...)
		switch {
		case m == mAPP0, m == mAPP1, m == mAPP2, m == mAPP14:
			p, err := s.read(n)
			if err != nil {
				return info, err
			}
			keep := false
			switch m {
			case mAPP0:
				// A fresh JFIF header, without its thumbnail.
				if c := canonicalJFIF(p); c != nil && jfif == nil && !sawSOS {
					if strict && (!bytes.Equal(p, c) || app1Written || head.Len() > 0) {
						return info, strictErr("an altered JFIF header")
					}
					jfif = c
					continue
				}
			case mAPP1:
				if bytes.HasPrefix(p, exifID) && !exifSeen && !sawSOS {
					exifSeen = true
					o := exifOrientation(p[len(exifID):])
					if o >= 2 && o <= 8 {
						info.orientation = o
					}
					if strict && (info.orientation == 1 || head.Len() > 0 ||
						!bytes.Equal(append(seg, p...), orientationAPP1(o))) {
						return info, strictErr("EXIF other than the orientation")
					}
					app1Written = true
					continue
				}
			case mAPP2:
				keep = bytes.HasPrefix(p, iccID)
				if keep {
					icc.add(p[len(iccID):])
				}
			case mAPP14:
				// The Adobe segment is 12 bytes; anything after them is
				// dropped.
				keep = bytes.HasPrefix(p, adobeID) && len(p) >= adobeLen
				if keep && len(p) > adobeLen {
					if strict {
						return info, strictErr("an oversized Adobe segment")
					}
					p = p[:adobeLen]
					seg[2], seg[3] = 0, adobeLen+2
				}
			}
			if !keep {
				if strict {
					return info, strictErr("an APP segment")
				}
				continue
			}
			if _, err := out.Write(append(seg, p...)); err != nil {
				return info, err
			}
		case isSOF(m):
			p, err := s.read(n)
			if err != nil {
				return info, err
			}
			if sawSOF {
				return info, damaged("jpeg: second frame header")
			}
			sawSOF = true
			if len(p) < 6 {
				return info, damaged("jpeg: short frame header")
			}
			info.height = int(binary.BigEndian.Uint16(p[1:3]))
			info.width = int(binary.BigEndian.Uint16(p[3:5]))
			b, err := newBudget(lim, int64(info.width), int64(info.height))
			if err != nil {
				return info, err
			}
			if err := b.frame(); err != nil {
				return info, err
			}
			info.frames = 1
			if _, err := out.Write(append(seg, p...)); err != nil {
				return info, err
			}
		case m == mDQT, m == mDHT, m == mDRI, m == mDAC:
			if _, err := out.Write(seg); err != nil {
				return info, err
			}
			if err := s.copy(out, n); err != nil {
				return info, err
			}
		case m == mSOS:
			if !sawSOF {
				return info, damaged("jpeg: scan before frame header")
			}
			if !sawSOS {
				sawSOS = true
				if err := writeJPEGHead(w, jfif, info.orientation, head.Bytes()); err != nil {
					return info, err
				}
				out = w
			}
			if _, err := w.Write(seg); err != nil {
				return info, err
			}
			if err := s.copy(w, n); err != nil {
				return info, err
			}
			var err error
			if pending, err = copyScan(s, w, strict); err != nil {
				return info, err
			}
		default:
			// COM, APP3..APP13, APP15, DNL, JPGn and anything unknown.
			if strict {
				return info, strictErr("a segment that is not allowed")
			}
			if err := s.skip(n); err != nil {
				return info, err
			}
		}
	}
}

// writeJPEGHead writes SOI, the JFIF header, the orientation and the kept
// header segments.
func writeJPEGHead(w io.Writer, jfif []byte, orientation int, segs []byte) error {
	head := []byte{0xFF, mSOI}
	if jfif != nil {
		head = append(head, 0xFF, mAPP0, 0, byte(len(jfif)+2))
		head = append(head, jfif...)
	}
	if orientation != 1 {
		head = append(head, orientationAPP1(orientation)...)
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	_, err := w.Write(segs)
	return err
}

// nextMarker reads the next marker code outside a scan, skipping fill bytes.
// Junk before a marker is tolerated (as common decoders do) and dropped.
func nextMarker(s *stream, strict bool) (byte, error) {
	b, err := s.readByte()
	for err == nil && b != 0xFF {
		if strict {
			return 0, strictErr("junk between segments")
		}
		b, err = s.readByte()
	}
	for err == nil && b == 0xFF {
		b, err = s.readByte()
	}
	return b, err
}

// copyScan copies entropy-coded data, with its stuffed zero bytes and
// restart markers, to w. It returns the marker that ends the scan, having
// consumed it. Fill bytes before that marker are dropped.
func copyScan(s *stream, w io.Writer, strict bool) (byte, error) {
	for {
		// A scan ends with a marker, so at least two bytes must remain.
		if _, err := s.br.Peek(2); err != nil {
			return 0, readErr(err)
		}
		buf, _ := s.br.Peek(s.br.Buffered())
		n := scanData(buf)
		if _, err := w.Write(buf[:n]); err != nil {
			return 0, err
		}
		if err := s.skip(int64(n)); err != nil {
			return 0, err
		}
		if n >= len(buf)-1 {
			continue // no marker yet, or an 0xFF whose next byte is unread
		}
		// buf[n] is 0xFF followed by fill bytes or a marker. As decoders
		// do, skip the fill; a stuffed zero or a restart marker after it
		// is still scan data.
		c := buf[n+1]
		if err := s.skip(2); err != nil {
			return 0, err
		}
		var err error
		for err == nil && c == 0xFF {
			if strict {
				return 0, strictErr("fill bytes in a scan")
			}
			c, err = s.readByte()
		}
		if err != nil {
			return 0, err
		}
		if c != 0x00 && (c < mRST0 || c > mRST7) {
			return c, nil
		}
		if _, err := w.Write([]byte{0xFF, c}); err != nil {
			return 0, err
		}
	}
}

// scanData returns the length of the prefix of buf that is entropy-coded
// data: it stops at an 0xFF that starts a marker (or fill), or at an 0xFF
// that ends buf, whose meaning is not known yet.
func scanData(buf []byte) int {
	n := 0
	for {
		i := bytes.IndexByte(buf[n:], 0xFF)
		if i < 0 {
			return len(buf)
		}
		n += i
		if n+1 == len(buf) {
			return n
		}
		if c := buf[n+1]; c != 0x00 && (c < mRST0 || c > mRST7) {
			return n
		}
		n += 2
	}
}

// canonicalJFIF returns a JFIF APP0 payload with the version and density of
// p and no thumbnail, or nil if p is not JFIF.
func canonicalJFIF(p []byte) []byte {
	if len(p) < 14 || !bytes.HasPrefix(p, jfifID) {
		return nil
	}
	c := append([]byte(nil), p[:12]...)
	return append(c, 0, 0)
}

// iccChunks gathers the chunks of an ICC profile split over APP2 segments.
type iccChunks struct {
	parts [][]byte
	count int
	size  int
	bad   bool
}

// add records one chunk: a sequence number (from 1), the chunk count, data.
func (c *iccChunks) add(p []byte) {
	if c.bad || len(p) < 2 || p[0] == 0 || (c.count != 0 && int(p[1]) != c.count) {
		c.bad = true
		return
	}
	if c.parts == nil {
		c.count = int(p[1])
		c.parts = make([][]byte, c.count)
	}
	i := int(p[0]) - 1
	if i >= c.count || c.parts[i] != nil || c.size+len(p) > maxICC {
		c.bad = true
		return
	}
	c.parts[i] = p[2:]
	c.size += len(p) - 2
}

// profile returns the assembled profile, or nil if it is incomplete.
func (c *iccChunks) profile() []byte {
	if c.bad || c.parts == nil {
		return nil
	}
	var b []byte
	for _, p := range c.parts {
		if p == nil {
			return nil
		}
		b = append(b, p...)
	}
	return b
}
