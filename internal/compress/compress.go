// Package compress encodes HTTP responses of text (pages, JSON, CSS,
// JavaScript, SVG) with brotli or gzip, as the client accepts: Handler for
// responses made per request, Bytes for content encoded once and served
// many times (static files, cached pages). Media, already compressed, and
// event streams, which must flow as they are written, pass untouched.
package compress

import (
	"bytes"
	"compress/gzip"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// The encodings, as Content-Encoding names them.
const (
	Brotli = "br"
	Gzip   = "gzip"
)

// minSize is the smallest response worth compressing: below it, the
// encoder's headers and the work outweigh the bytes saved.
const minSize = 1024

// Negotiate returns the encoding to answer r with: brotli if it accepts
// it, else gzip if it accepts that, else "". An encoding given q=0 is not
// accepted.
func Negotiate(r *http.Request) string {
	var br, gz bool
	for _, part := range strings.Split(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		if q, ok := strings.CutPrefix(strings.TrimSpace(params), "q="); ok {
			if v, err := strconv.ParseFloat(q, 64); err == nil && v <= 0 {
				continue
			}
		}
		switch strings.ToLower(strings.TrimSpace(name)) {
		case Brotli:
			br = true
		case Gzip, "x-gzip":
			gz = true
		case "*":
			br, gz = true, true
		}
	}
	switch {
	case br:
		return Brotli
	case gz:
		return Gzip
	}
	return ""
}

// Compressible reports whether a response of this Content-Type is text
// that compression shrinks.
func Compressible(contentType string) bool {
	mt, _, _ := mime.ParseMediaType(contentType)
	switch {
	case strings.HasPrefix(mt, "text/") && mt != "text/event-stream":
		return true
	case mt == "application/json", mt == "application/javascript", mt == "image/svg+xml",
		mt == "application/manifest+json", mt == "application/xml", mt == "application/atom+xml":
		return true
	}
	return false
}

// Bytes returns b encoded with enc at the strongest level worth it for
// content encoded once and served many times.
func Bytes(b []byte, enc string) []byte {
	var buf bytes.Buffer
	var w io.WriteCloser
	switch enc {
	case Brotli:
		// A window no larger than the content: brotli's default (4 MB)
		// makes each encoder allocate tens of MB, which the process then
		// holds (static files and every cached page are encoded so).
		lgwin := 10
		for lgwin < 24 && 1<<lgwin < len(b) {
			lgwin++
		}
		w = brotli.NewWriterOptions(&buf, brotli.WriterOptions{Quality: 9, LGWin: lgwin})
	case Gzip:
		w, _ = gzip.NewWriterLevel(&buf, gzip.BestCompression)
	default:
		return b
	}
	w.Write(b)
	w.Close()
	return buf.Bytes()
}

// Encoders made per request are kept for reuse: a brotli or gzip writer
// holds hundreds of KB of tables. The levels favour speed over size, as
// every request pays them.
var (
	gzipWriters   = sync.Pool{New: func() any { w, _ := gzip.NewWriterLevel(io.Discard, 5); return w }}
	brotliWriters = sync.Pool{New: func() any { return brotli.NewWriterLevel(io.Discard, 4) }}
)

// Handler compresses the responses of next that are compressible text of
// at least minSize bytes in their first write, carry no Content-Encoding
// already, and whose client accepts an encoding; it adds
// "Vary: Accept-Encoding" to every response it could have compressed.
// Others (media, event streams, HEAD, 204 and 304 answers) pass as they
// are, with ReadFrom (and so sendfile) and Flush intact.
func Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		enc := Negotiate(r)
		if enc == "" || r.Method == http.MethodHead {
			next.ServeHTTP(w, r)
			return
		}
		cw := &writer{ResponseWriter: w, enc: enc}
		defer cw.close()
		next.ServeHTTP(cw, r)
	})
}

// writer decides at the first write whether to compress.
type writer struct {
	http.ResponseWriter
	enc     string
	status  int
	decided bool
	out     io.WriteCloser // nil: passing through
}

func (w *writer) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	if code < 200 || code == http.StatusNoContent || code == http.StatusNotModified {
		w.decide(nil)
	}
	// Held until the first write, where compression is decided.
	if w.decided {
		w.ResponseWriter.WriteHeader(code)
	}
}

func (w *writer) Write(p []byte) (int, error) {
	if !w.decided {
		w.decide(p)
	}
	if w.out != nil {
		return w.out.Write(p)
	}
	return w.ResponseWriter.Write(p)
}

// decide looks at the headers and the first bytes, and sends the headers.
func (w *writer) decide(first []byte) {
	if w.decided {
		return
	}
	w.decided = true
	h := w.Header()
	ok := first != nil && len(first) >= minSize && h.Get("Content-Encoding") == "" && Compressible(h.Get("Content-Type"))
	if Compressible(h.Get("Content-Type")) && !varies(h, "Accept-Encoding") {
		h.Add("Vary", "Accept-Encoding")
	}
	if ok {
		h.Set("Content-Encoding", w.enc)
		h.Del("Content-Length")
		h.Del("Accept-Ranges")
		switch w.enc {
		case Brotli:
			bw := brotliWriters.Get().(*brotli.Writer)
			bw.Reset(w.ResponseWriter)
			w.out = bw
		default:
			gw := gzipWriters.Get().(*gzip.Writer)
			gw.Reset(w.ResponseWriter)
			w.out = gw
		}
	}
	if w.status != 0 {
		w.ResponseWriter.WriteHeader(w.status)
	}
}

// varies reports whether h already says the response varies with the
// request header name (a handler that chose the encoding itself says so).
func varies(h http.Header, name string) bool {
	for _, v := range h.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// close finishes the encoding and gives the encoder back.
func (w *writer) close() {
	if !w.decided && w.status != 0 {
		w.decide(nil) // headers only
	}
	switch out := w.out.(type) {
	case *brotli.Writer:
		out.Close()
		brotliWriters.Put(out)
	case *gzip.Writer:
		out.Close()
		gzipWriters.Put(out)
	}
	w.out = nil
}

// Flush sends what is buffered, encoded so far, to the client.
func (w *writer) Flush() {
	if !w.decided {
		w.decide(nil)
	}
	if f, ok := w.out.(interface{ Flush() error }); ok {
		f.Flush()
	}
	http.NewResponseController(w.ResponseWriter).Flush()
}

// ReadFrom passes a copy straight through (sendfile for media) when the
// response is not compressed.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	if !w.decided {
		// Bodies copied from a reader are files: media, never text pages.
		w.decide(nil)
	}
	if w.out != nil {
		return io.Copy(w.out, r)
	}
	return io.Copy(w.ResponseWriter, r)
}

// Unwrap lets http.ResponseController reach the real writer.
func (w *writer) Unwrap() http.ResponseWriter { return w.ResponseWriter }
