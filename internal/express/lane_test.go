//go:build linux

package express

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// fakeClock is a clock the test moves.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// testSite is a handler with routes of every kind the lane meets, which
// counts how often each runs.
type testSite struct {
	clock *fakeClock
	runs  sync.Map // path → *atomic.Int64
	// release holds /slow until it is closed; started is closed when
	// /slow begins (it runs once per site).
	release chan struct{}
	started chan struct{}
	// gate is closed when /gate first runs; /gate too waits for release.
	gate     chan struct{}
	gateOnce sync.Once
}

func (s *testSite) count(path string) int64 {
	v, _ := s.runs.LoadOrStore(path, new(atomic.Int64))
	return v.(*atomic.Int64).Load()
}

func (s *testSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	v, _ := s.runs.LoadOrStore(r.URL.Path, new(atomic.Int64))
	v.(*atomic.Int64).Add(1)
	h := w.Header()
	h.Set("Content-Type", "text/plain; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	switch r.URL.Path {
	case "/kept":
		// Answers in the language asked for, with a 304 for its ETag.
		lang := r.Header.Get("Accept-Language")
		etag := `"` + lang + `v1"`
		Keep(r, s.clock.Now().Add(time.Minute), "tag")
		h.Set("ETag", etag)
		h.Set("Vary", "Accept-Language")
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		fmt.Fprintf(w, "kept %s %s\n", lang, r.URL.RawQuery)
	case "/plain":
		fmt.Fprintf(w, "plain from %s\n", r.Method)
	case "/large":
		Keep(r, s.clock.Now().Add(time.Minute))
		w.Write(bytes.Repeat([]byte("L"), 64<<10))
	case "/big":
		Keep(r, s.clock.Now().Add(time.Minute))
		w.Write(bytes.Repeat([]byte("B"), MaxEntry+1))
	case "/stream":
		w.Write([]byte("first\n"))
		w.(http.Flusher).Flush()
		w.Write([]byte("second\n"))
	case "/pass":
		if Pass(r) {
			return // net/http's
		}
		w.Write(bytes.Repeat([]byte("P"), 2*MaxEntry))
	case "/panic":
		panic("on purpose")
	case "/missing":
		Keep(r, s.clock.Now().Add(time.Minute))
		http.NotFound(w, r)
	case "/slow":
		Keep(r, s.clock.Now().Add(time.Minute))
		close(s.started)
		<-s.release
		w.Write([]byte("slow\n"))
	case "/gate":
		Keep(r, s.clock.Now().Add(time.Minute))
		s.gateOnce.Do(func() { close(s.gate) })
		<-s.release
		w.Write([]byte("gate\n"))
	case "/echo":
		b, _ := io.ReadAll(r.Body)
		fmt.Fprintf(w, "%s %s %s", r.Method, r.Proto, b)
	default:
		http.NotFound(w, r)
	}
}

// laneRoutes are the paths the tests' lane runs itself.
func laneRoutes(p []byte) bool {
	switch string(p) {
	case "/kept", "/plain", "/large", "/big", "/stream", "/panic", "/missing", "/slow", "/pass", "/gate":
		return true
	}
	return false
}

type testLane struct {
	addr  string
	lane  *Lane
	store *Store
	site  *testSite
	clock *fakeClock
	logs  *bytes.Buffer
	logMu *sync.Mutex
	stop  func()
}

type lockedWriter struct {
	mu *sync.Mutex
	b  *bytes.Buffer
}

func (w lockedWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.b.Write(p)
}

func startLane(t *testing.T) *testLane {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	clock := &fakeClock{t: time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)}
	site := &testSite{clock: clock, release: make(chan struct{}), started: make(chan struct{}), gate: make(chan struct{})}
	tl := &testLane{addr: ln.Addr().String(), site: site, clock: clock, store: NewStore(8<<20, clock.Now),
		logs: &bytes.Buffer{}, logMu: &sync.Mutex{}}
	lane, err := New(ln, Options{Handler: site, Store: tl.store, Runs: laneRoutes, Now: clock.Now, Loops: 2,
		Log: slog.New(slog.NewTextHandler(lockedWriter{tl.logMu, tl.logs}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetUnencryptedHTTP2(true)
	srv := &http.Server{Handler: site, Protocols: &protocols}
	tl.lane = lane
	lane.Start()
	go srv.Serve(lane.Listener())
	tl.stop = func() {
		srv.Close()
		lane.Shutdown(context.Background())
	}
	t.Cleanup(tl.stop)
	return tl
}

func (tl *testLane) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", tl.addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	c.SetDeadline(time.Now().Add(10 * time.Second))
	return c
}

// answer is a response as a client reads it.
type answer struct {
	status int
	header http.Header
	body   string
}

// String is the status, the headers and the start of the body, for
// failure messages.
func (a answer) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d\n", a.status)
	a.header.Write(&b)
	body := a.body
	if len(body) > 80 {
		body = body[:80] + fmt.Sprintf("... (%d bytes)", len(a.body))
	}
	b.WriteString(body)
	return b.String()
}

// exchange sends raw on c and reads n answers.
func exchange(t *testing.T, c net.Conn, br *bufio.Reader, raw string, n int) []answer {
	t.Helper()
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatal(err)
	}
	var out []answer
	for range n {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("read answer %d: %v", len(out)+1, err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatalf("read answer %d: %v", len(out)+1, err)
		}
		out = append(out, answer{res.StatusCode, res.Header, string(b)})
	}
	return out
}

