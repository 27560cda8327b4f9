package server

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/compress"
	"github.com/chatpic/chatpic/internal/request"
)

// RequestMeter counts requests by the pattern of the route they matched
// ("" for none) and their status, with their duration. *meter.Meter
// implements it.
type RequestMeter interface {
	Request(route string, status int, took time.Duration)
}

// Deps is what the middleware needs.
type Deps struct {
	Log *slog.Logger
	// Meter, if not nil, counts every request.
	Meter RequestMeter
	// Requests, if not nil, takes the line logged for every request
	// instead of Log: a logger over a lines.Batcher spares a busy server
	// a write per request.
	Requests *slog.Logger
}

// pageCSP allows nothing but our own files: no inline script, no third
// party. blob: lets the uploader preview a chosen picture before it is
// sent; such URLs can only be made by our own script. manifest-src lets
// browsers read the web app manifest that makes the site installable.
// Media responses replace it with a sandbox policy.
const pageCSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; media-src 'self'; " +
	"connect-src 'self'; manifest-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

// failFunc answers a request with an error, in the form of its surface (a
// page or JSON), logging it once if it is internal.
type failFunc func(w http.ResponseWriter, r *http.Request, err error)

func withMiddleware(next http.Handler, deps Deps, fail failFunc) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The API answers every error in its JSON shape, this one too.
		if isAPI(r) {
			fail(w, r, chatpic.Errorf(chatpic.KindForbidden, "cross-site requests are refused"))
			return
		}
		http.Error(w, "cross-site form posts are refused", http.StatusForbidden)
	}))
	h := cop.Handler(compress.Handler(next))
	h = securityHeaders(h)
	h = recoverPanics(h, fail)
	return logRequests(h, deps.requestLog(), deps.Meter)
}

// requestLog is where the line of every request goes.
func (d Deps) requestLog() *slog.Logger {
	if d.Requests != nil {
		return d.Requests
	}
	return d.Log
}

// meterFunc is d.Meter as the express lane takes it (nil without one).
func (d Deps) meterFunc() func(route string, status int, took time.Duration) {
	if d.Meter == nil {
		return nil
	}
	return d.Meter.Request
}

// Header values every response shares. net/http only reads them, so one
// slice serves all responses, and setting them by their canonical keys
// skips what Header.Set costs on every request (canonicalising the key,
// allocating the slice).
var (
	pageCSPValue     = []string{pageCSP}
	noReferrer       = []string{"no-referrer"}
	nosniff          = []string{"nosniff"}
	denyFrames       = []string{"DENY"}
	permissionsValue = []string{"interest-cohort=(), geolocation=(), camera=(), microphone=()"}
)

// securityHeaders sets the headers that keep a page from being framed,
// leaking where it was, sniffed as something else, or loading anything
// not ours. Media files (/m/, /t/) get only the last two: their handler
// replaces the policy with a sandbox, they link nowhere, and framing a
// picture tricks no one.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h["Content-Security-Policy"] = pageCSPValue
		h["X-Content-Type-Options"] = nosniff
		if p := r.URL.Path; !strings.HasPrefix(p, "/m/") && !strings.HasPrefix(p, "/t/") {
			h["Referrer-Policy"] = noReferrer
			h["X-Frame-Options"] = denyFrames
			h["Permissions-Policy"] = permissionsValue
		}
		next.ServeHTTP(w, r)
	})
}

// recoverPanics turns a panic in a handler into an internal error answered
// as any other (a JSON error from the API, the error page elsewhere) and
// logged once with its stack, instead of a dropped connection. A response
// already under way can only be cut short.
func recoverPanics(next http.Handler, fail failFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			v := recover()
			if v == nil {
				return
			}
			if v == http.ErrAbortHandler {
				panic(v)
			}
			err := chatpic.Internal(fmt.Errorf("server: handler panicked: %v\n%s", v, debug.Stack()))
			if rec, ok := w.(*statusRecorder); ok && rec.status != 0 {
				panic(fmt.Errorf("%w (after the response began)", err))
			}
			fail(w, r, err)
		}()
		next.ServeHTTP(w, r)
	})
}

type statusRecorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := s.ResponseWriter.Write(b)
	s.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach the real writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// ReadFrom hands the copy to the real writer, which sends a file with
// sendfile: without it, http.ServeContent copied media through user space.
func (s *statusRecorder) ReadFrom(r io.Reader) (int64, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	n, err := io.Copy(s.ResponseWriter, r)
	s.bytes += n
	return n, err
}

// StatusClientGone is the status logged for a request whose client went
// away before it was answered (nginx's 499): not a failure of ours.
const StatusClientGone = 499

// logRequests logs one line per request: method, path, status, size and
// duration. Never the client's address, user agent, query string or a
// deletion link's token (see request.LogPath). A
// request whose client went away before the answer is logged at debug
// level as "client gone" with status 499, whatever the handler made of
// its cancelled work.
func logRequests(next http.Handler, log *slog.Logger, meter RequestMeter) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		took := time.Since(start)
		level, msg, status := slog.LevelInfo, "request", rec.status
		if r.Context().Err() != nil && (status == 0 || status >= 500) {
			level, msg, status = slog.LevelDebug, "client gone", StatusClientGone
		}
		log.LogAttrs(r.Context(), level, msg,
			slog.String("method", r.Method),
			slog.String("path", request.LogPath(r)),
			slog.Int("status", status),
			slog.Int64("bytes", rec.bytes),
			slog.Duration("took", took))
		if meter != nil {
			// The mux wrote the pattern it matched into r.
			meter.Request(r.Pattern, status, took)
		}
	})
}

func readyz(checks []Pinger, log *slog.Logger) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 5*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		for _, c := range checks {
			if err := c.Ping(ctx); err != nil {
				log.Error("not ready", "err", err)
				w.WriteHeader(http.StatusServiceUnavailable)
				w.Write([]byte("not ready\n"))
				return
			}
		}
		w.Write([]byte("ready\n"))
	}
}
