// Command edge attacks a chatpic server from one address and measures, from
// another, whether the site still answers (bench/edge.sh runs it):
//
//	phase 1: N slow upload bodies from 127.0.0.1, each announcing 20 MB and
//	         then trickling a byte a second;
//	phase 2: M idle live-update streams from 127.0.0.1, never read;
//
// while a second client, from 127.0.0.2, asks for /healthz and a channel
// page and uploads a small picture, every 200 ms. It prints, per phase, how
// the attack went (admitted, refused, failed to connect) and the measuring
// client's answers: how many, which statuses, p50/p99/max latency. It
// asserts nothing.
//
//	edge -url http://127.0.0.1:8080 -uploads 12000 -streams 25000 -phase 40s
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"io"
	"mime/multipart"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

func main() {
	base := flag.String("url", "", "the server, e.g. http://127.0.0.1:8080")
	uploads := flag.Int("uploads", 12000, "slow upload bodies to open")
	streams := flag.Int("streams", 25000, "idle streams to open")
	phase := flag.Duration("phase", 40*time.Second, "how long each phase lasts")
	parallel := flag.Int("parallel", 2000, "connections the attacker opens at once")
	flag.Parse()
	u, err := url.Parse(*base)
	if err != nil || *base == "" {
		fmt.Fprintln(os.Stderr, "edge: -url is required")
		os.Exit(2)
	}
	fmt.Printf("attacker 127.0.0.1, measuring client 127.0.0.2, against %s; %v per phase\n", u.Host, *phase)
	run("phase 1: slow upload bodies", u, *phase, *uploads, *parallel, slowUpload)
	run("phase 2: idle live streams", u, *phase, *streams, *parallel, idleStream)
}

// attack is one attacking connection: it returns "admitted" if the server
// took it and kept it until ctx ended, "refused NNN" if it answered at
// once, or "connect failed"/"dropped".
type attack func(ctx context.Context, conn net.Conn, host string) string

func run(name string, u *url.URL, d time.Duration, n, parallel int, a attack) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var mu sync.Mutex
	outcomes := map[string]int{}
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallel)
	started := time.Now()
	var launched atomic.Int64
	wg.Go(func() {
		var inner sync.WaitGroup
		defer inner.Wait()
		for range n {
			select {
			case sem <- struct{}{}:
			case <-ctx.Done():
				return
			}
			launched.Add(1)
			inner.Go(func() {
				defer func() { <-sem }()
				out := dialAndRun(ctx, u.Host, "127.0.0.1", a)
				mu.Lock()
				outcomes[out]++
				mu.Unlock()
			})
		}
	})
	lat := measure(ctx, u)
	wg.Wait()
	fmt.Printf("\n%s, %d attacking connections in %v\n", name, launched.Load(), time.Since(started).Round(time.Second))
	keys := slices.Sorted(func(yield func(string) bool) {
		for k := range outcomes {
			if !yield(k) {
				return
			}
		}
	})
	for _, k := range keys {
		fmt.Printf("  attacker: %-24s %d\n", k, outcomes[k])
	}
	lat.print()
}

func dialAndRun(ctx context.Context, host, from string, a attack) string {
	d := net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP(from)}, Timeout: 10 * time.Second}
	conn, err := d.DialContext(ctx, "tcp", host)
	if err != nil {
		if ctx.Err() != nil {
			return "not started (phase over)"
		}
		return "connect failed"
	}
	defer conn.Close()
	return a(ctx, conn, host)
}

// slowUpload announces a 20 MB upload, sends its first bytes, then a byte
// a second, and reads whatever the server answers.
func slowUpload(ctx context.Context, conn net.Conn, host string) string {
	const boundary = "edgeBOUNDARY"
	fmt.Fprintf(conn, "POST /api/v1/channels/random/posts HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: multipart/form-data; boundary=%s\r\nContent-Length: %d\r\n\r\n"+
		"--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"x\"\r\n\r\n\xff\xd8",
		host, boundary, 20<<20, boundary)
	return hold(ctx, conn, func() { conn.Write([]byte{0}) })
}

