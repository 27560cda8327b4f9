package main

import (
	"context"
	"flag"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strconv"
	"time"

	"github.com/chatpic/chatpic/internal/codecs"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/worker"
)

// cmdWorker serves media jobs for the server that started it (see package
// worker): decoding HEIC, AVIF and video in WebAssembly, away from the
// server's own memory. It is not meant to be run by hand.
func cmdWorker(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("worker", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	var opts codecs.Options
	fs.StringVar(&opts.CacheDir, "cache", "", "folder of the compiled ffmpeg")
	fs.Int64Var(&opts.VideoMemory, "video-memory", 0, "memory of one ffmpeg run, in bytes")
	fs.BoolVar(&opts.SystemFFmpeg, "system-ffmpeg", false, "use ffmpeg and ffprobe from PATH")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return config.UnexpectedArgs(fs)
	}
	return worker.Main(ctx, codecs.Handlers(opts))
}

// workerIdle is how long a worker lives on without a job.
const workerIdle = 30 * time.Second

// ffmpegOverhead is the part of a video job's memory that is not ffmpeg's
// own WebAssembly memory: the compiled module and the Go runtime.
const ffmpegOverhead = 160 << 20

// mediaWorkers starts the pools of worker processes that decode HEIC, AVIF
// and video, and returns the client that sends them jobs and a function
// that stops them. exe is the chatpic executable; a worker gets no
// environment but what it needs.
func mediaWorkers(exe string, e env, cfg config.Config, tmp string, log *slog.Logger) (*codecs.Client, map[string]*worker.Pool, func()) {
	args := []string{"worker",
		"--cache", filepath.Join(cfg.Storage.Cache, "ffmpeg"),
		"--video-memory", strconv.FormatInt(posting.VideoMemory-ffmpegOverhead, 10)}
	if cfg.Upload.SystemFFmpeg {
		args = append(args, "--system-ffmpeg")
	}
	command := func() *exec.Cmd {
		cmd := exec.Command(exe, args...)
		// One thread: the decoders are single-threaded, and a Go runtime
		// with fewer threads keeps less memory.
		cmd.Env = []string{"GOMAXPROCS=1", "TMPDIR=" + tmp}
		if cfg.Upload.SystemFFmpeg {
			cmd.Env = append(cmd.Env, "PATH="+e.getenv("PATH"))
		}
		return cmd
	}
	// One worker of each kind per GB the operator gives media work: a
	// phone picture's decode takes a few hundred MB, and the memory budget
	// queues what does not fit anyway.
	n := max(1, int(cfg.Upload.MediaMemory/1_000_000_000))
	pool := func() *worker.Pool {
		return worker.NewPool(worker.Config{Command: command, Max: n, Idle: workerIdle, Log: log})
	}
	pictures, videos := pool(), pool()
	return codecs.NewClient(pictures, videos), map[string]*worker.Pool{"pictures": pictures, "videos": videos}, func() {
		pictures.Close()
		videos.Close()
	}
}
