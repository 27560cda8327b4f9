package isobmff

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"strings"
	"testing"
)

// bx returns a box of type t around payload, with a 32-bit size.
func bx(t string, payload ...[]byte) []byte {
	p := bytes.Join(payload, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(p)))
	return append(append(b, t...), p...)
}

// large returns a box of type t around payload with a 64-bit size of n.
func large(t string, n uint64, payload []byte) []byte {
	b := append(binary.BigEndian.AppendUint32(nil, 1), t...)
	return append(binary.BigEndian.AppendUint64(b, n), payload...)
}

// sized returns a header of type t whose 32-bit size says n.
func sized(t string, n uint32, payload []byte) []byte {
	return append(append(binary.BigEndian.AppendUint32(nil, n), t...), payload...)
}

func TestReadHeader(t *testing.T) {
	tests := []struct {
		name     string
		data     []byte
		off, end int64 // end -1: len(data)
		want     Box
		err      error
	}{
		{"plain box", bx("ftyp", []byte("heic")), 0, -1, Box{Type: "ftyp", Header: 8, Size: 12}, nil},
		{"box at an offset", append([]byte("xxxx"), bx("free")...), 4, -1, Box{Type: "free", Offset: 4, Header: 8, Size: 8}, nil},
		{"size 0 runs to the end", sized("mdat", 0, make([]byte, 20)), 0, -1, Box{Type: "mdat", Header: 8, Size: 28}, nil},
		{"size 0 runs to the container's end", sized("mdat", 0, make([]byte, 20)), 0, 10, Box{Type: "mdat", Header: 8, Size: 10}, nil},
		{"largesize", large("mdat", 20, []byte("abcd")), 0, -1, Box{Type: "mdat", Header: 16, Size: 20}, nil},
		{"empty range", nil, 0, 0, Box{Header: 8}, ErrStray},
		{"truncated header is stray", []byte("\x00\x00\x00"), 0, -1, Box{Header: 8, Size: 3}, ErrStray},
		{"reader shorter than the container", []byte("\x00\x00\x00\x08fr"), 0, 8, Box{Header: 8}, ErrTruncated},
		{"size smaller than the header", sized("free", 7, nil), 0, -1, Box{Type: "free", Header: 8, Size: 7}, ErrSize},
		{"largesize smaller than its header", large("mdat", 15, nil), 0, -1, Box{Type: "mdat", Header: 16, Size: 15}, ErrSize},
		{"largesize past int64", large("mdat", 1<<63, nil), 0, -1, Box{Type: "mdat", Header: 16, Size: -1 << 63}, ErrSize},
		{"largesize that does not fit", sized("mdat", 1, []byte("abc")), 0, -1, Box{Type: "mdat", Header: 16, Size: 1}, ErrLargeSize},
		{"largesize past the reader", sized("mdat", 1, []byte("abc")), 0, 16, Box{Type: "mdat", Header: 16, Size: 1}, ErrTruncated},
		{"overrun", sized("moov", 100, make([]byte, 10)), 0, -1, Box{Type: "moov", Header: 8, Size: 100}, ErrOverrun},
		{"overrun of the container only", bx("moov", make([]byte, 10)), 0, 12, Box{Type: "moov", Header: 8, Size: 18}, ErrOverrun},
		{"largesize overrun", large("mdat", 1<<40, nil), 0, -1, Box{Type: "mdat", Header: 16, Size: 1 << 40}, ErrOverrun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			end := tt.end
			if end < 0 {
				end = int64(len(tt.data))
			}
			got, err := ReadHeader(bytes.NewReader(tt.data), tt.off, end)
			if tt.err == nil && err != nil || !errors.Is(err, tt.err) {
				t.Fatalf("error %v, want %v", err, tt.err)
			}
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || e.Box != got {
					t.Errorf("error %#v does not carry the box %+v", err, got)
				}
			}
			if got != tt.want {
				t.Errorf("box %+v, want %+v", got, tt.want)
			}
		})
	}
}

