package server

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/posting"
)

// bigBody is a multipart upload of size bytes whose reads are counted:
// fields first, then the file.
type bigBody struct {
	r    io.Reader
	read atomic.Int64
}

func (b *bigBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read.Add(int64(n))
	return n, err
}

const boundary = "XbOuNdArYx"

func newBigBody(fields map[string]string, size int64) (*bigBody, int64) {
	var head bytes.Buffer
	for k, v := range fields {
		fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=%q\r\n\r\n%s\r\n", boundary, k, v)
	}
	fmt.Fprintf(&head, "--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\nContent-Type: image/jpeg\r\n\r\n", boundary)
	file := io.MultiReader(bytes.NewReader(mediatest.JPEG(64, 64)), io.LimitReader(zeros{}, size))
	tail := "\r\n--" + boundary + "--\r\n"
	body := &bigBody{r: io.MultiReader(&head, file, strings.NewReader(tail))}
	return body, int64(head.Len()) + int64(len(mediatest.JPEG(64, 64))) + size + int64(len(tail))
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

// bigUpload is a request for a big upload sent without announcing its
// length (chunked), so that only what is decided before the body can
// refuse it early; the test site takes files up to 200 KB.
func bigUpload(path, ip string, fields map[string]string, size int64) (*http.Request, *bigBody) {
	body, _ := newBigBody(fields, size)
	req := from(httptest.NewRequest("POST", path, body), ip)
	req.ContentLength = -1
	req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
	return req, body
}

// TestRefusalsBeforeTheBody: whatever the request line and headers decide
// (rate limit, ban, locked or unknown channel, announced size, uploads in
// flight) is answered before the body is read: a 15 MB upload that is
// refused is read for less than 64 KB, and nothing is spooled.
func TestRefusalsBeforeTheBody(t *testing.T) {
	ts := newTestSite(t, func(c *config.Safety) {
		c.Limits = map[chatpic.Action]limit.Rule{chatpic.ActionUpload: {Events: 2, Per: time.Hour}}
	})
	mod := ts.moderator(t, "mo", false)
	for i := range 2 { // spends 192.0.2.1's allowance
		rec, _ := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 60+i), nil)
		wantCode(t, rec, http.StatusCreated, "an upload within the limit")
	}
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/channels/gaming/lock", `{"reason":"raid"}`, mod)), http.StatusOK, "lock")
	_, troll := ts.upload(t, "random", "192.0.2.66", mediatest.JPEG(64, 65), nil)
	wantCode(t, serve(ts.handler, jsonReq("POST", "/api/v1/mod/posts/"+troll+"/ban", `{"reason":"flood"}`, mod)), http.StatusOK, "ban")

	const size = 15 << 20
	tests := []struct {
		name   string
		path   string
		ip     string
		fields map[string]string
		code   int
	}{
		{"a client over its rate limit", "/api/v1/channels/random/posts", "192.0.2.1", nil, http.StatusTooManyRequests},
		{"a banned poster", "/api/v1/channels/random/posts", "192.0.2.66", nil, http.StatusForbidden},
		{"a locked channel", "/api/v1/channels/gaming/posts", "192.0.2.2", nil, http.StatusForbidden},
		{"an unknown channel", "/api/v1/channels/nowhere/posts", "192.0.2.3", nil, http.StatusNotFound},
		{"a locked channel named in the form before the file", "/upload", "192.0.2.4", map[string]string{"channel": "gaming"}, http.StatusForbidden},
		{"a link-only upload over the rate limit", "/api/v1/uploads", "192.0.2.1", nil, http.StatusTooManyRequests},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, body := bigUpload(tt.path, tt.ip, tt.fields, size)
			rec := serve(ts.handler, req)
			wantCode(t, rec, tt.code, tt.name)
			if n := body.read.Load(); n >= 64<<10 {
				t.Errorf("%d bytes of the body were read before the refusal", n)
			}
			if tt.code == http.StatusTooManyRequests && rec.Header().Get("Retry-After") == "" {
				t.Error("no Retry-After")
			}
			if rec.Header().Get("Connection") != "close" {
				t.Error("the refusal keeps the connection, so the server would drain the body")
			}
		})
	}

	t.Run("an announced size over the limit", func(t *testing.T) {
		req, body := bigUpload("/api/v1/channels/random/posts", "192.0.2.5", nil, size)
		req.ContentLength = 200 << 20
		wantCode(t, serve(ts.handler, req), http.StatusRequestEntityTooLarge, "200 MB announced")
		if body.read.Load() != 0 {
			t.Errorf("%d bytes read", body.read.Load())
		}
	})
}

