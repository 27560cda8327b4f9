package worker

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"runtime/debug"

	"github.com/chatpic/chatpic"
)

// Handler runs one kind of job in a worker. It decodes its arguments from
// args and returns a value that is encoded as JSON for the server, or an
// error (a *chatpic.Error keeps its kind and message across the pipe).
type Handler func(ctx context.Context, args json.RawMessage) (any, error)

// ErrPanicked is returned by Serve after a handler panicked: the panic was
// reported to the server as the job's failure, and the worker should exit,
// since its decoders may be left in a broken state.
var ErrPanicked = errors.New("worker: a job panicked")

// Main serves jobs in a worker process that a Pool started: it reads them
// from descriptor 3 and answers on descriptor 4 (see Serve). Whatever the
// process writes to stdout or stderr reaches the server's log only when a
// job fails.
func Main(ctx context.Context, handlers map[string]Handler) error {
	in, out := os.NewFile(3, "jobs"), os.NewFile(4, "answers")
	if in == nil || out == nil {
		return errors.New("worker: no job descriptors: a worker is started by the server, not by hand")
	}
	defer in.Close()
	defer out.Close()
	return Serve(ctx, in, out, handlers)
}

// Serve runs jobs read from in with the handler named by each, and writes
// their answers to out, one at a time, until in ends (nil), ctx is done, a
// handler panics (ErrPanicked), or in or out fails.
func Serve(ctx context.Context, in io.Reader, out io.Writer, handlers map[string]Handler) error {
	r := bufio.NewReaderSize(in, 64<<10)
	w := bufio.NewWriter(out)
	for {
		line, err := readLine(r)
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		var req request
		var rep reply
		if err := json.Unmarshal(line, &req); err != nil {
			rep.Error = toWire(chatpic.Internal(fmt.Errorf("worker: bad request: %w", err)))
		} else if h, ok := handlers[req.Op]; !ok {
			rep.Error = toWire(chatpic.Internal(fmt.Errorf("worker: no job called %q", req.Op)))
		} else {
			setMemoryLimit(req.Memory)
			rep = run(ctx, h, req.Args)
			// Between jobs an idle worker should hold little: give the
			// decoders' garbage back to the system now, not minutes later.
			debug.FreeOSMemory()
		}
		b, err := json.Marshal(rep)
		if err != nil {
			return err
		}
		if _, err := w.Write(append(b, '\n')); err != nil {
			return err
		}
		if err := w.Flush(); err != nil {
			return err
		}
		if rep.Exiting {
			return ErrPanicked
		}
	}
}

// setMemoryLimit has the Go runtime collect garbage hard as the job nears
// the memory it was expected to need: the WebAssembly decoders' memory is
// Go heap, and grows by copying, which leaves garbage behind. Three
// quarters of it leaves room for what is not Go heap (the decoders'
// compiled code).
func setMemoryLimit(need int64) {
	if need <= 0 {
		debug.SetMemoryLimit(math.MaxInt64)
		return
	}
	debug.SetMemoryLimit(need / 4 * 3)
}

// run calls h, turning a panic into the job's failure.
func run(ctx context.Context, h Handler, args json.RawMessage) (rep reply) {
	defer func() {
		if p := recover(); p != nil {
			rep = reply{Exiting: true, Error: &wireError{
				Kind:    chatpic.KindUnprocessable,
				Message: "this file could not be read",
				Cause:   fmt.Sprintf("panic: %v\n%s", p, debug.Stack()),
			}}
		}
	}()
	v, err := h(ctx, args)
	if err != nil {
		return reply{Error: toWire(err)}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return reply{Error: toWire(chatpic.Internal(fmt.Errorf("worker: encoding the result: %w", err)))}
	}
	return reply{Result: b}
}

// readLine reads one newline-terminated message of at most maxLine bytes.
func readLine(r *bufio.Reader) ([]byte, error) {
	var line []byte
	for {
		chunk, err := r.ReadSlice('\n')
		if len(line)+len(chunk) > maxLine {
			return nil, fmt.Errorf("worker: message over %d bytes", maxLine)
		}
		line = append(line, chunk...)
		switch {
		case err == nil:
			return line[:len(line)-1], nil
		case errors.Is(err, bufio.ErrBufferFull):
			continue
		case err == io.EOF && len(line) > 0:
			return nil, io.ErrUnexpectedEOF
		default:
			return nil, err
		}
	}
}
