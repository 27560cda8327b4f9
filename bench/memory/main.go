// Command memory measures chatpic's memory as bench/memory.sh describes:
// it starts a server, samples the resident memory of the server and of
// every process it started (its media workers) every 10 ms, runs bursts of
// uploads, and prints the figures. It asserts nothing.
//
//	memory -chatpic BIN -big 17MB.jpg -heic phone.heic -small small.jpg
package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	bin := flag.String("chatpic", "", "the chatpic binary")
	big := flag.String("big", "", "a large JPEG (about 17 MB, 6000x4000)")
	heic := flag.String("heic", "", "a phone HEIC (12 megapixels)")
	small := flag.String("small", "", "a small JPEG")
	n := flag.Int("n", 32, "concurrent uploads of the large JPEG")
	nh := flag.Int("nheic", 8, "concurrent HEIC uploads")
	settle := flag.Duration("settle", time.Minute, "how long after the last burst to measure again")
	flag.Parse()
	if *bin == "" || *big == "" || *heic == "" || *small == "" {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*bin, *big, *heic, *small, *n, *nh, *settle); err != nil {
		fmt.Fprintln(os.Stderr, "memory:", err)
		os.Exit(1)
	}
}

func run(bin, big, heic, small string, n, nh int, settle time.Duration) error {
	work, err := os.MkdirTemp("", "chatpic-memory-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(work)
	data, cache := filepath.Join(work, "data"), filepath.Join(work, "cache")

	// The first start compiles ffmpeg into the cache in a worker; a site
	// that has run before finds it there. Measure the latter.
	fmt.Println("warming the cache of compiled video tools (the first start of a site)...")
	warm, err := start(bin, data, cache)
	if err != nil {
		return err
	}
	if err := warm.waitLog("video tools compiled", 3*time.Minute); err != nil {
		warm.stop()
		return err
	}
	warm.stop()

	srv, err := start(bin, data, cache)
	if err != nil {
		return err
	}
	defer srv.stop()
	s := newSampler(srv.cmd.Process.Pid)
	defer s.close()

	time.Sleep(5 * time.Second)
	server, total := s.now()
	fmt.Printf("idle after start-up:            server %s, with workers %s\n", mb(server), mb(total))

	bigFile, err := os.ReadFile(big)
	if err != nil {
		return err
	}
	s.reset()
	took, codes := burst(srv.url, bigFile, n)
	fmt.Printf("%d concurrent %s JPEG uploads:  peak %s server and workers together (server alone %s); %s; statuses %v\n",
		n, mb(int64(len(bigFile))), mb(s.peakTotal()), mb(s.peakServer()), took.Round(time.Millisecond), codes)

	heicFile, err := os.ReadFile(heic)
	if err != nil {
		return err
	}
	smallFile, err := os.ReadFile(small)
	if err != nil {
		return err
	}
	s.reset()
	var wg sync.WaitGroup
	var heicTook time.Duration
	var heicCodes map[int]int
	wg.Go(func() { heicTook, heicCodes = burst(srv.url, heicFile, nh) })
	time.Sleep(time.Second) // the HEIC uploads are queued and decoding
	t0 := time.Now()
	code := upload(srv.url, smallFile)
	smallTook := time.Since(t0)
	wg.Wait()
	fmt.Printf("%d concurrent %s HEIC uploads:  peak %s server and workers together (server alone %s); %s; statuses %v\n",
		nh, mb(int64(len(heicFile))), mb(s.peakTotal()), mb(s.peakServer()), heicTook.Round(time.Millisecond), heicCodes)
	fmt.Printf("a %s JPEG upload meanwhile:   %s (status %d)\n", mb(int64(len(smallFile))), smallTook.Round(time.Millisecond), code)

	time.Sleep(settle)
	server, total = s.now()
	fmt.Printf("%v after the last burst:         server %s, with workers %s (%d workers left)\n",
		settle, mb(server), mb(total), s.workers())

	return cliTimes(bin, data, cache)
}

// cliTimes runs each admin command ten times and prints the median and
// slowest wall time. (Their memory is not read here: a child of a Go
// process inherits, in the kernel's accounting, its parent's peak; the
// script reads it with /usr/bin/time.)
func cliTimes(bin, data, cache string) error {
	storage := []string{"--data", data, "--cache", cache}
	cmds := [][]string{
		{"version"},
		{"channels", "list"},
		{"mods", "list"},
		{"hashes", "export"},
		{"migrate", "--status"},
		{"janitor", "--dry-run"},
	}
	fmt.Println("command start-up (10 runs each; the server above still runs on the same data):")
	for _, c := range cmds {
		args := c
		if c[0] != "version" {
			args = append(slices.Clone(c), storage...)
		}
		var times []time.Duration
		for range 10 {
			cmd := exec.Command(bin, args...)
			cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
			t0 := time.Now()
			if err := cmd.Run(); err != nil {
				return fmt.Errorf("chatpic %s: %w", strings.Join(c, " "), err)
			}
			times = append(times, time.Since(t0))
		}
		sort.Slice(times, func(i, j int) bool { return times[i] < times[j] })
		fmt.Printf("  chatpic %-18s median %5.1f ms, slowest %5.1f ms\n", strings.Join(c, " "),
			ms(times[len(times)/2]), ms(times[len(times)-1]))
	}
	return nil
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// burst uploads file n times at once and returns how long all took and
// how many answers had each status.
func burst(url string, file []byte, n int) (time.Duration, map[int]int) {
	var mu sync.Mutex
	codes := map[int]int{}
	var wg sync.WaitGroup
	t0 := time.Now()
	for range n {
		wg.Go(func() {
			c := upload(url, file)
			mu.Lock()
			codes[c]++
			mu.Unlock()
		})
	}
	wg.Wait()
	return time.Since(t0), codes
}

// upload posts file to the random channel and returns the status (0 if
// the request failed).
func upload(url string, file []byte) int {
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		fw, _ := mw.CreateFormFile("file", "upload")
		fw.Write(file)
		pw.CloseWithError(mw.Close())
	}()
	res, err := http.Post(url+"/api/v1/channels/random/posts", mw.FormDataContentType(), pr)
	if err != nil {
		return 0
	}
	io.Copy(io.Discard, res.Body)
	res.Body.Close()
	return res.StatusCode
}

// server is a running chatpic serve.
type server struct {
	cmd *exec.Cmd
	url string
	mu  sync.Mutex
	log bytes.Buffer
}

var listening = regexp.MustCompile(`msg="chatpic is listening" addr=(\S+)`)

// start starts a server with no rate limits and room for every upload of
// the bench at once: they all come from one address.
func start(bin, data, cache string) (*server, error) {
	cmd := exec.Command(bin, "serve", "--addr", "127.0.0.1:0", "--data", data, "--cache", cache,
		"--rate-uploads", "off", "--flood", "off", "--max-upload", "25MB", "--uploads-per-client", "64")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{cmd: cmd}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			s.mu.Lock()
			s.log.WriteString(sc.Text() + "\n")
			s.mu.Unlock()
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
	}()
	select {
	case a := <-addr:
		s.url = "http://" + a
		return s, nil
	case <-time.After(time.Minute):
		s.stop()
		return nil, errors.New("the server did not start")
	}
}

