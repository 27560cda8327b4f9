package heif

import (
	"errors"
	"testing"

	"github.com/chatpic/chatpic"
)

// FuzzProbe checks that Probe, Sniff and the bitstream checks never panic
// and that Probe fails only with a *chatpic.Error of a kind that blames
// the file.
func FuzzProbe(f *testing.F) {
	f.Add(cornersAVIF())
	heic := fakeHEIC(4032, 3024)
	heic.addProp(1, colrICC(testICC(200)), false, true)
	heic.addProp(1, irotBox(3), true, false)
	heic.addMetadata(gpsMarker, xmpMarker)
	f.Add(heic.bytes())
	grid := fakeHEIC(64, 64)
	grid.items[0].id = 2
	grid.items = append(grid.items, &fitem{id: 1, typ: "grid", data: []byte{0, 0, 0, 0, 0, 64, 0, 64},
		props: []fprop{{ispeBox(64, 64), false}}})
	grid.refs = []fref{{"dimg", 1, []uint32{2}}}
	f.Add(grid.bytes())
	seq := fakeHEIC(8, 8)
	seq.after = [][]byte{moovBox(4)}
	f.Add(seq.bytes())

	f.Fuzz(func(t *testing.T, data []byte) {
		Sniff(data)
		p, err := probe(sliceReader(data), int64(len(data)))
		if err != nil {
			e, ok := errors.AsType[*chatpic.Error](err)
			if !ok || e.Kind != chatpic.KindUnprocessable && e.Kind != chatpic.KindUnsupported {
				t.Fatalf("Probe error %v (%T) is not an unprocessable or unsupported *chatpic.Error", err, err)
			}
			return
		}
		if p.info.Width <= 0 || p.info.Height <= 0 || p.info.Frames < 1 {
			t.Fatalf("Probe accepted a %dx%d picture of %d frames", p.info.Width, p.info.Height, p.info.Frames)
		}
		if err := checkBitstreams(data, p); err != nil {
			if _, ok := errors.AsType[*chatpic.Error](err); !ok {
				t.Fatalf("checkBitstreams error %v (%T) is not a *chatpic.Error", err, err)
			}
		}
	})
}
