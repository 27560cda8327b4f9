package s3blob_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"hash"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
)

// genReader yields size deterministic bytes, made as it goes, in reads of at
// most 32 KiB. Every sampleEvery bytes it records the heap in use, so that a
// test can see the peak while Put reads it.
type genReader struct {
	size, off int64
	hash      hash.Hash // if not nil, gets every byte yielded

	nextSample int64
	peakHeap   uint64
}

const sampleEvery = 1 << 20

func (r *genReader) Read(p []byte) (int, error) {
	if r.off >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-r.off, 32<<10))
	for i := range n {
		x := uint64(r.off+int64(i)) * 0x9E3779B97F4A7C15
		p[i] = byte(x >> 56)
	}
	if r.hash != nil {
		r.hash.Write(p[:n])
	}
	r.off += int64(n)
	if r.off >= r.nextSample {
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		r.peakHeap = max(r.peakHeap, ms.HeapAlloc)
		r.nextSample = r.off + sampleEvery
	}
	return n, nil
}

// claimsLen yields the bytes of its Reader and claims, through Len, as a
// *bytes.Reader does, that there are n of them.
type claimsLen struct {
	io.Reader
	n int
}

func (c claimsLen) Len() int { return c.n }

// TestPutMemoryBounded puts a 100 MB stream and reports how far the heap
// grew meanwhile: about one part for a reader of unknown size, next to
// nothing for one that tells its size.
func TestPutMemoryBounded(t *testing.T) {
	if testing.Short() {
		t.Skip("puts 200 MB")
	}
	s := newStore(t, uniquePrefix())
	const size = 100 << 20
	tests := []struct {
		name      string
		sized     bool
		maxGrowth uint64
	}{
		// One part buffer is live. The heap measured also holds garbage
		// awaiting collection (GOGC=100 lets it grow to twice the live
		// data, more under -race): hence the slack. Holding the whole
		// object, or minio-go's default part for an unknown size (over
		// 500 MiB), would still fail.
		{"unknown size", false, 4 * s3blob.PartSize},
		{"size from Len", true, s3blob.PartSize},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			const key = "media/big.bin"
			want := sha256.New()
			gen := &genReader{size: size, hash: want}
			var r io.Reader = gen
			if tt.sized {
				r = claimsLen{gen, size}
			}
			runtime.GC()
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			n, err := s.Put(t.Context(), key, r, "")
			runtime.ReadMemStats(&after)
			if err != nil || n != size {
				t.Fatalf("Put = %d, %v; want %d, nil", n, err, size)
			}
			growth := gen.peakHeap - min(gen.peakHeap, before.HeapAlloc)
			t.Logf("Put of %d MiB (%s): peak heap growth %.1f MiB, allocated in all %.1f MiB",
				size>>20, tt.name, float64(growth)/(1<<20), float64(after.TotalAlloc-before.TotalAlloc)/(1<<20))
			if growth > tt.maxGrowth {
				t.Errorf("heap grew by %d bytes during Put, want at most %d", growth, tt.maxGrowth)
			}
			checkHash(t, s, key, size, want.Sum(nil))
		})
	}
}

// checkHash checks that key holds size bytes with the given SHA-256.
func checkHash(t *testing.T, s blob.Store, key string, size int64, sum []byte) {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer obj.Close()
	got := sha256.New()
	n, err := io.Copy(got, obj)
	if err != nil || n != size {
		t.Fatalf("read back %d bytes, %v; want %d", n, err, size)
	}
	if !bytes.Equal(got.Sum(nil), sum) {
		t.Errorf("%q: content read back differs from what was put", key)
	}
}

// failAfter yields the bytes of r, then fails with err once n bytes are out.
type failAfter struct {
	r   io.Reader
	n   int64
	err error
}

func (f *failAfter) Read(p []byte) (int, error) {
	if f.n <= 0 {
		return 0, f.err
	}
	p = p[:min(int64(len(p)), f.n)]
	n, err := f.r.Read(p)
	f.n -= int64(n)
	return n, err
}

// cancelAfter cancels a context once n bytes of r are out, and reads on.
type cancelAfter struct {
	r      io.Reader
	n      int64
	cancel context.CancelFunc
}

func (c *cancelAfter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if c.n -= int64(n); c.n <= 0 {
		c.cancel()
	}
	return n, err
}