func (s *server) waitLog(line string, limit time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), limit)
	defer cancel()
	for ctx.Err() == nil {
		s.mu.Lock()
		ok := strings.Contains(s.log.String(), line)
		s.mu.Unlock()
		if ok {
			return nil
		}
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("the server never logged %q", line)
}

func (s *server) stop() {
	s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-done
	}
}

// sampler reads the resident memory of a process and its descendants
// every 10 ms and keeps the peaks.
type sampler struct {
	pid  int
	stop chan struct{}
	done chan struct{}

	mu               sync.Mutex
	server, total    int64
	peakSrv, peakAll int64
	lastWorkers      int
}

func newSampler(pid int) *sampler {
	s := &sampler{pid: pid, stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(s.done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		for {
			server, total, workers := measure(pid)
			s.mu.Lock()
			s.server, s.total, s.lastWorkers = server, total, workers
			s.peakSrv, s.peakAll = max(s.peakSrv, server), max(s.peakAll, total)
			s.mu.Unlock()
			select {
			case <-s.stop:
				return
			case <-t.C:
			}
		}
	}()
	return s
}

func (s *sampler) close() { close(s.stop); <-s.done }

func (s *sampler) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.peakSrv, s.peakAll = s.server, s.total
}

func (s *sampler) now() (server, total int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.server, s.total
}

func (s *sampler) peakServer() int64 { s.mu.Lock(); defer s.mu.Unlock(); return s.peakSrv }
func (s *sampler) peakTotal() int64  { s.mu.Lock(); defer s.mu.Unlock(); return s.peakAll }
func (s *sampler) workers() int      { s.mu.Lock(); defer s.mu.Unlock(); return s.lastWorkers }

// measure returns the resident memory of pid, and of pid with all its
// descendants, in bytes, and how many descendants it has.
func measure(pid int) (server, total int64, descendants int) {
	parent := map[int]int{}
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// The fields after the command name, which is in parentheses.
		f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+1:]))
		if len(f) > 1 {
			parent[p], _ = strconv.Atoi(f[1])
		}
	}
	under := func(p int) bool {
		for i := 0; p > 1 && i < 64; i++ {
			if p == pid {
				return true
			}
			p = parent[p]
		}
		return false
	}
	for p := range parent {
		if !under(p) {
			continue
		}
		r := rss(p)
		total += r
		if p == pid {
			server = r
		} else {
			descendants++
		}
	}
	return server, total, descendants
}

var pageSize = int64(os.Getpagesize())

func rss(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/statm")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b))
	if len(f) < 2 {
		return 0
	}
	n, _ := strconv.ParseInt(f[1], 10, 64)
	return n * pageSize
}
