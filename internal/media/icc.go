package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

// maxICC bounds the colour profile carried over to thumbnails. Profiles
// from cameras and phones are a few kilobytes.
const maxICC = 1 << 20

// rgbICC returns p if it looks like a whole ICC profile for RGB pictures,
// which a thumbnail (always RGB) can carry, and nil otherwise.
func rgbICC(p []byte) []byte {
	if len(p) < 132 || int(binary.BigEndian.Uint32(p[0:4])) != len(p) ||
		string(p[36:40]) != "acsp" || string(p[16:20]) != "RGB " {
		return nil
	}
	return p
}

// withICC returns the encoded thumbnail enc (of format f) with the profile
// icc inserted: APP2 segments after the JPEG SOI, or an iCCP chunk after
// the PNG IHDR.
func withICC(f Format, enc, icc []byte) []byte {
	var out []byte
	switch f {
	case JPEG:
		const room = 0xFFFF - 2 - 14 // a segment's payload, less the ICC header
		n := (len(icc) + room - 1) / room
		if n > 255 {
			return enc
		}
		out = append(out, enc[:2]...)
		for i := range n {
			part := icc[i*room : min((i+1)*room, len(icc))]
			out = append(out, 0xFF, mAPP2)
			out = binary.BigEndian.AppendUint16(out, uint16(2+len(iccID)+2+len(part)))
			out = append(out, iccID...)
			out = append(out, byte(i+1), byte(n))
			out = append(out, part...)
		}
		return append(out, enc[2:]...)
	case PNG:
		var z bytes.Buffer
		z.WriteString("icc\x00\x00")
		zw := zlib.NewWriter(&z)
		zw.Write(icc) // a bytes.Buffer does not fail
		zw.Close()
		const ihdrEnd = 8 + 8 + 13 + 4
		out = append(out, enc[:ihdrEnd]...)
		out = binary.BigEndian.AppendUint32(out, uint32(z.Len()))
		start := len(out)
		out = append(out, "iCCP"...)
		out = append(out, z.Bytes()...)
		out = binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
		return append(out, enc[ihdrEnd:]...)
	}
	return enc
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
