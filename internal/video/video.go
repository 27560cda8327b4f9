// Package video checks, cleans and poster-frames uploaded video clips.
//
// A clip is never transcoded. Process probes it, refuses it if it is over a
// limit or carries a codec browsers cannot play, remuxes the first video
// and first audio stream into MP4 (moov first, for seeking) or WebM with
// every piece of container metadata left behind (titles, comments, dates,
// locations, chapters, subtitle, data and attachment streams), verifies the
// result by probing it again and walking its boxes, and extracts a poster
// frame from the cleaned file.
//
// The work is done by ffmpeg and ffprobe compiled to WebAssembly
// (codeberg.org/gruf/go-ffmpreg, GPL-3.0) and run by wazero inside the Go
// binary, so nothing needs to be installed. The module is embedded
// compressed and unpacked only when a Runner is made (see ffmpegModule), so
// a process that never handles a video pays nothing for it. Each run sees only the one input
// file (read-only) and a private output directory, has no network, and is
// bounded in memory. A system ffmpeg can be used instead for speed
// (Options.SystemFFmpeg); it is never required.
package video

import (
	"context"
	"errors"
	"fmt"
	"os/exec"
	"runtime"
	"time"

	"codeberg.org/gruf/go-ffmpreg/wasm"
	"github.com/tetratelabs/wazero"

	"github.com/chatpic/chatpic"
)

// The containers Process produces, as Result.Container.
const (
	MP4  = "mp4"
	WebM = "webm"
)

// Limits bounds what Process accepts. A zero or negative field means the
// default from DefaultLimits.
type Limits struct {
	MaxDuration time.Duration // longest clip; default 5 minutes
	MaxBytes    int64         // largest input file; default 100 MB
	MaxPixels   int64         // width*height of one frame; default 50 million
}

// DefaultLimits returns the limits used for fields left zero.
func DefaultLimits() Limits {
	return Limits{MaxDuration: 5 * time.Minute, MaxBytes: 100_000_000, MaxPixels: 50_000_000}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	if l.MaxDuration <= 0 {
		l.MaxDuration = d.MaxDuration
	}
	if l.MaxBytes <= 0 {
		l.MaxBytes = d.MaxBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = d.MaxPixels
	}
	return l
}

// Result describes a clip that Process accepted and cleaned.
type Result struct {
	Container string // MP4 or WebM: what is served (media.Lookup has its type)
	// Width and Height are the size as displayed: rotation metadata is
	// applied, so a portrait phone clip stored as 1920x1080 with a 90°
	// rotation is 1080x1920. The poster frame has this size.
	Width, Height int
	Duration      time.Duration
	VideoCodec    string // ffmpeg's name: h264, hevc, av1, vp8, vp9
	AudioCodec    string // aac, mp3, opus, vorbis, or "" for a silent clip
}

// Options configures a Runner. The zero value is valid.
type Options struct {
	// Concurrency is the most Process calls that run at once; the others
	// wait their turn. Default runtime.GOMAXPROCS(0): each run uses one core.
	Concurrency int
	// MemoryLimit bounds the memory of each ffmpeg or ffprobe run, in bytes
	// (rounded down to 64 KiB pages). Default 1 GiB, at most 4 GiB. A file
	// that needs more is refused as unprocessable. Not enforced for a
	// system ffmpeg.
	MemoryLimit int64
	// CacheDir, if set, is a directory where the compiled ffmpeg module is
	// cached, which cuts start-up from tens of seconds to about one. It
	// holds native code that will be executed: it must be writable only by
	// chatpic's own user.
	CacheDir string
	// SystemFFmpeg makes the Runner use ffmpeg and ffprobe from PATH, when
	// both are there, instead of the built-in WebAssembly build: much
	// faster, but less confined (no memory limit) and of a version chatpic
	// was not tested with. Off by default.
	SystemFFmpeg bool
}

const (
	wasmPage           = 64 << 10
	defaultMemoryLimit = 1 << 30
	maxMemoryLimit     = 4 << 30
)

// Runner runs the video pipeline. It holds the compiled ffmpeg module, so
// create one at start-up and share it: it is safe for concurrent use, and
// bounds how many clips are processed at once.
type Runner struct {
	eng  engine
	slot chan struct{}
	rt   wazero.Runtime // nil when a system ffmpeg is used
}

// NewRunner compiles the built-in ffmpeg (or finds the system one, see
// Options.SystemFFmpeg) and returns a Runner. Compiling takes 15-20 s of
// CPU on a small machine unless Options.CacheDir holds an earlier result;
// ctx can cancel it. The caller must Close the Runner.
func NewRunner(ctx context.Context, opts Options) (*Runner, error) {
	n := opts.Concurrency
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	r := &Runner{slot: make(chan struct{}, n)}
	if opts.SystemFFmpeg {
		ffmpeg, err1 := exec.LookPath("ffmpeg")
		ffprobe, err2 := exec.LookPath("ffprobe")
		if err1 == nil && err2 == nil {
			r.eng = &execEngine{ffmpeg: ffmpeg, ffprobe: ffprobe}
			return r, nil
		}
	}
	mem := opts.MemoryLimit
	if mem <= 0 {
		mem = defaultMemoryLimit
	}
	mem = min(mem, maxMemoryLimit)
	cfg := wazero.NewRuntimeConfig().
		WithCloseOnContextDone(true).
		WithMemoryLimitPages(uint32(mem / wasmPage))
	if opts.CacheDir != "" {
		cache, err := wazero.NewCompilationCacheWithDir(opts.CacheDir)
		if err != nil {
			return nil, fmt.Errorf("video: compilation cache: %w", err)
		}
		cfg = cfg.WithCompilationCache(cache)
	}
	rt, err := wasm.NewRuntime(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("video: wasm runtime: %w", err)
	}
	bin, err := ffmpegModule()
	if err != nil {
		return nil, errors.Join(err, rt.Close(ctx))
	}
	mod, err := rt.CompileModule(ctx, bin)
	if err != nil {
		return nil, errors.Join(fmt.Errorf("video: compile ffmpeg: %w", err), rt.Close(ctx))
	}
	r.rt = rt
	r.eng = &wasmEngine{rt: rt, mod: mod}
	return r, nil
}

// Close releases the compiled module. Calls to Process that are still
// running fail; the Runner must not be used afterwards.
func (r *Runner) Close(ctx context.Context) error {
	if r.rt == nil {
		return nil
	}
	return r.rt.Close(ctx)
}

// acquire takes one of the Runner's slots, or returns the context's error.
func (r *Runner) acquire(ctx context.Context) error {
	select {
	case r.slot <- struct{}{}:
		return nil
	case <-ctx.Done():
		return chatpic.Internal(fmt.Errorf("video: waiting for a slot: %w", ctx.Err()))
	}
}

func (r *Runner) release() { <-r.slot }
