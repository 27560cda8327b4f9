package worker

import (
	"time"
)

// sampleEvery is how often a running job's memory is read.
const sampleEvery = 10 * time.Millisecond

// watch samples a worker's resident memory while it runs a job, and reports
// on over the first sample past the ceiling.
type watch struct {
	over chan int64
	done chan struct{}
	peak chan int64
}

// newWatch starts watching process pid; a ceiling of 0 only records the
// peak.
func newWatch(pid int, ceiling int64) *watch {
	w := &watch{over: make(chan int64, 1), done: make(chan struct{}), peak: make(chan int64, 1)}
	go func() {
		var peak int64
		defer func() { w.peak <- peak }()
		t := time.NewTicker(sampleEvery)
		defer t.Stop()
		for {
			rss, ok := residentMemory(pid)
			if !ok {
				return // not reported here, or the process is gone
			}
			peak = max(peak, rss)
			if ceiling > 0 && rss > ceiling {
				w.over <- rss
				return
			}
			select {
			case <-w.done:
				return
			case <-t.C:
			}
		}
	}()
	return w
}

// stop ends the sampling and returns the highest resident memory seen.
func (w *watch) stop() int64 {
	close(w.done)
	return <-w.peak
}
