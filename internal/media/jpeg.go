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
	j := &jpegWalk{s: newStream(src, size), w: w, lim: lim, strict: strict}
	j.info.orientation = 1
	j.out = &j.head
	err := j.run()
	return j.info, err
}

// jpegWalk is the state of scrubJPEG.
type jpegWalk struct {
	s      *stream
	w      io.Writer
	lim    Limits
	strict bool
	info   scrubbed

	head     bytes.Buffer // kept segments before the first scan
	out      io.Writer    // head, then w once the first scan starts
	jfif     []byte       // the canonical JFIF payload, if any
	exifSeen bool
	sawAPP1  bool // strict: an orientation APP1 was met
	sawSOF   bool
	sawSOS   bool
	icc      iccChunks
}

func (j *jpegWalk) run() error {
	var soi [2]byte
	if err := j.s.readFull(soi[:]); err != nil {
		return err
	}
	if soi != [2]byte{0xFF, mSOI} {
		return damaged("jpeg: no SOI")
	}
	var pending byte // a marker found at the end of a scan
	for {
		m := pending
		pending = 0
		if m == 0 {
			var err error
			if m, err = nextMarker(j.s, j.strict); err != nil {
				return err
			}
		}
		switch {
		case m == mEOI:
			if !j.sawSOS {
				return damaged("jpeg: EOI before any scan")
			}
			if _, err := j.w.Write([]byte{0xFF, mEOI}); err != nil {
				return err
			}
			if j.strict && j.s.remaining() > 0 {
				return strictErr("bytes after EOI")
			}
			j.info.icc = j.icc.profile()
			return nil
		case m == mSOI:
			return damaged("jpeg: second SOI")
		case m == 0x01 || m >= mRST0 && m <= mRST7 || m == 0x00:
			// A marker without a length, outside a scan: nothing we need.
			if j.strict {
				return strictErr("a stray marker")
			}
			continue
		}

		var lb [2]byte
		if err := j.s.readFull(lb[:]); err != nil {
			return err
		}
		n := int64(binary.BigEndian.Uint16(lb[:])) - 2
		if n < 0 {
			return damaged("jpeg: segment %#x has length %d", m, n+2)
		}
		seg := []byte{0xFF, m, lb[0], lb[1]}
		var err error
		switch {
		case m == mAPP0, m == mAPP1, m == mAPP2, m == mAPP14:
			err = j.app(seg, n)
		case isSOF(m):
			err = j.frame(seg, n)
		case m == mDQT, m == mDHT, m == mDRI, m == mDAC:
			if _, err = j.out.Write(seg); err == nil {
				err = j.s.copy(j.out, n)
			}
		case m == mSOS:
			pending, err = j.scan(seg, n)
		default:
			// COM, APP3..APP13, APP15, DNL, JPGn and anything unknown.
			if j.strict {
				return strictErr("a segment that is not allowed")
			}
			err = j.s.skip(n)
		}
		if err != nil {
			return err
		}
	}
}

// app handles an APP0, APP1, APP2 or APP14 segment of n bytes whose header
// seg has been read.
func (j *jpegWalk) app(seg []byte, n int64) error {
	p, err := j.s.read(n)
	if err != nil {
		return err
	}
	keep := false
	switch seg[1] {
	case mAPP0:
		// JFIF is rewritten without its thumbnail and put first.
		if c := canonicalJFIF(p); c != nil && j.jfif == nil && !j.sawSOS {
			if j.strict && (!bytes.Equal(p, c) || j.sawAPP1 || j.head.Len() > 0) {
				return strictErr("an altered JFIF header")
			}
			j.jfif = c
			return nil
		}
	case mAPP1:
		// Only the first EXIF is read, for its orientation; it is
		// rewritten from scratch by writeJPEGHead.
		if bytes.HasPrefix(p, exifID) && !j.exifSeen && !j.sawSOS {
			j.exifSeen = true
			o := exifOrientation(p[len(exifID):])
			if o >= 2 && o <= 8 {
				j.info.orientation = o
			}
			if j.strict && (j.info.orientation == 1 || j.head.Len() > 0 ||
				!bytes.Equal(append(seg, p...), orientationAPP1(o))) {
				return strictErr("EXIF other than the orientation")
			}
			j.sawAPP1 = true
			return nil
		}
	case mAPP2:
		if keep = bytes.HasPrefix(p, iccID); keep {
			j.icc.add(p[len(iccID):])
		}
	case mAPP14:
		// The Adobe segment is 12 bytes; anything after them is dropped.
		keep = bytes.HasPrefix(p, adobeID) && len(p) >= adobeLen
		if keep && len(p) > adobeLen {
			if j.strict {
				return strictErr("an oversized Adobe segment")
			}
			p = p[:adobeLen]
			seg[2], seg[3] = 0, adobeLen+2
		}
	}
	if !keep {
		if j.strict {
			return strictErr("an APP segment")
		}
		return nil
	}
	_, err = j.out.Write(append(seg, p...))
	return err
}

// frame handles a frame header (SOFn) of n bytes: there must be exactly one,
// and its dimensions must be within the limits.
func (j *jpegWalk) frame(seg []byte, n int64) error {
	p, err := j.s.read(n)
	if err != nil {
		return err
	}
	if j.sawSOF {
		return damaged("jpeg: second frame header")
	}
	j.sawSOF = true
	if len(p) < 6 {
		return damaged("jpeg: short frame header")
	}
	j.info.height = int(binary.BigEndian.Uint16(p[1:3]))
	j.info.width = int(binary.BigEndian.Uint16(p[3:5]))
	b, err := newBudget(j.lim, int64(j.info.width), int64(j.info.height))
	if err != nil {
		return err
	}
	if err := b.frame(); err != nil {
		return err
	}
	j.info.frames = 1
	_, err = j.out.Write(append(seg, p...))
	return err
}

// scan handles a scan header of n bytes and copies its entropy-coded data.
// Before the first scan it writes out everything kept so far. It returns
// the marker that ended the scan.
func (j *jpegWalk) scan(seg []byte, n int64) (byte, error) {
	if !j.sawSOF {
		return 0, damaged("jpeg: scan before frame header")
	}
	if !j.sawSOS {
		j.sawSOS = true
		if err := writeJPEGHead(j.w, j.jfif, j.info.orientation, j.head.Bytes()); err != nil {
			return 0, err
		}
		j.out = j.w
	}
	if _, err := j.w.Write(seg); err != nil {
		return 0, err
	}
	if err := j.s.copy(j.w, n); err != nil {
		return 0, err
	}
	return copyScan(j.s, j.w, j.strict)
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