func has(a answer, status int, body string) bool {
	return a.status == status && strings.Contains(a.body, body)
}

func get(path string, headers ...string) string {
	return "GET " + path + " HTTP/1.1\r\nHost: example.org\r\n" + strings.Join(headers, "") + "\r\n"
}

func TestLaneKeepsAndReplays(t *testing.T) {
	tl := startLane(t)
	c := tl.dial(t)
	br := bufio.NewReader(c)

	first := exchange(t, c, br, get("/kept?x=1", "Accept-Language: de\r\n"), 1)[0]
	again := exchange(t, c, br, get("/kept?x=1", "Accept-Language: de\r\nUser-Agent: another\r\n"), 1)[0]
	if n := tl.site.count("/kept"); n != 1 {
		t.Fatalf("the handler ran %d times for the same request, want once", n)
	}
	if first.String() != again.String() || !has(again, 200, "kept de x=1") || first.header.Get("Date") == "" {
		t.Fatalf("the answer sent again differs:\n%s\n---\n%s", first, again)
	}
	// What can change the answer makes another: language, query, ETag.
	other := exchange(t, c, br, get("/kept?x=1", "Accept-Language: fr\r\n")+get("/kept?x=2", "Accept-Language: de\r\n")+
		get("/kept?x=1", "Accept-Language: de\r\nIf-None-Match: \"dev1\"\r\n"), 3)
	if !has(other[0], 200, "kept fr x=1") || !has(other[1], 200, "kept de x=2") || other[2].status != http.StatusNotModified {
		t.Fatalf("answers:\n%v", other)
	}
	if n := tl.site.count("/kept"); n != 4 {
		t.Fatalf("the handler ran %d times, want 4", n)
	}
	exchange(t, c, br, get("/kept?x=1", "Accept-Language: de\r\nIf-None-Match: \"dev1\"\r\n"), 1)
	if n := tl.site.count("/kept"); n != 4 {
		t.Fatalf("a 304 was not sent again from memory: the handler ran %d times", n)
	}

	// Dropping its tag, or its time passing, makes the next request run
	// the handler again.
	tl.store.Drop("tag")
	exchange(t, c, br, get("/kept?x=1", "Accept-Language: de\r\n"), 1)
	if n := tl.site.count("/kept"); n != 5 {
		t.Fatalf("after Drop the handler ran %d times in all, want 5", n)
	}
	tl.clock.add(time.Minute)
	tl.poke()
	tl.waitUntil(t, "the loops sweep", func(*conn) bool { n, _ := tl.store.Len(); return n == 0 })
	exchange(t, c, br, get("/kept?x=1", "Accept-Language: de\r\n"), 1)
	if n := tl.site.count("/kept"); n != 6 {
		t.Fatalf("after its time the handler ran %d times in all, want 6", n)
	}
	// An answer that is not kept runs every time; an error is never kept.
	exchange(t, c, br, get("/plain", "")+get("/plain", "")+get("/missing", "")+get("/missing", ""), 4)
	if a, b := tl.site.count("/plain"), tl.site.count("/missing"); a != 2 || b != 2 {
		t.Fatalf("the handlers ran %d and %d times, want 2 and 2", a, b)
	}
	// Every request answered from memory is logged, by its path only.
	tl.logMu.Lock()
	logs := tl.logs.String()
	tl.logMu.Unlock()
	if got := strings.Count(logs, "path=/kept "); got != 2 || strings.Contains(logs, "x=1") || strings.Contains(logs, "127.0.0.1") {
		t.Errorf("the lane's log lines:\n%s", logs)
	}
}

