package heif

import (
	"context"
	"errors"
	"image"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatpic/chatpic"
)

// fuzzMaxPixels is the pixel limit FuzzDecode decodes under: a stub
// picture of up to a megapixel keeps each run fast.
const fuzzMaxPixels = 1 << 20

// fuzzSeeds are small files of the shared media folder that seed the fuzz
// targets beside the fixtures made in code, when the folder is present:
// grids in idat, alpha planes, split ipma boxes, layered HEVC, a sequence.
var fuzzSeeds = []string{
	"heif-conformance/C025.heic",
	"heif-conformance/C053.heic",
	"heif-conformance/MIAF002.heic",
	"heif-conformance/MIAF003.heic",
	"heif-conformance/multilayer005.heic",
	"avif-samples/plum-blossom-small.profile0.8bpc.yuv420.alpha-full.avif",
	"avif-samples/plum-blossom-small.profile2.10bpc.yuv422.alpha-limited.monochrome.avif",
	"avif-samples/star-8bpc.avifs",
}

// seed is a file of the fuzz targets' seed corpus. accept says the stub
// decoder path accepts it, so that the later stages of Decode see it.
type seed struct {
	name   string
	data   []byte
	accept bool
}

// seeds returns the seed corpus of the fuzz targets.
func seeds(t testing.TB) []seed {
	heic := fakeHEIC(640, 480)
	heic.addProp(1, colrICC(testICC(200)), false, true)
	heic.addProp(1, irotBox(3), true, false)
	heic.addMetadata(gpsMarker, xmpMarker)

	// A primary with a property index 0, clap, irot and imir, an alpha
	// plane, and one ipma box per item: the whole of transforms(), the
	// alpha path and mergeIpma.
	dressed := importHEIF(t, cornersAVIF())
	prim := dressed.item(dressed.primary)
	var av1C fprop
	for _, p := range prim.props {
		if string(p.box[4:8]) == "av1C" {
			av1C = p
		}
	}
	dressed.addProp(prim.id, nil, false, true)
	dressed.addProp(prim.id, boxOf("clap", be32(40), be32(1), be32(30), be32(1), be32(2), be32(1), be32(-2), be32(1)), true, false)
	dressed.addProp(prim.id, irotBox(1), true, false)
	dressed.addProp(prim.id, imirBox(1), true, false)
	dressed.items = append(dressed.items, &fitem{id: 7, typ: "av01", data: prim.data,
		props: []fprop{av1C, {auxCAlpha, false}, {ispeBox(64, 48), false}}})
	dressed.refs = append(dressed.refs, fref{"auxl", 7, []uint32{prim.id}})
	dressed.splitIpma = true

	// A grid of two 4:2:0 HEVC tiles, with a reference the decoders would
	// refuse from an item the primary does not use.
	grid := fakeHEIC(128, 64)
	grid.setProp(1, hvcCBox(128, 64, 1))
	grid.items[0].id = 2
	grid.items = append(grid.items, &fitem{id: 3, typ: "hvc1", data: fakeHEVC, props: grid.items[0].props},
		&fitem{id: 1, typ: "grid", data: []byte{0, 0, 0, 1, 0, 255, 0, 64}, props: []fprop{{ispeBox(255, 64), false}}},
		&fitem{id: 9, typ: "Exif", data: []byte("Exif")})
	grid.refs = []fref{{"dimg", 1, []uint32{2, 3}}, {"cdsc", 9, []uint32{0, 1, 1}}}

	// An identity derivation that turns its monochrome source back.
	iden := fakeHEIC(128, 96)
	iden.setProp(1, hvcCBox(128, 96, 0))
	iden.primary = 2
	iden.items[0].props = append(iden.items[0].props, fprop{irotBox(3), true})
	iden.items = append(iden.items, &fitem{id: 2, typ: "iden", props: []fprop{{ispeBox(96, 128), false}, {irotBox(1), true}}})
	iden.refs = []fref{{"dimg", 2, []uint32{1}}}

	// A HEIC picture with an alpha plane, which is decoded on its own.
	alpha := fakeHEIC(128, 96)
	alpha.items = append(alpha.items, &fitem{id: 2, typ: "hvc1", data: fakeHEVC,
		props: []fprop{{hvcCBox(128, 96, 0), true}, {ispeBox(128, 96), false}, {auxCAlpha, false}}})
	alpha.refs = []fref{{"auxl", 2, []uint32{1}}}
	alpha.addProp(1, imirBox(0), true, false)

	// A 4:2:0 HEIC picture whose SPS has a VUI after every list that
	// comes before it, and an nclx property: the colour conversion.
	vui := fakeHEIC(128, 96)
	vui.setProp(1, hvcCBoxOf(1, 10, buildSPS(spsParams{w: 128, h: 96, chroma: 1, subLayer: 1, ordering: true,
		scaling: true, pcm: true, rps: rpsSetsThenFour, longTerm: 2, vui: true, sar: true, signal: true, colour: true, matrix: 9})))
	vui.addProp(1, nclxBox(1, 13, 1, false), false, false)

	seq := importHEIF(t, cornersAVIF())
	seq.brands = []string{"avis", "msf1", "avis", "avif"}
	seq.after = [][]byte{moovBox(4)}

	out := []seed{
		{"AVIF from libavif", cornersAVIF(), true},
		{"HEIC, ICC, irot, Exif and XMP", heic.bytes(), true},
		{"AVIF with property 0, clap, irot, imir, alpha, split ipma", dressed.bytes(), true},
		{"HEIC grid, reference to item 0", grid.bytes(), true},
		{"HEIC identity derivation", iden.bytes(), true},
		{"HEIC with an alpha plane", alpha.bytes(), true},
		{"HEIC with a VUI and an nclx property", vui.bytes(), true},
		{"AVIF sequence with a still image", seq.bytes(), true},
	}
	for _, name := range fuzzSeeds {
		if data, err := os.ReadFile(filepath.Join(mediaDir, name)); err == nil {
			out = append(out, seed{name: name, data: data})
		}
	}
	return out
}