// TestFailedPutLeavesNothing checks every upload path for what a failing
// reader or a cancellation leaves: the error, no new object, the old object
// intact, and no incomplete multipart upload holding parts.
func TestFailedPutLeavesNothing(t *testing.T) {
	testConfig(t, "") // skips without a server
	errTooLarge := chatpic.Errorf(chatpic.KindTooLarge, "file is too large")
	tests := []struct {
		name    string
		reader  func(cancel context.CancelFunc) io.Reader
		wantErr error // nil: any error
	}{
		{"stream fails within the first part", func(context.CancelFunc) io.Reader {
			return &failAfter{r: &genReader{size: 1 << 30}, n: 3 << 20, err: errTooLarge}
		}, errTooLarge},
		{"stream fails after two parts", func(context.CancelFunc) io.Reader {
			return &failAfter{r: &genReader{size: 1 << 30}, n: 2*s3blob.PartSize + 1000, err: errTooLarge}
		}, errTooLarge},
		{"stream cancelled after a part", func(cancel context.CancelFunc) io.Reader {
			return &cancelAfter{r: &genReader{size: 1 << 30}, n: s3blob.PartSize + 1000, cancel: cancel}
		}, context.Canceled},
		{"sized reader fails in its single request", func(context.CancelFunc) io.Reader {
			return claimsLen{&failAfter{r: &genReader{size: 1 << 30}, n: 100 << 10, err: errTooLarge}, 1 << 20}
		}, errTooLarge},
		{"sized reader fails after a part", func(context.CancelFunc) io.Reader {
			return claimsLen{&failAfter{r: &genReader{size: 1 << 30}, n: s3blob.PartSize + 1000, err: errTooLarge}, 3 * s3blob.PartSize}
		}, errTooLarge},
		{"sized reader ends before its size", func(context.CancelFunc) io.Reader {
			return claimsLen{&genReader{size: s3blob.PartSize + 1000}, 2 * s3blob.PartSize}
		}, nil},
		{"sized reader cancelled after a part", func(cancel context.CancelFunc) io.Reader {
			return claimsLen{&cancelAfter{r: &genReader{size: 3 * s3blob.PartSize}, n: s3blob.PartSize + 1000, cancel: cancel}, 3 * s3blob.PartSize}
		}, context.Canceled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prefix := uniquePrefix()
			s := newStore(t, prefix)
			put(t, s, "media/old.jpg", "old")
			for _, key := range []string{"media/new.jpg", "media/old.jpg"} {
				ctx, cancel := context.WithCancel(t.Context())
				_, err := s.Put(ctx, key, tt.reader(cancel), "")
				cancel()
				switch {
				case err == nil:
					t.Fatalf("Put(%q) succeeded, want an error", key)
				case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
					t.Errorf("Put(%q) = %v, want an error wrapping %v", key, err, tt.wantErr)
				case tt.wantErr != nil && chatpic.ErrorKind(err) != chatpic.ErrorKind(tt.wantErr):
					t.Errorf("ErrorKind(Put(%q)) = %q, want %q", key, chatpic.ErrorKind(err), chatpic.ErrorKind(tt.wantErr))
				}
			}
			if _, err := s.Stat(t.Context(), "media/new.jpg"); !errors.Is(err, blob.ErrNotFound) {
				t.Errorf("Stat(media/new.jpg) after the failed Put = %v, want not found", err)
			}
			checkContent(t, s, "media/old.jpg", "old")
			if left := incompleteUploads(t, prefix+"/"); len(left) != 0 {
				t.Errorf("incomplete multipart uploads left behind: %q", left)
			}
		})
	}
}

// TestPutSizedReaders checks the readers whose size Put takes without
// reading them, each from a position past its start, and a pipe, whose
// size it must not take.
func TestPutSizedReaders(t *testing.T) {
	s := newStore(t, uniquePrefix())
	content := strings.Repeat("0123456789", 1000)
	const skip = 1234 // bytes read before Put
	want := content[skip:]

	file := filepath.Join(t.TempDir(), "upload")
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		reader func(t *testing.T) io.Reader
	}{
		{"bytes.Reader", func(*testing.T) io.Reader { return bytes.NewReader([]byte(content)) }},
		{"strings.Reader", func(*testing.T) io.Reader { return strings.NewReader(content) }},
		{"bytes.Buffer", func(*testing.T) io.Reader { return bytes.NewBufferString(content) }},
		{"io.SectionReader", func(*testing.T) io.Reader {
			return io.NewSectionReader(strings.NewReader(content), 0, int64(len(content)))
		}},
		{"os.File", func(t *testing.T) io.Reader {
			f, err := os.Open(file)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { f.Close() })
			return f
		}},
		{"pipe", func(t *testing.T) io.Reader {
			pr, pw, err := os.Pipe()
			if err != nil {
				t.Fatal(err)
			}
			go func() {
				io.WriteString(pw, content)
				pw.Close()
			}()
			t.Cleanup(func() { pr.Close() })
			return pr
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := tt.reader(t)
			if _, err := io.ReadFull(r, make([]byte, skip)); err != nil {
				t.Fatal(err)
			}
			key := "media/" + strings.ReplaceAll(tt.name, ".", "-")
			n, err := s.Put(t.Context(), key, r, "")
			if err != nil || n != int64(len(want)) {
				t.Fatalf("Put = %d, %v; want %d, nil", n, err, len(want))
			}
			checkContent(t, s, key, want)
		})
	}
}

func put(t *testing.T, s blob.Store, key, data string) {
	t.Helper()
	if _, err := s.Put(t.Context(), key, strings.NewReader(data), ""); err != nil {
		t.Fatalf("Put(%q): %v", key, err)
	}
}

func checkContent(t *testing.T, s blob.Store, key, want string) {
	t.Helper()
	obj, err := s.Open(t.Context(), key)
	if err != nil {
		t.Fatalf("Open(%q): %v", key, err)
	}
	defer obj.Close()
	got, err := io.ReadAll(obj)
	if err != nil {
		t.Fatalf("reading %q: %v", key, err)
	}
	if string(got) != want {
		t.Errorf("%q holds %d bytes %.20q, want %d bytes %.20q", key, len(got), got, len(want), want)
	}
}