// TestLaneAnswersAsNetHTTP compares the lane's answers, first made and
// sent again, with what net/http sends for the same handler.
func TestLaneAnswersAsNetHTTP(t *testing.T) {
	tl := startLane(t)
	ref := httptest.NewServer(&testSite{clock: tl.clock})
	defer ref.Close()
	rc, err := net.Dial("tcp", ref.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	rbr := bufio.NewReader(rc)
	c := tl.dial(t)
	br := bufio.NewReader(c)
	for _, req := range []string{
		get("/kept", "Accept-Language: es\r\n"),
		get("/kept", "Accept-Language: es\r\n"),
		get("/kept", "If-None-Match: \"v1\"\r\n"),
		get("/plain", ""),
		get("/large", ""),
		get("/large", ""),
		get("/missing", ""),
	} {
		want := exchange(t, rc, rbr, req, 1)[0]
		got := exchange(t, c, br, req, 1)[0]
		if got.header.Get("Date") == "" {
			t.Errorf("%q: no Date", req)
		}
		// The lane always says the length; net/http chunks a long
		// answer it was not told the length of.
		if cl := got.header.Get("Content-Length"); got.status == 200 && cl != strconv.Itoa(len(got.body)) {
			t.Errorf("%q: Content-Length %q for %d bytes", req, cl, len(got.body))
		}
		for _, a := range []answer{got, want} {
			a.header.Del("Date")
			a.header.Del("Content-Length")
		}
		if got.String() != want.String() || got.body != want.body {
			t.Errorf("%q:\nthe lane sent\n%s\nnet/http sends\n%s", req, got, want)
		}
	}
}

// TestLaneHandsOver checks what the lane leaves to net/http: a request
// that is not its own takes the connection there with what was read of
// it, and the connection goes on; answers too large, or streamed, are
// made again by net/http; HTTP/2 without TLS is net/http's.
func TestLaneHandsOver(t *testing.T) {
	tl := startLane(t)

	t.Run("a body after answers from the lane", func(t *testing.T) {
		c := tl.dial(t)
		br := bufio.NewReader(c)
		got := exchange(t, c, br, get("/kept", "")+"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"+get("/kept", ""), 3)
		if !has(got[0], 200, "kept") || !has(got[1], 200, "POST HTTP/1.1 hello") || !has(got[2], 200, "kept") {
			t.Fatalf("answers:\n%v", got)
		}
	})
	t.Run("a route the lane does not run", func(t *testing.T) {
		c := tl.dial(t)
		got := exchange(t, c, bufio.NewReader(c), get("/echo", ""), 1)[0]
		if !has(got, 200, "GET HTTP/1.1") {
			t.Fatal(got)
		}
	})
	// An answer too large to hold, and one its handler passes before
	// writing: net/http makes each again, and the connection goes on.
	for _, tt := range []struct {
		path string
		size int
		fill string
	}{{"/big", MaxEntry + 1, "B"}, {"/pass", 2 * MaxEntry, "P"}} {
		t.Run(tt.path, func(t *testing.T) {
			c := tl.dial(t)
			got := exchange(t, c, bufio.NewReader(c), get(tt.path, "")+get("/kept", ""), 2)
			if !has(got[0], 200, tt.fill) || len(got[0].body) != tt.size || !has(got[1], 200, "kept") {
				t.Fatalf("answers:\n%v", got)
			}
			if n := tl.site.count(tt.path); n != 2 {
				t.Errorf("ran %d times: once in the lane, once more by net/http", n)
			}
		})
	}
	t.Run("a stream", func(t *testing.T) {
		c := tl.dial(t)
		got := exchange(t, c, bufio.NewReader(c), get("/stream", ""), 1)[0]
		if !has(got, 200, "first\nsecond\n") {
			t.Fatal(got)
		}
	})
	t.Run("HTTP/2 with prior knowledge", func(t *testing.T) {
		var protocols http.Protocols
		protocols.SetUnencryptedHTTP2(true)
		client := &http.Client{Transport: &http.Transport{Protocols: &protocols, TLSClientConfig: &tls.Config{}}}
		res, err := client.Get("http://" + tl.addr + "/kept")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		if res.ProtoMajor != 2 || !strings.HasPrefix(string(b), "kept") {
			t.Fatalf("%s: %q", res.Proto, b)
		}
	})
	t.Run("a header of its own", func(t *testing.T) {
		before := tl.site.count("/kept")
		c := tl.dial(t)
		got := exchange(t, c, bufio.NewReader(c), get("/kept", "Cookie: session=1\r\n"), 1)[0]
		if !has(got, 200, "kept") || tl.site.count("/kept") != before+1 {
			t.Fatalf("a request with a cookie was answered from memory: %s", got)
		}
	})
}

// TestLaneWritesWhatTheClientReads pipelines more answers than the
// socket holds, before reading any: the lane waits for the client to
// read, and every answer arrives whole and in order.
func TestLaneWritesWhatTheClientReads(t *testing.T) {
	tl := startLane(t)
	c := tl.dial(t)
	br := bufio.NewReader(c)
	const n = 200 // 200 × 64 KB: far more than the socket buffers
	go io.WriteString(c, strings.Repeat(get("/large", ""), n))
	for i := range n {
		res, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("answer %d: %v", i+1, err)
		}
		b, _ := io.ReadAll(res.Body)
		if len(b) != 64<<10 || b[0] != 'L' {
			t.Fatalf("answer %d: %d bytes", i+1, len(b))
		}
	}
	if got := tl.site.count("/large"); got != 1 {
		t.Errorf("the handler ran %d times", got)
	}
}