// TestUploadsInFlightPerClient: a client may have a few uploads in flight;
// the next is refused at once with 429, while another client is still
// admitted.
func TestUploadsInFlightPerClient(t *testing.T) {
	ts := newTestSite(t, nil)
	var held []*io.PipeWriter
	var wg sync.WaitGroup
	for range 4 { // DefaultUploadsPerClient
		pr, pw := io.Pipe()
		held = append(held, pw)
		req := from(httptest.NewRequest("POST", "/api/v1/channels/random/posts", pr), "192.0.2.9")
		req.Header.Set("Content-Type", "multipart/form-data; boundary="+boundary)
		wg.Go(func() { serve(ts.handler, req) })
	}
	deadline := time.Now().Add(10 * time.Second)
	for ts.posts.InFlight() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d uploads in flight, want 4", ts.posts.InFlight())
		}
		time.Sleep(time.Millisecond) // the four requests are starting in their goroutines
	}
	req, body := bigUpload("/api/v1/channels/random/posts", "192.0.2.9", nil, 15<<20)
	rec := serve(ts.handler, req)
	wantCode(t, rec, http.StatusTooManyRequests, "a fifth upload in flight")
	if body.read.Load() >= 64<<10 {
		t.Errorf("%d bytes read", body.read.Load())
	}
	rec, _ = ts.upload(t, "random", "192.0.2.10", mediatest.JPEG(64, 64), nil)
	wantCode(t, rec, http.StatusCreated, "another client's upload meanwhile")
	for _, pw := range held {
		pw.CloseWithError(io.ErrUnexpectedEOF)
	}
	wg.Wait()
	if n := ts.posts.InFlight(); n != 0 {
		t.Fatalf("%d uploads still in flight after all ended", n)
	}
}

// TestSlowBodiesAreCutOff: an upload whose body falls behind the least
// pace after its grace is cut off with 408 and leaves nothing behind; one
// that keeps the pace goes through. It runs a real server: read deadlines
// need a real connection.
func TestSlowBodiesAreCutOff(t *testing.T) {
	ts := newTestSiteWith(t, nil, func(c *posting.Config) {
		c.UploadRate, c.UploadGrace = 64<<10, 300*time.Millisecond
	})
	srv := httptest.NewServer(ts.handler)
	defer srv.Close()

	t.Run("a body that stalls", func(t *testing.T) {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST /api/v1/channels/random/posts HTTP/1.1\r\nHost: x\r\nContent-Type: multipart/form-data; boundary=%s\r\n"+
			"Content-Length: 150000\r\n\r\n--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n", boundary, boundary)
		conn.Write(mediatest.JPEG(64, 64)[:100])
		conn.SetReadDeadline(time.Now().Add(10 * time.Second))
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("no answer: %v", err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(b), `"kind":"timeout"`) {
			t.Fatalf("got %d %s, want 408 timeout", res.StatusCode, b)
		}
		if n := ts.posts.InFlight(); n != 0 {
			t.Errorf("%d uploads still in flight", n)
		}
	})
	t.Run("a body at pace", func(t *testing.T) {
		body, ct := multipartBody(t, nil, mediatest.JPEG(200, 150))
		res, err := http.Post(srv.URL+"/api/v1/channels/random/posts", ct, body)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusCreated {
			t.Fatalf("got %d", res.StatusCode)
		}
	})
}
