// Command loadgen drives running chatpic instances for bench/scaleout.sh:
// it uploads pictures into a channel through the API, spread round-robin
// over the instances, then fetches the channel page many times, and prints
// uploads per second and the page's latency percentiles.
//
//	loadgen -targets http://a,http://b -channel photography -uploads 200 -pages 2000
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
)

func main() {
	targets := flag.String("targets", "", "comma-separated base URLs of the instances")
	channel := flag.String("channel", "photography", "channel to upload into and read")
	uploads := flag.Int("uploads", 200, "uploads to make")
	upConc := flag.Int("upload-concurrency", 8, "uploads in flight at once")
	pages := flag.Int("pages", 2000, "channel page requests to make")
	pageConc := flag.Int("page-concurrency", 16, "page requests in flight at once")
	flag.Parse()
	bases := strings.Split(*targets, ",")
	if *targets == "" {
		fmt.Fprintln(os.Stderr, "loadgen: -targets is required")
		os.Exit(2)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}, Timeout: time.Minute}

	// Distinct pictures, made before the clock starts.
	pics := make([][]byte, *uploads)
	for i := range pics {
		pics[i] = mediatest.EncodeJPEG(mediatest.Scene(1024, 768, uint64(i)+1), 85)
	}
	var failed atomic.Int64
	start := time.Now()
	run(*uploads, *upConc, func(i int) {
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		fw, _ := mw.CreateFormFile("file", "upload.jpg")
		fw.Write(pics[i])
		mw.Close()
		req, _ := http.NewRequest("POST", bases[i%len(bases)]+"/api/v1/channels/"+*channel+"/posts", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusCreated {
			failed.Add(1)
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	})
	upSecs := time.Since(start).Seconds()

	lat := make([]time.Duration, *pages)
	start = time.Now()
	run(*pages, *pageConc, func(i int) {
		t := time.Now()
		resp, err := client.Get(bases[i%len(bases)] + "/c/" + *channel)
		if err != nil || resp.StatusCode != http.StatusOK {
			failed.Add(1)
		}
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		lat[i] = time.Since(t)
	})
	pageSecs := time.Since(start).Seconds()
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[int(p*float64(len(lat)-1))].Round(10 * time.Microsecond) }
	fmt.Printf("uploads/s %.1f  pages/s %.0f  page p50 %v  p99 %v  failed %d\n",
		float64(*uploads)/upSecs, float64(*pages)/pageSecs, pct(.5), pct(.99), failed.Load())
	if failed.Load() > 0 {
		os.Exit(1) // the figures mean nothing
	}
}

// run calls f(0..n-1) with at most conc calls at once.
func run(n, conc int, f func(i int)) {
	var wg sync.WaitGroup
	next := make(chan int)
	for range conc {
		wg.Go(func() {
			for i := range next {
				f(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
}
