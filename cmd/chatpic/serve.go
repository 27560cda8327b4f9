package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/chatpic/chatpic/internal/api"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/heif"
	"github.com/chatpic/chatpic/internal/janitor"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
	"github.com/chatpic/chatpic/internal/server"
	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/web"
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

	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return err
	}
	defer st.Close()
	tmp := filepath.Join(cfg.Storage.Data, "tmp")
	if err := os.MkdirAll(tmp, 0o750); err != nil {
		return fmt.Errorf("temp folder: %w", err)
	}

	// The compiled ffmpeg is cached in a folder that only chatpic's user
	// can write: it is native code that gets executed.
	vctx, stopVideo := context.WithCancel(ctx)
	videos := startVideo(vctx, video.Options{
		CacheDir:     filepath.Join(cfg.Storage.Cache, "ffmpeg"),
		SystemFFmpeg: cfg.Upload.SystemFFmpeg,
	}, log)
	defer func() {
		stopVideo() // a compile still running gives up
		videos.Close()
	}()

	// With PostgreSQL, live events go through its event log and
	// LISTEN/NOTIFY, so every instance's streams see every instance's
	// events; on one box they stay in memory.
	var broker events.Broker = events.NewMemory(events.Options{})
	var shared *events.Shared
	if st.db.Dialect() == "postgres" {
		if shared, err = events.NewShared(ctx, st.db, events.Options{Now: e.now}, log); err != nil {
			return err
		}
		broker = shared
	}
	limits := media.DefaultLimits()
	limits.MaxPixels = cfg.Upload.MaxPixels
	site, err := newSite(ctx, st, log, e.now, cfg, posting.Config{
		MaxBytes: cfg.Upload.MaxBytes, Media: limits, TempDir: tmp,
		Video: videos, Events: broker,
		VideoLimits: video.Limits{
			MaxBytes: cfg.Upload.MaxVideoBytes, MaxDuration: cfg.Upload.MaxVideoDuration, MaxPixels: cfg.Upload.MaxPixels,
		},
	})
	if err != nil {
		return err
	}
	posts := site.posts
	origin := request.NewOrigin(cfg.HTTP.BaseURL, cfg.HTTP.TrustedProxies)
	pages, err := web.New(posts, site.mods, origin, log)
	if err != nil {
		return err
	}
	if r := mediaRedirector(cfg.HTTP.MediaRedirect, st.s3); r != nil {
		pages.RedirectMedia(r)
		if _, ok := r.(cdn); ok {
			log.Warn("media requests are redirected to a CDN that reads the bucket: hidden, pending and " +
				"view-limited uploads stay reachable there by ID while their files exist (docs/deploy.md)")
		}
	}
	handler := server.Routes(pages, api.New(posts, site.mods, origin, log, broker),
		[]server.Pinger{st.db, st.blobs}, server.Deps{Log: log})

	ln, err := net.Listen("tcp", cfg.HTTP.Addr)
	if err != nil {
		return err
	}
	log.Info("chatpic is listening", "addr", ln.Addr().String(), "data", cfg.Storage.Data)
	if e.ready != nil {
		e.ready(ln.Addr())
	}

	var wg sync.WaitGroup
	// Compile the HEIC and AVIF decoders now rather than on the first
	// upload, which would take a second longer. It ends by itself.
	wg.Go(func() {
		heif.Warm()
		log.Info("HEIF decoders ready", "backend", heif.Backend())
	})
	jctx, stopJanitor := context.WithCancel(ctx)
	if shared != nil {
		wg.Go(func() {
			if err := shared.Run(jctx); err != nil {
				log.Error("live events stopped", "err", err)
			}
		})
	}
	wg.Go(func() {
		janitor.New(st.db, st.blobs, log, posts.Gone).Loop(jctx, cfg.Janitor.Interval, e.now)
	})
	wg.Go(func() { site.guard.PruneLoop(jctx, time.Minute) })
	err = server.Serve(ctx, ln, handler, log)
	stopJanitor()
	wg.Wait()
	log.Info("stopped")
	return err
}
