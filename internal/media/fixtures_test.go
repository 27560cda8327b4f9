package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"testing"
)

// Every private thing planted in a fixture contains this marker; no output
// may contain it.
const secret = "SECRET"

// Quadrant colours of the test picture, as displayed.
var (
	colTL = color.NRGBA{255, 0, 0, 255}   // red
	colTR = color.NRGBA{0, 255, 0, 255}   // green
	colBL = color.NRGBA{0, 0, 255, 255}   // blue
	colBR = color.NRGBA{255, 255, 0, 255} // yellow
)

// quadrants returns a w x h picture whose four quadrants have distinct
// colours, so a thumbnail shows which way up it is.
func quadrants(w, h int) *image.NRGBA {
	m := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := colTL
			switch {
			case x >= w/2 && y < h/2:
				c = colTR
			case x < w/2 && y >= h/2:
				c = colBL
			case x >= w/2 && y >= h/2:
				c = colBR
			}
			m.SetNRGBA(x, y, c)
		}
	}
	return m
}

func encodeJPEG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := jpeg.Encode(&b, m, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func encodePNG(t testing.TB, m image.Image) []byte {
	t.Helper()
	var b bytes.Buffer
	if err := png.Encode(&b, m); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// segment returns a JPEG marker segment.
func segment(marker byte, payload []byte) []byte {
	s := []byte{0xFF, marker}
	s = binary.BigEndian.AppendUint16(s, uint16(len(payload)+2))
	return append(s, payload...)
}

// afterSOI inserts segments right after a JPEG's SOI.
func afterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte(nil), jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

func cat(parts ...[]byte) []byte { return bytes.Join(parts, nil) }

// byteOrder is a TIFF byte order: binary.BigEndian or binary.LittleEndian.
type byteOrder interface {
	binary.ByteOrder
	binary.AppendByteOrder
}

// tiffEntry is one IFD entry of a test TIFF. If ifd >= 0 the entry points to
// that IFD; otherwise data holds its value (inline if 4 bytes or less).
type tiffEntry struct {
	tag, typ uint16
	count    uint32
	data     []byte
	ifd      int
}

// buildTIFF lays out IFDs (IFD 0 first, then 1...) with their data. next
// links IFD i to IFD next[i] (the IFD0 -> IFD1 link of a thumbnail).
func buildTIFF(bo byteOrder, ifds [][]tiffEntry, next map[int]int) []byte {
	offs := make([]uint32, len(ifds))
	pos := uint32(8)
	for i, ifd := range ifds {
		offs[i] = pos
		pos += 2 + 12*uint32(len(ifd)) + 4
	}
	var data []byte
	var body []byte
	for i, ifd := range ifds {
		body = bo.AppendUint16(body, uint16(len(ifd)))
		for _, e := range ifd {
			body = bo.AppendUint16(body, e.tag)
			body = bo.AppendUint16(body, e.typ)
			body = bo.AppendUint32(body, e.count)
			var v [4]byte
			switch {
			case e.ifd >= 0:
				bo.PutUint32(v[:], offs[e.ifd])
			case len(e.data) <= 4:
				copy(v[:], e.data)
			default:
				bo.PutUint32(v[:], pos+uint32(len(data)))
				data = append(data, e.data...)
				if len(data)%2 == 1 {
					data = append(data, 0)
				}
			}
			body = append(body, v[:]...)
		}
		n, ok := next[i]
		if ok {
			body = bo.AppendUint32(body, offs[n])
		} else {
			body = bo.AppendUint32(body, 0)
		}
	}
	head := []byte("MM\x00*")
	if bo == binary.LittleEndian {
		head = []byte("II*\x00")
	}
	head = bo.AppendUint32(head, 8)
	return cat(head, body, data)
}

// exifAPP1 returns an APP1 EXIF segment with the given orientation (0: no
// tag), a camera make, an EXIF IFD with a maker note, a GPS IFD and an IFD1
// with an embedded JPEG thumbnail, all carrying the secret marker.
func exifAPP1(t testing.TB, bo byteOrder, orientation int) []byte {
	short := func(v uint16) []byte { return bo.AppendUint16(nil, v) }
	long := func(v uint32) []byte { return bo.AppendUint32(nil, v) }
	rational := func(n, d uint32) []byte { return bo.AppendUint32(bo.AppendUint32(nil, n), d) }
	ascii := func(s string) []byte { return append([]byte(s), 0) }
	thumb := afterSOI(encodeJPEG(t, quadrants(16, 12)), segment(0xFE, []byte("SECRET-EMBEDDED-THUMB")))

	var ifd0 []tiffEntry
	if orientation != 0 {
		ifd0 = append(ifd0, tiffEntry{tag: 0x0112, typ: 3, count: 1, data: short(uint16(orientation)), ifd: -1})
	}
	make_ := ascii("SECRET-CAMERA-MAKE")
	ifd0 = append(ifd0,
		tiffEntry{tag: 0x010F, typ: 2, count: uint32(len(make_)), data: make_, ifd: -1},
		tiffEntry{tag: 0x8769, typ: 4, count: 1, ifd: 2},
		tiffEntry{tag: 0x8825, typ: 4, count: 1, ifd: 3},
	)
	ifd1 := []tiffEntry{
		{tag: 0x0201, typ: 4, count: 1, ifd: -1}, // offset patched below
		{tag: 0x0202, typ: 4, count: 1, data: long(uint32(len(thumb))), ifd: -1},
	}
	note := []byte("SECRET-MAKER-NOTE\x01\x02\x03 serial 12345")
	exifIFD := []tiffEntry{{tag: 0x927C, typ: 7, count: uint32(len(note)), data: note, ifd: -1}}
	gpsMethod := []byte("ASCII\x00\x00\x00SECRET-GPS-MARKER")
	lat := cat(rational(52, 1), rational(31, 1), rational(1234, 100))
	gps := []tiffEntry{
		{tag: 0x0001, typ: 2, count: 2, data: ascii("N"), ifd: -1},
		{tag: 0x0002, typ: 5, count: 3, data: lat, ifd: -1},
		{tag: 0x001B, typ: 7, count: uint32(len(gpsMethod)), data: gpsMethod, ifd: -1},
	}
	ifds := [][]tiffEntry{ifd0, ifd1, exifIFD, gps}
	tiff := buildTIFF(bo, ifds, map[int]int{0: 1})
	// Append the thumbnail and point IFD1 at it.
	ifds[1][0].data = long(uint32(len(tiff)))
	tiff = buildTIFF(bo, ifds, map[int]int{0: 1})
	tiff = append(tiff, thumb...)
	return segment(0xE1, cat([]byte("Exif\x00\x00"), tiff))
}

// testICC returns a small profile that passes rgbICC; the real profile
// content does not matter here.
func testICC() []byte {
	p := make([]byte, 200)
	binary.BigEndian.PutUint32(p[0:4], uint32(len(p)))
	copy(p[16:20], "RGB ")
	copy(p[36:40], "acsp")
	copy(p[128:], "ICC-KEEP-ME")
	return p
}

// pngChunk returns a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	c := binary.BigEndian.AppendUint32(nil, uint32(len(data)))
	c = append(c, typ...)
	c = append(c, data...)
	return binary.BigEndian.AppendUint32(c, crc32.ChecksumIEEE(c[4:]))
}

// pngChunks splits an encoded PNG into its chunks (signature dropped).
func pngChunks(p []byte) [][]byte {
	var out [][]byte
	for p = p[8:]; len(p) >= 12; {
		n := 12 + int(binary.BigEndian.Uint32(p))
		out = append(out, p[:n])
		p = p[n:]
	}
	return out
}

func zlibBytes(p []byte) []byte {
	var b bytes.Buffer
	zw := zlib.NewWriter(&b)
	zw.Write(p)
	zw.Close()
	return b.Bytes()
}

// fakeJPEG returns the skeleton of a JPEG with the given segments between
// SOI and EOI; it does not decode, but the walker can scrub it.
func fakeJPEG(parts ...[]byte) []byte {
	return cat([]byte{0xFF, 0xD8}, cat(parts...), []byte{0xFF, 0xD9})
}

// sof returns a frame header for a w x h three-component picture.
func sof(marker byte, w, h int) []byte {
	p := []byte{8, byte(h >> 8), byte(h), byte(w >> 8), byte(w), 3, 1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1}
	return segment(marker, p)
}
