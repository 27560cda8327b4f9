package express

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/chatpic/chatpic/internal/request"
)

// Lane is the express lane on one listener. See the package comment.
type Lane struct {
	o       Options
	ln      net.Listener
	lfd     int // a duplicate of the listener's descriptor
	handoff *handoff
	loops   []*loop

	stopping atomic.Bool
	shut     sync.Once
	shutErr  error
	running  sync.WaitGroup // the loops
	runs     sync.WaitGroup // the requests running in goroutines
}

// New returns a lane that will answer on ln (a TCP listener), once Start
// is called. Serve Listener with net/http (the same handler) for the
// connections the lane hands over.
func New(ln net.Listener, o Options) (*Lane, error) {
	tl, ok := ln.(*net.TCPListener)
	if !ok {
		return nil, ErrUnsupported
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Loops <= 0 {
		o.Loops = runtime.GOMAXPROCS(0)
	}
	if o.HeaderTimeout <= 0 {
		o.HeaderTimeout = 10 * time.Second
	}
	if o.IdleTimeout <= 0 {
		o.IdleTimeout = 2 * time.Minute
	}
	if o.BaseContext == nil {
		o.BaseContext = context.Background
	}
	f, err := tl.File()
	if err != nil {
		return nil, fmt.Errorf("express: %w", err)
	}
	lfd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		return nil, fmt.Errorf("express: %w", err)
	}
	unix.CloseOnExec(lfd)
	if err := unix.SetNonblock(lfd, true); err != nil {
		unix.Close(lfd)
		return nil, fmt.Errorf("express: %w", err)
	}
	l := &Lane{o: o, ln: ln, lfd: lfd, handoff: newHandoff(ln.Addr())}
	for range o.Loops {
		lp, err := l.newLoop()
		if err != nil {
			l.closeLoops()
			unix.Close(lfd)
			return nil, err
		}
		l.loops = append(l.loops, lp)
	}
	return l, nil
}

// Listener is what net/http serves: the connections the lane hands over.
func (l *Lane) Listener() net.Listener { return l.handoff }

// Start starts the event loops, which run until Shutdown.
func (l *Lane) Start() {
	for _, lp := range l.loops {
		l.running.Go(lp.run)
	}
}

// Shutdown stops accepting, closes idle connections, lets the requests
// the lane runs finish and their answers go out, until ctx is done, then
// closes every connection; the ones handed to net/http are its own. It
// closes the listener; Listener is the server's that serves it to close
// (http.Server does, in Shutdown and when Serve returns): closed here, it
// could end Serve with "use of closed network connection" before the
// server knew it was shutting down.
func (l *Lane) Shutdown(ctx context.Context) error {
	l.shut.Do(func() { l.shutErr = l.shutdown(ctx) })
	return l.shutErr
}

func (l *Lane) shutdown(ctx context.Context) error {
	l.stopping.Store(true)
	for _, lp := range l.loops {
		lp.poke()
	}
	done := make(chan struct{})
	go func() { l.running.Wait(); close(done) }()
	var err error
	select {
	case <-done:
	case <-ctx.Done():
		err = ctx.Err()
		for _, lp := range l.loops {
			lp.force.Store(true)
			lp.poke()
		}
		<-done
	}
	// Requests cut short by force still tell their loop they finished:
	// its eventfd must outlive them.
	l.runs.Wait()
	l.closeLoops()
	unix.Close(l.lfd)
	l.ln.Close()
	return err
}

func (l *Lane) closeLoops() {
	for _, lp := range l.loops {
		unix.Close(lp.ep)
		unix.Close(lp.wake)
	}
}

// loop is one event loop: a thread of its own with its epoll set, its
// connections and its buffers.
type loop struct {
	l     *Lane
	ep    int
	wake  int // an eventfd: requests that finished, or Shutdown
	force atomic.Bool

	conns map[int]*conn
	// flights are the answers being made in goroutines, by key, with the
	// connections waiting for them.
	flights map[string][]*conn
	mu      sync.Mutex
	done    []*run   // finished requests, for the loop to send
	calls   []func() // to run in the loop (see do)

	in    []byte
	iov   [3]unix.Iovec
	key   []byte
	h     head
	clock clock
	swept time.Time
	// pausedUntil is when accepting resumes after the system ran out of
	// descriptors (real time; zero while accepting).
	pausedUntil time.Time
}

