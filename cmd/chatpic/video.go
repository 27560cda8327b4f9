package main

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/video"
)

// lazyVideo builds the video runner in the background (compiling the
// built-in ffmpeg takes many seconds) so the site starts at once; video
// uploads that arrive before it is ready wait for it.
type lazyVideo struct {
	ready  chan struct{}
	runner *video.Runner
	err    error
}

// startVideo begins building the runner; it stops early if ctx ends.
func startVideo(ctx context.Context, opts video.Options, log *slog.Logger) *lazyVideo {
	l := &lazyVideo{ready: make(chan struct{})}
	go func() {
		defer close(l.ready)
		start := time.Now()
		l.runner, l.err = video.NewRunner(ctx, opts)
		if l.err != nil {
			if ctx.Err() == nil {
				log.Error("video processing unavailable", "err", l.err)
			}
			return
		}
		log.Info("video processing ready", "took", time.Since(start).Round(time.Millisecond))
	}()
	return l
}

// Process waits for the runner and runs it.
func (l *lazyVideo) Process(ctx context.Context, src, dst, poster string, lim video.Limits) (video.Result, error) {
	select {
	case <-l.ready:
	case <-ctx.Done():
		return video.Result{}, chatpic.Internal(fmt.Errorf("waiting for video processing: %w", ctx.Err()))
	}
	if l.err != nil {
		return video.Result{}, chatpic.Internal(fmt.Errorf("video processing unavailable: %w", l.err))
	}
	return l.runner.Process(ctx, src, dst, poster, lim)
}

// Close waits for the runner to be built (or given up) and releases it.
func (l *lazyVideo) Close() {
	<-l.ready
	if l.runner != nil {
		l.runner.Close(context.Background())
	}
}
