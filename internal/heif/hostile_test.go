package heif

import (
	"bytes"
	"context"
	"errors"
	"image"
	"math"
	"runtime"
	"testing"

	"github.com/chatpic/chatpic"
)

// TestHostileFiles feeds Probe and Decode (with the stub decoder) box
// structures that once made the package panic, allocate or work without
// bound, or hand the decoder a picture of another size than it checked.
// Each is built in code; kind "" means the file must be accepted, as
// width x height.
func TestHostileFiles(t *testing.T) {
	tests := []struct {
		name string
		file func() *fixture
		kind chatpic.Kind
		w, h int
	}{
		{"ipma property index 0 before the primary's irot (an Android HDR HEIF)", func() *fixture {
			f := fakeHEIC(640, 480)
			f.addProp(1, nil, false, false)
			f.addProp(1, irotBox(1), true, false)
			f.addProp(1, nil, false, false)
			return f
		}, "", 480, 640},
		{"ipma property index 0 on a grid tile and on the grid", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.item(2).props = append([]fprop{{nil, false}}, f.item(2).props...)
			f.addProp(1, nil, true, true)
			return f
		}, "", 256, 64},
		{"iloc listing the same bytes a hundred times", func() *fixture {
			f := fakeHEIC(640, 480)
			f.items[0].data = append(append([]byte(nil), fakeHEVC...), filler(64<<10)...)
			f.items[0].repeat = 100
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"an alpha plane referenced 40 times, with 40 auxC properties", func() *fixture {
			f := fakeHEIC(640, 480)
			a := &fitem{id: 2, typ: "hvc1", data: fakeHEVC, props: []fprop{{hvcCBox(640, 480, 0), true}, {ispeBox(640, 480), false}}}
			for range 40 {
				a.props = append(a.props, fprop{auxCAlpha, false})
				f.refs = append(f.refs, fref{"auxl", 2, []uint32{1}})
			}
			f.items = append(f.items, a)
			return f
		}, "", 640, 480},
		{"grid whose descriptor makes it larger than its ispe", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.item(1).data = []byte{0, 1, 0, 1, 0, 0, 0xFF, 0xFF, 0, 0, 0xFF, 0xFF}
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"grid of 2x1 tiles given one", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.refs[0].to = f.refs[0].to[:1]
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"grid descriptor cut short", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.item(1).data = f.item(1).data[:6]
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"overlay whose canvas is larger than its ispe", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.item(1).typ = "iovl"
			f.item(1).data = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10, 0, 0x10, 0, 0, 0, 0, 0, 0, 0x80, 0, 0}
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"overlay of two pictures", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.item(1).typ = "iovl"
			f.item(1).data = []byte{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 64, 0, 0, 0, 0, 0, 0x80, 0, 0}
			return f
		}, "", 256, 64},
		{"identity derivation whose ispe is its source before rotation", func() *fixture {
			f := fakeHEIC(128, 96)
			f.addProp(1, irotBox(1), true, false)
			f.primary = 2
			f.items = append(f.items, &fitem{id: 2, typ: "iden", props: []fprop{{ispeBox(128, 96), false}}})
			f.refs = []fref{{"dimg", 2, []uint32{1}}}
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"identity derivation of two sources", func() *fixture {
			f := fakeHEIC(128, 96)
			f.items = append(f.items, &fitem{id: 2, typ: "hvc1", data: fakeHEVC, props: f.items[0].props},
				&fitem{id: 3, typ: "iden", props: []fprop{{ispeBox(128, 96), false}}})
			f.primary = 3
			f.refs = []fref{{"dimg", 3, []uint32{1, 2}}}
			return f
		}, chatpic.KindUnprocessable, 0, 0},
		{"grid tile with a rotation of its own", func() *fixture {
			f := gridOf(2, 1, 128, 64)
			f.addProp(3, irotBox(2), true, false)
			return f
		}, chatpic.KindUnsupported, 0, 0},
		{"primary predicted from another picture", func() *fixture {
			f := fakeHEIC(128, 96)
			f.items = append(f.items, &fitem{id: 2, typ: "hvc1", data: fakeHEVC, props: f.items[0].props})
			f.refs = []fref{{"pred", 1, []uint32{2}}}
			return f
		}, chatpic.KindUnsupported, 0, 0},
		{"HEIC alpha plane with a rotation of its own", func() *fixture {
			f := fakeHEIC(128, 96)
			f.items = append(f.items, &fitem{id: 2, typ: "hvc1", data: fakeHEVC,
				props: []fprop{{hvcCBox(128, 96, 0), true}, {ispeBox(128, 96), false}, {auxCAlpha, false}, {irotBox(2), true}}})
			f.refs = []fref{{"auxl", 2, []uint32{1}}}
			return f
		}, chatpic.KindUnsupported, 0, 0},
		{"AVIF identity derivation", func() *fixture {
			f := importHEIF(t, cornersAVIF())
			f.items = append(f.items, &fitem{id: 50, typ: "iden", props: []fprop{{ispeBox(64, 48), false}}})
			f.refs = append(f.refs, fref{"dimg", 50, []uint32{f.primary}})
			f.primary = 50
			return f
		}, chatpic.KindUnsupported, 0, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.file().bytes()
			info, err := Probe(bytes.NewReader(data), int64(len(data)))
			if err == nil {
				var img image.Image
				img, info, err = decode(context.Background(), sliceReader(data), int64(len(data)), 0, stubDecoder(t))
				if err == nil && img.Bounds() != image.Rect(0, 0, info.Width, info.Height) {
					t.Fatalf("decoded %v, Info says %dx%d", img.Bounds(), info.Width, info.Height)
				}
			}
			if tt.kind == "" {
				if err != nil {
					t.Fatalf("Decode: %v", err)
				}
				if info.Width != tt.w || info.Height != tt.h {
					t.Errorf("Decode gives %dx%d, want %dx%d", info.Width, info.Height, tt.w, tt.h)
				}
				return
			}
			e, ok := errors.AsType[*chatpic.Error](err)
			if !ok || e.Kind != tt.kind || e.Message == "" {
				t.Fatalf("Decode error = %v (%T), want kind %s with a message", err, err, tt.kind)
			}
		})
	}
}

