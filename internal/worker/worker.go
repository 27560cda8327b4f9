// Package worker runs untrusted, heavy work in separate processes of the
// chatpic binary ("chatpic worker"): today the WebAssembly decoders of HEIC,
// AVIF and video. A panic, a hang or runaway memory in one of them then costs
// only the job that caused it, never the server; and a worker that has been
// idle for a while exits, so that the memory its decoders took goes back to
// the operating system.
//
// Pool is the server's side: it starts workers on demand, gives each one job
// at a time, and kills a worker whose job passes its deadline or its memory
// ceiling, or whose caller gives up. Serve is the worker's side: it reads
// jobs from its input, runs them, and writes each answer to its output.
//
// The two sides speak newline-delimited JSON over the worker's stdin and
// stdout. Jobs name files by path (in the server's temporary folder) rather
// than carrying their bytes, so what crosses the pipe stays small.
package worker

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/chatpic/chatpic"
)

// EnvMarker is set to "1" in the environment of every worker process the
// Pool starts. A test binary standing in for the chatpic binary checks it in
// TestMain to serve jobs instead of running its tests.
const EnvMarker = "CHATPIC_WORKER"

// maxLine bounds one message on the pipe, either way.
const maxLine = 1 << 20

// request is one job, as sent to a worker.
type request struct {
	Op   string          `json:"op"`
	Args json.RawMessage `json:"args"`
	// Memory is the job's expected peak (Limits.Memory), 0 for none.
	Memory int64 `json:"memory,omitempty"`
}

// reply is a worker's answer to one request.
type reply struct {
	Result json.RawMessage `json:"result,omitempty"`
	Error  *wireError      `json:"error,omitempty"`
	// Exiting says the worker stops after this reply (it recovered from a
	// panic, and its decoders' state can no longer be trusted).
	Exiting bool `json:"exiting,omitempty"`
}

// wireError carries a *chatpic.Error across the pipe: its kind and safe
// message, what the message is made of (for showing it in another
// language, see chatpic.ErrorText), and the text of its cause for the
// server's log.
type wireError struct {
	Kind    chatpic.Kind `json:"kind"`
	Message string       `json:"message,omitempty"`
	Format  string       `json:"format,omitempty"`
	Args    []wireArg    `json:"args,omitempty"`
	Cause   string       `json:"cause,omitempty"`
}

// wireArg is one argument of a message, with its type, so that it formats
// on the server as it did in the worker.
type wireArg struct {
	Int      *int64          `json:"int,omitempty"`
	Float    *float64        `json:"float,omitempty"`
	Duration *time.Duration  `json:"duration,omitempty"`
	Text     *string         `json:"text,omitempty"`
	Phrase   *chatpic.Phrase `json:"phrase,omitempty"`
}

func toWireArgs(args []any) ([]wireArg, bool) {
	out := make([]wireArg, 0, len(args))
	for _, a := range args {
		var w wireArg
		switch v := a.(type) {
		case time.Duration:
			w.Duration = &v
		case int:
			n := int64(v)
			w.Int = &n
		case int64:
			w.Int = &v
		case float64:
			w.Float = &v
		case string:
			w.Text = &v
		case chatpic.Phrase:
			w.Phrase = &v
		case error: // as the message shows it: never its cause
			s := chatpic.ErrorMessage(v)
			w.Text = &s
		default:
			return nil, false // the English message will do
		}
		out = append(out, w)
	}
	return out, true
}

func (w wireArg) value() any {
	switch {
	case w.Duration != nil:
		return *w.Duration
	case w.Int != nil:
		return *w.Int
	case w.Float != nil:
		return *w.Float
	case w.Text != nil:
		return *w.Text
	case w.Phrase != nil:
		return *w.Phrase
	}
	return ""
}

func toWire(err error) *wireError {
	w := &wireError{Kind: chatpic.ErrorKind(err), Cause: err.Error()}
	if e, ok := errors.AsType[*chatpic.Error](err); ok {
		w.Message = e.Message
		if args, ok := toWireArgs(e.Args); ok && e.Format != "" {
			w.Format, w.Args = e.Format, args
		}
		if e.Err != nil {
			w.Cause = e.Err.Error()
		}
	}
	return w
}

func (w *wireError) err() error {
	cause := errors.New(w.Cause)
	if w.Kind == chatpic.KindInternal || w.Kind == "" {
		return chatpic.Internal(fmt.Errorf("worker: %w", cause))
	}
	e := &chatpic.Error{Kind: w.Kind, Message: w.Message, Format: w.Format, Err: cause}
	for _, a := range w.Args {
		e.Args = append(e.Args, a.value())
	}
	return e
}
