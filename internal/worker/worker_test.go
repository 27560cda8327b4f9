package worker

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"reflect"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// TestMain makes the test binary a worker when the pool starts it.
func TestMain(m *testing.M) {
	if os.Getenv(EnvMarker) == "1" {
		if err := Main(context.Background(), testHandlers()); err != nil {
			fmt.Fprintln(os.Stderr, "worker:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

type testArgs struct {
	N  int    `json:"n"`
	S  string `json:"s"`
	MB int    `json:"mb"`
}

// sink keeps allocations alive in the "alloc" job.
var sink [][]byte

func testHandlers() map[string]Handler {
	return map[string]Handler{
		"echo": func(_ context.Context, raw json.RawMessage) (any, error) {
			var a testArgs
			if err := json.Unmarshal(raw, &a); err != nil {
				return nil, err
			}
			return a, nil
		},
		"pid": func(context.Context, json.RawMessage) (any, error) { return os.Getpid(), nil },
		"chatter": func(context.Context, json.RawMessage) (any, error) {
			// A decoder that prints to stdout and stderr, as libheif may.
			fmt.Println(`{"result":"forged"}`)
			fmt.Fprintln(os.Stderr, "some warning")
			return "real", nil
		},
		"refuse": func(context.Context, json.RawMessage) (any, error) {
			return nil, &chatpic.Error{Kind: chatpic.KindTooLarge, Message: "too big for us", Err: errors.New("the detail")}
		},
		"plain error": func(context.Context, json.RawMessage) (any, error) {
			return nil, errors.New("open /secret/path: denied")
		},
		"panic": func(context.Context, json.RawMessage) (any, error) {
			var m map[string]int
			m["boom"]++ // a real runtime panic, as a decoder bug would make
			return nil, nil
		},
		"hang": func(context.Context, json.RawMessage) (any, error) { return sleepForever() },
		"exit": func(context.Context, json.RawMessage) (any, error) { os.Exit(3); return nil, nil },
		"alloc": func(_ context.Context, raw json.RawMessage) (any, error) {
			var a testArgs
			json.Unmarshal(raw, &a)
			for i := 0; a.MB == 0 || i < a.MB; i++ { // 0: until killed
				b := make([]byte, 1<<20)
				for i := range b {
					b[i] = 1 // touch every page, so it is resident
				}
				sink = append(sink, b)
			}
			sleepForever() // hold it until killed
			return nil, nil
		},
	}
}

// sleepForever blocks like a decoder in an endless loop. (An empty select
// would make the runtime end the process, every goroutine being asleep.)
func sleepForever() (any, error) {
	for {
		time.Sleep(time.Hour)
	}
}

func newTestPool(t *testing.T, max int, idle time.Duration) *Pool {
	t.Helper()
	p := NewPool(Config{
		Command: func() *exec.Cmd { return exec.Command(os.Args[0], "-test.run=^$") },
		Max:     max, Idle: idle,
	})
	t.Cleanup(func() {
		p.Close()
		eventually(t, "every worker ended", func() bool { return p.Live() == 0 })
	})
	return p
}

// eventually polls cond until it holds; it waits on processes starting
// and ending, which no clock can be injected into.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting until %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func pid(t *testing.T, p *Pool) int {
	t.Helper()
	var n int
	if err := p.Run(t.Context(), Job{Op: "pid"}, &n); err != nil {
		t.Fatalf("pid: %v", err)
	}
	return n
}

func TestRunAnswers(t *testing.T) {
	p := newTestPool(t, 1, time.Minute)
	tests := []struct {
		name     string
		op       string
		kind     chatpic.Kind
		message  string
		causeHas string
	}{
		{"a result", "echo", "", "", ""},
		{"an error keeps its kind and message", "refuse", chatpic.KindTooLarge, "too big for us", "the detail"},
		{"an unclassified error is internal and shows nothing", "plain error", chatpic.KindInternal, "something went wrong on our side", "/secret/path"},
		{"an unknown job", "frobnicate", chatpic.KindInternal, "something went wrong on our side", `no job called "frobnicate"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got testArgs
			err := p.Run(t.Context(), Job{Op: tt.op, Args: testArgs{N: 7, S: "héllo\nworld"}}, &got)
			if tt.kind == "" {
				if err != nil || got.N != 7 || got.S != "héllo\nworld" {
					t.Fatalf("got %+v, %v", got, err)
				}
				return
			}
			if chatpic.ErrorKind(err) != tt.kind || chatpic.ErrorMessage(err) != tt.message {
				t.Fatalf("got %v (kind %q, message %q), want %q %q", err, chatpic.ErrorKind(err), chatpic.ErrorMessage(err), tt.kind, tt.message)
			}
			if e, _ := errors.AsType[*chatpic.Error](err); e == nil || e.Err == nil || !strings.Contains(e.Err.Error(), tt.causeHas) {
				t.Errorf("the cause %v does not say %q", err, tt.causeHas)
			}
		})
	}
	if p.Live() != 1 {
		t.Errorf("%d workers for jobs one after another, want 1", p.Live())
	}
}

// TestFailuresCostOneJob: whatever a job does to its worker, it fails alone
// with the kind its failure deserves, its worker is gone, and the next job
// runs on a new worker.
func TestFailuresCostOneJob(t *testing.T) {
	tests := []struct {
		name    string
		job     Job
		message string
		linux   bool
	}{
		{"a panic", Job{Op: "panic"}, msgCrashed, false},
		{"a hang past the deadline", Job{Op: "hang", Limits: Limits{Deadline: 300 * time.Millisecond}}, msgTooSlow, false},
		{"a crash", Job{Op: "exit"}, msgCrashed, false},
		{"memory past the ceiling", Job{Op: "alloc", Limits: Limits{Memory: 72 << 20, Deadline: time.Minute}}, msgTooHungry, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.linux && runtime.GOOS != "linux" {
				t.Skip("memory ceilings are enforced on Linux only")
			}
			p := newTestPool(t, 1, time.Minute)
			before := pid(t, p)
			err := p.Run(t.Context(), tt.job, nil)
			if chatpic.ErrorKind(err) != chatpic.KindUnprocessable || chatpic.ErrorMessage(err) != tt.message {
				t.Fatalf("got %v, want unprocessable %q", err, tt.message)
			}
			if alive(before) {
				t.Errorf("worker %d still runs after its job failed", before)
			}
			after := pid(t, p)
			if after == before {
				t.Errorf("the next job ran on the failed worker %d", before)
			}
			if p.Live() != 1 {
				t.Errorf("%d workers alive, want 1", p.Live())
			}
		})
	}
}

func alive(pid int) bool {
	proc, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	return proc.Signal(syscallZero) == nil
}

func TestPrintingDoesNotForgeAnswers(t *testing.T) {
	p := newTestPool(t, 1, time.Minute)
	for range 3 {
		var got string
		if err := p.Run(t.Context(), Job{Op: "chatter"}, &got); err != nil || got != "real" {
			t.Fatalf("got %q, %v", got, err)
		}
	}
}

func TestCancelKillsTheJob(t *testing.T) {
	p := newTestPool(t, 1, time.Minute)
	before := pid(t, p)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- p.Run(ctx, Job{Op: "hang"}, nil) }()
	eventually(t, "the job runs", func() bool { return len(p.slots) == 1 })
	cancel()
	if err := <-done; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if alive(before) {
		t.Error("the abandoned job's worker still runs")
	}
	if pid(t, p) == before {
		t.Error("the next job ran on the abandoned worker")
	}
}

func TestWaitingEndsWithTheContext(t *testing.T) {
	p := newTestPool(t, 1, time.Minute)
	busy, stop := context.WithCancel(t.Context())
	defer stop()
	go p.Run(busy, Job{Op: "hang"}, nil)
	eventually(t, "the only worker is busy", func() bool { return len(p.slots) == 1 })
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if err := p.Run(ctx, Job{Op: "echo"}, nil); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's deadline", err)
	}
}

func TestMaxBoundsTheWorkers(t *testing.T) {
	p := newTestPool(t, 2, time.Minute)
	var running, most atomic.Int32
	var wg sync.WaitGroup
	for range 6 {
		wg.Go(func() {
			if err := p.Run(t.Context(), Job{Op: "echo", Args: testArgs{N: 1}}, nil); err != nil {
				t.Error(err)
			}
		})
	}
	stopWatch := make(chan struct{})
	go func() {
		for {
			select {
			case <-stopWatch:
				return
			default:
			}
			n := int32(p.Live())
			running.Store(n)
			for {
				m := most.Load()
				if n <= m || most.CompareAndSwap(m, n) {
					break
				}
			}
		}
	}()
	wg.Wait()
	close(stopWatch)
	if most.Load() > 2 {
		t.Errorf("%d workers alive at once, want at most 2", most.Load())
	}
}

func TestIdleWorkersExit(t *testing.T) {
	p := newTestPool(t, 1, 20*time.Millisecond)
	first := pid(t, p)
	eventually(t, "the idle worker exits", func() bool { return p.Live() == 0 })
	if alive(first) {
		t.Error("the idle worker's process still runs")
	}
	if pid(t, p) == first {
		t.Error("a retired worker ran a job")
	}
}

func TestClosedPoolRefuses(t *testing.T) {
	p := newTestPool(t, 1, time.Minute)
	pid(t, p)
	p.Close()
	if err := p.Run(t.Context(), Job{Op: "echo"}, nil); chatpic.ErrorKind(err) != chatpic.KindInternal {
		t.Fatalf("got %v after Close", err)
	}
}

// TestWireErrorKeepsItsText checks that an error crossing the pipe keeps
// what its message is made of, so that it can still be shown in another
// language, with each argument of the type it had.
func TestWireErrorKeepsItsText(t *testing.T) {
	for _, tt := range []struct {
		name string
		err  error
		args []any // nil: the format does not cross
	}{
		{"numbers", chatpic.Errorf(chatpic.KindTooLarge, "pictures are limited to %d megapixels (this one has %.1f)", 50, 61.2), []any{int64(50), 61.2}},
		{"a duration", chatpic.Errorf(chatpic.KindTooLarge, "this video is too long: videos are limited to %s", 5*time.Minute), []any{5 * time.Minute}},
		{"a phrase", chatpic.Errorf(chatpic.KindUnsupported, "this file looks like %s", chatpic.Phrase("a PDF document")), []any{chatpic.Phrase("a PDF document")}},
		{"an error", chatpic.Errorf(chatpic.KindInvalid, "line %d: %s", 3, chatpic.Errorf(chatpic.KindInvalid, "bad")), []any{int64(3), "bad"}},
		{"something else", chatpic.Errorf(chatpic.KindInvalid, "odd %v", []int{1}), nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var w wireError
			b, err := json.Marshal(toWire(tt.err))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &w); err != nil {
				t.Fatal(err)
			}
			got := w.err()
			if chatpic.ErrorMessage(got) != chatpic.ErrorMessage(tt.err) {
				t.Errorf("message %q, want %q", chatpic.ErrorMessage(got), chatpic.ErrorMessage(tt.err))
			}
			key, args := chatpic.ErrorText(got)
			want, _ := chatpic.ErrorText(tt.err)
			if tt.args == nil {
				want = chatpic.ErrorMessage(tt.err)
			}
			if key != want || !reflect.DeepEqual(args, tt.args) {
				t.Errorf("ErrorText = %q, %#v; want %q, %#v", key, args, want, tt.args)
			}
		})
	}
}
