package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"slices"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
)

// Config configures a Pool.
type Config struct {
	// Command returns a new, unstarted command that runs one worker: for
	// chatpic, its own executable with the argument "worker", which calls
	// Main. The Pool sets its standard streams and ExtraFiles, and its
	// environment to the command's Env plus
	// EnvMarker: a nil Env gives an environment of EnvMarker alone, so a
	// worker inherits nothing by accident.
	Command func() *exec.Cmd
	// Max is the most worker processes alive at once; default 1.
	Max int
	// Idle is how long a worker without a job lives on before it exits;
	// default 30 s.
	Idle time.Duration
	// Log receives a line for each worker that crashed or was killed.
	Log *slog.Logger
}

// Job is one piece of work for a worker.
type Job struct {
	// Op names the Handler that runs it.
	Op string
	// Args is encoded as JSON for the Handler.
	Args any
	Limits
}

// Limits bound one job.
type Limits struct {
	// Deadline bounds the job once a worker runs it: past it the worker is
	// killed and Run fails with KindUnprocessable. Zero means no bound but
	// the context's.
	Deadline time.Duration
	// Memory is what the job is expected to need at its peak, in bytes of
	// resident memory. The worker's Go runtime is told to keep its memory
	// under three quarters of it (debug.SetMemoryLimit: the WebAssembly
	// decoders' memory is Go heap and grows by copying, leaving garbage the
	// collector must free in time), and the worker is killed, failing the
	// job with KindUnprocessable, if its resident memory passes Ceiling
	// (Memory and a third). Zero means no bound. The ceiling is enforced
	// where the operating system reports a process's memory (Linux), by
	// sampling every few milliseconds, so a job can overshoot it briefly.
	Memory int64
}

// Ceiling is the resident memory at which a worker running a job with these
// limits is killed: Memory and a third, or 0 for none.
func (l Limits) Ceiling() int64 { return l.Memory + l.Memory/3 }

// Messages for jobs that end with their worker.
const (
	msgTooSlow   = "this file takes too long to process"
	msgTooHungry = "this file needs more memory to process than this server allows"
	msgCrashed   = "this file could not be read"
)

// Pool runs jobs in worker processes, one job per worker at a time. It is
// safe for concurrent use.
type Pool struct {
	cfg   Config
	slots chan struct{} // one per job running or about to

	mu     sync.Mutex
	idle   []*proc // workers without a job, most recently used last
	live   int
	closed bool
	peak   int64 // highest resident memory seen of any worker, in bytes
}

// NewPool returns a Pool that starts workers with cfg.Command as jobs come.
// The caller must Close it.
func NewPool(cfg Config) *Pool {
	if cfg.Max <= 0 {
		cfg.Max = 1
	}
	if cfg.Idle <= 0 {
		cfg.Idle = 30 * time.Second
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.DiscardHandler)
	}
	return &Pool{cfg: cfg, slots: make(chan struct{}, cfg.Max)}
}

// Run waits until a worker is free (starting one when fewer than Max are
// alive), runs job on it and decodes the Handler's result into result, a
// pointer (nil discards it).
//
// Errors: the Handler's, with its kind and message; KindUnprocessable if
// the worker passed the job's Deadline or MaxRSS, or crashed; the context's
// error, wrapped, if ctx ended first (while waiting, or while the job ran:
// its worker is then killed); KindInternal if no worker could be started or
// the Pool is closed.
func (p *Pool) Run(ctx context.Context, job Job, result any) error {
	args, err := json.Marshal(job.Args)
	if err != nil {
		return chatpic.Internal(fmt.Errorf("worker: encoding %s: %w", job.Op, err))
	}
	line, err := json.Marshal(request{Op: job.Op, Args: args, Memory: job.Memory})
	if err != nil {
		return chatpic.Internal(fmt.Errorf("worker: encoding %s: %w", job.Op, err))
	}
	if len(line) >= maxLine {
		return chatpic.Internal(fmt.Errorf("worker: %s request over %d bytes", job.Op, maxLine))
	}
	select {
	case p.slots <- struct{}{}:
	case <-ctx.Done():
		return fmt.Errorf("worker: waiting for a worker: %w", ctx.Err())
	}
	defer func() { <-p.slots }()

	pr, err := p.take()
	if err != nil {
		return err
	}
	rep, err := p.do(ctx, pr, job, append(line, '\n'))
	if err != nil {
		return err
	}
	if rep.Exiting {
		p.stop(pr) // it is on its way out
	} else {
		p.park(pr)
	}
	if rep.Error != nil {
		return rep.Error.err()
	}
	if result != nil {
		if err := json.Unmarshal(rep.Result, result); err != nil {
			return chatpic.Internal(fmt.Errorf("worker: decoding the %s result: %w", job.Op, err))
		}
	}
	return nil
}

