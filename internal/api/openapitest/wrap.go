package openapitest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strings"
	"testing"
)

// Handler returns h, wrapped so that every response it gives to a path
// under /api/ is checked (see Check) once it is complete, and a mismatch
// fails t. An event stream is checked when its header is written: its
// status and content type. The wrapper passes writes, flushes and
// deadlines through as they come.
func Handler(t testing.TB, h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, "/api/") {
			h.ServeHTTP(w, r)
			return
		}
		// What the handler does to r (its body read, its pattern set)
		// matters not to the check.
		req := r.Clone(context.Background())
		req.Body = http.NoBody
		rec := &recorder{ResponseWriter: w, check: func(status int, body []byte) {
			if err := Check(req, status, w.Header(), body); err != nil {
				t.Errorf("the answer drifts from the OpenAPI document: %v", err)
			}
		}}
		h.ServeHTTP(rec, r)
		rec.finish()
	})
}

// recorder keeps a copy of the response for the check, except an event
// stream's body.
type recorder struct {
	http.ResponseWriter
	check  func(status int, body []byte)
	status int
	stream bool
	body   bytes.Buffer
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 && code >= 200 {
		r.status = code
		r.stream = isStream(r.Header())
		if r.stream {
			r.check(code, nil)
		}
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(p []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if !r.stream {
		r.body.Write(p)
	}
	return r.ResponseWriter.Write(p)
}

// Flush passes a flush through, as an event stream needs.
func (r *recorder) Flush() {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	http.NewResponseController(r.ResponseWriter).Flush()
}

// Unwrap lets http.ResponseController reach the real writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// finish checks the response once the handler returned.
func (r *recorder) finish() {
	if r.stream {
		return
	}
	if r.status == 0 {
		r.status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	r.check(r.status, r.body.Bytes())
}

// Transport returns rt (http.DefaultTransport if nil), wrapped so that
// every response it receives from a path under /api/ is checked (see
// Check), and a mismatch fails t. A body is read whole first, and handed
// on as it came; an event stream's is not read, and only its status and
// content type are checked.
func Transport(t testing.TB, rt http.RoundTripper) http.RoundTripper {
	if rt == nil {
		rt = http.DefaultTransport
	}
	return transport{t: t, next: rt}
}

type transport struct {
	t    testing.TB
	next http.RoundTripper
}

func (tr transport) RoundTrip(req *http.Request) (*http.Response, error) {
	res, err := tr.next.RoundTrip(req)
	if err != nil || !strings.HasPrefix(req.URL.Path, "/api/") {
		return res, err
	}
	var body []byte
	if !isStream(res.Header) && res.StatusCode >= 200 {
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			return nil, fmt.Errorf("openapitest: read the answer: %w", err)
		}
		res.Body = io.NopCloser(bytes.NewReader(body))
	}
	if err := Check(req, res.StatusCode, res.Header, body); err != nil {
		tr.t.Errorf("the answer drifts from the OpenAPI document: %v", err)
	}
	return res, nil
}

func isStream(h http.Header) bool {
	mt, _, _ := mime.ParseMediaType(h.Get("Content-Type"))
	return mt == "text/event-stream"
}
