// Package heif reads HEIF pictures: HEIC (HEVC-coded, the iPhone default)
// and AVIF (AV1-coded).
//
// Browsers cannot all show HEIC, and a HEIF file carries its metadata (Exif
// with GPS, XMP) as items beside the picture, so chatpic does not keep the
// upload: it decodes the primary image and re-encodes the pixels (Encode),
// which leaves every metadata item behind and keeps only the colour
// profile.
//
// Sniff recognises the files; Probe reads the box structure (ISO/IEC
// 14496-12, 23008-12) without decoding, with every size checked, so limits
// can be enforced before any pixel is decoded; Decode decodes the primary
// image the right way up. Decoding runs libheif with libde265, and libavif
// with libaom, compiled to WebAssembly under wazero (github.com/gen2brain),
// so the binary needs nothing installed. Those libraries also try a system
// libheif.so/libavif.so first when the binary is dynamically linked; build
// with -tags nodynamic to always use the WebAssembly sandbox (recommended:
// it confines memory bugs of the C decoders to the module's own memory).
// See Backend.
package heif

import (
	"fmt"
	"io"
	"math"

	"github.com/chatpic/chatpic"
)

// The formats Sniff and Probe report.
const (
	HEIC = "heic" // HEVC-coded images (.heic, .heif)
	AVIF = "avif" // AV1-coded images (.avif)
)

// DefaultMaxPixels is the pixel limit Decode applies when given none.
const DefaultMaxPixels = 50_000_000

// Info describes the primary image of a HEIF file, read from its boxes
// without decoding pixels.
type Info struct {
	// Format is HEIC or AVIF, decided by the codec of the primary image
	// (following a grid to its tiles), whatever the brands claim.
	Format string
	// Width and Height are the dimensions as displayed: those of the
	// coded image (ispe) after its clean aperture (clap) and rotation
	// (irot: 90 and 270 degrees swap them).
	Width, Height int
	// ICC is the colour profile from a colr box of type prof or rICC, nil
	// if there is none. The caller owns it.
	ICC []byte
	// NCLX is the colour description given as code points instead of (or
	// beside) a profile, nil if there is none. Primaries 1 and transfer
	// 13 are sRGB; primaries 12 are Display P3.
	NCLX *NCLX
	// Coded is how many pixels decoding produces in all: the picture's,
	// the overhang of its grid tiles, and its alpha plane's.
	Coded int64
	// Alpha says the picture has an alpha plane.
	Alpha bool
	// Depth is the bit depth of its samples: 8, 10 or 12.
	Depth int
	// Frames is 1 for a still image. For an image sequence (an animated
	// AVIF or HEIF, whose frames are a track in a moov box) it is the
	// number of samples of the first picture track; Decode still decodes
	// only the primary still image, which such files carry beside the
	// track, and refuses sequences that have none.
	Frames int
}

// NCLX is colour information given as ITU-T H.273 code points.
type NCLX struct {
	Primaries, Transfer, Matrix uint16
	FullRange                   bool
}

// Messages shown to uploaders. They are short and name no internals.
const (
	msgDamaged   = "this picture is damaged and could not be read"
	msgTruncated = "this picture is incomplete: the file ends too early"
)

// damaged returns a KindUnprocessable error with a generic message and a
// cause for the logs.
func damaged(format string, args ...any) *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgDamaged, Err: fmt.Errorf(format, args...)}
}

// truncated returns the error for a file that ends inside a structure.
func truncated() *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgTruncated, Err: io.ErrUnexpectedEOF}
}

func overrun(typ string) *chatpic.Error {
	return damaged("heif: box %q overruns its container", typ)
}

func unsupported(format string, args ...any) *chatpic.Error {
	return chatpic.Errorf(chatpic.KindUnsupported, format, args...)
}

// Brands that name the codec. mif1/msf1/miaf only say "a HEIF file" and
// leave it to the items.
var brandFormat = map[string]string{
	"heic": HEIC, "heix": HEIC, "hevc": HEIC, "hevx": HEIC,
	"heim": HEIC, "heis": HEIC, "hevm": HEIC, "hevs": HEIC,
	"avif": AVIF, "avis": AVIF,
}

// genericBrand reports whether b marks a HEIF file without naming a codec.
func genericBrand(b string) bool { return b == "mif1" || b == "msf1" || b == "miaf" || b == "mif2" }

// SniffLen is how many leading bytes Sniff can use. Nearly every file is
// recognised from its first 32 bytes (the ftyp box); one whose brands name
// no codec is recognised only if its meta box lies within head.
const SniffLen = 64 << 10

// Sniff reports whether head, the first bytes of a file (up to SniffLen),
// is a HEIF file whose primary image is HEVC (format HEIC) or AV1 (format
// AVIF). It decides from the ftyp brands, the major brand first; when they
// only say mif1 or msf1 it reads the primary item's type from the meta box,
// if head holds all of it. Probe is the authority: it decides from the
// items alone.
func Sniff(head []byte) (format string, ok bool) {
	ft, err := readFtyp(head)
	if err != nil {
		return "", false
	}
	if f, ok := brandFormat[ft.major]; ok {
		return f, true
	}
	generic := genericBrand(ft.major)
	for _, b := range ft.compatible {
		if f, ok := brandFormat[b]; ok {
			return f, true
		}
		generic = generic || genericBrand(b)
	}
	if !generic {
		return "", false
	}
	m, err := findMeta(sliceReader(head), int64(len(head)))
	if err != nil || m == nil || !m.hasPrimary {
		return "", false
	}
	// The items' data lies beyond head: do not check where it is.
	res := &resolver{m: m, size: math.MaxInt64, memo: map[uint32]resolved{}}
	f, _, err := res.visit(m.primary, 0)
	return f, err == nil
}

// ftyp is the file type box.
type ftyp struct {
	major      string
	compatible []string
}

// readFtyp parses the ftyp box at the start of head, which must hold at
// least its first 16 bytes; brands beyond head are not read.
func readFtyp(head []byte) (ftyp, error) {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return ftyp{}, unsupported("this is not a HEIF file")
	}
	c := cursor{p: head}
	size := int(c.u32())
	if size < 16 {
		return ftyp{}, damaged("heif: ftyp of %d bytes", size)
	}
	c.take(4)
	c.p = c.p[:min(len(c.p), size-8)]
	ft := ftyp{major: c.fourCC()}
	c.take(4) // minor version
	for len(c.p) >= 4 && len(ft.compatible) < 64 {
		ft.compatible = append(ft.compatible, c.fourCC())
	}
	return ft, nil
}

// sliceReader is an io.ReaderAt over a byte slice.
type sliceReader []byte

func (s sliceReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 || off >= int64(len(s)) {
		return 0, io.EOF
	}
	n := copy(p, s[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
