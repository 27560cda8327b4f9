package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/janitor"
)

// janitor runs one clean-up pass, the same one the server runs in the
// background, and prints what it did.
func cmdJanitor(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("janitor", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, false)
	dryRun := fs.Bool("dry-run", false, "report what would be removed, remove nothing")
	graceText := fs.String("grace", "1h", "leave files and rows younger than this alone (uploads in flight)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return config.UnexpectedArgs(fs)
	}
	cfg, err := set.Config()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	grace, err := chatpic.ParseDuration(*graceText)
	if err != nil {
		return fmt.Errorf("--grace: %s", chatpic.ErrorMessage(err))
	}
	log := slog.New(slog.NewTextHandler(e.stderr, nil))
	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := janitor.New(st.DB, st.Blobs, log, nil, tempDir(cfg.Storage)).Run(ctx, e.now(), janitor.Options{DryRun: *dryRun, Grace: grace})
	verb := "removed"
	if *dryRun {
		verb = "would remove"
	}
	fmt.Fprintf(e.stdout, "janitor %s %s\n", verb, r)
	return err
}
