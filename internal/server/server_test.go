package server

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/request"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestShutdownEndsStreams checks that a shutdown lets an endless response
// (an event stream) end through request.Stopping, and finishes long before
// ShutdownTimeout, while an ordinary request in flight completes.
func TestShutdownEndsStreams(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	streaming, slow := make(chan struct{}), make(chan struct{})
	release := make(chan struct{})
	h := http.NewServeMux()
	h.HandleFunc("/stream", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusOK)
		w.(http.Flusher).Flush()
		close(streaming)
		<-request.Stopping(r.Context())
	})
	h.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		close(slow)
		<-release
		w.Write([]byte("done"))
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, ln, h, slog.New(slog.NewTextHandler(io.Discard, nil)), nil) }()

	base := "http://" + ln.Addr().String()
	resp, err := http.Get(base + "/stream")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	<-streaming
	slowBody := make(chan string, 1)
	go func() {
		r, err := http.Get(base + "/slow")
		if err != nil {
			slowBody <- err.Error()
			return
		}
		b, _ := io.ReadAll(r.Body)
		r.Body.Close()
		slowBody <- string(b)
	}()
	<-slow

	start := time.Now()
	cancel()
	close(release)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("Serve returned %v", err)
		}
	case <-time.After(ShutdownTimeout):
		t.Fatal("the shutdown waited for the stream")
	}
	if got := <-slowBody; got != "done" {
		t.Errorf("the request in flight got %q, want it to finish", got)
	}
	t.Logf("shut down in %v", time.Since(start))
}

// TestPanicsAnswerLikeErrors: a handler that panics gets the answer any
// internal error gets, JSON under /api/ and the error page elsewhere, and
// the panic with its stack is logged once; the process lives on.
func TestPanicsAnswerLikeErrors(t *testing.T) {
	site := newTestSite(t, nil)
	var logs bytes.Buffer
	mux := http.NewServeMux()
	boom := func(http.ResponseWriter, *http.Request) {
		var m map[string]int
		m["x"]++
	}
	mux.HandleFunc("/api/v1/boom", boom)
	mux.HandleFunc("/boom", boom)
	h := withMiddleware(mux, Deps{Log: slog.New(slog.NewTextHandler(&logs, nil))}, failer(site.pages, site.api))
	tests := []struct {
		path, contentType, body string
	}{
		{"/api/v1/boom", "application/json; charset=utf-8", `{"error":{"kind":"internal","message":"something went wrong on our side"}}`},
		{"/boom", "text/html; charset=utf-8", "Something went wrong on our side"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != 500 || rec.Header().Get("Content-Type") != tt.contentType || !strings.Contains(rec.Body.String(), tt.body) {
				t.Fatalf("got %d %q %s", rec.Code, rec.Header().Get("Content-Type"), rec.Body)
			}
			if strings.Contains(rec.Body.String(), "nil map") {
				t.Error("the answer shows the panic")
			}
		})
	}
	// The surfaces' fail logs the error; the middleware adds no second
	// line for it.
	if strings.Contains(logs.String(), "level=ERROR") {
		t.Errorf("the middleware logged the panic again:\n%s", logs.String())
	}
}

// TestClientGoneIsNotAnError: requests whose client went away before the
// answer (their context cancelled) are logged at debug level as "client
// gone" with status 499, never as an error or a 5xx, on pages, the API and
// media alike.
func TestClientGoneIsNotAnError(t *testing.T) {
	ts := newTestSite(t, nil)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 64), nil)
	for _, path := range []string{"/c/random", "/api/v1/channels/random/posts", "/p/" + id, "/m/" + id + ".jpg", "/api/v1/channels"} {
		t.Run(path, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			cancel() // the client is gone before the handler runs
			before := len(ts.logs.String())
			serve(ts.handler, httptest.NewRequest("GET", path, nil).WithContext(ctx))
			logs := ts.logs.String()[before:]
			if strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "status=5") {
				t.Fatalf("a gone client was logged as a failure:\n%s", logs)
			}
			if !strings.Contains(logs, `level=DEBUG msg="client gone"`) || !strings.Contains(logs, "status=499") {
				t.Fatalf("no client-gone line:\n%s", logs)
			}
		})
	}
}

// fileWriter is a ResponseWriter that, like net/http's, can copy from a
// reader itself, and records what it was asked to copy from.
type fileWriter struct {
	*httptest.ResponseRecorder
	from []string
}

func (f *fileWriter) ReadFrom(r io.Reader) (int64, error) {
	src := fmt.Sprintf("%T", r)
	if lr, ok := r.(*io.LimitedReader); ok {
		src = fmt.Sprintf("%T of %T", lr, lr.R)
		// What net.TCPConn's ReadFrom sends with sendfile: a file it can
		// reach through syscall.Conn.
		if _, ok := lr.R.(syscall.Conn); ok {
			src = "a length of a file"
		}
	}
	f.from = append(f.from, src)
	return io.Copy(f.ResponseRecorder, r)
}

// TestMediaReachesSendfile: a media response is handed, through every
// middleware, to the connection's own ReadFrom with the file itself, which
// net/http sends with sendfile.
func TestMediaReachesSendfile(t *testing.T) {
	ts := newTestSite(t, nil)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(640, 480), nil)
	for _, path := range []string{"/m/" + id + ".jpg", "/t/" + id + ".jpg"} {
		w := &fileWriter{ResponseRecorder: httptest.NewRecorder()}
		ts.handler.ServeHTTP(w, httptest.NewRequest("GET", path, nil))
		if w.Code != 200 || w.Body.Len() == 0 {
			t.Fatalf("%s: %d, %d bytes", path, w.Code, w.Body.Len())
		}
		if len(w.from) != 1 || w.from[0] != "a length of a file" {
			t.Fatalf("%s: copied from %v, want one copy from the file", path, w.from)
		}
	}
}

