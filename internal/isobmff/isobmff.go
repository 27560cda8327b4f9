// Package isobmff reads the box structure of ISO base media files
// (ISO/IEC 14496-12): MP4, QuickTime and HEIF. It reads box headers and
// trusts none of them: a box must lie inside its container, and callers
// bound how many boxes and how deep a nesting they accept, so that a
// hostile file cannot make them loop or recurse in proportion to numbers
// it made up.
package isobmff

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Box is the header of one box, and where the box lies in its reader.
type Box struct {
	Type   string // the four-character code
	Offset int64  // offset of the header's first byte
	Header int64  // length of the header: 8, or 16 with a 64-bit size
	Size   int64  // length of the whole box, header included
}

// Payload returns the offset of the box's payload, just past its header.
func (b Box) Payload() int64 { return b.Offset + b.Header }

// End returns the offset just past the box.
func (b Box) End() int64 { return b.Offset + b.Size }

// The causes of an *Error.
var (
	// ErrStray: fewer bytes are left in the container than a header takes.
	ErrStray = errors.New("fewer bytes left than a box header")
	// ErrTruncated: the reader ends before the header does.
	ErrTruncated = errors.New("the data ends inside a box header")
	// ErrLargeSize: a 64-bit size is announced but does not fit in the
	// container.
	ErrLargeSize = errors.New("the 64-bit size does not fit in the container")
	// ErrSize: the size is smaller than the header, or too large to be an
	// int64.
	ErrSize = errors.New("the box is smaller than its header")
	// ErrOverrun: the box runs past the end of its container.
	ErrOverrun = errors.New("the box runs past its container")
	// ErrTooMany: a container holds more boxes than the caller allows.
	ErrTooMany = errors.New("too many boxes in a container")
	// ErrTooDeep: boxes are nested deeper than the caller allows.
	ErrTooDeep = errors.New("boxes nested too deep")
)

// Error is a box structure that cannot be read. Box holds what was read of
// the header before the problem was found: Offset always, Type once the
// first 8 bytes were read, Header and Size as written (Size as an int64,
// so a 64-bit size past the int64 range reads negative). For ErrStray,
// Size is the number of stray bytes. Err is one of the Err* causes above.
type Error struct {
	Box Box
	Err error
}

func (e *Error) Error() string {
	if e.Box.Type == "" {
		return fmt.Sprintf("isobmff: at %d: %v", e.Box.Offset, e.Err)
	}
	return fmt.Sprintf("isobmff: box %q at %d: %v", e.Box.Type, e.Box.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// ReadHeader reads the header of the box at off in r, in a container that
// ends at end. A size of 0 makes the box run to end. It returns an *Error
// if the header or the box does not fit in [off, end) or its size is
// impossible, and r's own error if reading fails otherwise.
func ReadHeader(r io.ReaderAt, off, end int64) (Box, error) {
	b := Box{Offset: off, Header: 8}
	if end-off < 8 {
		b.Size = end - off
		return b, &Error{Box: b, Err: ErrStray}
	}
	var h [16]byte
	if err := readFull(r, h[:8], off); err != nil {
		return b, headerErr(b, err)
	}
	b.Type = string(h[4:8])
	b.Size = int64(binary.BigEndian.Uint32(h[:4]))
	switch b.Size {
	case 0: // to the end of the container
		b.Size = end - off
	case 1: // a 64-bit size follows the type
		b.Header = 16
		if end-off < 16 {
			return b, &Error{Box: b, Err: ErrLargeSize}
		}
		if err := readFull(r, h[8:16], off+8); err != nil {
			return b, headerErr(b, err)
		}
		b.Size = int64(binary.BigEndian.Uint64(h[8:16]))
	}
	if b.Size < b.Header {
		return b, &Error{Box: b, Err: ErrSize}
	}
	if b.Size > end-off {
		return b, &Error{Box: b, Err: ErrOverrun}
	}
	return b, nil
}

// readFull reads len(p) bytes at off.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil {
		err = io.ErrUnexpectedEOF
	}
	return err
}

// headerErr turns the end of the data into ErrTruncated and leaves any
// other reading error as it is.
func headerErr(b Box, err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return &Error{Box: b, Err: ErrTruncated}
	}
	return err
}

// Iter iterates over the boxes that fill a range of a reader.
type Iter struct {
	r        io.ReaderAt
	pos, end int64
	n, max   int
}

// NewIter returns an iterator over the boxes that fill [off, end) of r,
// which refuses more than max of them (max ≤ 0: no bound).
func NewIter(r io.ReaderAt, off, end int64, max int) *Iter {
	return &Iter{r: r, pos: off, end: end, max: max}
}

// Next returns the next box, or ok == false at the end of the range. It
// returns an *Error if the next box does not lie within the range (see
// ReadHeader) or would be one more than the bound, and r's own error if
// reading fails otherwise. The iterator must not be used after an error.
func (it *Iter) Next() (b Box, ok bool, err error) {
	if it.pos == it.end {
		return Box{}, false, nil
	}
	if it.n++; it.max > 0 && it.n > it.max {
		return Box{}, false, &Error{Box: Box{Offset: it.pos}, Err: ErrTooMany}
	}
	b, err = ReadHeader(it.r, it.pos, it.end)
	if err != nil {
		return Box{}, false, err
	}
	it.pos = b.End()
	return b, true, nil
}

// Walk calls fn for each box that fills [off, end) of r, depth first, with
// depth 0, and for the boxes inside each box for which fn returns descend
// == true, with depth one more than their container's. Descending into a
// box at depth maxDepth or deeper is an *Error with ErrTooDeep, whatever
// the box holds. Walk returns fn's first error as it is, and otherwise
// the first error of Iter.Next.
func Walk(r io.ReaderAt, off, end int64, maxDepth int, fn func(b Box, depth int) (descend bool, err error)) error {
	return walk(r, off, end, 0, maxDepth, fn)
}

func walk(r io.ReaderAt, off, end int64, depth, maxDepth int, fn func(Box, int) (bool, error)) error {
	it := NewIter(r, off, end, 0)
	for {
		b, ok, err := it.Next()
		if err != nil || !ok {
			return err
		}
		descend, err := fn(b, depth)
		if err != nil {
			return err
		}
		if !descend {
			continue
		}
		if depth >= maxDepth {
			return &Error{Box: b, Err: ErrTooDeep}
		}
		if err := walk(r, b.Payload(), b.End(), depth+1, maxDepth, fn); err != nil {
			return err
		}
	}
}
