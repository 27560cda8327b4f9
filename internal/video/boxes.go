package video

import (
	"errors"
	"fmt"
	"io"

	"github.com/chatpic/chatpic/internal/isobmff"
)

// An ISO base media (MP4/MOV) box walker over package isobmff: enough to
// tell a truncated input, to blank the metadata boxes ffmpeg's MP4 muxer
// always writes, and to verify that none remain in the output.

// box is one box (atom) of an MP4 file.
type box struct {
	typ  string
	off  int64 // offset of the box's first byte
	hdr  int64 // header length: 8, or 16 with a 64-bit size
	size int64 // whole box, header included
}

var (
	errBoxTruncated = errors.New("a box runs past the end of the file")
	errBoxMalformed = errors.New("malformed box")
)

// containerBoxes hold only other boxes; the walker descends into them.
var containerBoxes = map[string]bool{
	"moov": true, "trak": true, "mdia": true, "minf": true, "stbl": true, "dinf": true,
	"edts": true, "mvex": true, "moof": true, "traf": true, "mfra": true,
}

// metadataBox reports whether a box of type t carries metadata that must
// not reach the output: user data, iTunes/QuickTime metadata (including
// locations, ©xyz and the mdta keys), XMP and vendor uuid boxes.
func metadataBox(t string) bool {
	switch t {
	case "udta", "meta", "uuid", "ilst", "keys", "mdta", "loci", "XMP_", "cprt", "albm", "auth", "titl", "dscp", "gnre", "perf", "yrrc":
		return true
	}
	return t[0] == 0xA9 // ©xyz, ©nam, ©day, ©too...
}

// maxBoxDepth bounds recursion; real files nest about six deep.
const maxBoxDepth = 12

// walkBoxes calls fn for each box in r between off and end, depth first,
// descending into container boxes when fn returns true. It returns
// errBoxTruncated if a box claims to run past end.
func walkBoxes(r io.ReaderAt, off, end int64, depth int, fn func(b box, depth int) (bool, error)) error {
	if depth > maxBoxDepth {
		return fmt.Errorf("%w: nested too deep", errBoxMalformed)
	}
	err := isobmff.Walk(r, off, end, maxBoxDepth-depth, func(b isobmff.Box, d int) (bool, error) {
		descend, err := fn(box{typ: b.Type, off: b.Offset, hdr: b.Header, size: b.Size}, depth+d)
		return descend && containerBoxes[b.Type], err
	})
	e, ok := errors.AsType[*isobmff.Error](err)
	if !ok {
		return err
	}
	switch e.Err {
	case isobmff.ErrTooDeep:
		return fmt.Errorf("%w: nested too deep", errBoxMalformed)
	case isobmff.ErrStray:
		return fmt.Errorf("%w: %d stray bytes", errBoxMalformed, e.Box.Size)
	case isobmff.ErrSize:
		return fmt.Errorf("%w: %q of size %d", errBoxMalformed, e.Box.Type, e.Box.Size)
	case isobmff.ErrTruncated:
		return errBoxTruncated
	}
	// ErrOverrun, and ErrLargeSize: a 64-bit size that does not fit
	// before end claims more than there is.
	return fmt.Errorf("%w: %q", errBoxTruncated, e.Box.Type)
}

func readAtErr(err error) error {
	if errors.Is(err, io.EOF) {
		return errBoxTruncated
	}
	return err
}

// checkBoxesComplete returns errBoxTruncated if a top-level box of the MP4
// file r, of the given size, runs past its end.
func checkBoxesComplete(r io.ReaderAt, size int64) error {
	return walkBoxes(r, 0, size, 0, func(box, int) (bool, error) { return false, nil })
}

// blankMetadataBoxes turns every metadata box (see metadataBox) inside the
// moov box of the MP4 file f into a free box full of zeros. Sizes and
// offsets do not change, so the chunk offsets stay right. ffmpeg's MP4
// muxer always writes a udta/meta box, empty but for its handler, even
// when told to drop all metadata.
func blankMetadataBoxes(f interface {
	io.ReaderAt
	io.WriterAt
}, size int64) error {
	var found []box
	err := walkBoxes(f, 0, size, 0, func(b box, depth int) (bool, error) {
		if depth > 0 && metadataBox(b.typ) {
			found = append(found, b)
			return false, nil
		}
		return b.typ == "moov" || depth > 0, nil
	})
	if err != nil {
		return err
	}
	zeros := make([]byte, 32<<10)
	for _, b := range found {
		if _, err := f.WriteAt([]byte("free"), b.off+4); err != nil {
			return err
		}
		for off := b.off + b.hdr; off < b.off+b.size; off += int64(len(zeros)) {
			n := min(int64(len(zeros)), b.off+b.size-off)
			if _, err := f.WriteAt(zeros[:n], off); err != nil {
				return err
			}
		}
	}
	return nil
}

// topLevelBoxes are the only boxes allowed at the top of a cleaned MP4.
var topLevelBoxes = map[string]bool{"ftyp": true, "moov": true, "mdat": true, "free": true, "skip": true}

// maxFreeBox bounds the free boxes verifyMP4 reads to check they are empty.
const maxFreeBox = 1 << 20

// verifyMP4 checks a cleaned MP4 file: only ftyp, moov, mdat and empty
// free boxes at the top, moov before mdat (so playback and seeking can
// start before the whole file is downloaded), and no metadata box anywhere
// in the box tree. It returns a description of the first problem.
func verifyMP4(r io.ReaderAt, size int64) error {
	var moov, mdat bool
	err := walkBoxes(r, 0, size, 0, func(b box, depth int) (bool, error) {
		if metadataBox(b.typ) {
			return false, fmt.Errorf("metadata box %q remains", b.typ)
		}
		switch {
		case depth == 0 && !topLevelBoxes[b.typ]:
			return false, fmt.Errorf("unexpected top-level box %q", b.typ)
		case b.typ == "moov" && depth == 0:
			moov = true
		case b.typ == "mdat" && depth == 0:
			if !moov {
				return false, errors.New("mdat before moov")
			}
			mdat = true
		case (b.typ == "free" || b.typ == "skip") && b.size-b.hdr > 0:
			if b.size-b.hdr > maxFreeBox {
				return false, fmt.Errorf("%d-byte free box", b.size)
			}
			buf := make([]byte, b.size-b.hdr)
			if _, err := r.ReadAt(buf, b.off+b.hdr); err != nil {
				return false, readAtErr(err)
			}
			for _, c := range buf {
				if c != 0 {
					return false, errors.New("free box with content")
				}
			}
		}
		return true, nil
	})
	switch {
	case err != nil:
		return err
	case !moov || !mdat:
		return errors.New("no moov or no mdat box")
	}
	return nil
}
