package media

import (
	"context"
	"image"
	"image/color"
	"io"

	"github.com/chatpic/chatpic/internal/pdq"
)

// The PDQ hashes of an upload are taken of the pixels stored in its media
// file, as the reference tools hash a file: the EXIF orientation is not
// applied, and alpha is ignored (the straight colour under a transparent
// pixel counts, see pdq.Compute). A list from a hash-sharing programme,
// made by hashing the files as they are, then compares with Result.PDQ
// directly, and the eight orientations in Result.PDQDihedral find the same
// picture turned, mirrored or carrying another orientation tag.
//
// They are taken of the decoded first frame before the thumbnail is made:
// the thumbnail is premultiplied (so transparent pixels lose their colour),
// turned upright, and resampled. A JPEG is decoded at a reduced scale (see
// Process), which is a clean low-pass of the picture and changes the hash by
// a few bits at most; the reference vectors stay within their tolerance
// (TestReferenceVectorsThroughProcess).

// decodeSize is the size a JPEG is decoded at, at least: enough to cover
// the tw×th thumbnail, and at least pdq.MinSide pixels on each side that
// has them, so that a thin strip is not scaled into one too thin to hash.
func decodeSize(info scrubbed, tw, th int) image.Point {
	return image.Pt(max(tw, min(info.width, pdq.MinSide)), max(th, min(info.height, pdq.MinSide)))
}

// hashFrame returns the PDQ hashes of the eight orientations of the canvas
// of the cw×ch picture whose first frame img covers the rectangle at (a
// JPEG decoded at a reduced scale covers the whole canvas with fewer
// pixels), and their quality. Canvas outside a smaller frame reads as
// transparent black.
func hashFrame(img image.Image, at image.Rectangle, cw, ch int) ([8]pdq.Hash, int) {
	canvas := image.Rect(0, 0, cw, ch)
	if at == canvas {
		return pdq.Dihedral(img)
	}
	return pdq.Dihedral(onCanvas{frame: img, at: at, canvas: canvas})
}

// onCanvas shows a frame where it sits on its canvas. It is read through
// At, which is slow, but only for animations whose first frame does not
// cover the canvas.
type onCanvas struct {
	frame      image.Image
	at, canvas image.Rectangle
}

func (c onCanvas) ColorModel() color.Model { return color.NRGBAModel }
func (c onCanvas) Bounds() image.Rectangle { return c.canvas }

func (c onCanvas) At(x, y int) color.Color {
	p := image.Pt(x, y)
	if !p.In(c.at) {
		return color.NRGBA{}
	}
	q := p.Add(c.frame.Bounds().Min.Sub(c.at.Min))
	return c.frame.At(q.X, q.Y)
}

// Hashes returns the PDQ hashes of the eight orientations of the picture in
// a file that Process accepts (in the order of pdq.Dihedral), and their
// quality, computed as Process computes Result.PDQDihedral: a media file
// Process wrote gives back exactly the hashes it reported. It is for hashing
// a stored picture again, as when a moderator bans it. The file is walked
// and decoded under lim as Process does, holding one decoded frame in
// memory (see MemoryNeeded), but nothing is written.
//
// Errors are as Process's: KindUnsupported, KindTooLarge,
// KindUnprocessable, and KindInternal for a failed read of src or when ctx
// is done.
func Hashes(ctx context.Context, src io.ReaderAt, size int64, lim Limits) ([8]pdq.Hash, int, error) {
	lim = lim.withDefaults()
	if err := ctx.Err(); err != nil {
		return [8]pdq.Hash{}, 0, cancelled(err)
	}
	head := make([]byte, min(max(size, 0), SniffLen))
	if err := readAt(src, size, head, 0); err != nil {
		return [8]pdq.Hash{}, 0, classify(err)
	}
	f, err := Sniff(head)
	if err != nil {
		return [8]pdq.Hash{}, 0, err
	}
	// The walk describes the scrubbed file it would write; a WebP's
	// layout is in offsets into that file, so it is kept (WebPs are small:
	// the decoder reads a whole one into memory anyway).
	var out io.Writer = io.Discard
	var scrubbedWebP *memFile
	if f == WebP {
		scrubbedWebP = &memFile{}
		out = scrubbedWebP
	}
	info, err := walkers[f](src, size, out, lim, false)
	if err != nil {
		return [8]pdq.Hash{}, 0, classify(err)
	}
	if scrubbedWebP != nil {
		src, size = scrubbedWebP, int64(scrubbedWebP.Len())
	}
	if err := ctx.Err(); err != nil {
		return [8]pdq.Hash{}, 0, cancelled(err)
	}
	tw, th := fit(info.width, info.height, ThumbMax)
	img, at, err := decodeFirst(f, src, size, info, lim, decodeSize(info, tw, th))
	if err != nil {
		return [8]pdq.Hash{}, 0, err
	}
	hs, q := hashFrame(img, at, info.width, info.height)
	return hs, q, nil
}
