package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strings"
	"text/tabwriter"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/app"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
)

const channelsUsage = `usage:
  chatpic channels list
  chatpic channels add SLUG --title T [--description D] [--capacity N] [--ttl 1h] [--nsfw] [--max-files N] [--reason R]
  chatpic channels edit SLUG [--title T] [--description D] [--capacity N] [--ttl 1h|0] [--nsfw=true|false] [--max-files N] [--reason R]
  chatpic channels remove SLUG [--force] [--reason R]
each also takes --data DIR, --db URL and --blobs URL, as serve does`

// cmdChannels manages channels while the server may be running (SQLite
// lets a second process write between the server's transactions). It acts
// through the same use-case as the moderation UI, as the operator: every
// change is in the audit log (made by the command line), and the uploads
// a change takes down are announced to live pages and their files deleted
// by the same code as when a moderator takes them down.
func cmdChannels(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, channelsUsage)
		return errors.New("channels: say list, add, edit or remove")
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("channels "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, false)
	title := fs.String("title", "", "title shown to visitors")
	description := fs.String("description", "", "one line about the channel")
	capacity := fs.Int("capacity", chatpic.DefaultCapacity, "how many of the newest uploads the channel keeps")
	ttl := fs.String("ttl", "0", "uploads vanish this long after they arrive (0: never), e.g. 90s, 2h, 7d")
	nsfw := fs.Bool("nsfw", false, "mark the channel as not safe for work")
	maxFiles := fs.Int("max-files", chatpic.MaxFiles, "the most files one upload may carry (an album); 1 for none")
	force := fs.Bool("force", false, "with remove: also remove the channel's uploads")
	reason := fs.String("reason", "", "why, for the audit log")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	wantSlug := verb != "list"
	if wantSlug && len(pos) != 1 || !wantSlug && len(pos) != 0 {
		fmt.Fprintln(e.stderr, channelsUsage)
		return fmt.Errorf("channels %s: wrong number of arguments", verb)
	}
	switch verb {
	case "list", "add", "edit", "remove":
	default:
		fmt.Fprintln(e.stderr, channelsUsage)
		return fmt.Errorf("channels: unknown verb %q", verb)
	}
	site, closeSite, err := openOperator(ctx, e, set)
	if err != nil {
		return err
	}
	defer closeSite()

	switch verb {
	case "list":
		chans, err := site.Posts.Channels(ctx)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tTITLE\tCAPACITY\tTTL\tNSFW\tFILES\tUPLOADS\tRULE")
		for _, c := range chans {
			ttl := "-"
			if c.TTL > 0 {
				ttl = c.TTL.String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%t\t%d\t%d\t%s\n", c.Slug, c.Title, c.Capacity, ttl, c.NSFW, c.FileLimit(), c.Count, c.Rule())
		}
		return tw.Flush()

	case "add":
		d, err := chatpic.ParseDuration(*ttl)
		if err != nil {
			return fmt.Errorf("--ttl: %s", chatpic.ErrorMessage(err))
		}
		c := chatpic.Channel{Slug: pos[0], Title: *title, Description: *description, Capacity: *capacity, TTL: d, NSFW: *nsfw, MaxFiles: *maxFiles}
		if c.Title == "" {
			return errors.New("channels add: --title is required")
		}
		if err := site.Mods.AddChannel(ctx, moderation.CLI, c, *reason); err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "added %s: %s\n", c.Slug, c.Rule())
		return nil

	case "edit":
		var edit moderation.ChannelEdit
		if given["title"] {
			edit.Title = title
		}
		if given["description"] {
			edit.Description = description
		}
		if given["capacity"] {
			edit.Capacity = capacity
		}
		if given["nsfw"] {
			edit.NSFW = nsfw
		}
		if given["max-files"] {
			edit.MaxFiles = maxFiles
		}
		if given["ttl"] {
			d, err := chatpic.ParseDuration(*ttl)
			if err != nil {
				return fmt.Errorf("--ttl: %s", chatpic.ErrorMessage(err))
			}
			edit.TTL = &d
		}
		evicted, err := site.Mods.EditChannel(ctx, moderation.CLI, pos[0], edit, *reason)
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		c, err := site.Posts.Channel(ctx, pos[0])
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "edited %s: %s (%d uploads evicted)\n", c.Slug, c.Rule(), len(evicted))
		return nil
	}
	// remove
	gone, err := site.Mods.RemoveChannel(ctx, moderation.CLI, pos[0], *force, *reason)
	if err != nil {
		return fmt.Errorf("channels remove: %s", chatpic.ErrorMessage(err))
	}
	fmt.Fprintf(e.stdout, "removed %s and %s\n", pos[0], chatpic.Plural(int64(len(gone)), "upload"))
	return nil
}

// openOperator opens the storage named by set and the use-cases over it,
// for a command by which the operator changes what running servers show.
// What such a change takes down is announced by appending to the shared
// event log (events.Shared, without delivering anything here), which every
// running instance delivers to its live pages: on PostgreSQL through its
// shared broker, on SQLite by relaying the log (events.Relay).
func openOperator(ctx context.Context, e env, set *config.Set) (*app.Site, func(), error) {
	cfg, err := set.Config()
	if err != nil {
		return nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return nil, nil, err
	}
	pub, err := events.NewShared(ctx, st.DB, events.Options{Now: e.now}, log)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	s, err := app.New(ctx, st, log, e.now, cfg, posting.Config{Events: pub}, nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return s, func() { st.Close() }, nil
}

// parseInterspersed parses flags that may come before, between or after
// positional arguments ("add SLUG --title T" and "add --title T SLUG").
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}
