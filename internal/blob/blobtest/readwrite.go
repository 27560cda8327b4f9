package blobtest

import (
	"bytes"
	"crypto/sha256"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/blob"
)

func testPutThenOpen(t *testing.T, s blob.Store) {
	const key = "media/AbCd1234efgh5678.jpg"
	data := []byte("\xff\xd8\xff\xe0 not really a JPEG \x00\x01\x02")
	before := time.Now()
	put(t, s, key, data)
	after := time.Now()

	got, info := get(t, s, key)
	if !bytes.Equal(got, data) {
		t.Errorf("read %q, want %q", got, data)
	}
	if info.Key != key || info.Size != int64(len(data)) {
		t.Errorf("Info() = %+v, want Key %q, Size %d", info, key, len(data))
	}
	checkModTime(t, "Open().Info()", info.ModTime, before, after)

	st, err := s.Stat(t.Context(), key)
	if err != nil {
		t.Fatalf("Stat: %v", err)
	}
	if st.Key != info.Key || st.Size != info.Size || !st.ModTime.Equal(info.ModTime) {
		t.Errorf("Stat = %+v, want the Info of Open: %+v", st, info)
	}
}

func testValidKeysRoundTrip(t *testing.T, s blob.Store) {
	tests := []struct{ name, key string }{
		{"one character", "a"},
		{"upper case", "A/Z"},
		{"segments starting with dash and underscore", "-dash/_under.score"},
		{"dots inside segments", "dots.in.the.middle/x.tar.gz"},
		{"deeply nested", "deep/ly/nested/fol/ders/x"},
		{"MaxKeyLen bytes", strings.Repeat("k", 127) + "/" + strings.Repeat("v", 128)},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(strings.Repeat("x", i+1))
			put(t, s, tt.key, data)
			checkContent(t, s, tt.key, data)
		})
	}
	got := listKeys(t, s, "")
	if len(got) != len(tests) {
		t.Errorf("List(\"\") = %q, want the %d keys stored", got, len(tests))
	}
}

func testSeek(t *testing.T, s blob.Store) {
	const key = "media/seek.bin"
	content := pattern(1000)
	put(t, s, key, content)

	type step struct {
		offset  int64
		whence  int
		wantPos int64
		read    int // bytes to read after seeking; -1 reads to EOF
		want    []byte
	}
	tests := []struct {
		name  string
		steps []step
	}{
		{"SeekEnd learns the size, SeekStart rewinds", []step{
			{0, io.SeekEnd, 1000, 0, nil},
			{0, io.SeekStart, 0, -1, content},
		}},
		{"partial reads in the middle", []step{
			{100, io.SeekStart, 100, 50, content[100:150]},
			{10, io.SeekCurrent, 160, 40, content[160:200]},
			{0, io.SeekCurrent, 200, 1, content[200:201]},
		}},
		{"tail from the end", []step{
			{-10, io.SeekEnd, 990, -1, content[990:]},
		}},
		{"read, then seek back", []step{
			{0, io.SeekStart, 0, 600, content[:600]},
			{300, io.SeekStart, 300, 10, content[300:310]},
		}},
		{"past the end reads nothing", []step{
			{2000, io.SeekStart, 2000, -1, []byte{}},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := s.Open(t.Context(), key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer obj.Close()
			for i, st := range tt.steps {
				pos, err := obj.Seek(st.offset, st.whence)
				if err != nil || pos != st.wantPos {
					t.Fatalf("step %d: Seek(%d, %d) = %d, %v; want %d", i, st.offset, st.whence, pos, err, st.wantPos)
				}
				var got []byte
				switch {
				case st.read < 0:
					got, err = io.ReadAll(obj)
				case st.read > 0:
					got = make([]byte, st.read)
					_, err = io.ReadFull(obj, got)
				}
				if err != nil {
					t.Fatalf("step %d: read: %v", i, err)
				}
				if st.read != 0 && !bytes.Equal(got, st.want) {
					t.Fatalf("step %d: read %d bytes %x..., want %d bytes %x...", i, len(got), got[:min(len(got), 8)], len(st.want), st.want[:min(len(st.want), 8)])
				}
			}
		})
	}
}

// testServeContentRanges checks what the media handler relies on: an Object
// handed to http.ServeContent answers Range requests.
func testServeContentRanges(t *testing.T, s blob.Store) {
	const key = "media/range.bin"
	content := pattern(1000)
	put(t, s, key, content)

	tests := []struct {
		name       string
		rangeHdr   string
		wantStatus int
		wantBody   []byte
	}{
		{"no range", "", http.StatusOK, content},
		{"first ten bytes", "bytes=0-9", http.StatusPartialContent, content[:10]},
		{"middle", "bytes=500-599", http.StatusPartialContent, content[500:600]},
		{"open-ended", "bytes=990-", http.StatusPartialContent, content[990:]},
		{"suffix", "bytes=-5", http.StatusPartialContent, content[995:]},
		{"beyond the end", "bytes=2000-", http.StatusRequestedRangeNotSatisfiable, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			obj, err := s.Open(t.Context(), key)
			if err != nil {
				t.Fatalf("Open: %v", err)
			}
			defer obj.Close()
			req := httptest.NewRequest(http.MethodGet, "/m/range.bin", nil)
			if tt.rangeHdr != "" {
				req.Header.Set("Range", tt.rangeHdr)
			}
			rec := httptest.NewRecorder()
			http.ServeContent(rec, req, "range.bin", obj.Info().ModTime, obj)
			if rec.Code != tt.wantStatus {
				t.Fatalf("status = %d, want %d", rec.Code, tt.wantStatus)
			}
			if tt.wantBody != nil && !bytes.Equal(rec.Body.Bytes(), tt.wantBody) {
				t.Errorf("body = %d bytes, want %d bytes %x...", rec.Body.Len(), len(tt.wantBody), tt.wantBody[:min(len(tt.wantBody), 8)])
			}
		})
	}
}

