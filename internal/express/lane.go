package express

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"
)

// Options configures a Lane.
type Options struct {
	// Handler answers what the lane runs itself; net/http serves the
	// connections handed to it with the same handler.
	Handler http.Handler
	// Store holds the answers handlers Keep.
	Store *Store
	// Runs reports whether the lane may run a GET for path itself: a
	// route whose answers are small, finite and free of side effects,
	// since an answer that turns out too large is run again by net/http.
	Runs func(path []byte) bool
	// Log takes the line of every request answered from the Store, in the
	// form the handler's own middleware logs the others.
	Log *slog.Logger
	// Meter, if not nil, counts every request answered from the Store.
	Meter func(route string, status int, took time.Duration)
	// BaseContext is the context of the requests the lane runs.
	BaseContext func() context.Context
	// Now is the clock (time.Now if nil).
	Now func() time.Time
	// HeaderTimeout bounds the wait for a request head once it began;
	// IdleTimeout the wait for the next request.
	HeaderTimeout, IdleTimeout time.Duration
	// Loops is the number of event loops (threads): GOMAXPROCS if 0.
	Loops int
}

// ErrUnsupported is returned by New where the lane cannot run (not Linux,
// not a TCP listener): serve with net/http alone.
var ErrUnsupported = errors.New("express: the lane runs only on Linux, on a TCP listener")

// handoff is the net.Listener net/http serves: the connections the lane
// hands over.
type handoff struct {
	addr  net.Addr
	conns chan net.Conn
	once  sync.Once
	done  chan struct{}
}

func newHandoff(addr net.Addr) *handoff {
	return &handoff{addr: addr, conns: make(chan net.Conn, 256), done: make(chan struct{})}
}

func (h *handoff) Accept() (net.Conn, error) {
	select {
	case c := <-h.conns:
		return c, nil
	case <-h.done:
		return nil, net.ErrClosed
	}
}

// give passes c to net/http, or closes it once the listener is closed.
func (h *handoff) give(c net.Conn) {
	select {
	case h.conns <- c:
	case <-h.done:
		c.Close()
	}
}

func (h *handoff) Close() error {
	h.once.Do(func() { close(h.done) })
	return nil
}

func (h *handoff) Addr() net.Addr { return h.addr }

// prefixed is a connection handed to net/http with the bytes the lane
// had read from it already, which net/http reads first. Every other
// method is the TCP connection's own: ReadFrom still sends files with
// sendfile, CloseWrite still half-closes.
type prefixed struct {
	*net.TCPConn
	pending []byte
}

func (c *prefixed) Read(b []byte) (int, error) {
	if len(c.pending) > 0 {
		n := copy(b, c.pending)
		c.pending = c.pending[n:]
		return n, nil
	}
	return c.TCPConn.Read(b)
}