// conn is a connection the lane answers.
type conn struct {
	fd      int
	peer    string // ip:port, as net/http's RemoteAddr; never logged
	peerIP  []byte
	in, out []byte
	events  uint32 // what the loop waits for on it
	busy    bool   // a request of it runs in a goroutine
	cancel  context.CancelFunc
	// deadline is when it is closed if nothing more arrives.
	deadline time.Time
	handing  bool // to net/http, once out is sent
	closing  bool // once out is sent
	closed   bool
}

// run is a request the lane runs in a goroutine.
type run struct {
	c     *conn
	n     int // bytes of its head in c.in
	key   string
	gen   uint64
	req   *http.Request
	w     *writer
	k     keeper
	abort bool // the handler panicked, or its request could not be read
}

// outLimit is how much may wait to be sent on a connection before the
// lane reads no more requests from it.
const outLimit = 256 << 10

func (l *Lane) newLoop() (*loop, error) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, fmt.Errorf("express: %w", err)
	}
	wake, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		unix.Close(ep)
		return nil, fmt.Errorf("express: %w", err)
	}
	lp := &loop{l: l, ep: ep, wake: wake, conns: map[int]*conn{}, flights: map[string][]*conn{}, in: make([]byte, 32<<10)}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, wake, &unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(wake)}); err != nil {
		return nil, fmt.Errorf("express: %w", err)
	}
	// EPOLLEXCLUSIVE: a new connection wakes one loop, not all.
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, l.lfd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(l.lfd)}); err != nil {
		return nil, fmt.Errorf("express: %w", err)
	}
	return lp, nil
}

func (lp *loop) poke() {
	var one = [8]byte{1}
	unix.Write(lp.wake, one[:])
}

func (lp *loop) run() {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	events := make([]unix.EpollEvent, 128)
	accepting := true
	for {
		if lp.l.stopping.Load() {
			if accepting {
				unix.EpollCtl(lp.ep, unix.EPOLL_CTL_DEL, lp.l.lfd, nil)
				accepting, lp.pausedUntil = false, time.Time{}
			}
			if lp.drain() {
				return
			}
		}
		wait := 1000
		if !lp.pausedUntil.IsZero() {
			wait = 10
			if accepting && time.Now().After(lp.pausedUntil) {
				lp.pausedUntil = time.Time{}
				unix.EpollCtl(lp.ep, unix.EPOLL_CTL_ADD, lp.l.lfd, &unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLEXCLUSIVE, Fd: int32(lp.l.lfd)})
			}
		}
		n, err := unix.EpollWait(lp.ep, events, wait)
		if err != nil && err != unix.EINTR {
			panic(fmt.Sprintf("express: epoll_wait: %v", err))
		}
		now := lp.l.o.Now()
		for _, ev := range events[:max(n, 0)] {
			switch fd := int(ev.Fd); {
			case fd == lp.wake:
				var b [8]byte
				unix.Read(lp.wake, b[:])
				lp.finished(now)
			case fd == lp.l.lfd:
				if accepting {
					lp.accept(now)
				}
			default:
				if c := lp.conns[fd]; c != nil {
					lp.ready(c, ev.Events, now)
				}
			}
		}
		if now.Sub(lp.swept) >= time.Second {
			lp.sweep(now)
		}
	}
}

// drain closes what is idle once the lane stops, and reports whether
// nothing is left (with force, it closes everything).
func (lp *loop) drain() bool {
	for _, c := range lp.conns {
		if lp.force.Load() || (!c.busy && len(c.out) == 0) {
			lp.close(c)
		}
	}
	return len(lp.conns) == 0
}