// TestPagesCachedUntilTheyChange: a channel page, the home page and the
// channel's JSON are answered from a cache (with 304 to a client that has
// them, compressed for one that accepts it) until something they show
// changes, and then at once show the change.
func TestPagesCachedUntilTheyChange(t *testing.T) {
	ts := newTestSite(t, nil)
	ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 64), nil)
	for _, path := range []string{"/c/random", "/", "/api/v1/channels/random/posts", "/api/v1/channels"} {
		t.Run(path, func(t *testing.T) {
			get := func(header map[string]string) *httptest.ResponseRecorder {
				req := httptest.NewRequest("GET", path, nil)
				for k, v := range header {
					req.Header.Set(k, v)
				}
				return serve(ts.handler, req)
			}
			a := get(nil)
			etag := a.Header().Get("ETag")
			if a.Code != 200 || etag == "" || a.Header().Get("Cache-Control") != "no-cache" {
				t.Fatalf("first: %d, ETag %q, Cache-Control %q", a.Code, etag, a.Header().Get("Cache-Control"))
			}
			if b := get(map[string]string{"If-None-Match": etag}); b.Code != http.StatusNotModified || b.Body.Len() != 0 {
				t.Fatalf("revalidating an unchanged page: %d with %d bytes", b.Code, b.Body.Len())
			}
			if c := get(map[string]string{"Accept-Encoding": "br"}); c.Header().Get("Content-Encoding") != "br" || c.Header().Get("ETag") != etag {
				t.Fatalf("with brotli accepted: %q, ETag %q", c.Header().Get("Content-Encoding"), c.Header().Get("ETag"))
			}
			_, id := ts.upload(t, "random", "192.0.2.2", mediatest.JPEG(64, 66), nil)
			d := get(map[string]string{"If-None-Match": etag})
			if d.Code != 200 || d.Header().Get("ETag") == etag {
				t.Fatalf("after an upload: %d, the same ETag %v", d.Code, d.Header().Get("ETag") == etag)
			}
			if path != "/" && path != "/api/v1/channels" && !strings.Contains(d.Body.String(), id) {
				t.Fatal("the page does not show the new upload")
			}
		})
	}
}

// TestHTTP2 serves HTTP/2 in the clear to a client that knows it is spoken
// (a proxy configured for h2c), and over TLS through ALPN, beside HTTP/1.1.
func TestHTTP2(t *testing.T) {
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fmt.Fprint(w, r.Proto) })
	cert := selfSigned(t)
	tests := []struct {
		name   string
		tls    *tls.Config
		client *http.Transport
		want   string
	}{
		{"h2c with prior knowledge", nil, h2cTransport(), "HTTP/2.0"},
		{"HTTP/1.1 in the clear", nil, &http.Transport{}, "HTTP/1.1"},
		{"h2 over TLS", &tls.Config{Certificates: []tls.Certificate{cert}},
			&http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}, ForceAttemptHTTP2: true}, "HTTP/2.0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, err := net.Listen("tcp", "127.0.0.1:0")
			if err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithCancel(context.Background())
			done := make(chan error, 1)
			go func() { done <- Serve(ctx, ln, h, slog.New(slog.DiscardHandler), tt.tls) }()
			defer func() { cancel(); <-done }()
			scheme := "http"
			if tt.tls != nil {
				scheme = "https"
			}
			res, err := (&http.Client{Transport: tt.client}).Get(scheme + "://" + ln.Addr().String() + "/")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if string(b) != tt.want {
				t.Fatalf("served %q, want %q", b, tt.want)
			}
		})
	}
}

func h2cTransport() *http.Transport {
	var p http.Protocols
	p.SetUnencryptedHTTP2(true)
	return &http.Transport{Protocols: &p}
}

// selfSigned makes a certificate for 127.0.0.1.
func selfSigned(t *testing.T) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

// TestMediaRemovedElsewhere: an upload removed by another instance, which
// deleted its files, answers 410 here at once, though this instance
// remembered it visible and has not heard the removal's event yet.
func TestMediaRemovedElsewhere(t *testing.T) {
	ts := newTestSite(t, nil)
	_, id := ts.upload(t, "random", "192.0.2.1", mediatest.JPEG(64, 64), nil)
	for _, path := range []string{"/m/" + id + ".jpg", "/t/" + id + ".jpg"} {
		if w := serve(ts.handler, httptest.NewRequest("GET", path, nil)); w.Code != http.StatusOK {
			t.Fatalf("%s before the removal: %d", path, w.Code)
		}
	}
	// The other instance: the row goes in the shared store, the files in
	// the shared blob store, and no event reaches this one.
	ctx := t.Context()
	p, err := ts.db.RemovePost(ctx, id, "removed elsewhere", chatpic.AuditEntry{At: *ts.now, Action: "remove_post", Target: id}, *ts.now)
	if err != nil {
		t.Fatal(err)
	}
	for _, key := range []string{p.MediaKey(), p.ThumbKey()} {
		if err := ts.blobs.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	for _, path := range []string{"/m/" + id + ".jpg", "/t/" + id + ".jpg"} {
		if w := serve(ts.handler, httptest.NewRequest("GET", path, nil)); w.Code != http.StatusGone {
			t.Errorf("%s after the removal elsewhere: %d %q, want 410", path, w.Code, w.Body.String())
		}
	}
}
