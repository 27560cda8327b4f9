package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"text/tabwriter"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
)

const channelsUsage = `usage:
  chatpic channels list
  chatpic channels add SLUG --title T [--description D] [--capacity N] [--ttl 1h] [--nsfw]
  chatpic channels edit SLUG [--title T] [--description D] [--capacity N] [--ttl 1h|0] [--nsfw=true|false]
  chatpic channels remove SLUG [--force]
each also takes --data DIR, --db URL and --blobs URL, as serve does`

// channels manages channels while the server may be running: SQLite lets a
// second process write between the server's transactions.
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
	force := fs.Bool("force", false, "with remove: also remove the channel's uploads")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	cfg, err := set.Config()
	if err != nil {
		return fmt.Errorf("configuration:\n%w", err)
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })

	wantSlug := verb != "list"
	if wantSlug && len(pos) != 1 || !wantSlug && len(pos) != 0 {
		fmt.Fprintln(e.stderr, channelsUsage)
		return fmt.Errorf("channels %s: wrong number of arguments", verb)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return err
	}
	defer st.Close()
	now := e.now().UTC()

	switch verb {
	case "list":
		chans, err := st.db.Channels(ctx, now)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "SLUG\tTITLE\tCAPACITY\tTTL\tNSFW\tUPLOADS\tRULE")
		for _, c := range chans {
			ttl := "-"
			if c.TTL > 0 {
				ttl = c.TTL.String()
			}
			fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%t\t%d\t%s\n", c.Slug, c.Title, c.Capacity, ttl, c.NSFW, c.Count, c.Rule())
		}
		return tw.Flush()

	case "add":
		d, err := chatpic.ParseDuration(*ttl)
		if err != nil {
			return fmt.Errorf("--ttl: %s", chatpic.ErrorMessage(err))
		}
		c := chatpic.Channel{Slug: pos[0], Title: *title, Description: *description, Capacity: *capacity, TTL: d, NSFW: *nsfw, CreatedAt: now}
		if c.Title == "" {
			return errors.New("channels add: --title is required")
		}
		if err := st.db.CreateChannel(ctx, c); err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		fmt.Fprintf(e.stdout, "added %s: %s\n", c.Slug, c.Rule())
		return nil

	case "edit":
		cur, err := st.db.Channel(ctx, pos[0], now)
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		c := cur.Channel
		if given["title"] {
			c.Title = *title
		}
		if given["description"] {
			c.Description = *description
		}
		if given["capacity"] {
			c.Capacity = *capacity
		}
		if given["nsfw"] {
			c.NSFW = *nsfw
		}
		if given["ttl"] {
			if c.TTL, err = chatpic.ParseDuration(*ttl); err != nil {
				return fmt.Errorf("--ttl: %s", chatpic.ErrorMessage(err))
			}
		}
		evicted, err := st.db.UpdateChannel(ctx, c, now)
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		removeFiles(ctx, st, log, evicted)
		fmt.Fprintf(e.stdout, "edited %s: %s (%d uploads evicted)\n", c.Slug, c.Rule(), len(evicted))
		return nil

	case "remove":
		cur, err := st.db.Channel(ctx, pos[0], now)
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		if cur.Count > 0 && !*force {
			return fmt.Errorf("channels remove: %s holds %d uploads; add --force to remove them too", cur.Slug, cur.Count)
		}
		gone, err := st.db.DeleteChannel(ctx, cur.Slug, now)
		if err != nil {
			return errors.New(chatpic.ErrorMessage(err))
		}
		removeFiles(ctx, st, log, gone)
		fmt.Fprintf(e.stdout, "removed %s and %s\n", cur.Slug, plural(len(gone), "upload"))
		return nil
	}
	fmt.Fprintln(e.stderr, channelsUsage)
	return fmt.Errorf("channels: unknown verb %q", verb)
}

// removeFiles deletes the files of posts the store has already buried; what
// fails here the janitor finds later as orphans.
func removeFiles(ctx context.Context, st storage, log *slog.Logger, posts []chatpic.Post) {
	for _, p := range posts {
		for _, key := range []string{p.MediaKey(), p.ThumbKey()} {
			if err := st.blobs.Delete(ctx, key); err != nil {
				log.Warn("delete file", "key", key, "err", err)
			}
		}
	}
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

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}