func (lp *loop) accept(now time.Time) {
	for {
		fd, sa, err := unix.Accept4(lp.l.lfd, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
		switch err {
		case nil:
		case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
			// Out of descriptors or memory: stop taking connections for
			// a moment (as net/http does), instead of spinning on a
			// listener that stays ready.
			unix.EpollCtl(lp.ep, unix.EPOLL_CTL_DEL, lp.l.lfd, nil)
			lp.pausedUntil = time.Now().Add(50 * time.Millisecond)
			return
		default:
			return // EAGAIN: another loop took it, or none is left
		}
		unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1)
		c := &conn{fd: fd, deadline: now.Add(lp.l.o.HeaderTimeout)}
		var ip netip.Addr
		var port int
		switch sa := sa.(type) {
		case *unix.SockaddrInet4:
			ip, port = netip.AddrFrom4(sa.Addr), sa.Port
		case *unix.SockaddrInet6:
			ip, port = netip.AddrFrom16(sa.Addr).Unmap(), sa.Port
		}
		c.peer = netip.AddrPortFrom(ip, uint16(port)).String()
		c.peerIP = []byte(ip.String())
		lp.conns[fd] = c
		lp.watch(c, unix.EPOLLIN|unix.EPOLLRDHUP, unix.EPOLL_CTL_ADD)
	}
}

// watch sets what the loop waits for on c.
func (lp *loop) watch(c *conn, events uint32, op int) {
	if op == unix.EPOLL_CTL_MOD && events == c.events {
		return
	}
	c.events = events
	unix.EpollCtl(lp.ep, op, c.fd, &unix.EpollEvent{Events: events, Fd: int32(c.fd)})
}

// ready handles what epoll says of c.
func (lp *loop) ready(c *conn, ev uint32, now time.Time) {
	if ev&(unix.EPOLLERR|unix.EPOLLHUP) != 0 || ev&unix.EPOLLRDHUP != 0 && (c.busy || c.handing || c.closing) {
		lp.close(c) // gone: what runs for it is cancelled
		return
	}
	if ev&unix.EPOLLOUT != 0 {
		if !lp.flush(c) {
			return
		}
	}
	if ev&(unix.EPOLLIN|unix.EPOLLRDHUP) != 0 && !c.busy && !c.handing {
		n, err := unix.Read(c.fd, lp.in)
		switch {
		case n > 0 && len(c.in) == 0:
			// Mostly a whole request: read in the loop's buffer, and
			// copied only if part of it must wait for more.
			c.deadline = now.Add(lp.l.o.HeaderTimeout)
			c.in = lp.in[:n]
			lp.serve(c, now)
			if !c.closed && len(c.in) > 0 {
				c.in = bytes.Clone(c.in)
			} else {
				c.in = nil
			}
			return
		case n > 0:
			c.in = append(c.in, lp.in[:n]...)
		case err == unix.EAGAIN || err == unix.EINTR:
			return
		default: // the client closed, or the connection broke
			lp.close(c)
			return
		}
	}
	lp.serve(c, now)
}

// serve answers the requests waiting in c.in, in order, while they are
// the lane's and known; the first unknown one runs in a goroutine, and
// the first that is not the lane's takes the connection to net/http.
func (lp *loop) serve(c *conn, now time.Time) {
	for {
		more := lp.answer(c, now)
		if len(c.out) > 0 && !lp.flush(c) {
			return
		}
		// Sent at once: go on with the requests still waiting.
		if !more || c.closed || len(c.out) >= outLimit {
			break
		}
	}
	lp.settle(c)
}

// answer appends to c.out the answers to the requests waiting in c.in
// that are known, until the output is full or a request is not: it
// runs the first unknown one in a goroutine and marks the connection for
// net/http at the first that is not the lane's. It reports whether
// another request may be answered once the output is sent.
func (lp *loop) answer(c *conn, now time.Time) bool {
	for !c.busy && !c.handing && !c.closing && len(c.in) > 0 {
		if len(c.out) >= outLimit {
			return true
		}
		switch parse(c.in, &lp.h) {
		case needMore:
			if len(c.in) >= MaxHead {
				c.handing = true
			}
			return false
		case notMine:
			c.handing = true
			return false
		}
		h := &lp.h
		lp.key = fingerprint(lp.key[:0], h, c.peerIP)
		if e := lp.l.o.Store.get(lp.key, now); e != nil {
			if !lp.send(c, e.head, lp.clock.date(now), e.tail) {
				return false
			}
			lp.consume(c, h.n, now)
			lp.logHit(e, now)
			continue
		}
		if lp.l.o.Runs == nil || !lp.l.o.Runs(h.path) {
			c.handing = true
			return false
		}
		// One run per answer at a time: when a page's time runs out
		// under load, hundreds of connections ask for it at once; they
		// wait for the first, and are answered from what it keeps.
		if waiting, ok := lp.flights[string(lp.key)]; ok {
			lp.flights[string(lp.key)] = append(waiting, c)
			c.busy = true
			return false
		}
		key := string(lp.key)
		lp.flights[key] = nil
		lp.start(c, h.n, key)
	}
	return false
}

