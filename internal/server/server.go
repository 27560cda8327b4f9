// Package server runs chatpic's HTTP server: timeouts, the route table,
// middleware, and a graceful shutdown.
package server

import (
	"context"
	"crypto/tls"
	"errors"
	stdlog "log"
	"log/slog"
	"net"
	"net/http"
	"regexp"
	"strings"
	"time"

	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/request"
)

// ShutdownTimeout is how long in-flight requests get to finish once the
// server is told to stop.
const ShutdownTimeout = 20 * time.Second

// Serve answers requests on ln with h until ctx is done, then stops
// accepting, lets in-flight requests finish (up to ShutdownTimeout) and
// returns. It returns nil after a clean shutdown.
//
// It speaks HTTP/1.1 and HTTP/2: over TLS when tlsConfig is not nil (which
// must hold the certificate; ALPN picks the protocol), and otherwise in the
// clear, HTTP/2 then being for clients that know it is spoken (a proxy in
// front configured for h2c, with prior knowledge).
func Serve(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, tlsConfig *tls.Config) error {
	return ServeExpress(ctx, ln, h, log, tlsConfig, nil)
}

// Express is the express lane of a server (see package express): the
// answers it keeps, and where the requests it answers from them are
// logged and counted (as the middleware does the others).
type Express struct {
	Store *express.Store
	Deps  Deps
	Now   func() time.Time
}

// ServeExpress is Serve with the express lane in front of net/http when x
// is not nil, the server speaks in the clear and the system has epoll
// (Linux); elsewhere it is Serve.
func ServeExpress(ctx context.Context, ln net.Listener, h http.Handler, log *slog.Logger, tlsConfig *tls.Config, x *Express) error {
	stopping := make(chan struct{})
	var protocols http.Protocols
	protocols.SetHTTP1(true)
	protocols.SetHTTP2(true)
	if tlsConfig == nil {
		protocols.SetUnencryptedHTTP2(true)
	} else {
		tlsConfig = tlsConfig.Clone()
		tlsConfig.NextProtos = []string{"h2", "http/1.1"}
		ln = tls.NewListener(ln, tlsConfig)
	}
	srv := &http.Server{
		Protocols:         &protocols,
		TLSConfig:         tlsConfig,
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		// Generous enough for a 20 MB upload over a slow phone connection;
		// it still bounds a client that trickles its body.
		ReadTimeout:    10 * time.Minute,
		WriteTimeout:   10 * time.Minute,
		IdleTimeout:    2 * time.Minute,
		MaxHeaderBytes: 64 << 10,
		// net/http's own messages can name the client ("TLS handshake error
		// from 203.0.113.9:4711"): they pass through a filter first.
		ErrorLog: stdlog.New(addrScrubber{log}, "", 0),
		BaseContext: func(net.Listener) context.Context {
			return request.WithStopping(context.WithoutCancel(ctx), stopping)
		},
	}
	// Requests outlive ctx so that uploads in flight finish; event streams,
	// which never finish, end when the shutdown begins.
	srv.RegisterOnShutdown(func() { close(stopping) })
	var lane *express.Lane
	if x != nil && tlsConfig == nil {
		var err error
		lane, err = express.New(ln, express.Options{
			Handler: h,
			Store:   x.Store,
			Runs:    laneRuns,
			Log:     x.Deps.requestLog(),
			Meter:   x.Deps.meterFunc(),
			BaseContext: func() context.Context {
				return request.WithStopping(context.WithoutCancel(ctx), stopping)
			},
			Now:           x.Now,
			HeaderTimeout: srv.ReadHeaderTimeout,
			IdleTimeout:   srv.IdleTimeout,
		})
		switch {
		case err == nil:
			ln = lane.Listener()
			lane.Start()
		case errors.Is(err, express.ErrUnsupported):
			log.Debug("no express lane here", "err", err)
		default:
			return err
		}
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		if lane != nil {
			lane.Shutdown(context.Background())
		}
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	lerr := make(chan error, 1)
	if lane != nil {
		go func() { lerr <- lane.Shutdown(sctx) }()
	} else {
		lerr <- nil
	}
	err := srv.Shutdown(sctx)
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, serr)
	}
	return errors.Join(err, <-lerr)
}

// laneRuns reports whether the express lane may run a GET for path
// itself: the routes whose answers are small, finite and free of side
// effects, which it can run again through net/http when one is not (see
// express.Options.Runs). Uploads' pages (a view may be spent), event
// streams, feeds, forms and moderation are not.
func laneRuns(path []byte) bool {
	p := string(path) // asked only when no kept answer is found
	switch {
	case p == "/", p == "/favicon.ico", p == "/api/v1/channels":
		return true
	case strings.HasPrefix(p, "/static/"):
		return true
	case strings.HasPrefix(p, "/t/"), strings.HasPrefix(p, "/m/"):
		// Media without a range; a file larger than the lane holds is
		// passed to net/http before a byte is read (express.Pass).
		return !strings.Contains(p[len("/t/"):], "/")
	case strings.HasPrefix(p, "/c/"):
		return !strings.Contains(p[len("/c/"):], "/")
	case strings.HasPrefix(p, "/api/v1/channels/"):
		slug, rest, _ := strings.Cut(p[len("/api/v1/channels/"):], "/")
		return slug != "" && (rest == "" || rest == "posts")
	}
	return false
}

// addrPattern matches IPv4 and IPv6 addresses, with or without a port.
var addrPattern = regexp.MustCompile(`\[?[0-9a-fA-F]*:[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\]?(:\d+)?|\d{1,3}(\.\d{1,3}){3}(:\d+)?`)

// addrScrubber passes net/http's error messages to the logger with any IP
// address replaced, so no client address reaches a log line.
type addrScrubber struct{ log *slog.Logger }

func (a addrScrubber) Write(p []byte) (int, error) {
	msg := addrPattern.ReplaceAllString(strings.TrimSpace(string(p)), "[address]")
	a.log.Warn(msg)
	return len(p), nil
}
