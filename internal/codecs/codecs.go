// Package codecs runs the WebAssembly codecs (HEIC and AVIF decoding with
// libheif and libavif, video with ffmpeg) in worker processes (see package
// worker), never in the server's own: Handlers are the jobs a worker runs,
// and Client is the server's side, which sends them.
//
// A job names its files by path. Both sides run as the same user on the
// same machine; the files live in the server's temporary folder.
package codecs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"sync"
	"syscall"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/heif"
	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/worker"
)

// The jobs' names.
const (
	opHEIF      = "heif"
	opVideo     = "video"
	opWarmVideo = "warm-video"
)

// Converted describes a HEIC or AVIF picture that a worker decoded and wrote
// again as a JPEG or PNG.
type Converted struct {
	// Source is heif.HEIC or heif.AVIF.
	Source string `json:"source"`
	// Format is "jpeg", or "png" for a picture with transparency.
	Format        string `json:"format"`
	Width, Height int
}

type heifArgs struct {
	Src, Dst  string
	MaxPixels int64
}

type videoArgs struct {
	Src, Dst, Poster string
	Limits           video.Limits
}

// Options configures the worker side.
type Options struct {
	// CacheDir holds the compiled ffmpeg between worker processes (see
	// video.Options.CacheDir); "" compiles it in every worker that needs it.
	CacheDir string
	// VideoMemory bounds the memory of one ffmpeg run (see
	// video.Options.MemoryLimit).
	VideoMemory int64
	// SystemFFmpeg runs ffmpeg and ffprobe from PATH, when both are there
	// (see video.Options.SystemFFmpeg).
	SystemFFmpeg bool
}

// Handlers returns the jobs a worker process runs. The video runner is made
// on the first video job, so a worker that only decodes pictures never
// unpacks ffmpeg.
func Handlers(opts Options) map[string]worker.Handler {
	var (
		once   sync.Once
		runner *video.Runner
		err    error
	)
	videoRunner := func(ctx context.Context) (*video.Runner, error) {
		once.Do(func() {
			runner, err = video.NewRunner(ctx, video.Options{
				Concurrency: 1, CacheDir: opts.CacheDir, MemoryLimit: opts.VideoMemory, SystemFFmpeg: opts.SystemFFmpeg,
			})
		})
		if err != nil {
			return nil, chatpic.Internal(fmt.Errorf("codecs: video unavailable: %w", err))
		}
		return runner, nil
	}
	return map[string]worker.Handler{
		opHEIF: func(ctx context.Context, raw json.RawMessage) (any, error) {
			var a heifArgs
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			return convertHEIF(ctx, a)
		},
		opVideo: func(ctx context.Context, raw json.RawMessage) (any, error) {
			var a videoArgs
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			r, err := videoRunner(ctx)
			if err != nil {
				return nil, err
			}
			return r.Process(ctx, a.Src, a.Dst, a.Poster, a.Limits)
		},
		opWarmVideo: func(ctx context.Context, _ json.RawMessage) (any, error) {
			_, err := videoRunner(ctx)
			return nil, err
		},
	}
}

// convertHEIF decodes the picture at a.Src and writes it to a.Dst, which
// the server created (a worker makes no files of its own).
func convertHEIF(ctx context.Context, a heifArgs) (Converted, error) {
	src, err := os.Open(a.Src)
	if err != nil {
		return Converted{}, chatpic.Internal(fmt.Errorf("codecs: %w", err))
	}
	defer src.Close()
	st, err := src.Stat()
	if err != nil {
		return Converted{}, chatpic.Internal(fmt.Errorf("codecs: %w", err))
	}
	img, info, err := heif.Decode(ctx, src, st.Size(), a.MaxPixels)
	if err != nil {
		return Converted{}, err
	}
	dst, err := os.OpenFile(a.Dst, os.O_WRONLY|os.O_TRUNC, 0)
	if err != nil {
		return Converted{}, chatpic.Internal(fmt.Errorf("codecs: %w", err))
	}
	format, err := heif.Encode(dst, img, info.ICC)
	if cerr := dst.Close(); err == nil && cerr != nil {
		err = chatpic.Internal(fmt.Errorf("codecs: writing the converted picture: %w", cerr))
	}
	if err != nil {
		// The server, which made a.Dst, removes it.
		if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
			return Converted{}, chatpic.StorageFull(fmt.Errorf("codecs: writing the converted picture: %w", err))
		}
		return Converted{}, err
	}
	b := img.Bounds()
	return Converted{Source: info.Format, Format: format, Width: b.Dx(), Height: b.Dy()}, nil
}
