package express

import (
	"bytes"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// writer is the http.ResponseWriter of a request the lane runs: it holds
// the whole response, up to MaxEntry bytes. A larger one, or a handler
// that flushes (a stream), makes it give up: the request then goes to
// net/http, which runs it again (the lane runs only routes without side
// effects).
type writer struct {
	header  http.Header
	sent    http.Header // the headers as they were at WriteHeader
	status  int
	body    bytes.Buffer
	tooMuch bool
}

func (w *writer) Header() http.Header { return w.header }

func (w *writer) WriteHeader(code int) {
	if w.status == 0 && code >= 200 {
		w.status = code
		w.sent = w.header.Clone() // later changes to the map are not sent
	}
}

func (w *writer) Write(b []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	if w.tooMuch || w.body.Len()+len(b) > MaxEntry {
		w.tooMuch = true
		return 0, errTooMuch
	}
	return w.body.Write(b)
}

// ReadFrom reads what http.ServeContent sends straight into the body.
func (w *writer) ReadFrom(r io.Reader) (int64, error) {
	w.WriteHeader(http.StatusOK)
	n, err := w.body.ReadFrom(io.LimitReader(r, int64(MaxEntry-w.body.Len())+1))
	if w.body.Len() > MaxEntry {
		w.tooMuch = true
		return n, errTooMuch
	}
	return n, err
}

// Flush marks a response that is a stream: not the lane's.
func (w *writer) Flush() { w.tooMuch = true }

var errTooMuch = &tooMuchError{}

type tooMuchError struct{}

func (*tooMuchError) Error() string { return "express: the response is not the lane's to send" }

// bodyAllowed reports whether a response with status may carry a body.
func bodyAllowed(status int) bool {
	return status >= 200 && status != http.StatusNoContent && status != http.StatusNotModified
}

// hopHeaders are not the handler's to send; the lane writes its own.
var hopHeaders = []string{"Connection", "Keep-Alive", "Transfer-Encoding", "Trailer", "Upgrade", "Date"}

// response serialises what w holds as net/http would send it to an
// HTTP/1.1 request: the status line, the headers in order, Date, a
// Content-Length (and a sniffed Content-Type) where the handler set
// none, and the body. It returns everything before the Date header and
// everything after it, and whether the connection must close after it.
func (w *writer) response() (head, tail []byte, closing bool) {
	status := w.status
	if status == 0 {
		status = http.StatusOK
	}
	h := w.sent
	if w.status == 0 {
		h = w.header
	}
	if h == nil {
		h = http.Header{}
	}
	body := w.body.Bytes()
	head = append(head, "HTTP/1.1 "...)
	head = strconv.AppendInt(head, int64(status), 10)
	head = append(head, ' ')
	head = append(head, http.StatusText(status)...)
	head = append(head, "\r\n"...)
	keys := make([]string, 0, len(h))
	for k := range h {
		if !slices.Contains(hopHeaders, k) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	if v := h.Get("Connection"); strings.EqualFold(strings.TrimSpace(v), "close") {
		closing = true
	}
	for _, k := range keys {
		// As net/http: no length for an answer without a body, and no
		// type for a 304.
		if !bodyAllowed(status) && (k == "Content-Length" || status == http.StatusNotModified && k == "Content-Type") {
			continue
		}
		for _, v := range h[k] {
			head = appendHeader(head, k, v)
		}
	}
	if bodyAllowed(status) && len(body) > 0 && h.Get("Content-Type") == "" {
		head = appendHeader(head, "Content-Type", http.DetectContentType(body))
	}
	if closing {
		head = appendHeader(head, "Connection", "close")
	}
	if bodyAllowed(status) && h.Get("Content-Length") == "" {
		tail = appendHeader(tail, "Content-Length", strconv.Itoa(len(body)))
	}
	tail = append(tail, "\r\n"...)
	if bodyAllowed(status) {
		tail = append(tail, body...)
	}
	return head, tail, closing
}

// appendHeader appends "Key: value\r\n", with any line break in value
// made a space, as net/http does.
func appendHeader(b []byte, k, v string) []byte {
	b = append(b, k...)
	b = append(b, ": "...)
	for i := range len(v) {
		c := v[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return append(b, "\r\n"...)
}

// clock writes the Date header, remade once a second.
type clock struct {
	sec  int64
	line []byte
}

func (c *clock) date(now time.Time) []byte {
	if s := now.Unix(); s != c.sec || c.line == nil {
		c.sec = s
		c.line = append(c.line[:0], "Date: "...)
		c.line = now.UTC().AppendFormat(c.line, http.TimeFormat)
		c.line = append(c.line, "\r\n"...)
	}
	return c.line
}