// addSeeds adds the seed corpus to f.
func addSeeds(f *testing.F) {
	for _, s := range seeds(f) {
		f.Add(s.data)
	}
}

// TestFuzzSeeds checks that the seeds made to pass Decode's checks do, so
// that the fuzz targets start from files that reach every stage.
func TestFuzzSeeds(t *testing.T) {
	for _, s := range seeds(t) {
		if !s.accept {
			continue
		}
		t.Run(s.name, func(t *testing.T) {
			img, info, err := decode(context.Background(), sliceReader(s.data), int64(len(s.data)), fuzzMaxPixels, stubDecoder(t))
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if img.Bounds() != image.Rect(0, 0, info.Width, info.Height) {
				t.Errorf("Decode returned a %v picture, its Info says %dx%d", img.Bounds(), info.Width, info.Height)
			}
		})
	}
}

// auxCAlpha marks an item as an alpha plane.
var auxCAlpha = fullBoxOf("auxC", 0, 0, cstr("urn:mpeg:mpegB:cicp:systems:auxiliary:alpha"))

// FuzzProbe checks that Probe, Sniff and the bitstream checks never panic
// and that Probe fails only with a *chatpic.Error of a kind that blames
// the file.
func FuzzProbe(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		Sniff(data)
		p, err := probe(sliceReader(data), int64(len(data)))
		if err != nil {
			blamesFile(t, "Probe", err)
			return
		}
		if p.info.Width <= 0 || p.info.Height <= 0 || p.info.Frames < 1 {
			t.Fatalf("Probe accepted a %dx%d picture of %d frames", p.info.Width, p.info.Height, p.info.Frames)
		}
		if err := checkBitstreams(data, p); err != nil {
			blamesFile(t, "checkBitstreams", err)
		}
	})
}

