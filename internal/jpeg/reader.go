package jpeg

import (
	"errors"
	"io"
)

// bufSize is the size of the input buffer. It bounds nothing but the number
// of Read calls.
const bufSize = 16 << 10

// input buffers the io.Reader. Marker segments are read through readByte,
// readFull and skip; entropy-coded data is read by fillBits straight from
// buf.
type input struct {
	r    io.Reader
	buf  [bufSize]byte
	i, j int // buf[i:j] holds the bytes read but not consumed
}

// fill moves the unconsumed bytes to the front of buf and reads more. It
// returns io.ErrUnexpectedEOF at the end of the input (a JPEG file ends with
// EOI, so running out is always premature) and any other read error as is.
func (in *input) fill() error {
	if in.i > 0 {
		in.j = copy(in.buf[:], in.buf[in.i:in.j])
		in.i = 0
	}
	for range 100 {
		n, err := in.r.Read(in.buf[in.j:])
		in.j += n
		if n > 0 {
			return nil
		}
		if errors.Is(err, io.EOF) {
			return io.ErrUnexpectedEOF
		}
		if err != nil {
			return err
		}
	}
	return io.ErrNoProgress
}

func (in *input) readByte() (byte, error) {
	if in.i == in.j {
		if err := in.fill(); err != nil {
			return 0, err
		}
	}
	c := in.buf[in.i]
	in.i++
	return c, nil
}

// readFull fills p, which must not be longer than bufSize.
func (in *input) readFull(p []byte) error {
	for in.j-in.i < len(p) {
		if err := in.fill(); err != nil {
			return err
		}
	}
	in.i += copy(p, in.buf[in.i:in.j])
	return nil
}

// readUint16 reads a big-endian 16-bit value.
func (in *input) readUint16() (int, error) {
	var b [2]byte
	if err := in.readFull(b[:]); err != nil {
		return 0, err
	}
	return int(b[0])<<8 | int(b[1]), nil
}

// skip discards n bytes.
func (in *input) skip(n int) error {
	for n > 0 {
		if in.i == in.j {
			if err := in.fill(); err != nil {
				return err
			}
		}
		m := min(n, in.j-in.i)
		in.i += m
		n -= m
	}
	return nil
}

// nextMarker skips to the next marker and returns its code (the byte after
// 0xFF and any fill bytes). Like libjpeg and image/jpeg, it silently skips
// bytes that are not a marker, including stuffed 0xFF 0x00 pairs, but a run
// of fill bytes ends at the first byte that is not 0xFF, so that 0xFF 0xFF
// 0x00 yields the invalid code 0.
func (in *input) nextMarker() (byte, error) {
	for {
		c, err := in.readByte()
		if err != nil {
			return 0, err
		}
		if c != 0xFF {
			continue
		}
		m, err := in.readByte()
		if err != nil {
			return 0, err
		}
		if m == 0 {
			continue
		}
		for m == 0xFF {
			if m, err = in.readByte(); err != nil {
				return 0, err
			}
		}
		return m, nil
	}
}
