package main

import (
	"context"
	"flag"
	"fmt"
	"strings"

	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// cmdMigrate applies the database migrations this binary knows and the
// database lacks, or with --status only lists them. Several instances
// starting at once are safe: the store serialises migrations.
func cmdMigrate(ctx context.Context, e env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, false)
	status := fs.Bool("status", false, "list the migrations the database lacks, apply nothing")
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
	db, err := sqlstore.OpenWith(ctx, cfg.Storage.DB, sqlstore.Options{SkipMigrations: true})
	if err != nil {
		return err
	}
	defer db.Close()
	step, verb := db.Migrate, "applied"
	if *status {
		step, verb = db.Pending, "the database lacks"
	}
	names, err := step(ctx)
	if err != nil {
		return err
	}
	if len(names) == 0 {
		fmt.Fprintln(e.stdout, "the database is up to date")
		return nil
	}
	fmt.Fprintf(e.stdout, "%s %d migration(s): %s\n", verb, len(names), strings.Join(names, ", "))
	return nil
}