// failReader fails every read with its error.
type failReader struct{ err error }

func (f failReader) ReadAt([]byte, int64) (int, error) { return 0, f.err }

func TestReadHeaderReadError(t *testing.T) {
	boom := errors.New("disk on fire")
	if _, err := ReadHeader(failReader{boom}, 0, 100); err != boom {
		t.Errorf("error %v, want the reader's own", err)
	}
	if _, err := ReadHeader(failReader{io.ErrUnexpectedEOF}, 0, 100); !errors.Is(err, ErrTruncated) {
		t.Errorf("error %v, want ErrTruncated", err)
	}
}

func TestIter(t *testing.T) {
	data := bytes.Join([][]byte{bx("ftyp", []byte("isom")), bx("free"), large("mdat", 18, []byte("ab"))}, nil)
	it := NewIter(bytes.NewReader(data), 0, int64(len(data)), 3)
	var types []string
	for {
		b, ok, err := it.Next()
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			break
		}
		types = append(types, b.Type)
	}
	if got := strings.Join(types, " "); got != "ftyp free mdat" {
		t.Errorf("boxes %q", types)
	}

	tests := []struct {
		name string
		data []byte
		max  int
		err  error
	}{
		{"more boxes than the bound", bytes.Repeat(bx("free"), 4), 3, ErrTooMany},
		{"no bound", bytes.Repeat(bx("free"), 1000), 0, nil},
		{"stray bytes after the boxes", append(bx("free"), 0, 0, 0), 0, ErrStray},
		{"a box past the end", append(bx("free"), sized("mdat", 9, nil)...), 0, ErrOverrun},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			it := NewIter(bytes.NewReader(tt.data), 0, int64(len(tt.data)), tt.max)
			var err error
			for ok := true; ok && err == nil; {
				_, ok, err = it.Next()
			}
			if tt.err == nil && err != nil || !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
		})
	}
}

func TestWalk(t *testing.T) {
	nest := func(n int) []byte {
		b := bx("free")
		for range n {
			b = bx("moov", b)
		}
		return b
	}
	tests := []struct {
		name     string
		data     []byte
		maxDepth int
		want     string // type@depth of each box visited
		err      error
	}{
		{"flat", append(bx("ftyp"), bx("mdat")...), 2, "ftyp@0 mdat@0", nil},
		{"nested within the bound", nest(2), 2, "moov@0 moov@1 free@2", nil},
		{"nested past the bound", nest(3), 2, "moov@0 moov@1 moov@2", ErrTooDeep},
		{"an empty box past the bound", nest(1), 0, "moov@0", ErrTooDeep},
		{"a child overruns its container", bx("moov", sized("trak", 9, nil)), 2, "moov@0", ErrOverrun},
		{"stray bytes in a container", bx("moov", []byte("abc")), 2, "moov@0", ErrStray},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []byte
			err := Walk(bytes.NewReader(tt.data), 0, int64(len(tt.data)), tt.maxDepth, func(b Box, depth int) (bool, error) {
				if len(seen) > 0 {
					seen = append(seen, ' ')
				}
				seen = append(append(append(seen, b.Type...), '@'), byte('0'+depth))
				return b.Type == "moov", nil
			})
			if tt.err == nil && err != nil || !errors.Is(err, tt.err) {
				t.Errorf("error %v, want %v", err, tt.err)
			}
			if string(seen) != tt.want {
				t.Errorf("visited %q, want %q", seen, tt.want)
			}
		})
	}

	stop := errors.New("stop")
	data := nest(2)
	err := Walk(bytes.NewReader(data), 0, int64(len(data)), 5, func(b Box, _ int) (bool, error) {
		if b.Type == "free" {
			return false, stop
		}
		return true, nil
	})
	if err != stop {
		t.Errorf("error %v, want fn's own", err)
	}
}
