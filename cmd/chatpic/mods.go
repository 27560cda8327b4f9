package main

import (
	"bufio"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/chatpic/chatpic/internal/app"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
)

const modsUsage = `usage:
  chatpic mods add NAME [--admin]     (the password is read from stdin, twice)
  chatpic mods remove NAME
  chatpic mods list
  chatpic mods token NAME             (prints a new API token once; the old one stops working)
each also takes --data DIR and --db URL, as serve does`

// cmdMods manages moderator accounts.
func cmdMods(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, modsUsage)
		return errors.New("mods: say add, remove, list or token")
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("mods "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, false)
	admin := fs.Bool("admin", false, "with add: the moderator is an admin (manages moderators and channel settings)")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if want := map[string]int{"add": 1, "remove": 1, "list": 0, "token": 1}[verb]; len(pos) != want {
		fmt.Fprintln(e.stderr, modsUsage)
		return fmt.Errorf("mods %s: wrong number of arguments", verb)
	}
	mods, closeStore, err := openModeration(ctx, e, set)
	if err != nil {
		return err
	}
	defer closeStore()
	switch verb {
	case "add":
		password, err := readPassword(e)
		if err != nil {
			return err
		}
		if err := mods.AddModerator(ctx, moderation.CLI, pos[0], password, *admin); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "added %s\n", pos[0])
	case "remove":
		if err := mods.RemoveModerator(ctx, moderation.CLI, pos[0]); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "removed %s\n", pos[0])
	case "list":
		list, err := mods.Moderators(ctx, moderation.CLI)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(e.stdout, 0, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "NAME\tROLE\tSINCE")
		for _, m := range list {
			role := "moderator"
			if m.Admin {
				role = "admin"
			}
			fmt.Fprintf(tw, "%s\t%s\t%s\n", m.Name, role, m.CreatedAt.Format("2006-01-02"))
		}
		return tw.Flush()
	case "token":
		token, err := mods.NewToken(ctx, moderation.CLI, pos[0])
		if err != nil {
			return err
		}
		fmt.Fprintln(e.stdout, token)
	default:
		fmt.Fprintln(e.stderr, modsUsage)
		return fmt.Errorf("mods: unknown command %q", verb)
	}
	return nil
}

// readPassword reads a new password twice from stdin.
func readPassword(e env) (string, error) {
	r := bufio.NewReader(io.LimitReader(e.stdin, 4096))
	var got [2]string
	for i, prompt := range []string{"password: ", "again: "} {
		fmt.Fprint(e.stderr, prompt)
		line, err := r.ReadString('\n')
		if err != nil && (err != io.EOF || line == "") {
			return "", errors.New("mods add: give the password twice on stdin, one line each")
		}
		got[i] = strings.TrimRight(line, "\r\n")
	}
	fmt.Fprintln(e.stderr)
	if got[0] != got[1] {
		return "", errors.New("mods add: the two passwords differ")
	}
	return got[0], nil
}

// openModeration opens the storage named by set and a moderation service
// over it for the command line.
func openModeration(ctx context.Context, e env, set *config.Set) (*moderation.Service, func(), error) {
	cfg, err := set.Config()
	if err != nil {
		return nil, nil, fmt.Errorf("configuration:\n%w", err)
	}
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	st, err := openStorage(ctx, cfg.Storage, e, log)
	if err != nil {
		return nil, nil, err
	}
	s, err := app.New(ctx, st, log, e.now, cfg, posting.Config{}, nil)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return s.Mods, func() { st.Close() }, nil
}

const hashesUsage = `usage:
  chatpic hashes export [FILE]   (default stdout) one "sha256 HEX [note]" or "pdq HEX [note]" per line
  chatpic hashes import FILE     ("-" for stdin) bans every hash in the list; running servers pick it up
each also takes --data DIR and --db URL, as serve does`

// cmdHashes imports and exports lists of banned hashes.
func cmdHashes(ctx context.Context, e env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(e.stderr, hashesUsage)
		return errors.New("hashes: say import or export")
	}
	verb, args := args[0], args[1:]
	fs := flag.NewFlagSet("hashes "+verb, flag.ContinueOnError)
	fs.SetOutput(e.stderr)
	set := config.NewSet(fs, e.getenv, false)
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if verb == "import" && len(pos) != 1 || verb == "export" && len(pos) > 1 || verb != "import" && verb != "export" {
		fmt.Fprintln(e.stderr, hashesUsage)
		return fmt.Errorf("hashes %s: wrong arguments", verb)
	}
	mods, closeStore, err := openModeration(ctx, e, set)
	if err != nil {
		return err
	}
	defer closeStore()
	if verb == "import" {
		in := e.stdin
		if pos[0] != "-" {
			f, err := os.Open(pos[0])
			if err != nil {
				return err
			}
			defer f.Close()
			in = f
		}
		n, err := mods.ImportHashes(ctx, moderation.CLI, in, "file")
		if err != nil {
			return fmt.Errorf("hashes import: %w", err)
		}
		fmt.Fprintf(e.stdout, "imported %d new hashes\n", n)
		return nil
	}
	out := e.stdout
	if len(pos) == 1 && pos[0] != "-" {
		f, err := os.Create(pos[0])
		if err != nil {
			return err
		}
		defer f.Close()
		out = f
	}
	n, err := mods.ExportHashes(ctx, moderation.CLI, out)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stderr, "exported %d hashes\n", n)
	return nil
}