// TestLaneSurvivesAPanic: a handler that panics costs its connection
// only.
func TestLaneSurvivesAPanic(t *testing.T) {
	tl := startLane(t)
	c := tl.dial(t)
	io.WriteString(c, get("/panic", ""))
	if _, err := http.ReadResponse(bufio.NewReader(c), nil); err == nil {
		t.Fatal("a panicking handler's request was answered")
	}
	c2 := tl.dial(t)
	if got := exchange(t, c2, bufio.NewReader(c2), get("/plain", ""), 1)[0]; !has(got, 200, "plain") {
		t.Fatal(got)
	}
}

// TestLaneClosesIdleConnections: a head that does not arrive in time, or
// a connection idle too long, is closed; the clock is the test's.
func TestLaneClosesIdleConnections(t *testing.T) {
	tl := startLane(t)
	slow := tl.dial(t)
	io.WriteString(slow, "GET /plain HTTP/1.1\r\n") // and no more
	idle := tl.dial(t)
	exchange(t, idle, bufio.NewReader(idle), get("/plain", ""), 1)
	tl.waitUntil(t, "the slow head is read", func(c *conn) bool { return len(c.in) > 0 })

	tl.clock.add(11 * time.Second) // past the header timeout, not the idle one
	tl.poke()
	expectClosed(t, slow)
	exchange(t, idle, bufio.NewReader(idle), get("/plain", ""), 1) // still open

	tl.clock.add(3 * time.Minute)
	tl.poke()
	expectClosed(t, idle)
}

func (tl *testLane) poke() {
	for _, lp := range tl.lane.loops {
		lp.poke()
	}
}

// waitUntil asks the loops, each in its own thread, until one holds a
// connection for which ok is true.
func (tl *testLane) waitUntil(t *testing.T, what string, ok func(*conn) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		for _, lp := range tl.lane.loops {
			found := false
			lp.do(func() {
				for _, c := range lp.conns {
					found = found || ok(c)
				}
			})
			if found {
				return
			}
		}
	}
	t.Fatalf("waiting until %s: it did not happen", what)
}

func expectClosed(t *testing.T, c net.Conn) {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	b := make([]byte, 1)
	if _, err := c.Read(b); err != io.EOF {
		t.Fatalf("read %v: the connection is still open", err)
	}
}

// TestLaneShutdown lets a request running in the lane finish and its
// answer go out, and accepts no more connections.
func TestLaneShutdown(t *testing.T) {
	tl := startLane(t)
	c := tl.dial(t)
	io.WriteString(c, get("/slow", ""))
	<-tl.site.started
	stopped := make(chan struct{})
	go func() { tl.lane.Shutdown(context.Background()); close(stopped) }()
	close(tl.site.release)
	res, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatalf("the request under way was not answered: %v", err)
	}
	b, _ := io.ReadAll(res.Body)
	if string(b) != "slow\n" {
		t.Fatalf("%q", b)
	}
	<-stopped
	if c, err := net.DialTimeout("tcp", tl.addr, time.Second); err == nil {
		c.Close()
		t.Fatal("a connection was accepted after Shutdown")
	}
	// A drop while it ran kept it from being kept.
}

