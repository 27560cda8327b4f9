// Command chatpic runs the chatpic site and its admin tasks. It is the only
// place that reads flags and the environment and wires concrete parts
// together.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"sort"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, env{
		args: os.Args[1:], getenv: os.Getenv,
		stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr,
		now: time.Now,
	})
	if err != nil && !errors.Is(err, flag.ErrHelp) {
		fmt.Fprintln(os.Stderr, "chatpic:", err)
		os.Exit(1)
	}
}

// env is everything a run takes from the outside world, so that tests can
// run the whole program in-process with their own clock and streams.
type env struct {
	args   []string
	getenv func(string) string
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	now    func() time.Time
	// ready, if set, is called with the listening address once serve
	// accepts connections.
	ready func(addr net.Addr)
}

// command is one subcommand.
type command struct {
	summary string
	run     func(ctx context.Context, e env, args []string) error
}

func commands() map[string]command {
	return map[string]command{
		"serve":    {"run the site (the default)", cmdServe},
		"channels": {"list, add, edit or remove channels: channels list|add|edit|remove", cmdChannels},
		"mods":     {"manage moderator accounts: mods add|remove|list|token", cmdMods},
		"hashes":   {"import or export banned hashes: hashes import|export", cmdHashes},
		"janitor":  {"run one clean-up pass: janitor [--dry-run]", cmdJanitor},
		"migrate":  {"apply database migrations: migrate [--status]", cmdMigrate},
		"upload":   {"upload files to a running chatpic: upload FILE... [--server URL] [--channel SLUG]", cmdUpload},
		"backup":   {"copy a running SQLite site to a new folder: backup DEST", cmdBackup},
		"restore":  {"put a backup back into a stopped site: restore SRC", cmdRestore},
		"health":   {"check a running server's /healthz: health [--url URL]", cmdHealth},
		"version":  {"print the version", cmdVersion},
		"worker":   {"(started by serve) decode HEIC, AVIF and video for the server", cmdWorker},
	}
}

// run runs the subcommand named by e.args[0], "serve" if there is none.
func run(ctx context.Context, e env) error {
	name, args := "serve", e.args
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		name, args = args[0], args[1:]
	}
	if name == "help" {
		usage(e.stdout)
		return nil
	}
	cmd, ok := commands()[name]
	if !ok {
		usage(e.stderr)
		return fmt.Errorf("unknown command %q", name)
	}
	return cmd.run(ctx, e, args)
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: chatpic [command] [flags]\n\ncommands:")
	cmds := commands()
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-9s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'chatpic COMMAND --help' for a command's flags.")
}
