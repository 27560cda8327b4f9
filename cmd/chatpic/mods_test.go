package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// runCLIWithInput is runCLI with stdin.
func runCLIWithInput(t *testing.T, stdin string, args ...string) (string, error) {
	t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), env{args: args, getenv: noEnv, stdin: strings.NewReader(stdin),
		stdout: &out, stderr: io.Discard, now: func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }})
	return out.String(), err
}

func TestModsAndHashesCLI(t *testing.T) {
	data := t.TempDir()
	list := filepath.Join(t.TempDir(), "list.txt")
	os.WriteFile(list, []byte("# a list\npdq "+strings.Repeat("ab", 32)+" from a programme\nsha256 "+strings.Repeat("01", 32)+"\n"), 0o600)
	bad := filepath.Join(t.TempDir(), "bad.txt")
	os.WriteFile(bad, []byte("pdq "+strings.Repeat("cd", 32)+"\nmd5 1234\n"), 0o600)
	out := filepath.Join(t.TempDir(), "out.txt")
	steps := []struct {
		name, stdin string
		args        []string
		wantOut     string
		wantErr     string
	}{
		{"add an admin", "a long password\na long password\n", []string{"mods", "add", "alice", "--admin"}, "added alice", ""},
		{"add a moderator", "another password\nanother password\n", []string{"mods", "add", "bob"}, "added bob", ""},
		{"passwords that differ", "one password x\nanother password\n", []string{"mods", "add", "carol"}, "", "differ"},
		{"a short password", "short\nshort\n", []string{"mods", "add", "carol"}, "", "at least 10"},
		{"no password", "", []string{"mods", "add", "carol"}, "", "password twice"},
		{"a taken name", "a long password\na long password\n", []string{"mods", "add", "bob"}, "", "already"},
		{"a bad name", "a long password\na long password\n", []string{"mods", "add", "no spaces"}, "", "letters, digits"},
		{"list", "", []string{"mods", "list"}, "alice  admin", ""},
		{"a token", "", []string{"mods", "token", "bob"}, "", ""},
		{"a token for nobody", "", []string{"mods", "token", "nobody"}, "", "no moderator"},
		{"remove", "", []string{"mods", "remove", "bob"}, "removed bob", ""},
		{"remove again", "", []string{"mods", "remove", "bob"}, "", "no moderator"},
		{"import a list", "", []string{"hashes", "import", list}, "imported 2 new hashes", ""},
		{"import it again", "", []string{"hashes", "import", list}, "imported 0 new hashes", ""},
		{"a bad list changes nothing", "", []string{"hashes", "import", bad}, "", "line 2"},
		{"import from stdin", "sha256 " + strings.Repeat("02", 32) + "\n", []string{"hashes", "import", "-"}, "imported 1 new hashes", ""},
		{"export", "", []string{"hashes", "export"}, "pdq " + strings.Repeat("ab", 32) + " from a programme\nsha256 " + strings.Repeat("01", 32) + "\nsha256 " + strings.Repeat("02", 32) + "\n", ""},
		{"export to a file", "", []string{"hashes", "export", out}, "", ""},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			got, err := runCLIWithInput(t, s.stdin, append(s.args, "--data", data)...)
			if s.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), s.wantErr) {
					t.Fatalf("error %v, want one containing %q", err, s.wantErr)
				}
				return
			}
			if err != nil || !strings.Contains(got, s.wantOut) {
				t.Fatalf("output %q, error %v; want output containing %q", got, err, s.wantOut)
			}
		})
	}
	if b, _ := os.ReadFile(out); strings.Count(string(b), "\n") != 3 {
		t.Fatalf("exported file %q, want 3 lines", b)
	}
}