// do sends one request to pr and waits for its reply, the deadline, the
// memory ceiling or ctx, whichever comes first. On any error pr is gone.
func (p *Pool) do(ctx context.Context, pr *proc, job Job, line []byte) (reply, error) {
	if _, err := pr.in.Write(line); err != nil {
		p.kill(pr)
		return reply{}, chatpic.Internal(fmt.Errorf("worker: sending %s: %w", job.Op, err))
	}
	type answer struct {
		line []byte
		err  error
	}
	answers := make(chan answer, 1) // never blocks: the reader may outlive the wait
	go func() {
		line, err := readLine(pr.out)
		answers <- answer{line, err}
	}()
	var deadline <-chan time.Time
	if job.Deadline > 0 {
		t := time.NewTimer(job.Deadline)
		defer t.Stop()
		deadline = t.C
	}
	ceiling := job.Ceiling()
	if raceEnabled {
		ceiling *= 8 // the race detector's shadow memory
	}
	watch := newWatch(pr.pid(), ceiling)
	defer func() { p.notePeak(watch.stop()) }()

	fail := func(kind chatpic.Kind, msg string, cause error) (reply, error) {
		p.kill(pr)
		p.cfg.Log.Warn("worker killed", "job", job.Op, "why", cause, "stderr", pr.stderr.String())
		return reply{}, &chatpic.Error{Kind: kind, Message: msg, Err: fmt.Errorf("worker: %s: %w", job.Op, cause)}
	}
	select {
	case a := <-answers:
		if a.err != nil {
			p.kill(pr)
			status := pr.status()
			p.cfg.Log.Warn("worker crashed", "job", job.Op, "status", status, "stderr", pr.stderr.String())
			return reply{}, &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgCrashed,
				Err: fmt.Errorf("worker: %s: the worker ended (%s) without answering: %w", job.Op, status, a.err)}
		}
		var rep reply
		if err := json.Unmarshal(a.line, &rep); err != nil {
			p.kill(pr)
			return reply{}, chatpic.Internal(fmt.Errorf("worker: %s: bad reply: %w", job.Op, err))
		}
		return rep, nil
	case <-deadline:
		return fail(chatpic.KindUnprocessable, msgTooSlow, fmt.Errorf("past its deadline of %v", job.Deadline))
	case rss := <-watch.over:
		return fail(chatpic.KindUnprocessable, msgTooHungry,
			fmt.Errorf("resident memory %d MB, over its ceiling of %d MB", rss>>20, ceiling>>20))
	case <-ctx.Done():
		p.kill(pr)
		return reply{}, fmt.Errorf("worker: %s: %w", job.Op, ctx.Err())
	}
}

// Live returns how many worker processes are running.
func (p *Pool) Live() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.live
}

// Peak returns the highest resident memory any worker was seen using while
// it ran a job, in bytes (0 where the system does not report it).
func (p *Pool) Peak() int64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.peak
}

func (p *Pool) notePeak(rss int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.peak = max(p.peak, rss)
}

// Close stops the idle workers and waits for them to exit; workers still
// running a job are killed when their job's context ends. Run fails after
// Close.
func (p *Pool) Close() error {
	p.mu.Lock()
	p.closed = true
	idle := p.idle
	p.idle = nil
	p.mu.Unlock()
	for _, pr := range idle {
		pr.idleTimer.Stop()
		p.stop(pr)
	}
	return nil
}