// idleStream opens a live stream and never reads it.
func idleStream(ctx context.Context, conn net.Conn, host string) string {
	fmt.Fprintf(conn, "GET /api/v1/channels/random/events HTTP/1.1\r\nHost: %s\r\n\r\n", host)
	// Peek at the status line only, then stop reading.
	conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	line, err := bufio.NewReaderSize(conn, 64).ReadString('\n')
	if err != nil {
		if ctx.Err() != nil {
			return "admitted"
		}
		return "no answer"
	}
	if !strings.Contains(line, " 200 ") {
		return "refused " + strings.Fields(line)[1]
	}
	<-ctx.Done()
	return "admitted"
}

// hold keeps an upload connection until the phase ends, calling tick every
// second, and reports how the server answered, if it did.
func hold(ctx context.Context, conn net.Conn, tick func()) string {
	answer := make(chan string, 1)
	go func() {
		res, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			answer <- "dropped"
			return
		}
		res.Body.Close()
		answer <- "refused " + fmt.Sprint(res.StatusCode)
	}()
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for {
		select {
		case a := <-answer:
			return a
		case <-ctx.Done():
			return "admitted"
		case <-t.C:
			tick()
		}
	}
}

// latencies are the measuring client's answers.
type latencies struct {
	mu    sync.Mutex
	times map[string][]time.Duration
	codes map[string]map[int]int
	fails map[string]int
}

// measure asks for /healthz and /c/random and uploads a small picture,
// every 200 ms, from 127.0.0.2, until ctx ends.
func measure(ctx context.Context, u *url.URL) *latencies {
	l := &latencies{times: map[string][]time.Duration{}, codes: map[string]map[int]int{}, fails: map[string]int{}}
	tr := &http.Transport{
		DialContext:         (&net.Dialer{LocalAddr: &net.TCPAddr{IP: net.ParseIP("127.0.0.2")}}).DialContext,
		MaxIdleConnsPerHost: 4,
	}
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	pic := smallJPEG()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	var wg sync.WaitGroup
	for {
		select {
		case <-ctx.Done():
			wg.Wait()
			return l
		case <-tick.C:
		}
		for _, what := range []string{"healthz", "channel page", "small upload"} {
			wg.Go(func() {
				t0 := time.Now()
				var res *http.Response
				var err error
				switch what {
				case "healthz":
					res, err = client.Get(u.String() + "/healthz")
				case "channel page":
					res, err = client.Get(u.String() + "/c/random")
				default:
					var body bytes.Buffer
					mw := multipart.NewWriter(&body)
					fw, _ := mw.CreateFormFile("file", "upload")
					fw.Write(pic)
					mw.Close()
					res, err = client.Post(u.String()+"/api/v1/channels/random/posts", mw.FormDataContentType(), &body)
				}
				took := time.Since(t0)
				l.mu.Lock()
				defer l.mu.Unlock()
				if err != nil {
					l.fails[what]++
					return
				}
				io.Copy(io.Discard, res.Body)
				res.Body.Close()
				l.times[what] = append(l.times[what], took)
				if l.codes[what] == nil {
					l.codes[what] = map[int]int{}
				}
				l.codes[what][res.StatusCode]++
			})
		}
	}
}

func (l *latencies) print() {
	for _, what := range []string{"healthz", "channel page", "small upload"} {
		ts := l.times[what]
		sort.Slice(ts, func(i, j int) bool { return ts[i] < ts[j] })
		if len(ts) == 0 {
			fmt.Printf("  measuring %-13s no answer at all, %d failed\n", what+":", l.fails[what])
			continue
		}
		q := func(p float64) time.Duration {
			return ts[min(len(ts)-1, int(p*float64(len(ts))))].Round(100 * time.Microsecond)
		}
		fmt.Printf("  measuring %-13s %d answered %v, %d failed; p50 %v, p99 %v, max %v\n",
			what+":", len(ts), l.codes[what], l.fails[what], q(0.5), q(0.99), ts[len(ts)-1].Round(100*time.Microsecond))
	}
}

func smallJPEG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for y := range 48 {
		for x := range 64 {
			img.Set(x, y, color.RGBA{uint8(x * 4), uint8(y * 5), 128, 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 85})
	return b.Bytes()
}
