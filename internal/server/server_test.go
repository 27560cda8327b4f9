package server

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/request"
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
	go func() { done <- Serve(ctx, ln, h, slog.New(slog.NewTextHandler(io.Discard, nil))) }()

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
