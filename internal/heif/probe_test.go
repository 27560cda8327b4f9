package heif

import (
	"bytes"
	"errors"
	"testing"

	"github.com/chatpic/chatpic"
)

func TestSniff(t *testing.T) {
	avifFile := cornersAVIF()
	mif1 := func(f *fixture) []byte { f.brands = []string{"mif1", "mif1", "miaf"}; return f.bytes() }
	avifMif1 := mif1(importHEIF(t, avifFile))
	tests := []struct {
		name   string
		head   []byte
		want   string
		wantOK bool
	}{
		{"AVIF from libavif", avifFile, AVIF, true},
		{"HEIC brand", fakeHEIC(8, 8).bytes(), HEIC, true},
		{"heix major brand", brands("heix", "mif1"), HEIC, true},
		{"mif1 major, hevc compatible", brands("mif1", "hevc"), HEIC, true},
		{"avis sequence", brands("avis", "msf1"), AVIF, true},
		{"mif1 only, hvc1 primary in the meta box", mif1(fakeHEIC(8, 8)), HEIC, true},
		{"mif1 only, av01 primary in the meta box", avifMif1, AVIF, true},
		{"mif1 only, meta box cut off", avifMif1[:60], "", false},
		{"mif1 only, no meta box", brands("mif1"), "", false},
		{"MP4", brands("isom", "iso2", "mp41"), "", false},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR"), "", false},
		{"empty", nil, "", false},
		{"ftyp of 8 bytes", []byte("\x00\x00\x00\x08ftypheicheicheic"), "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Sniff(tt.head)
			if got != tt.want || ok != tt.wantOK {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, ok, tt.want, tt.wantOK)
			}
		})
	}
}

// brands returns an ftyp box alone.
func brands(major string, compatible ...string) []byte {
	p := [][]byte{[]byte(major), be32(0)}
	for _, c := range compatible {
		p = append(p, []byte(c))
	}
	return boxOf("ftyp", p...)
}

func TestProbe(t *testing.T) {
	icc := testICC(3000)
	tests := []struct {
		name   string
		file   func(t *testing.T) []byte
		format string
		w, h   int
		icc    []byte
		nclx   *NCLX
		frames int
	}{
		{"HEIC by hand", func(t *testing.T) []byte { return fakeHEIC(4032, 3024).bytes() }, HEIC, 4032, 3024, nil, nil, 1},
		{"HEIC, irot 90, ICC profile, Exif and XMP", func(t *testing.T) []byte {
			f := fakeHEIC(4032, 3024)
			f.addProp(1, colrICC(icc), false, true)
			f.addProp(1, irotBox(1), true, false)
			f.addMetadata(gpsMarker, xmpMarker)
			return f.bytes()
		}, HEIC, 3024, 4032, icc, nil, 1},
		{"HEIC, irot 180 and imir keep the size", func(t *testing.T) []byte {
			f := fakeHEIC(40, 30)
			f.addProp(1, irotBox(2), true, false)
			f.addProp(1, imirBox(1), true, false)
			return f.bytes()
		}, HEIC, 40, 30, nil, nil, 1},
		{"HEIC, clean aperture then irot 270", func(t *testing.T) []byte {
			f := fakeHEIC(40, 30)
			// 20x10, centred.
			clap := boxOf("clap", be32(20), be32(1), be32(10), be32(1), be32(0), be32(1), be32(0), be32(1))
			f.addProp(1, clap, true, false)
			f.addProp(1, irotBox(3), true, false)
			return f.bytes()
		}, HEIC, 10, 20, nil, nil, 1},
		{"AVIF from libavif, with nclx", func(t *testing.T) []byte { return cornersAVIF() }, AVIF, 64, 48, nil,
			&NCLX{Primaries: 2, Transfer: 2, Matrix: 2, FullRange: true}, 1},
		{"AVIF, mif1 brand only: the item decides", func(t *testing.T) []byte {
			f := importHEIF(t, cornersAVIF())
			f.brands = []string{"mif1", "mif1"}
			return f.bytes()
		}, AVIF, 64, 48, nil, &NCLX{2, 2, 2, true}, 1},
		{"AVIF sequence with a still image", func(t *testing.T) []byte {
			f := importHEIF(t, cornersAVIF())
			f.brands = []string{"avis", "avif", "msf1", "mif1"}
			f.after = append(f.after, moovBox(12))
			return f.bytes()
		}, AVIF, 64, 48, nil, &NCLX{2, 2, 2, true}, 12},
		{"grid of HEVC tiles", func(t *testing.T) []byte {
			f := fakeHEIC(512, 512)
			f.items[0].id = 2
			f.items = append(f.items, &fitem{id: 3, typ: "hvc1", data: []byte("x"), props: f.items[0].props})
			f.items = append(f.items, &fitem{id: 1, typ: "grid", data: []byte{0, 0, 0, 1, 3, 0, 2, 0},
				props: []fprop{{ispeBox(768, 512), false}}})
			f.refs = []fref{{"dimg", 1, []uint32{2, 3}}}
			return f.bytes()
		}, HEIC, 768, 512, nil, nil, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.file(t)
			info, err := Probe(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if info.Format != tt.format || info.Width != tt.w || info.Height != tt.h || info.Frames != tt.frames {
				t.Errorf("Probe = %s %dx%d, %d frames; want %s %dx%d, %d frames",
					info.Format, info.Width, info.Height, info.Frames, tt.format, tt.w, tt.h, tt.frames)
			}
			if !bytes.Equal(info.ICC, tt.icc) {
				t.Errorf("ICC is %d bytes, want %d", len(info.ICC), len(tt.icc))
			}
			if (info.NCLX == nil) != (tt.nclx == nil) || info.NCLX != nil && *info.NCLX != *tt.nclx {
				t.Errorf("NCLX = %+v, want %+v", info.NCLX, tt.nclx)
			}
		})
	}
}

