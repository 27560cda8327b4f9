package video

import (
	"bytes"
	"encoding/binary"
	"errors"
	"testing"
)

// bx builds a box of type typ around the concatenated children/payload.
func bx(typ string, content ...[]byte) []byte {
	body := bytes.Join(content, nil)
	b := binary.BigEndian.AppendUint32(nil, uint32(8+len(body)))
	return append(append(b, typ...), body...)
}

// bigBox builds a box with a 64-bit size.
func bigBox(typ string, body []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, 1)
	b = append(b, typ...)
	b = binary.BigEndian.AppendUint64(b, uint64(16+len(body)))
	return append(b, body...)
}

func TestBlankAndVerifyMP4(t *testing.T) {
	ilst := bx("ilst", bx("\xa9nam", []byte("SECRETTITLE")), bx("\xa9xyz", []byte("+48.8584+002.2945/")))
	udta := bx("udta", bx("meta", []byte{0, 0, 0, 0}, bx("hdlr", make([]byte, 25)), ilst))
	trak := bx("trak", bx("tkhd", make([]byte, 84)), bx("udta", bx("\xa9xyz", []byte("+48.8584+002.2945/"))),
		bx("mdia", bx("minf", bx("stbl", bx("stsd", make([]byte, 8))))))
	file := bytes.Join([][]byte{
		ftyp("isom", "isom"),
		bx("moov", bx("mvhd", make([]byte, 100)), trak, udta, bx("meta", []byte("mdtacom.apple.quicktime.location.ISO6709"))),
		bigBox("mdat", []byte("frames")),
	}, nil)
	// ftyp adds a trailing empty free box, which is allowed.

	if err := verifyMP4(bytes.NewReader(file), int64(len(file))); err == nil {
		t.Fatal("verifyMP4 passed a file full of metadata")
	}
	buf := &memFile{b: append([]byte(nil), file...)}
	if err := blankMetadataBoxes(buf, int64(len(buf.b))); err != nil {
		t.Fatalf("blankMetadataBoxes: %v", err)
	}
	if len(buf.b) != len(file) {
		t.Fatalf("size changed from %d to %d", len(file), len(buf.b))
	}
	for _, s := range []string{"SECRETTITLE", "+48.8584", "mdta", "udta", "\xa9xyz"} {
		if bytes.Contains(buf.b, []byte(s)) {
			t.Errorf("%q survived blanking", s)
		}
	}
	if err := verifyMP4(bytes.NewReader(buf.b), int64(len(buf.b))); err != nil {
		t.Errorf("verifyMP4 after blanking: %v", err)
	}
}

// memFile is an in-memory io.ReaderAt and io.WriterAt.
type memFile struct{ b []byte }

func (m *memFile) ReadAt(p []byte, off int64) (int, error) {
	return bytes.NewReader(m.b).ReadAt(p, off)
}

func (m *memFile) WriteAt(p []byte, off int64) (int, error) {
	if off+int64(len(p)) > int64(len(m.b)) {
		return 0, errors.New("write past end")
	}
	return copy(m.b[off:], p), nil
}

func TestVerifyMP4Refuses(t *testing.T) {
	moov := bx("moov", bx("mvhd", make([]byte, 100)), bx("trak", bx("tkhd", make([]byte, 84))))
	mdat := bx("mdat", []byte("frames"))
	tests := []struct {
		name string
		file []byte
	}{
		{"mdat before moov", bytes.Join([][]byte{ftyp("isom"), mdat, moov}, nil)},
		{"no mdat", bytes.Join([][]byte{ftyp("isom"), moov}, nil)},
		{"top-level meta", bytes.Join([][]byte{ftyp("isom"), moov, bx("meta", []byte("x")), mdat}, nil)},
		{"top-level uuid (XMP)", bytes.Join([][]byte{ftyp("isom"), moov, bx("uuid", []byte("XMP")), mdat}, nil)},
		{"unknown top-level box", bytes.Join([][]byte{ftyp("isom"), moov, bx("junk"), mdat}, nil)},
		{"free box with content", bytes.Join([][]byte{ftyp("isom"), moov, bx("free", []byte("SECRET")), mdat}, nil)},
		{"©xyz deep in a track", bytes.Join([][]byte{ftyp("isom"),
			bx("moov", bx("trak", bx("mdia", bx("\xa9xyz", []byte("+48"))))), mdat}, nil)},
		{"truncated mdat", bytes.Join([][]byte{ftyp("isom"), moov, mdat[:10]}, nil)},
		{"box smaller than its header", bytes.Join([][]byte{ftyp("isom"), moov, {0, 0, 0, 4, 'm', 'd', 'a', 't'}}, nil)},
	}
	for _, tt := range tests {
		if err := verifyMP4(bytes.NewReader(tt.file), int64(len(tt.file))); err == nil {
			t.Errorf("%s: verifyMP4 passed", tt.name)
		}
	}
}

func TestCheckBoxesComplete(t *testing.T) {
	file := bytes.Join([][]byte{ftyp("isom"), bx("moov"), bx("mdat", make([]byte, 100))}, nil)
	if err := checkBoxesComplete(bytes.NewReader(file), int64(len(file))); err != nil {
		t.Errorf("complete file: %v", err)
	}
	cut := file[:len(file)-1]
	if err := checkBoxesComplete(bytes.NewReader(cut), int64(len(cut))); !errors.Is(err, errBoxTruncated) {
		t.Errorf("cut file: %v, want errBoxTruncated", err)
	}
	deep := bx("moov")
	for range maxBoxDepth + 2 {
		deep = bx("trak", deep)
	}
	deep = bx("moov", deep)
	err := walkBoxes(bytes.NewReader(deep), 0, int64(len(deep)), 0, func(box, int) (bool, error) { return true, nil })
	if !errors.Is(err, errBoxMalformed) {
		t.Errorf("nesting too deep: %v, want errBoxMalformed", err)
	}
}

func FuzzVerifyMP4(f *testing.F) {
	f.Add(bytes.Join([][]byte{ftyp("isom"), bx("moov", bx("udta", bx("meta"))), bx("mdat")}, nil))
	f.Add(bigBox("mdat", nil))
	f.Fuzz(func(t *testing.T, b []byte) {
		m := &memFile{b: b}
		_ = checkBoxesComplete(m, int64(len(b)))
		if blankMetadataBoxes(m, int64(len(b))) == nil && verifyMP4(m, int64(len(b))) == nil {
			// What passes must hold no metadata box at all.
			_ = walkBoxes(m, 0, int64(len(b)), 0, func(bx box, _ int) (bool, error) {
				if metadataBox(bx.typ) {
					t.Fatalf("metadata box %q passed", bx.typ)
				}
				return true, nil
			})
		}
	})
}
