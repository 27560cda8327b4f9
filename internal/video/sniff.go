package video

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
)

// The input containers Sniff recognises.
const (
	inMP4      = "mp4"      // ISO base media: MP4, M4V, 3GP
	inMOV      = "mov"      // QuickTime, what iPhones record
	inWebM     = "webm"     // Matroska with DocType webm
	inMatroska = "matroska" // Matroska with DocType matroska (.mkv)
)

// SniffLen is how many leading bytes Sniff needs to see to decide.
const SniffLen = 512

// Sniff reports whether head, the first bytes of a file (SniffLen is
// enough), starts a video container chatpic accepts, and which: "mp4" (an
// ISO base media file with a video brand: MP4, M4V, 3GP), "mov"
// (QuickTime), "webm" or "matroska". HEIF and AVIF pictures and M4A audio,
// which share the MP4 container, are not video. ok says nothing about the
// codecs inside; Process checks those.
func Sniff(head []byte) (container string, ok bool) {
	if c, ok := sniffISO(head); ok {
		return c, true
	}
	switch ebmlDocType(head) {
	case "webm":
		return inWebM, true
	case "matroska":
		return inMatroska, true
	}
	return "", false
}

// videoBrands are ftyp brands of files that hold video.
var videoBrands = map[string]string{
	"isom": inMP4, "iso2": inMP4, "iso3": inMP4, "iso4": inMP4, "iso5": inMP4, "iso6": inMP4,
	"mp41": inMP4, "mp42": inMP4, "avc1": inMP4, "av01": inMP4, "dash": inMP4, "mmp4": inMP4,
	"M4V ": inMP4, "M4VH": inMP4, "M4VP": inMP4, "MSNV": inMP4, "XAVC": inMP4,
	"3gp4": inMP4, "3gp5": inMP4, "3gp6": inMP4, "3gp7": inMP4, "3g2a": inMP4, "3g2b": inMP4, "3g2c": inMP4,
	"qt  ": inMOV,
}

// stillBrands are ftyp brands of pictures and audio, which are not video
// even when they also list a video brand as compatible.
var stillBrands = map[string]bool{
	"heic": true, "heix": true, "heim": true, "heis": true, "hevc": true, "hevx": true,
	"hevm": true, "hevs": true, "mif1": true, "mif2": true, "msf1": true, "avif": true,
	"avis": true, "avci": true, "jpeg": true, "jp2 ": true, "crx ": true,
	"M4A ": true, "M4B ": true, "M4P ": true, "F4A ": true,
}

// sniffISO recognises an ftyp box at the start of head and classifies it by
// its major brand, or failing that by its compatible brands.
func sniffISO(head []byte) (string, bool) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return "", false
	}
	size := int(binary.BigEndian.Uint32(head))
	if size < 16 || size > 4096 {
		return "", false
	}
	major := string(head[8:12])
	if stillBrands[major] {
		return "", false
	}
	if c, ok := videoBrands[major]; ok {
		return c, true
	}
	end := min(size, len(head))
	found := ""
	for i := 16; i+4 <= end; i += 4 {
		b := string(head[i : i+4])
		if stillBrands[b] {
			return "", false
		}
		if c, ok := videoBrands[b]; ok && found == "" {
			found = c
		}
	}
	return found, found != ""
}

// EBML element IDs, with their length marker bits, as Matroska writes them.
const (
	idEBML    = 0x1A45DFA3
	idDocType = 0x4282
	idSegment = 0x18538067
)

// ebmlDocType returns the DocType of the EBML header at the start of b, or
// "" if b does not start with a complete one.
func ebmlDocType(b []byte) string {
	id, n := readVint(b, true)
	if n == 0 || id != idEBML {
		return ""
	}
	size, m := readVint(b[n:], false)
	if m == 0 || size < 0 || int64(n+m)+size > int64(len(b)) {
		return ""
	}
	body := b[n+m : n+m+int(size)]
	for len(body) > 0 {
		id, n := readVint(body, true)
		if n == 0 {
			return ""
		}
		size, m := readVint(body[n:], false)
		if m == 0 || size < 0 || int64(n+m)+size > int64(len(body)) {
			return ""
		}
		if id == idDocType {
			return string(bytes.TrimRight(body[n+m:n+m+int(size)], "\x00"))
		}
		body = body[n+m+int(size):]
	}
	return ""
}

// readVint reads an EBML variable-length integer from the start of b and
// returns it with its length in bytes, or n == 0 if b does not start with
// one. With keepMarker (element IDs) the length marker bit stays in the
// value. A size whose bits are all ones means "unknown" and returns -1.
func readVint(b []byte, keepMarker bool) (v int64, n int) {
	if len(b) == 0 || b[0] == 0 {
		return 0, 0
	}
	n = 1
	for mask := byte(0x80); b[0]&mask == 0; mask >>= 1 {
		n++
	}
	if n > 8 || len(b) < n {
		return 0, 0
	}
	first := int64(b[0])
	if !keepMarker {
		first &= int64(0xFF >> n)
	}
	v = first
	allOnes := first == int64(0xFF>>n)
	for _, c := range b[1:n] {
		v = v<<8 | int64(c)
		allOnes = allOnes && c == 0xFF
	}
	if !keepMarker && allOnes {
		return -1, n
	}
	return v, n
}

// checkSegmentComplete returns errBoxTruncated if the Matroska file r, of
// the given size, declares a Segment longer than the file. A Segment of
// unknown size (a live recording) cannot be checked and passes.
func checkSegmentComplete(r io.ReaderAt, size int64) error {
	var b [1024]byte
	n, err := r.ReadAt(b[:], 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	head := b[:n]
	_, idLen := readVint(head, true)
	hsize, sizeLen := readVint(head[idLen:], false)
	if idLen == 0 || sizeLen == 0 || hsize < 0 {
		return errBoxMalformed
	}
	off := int64(idLen+sizeLen) + hsize
	if off+12 > int64(len(head)) {
		return errBoxTruncated
	}
	seg := head[off:]
	id, idLen := readVint(seg, true)
	ssize, sizeLen := readVint(seg[idLen:], false)
	if id != idSegment || sizeLen == 0 {
		return errBoxMalformed
	}
	if ssize >= 0 && off+int64(idLen+sizeLen)+ssize > size {
		return errBoxTruncated
	}
	return nil
}
