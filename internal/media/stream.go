package media

import (
	"bufio"
	"bytes"
	"hash"
	"io"
)

// stream reads an upload front to back. The JPEG, PNG and GIF walkers use
// it; every read error it returns is already mapped by readErr.
type stream struct {
	br   *bufio.Reader
	size int64
	off  int64 // bytes consumed so far
}

func newStream(src io.ReaderAt, size int64) *stream {
	return &stream{br: bufio.NewReaderSize(io.NewSectionReader(src, 0, size), 64<<10), size: size}
}

// remaining returns how many bytes are left.
func (s *stream) remaining() int64 { return s.size - s.off }

func (s *stream) readFull(p []byte) error {
	n, err := io.ReadFull(s.br, p)
	s.off += int64(n)
	return readErr(err)
}

func (s *stream) readByte() (byte, error) {
	b, err := s.br.ReadByte()
	if err != nil {
		return 0, readErr(err)
	}
	s.off++
	return b, nil
}

// read returns the next n bytes in a new slice. It refuses before
// allocating if the file cannot hold n more bytes, so a lying length field
// cannot make it allocate much.
func (s *stream) read(n int64) ([]byte, error) {
	if n > s.remaining() {
		return nil, truncated()
	}
	p := make([]byte, n)
	return p, s.readFull(p)
}

// copy copies the next n bytes to w.
func (s *stream) copy(w io.Writer, n int64) error {
	if n > s.remaining() {
		return truncated()
	}
	for n > 0 {
		buf, err := s.br.Peek(int(min(n, int64(s.br.Size()))))
		if err != nil {
			return readErr(err)
		}
		if _, err := w.Write(buf); err != nil {
			return err
		}
		s.br.Discard(len(buf)) // cannot fail: the bytes are buffered
		s.off += int64(len(buf))
		n -= int64(len(buf))
	}
	return nil
}

// skip discards the next n bytes.
func (s *stream) skip(n int64) error {
	if n > s.remaining() {
		return truncated()
	}
	d, err := s.br.Discard(int(n))
	s.off += int64(d)
	return readErr(err)
}

// compareWriter checks that what is written equals the first size bytes of
// want, in order. The verifier scrubs the output again into a compareWriter:
// a clean output is a fixed point of scrubbing. It reads want a chunk at a
// time, so the output is never held in memory whole.
type compareWriter struct {
	want io.ReaderAt
	size int64
	off  int64
	buf  []byte
}

func (c *compareWriter) Write(p []byte) (int, error) {
	if int64(len(p)) > c.size-c.off {
		return 0, errMismatch
	}
	if c.buf == nil {
		c.buf = make([]byte, 32<<10)
	}
	for done := 0; done < len(p); {
		b := c.buf[:min(len(p)-done, len(c.buf))]
		if err := readAt(c.want, c.size, b, c.off); err != nil {
			return 0, err
		}
		if !bytes.Equal(b, p[done:done+len(b)]) {
			return 0, errMismatch
		}
		done += len(b)
		c.off += int64(len(b))
	}
	return len(p), nil
}

// done reports whether all of want was written.
func (c *compareWriter) done() bool { return c.off == c.size }

// File is where Process writes the scrubbed file: it reads it back to
// verify and decode it. *os.File (opened for reading and writing, as
// os.CreateTemp does) is one.
type File interface {
	io.Writer
	io.ReaderAt
}

// memFile is a File in memory, for a Process whose caller gave a plain
// writer.
type memFile struct{ bytes.Buffer }

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	b := m.Bytes()
	if off < 0 || off >= int64(len(b)) {
		return 0, io.EOF
	}
	n := copy(p, b[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// countingWriter counts and hashes what passes through it.
type countingWriter struct {
	w io.Writer
	n int64
	h hash.Hash
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	c.h.Write(p[:n])
	return n, err
}

// readAt fills p from src at off. It fails as truncated if p would reach
// past end, the end of the structure being read.
func readAt(src io.ReaderAt, end int64, p []byte, off int64) error {
	if off < 0 || off+int64(len(p)) > end {
		return truncated()
	}
	if n, err := src.ReadAt(p, off); n < len(p) {
		if err == nil {
			err = io.ErrUnexpectedEOF
		}
		return readErr(err)
	}
	return nil // a full read, even if it came with io.EOF
}

// countWriter counts the bytes written through it.
type countWriter struct {
	w io.Writer
	n int64
}

func (c *countWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}
