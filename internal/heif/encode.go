package heif

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"image"
	"image/jpeg"
	"image/png"
	"io"

	"github.com/chatpic/chatpic"
)

// JPEGQuality is the quality of the JPEG files Encode writes: high enough
// that re-encoding a phone photo shows no visible loss.
const JPEGQuality = 90

// maxICC bounds the colour profile carried over. Profiles from cameras and
// phones are a few kilobytes.
const maxICC = 1 << 20

// Encode writes m, a decoded HEIF picture, to w as the file that replaces
// the upload, and returns its format: "jpeg" (quality JPEGQuality) if m is
// opaque, "png" if it has transparency. PNG keeps the alpha channel
// losslessly with the standard library. WebP was measured and not taken:
// on a noisy 12-megapixel test picture, on a 2-core machine, PNG took 6.9 s
// for 12 MB; libwebp in WebAssembly (github.com/gen2brain/webp) took 10.9 s
// for 1.1 MB at quality 90 and 42 s for 7.8 MB lossless. Transparent HEIC
// and AVIF pictures are rare (stickers, cut-outs) and small.
//
// The output holds the picture and, if icc is a well-formed profile for
// its colour space (RGB, or grey for an *image.Gray), that profile: as
// APP2 ICC_PROFILE segments in a JPEG, an iCCP chunk in a PNG. Nothing
// else: no Exif, XMP, text or timestamps. A profile that is malformed or
// over 1 MiB is left out and the picture written without one.
//
// Errors from w are returned as KindInternal; on error the caller must
// discard what was written.
func Encode(w io.Writer, m image.Image, icc []byte) (format string, err error) {
	_, gray := m.(*image.Gray)
	icc = usableICC(icc, gray)
	if opaque(m) {
		s := &splice{w: w, need: 2, insert: func(soi []byte) []byte { return jpegICC(soi, icc) }}
		err = jpeg.Encode(s, m, &jpeg.Options{Quality: JPEGQuality})
		format = "jpeg"
		err = s.finish(err)
	} else {
		// The signature and the IHDR chunk come first; iCCP must follow
		// IHDR and precede the image data.
		const ihdrEnd = 8 + 8 + 13 + 4
		s := &splice{w: w, need: ihdrEnd, insert: func(head []byte) []byte { return pngICC(head, icc) }}
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		err = enc.Encode(s, m)
		format = "png"
		err = s.finish(err)
	}
	if err != nil {
		return "", chatpic.Internal(fmt.Errorf("heif: writing %s: %w", format, err))
	}
	return format, nil
}

// opaque reports whether m has no transparent or translucent pixel.
func opaque(m image.Image) bool {
	if o, ok := m.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// usableICC returns icc if it looks like a whole ICC profile for RGB
// pictures (or grey ones, if gray) within maxICC, and nil otherwise.
func usableICC(icc []byte, gray bool) []byte {
	space := "RGB "
	if gray {
		space = "GRAY"
	}
	if len(icc) < 132 || len(icc) > maxICC || int(binary.BigEndian.Uint32(icc[0:4])) != len(icc) ||
		string(icc[36:40]) != "acsp" || string(icc[16:20]) != space {
		return nil
	}
	return icc
}

// iccID starts the payload of an APP2 segment that holds part of an ICC
// profile.
var iccID = []byte("ICC_PROFILE\x00")

// iccChunk is the most profile bytes one APP2 segment holds: 65535, less
// the length field, the identifier and the sequence number and count.
const iccChunk = 0xFFFF - 2 - 12 - 2

// jpegICC returns the JPEG start soi followed by icc as APP2 segments
// numbered from 1.
func jpegICC(soi, icc []byte) []byte {
	out := append([]byte(nil), soi...)
	n := (len(icc) + iccChunk - 1) / iccChunk // at most 17 within maxICC
	for i := range n {
		part := icc[i*iccChunk : min((i+1)*iccChunk, len(icc))]
		out = append(out, 0xFF, 0xE2)
		out = binary.BigEndian.AppendUint16(out, uint16(2+len(iccID)+2+len(part)))
		out = append(out, iccID...)
		out = append(out, byte(i+1), byte(n))
		out = append(out, part...)
	}
	return out
}

// pngICC returns the PNG start head (signature and IHDR) followed by an
// iCCP chunk holding icc, compressed; just head if icc is nil.
func pngICC(head, icc []byte) []byte {
	out := append([]byte(nil), head...)
	if icc == nil {
		return out
	}
	var z bytes.Buffer
	z.WriteString("ICC\x00\x00") // profile name, NUL, compression method 0 (zlib)
	zw := zlib.NewWriter(&z)
	zw.Write(icc) // a bytes.Buffer does not fail
	zw.Close()
	out = binary.BigEndian.AppendUint32(out, uint32(z.Len()))
	start := len(out)
	out = append(out, "iCCP"...)
	out = append(out, z.Bytes()...)
	return binary.BigEndian.AppendUint32(out, crc32.ChecksumIEEE(out[start:]))
}

// splice passes what an encoder writes on to w, except that the first need
// bytes are handed to insert and what it returns is written instead.
type splice struct {
	w      io.Writer
	need   int
	insert func(head []byte) []byte
	head   []byte
	done   bool
}

func (s *splice) Write(p []byte) (int, error) {
	n := len(p)
	if !s.done {
		k := min(len(p), s.need-len(s.head))
		s.head = append(s.head, p[:k]...)
		p = p[k:]
		if len(s.head) < s.need {
			return n, nil
		}
		s.done = true
		if _, err := s.w.Write(s.insert(s.head)); err != nil {
			return 0, err
		}
	}
	if len(p) > 0 {
		if _, err := s.w.Write(p); err != nil {
			return 0, err
		}
	}
	return n, nil
}

// finish returns the encoder's error, or an error if it wrote too little
// for the splice to happen.
func (s *splice) finish(err error) error {
	if err == nil && !s.done {
		err = errors.New("encoder output too short")
	}
	return err
}