// FuzzDecode runs all of Decode but the decoder, which a stub replaces:
// Sniff, probe, item resolution, grid and alpha handling, the limits,
// heicWidth, checkBitstreams, prepare, check and transform. It checks
// that nothing panics, that Decode fails only with a *chatpic.Error that
// blames the file, and that a picture it returns has the size its Info
// says.
func FuzzDecode(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		Sniff(data)
		img, info, err := decode(context.Background(), sliceReader(data), int64(len(data)), fuzzMaxPixels, stubDecoder(t))
		if err != nil {
			blamesFile(t, "Decode", err)
			return
		}
		if img.Bounds() != image.Rect(0, 0, info.Width, info.Height) {
			t.Fatalf("Decode returned a %v picture, its Info says %dx%d", img.Bounds(), info.Width, info.Height)
		}
	})
}

// blamesFile fails t unless err is a *chatpic.Error that blames the file:
// unsupported, unprocessable or too large.
func blamesFile(t *testing.T, what string, err error) {
	t.Helper()
	e, ok := errors.AsType[*chatpic.Error](err)
	if !ok || e.Kind != chatpic.KindUnprocessable && e.Kind != chatpic.KindUnsupported && e.Kind != chatpic.KindTooLarge {
		t.Fatalf("%s error %v (%T) is not an unprocessable, unsupported or too large *chatpic.Error", what, err, err)
	}
	if e.Message == "" {
		t.Fatalf("%s error %v has no message for the user", what, err)
	}
}

// stubDecoder returns a decoder that decodes nothing: it probes the file
// prepare made ready and returns a picture of the coded size its boxes
// declare, of the type the real decoder returns for the format (an
// *image.RGBA, or *image.RGBA64 for a deep AVIF; an *image.YCbCr or
// *image.Gray by the hvcC chroma format, with rows padded as the heic
// package pads them, for HEIC). It fails t if the prepared file does not
// probe, or still has transformations for the decoder to apply.
func stubDecoder(t *testing.T) decoder {
	return func(format string, data []byte) (image.Image, error) {
		p, err := probe(sliceReader(data), int64(len(data)))
		if err != nil {
			t.Fatalf("the file made ready for the decoder does not probe: %v", err)
		}
		if p.info.Format != format || len(p.ops) > 0 {
			t.Fatalf("the file made ready for the decoder is %s with %d transformations, want %s with none",
				p.info.Format, len(p.ops), format)
		}
		r := image.Rect(0, 0, p.codedW, p.codedH)
		cfg := func(typ string, n int) byte {
			if len(p.codedItems) == 0 {
				return 0
			}
			k, ok := p.meta.firstProp(p.meta.byID[p.codedItems[0]], typ)
			if !ok || len(p.meta.props[k].data) <= n {
				return 0
			}
			return p.meta.props[k].data[n]
		}
		if format == AVIF {
			if cfg("av1C", 2)&0x40 != 0 { // high_bitdepth
				m := image.NewRGBA64(r)
				for i := range m.Pix {
					m.Pix[i] = 0xFF
				}
				return m, nil
			}
			m := image.NewRGBA(r)
			for i := range m.Pix {
				m.Pix[i] = 0xFF
			}
			return m, nil
		}
		stride := (p.codedW + 15) &^ 15
		switch cfg("hvcC", 16) & 3 {
		case 0:
			return &image.Gray{Pix: make([]byte, stride*p.codedH), Stride: stride, Rect: r}, nil
		case 1:
			return image.NewYCbCr(r, image.YCbCrSubsampleRatio420), nil
		case 2:
			return image.NewYCbCr(r, image.YCbCrSubsampleRatio422), nil
		}
		m := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
		m.Y = make([]byte, stride*p.codedH)
		m.YStride = stride
		return m, nil
	}
}
