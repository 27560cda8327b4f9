package s3blob_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/s3blob"
)

// gen returns n bytes of genReader's output.
func gen(n int64) []byte {
	b, _ := io.ReadAll(&genReader{size: n})
	return b
}

// TestServeContentRange serves objects through http.ServeContent, as the
// media handler does, and asks for ranges, as a video player seeking does:
// in a small object, and in the second part of a multipart one.
func TestServeContentRange(t *testing.T) {
	s := newStore(t, uniquePrefix())
	small := gen(1000)
	large := gen(s3blob.PartSize + 2<<20)
	put(t, s, "media/small.bin", string(small))
	// A reader of unknown size, so that the object goes up in two parts.
	if _, err := s.Put(t.Context(), "media/large.bin", &genReader{size: int64(len(large))}, ""); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		obj, err := s.Open(r.Context(), "media/"+strings.TrimPrefix(r.URL.Path, "/"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer obj.Close()
		http.ServeContent(w, r, r.URL.Path, obj.Info().ModTime, obj)
	}))
	defer srv.Close()

	tests := []struct {
		name, path, rangeHdr string
		content              []byte
		start, end           int // of the range, end inclusive
	}{
		{"small object", "/small.bin", "bytes=100-199", small, 100, 199},
		{"large object, start", "/large.bin", "bytes=100-199", large, 100, 199},
		{"large object, second part", "/large.bin", fmt.Sprintf("bytes=%d-%d", s3blob.PartSize-50, s3blob.PartSize+49), large, s3blob.PartSize - 50, s3blob.PartSize + 49},
		{"large object, open-ended tail", "/large.bin", fmt.Sprintf("bytes=%d-", len(large)-1000), large, len(large) - 1000, len(large) - 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Range", tt.rangeHdr)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != http.StatusPartialContent {
				t.Fatalf("status = %s (%s), want 206", resp.Status, body)
			}
			wantRange := fmt.Sprintf("bytes %d-%d/%d", tt.start, tt.end, len(tt.content))
			if got := resp.Header.Get("Content-Range"); got != wantRange {
				t.Errorf("Content-Range = %q, want %q", got, wantRange)
			}
			if want := tt.content[tt.start : tt.end+1]; !bytes.Equal(body, want) {
				t.Errorf("body = %d bytes %x..., want %d bytes %x...", len(body), body[:min(len(body), 8)], len(want), want[:8])
			}
		})
	}
}

// TestReadAfterChange checks that an open object never mixes two versions:
// once the key is overwritten or deleted, a Read that needs a new request
// fails.
func TestReadAfterChange(t *testing.T) {
	s := newStore(t, uniquePrefix())
	const key = "media/changing.bin"
	tests := []struct {
		name   string
		change func(t *testing.T)
	}{
		{"overwritten", func(t *testing.T) { put(t, s, key, strings.Repeat("b", 100_000)) }},
		{"deleted", func(t *testing.T) {
			if err := s.Delete(t.Context(), key); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			put(t, s, key, strings.Repeat("a", 100_000))
			obj, err := s.Open(t.Context(), key)
			if err != nil {
				t.Fatal(err)
			}
			defer obj.Close()
			tt.change(t)
			if _, err := obj.Seek(50_000, io.SeekStart); err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(obj)
			if bytes.ContainsRune(got, 'b') {
				t.Fatalf("read %d bytes of the new version through an object opened on the old one", bytes.Count(got, []byte("b")))
			}
			if err == nil {
				t.Fatalf("read %d bytes, no error; want an error saying the object changed", len(got))
			}
			if !strings.Contains(err.Error(), "overwritten or deleted since it was opened") {
				t.Errorf("read error = %v, want it to say the object changed", err)
			}
		})
	}
}

// TestOpenOutlivesContext checks that ctx bounds the opening only: reads,
// and the requests a Seek leads to, go on after it is cancelled.
func TestOpenOutlivesContext(t *testing.T) {
	s := newStore(t, uniquePrefix())
	content := gen(300_000)
	put(t, s, "media/x.bin", string(content))
	ctx, cancel := context.WithCancel(t.Context())
	obj, err := s.Open(ctx, "media/x.bin")
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	defer obj.Close()
	head := make([]byte, 1000)
	if _, err := io.ReadFull(obj, head); err != nil || !bytes.Equal(head, content[:1000]) {
		t.Fatalf("first read after the cancel: %v", err)
	}
	if _, err := obj.Seek(200_000, io.SeekStart); err != nil {
		t.Fatal(err)
	}
	tail, err := io.ReadAll(obj)
	if err != nil || !bytes.Equal(tail, content[200_000:]) {
		t.Fatalf("read after a Seek: %d bytes, %v; want the last %d bytes", len(tail), err, len(content)-200_000)
	}
}

