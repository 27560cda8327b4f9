package video

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// ftyp builds an ftyp box with the given major and compatible brands.
func ftyp(major string, compat ...string) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(16+4*len(compat)))
	b = append(b, "ftyp"+major+"\x00\x00\x02\x00"...)
	for _, c := range compat {
		b = append(b, c...)
	}
	return append(b, "\x00\x00\x00\x08free"...)
}

// ebml builds an EBML header with the given DocType, then a Segment start.
func ebml(docType string) []byte {
	body := []byte{0x42, 0x86, 0x81, 0x01} // EBMLVersion 1
	body = append(body, 0x42, 0x82, byte(0x80|len(docType)))
	body = append(body, docType...)
	b := []byte{0x1A, 0x45, 0xDF, 0xA3, byte(0x80 | len(body))}
	b = append(b, body...)
	return append(b, 0x18, 0x53, 0x80, 0x67, 0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF)
}

func TestSniff(t *testing.T) {
	tests := []struct {
		name string
		head []byte
		want string // "" for not a video
	}{
		{"MP4 isom", ftyp("isom", "isom", "iso2", "avc1", "mp41"), inMP4},
		{"MP4 mp42", ftyp("mp42", "mp42", "isom"), inMP4},
		{"iPhone MOV", ftyp("qt  ", "qt  "), inMOV},
		{"M4V", ftyp("M4V ", "M4V ", "M4A ", "mp42", "isom"), inMP4},
		{"Android 3GP", ftyp("3gp4", "isom", "3gp4"), inMP4},
		{"AV1 MP4", ftyp("av01", "av01", "iso6"), inMP4},
		{"unknown major, video compatible", ftyp("abcd", "isom"), inMP4},
		{"HEIC picture", ftyp("heic", "mif1", "heic"), ""},
		{"HEIF image sequence", ftyp("msf1", "msf1", "iso8"), ""},
		{"AVIF picture", ftyp("avif", "avif", "mif1", "miaf"), ""},
		{"AVIF, unknown major", ftyp("miaf", "avif", "isom"), ""},
		{"M4A audio", ftyp("M4A ", "M4A ", "mp42", "isom"), ""},
		{"unknown brands only", ftyp("abcd", "efgh"), ""},
		{"ftyp too short", []byte("\x00\x00\x00\x0cftypisom"), ""},
		{"ftyp of absurd size", append([]byte("\xff\x00\x00\x00ftypisom\x00\x00\x00\x00"), make([]byte, 16)...), ""},
		{"WebM", ebml("webm"), inWebM},
		{"Matroska", ebml("matroska"), inMatroska},
		{"other EBML DocType", ebml("mka"), ""},
		{"EBML header cut short", ebml("webm")[:9], ""},
		{"empty", nil, ""},
		{"garbage", bytes.Repeat([]byte("garbage "), 64), ""},
		{"JPEG", []byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), ""},
		{"PNG", []byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), ""},
		{"RIFF AVI", []byte("RIFF\x00\x10\x00\x00AVI LIST"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := Sniff(tt.head)
			if got != tt.want || ok != (tt.want != "") {
				t.Errorf("Sniff = %q, %v; want %q, %v", got, ok, tt.want, tt.want != "")
			}
		})
	}
}

func TestReadVint(t *testing.T) {
	tests := []struct {
		in     []byte
		marker bool
		want   int64
		n      int
	}{
		{[]byte{0x81}, false, 1, 1},
		{[]byte{0x40, 0x02}, false, 2, 2},
		{[]byte{0x1A, 0x45, 0xDF, 0xA3}, true, idEBML, 4},
		{[]byte{0x42, 0x82}, true, idDocType, 2},
		{[]byte{0xFF}, false, -1, 1},                                           // unknown size
		{[]byte{0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF}, false, -1, 8}, // unknown size
		{[]byte{0x00, 0x01}, false, 0, 0},                                      // longer than 8 bytes
		{[]byte{0x40}, false, 0, 0},                                            // cut short
		{nil, false, 0, 0},
	}
	for _, tt := range tests {
		v, n := readVint(tt.in, tt.marker)
		if v != tt.want || n != tt.n {
			t.Errorf("readVint(% x, %v) = %d, %d; want %d, %d", tt.in, tt.marker, v, n, tt.want, tt.n)
		}
	}
}

func TestCheckSegmentComplete(t *testing.T) {
	known := func(size byte, fileLen int) []byte {
		b := ebml("webm")
		b = append(b[:len(b)-8], 0x80|size) // Segment with a 1-byte size
		return append(b, make([]byte, fileLen)...)
	}
	tests := []struct {
		name    string
		file    []byte
		wantErr bool
	}{
		{"unknown size (live recording)", append(ebml("webm"), make([]byte, 10)...), false},
		{"complete", known(20, 20), false},
		{"truncated", known(20, 10), true},
		{"only a header", ebml("webm")[:12], true},
	}
	for _, tt := range tests {
		err := checkSegmentComplete(bytes.NewReader(tt.file), int64(len(tt.file)))
		if (err != nil) != tt.wantErr {
			t.Errorf("%s: err = %v, want error %v", tt.name, err, tt.wantErr)
		}
	}
}

func FuzzSniff(f *testing.F) {
	f.Add(ftyp("isom", "mp41"))
	f.Add(ftyp("heic", "mif1"))
	f.Add(ebml("webm"))
	f.Add([]byte("\x1a\x45\xdf\xa3\x01\x00\x00\x00\x00\x00\x00\x00"))
	f.Fuzz(func(t *testing.T, head []byte) {
		c, ok := Sniff(head)
		if ok != (c != "") {
			t.Fatalf("Sniff = %q, %v", c, ok)
		}
		_ = checkSegmentComplete(bytes.NewReader(head), int64(len(head)))
	})
}
