package media

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"

	"github.com/chatpic/chatpic"
)

// fuzzLimits keep the fuzzer from spending its time on big (valid) pictures.
var fuzzLimits = Limits{MaxPixels: 1 << 20, MaxFrames: 64, MaxTotalPixels: 1 << 22}

// seeds adds the test fixtures to the corpus. Big ones are left out: the
// fuzzer spends long minutes minimising every input it finds interesting,
// running Process thousands of times, so seeds should be quick to process.
// A small JPEG carrying all the metadata stands in for the big ones.
func seeds(f *testing.F) {
	for _, fx := range fixtures(f) {
		if len(fx.file) < 8<<10 {
			f.Add(fx.file)
			f.Add(fx.file[:len(fx.file)/2])
		}
	}
	small := afterSOI(encodeJPEG(f, quadrants(24, 16)), exifAPP1(f, binary.LittleEndian, 6),
		segment(0xFE, []byte("comment")), segment(0xE2, cat([]byte("ICC_PROFILE\x00\x01\x01"), testICC())))
	f.Add(small)
	f.Add(cat(small, []byte("trailer")))
	f.Add(encodeJPEG(f, phoneLike(8, 8)))
	f.Add(apngFixture(f))
	f.Add(plainGIF(f, 2))
	f.Add([]byte("%PDF-1.4"))
}

func FuzzSniff(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, head []byte) {
		format, err := Sniff(head)
		if err != nil {
			if _, ok := errors.AsType[*chatpic.Error](err); !ok || chatpic.ErrorKind(err) != chatpic.KindUnsupported {
				t.Fatalf("Sniff error %v is not an unsupported *chatpic.Error", err)
			}
			return
		}
		if format.MIME() == "" {
			t.Fatalf("Sniff returned unknown format %q", format)
		}
	})
}

func FuzzProcess(f *testing.F) {
	seeds(f)
	f.Fuzz(func(t *testing.T, file []byte) {
		var media, thumb bytes.Buffer
		res, err := Process(t.Context(), bytes.NewReader(file), int64(len(file)), &media, &thumb, fuzzLimits)
		if err != nil {
			e, ok := errors.AsType[*chatpic.Error](err)
			if !ok || e.Message == "" {
				t.Fatalf("error %v (%T) is not a *chatpic.Error with a message", err, err)
			}
			if e.Kind == chatpic.KindInternal {
				t.Fatalf("internal error from an in-memory upload: %v", err)
			}
			return
		}
		// Whatever passes must be a fixed point: processing the output
		// again gives the same bytes and the same description.
		out := media.Bytes()
		var again bytes.Buffer
		res2, err := Process(t.Context(), bytes.NewReader(out), int64(len(out)), &again, io.Discard, fuzzLimits)
		if err != nil {
			t.Fatalf("output of a successful Process fails: %v", err)
		}
		if res2 != res || !bytes.Equal(again.Bytes(), out) {
			t.Fatalf("processing the output again changed it: %+v vs %+v", res, res2)
		}
		if thumb.Len() == 0 || res.ThumbWidth > ThumbMax || res.ThumbHeight > ThumbMax {
			t.Fatalf("bad thumbnail: %+v, %d bytes", res, thumb.Len())
		}
	})
}
