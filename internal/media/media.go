// Package media checks, cleans and thumbnails uploaded pictures.
//
// Every upload passes through Process before anyone can see it. The type is
// decided from the bytes alone (Sniff). The file is then scrubbed at the
// container level, without re-encoding the picture: metadata (EXIF, GPS, XMP,
// IPTC, comments, text chunks, embedded thumbnails, trailing bytes) is
// dropped, while what the picture needs to look as taken (colour profile,
// orientation) is kept. The scrubbed bytes are parsed again to verify that
// nothing else survived, decoded, and turned into a thumbnail. If any of
// that fails the upload is refused.
//
// The package also keeps the registry of every format chatpic accepts,
// pictures and videos (Formats): the upload page, its script, refusals and
// stored objects all name and type the formats from it.
package media

import "github.com/chatpic/chatpic/internal/pdq"

// Limits bounds what Process will decode. Every bound is checked against
// the file's headers before any pixel is decoded. A zero or negative field
// means the default from DefaultLimits.
type Limits struct {
	MaxPixels      int64 // per frame (width*height)
	MaxFrames      int   // animation frames
	MaxTotalPixels int64 // canvas pixels summed across all frames
}

// DefaultLimits returns the limits chatpic uses unless configured otherwise:
// 50 megapixels per frame, 1000 frames and 500 megapixels in all.
func DefaultLimits() Limits {
	return Limits{MaxPixels: 50_000_000, MaxFrames: 1000, MaxTotalPixels: 500_000_000}
}

// withDefaults fills the unset fields of l from DefaultLimits.
func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	if l.MaxFrames <= 0 {
		l.MaxFrames = d.MaxFrames
	}
	if l.MaxTotalPixels <= 0 {
		l.MaxTotalPixels = d.MaxTotalPixels
	}
	return l
}

// Result describes a processed upload.
type Result struct {
	// Format is the format of the media file, the same as the upload's.
	Format Format
	// Width and Height are the dimensions as displayed, in pixels: after
	// orientation, so a portrait phone JPEG stored 4000x3000 with EXIF
	// orientation 6 reports 3000x4000. For animations, the canvas.
	Width, Height int
	// Frames is the number of animation frames, 1 for still pictures.
	Frames int
	// ThumbFormat is JPEG for opaque thumbnails and PNG for thumbnails with
	// transparency.
	ThumbFormat Format
	// ThumbWidth and ThumbHeight are the thumbnail's dimensions: the
	// displayed picture fitted within ThumbMax pixels, never enlarged.
	ThumbWidth, ThumbHeight int
	// PDQ is the perceptual hash of the pixels stored in the media file
	// (the first frame of an animation), as the reference tools hash the
	// file: before the EXIF orientation is applied, alpha ignored. So a
	// hash-sharing programme's list, made from the files as they are,
	// compares with it directly. PDQQuality is its quality, 0..100: below
	// pdq.MinQuality the picture is too plain for the hash to mean much;
	// a picture under pdq.MinSide pixels on a side has the zero hash and
	// quality 0.
	PDQ        pdq.Hash
	PDQQuality int
	// PDQDihedral holds the hashes of the eight orientations of the same
	// pixels, in the order of pdq.Dihedral (PDQDihedral[pdq.Original] is
	// PDQ), all of one DCT: the picture turned or mirrored, or stored
	// under another orientation tag, has one of them. Their quality is
	// PDQQuality.
	PDQDihedral [8]pdq.Hash
	// SHA256 and Bytes describe the media file as written.
	SHA256 [32]byte
	Bytes  int64
}

// ThumbMax is the longest edge of a thumbnail, in pixels.
const ThumbMax = 512