// TestProbeRefuses feeds Probe broken and unacceptable files. Each must be
// refused with the right kind, never a panic or an untyped error.
func TestProbeRefuses(t *testing.T) {
	good := fakeHEIC(64, 48).bytes()
	edit := func(change func(f *fixture)) []byte {
		f := fakeHEIC(64, 48)
		change(f)
		return f.bytes()
	}
	metaAt := bytes.Index(good, []byte("meta")) - 4
	tests := []struct {
		name string
		data []byte
		kind chatpic.Kind
	}{
		{"not HEIF", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDRxxxxxxxxxxxxx"), chatpic.KindUnsupported},
		{"an MP4", append(brands("isom", "mp41"), boxOf("moov")...), chatpic.KindUnsupported},
		{"empty", nil, chatpic.KindUnsupported},
		{"ftyp only", brands("heic", "mif1"), chatpic.KindUnprocessable},
		{"cut in the meta box", good[:metaAt+40], chatpic.KindUnprocessable},
		{"cut in mdat", good[:len(good)-3], chatpic.KindUnprocessable},
		{"meta box claims 4 GB", patch(good, metaAt, be32(0xFFFFFFF0)), chatpic.KindUnprocessable},
		{"box of 3 bytes", patch(good, metaAt, be32(3)), chatpic.KindUnprocessable},
		{"large size beyond the file", patch(good, metaAt, append(be32(1), "meta\x7f\xff\xff\xff\xff\xff\xff\xff"...)), chatpic.KindUnprocessable},
		{"trailing junk", append(append([]byte(nil), good...), 1, 2, 3), chatpic.KindUnprocessable},
		{"primary not described", edit(func(f *fixture) { f.primary = 9 }), chatpic.KindUnprocessable},
		{"no ispe", edit(func(f *fixture) { f.items[0].props = f.items[0].props[:1] }), chatpic.KindUnprocessable},
		{"ispe 0x0", edit(func(f *fixture) { f.setProp(1, ispeBox(0, 0)) }), chatpic.KindUnprocessable},
		{"ispe cut short", edit(func(f *fixture) { f.setProp(1, fullBoxOf("ispe", 0, 0, be32(5))) }), chatpic.KindUnprocessable},
		{"clap outside the picture", edit(func(f *fixture) {
			f.addProp(1, boxOf("clap", be32(100), be32(1), be32(10), be32(1), be32(0), be32(1), be32(0), be32(1)), true, false)
		}), chatpic.KindUnprocessable},
		{"clap dividing by zero", edit(func(f *fixture) {
			f.addProp(1, boxOf("clap", be32(10), be32(0), be32(10), be32(1), be32(0), be32(1), be32(0), be32(1)), true, false)
		}), chatpic.KindUnprocessable},
		{"JPEG-coded item", edit(func(f *fixture) { f.items[0].typ = "jpeg" }), chatpic.KindUnsupported},
		{"item data beyond the file", patchAfter(good, "iloc", 14, be32(0x7FFFFFF0)), chatpic.KindUnprocessable},
		{"grid without tiles", edit(func(f *fixture) { f.items[0].typ = "grid" }), chatpic.KindUnprocessable},
		{"grid that contains itself", edit(func(f *fixture) {
			f.items[0].typ = "grid"
			f.refs = []fref{{"dimg", 1, []uint32{1}}}
		}), chatpic.KindUnprocessable},
		{"grid of HEVC and AV1", edit(func(f *fixture) {
			f.items[0].typ = "grid"
			f.items = append(f.items, &fitem{id: 2, typ: "hvc1", data: []byte("x"), props: []fprop{{ispeBox(8, 8), false}}},
				&fitem{id: 3, typ: "av01", data: []byte("x"), props: []fprop{{ispeBox(8, 8), false}}})
			f.refs = []fref{{"dimg", 1, []uint32{2, 3}}}
		}), chatpic.KindUnsupported},
		{"sequence without a still image", append(brands("avis", "msf1"), moovBox(3)...), chatpic.KindUnsupported},
		{"handler is not pict", bytes.Replace(good, []byte("pict"), []byte("vide"), 1), chatpic.KindUnsupported},
		{"two pitm boxes", bytes.Replace(good, []byte("iref"), []byte("pitm"), 1), chatpic.KindUnprocessable},
		{"ipma points past ipco", patchAfter(good, "ipma", 4+4+2+1, be16(0x8000|40)), chatpic.KindUnprocessable},
		{"iloc with 3-byte offsets", patchAfter(good, "iloc", 4, []byte{0x34}), chatpic.KindUnprocessable},
		{"iloc in another file", patchAfter(good, "iloc", 4+2+2+2, be16(1)), chatpic.KindUnsupported},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Probe(bytes.NewReader(tt.data), int64(len(tt.data)))
			e, ok := errors.AsType[*chatpic.Error](err)
			if !ok || e.Kind != tt.kind {
				t.Fatalf("Probe error = %v (%T), want kind %s", err, err, tt.kind)
			}
			if e.Message == "" {
				t.Error("the error has no message for the user")
			}
		})
	}
}

// patch returns a copy of data with b written at off.
func patch(data []byte, off int, b []byte) []byte {
	out := append([]byte(nil), data...)
	copy(out[off:], b)
	return out
}

// patchAfter returns a copy of data with b written n bytes after the type
// of the first box of type typ.
func patchAfter(data []byte, typ string, n int, b []byte) []byte {
	return patch(data, bytes.Index(data, []byte(typ))+4+n, b)
}