// take returns an idle worker, or starts one.
func (p *Pool) take() (*proc, error) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return nil, chatpic.Internal(errors.New("worker: the pool is closed"))
	}
	if n := len(p.idle); n > 0 {
		pr := p.idle[n-1]
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		pr.idleTimer.Stop()
		return pr, nil
	}
	p.live++
	p.mu.Unlock()
	pr, err := start(p.cfg.Command())
	if err != nil {
		p.mu.Lock()
		p.live--
		p.mu.Unlock()
		return nil, chatpic.Internal(fmt.Errorf("worker: starting a worker: %w", err))
	}
	return pr, nil
}

// park puts pr back among the idle workers, to exit after Idle unless a job
// takes it first.
func (p *Pool) park(pr *proc) {
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		p.retire(pr)
		return
	}
	// The timer is set before pr is seen among the idle: a job may take
	// it, and stop the timer, the moment the lock is let go.
	defer p.mu.Unlock()
	p.idle = append(p.idle, pr)
	pr.idleTimer = time.AfterFunc(p.cfg.Idle, func() {
		p.mu.Lock()
		i := slices.Index(p.idle, pr)
		if i >= 0 {
			p.idle = slices.Delete(p.idle, i, i+1)
		}
		p.mu.Unlock()
		if i >= 0 {
			p.retire(pr)
		}
	})
}

// retire asks pr to exit (its input ends) and waits for it, killing it if
// it takes long. It runs in the background.
func (p *Pool) retire(pr *proc) {
	go p.stop(pr)
}

func (p *Pool) stop(pr *proc) {
	pr.in.Close()
	select {
	case <-pr.exited:
	case <-time.After(5 * time.Second):
	}
	p.kill(pr)
}

// kill ends pr at once and waits for it.
func (p *Pool) kill(pr *proc) {
	pr.once.Do(func() {
		pr.cmd.Process.Kill()
		<-pr.exited
		pr.in.Close()
		pr.outFile.Close()
		p.mu.Lock()
		p.live--
		p.mu.Unlock()
	})
}

// proc is one running worker.
type proc struct {
	cmd       *exec.Cmd
	in        *os.File      // the worker's stdin
	outFile   *os.File      // the worker's stdout
	out       *bufio.Reader // over outFile
	stderr    *tail
	exited    chan struct{} // closed when the process has ended
	idleTimer *time.Timer
	once      sync.Once // for kill
}

func start(cmd *exec.Cmd) (*proc, error) {
	inR, inW, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	outR, outW, err := os.Pipe()
	if err != nil {
		inR.Close()
		inW.Close()
		return nil, err
	}
	pr := &proc{cmd: cmd, in: inW, outFile: outR, out: bufio.NewReaderSize(outR, 64<<10),
		stderr: &tail{max: 4 << 10}, exited: make(chan struct{})}
	// The jobs travel on their own descriptors, not stdin and stdout, so
	// that nothing a decoder prints can be taken for an answer.
	cmd.Stdin, cmd.Stdout, cmd.Stderr = nil, pr.stderr, pr.stderr
	cmd.ExtraFiles = []*os.File{inR, outW} // descriptors 3 and 4 in the worker
	cmd.Env = append(slices.Clip(cmd.Env), EnvMarker+"=1")
	dieWithParent(cmd)
	err = cmd.Start()
	inR.Close() // the worker's ends
	outW.Close()
	if err != nil {
		inW.Close()
		outR.Close()
		return nil, err
	}
	go func() {
		cmd.Wait()
		close(pr.exited)
	}()
	return pr, nil
}

func (pr *proc) pid() int { return pr.cmd.Process.Pid }

// status describes how the process ended, once it has.
func (pr *proc) status() string {
	select {
	case <-pr.exited:
		return pr.cmd.ProcessState.String()
	case <-time.After(time.Second):
		return "still running"
	}
}

// tail keeps the last max bytes written to it. It is safe for concurrent
// use.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
