package jpeg

import (
	"bytes"
	"errors"
	stdjpeg "image/jpeg"
	"io"
	"runtime"
	"testing"
)

// segment is a marker segment of a JPEG file, with the entropy-coded data
// that follows it when it is a SOS.
type segment struct {
	marker byte
	body   []byte // after the length
	data   []byte // entropy-coded data, RST markers included
}

// split cuts a well-formed file into segments (SOI and EOI excluded).
func split(t *testing.T, b []byte) []segment {
	t.Helper()
	var segs []segment
	i := 2
	for i+4 <= len(b) && b[i+1] != 0xD9 {
		m, n := b[i+1], int(b[i+2])<<8|int(b[i+3])
		s := segment{marker: m, body: b[i+4 : i+2+n]}
		i += 2 + n
		if m == 0xDA {
			j := i
			for !(b[j] == 0xFF && b[j+1] != 0 && (b[j+1] < 0xD0 || b[j+1] > 0xD7)) {
				j++
			}
			s.data, i = b[i:j], j
		}
		segs = append(segs, s)
	}
	return segs
}

// join is the inverse of split.
func join(segs []segment) []byte {
	out := []byte{0xFF, 0xD8}
	for _, s := range segs {
		n := len(s.body) + 2
		out = append(out, 0xFF, s.marker, byte(n>>8), byte(n))
		out = append(append(out, s.body...), s.data...)
	}
	return append(out, 0xFF, 0xD9)
}

// edit returns a copy of the file with f applied to its segments.
func edit(t *testing.T, b []byte, f func(segs []segment) []segment) []byte {
	t.Helper()
	var segs []segment
	for _, s := range split(t, b) {
		segs = append(segs, segment{s.marker, bytes.Clone(s.body), bytes.Clone(s.data)})
	}
	return join(f(segs))
}

// find returns the first segment with the marker.
func find(segs []segment, marker byte) *segment {
	for i := range segs {
		if segs[i].marker == marker {
			return &segs[i]
		}
	}
	panic("no such segment")
}

func without(segs []segment, marker byte) []segment {
	var out []segment
	for _, s := range segs {
		if s.marker != marker {
			out = append(out, s)
		}
	}
	return out
}

func TestRefuseCorrupt(t *testing.T) {
	base := encodeRaw(rawSpec{width: 40, height: 24, comps: rawPlanes(photo(40, 24, 2), "ycc", 0x22, 0x11, 0x11), adobe: -1, quant: 4, restart: 2})
	var unsupported UnsupportedError
	var format FormatError
	tests := []struct {
		name     string
		file     []byte
		want     any  // *UnsupportedError, *FormatError or an error for errors.Is
		stricter bool // a check image/jpeg lacks
	}{
		{"no SOI", append([]byte{0xFF, 0xD9}, base[2:]...), &format, false},
		{"no SOF", edit(t, base, func(s []segment) []segment { return without(s, 0xC0) }), &format, false},
		{"no SOS", edit(t, base, func(s []segment) []segment { return without(s, 0xDA) }), &format, false},
		{"second SOF", edit(t, base, func(s []segment) []segment { return append(s[:2:2], s[1:]...) }), &format, false},
		{"12-bit SOF1", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC0)
			f.marker, f.body[0] = 0xC1, 12
			return s
		}), &unsupported, false},
		{"arithmetic SOF9", edit(t, base, func(s []segment) []segment { find(s, 0xC0).marker = 0xC9; return s }), &unsupported, false},
		{"lossless SOF3", edit(t, base, func(s []segment) []segment { find(s, 0xC0).marker = 0xC3; return s }), &unsupported, false},
		{"hierarchical SOF5", edit(t, base, func(s []segment) []segment { find(s, 0xC0).marker = 0xC5; return s }), &unsupported, false},
		{"two components", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC0)
			f.body = f.body[:12]
			f.body[5] = 2
			return s
		}), &unsupported, false},
		{"component count disagrees with length", edit(t, base, func(s []segment) []segment { find(s, 0xC0).body[5] = 1; return s }), &format, false},
		{"sampling factor 0", edit(t, base, func(s []segment) []segment { find(s, 0xC0).body[7] = 0x02; return s }), &format, false},
		{"zero height", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC0)
			f.body[1], f.body[2] = 0, 0
			return s
		}), errZeroSize, true},
		{"DQT too short", edit(t, base, func(s []segment) []segment { f := find(s, 0xDB); f.body = f.body[:40]; return s }), &format, false},
		{"DRI of 3 bytes", edit(t, base, func(s []segment) []segment { f := find(s, 0xDD); f.body = append(f.body, 0); return s }), &format, false},
		{"DHT without codes", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC4)
			f.body = append([]byte{f.body[0]}, make([]byte, 16)...)
			return s
		}), &format, false},
		{"DHT over-subscribed", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC4)
			f.body[1] = 3 // three 1-bit codes
			f.body = append(f.body, 0, 1, 2)
			return s
		}), errBadHuffmanTable, true},
		{"DHT with an all-ones code", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xC4)
			f.body[4] = 16
			f.body = append(f.body[:17+12:17+12], 12, 13, 14, 15)
			return s
		}), errBadHuffmanTable, true},
		{"no Huffman tables", edit(t, base, func(s []segment) []segment { return without(s, 0xC4) }), &format, false},
		{"bad Huffman code", edit(t, base, func(s []segment) []segment { find(s, 0xDA).data[0] = 0xF0; return s }), errBadCode, false},
		{"restart markers out of order", edit(t, base, func(s []segment) []segment {
			d := find(s, 0xDA).data
			d[bytes.Index(d, []byte{0xFF, 0xD0})+1] = 0xD1
			return s
		}), &format, false},
		{"scan data ends early", edit(t, base, func(s []segment) []segment {
			f := find(s, 0xDA)
			f.data = f.data[:len(f.data)/3]
			return s
		}), &format, false},
		{"unknown marker", edit(t, base, func(s []segment) []segment { return append(s[:1:1], append([]segment{{marker: 0x01}}, s[1:]...)...) }), &format, false},
		{"segment length 1", append(bytes.Clone(base[:2]), 0xFF, 0xFE, 0x00, 0x01), &format, false},
		{"501 scans", manyScans(t, 501), errTooManyScans, true},
		{"scan of an unknown component", edit(t, base, func(s []segment) []segment { find(s, 0xDA).body[1] = 9; return s }), &format, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Decode(bytes.NewReader(tc.file), Options{})
			if err == nil {
				t.Fatal("Decode accepted the file")
			}
			switch w := tc.want.(type) {
			case *UnsupportedError, *FormatError:
				if !errors.As(err, w) {
					t.Errorf("error %q (%T), want a %T", err, err, w)
				}
			case error:
				if !errors.Is(err, w) {
					t.Errorf("error %q, want %q", err, w)
				}
			}
			// image/jpeg refuses these files too, but for the checks
			// documented on Decode as ours alone.
			if _, refErr := stdjpeg.Decode(bytes.NewReader(tc.file)); refErr == nil && !tc.stricter {
				t.Error("image/jpeg accepts the file")
			}
		})
	}
}

