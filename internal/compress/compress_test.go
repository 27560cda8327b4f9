package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	tests := []struct{ accept, want string }{
		{"", ""},
		{"gzip", Gzip},
		{"gzip, deflate, br", Brotli},
		{"br;q=0, gzip", Gzip},
		{"gzip;q=0", ""},
		{"identity", ""},
		{"*", Brotli},
		{"BR", Brotli},
		{"x-gzip", Gzip},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.Header.Set("Accept-Encoding", tt.accept)
		if got := Negotiate(r); got != tt.want {
			t.Errorf("Negotiate(%q) = %q, want %q", tt.accept, got, tt.want)
		}
	}
}

func decode(t *testing.T, enc string, b []byte) string {
	t.Helper()
	var r io.Reader
	switch enc {
	case Gzip:
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			t.Fatal(err)
		}
		r = zr
	case Brotli:
		r = brotli.NewReader(bytes.NewReader(b))
	default:
		return string(b)
	}
	out, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return string(out)
}

func TestHandler(t *testing.T) {
	page := "<!doctype html>" + strings.Repeat("<p>hello world</p>", 200)
	file := filepath.Join(t.TempDir(), "pic.jpg")
	os.WriteFile(file, bytes.Repeat([]byte{0xFF, 0xD8, 1, 2}, 1000), 0o600)
	h := Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/page":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusOK)
			w.Write([]byte(page))
		case "/small":
			w.Header().Set("Content-Type", "application/json")
			w.Write([]byte(`{"ok":true}`))
		case "/pic":
			http.ServeFile(w, r, file)
		case "/stream":
			w.Header().Set("Content-Type", "text/event-stream")
			w.Write([]byte("data: " + page + "\n\n"))
			http.NewResponseController(w).Flush()
		case "/not-modified":
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(http.StatusNotModified)
		}
	}))
	tests := []struct {
		name, path, accept, method string
		wantEnc                    string
		wantVary                   bool
	}{
		{"a page, brotli", "/page", "gzip, br", "GET", Brotli, true},
		{"a page, gzip", "/page", "gzip", "GET", Gzip, true},
		{"a page, no encoding accepted", "/page", "", "GET", "", false},
		{"a page, HEAD", "/page", "br", "HEAD", "", false},
		{"small JSON", "/small", "br", "GET", "", true},
		{"a picture", "/pic", "br", "GET", "", false},
		{"an event stream", "/stream", "br", "GET", "", false},
		{"not modified", "/not-modified", "br", "GET", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest(tt.method, tt.path, nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Encoding", tt.accept)
			}
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, r)
			if got := rec.Header().Get("Content-Encoding"); got != tt.wantEnc {
				t.Fatalf("Content-Encoding %q, want %q", got, tt.wantEnc)
			}
			if got := rec.Header().Get("Vary") == "Accept-Encoding"; got != tt.wantVary {
				t.Errorf("Vary %q", rec.Header().Get("Vary"))
			}
			if tt.path == "/page" && tt.method == "GET" {
				if got := decode(t, tt.wantEnc, rec.Body.Bytes()); got != page {
					t.Fatalf("decoded %d bytes, not the page", len(got))
				}
				if tt.wantEnc != "" && rec.Body.Len() > len(page)/5 {
					t.Errorf("%d bytes compressed from %d", rec.Body.Len(), len(page))
				}
			}
		})
	}
}

func TestBytes(t *testing.T) {
	css := strings.Repeat("body { color: #333; margin: 0 auto; }\n", 100)
	for _, enc := range []string{Brotli, Gzip} {
		b := Bytes([]byte(css), enc)
		if got := decode(t, enc, b); got != css || len(b) > len(css)/10 {
			t.Errorf("%s: %d bytes, round trip %v", enc, len(b), got == css)
		}
	}
}
