package main

import (
	"context"
	"crypto/tls"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chatpic/chatpic/internal/api"
	"github.com/chatpic/chatpic/internal/app"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/express"
	"github.com/chatpic/chatpic/internal/janitor"
	"github.com/chatpic/chatpic/internal/lines"
	"github.com/chatpic/chatpic/internal/meter"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
	"github.com/chatpic/chatpic/internal/server"
	"github.com/chatpic/chatpic/internal/web"
	"github.com/chatpic/chatpic/internal/worker"
)

func cmdServe(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, true)
	printConfig := fs.Bool("print-config", false, "print the resolved configuration and exit")
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, err := set.Config()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	if *printConfig {
		cfg.Dump(e.stdout)
		return nil
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	files, err := raiseOpenFiles()
	if err != nil {
		return fmt.Errorf("reading the open-file limit: %w", err)
	}
	cp := capsFor(files)
	log.Info("client caps", "open_files", cp.files, "uploads_in_flight", cp.uploads, "streams", cp.streams,
		"uploads_per_client", cfg.Upload.UploadsPerClient, "streams_per_client", cfg.HTTP.StreamsPerClient)
	lim := api.Limits{StreamsPerClient: cfg.HTTP.StreamsPerClient, Streams: cp.streams}

	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// Uploads are spooled and converted in one folder, emptied at every
	// start: what a crash left there holds uploads as they were sent, with
	// their metadata.
	tmp := tempDir(cfg.Storage)
	if err := os.RemoveAll(tmp); err != nil {
		return fmt.Errorf("emptying the temp folder: %w", err)
	}
	if err := os.MkdirAll(tmp, 0o700); err != nil {
		return fmt.Errorf("temp folder: %w", err)
	}
	exe, err := self()
	if err != nil {
		return fmt.Errorf("finding the chatpic executable to start workers: %w", err)
	}
	codecs, pools, stopWorkers := mediaWorkers(exe, e, cfg, tmp, log)
	defer stopWorkers()

	// With PostgreSQL, live events go through its event log and
	// LISTEN/NOTIFY, so every instance's streams see every instance's
	// events; on one box they stay in memory.
	var broker events.Broker = events.NewMemory(events.Options{})
	var shared *events.Shared
	if st.DB.Shared() {
		if shared, err = events.NewShared(ctx, st.DB, events.Options{Now: e.now}, log); err != nil {
			return err
		}
		broker = shared
	}
	pc := app.Posting(cfg.Upload)
	pc.TempDir, pc.Codecs, pc.Events, pc.UploadsInFlight = tmp, codecs, broker, cp.uploads
	var m *meter.Meter
	if cfg.HTTP.MetricsAddr != "" {
		m = meter.New()
	}
	site, err := app.New(ctx, st, log, e.now, cfg, pc, m)
	if err != nil {
		return err
	}
	posts := site.Posts
	origin := request.NewOrigin(cfg.HTTP.BaseURL, cfg.HTTP.TrustedProxies)
	pages, err := web.New(posts, site.Mods, origin, log)
	if err != nil {
		return err
	}
	pages.NSFWFeeds(cfg.HTTP.NSFWFeeds)
	if r := mediaRedirector(cfg.HTTP.MediaRedirect, st.S3); r != nil {
		pages.RedirectMedia(r)
		if _, ok := r.(cdn); ok {
			log.Warn("media requests are redirected to a CDN that reads the bucket: hidden, pending and " +
				"view-limited uploads stay reachable there by ID while their files exist (docs/deploy.md)")
		}
	}
	// The line of every request goes out in batches, at most a tenth of a
	// second late; everything else is written at once.
	requestLines := lines.New(e.stderr)
	defer requestLines.Close()
	surface := api.New(posts, site.Mods, origin, log, broker, lim)
	deps := server.Deps{Log: log, Requests: slog.New(slog.NewTextHandler(requestLines, nil))}
	if m != nil {
		deps.Meter = m
		pages.CountFailures(m)
		surface.CountFailures(m)
		m.Gauge("chatpic_uploads_in_flight", func() float64 { return float64(posts.InFlight()) })
		m.Gauge("chatpic_live_streams_open", func() float64 { return float64(surface.OpenStreams()) })
		m.Gauge(`chatpic_media_waiting{class="light"}`, func() float64 { return float64(posts.MediaQueue().Light) })
		m.Gauge(`chatpic_media_waiting{class="heavy"}`, func() float64 { return float64(posts.MediaQueue().Heavy) })
		m.Gauge("chatpic_media_memory_in_use_bytes", func() float64 { return float64(posts.MediaQueue().InUse) })
		for name, p := range pools {
			m.Gauge(`chatpic_media_workers{pool="`+name+`"}`, func() float64 { return float64(p.Live()) })
			m.Gauge(`chatpic_media_worker_peak_rss_bytes{pool="`+name+`"}`, func() float64 { return float64(p.Peak()) })
		}
	}
	handler := server.Routes(pages, surface, []server.Pinger{st.DB, st.Blobs}, deps)

	var tlsConfig *tls.Config
	if cfg.HTTP.TLSCert != "" {
		cert, err := tls.LoadX509KeyPair(cfg.HTTP.TLSCert, cfg.HTTP.TLSKey)
		if err != nil {
			return fmt.Errorf("--tls-cert, --tls-key: %w", err)
		}
		tlsConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	var metricsLn net.Listener
	if m != nil {
		if metricsLn, err = net.Listen("tcp", cfg.HTTP.MetricsAddr); err != nil {
			ln.Close()
			return fmt.Errorf("--metrics-addr: %w", err)
		}
		log.Info("metrics are served", "addr", metricsLn.Addr().String(), "path", "/metrics")
	}
	log.Info("chatpic is listening", "addr", ln.Addr().String(), "data", cfg.Storage.Data)
	if e.ready != nil {
		e.ready(ln.Addr())
	}

	var wg sync.WaitGroup
	jctx, stopJanitor := context.WithCancel(ctx)
	// The first start compiles ffmpeg into the cache in a worker (15-20 s
	// of CPU), so the first video upload does not wait for it; the worker
	// exits once idle. Later starts find the cache and skip this.
	if cache := filepath.Join(cfg.Storage.Cache, "ffmpeg"); empty(cache) && !cfg.Upload.SystemFFmpeg {
		wg.Go(func() {
			start := time.Now()
			if err := codecs.WarmVideo(jctx, worker.Limits{Memory: posting.VideoMemory}); err != nil {
				if jctx.Err() == nil {
					log.Error("compiling the video tools failed; video uploads will try again", "err", err)
				}
				return
			}
			log.Info("video tools compiled", "took", time.Since(start).Round(time.Millisecond))
		})
	}
	if shared != nil {
		wg.Go(func() {
			if err := shared.Run(jctx); err != nil {
				log.Error("live events stopped", "err", err)
			}
		})
	}
	if shared == nil {
		// Commands (chatpic channels remove, say) append what they change
		// to the event log, which this server relays to its live pages.
		wg.Go(func() {
			if err := events.Relay(jctx, st.DB, broker, events.RelayPoll, log); err != nil && jctx.Err() == nil {
				log.Error("relaying events from commands stopped", "err", err)
			}
		})
	}
	jan := janitor.New(st.DB, st.Blobs, log, posts.Gone, tmp)
	if m != nil {
		jan.Observe(func(r janitor.Report, err error) { m.JanitorRun(r.Counts(), err != nil) })
	}
	wg.Go(func() { jan.Loop(jctx, cfg.Janitor.Interval, e.now) })
	wg.Go(func() { site.Guard.PruneLoop(jctx, time.Minute) })
	if site.Alerts != nil {
		wg.Go(func() { site.Alerts.Run(jctx) })
		wg.Go(func() { site.Mods.WatchQueue(jctx, time.Minute, cfg.Alerts.QueueWait) })
	}
	if metricsLn != nil {
		// The same server as the site's: its timeouts, and net/http's own
		// messages stripped of client addresses.
		wg.Go(func() {
			if err := server.Serve(jctx, metricsLn, m.Handler(), log.With("server", "metrics"), nil); err != nil {
				log.Error("serving metrics stopped", "err", err)
			}
		})
	}
	var lane *server.Express
	if cfg.HTTP.ExpressMemory > 0 {
		lane = &server.Express{Store: express.NewStore(cfg.HTTP.ExpressMemory, e.now), Deps: deps, Now: e.now}
		pages.Express(lane.Store)
		surface.Express(lane.Store)
	}
	err = server.ServeExpress(ctx, ln, handler, log, tlsConfig, lane)
	stopJanitor()
	wg.Wait()
	log.Info("stopped")
	return err
}

// tempDir is the folder of uploads being spooled and converted.
func tempDir(s config.Storage) string { return filepath.Join(s.Data, "tmp") }

// empty reports whether dir holds nothing (or does not exist).
func empty(dir string) bool {
	entries, err := os.ReadDir(dir)
	return err != nil || len(entries) == 0
}

// self returns the path that starts this very program: on Linux
// /proc/self/exe, which stays this binary even if an upgrade replaces the
// file meanwhile (a worker must speak its server's protocol), elsewhere
// the executable's path.
func self() (string, error) {
	const proc = "/proc/self/exe"
	if _, err := os.Stat(proc); err == nil {
		return proc, nil
	}
	return os.Executable()
}

// caps are the bounds on what clients hold open at once, derived from how
// many files the process may open.
type caps struct {
	files, uploads, streams int
}

// fileReserve is the part of the open-file limit kept for what is not a
// client: the database, media files, workers' pipes, the listener, and
// room to accept and refuse connections past the caps.
const fileReserve = 512

// capsFor divides an open-file limit: two thirds of what is left after the
// reserve go to event streams (one socket each), a twelfth to uploads in
// flight (a socket, the spooled and cleaned files, a worker's pipes).
func capsFor(files int) caps {
	avail := max(files-fileReserve, 256)
	return caps{files: files, streams: max(avail*2/3, 64), uploads: max(avail/12, 16)}
}