// manyScans returns a gray 8x8 file that codes its one block n times.
func manyScans(t *testing.T, n int) []byte {
	one := encodeRaw(rawSpec{width: 8, height: 8, comps: rawPlanes(photo(8, 8, 1), "ycc", 0x11), adobe: -1, quant: 4})
	return edit(t, one, func(s []segment) []segment {
		sos := *find(s, 0xDA)
		for range n - 1 {
			s = append(s, sos)
		}
		return s
	})
}

func TestScanLimit(t *testing.T) {
	if _, err := Decode(bytes.NewReader(manyScans(t, maxScans)), Options{}); err != nil {
		t.Errorf("%d scans: %v", maxScans, err)
	}
}

// TestRefuseArithmetic refuses a file arithmetic-coded by cjpeg.
func TestRefuseArithmetic(t *testing.T) {
	data := cjpeg(t, small(), "-arithmetic")
	_, err := Decode(bytes.NewReader(data), Options{})
	var u UnsupportedError
	if !errors.As(err, &u) {
		t.Fatalf("error %v, want an UnsupportedError", err)
	}
}

// TestRefuseTruncated cuts files at every length short of the whole: the
// error must say the file is truncated.
func TestRefuseTruncated(t *testing.T) {
	m := photo(48, 40, 4)
	files := map[string][]byte{
		"baseline 4:2:0":             encode(t, m, 80),
		"4:4:4 restart every MCU":    encodeRaw(rawSpec{width: 48, height: 40, comps: rawPlanes(m, "ycc", 0x11, 0x11, 0x11), adobe: -1, quant: 5, restart: 1}),
		"progressive (if jpegtran)":  nil,
		"progressive restart 2 rows": nil,
	}
	for name, data := range files {
		t.Run(name, func(t *testing.T) {
			if data == nil {
				data = jpegtran(t, files["baseline 4:2:0"], "-progressive")
				if name == "progressive restart 2 rows" {
					data = jpegtran(t, files["baseline 4:2:0"], "-progressive", "-restart", "2")
				}
			}
			for n := range len(data) {
				_, err := Decode(bytes.NewReader(data[:n]), Options{})
				if !errors.Is(err, io.ErrUnexpectedEOF) {
					t.Fatalf("cut at %d of %d: error %v, want io.ErrUnexpectedEOF", n, len(data), err)
				}
				for _, s := range []int{2, 8} {
					if _, err := Decode(bytes.NewReader(data[:n]), Options{scale: s}); err == nil {
						t.Fatalf("cut at %d of %d: accepted at 1/%d", n, len(data), s)
					}
				}
			}
		})
	}
}

// TestMaxPixels refuses a frame too large before allocating for it.
func TestMaxPixels(t *testing.T) {
	huge := edit(t, encode(t, small(), 80), func(s []segment) []segment {
		f := find(s, 0xC0)
		copy(f.body[1:5], []byte{0xFF, 0xFF, 0xFF, 0xFF}) // 65535 x 65535
		return s
	})
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	_, err := Decode(bytes.NewReader(huge), Options{MaxPixels: 50_000_000})
	runtime.ReadMemStats(&after)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("error %v, want ErrTooLarge", err)
	}
	if n := after.TotalAlloc - before.TotalAlloc; n > decoderBytes {
		t.Errorf("allocated %d bytes before refusing, want <= %d", n, decoderBytes)
	}
	cfg, err := DecodeConfig(bytes.NewReader(huge))
	if err != nil || cfg.Width != 65535 || cfg.Height != 65535 {
		t.Errorf("DecodeConfig = %dx%d, %v; want 65535x65535", cfg.Width, cfg.Height, err)
	}
}
