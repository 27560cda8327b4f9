// Command sse holds many Server-Sent Events streams open on a running
// chatpic, uploads one picture, and reports how long the upload took to
// reach every stream. bench/sse.sh runs it against a fresh server.
//
//	sse -url http://127.0.0.1:8080 -n 10000 -channel random
package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"image"
	"image/png"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"
)

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "the server")
	n := flag.Int("n", 10000, "streams to hold open")
	channel := flag.String("channel", "random", "channel to watch and upload to")
	flag.Parse()
	if err := run(*base, *n, *channel); err != nil {
		fmt.Fprintln(os.Stderr, "sse:", err)
		os.Exit(1)
	}
}

func run(base string, n int, channel string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	client := &http.Client{Transport: &http.Transport{
		MaxConnsPerHost: 0, MaxIdleConnsPerHost: n,
		DialContext: (&net.Dialer{Timeout: 10 * time.Second}).DialContext,
	}}
	got := make([]time.Time, n)
	var ready, done sync.WaitGroup
	ready.Add(n)
	done.Add(n)
	errs := make(chan error, n)
	for i := range n {
		go func() {
			defer done.Done()
			req, _ := http.NewRequestWithContext(ctx, "GET", base+"/api/v1/channels/"+channel+"/events", nil)
			res, err := client.Do(req)
			if err != nil {
				ready.Done()
				errs <- err
				return
			}
			defer res.Body.Close()
			br := bufio.NewReader(res.Body)
			first := true
			for {
				line, err := br.ReadString('\n')
				if err != nil {
					if first {
						ready.Done()
					}
					errs <- err
					return
				}
				if first && line == "\n" { // end of the opening retry field
					first = false
					ready.Done()
				}
				if strings.HasPrefix(line, "event: post") {
					got[i] = time.Now()
					return
				}
			}
		}()
	}
	ready.Wait()
	if len(errs) > 0 {
		return fmt.Errorf("%d streams failed to open, e.g. %v", len(errs), <-errs)
	}
	fmt.Printf("%d streams open\n", n)

	start := time.Now()
	if err := upload(base, channel); err != nil {
		return err
	}
	done.Wait()
	var lat []time.Duration
	for _, t := range got {
		if !t.IsZero() {
			lat = append(lat, t.Sub(start))
		}
	}
	if len(lat) < n {
		return fmt.Errorf("only %d of %d streams got the upload", len(lat), n)
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("delivered to %d streams: p50 %v, p99 %v, max %v (from the start of the upload request)\n",
		len(lat), pct(0.50).Round(time.Millisecond), pct(0.99).Round(time.Millisecond), lat[len(lat)-1].Round(time.Millisecond))
	return nil
}

func upload(base, channel string) error {
	var img bytes.Buffer
	png.Encode(&img, image.NewGray(image.Rect(0, 0, 32, 32)))
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "x.png")
	fw.Write(img.Bytes())
	mw.Close()
	res, err := http.Post(base+"/api/v1/channels/"+channel+"/posts", mw.FormDataContentType(), &body)
	if err != nil {
		return err
	}
	res.Body.Close()
	if res.StatusCode != http.StatusCreated {
		return fmt.Errorf("upload: %s", res.Status)
	}
	return nil
}
