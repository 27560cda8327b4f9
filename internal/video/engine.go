package video

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"time"

	"codeberg.org/gruf/go-ffmpreg/wasm"
	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/experimental"
)

// job is one run of ffmpeg or ffprobe.
type job struct {
	prog string // "ffmpeg" or "ffprobe"
	// src is the host path of the one input file, "" for none. The program
	// can read it and nothing else of the host.
	src string
	// work is a host directory the program may write into, "" for none.
	work string
	// args builds the command line from the paths under which the program
	// sees src and work.
	args   func(src, work string) []string
	stdout io.Writer // nil discards
}

// exitError is a run of ffmpeg or ffprobe that ended with a non-zero exit
// status. Stderr holds the end of what it printed, for the logs only.
type exitError struct {
	prog   string
	code   int
	stderr string
}

func (e *exitError) Error() string {
	return fmt.Sprintf("%s exited with status %d: %s", e.prog, e.code, e.stderr)
}

// engine runs ffmpeg and ffprobe. Implementations are safe for concurrent
// use. run returns *exitError when the program fails (a non-zero exit
// status, a crash, or for WebAssembly a trap), the context's error if ctx
// ended first, and any other error for a failure to start it.
type engine interface {
	run(ctx context.Context, j job) error
}

// stderrTail is how much of a program's stderr is kept for the logs.
const stderrTail = 4 << 10

// wasmEngine runs the WebAssembly build of ffmpeg under wazero.
type wasmEngine struct {
	rt  wazero.Runtime
	mod wazero.CompiledModule
}

// The guest paths of job.src and job.work.
const (
	guestIn   = "/in"
	guestSrc  = guestIn + "/src"
	guestWork = "/out"
)

func (e *wasmEngine) run(ctx context.Context, j job) error {
	stderr := &tailWriter{max: stderrTail}
	stdout := j.stdout
	if stdout == nil {
		stdout = io.Discard
	}
	fsc := wazero.NewFSConfig()
	if j.src != "" {
		fsc = fsc.WithFSMount(oneFileFS{path: j.src}, guestIn)
	}
	if j.work != "" {
		fsc = fsc.WithDirMount(j.work, guestWork)
	}
	ctx = experimental.WithMemoryAllocator(ctx, experimental.MemoryAllocatorFunc(newLinearMemory))
	rc, err := wasm.Run(ctx, e.rt, e.mod, wasm.Args{
		Name:   j.prog,
		Args:   j.args(guestSrc, guestWork),
		Stdout: stdout,
		Stderr: stderr,
		Config: func(c wazero.ModuleConfig) wazero.ModuleConfig {
			// Anonymous, so that runs can overlap. A real monotonic clock:
			// some of ffmpeg's libraries spin forever on the fake one. The
			// wall clock stays fake, so no real date can reach an output.
			return c.WithName("").WithFSConfig(fsc).WithSysNanotime().WithSysNanosleep()
		},
	})
	if ctx.Err() != nil {
		// With WithCloseOnContextDone, cancellation surfaces as an exit code.
		return ctx.Err()
	}
	if err != nil {
		// A trap (out of bounds, unreachable after abort()) is the program
		// failing on its input, like a crash of a native ffmpeg would be.
		return &exitError{prog: j.prog, code: -1, stderr: err.Error()}
	}
	if rc != 0 {
		return &exitError{prog: j.prog, code: int(rc), stderr: stderr.String()}
	}
	return nil
}

// execEngine runs the system's ffmpeg and ffprobe.
type execEngine struct {
	ffmpeg, ffprobe string
}

func (e *execEngine) run(ctx context.Context, j job) error {
	bin := e.ffmpeg
	if j.prog == "ffprobe" {
		bin = e.ffprobe
	}
	// Absolute paths never start with "-" and never read as a protocol.
	src, work := absPath(j.src), absPath(j.work)
	stderr := &tailWriter{max: stderrTail}
	cmd := exec.CommandContext(ctx, bin, j.args(src, work)...)
	cmd.Stdout = j.stdout
	cmd.Stderr = stderr
	cmd.Env = []string{} // no FFREPORT, no proxies, no locale surprises
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if ee, ok := errors.AsType[*exec.ExitError](err); ok {
		return &exitError{prog: j.prog, code: ee.ExitCode(), stderr: stderr.String()}
	}
	if err != nil {
		return fmt.Errorf("%s: %w", j.prog, err)
	}
	return nil
}

func absPath(p string) string {
	if p == "" {
		return ""
	}
	if abs, err := filepath.Abs(p); err == nil {
		return abs
	}
	return p
}

// oneFileFS is a read-only file system holding one file, "src", backed by
// the host file at path. Mounting it instead of the file's directory keeps
// the other files there (other people's uploads) out of ffmpeg's reach.
type oneFileFS struct{ path string }

func (f oneFileFS) Open(name string) (fs.File, error) {
	switch name {
	case path.Base(guestSrc):
		return os.Open(f.path)
	case ".":
		return rootDir{}, nil
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

// rootDir is the root of a oneFileFS. It lists nothing.
type rootDir struct{}

func (rootDir) Stat() (fs.FileInfo, error)         { return rootInfo{}, nil }
func (rootDir) Read([]byte) (int, error)           { return 0, fs.ErrInvalid }
func (rootDir) Close() error                       { return nil }
func (rootDir) ReadDir(int) ([]fs.DirEntry, error) { return nil, nil }

type rootInfo struct{}

func (rootInfo) Name() string       { return "." }
func (rootInfo) Size() int64        { return 0 }
func (rootInfo) Mode() fs.FileMode  { return fs.ModeDir | 0o555 }
func (rootInfo) ModTime() time.Time { return time.Time{} }
func (rootInfo) IsDir() bool        { return true }
func (rootInfo) Sys() any           { return nil }

// tailWriter keeps the last max bytes written to it.
type tailWriter struct {
	max int
	buf []byte
}

func (w *tailWriter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	if over := len(w.buf) - w.max; over > 0 {
		w.buf = append(w.buf[:0], w.buf[over:]...)
	}
	return len(p), nil
}

func (w *tailWriter) String() string { return string(bytes.TrimSpace(w.buf)) }

// limitWriter collects up to max bytes and fails past that, so a hostile
// file cannot make ffprobe print without bound into memory.
type limitWriter struct {
	max int
	buf bytes.Buffer
}

var errOutputTooLong = errors.New("output too long")

func (w *limitWriter) Write(p []byte) (int, error) {
	if w.buf.Len()+len(p) > w.max {
		return 0, errOutputTooLong
	}
	return w.buf.Write(p)
}