// send writes an answer in three parts: straight to the socket when
// nothing waits before it, in one writev and without copying, else (and
// whatever the socket does not take) after what waits in c.out. It
// reports whether c is still open.
func (lp *loop) send(c *conn, parts ...[]byte) bool {
	if len(c.out) == 0 {
		n, err := lp.writev(c.fd, parts)
		if err != nil && err != unix.EAGAIN && err != unix.EINTR {
			lp.close(c)
			return false
		}
		for _, p := range parts {
			k := min(max(n, 0), len(p))
			n -= k
			p = p[k:]
			c.out = append(c.out, p...)
		}
		return true
	}
	for _, p := range parts {
		c.out = append(c.out, p...)
	}
	return true
}

// writev writes parts (at most len(lp.iov)) with one system call.
func (lp *loop) writev(fd int, parts [][]byte) (int, error) {
	iov := lp.iov[:0]
	for _, p := range parts {
		if len(p) > 0 {
			v := unix.Iovec{Base: &p[0]}
			v.SetLen(len(p))
			iov = append(iov, v)
		}
	}
	n, _, errno := unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)))
	if errno != 0 {
		return -1, errno
	}
	return int(n), nil
}

// consume drops a request of n bytes answered from c.in.
func (lp *loop) consume(c *conn, n int, now time.Time) {
	c.in = c.in[:copy(c.in, c.in[n:])]
	if len(c.in) == 0 {
		c.deadline = now.Add(lp.l.o.IdleTimeout)
	}
}

// flush sends what waits in c.out, and reports whether c is still open.
func (lp *loop) flush(c *conn) bool {
	for len(c.out) > 0 {
		n, err := unix.Write(c.fd, c.out)
		if n > 0 {
			c.out = c.out[:copy(c.out, c.out[n:])]
			continue
		}
		if err == unix.EAGAIN || err == unix.EINTR {
			lp.settle(c)
			return true
		}
		lp.close(c)
		return false
	}
	c.out = nil // an idle connection holds no buffer
	lp.settle(c)
	return !c.closed
}

// settle acts on c's state once its output is sent: hands it over or
// closes it when that is due, and waits for what it needs next.
func (lp *loop) settle(c *conn) {
	if c.closed {
		return
	}
	if len(c.out) == 0 && !c.busy {
		switch {
		case c.closing:
			lp.close(c)
			return
		case c.handing:
			lp.give(c)
			return
		}
	}
	var ev uint32 = unix.EPOLLRDHUP
	if !c.busy && !c.handing && !c.closing && len(c.out) < outLimit {
		ev |= unix.EPOLLIN
	}
	if len(c.out) > 0 {
		ev |= unix.EPOLLOUT
	}
	lp.watch(c, ev, unix.EPOLL_CTL_MOD)
}

// give hands c to net/http with what was read of it.
func (lp *loop) give(c *conn) {
	unix.EpollCtl(lp.ep, unix.EPOLL_CTL_DEL, c.fd, nil)
	delete(lp.conns, c.fd)
	c.closed = true
	f := os.NewFile(uintptr(c.fd), "")
	nc, err := net.FileConn(f) // a duplicate of the descriptor
	f.Close()
	if err != nil {
		return
	}
	tc, ok := nc.(*net.TCPConn)
	if !ok {
		nc.Close()
		return
	}
	lp.l.handoff.give(&prefixed{TCPConn: tc, pending: bytes.Clone(c.in)})
}

func (lp *loop) close(c *conn) {
	if c.closed {
		return
	}
	c.closed = true
	if c.cancel != nil {
		c.cancel()
	}
	delete(lp.conns, c.fd)
	unix.Close(c.fd) // leaves the epoll set with it
}

// sweep closes connections past their deadline: a head that takes too
// long to arrive, or an idle connection.
func (lp *loop) sweep(now time.Time) {
	lp.swept = now
	if lp == lp.l.loops[0] {
		lp.l.o.Store.prune(now)
	}
	for _, c := range lp.conns {
		if !c.busy && now.After(c.deadline) {
			lp.close(c)
		}
	}
}