// gridOf returns a HEIC whose primary, item 1, is a grid of cols x rows
// tiles of w x h (4:2:0), items 2, 3...
func gridOf(cols, rows, w, h int) *fixture {
	gw, gh := cols*w, rows*h
	f := &fixture{brands: []string{"heic", "mif1"}, primary: 1}
	f.items = append(f.items, &fitem{id: 1, typ: "grid",
		data:  []byte{0, 0, byte(rows - 1), byte(cols - 1), byte(gw >> 8), byte(gw), byte(gh >> 8), byte(gh)},
		props: []fprop{{ispeBox(gw, gh), false}}})
	var tiles []uint32
	for k := range cols * rows {
		id := uint32(k + 2)
		tiles = append(tiles, id)
		f.items = append(f.items, &fitem{id: id, typ: "hvc1", data: fakeHEVC,
			props: []fprop{{hvcCBox(w, h, 1), true}, {ispeBox(w, h), false}}})
	}
	f.refs = []fref{{"dimg", 1, tiles}}
	return f
}

// filler returns an HEVC NAL unit of n bytes that is neither a parameter
// set nor a picture, with its 4-byte length.
func filler(n int) []byte {
	p := append(be32(n), 38<<1, 1) // FD_NUT
	return append(p, bytes.Repeat([]byte{0xFF}, n-2)...)
}

// TestAlphaCountedOnce checks that an alpha plane listed in many auxl
// references, with many auxC properties, adds its pixels once.
func TestAlphaCountedOnce(t *testing.T) {
	f := fakeHEIC(640, 480)
	a := &fitem{id: 2, typ: "hvc1", data: fakeHEVC, props: []fprop{{hvcCBox(640, 480, 0), true}, {ispeBox(640, 480), false}}}
	for range 200 {
		a.props = append(a.props, fprop{auxCAlpha, false})
		f.refs = append(f.refs, fref{"auxl", 2, []uint32{1}})
	}
	f.items = append(f.items, a)
	data := f.bytes()
	p, err := probe(sliceReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if !p.alpha || p.coded != 2*640*480 {
		t.Errorf("alpha %v, %d pixels to decode; want an alpha plane and %d pixels", p.alpha, p.coded, 2*640*480)
	}
}

// TestSharedConfigReadOnce checks that an hvcC property shared by many
// tiles is read once, not once per tile: a 1 MiB hvcC shared by 2000
// tiles would make checkBitstreams allocate 2 GB.
func TestSharedConfigReadOnce(t *testing.T) {
	f := gridOf(50, 40, 64, 64)
	sps := append(hevcSPS(64, 64, 1), make([]byte, 60<<10)...)
	cfg := []byte{1, 1, 0x60, 0, 0, 0, 0x90, 0, 0, 0, 0, 0, 90, 0xF0, 0, 0xFC, 0xFD, 0xF8, 0xF8, 0, 0, 0x0F, 1, 0x80 | 33}
	cfg = append(cfg, be16(16)...)
	for range 16 {
		cfg = append(append(cfg, be16(len(sps))...), sps...)
	}
	hvcC := boxOf("hvcC", cfg)
	for _, i := range f.items[1:] {
		i.props[0].box = hvcC
	}
	data := f.bytes()
	p, err := probe(sliceReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	if err := checkBitstreams(data, p); err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	if n := after.TotalAlloc - before.TotalAlloc; n > 64<<20 {
		t.Errorf("checkBitstreams allocated %d MB for a %d kB file", n>>20, len(data)>>10)
	}
}

// TestDecodeLimitWithoutOverflow checks that the largest pixel limit does
// not overflow into refusing everything.
func TestDecodeLimitWithoutOverflow(t *testing.T) {
	data := cornersAVIF()
	for _, limit := range []int64{math.MaxInt64, math.MaxInt64 / codedAllowance, math.MaxInt64/codedAllowance + 1} {
		if _, _, err := decode(context.Background(), sliceReader(data), int64(len(data)), limit, stubDecoder(t)); err != nil {
			t.Errorf("limit %d: %v", limit, err)
		}
	}
}

// TestEntryCountsBounded checks that iloc and ipma may not describe more
// items than a file can have (one per infe box): a 16 MiB meta box of
// 6-byte iloc entries would make 2.8 million items.
func TestEntryCountsBounded(t *testing.T) {
	const n = maxBoxes + 1
	iloc := append(be32(0), 0, 0)
	iloc = append(iloc, be16(n)...)
	ipma := append(be32(0), be32(n)...)
	for k := range n {
		iloc = append(iloc, be16(k+1)...)
		iloc = append(iloc, 0, 0, 0, 0) // data reference 0, no extents
		ipma = append(ipma, be16(k+1)...)
		ipma = append(ipma, 0) // no associations
	}
	tests := []struct {
		name  string
		parse func(m *meta) error
	}{
		{"iloc", func(m *meta) error { return m.parseIloc(iloc, map[uint32]*item{}) }},
		{"ipma", func(m *meta) error { return m.parseIprp(boxOf("ipma", ipma), 0) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.parse(&meta{byID: map[uint32]*item{}})
			if k := chatpic.ErrorKind(err); k != chatpic.KindUnprocessable {
				t.Errorf("parsing %d entries: %v (kind %q), want unprocessable", n, err, k)
			}
		})
	}
}