func testOverwrite(t *testing.T, s blob.Store) {
	const key = "media/over.png"
	put(t, s, key, []byte("the first, longer version of the object"))
	put(t, s, key, []byte("second"))
	checkContent(t, s, key, []byte("second"))
	if got := listKeys(t, s, ""); len(got) != 1 {
		t.Errorf("List(\"\") = %q, want just %q", got, key)
	}
}

func testEmptyObject(t *testing.T, s blob.Store) {
	const key = "media/empty"
	n, err := s.Put(t.Context(), key, strings.NewReader(""), "")
	if err != nil || n != 0 {
		t.Fatalf("Put(empty) = %d, %v; want 0, nil", n, err)
	}
	checkContent(t, s, key, []byte{})
	info, err := s.Stat(t.Context(), key)
	if err != nil || info.Size != 0 {
		t.Errorf("Stat = %+v, %v; want Size 0", info, err)
	}
	if got := listKeys(t, s, ""); len(got) != 1 || got[0] != key {
		t.Errorf("List(\"\") = %q, want [%q]", got, key)
	}
}

// testLargeObject puts 5 MB from a reader that makes its bytes as it goes, in
// odd-sized short reads, with no length a store could peek at: it passes only
// if Put streams and copes with short reads.
func testLargeObject(t *testing.T, s blob.Store) {
	const key = "media/large.bin"
	const size = 5 << 20
	n, err := s.Put(t.Context(), key, &patternReader{size: size}, "")
	if err != nil || n != size {
		t.Fatalf("Put = %d, %v; want %d, nil", n, err, size)
	}
	want := sha256.New()
	io.Copy(want, &patternReader{size: size})

	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer obj.Close()
	got := sha256.New()
	read, err := io.Copy(got, obj)
	if err != nil || read != size {
		t.Fatalf("read %d bytes, %v; want %d", read, err, size)
	}
	if !bytes.Equal(got.Sum(nil), want.Sum(nil)) {
		t.Error("content read back differs from what was put")
	}
	if obj.Info().Size != size {
		t.Errorf("Info().Size = %d, want %d", obj.Info().Size, size)
	}
}

func testStat(t *testing.T, s blob.Store) {
	before := time.Now()
	put(t, s, "media/a.jpg", []byte("12345"))
	put(t, s, "media/b.jpg", []byte("123"))
	after := time.Now()
	for key, size := range map[string]int64{"media/a.jpg": 5, "media/b.jpg": 3} {
		info, err := s.Stat(t.Context(), key)
		if err != nil {
			t.Fatalf("Stat(%q): %v", key, err)
		}
		if info.Key != key || info.Size != size {
			t.Errorf("Stat(%q) = %+v, want Key %q, Size %d", key, info, key, size)
		}
		checkModTime(t, "Stat("+key+")", info.ModTime, before, after)
	}
}

// pattern returns n bytes of patternReader's output.
func pattern(n int) []byte {
	b, _ := io.ReadAll(&patternReader{size: int64(n)})
	return b
}

// patternReader yields size deterministic, non-repeating-looking bytes, at
// most 7919 per Read so that callers must handle short reads.
type patternReader struct {
	size, off int64
}

func (r *patternReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-r.off, 7919))
	for i := range n {
		x := uint64(r.off+int64(i)) * 0x9E3779B97F4A7C15
		p[i] = byte(x >> 56)
	}
	r.off += int64(n)
	return n, nil
}