// TestLaneKeepsNothingDroppedMeanwhile: an answer made while something
// was dropped may show what was dropped, and is not kept.
func TestLaneKeepsNothingDroppedMeanwhile(t *testing.T) {
	tl := startLane(t)
	c := tl.dial(t)
	br := bufio.NewReader(c)
	io.WriteString(c, get("/slow", ""))
	<-tl.site.started
	tl.store.Drop("anything")
	close(tl.site.release)
	if _, err := http.ReadResponse(br, nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := tl.store.Len(); n != 0 {
		t.Fatalf("%d answers kept", n)
	}
}

// TestOutsideTheLane: for a request net/http serves, Keep does nothing
// and Pass leaves the answer to the handler.
func TestOutsideTheLane(t *testing.T) {
	r := httptest.NewRequest("GET", "/kept", nil)
	Keep(r, time.Now().Add(time.Hour), "tag")
	if Pass(r) {
		t.Fatal("Pass says a request the lane did not run is passed to net/http")
	}
	if keeperOf(r) != nil {
		t.Fatal("a request the lane did not run records what Keep says")
	}
}

// BenchmarkKeptAnswer times one request and its kept answer (a 15 KB
// thumbnail-sized body) on a kept connection: sent again by the lane,
// and by net/http running a handler that writes the same bytes, side by
// side. The client is the same for both.
func BenchmarkKeptAnswer(b *testing.B) {
	body := bytes.Repeat([]byte("t"), 15<<10)
	clock := &fakeClock{t: time.Now()}
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		Keep(r, clock.Now().Add(time.Hour))
		w.Header().Set("Content-Type", "image/jpeg")
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Write(body)
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	lane, err := New(ln, Options{Handler: h, Store: NewStore(8<<20, clock.Now), Runs: func([]byte) bool { return true }, Now: clock.Now})
	if err != nil {
		b.Fatal(err)
	}
	lane.Start()
	defer lane.Shutdown(context.Background())
	ref := httptest.NewServer(h)
	defer ref.Close()
	req := []byte(get("/t/x.jpg", "User-Agent: bench\r\n"))
	// ask sends requests on one connection, one at a time, until more
	// says stop.
	ask := func(b *testing.B, addr string, more func() bool) {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Error(err)
			return
		}
		defer c.Close()
		br := bufio.NewReaderSize(c, 32<<10)
		for more() {
			if _, err := c.Write(req); err != nil {
				b.Error(err)
				return
			}
			res, err := http.ReadResponse(br, nil)
			if err != nil {
				b.Error(err)
				return
			}
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
		}
	}
	for _, side := range []struct{ name, addr string }{{"lane", ln.Addr().String()}, {"net_http", ref.Listener.Addr().String()}} {
		// One connection: the latency of a request and its answer, which
		// for the lane includes waking its loop's thread.
		b.Run(side.name+"/1conn", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			ask(b, side.addr, b.Loop)
		})
		// 50 connections at once, as the wrk runs: throughput.
		b.Run(side.name+"/50conns", func(b *testing.B) {
			b.SetBytes(int64(len(body)))
			b.SetParallelism(25)
			b.RunParallel(func(pb *testing.PB) { ask(b, side.addr, pb.Next) })
		})
	}
}

// TestKeptAnswerAllocatesNothing: a request answered from the store is
// parsed, looked up, written and logged without an allocation.
func TestKeptAnswerAllocatesNothing(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own account; this runs without it")
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	now := time.Date(2026, 12, 4, 12, 0, 0, 0, time.UTC)
	store := NewStore(1<<20, func() time.Time { return now })
	lp := &loop{l: &Lane{o: Options{Store: store, Now: func() time.Time { return now },
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Meter: func(string, int, time.Duration) {}}}}
	req := []byte(get("/t/x.jpg", "Accept-Encoding: gzip\r\nUser-Agent: test\r\n"))
	var h head
	if parse(req, &h) != mine {
		t.Fatal("not the lane's")
	}
	w := &writer{header: http.Header{"Content-Type": {"image/jpeg"}}}
	w.Write(bytes.Repeat([]byte("t"), 15<<10))
	head, tail, _ := w.response()
	key := string(fingerprint(nil, &h, nil))
	if !store.put(&entry{key: key, head: head, tail: tail, until: now.Add(time.Hour), status: 200, bytes: 15 << 10, logPath: "/t/x.jpg"}, store.generation()) {
		t.Fatal("not kept")
	}
	c := &conn{fd: fds[0]}
	in := make([]byte, 0, 1024)
	sink := make([]byte, 64<<10)
	allocs := testing.AllocsPerRun(200, func() {
		c.in = append(in[:0], req...)
		lp.answer(c, now)
		if len(c.in) != 0 || len(c.out) != 0 || c.closed {
			t.Fatalf("not answered at once: %d bytes left, %d waiting", len(c.in), len(c.out))
		}
		want := len(head) + len("Date: Fri, 04 Dec 2026 12:00:00 GMT\r\n") + len(tail)
		for got := 0; got < want; {
			n, err := unix.Read(fds[1], sink)
			if err != nil {
				t.Fatal(err)
			}
			got += n
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per kept answer", allocs)
	}
}