// start runs the request of n bytes at the start of c.in in a goroutine,
// with the handler and its middleware, as net/http would.
func (lp *loop) start(c *conn, n int, key string) {
	c.busy = true
	ctx, cancel := context.WithCancel(lp.l.o.BaseContext())
	c.cancel = cancel
	r := &run{c: c, n: n, key: key, gen: lp.l.o.Store.generation(), w: &writer{header: http.Header{}}}
	raw := bytes.Clone(c.in[:n])
	peer := c.peer
	lp.l.runs.Go(func() {
		defer func() {
			if v := recover(); v != nil {
				r.abort = true
				if v != http.ErrAbortHandler && lp.l.o.Log != nil {
					lp.l.o.Log.Error("express: handler panicked", "err", fmt.Sprint(v))
				}
			}
			cancel()
			lp.mu.Lock()
			lp.done = append(lp.done, r)
			lp.mu.Unlock()
			lp.poke()
		}()
		req, err := http.ReadRequest(bufio.NewReader(bytes.NewReader(raw)))
		if err != nil {
			r.w.tooMuch = true // net/http's to answer
			return
		}
		req.RemoteAddr = peer
		r.req = req.WithContext(withKeeper(ctx, &r.k))
		lp.l.o.Handler.ServeHTTP(r.w, r.req)
	})
}

// do runs f in the loop's thread and returns once it has run (for
// tests that look at a loop's connections).
func (lp *loop) do(f func()) {
	ran := make(chan struct{})
	lp.mu.Lock()
	lp.calls = append(lp.calls, func() { f(); close(ran) })
	lp.mu.Unlock()
	lp.poke()
	<-ran
}

// finished sends the answers of the requests that finished.
func (lp *loop) finished(now time.Time) {
	lp.mu.Lock()
	done, calls := lp.done, lp.calls
	lp.done, lp.calls = nil, nil
	lp.mu.Unlock()
	for _, f := range calls {
		f()
	}
	for _, r := range done {
		lp.land(r, now)
		// The connections that waited for it: most find it kept now.
		waiting := lp.flights[r.key]
		delete(lp.flights, r.key)
		for _, c := range waiting {
			c.busy = false
			if !c.closed {
				lp.serve(c, now)
			}
		}
	}
}

// land sends the answer of a request that ran, or hands its connection
// to net/http, and keeps the answer if its handler said so.
func (lp *loop) land(r *run, now time.Time) {
	c := r.c
	c.busy, c.cancel = false, nil
	if c.closed {
		return
	}
	switch {
	case r.abort:
		lp.close(c)
		return
	case r.w.tooMuch || r.k.pass:
		c.handing = true // net/http runs it again
		lp.settle(c)
		return
	}
	head, tail, closing := r.w.response()
	c.out = append(c.out, head...)
	c.out = append(c.out, lp.clock.date(now)...)
	c.out = append(c.out, tail...)
	lp.consume(c, r.n, now)
	c.closing = closing
	if st := r.w.status; r.k.ok && !closing && (st == 0 || st == http.StatusOK || st == http.StatusNotModified) {
		lp.l.o.Store.put(&entry{key: r.key, head: head, tail: tail, until: r.k.until, tags: r.k.tags,
			status: max(st, http.StatusOK), bytes: r.w.body.Len(), logPath: request.LogPath(r.req), route: r.req.Pattern}, r.gen)
	}
	lp.serve(c, now)
}

// logHit logs a request answered from the store, as the middleware logs
// the others; the took is the lane's, from epoll's wake-up.
func (lp *loop) logHit(e *entry, start time.Time) {
	took := lp.l.o.Now().Sub(start)
	if lp.l.o.Log != nil {
		lp.l.o.Log.LogAttrs(context.Background(), slog.LevelInfo, "request",
			slog.String("method", http.MethodGet),
			slog.String("path", e.logPath),
			slog.Int("status", e.status),
			slog.Int64("bytes", int64(e.bytes)),
			slog.Duration("took", took))
	}
	if lp.l.o.Meter != nil {
		lp.l.o.Meter(e.route, e.status, took)
	}
}
