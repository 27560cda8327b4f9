package heif

import (
	"encoding/binary"
	"errors"
	"io"

	"github.com/chatpic/chatpic/internal/isobmff"
)

// Bounds on the structure of a file. Real files are far below them: an
// iPhone HEIC has a few hundred items and a meta box of some tens of
// kilobytes. They keep a hostile file from making the parser allocate or
// loop in proportion to numbers it made up.
const (
	maxBoxes    = 10_000   // boxes in one container
	maxMeta     = 16 << 20 // bytes in the meta box, which is read whole
	maxExtents  = 100_000  // iloc extents, property associations, references
	maxDerivDep = 4        // nesting of derived images (grid of grids...)
)

// errShort is the cause of a structure that ends before its fields do.
var errShort = errors.New("heif: structure ends early")

// box is one ISOBMFF box: its type and where its payload (after the
// header) lies in the reader it was found in.
type box struct {
	typ   string
	start int64 // offset of the box header
	off   int64 // offset of the payload
	size  int64 // length of the payload
}

// end returns the offset just past the box.
func (b box) end() int64 { return b.off + b.size }

// boxes iterates over the boxes that fill [pos, end) of r. Every box must
// lie within that range; the iterator refuses more than maxBoxes. r, pos
// and end are set by the caller and read on the first call to next.
type boxes struct {
	r        io.ReaderAt
	pos, end int64
	it       *isobmff.Iter
}

// next returns the next box, or ok == false at the end of the range. A box
// that overruns the range, or a header that does not fit, is an error.
func (it *boxes) next() (b box, ok bool, err error) {
	if it.it == nil {
		it.it = isobmff.NewIter(it.r, it.pos, it.end, maxBoxes)
	}
	h, ok, err := it.it.Next()
	if err != nil || !ok {
		return box{}, false, boxErr(err)
	}
	return box{typ: h.Type, start: h.Offset, off: h.Payload(), size: h.Size - h.Header}, true, nil
}

// boxErr words an error of isobmff as the parser reports it.
func boxErr(err error) error {
	e, ok := errors.AsType[*isobmff.Error](err)
	if !ok {
		return err
	}
	switch e.Err {
	case isobmff.ErrTooMany:
		return damaged("heif: more than %d boxes in a container", maxBoxes)
	case isobmff.ErrStray:
		return damaged("heif: %d stray bytes at %d", e.Box.Size, e.Box.Offset)
	case isobmff.ErrTruncated:
		return truncated()
	case isobmff.ErrLargeSize:
		return damaged("heif: box %q: large size does not fit", e.Box.Type)
	}
	return overrun(e.Box.Type) // ErrSize, ErrOverrun
}

// children returns an iterator over the boxes inside b.
func children(r io.ReaderAt, b box) *boxes {
	return &boxes{r: r, pos: b.off, end: b.end()}
}

// readFull reads len(p) bytes at off; running out of bytes is a truncated
// file.
func readFull(r io.ReaderAt, p []byte, off int64) error {
	n, err := r.ReadAt(p, off)
	if n == len(p) {
		return nil
	}
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncated()
	}
	return err
}

// cursor reads big-endian fields from a payload held in memory. The first
// read past the end sets err and makes every later read return zero, so a
// parser can read a whole structure and check err once.
type cursor struct {
	p   []byte
	err error
}

func (c *cursor) take(n int) []byte {
	if c.err != nil || n < 0 || n > len(c.p) {
		c.err = errShort
		c.p = nil
		return nil
	}
	b := c.p[:n]
	c.p = c.p[n:]
	return b
}

func (c *cursor) u8() uint8 {
	if b := c.take(1); b != nil {
		return b[0]
	}
	return 0
}

func (c *cursor) u16() uint16 {
	if b := c.take(2); b != nil {
		return binary.BigEndian.Uint16(b)
	}
	return 0
}

func (c *cursor) u32() uint32 {
	if b := c.take(4); b != nil {
		return binary.BigEndian.Uint32(b)
	}
	return 0
}

func (c *cursor) u64() uint64 {
	if b := c.take(8); b != nil {
		return binary.BigEndian.Uint64(b)
	}
	return 0
}

// uint reads an unsigned field of n bytes: 0, 2, 4 or 8 (2 only where a
// caller allows it).
func (c *cursor) uint(n int) uint64 {
	switch n {
	case 0:
		return 0
	case 2:
		return uint64(c.u16())
	case 4:
		return uint64(c.u32())
	case 8:
		return c.u64()
	}
	c.err = errShort
	return 0
}

// id reads an item ID, 16 bits wide if short and 32 bits otherwise.
func (c *cursor) id(short bool) uint32 {
	if short {
		return uint32(c.u16())
	}
	return c.u32()
}

// fourCC reads a four-character code.
func (c *cursor) fourCC() string { return string(c.take(4)) }

// cstring reads a NUL-terminated string. A string that runs to the end of
// the payload without a NUL is accepted, as files in the wild do that.
func (c *cursor) cstring() string {
	for i, b := range c.p {
		if b == 0 {
			s := string(c.p[:i])
			c.p = c.p[i+1:]
			return s
		}
	}
	s := string(c.p)
	c.p = nil
	return s
}

// fullBox reads the version and flags of a FullBox.
func (c *cursor) fullBox() (version uint8, flags uint32) {
	v := c.u32()
	return uint8(v >> 24), v & 0xFFFFFF
}
