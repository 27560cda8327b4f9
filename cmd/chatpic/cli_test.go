package main

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"
	"time"
)

// runCLI runs chatpic with args and an environment, returning its output
// and error.
func runCLI(t *testing.T, getenv func(string) string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), env{args: args, getenv: getenv, stdin: strings.NewReader(""),
		stdout: &out, stderr: io.Discard, now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }})
	return out.String(), err
}

func TestChannelsCLI(t *testing.T) {
	data := t.TempDir()
	steps := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{"list the seeds", []string{"channels", "list"}, "flash", ""},
		{"add with flags after the slug", []string{"channels", "add", "cats", "--title", "Cats", "--capacity", "5", "--ttl", "90m"}, "keeps the newest 5; uploads vanish after 90 minutes", ""},
		{"add with flags before the slug", []string{"channels", "add", "--title", "Dogs", "--nsfw", "dogs"}, "keeps the newest 100", ""},
		{"add a duplicate", []string{"channels", "add", "cats", "--title", "Again"}, "", "exists already"},
		{"add without a title", []string{"channels", "add", "birds"}, "", "--title is required"},
		{"add a bad slug", []string{"channels", "add", "Bad Slug", "--title", "x"}, "", "a-z, 0-9"},
		{"add a bad ttl", []string{"channels", "add", "fish", "--title", "Fish", "--ttl", "soon"}, "", "not a duration"},
		{"edit only what is given", []string{"channels", "edit", "cats", "--capacity", "7"}, "keeps the newest 7; uploads vanish after 90 minutes", ""},
		{"edit the ttl away", []string{"channels", "edit", "cats", "--ttl", "0"}, "edited cats: keeps the newest 7 (0 uploads evicted)", ""},
		{"edit an unknown channel", []string{"channels", "edit", "nope", "--capacity", "3"}, "", "no channel called"},
		{"list shows the changes", []string{"channels", "list"}, "cats", ""},
		{"remove", []string{"channels", "remove", "dogs"}, "removed dogs and 0 uploads", ""},
		{"remove again", []string{"channels", "remove", "dogs"}, "", "no channel called"},
		{"no verb", []string{"channels"}, "", "say list, add, edit or remove"},
		{"unknown verb", []string{"channels", "rename", "cats"}, "", "unknown verb"},
		{"missing slug", []string{"channels", "remove"}, "", "wrong number of arguments"},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			out, err := runCLI(t, noEnv, append(s.args, "--data", data)...)
			if s.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), s.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, s.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, s.wantOut) {
				t.Fatalf("output %q, error %v; want output containing %q", out, err, s.wantOut)
			}
		})
	}
}

func TestCommands(t *testing.T) {
	data := t.TempDir()
	env := map[string]string{"CHATPIC_DATA": data, "CHATPIC_ADDR": "127.0.0.1:9999"}
	getenv := func(k string) string { return env[k] }
	tests := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{"version", []string{"version"}, "chatpic ", ""},
		{"help", []string{"help"}, "channels", ""},
		{"unknown command", []string{"frobnicate"}, "", `unknown command "frobnicate"`},
		{"print config from the environment", []string{"serve", "--print-config"}, "addr             127.0.0.1:9999", ""},
		{"a flag wins over the environment", []string{"serve", "--print-config", "--addr", ":7000"}, "addr             :7000", ""},
		{"bad configuration is reported whole", []string{"serve", "--max-upload", "lots", "--base-url", "ftp://x"}, "", "--base-url"},
		{"janitor dry run", []string{"janitor", "--dry-run"}, "would remove 0 expired posts", ""},
		{"janitor with a bad grace", []string{"janitor", "--grace", "later"}, "", "--grace"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			out, err := runCLI(t, getenv, tt.args...)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(out, tt.wantOut) {
				t.Fatalf("output %q, error %v; want output containing %q", out, err, tt.wantOut)
			}
		})
	}
}

// TestMigrateCommand walks a new database through chatpic migrate: serve
// --no-migrate refuses it while it is behind, --status lists what it lacks,
// migrate applies it, and then both say it is up to date.
func TestMigrateCommand(t *testing.T) {
	data := t.TempDir()
	getenv := func(k string) string {
		return map[string]string{"CHATPIC_DATA": data, "CHATPIC_ADDR": "127.0.0.1:0"}[k]
	}
	steps := []struct {
		name    string
		args    []string
		wantOut string
		wantErr string
	}{
		{"serve refuses a database that is behind", []string{"serve", "--no-migrate"}, "", "run chatpic migrate"},
		{"status lists what is missing", []string{"migrate", "--status"}, "the database lacks", ""},
		{"status names the first migration", []string{"migrate", "--status"}, "0001_init.sql", ""},
		{"migrate applies them", []string{"migrate"}, "applied", ""},
		{"then there is nothing left", []string{"migrate"}, "the database is up to date", ""},
		{"and status agrees", []string{"migrate", "--status"}, "the database is up to date", ""},
	}
	for _, st := range steps {
		out, err := runCLI(t, getenv, st.args...)
		if st.wantErr != "" {
			if err == nil || !strings.Contains(err.Error(), st.wantErr) {
				t.Fatalf("%s: error %v, want one containing %q", st.name, err, st.wantErr)
			}
			continue
		}
		if err != nil || !strings.Contains(out, st.wantOut) {
			t.Fatalf("%s: output %q, error %v; want output containing %q", st.name, out, err, st.wantOut)
		}
	}
}