func TestOpenCancelled(t *testing.T) {
	s := newStore(t, uniquePrefix())
	put(t, s, "media/x.bin", "x")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if obj, err := s.Open(ctx, "media/x.bin"); !errors.Is(err, context.Canceled) {
		t.Errorf("Open = %v, %v; want context.Canceled", obj, err)
	}
}

func TestObjectClose(t *testing.T) {
	s := newStore(t, uniquePrefix())
	put(t, s, "media/x.bin", "content")
	obj, err := s.Open(t.Context(), "media/x.bin")
	if err != nil {
		t.Fatal(err)
	}
	if err := obj.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if _, err := obj.Read(make([]byte, 10)); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Read after Close = %v, want os.ErrClosed", err)
	}
	if _, err := obj.Seek(0, io.SeekStart); !errors.Is(err, os.ErrClosed) {
		t.Errorf("Seek after Close = %v, want os.ErrClosed", err)
	}
	if err := obj.Close(); !errors.Is(err, os.ErrClosed) {
		t.Errorf("second Close = %v, want os.ErrClosed", err)
	}
}

func TestPresignGet(t *testing.T) {
	s := newStore(t, uniquePrefix())
	content := gen(100_000)
	// Stored under a name that does not tell its type: the type is Put's.
	if _, err := s.Put(t.Context(), "media/shared.jpg", bytes.NewReader(content), "image/jpeg"); err != nil {
		t.Fatal(err)
	}
	put(t, s, "media/untyped.jpg", string(content))

	get := func(t *testing.T, url string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, url, nil)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		return resp.StatusCode, body
	}

	t.Run("existing key", func(t *testing.T) {
		url, err := s.PresignGet(t.Context(), "media/shared.jpg", time.Minute, "")
		if err != nil {
			t.Fatalf("PresignGet: %v", err)
		}
		if strings.Contains(url, os.Getenv("AWS_SECRET_ACCESS_KEY")) {
			t.Fatalf("presigned URL %q holds the secret key", url)
		}
		status, body := get(t, url)
		if status != http.StatusOK || !bytes.Equal(body, content) {
			t.Errorf("GET presigned URL = %d, %d bytes; want 200 and the %d bytes stored", status, len(body), len(content))
		}
		// The signature covers the key: another key with it is refused.
		other := strings.Replace(url, "shared.jpg", "other.jpg", 1)
		if status, _ := get(t, other); status != http.StatusForbidden {
			t.Errorf("GET with the URL's key changed = %d, want 403", status)
		}
	})
	// Objects are stored with the type Put was given, octet-stream for
	// none, whatever their key's extension; a presigned link may ask for
	// another, shown inline.
	for _, tt := range []struct{ key, ask, wantType, wantDisposition string }{
		{"media/shared.jpg", "", "image/jpeg", ""},
		{"media/untyped.jpg", "", "application/octet-stream", ""},
		{"media/shared.jpg", "image/png", "image/png", "inline"},
	} {
		t.Run("type "+tt.wantType, func(t *testing.T) {
			url, err := s.PresignGet(t.Context(), tt.key, time.Minute, tt.ask)
			if err != nil {
				t.Fatalf("PresignGet: %v", err)
			}
			resp, err := http.Get(url)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != tt.wantType || resp.Header.Get("Content-Disposition") != tt.wantDisposition {
				t.Errorf("GET = %d, Content-Type %q, Content-Disposition %q; want 200, %q, %q", resp.StatusCode,
					resp.Header.Get("Content-Type"), resp.Header.Get("Content-Disposition"), tt.wantType, tt.wantDisposition)
			}
		})
	}
	t.Run("missing key", func(t *testing.T) {
		url, err := s.PresignGet(t.Context(), "media/none.jpg", time.Minute, "")
		if err != nil {
			t.Fatalf("PresignGet: %v", err)
		}
		if status, _ := get(t, url); status != http.StatusNotFound {
			t.Errorf("GET presigned URL of a missing key = %d, want 404", status)
		}
	})
	for _, tt := range []struct {
		name string
		key  string
		ttl  time.Duration
	}{
		{"invalid key", "../x", time.Minute},
		{"zero lifetime", "media/shared.jpg", 0},
		{"lifetime under a second", "media/shared.jpg", time.Millisecond},
		{"lifetime over a week", "media/shared.jpg", s3blob.MaxPresignTTL + time.Second},
	} {
		t.Run(tt.name, func(t *testing.T) {
			url, err := s.PresignGet(t.Context(), tt.key, tt.ttl, "")
			if got := chatpic.ErrorKind(err); got != chatpic.KindInvalid {
				t.Errorf("PresignGet(%q, %v) = %q, %v; want an error of kind %q", tt.key, tt.ttl, url, err, chatpic.KindInvalid)
			}
		})
	}
}
