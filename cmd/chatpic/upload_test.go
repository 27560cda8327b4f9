package main

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestUploadCommand runs "chatpic upload" against a real server and
// follows the links it prints.
func TestUploadCommand(t *testing.T) {
	in := start(t)
	dir := t.TempDir()
	file := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cat, dog := file("cat.jpg", mediatest.JPEG(40, 30)), file("dog.png", mediatest.PNG(30, 40))
	notes := file("notes.txt", []byte("not a picture at all\n"))
	upload := func(args ...string) (stdout, stderr string, err error) {
		var out, errOut bytes.Buffer
		err = run(context.Background(), env{args: append([]string{"upload"}, args...), getenv: noEnv,
			stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, now: time.Now})
		return out.String(), errOut.String(), err
	}
	// links returns the share and delete links of each line printed.
	links := func(t *testing.T, out string, n int) [][2]string {
		t.Helper()
		var got [][2]string
		for line := range strings.Lines(strings.TrimSpace(out)) {
			f := strings.Fields(line)
			if len(f) < 3 || f[1] != "delete:" || !strings.HasPrefix(f[0], in.base+"/p/") || !strings.HasPrefix(f[2], in.base+"/d/") {
				t.Fatalf("printed %q, want SHARE-LINK delete: DELETE-LINK", line)
			}
			got = append(got, [2]string{f[0], f[2]})
		}
		if len(got) != n {
			t.Fatalf("printed %d links, want %d: %q", len(got), n, out)
		}
		return got
	}

	t.Run("two files into a channel", func(t *testing.T) {
		out, errOut, err := upload(cat, "--server", in.base, dog, "--channel", "random", "--caption", "pets")
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		for _, l := range links(t, out, 2) {
			if r := in.get(l[0]); r.status != 200 || !bytes.Contains(r.body, []byte("pets")) {
				t.Errorf("GET %s: %d", l[0], r.status)
			}
			id := strings.TrimPrefix(l[0], in.base+"/p/")
			if p := decode[postJSON](t, in.get("/api/v1/posts/"+id)); p.Channel != "random" {
				t.Errorf("%s is in %q", id, p.Channel)
			}
			if r := in.get(l[1]); r.status != 200 {
				t.Errorf("GET %s: %d", l[1], r.status)
			}
		}
	})
	t.Run("link-only with a view limit, server from the environment", func(t *testing.T) {
		var out, errOut bytes.Buffer
		getenv := func(k string) string {
			if k == "CHATPIC_SERVER" {
				return in.base + "/"
			}
			return ""
		}
		err := run(context.Background(), env{args: []string{"upload", "--link-only", "--views", "1", "--expires", "1h", cat},
			getenv: getenv, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut, now: time.Now})
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut.String())
		}
		l := links(t, out.String(), 1)[0]
		if r := in.get(l[0]); r.status != 200 {
			t.Fatalf("GET %s: %d", l[0], r.status)
		}
		p := decode[struct {
			Channel   string  `json:"channel"`
			ViewsLeft *int    `json:"views_left"`
			ExpiresAt *string `json:"expires_at"`
		}](t, in.get("/api/v1/posts/"+strings.TrimPrefix(l[0], in.base+"/p/")))
		want := in.clock.Now().Add(time.Hour).Format(time.RFC3339)
		if p.Channel != "" || p.ViewsLeft == nil || *p.ViewsLeft != 1 || p.ExpiresAt == nil || *p.ExpiresAt != want {
			t.Fatalf("uploaded %+v; want link-only, 1 view left, expiring at %s", p, want)
		}
	})
	t.Run("locked with a password from a file, marked sensitive", func(t *testing.T) {
		secret := file("secret.txt", []byte("harbour-lights-9\n"))
		out, errOut, err := upload(cat, "--server", in.base, "--password-file", secret, "--sensitive")
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		id := strings.TrimPrefix(links(t, out, 1)[0][0], in.base+"/p/")
		if r := in.get("/api/v1/posts/" + id); r.status != 403 {
			t.Fatalf("the locked upload answers %d without its password, want 403", r.status)
		}
		req, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+id+"/views", strings.NewReader(`{"password":"harbour-lights-9"}`))
		req.Header.Set("Content-Type", "application/json")
		r := in.do(req)
		var p struct {
			Sensitive bool `json:"sensitive"`
		}
		if err := json.Unmarshal(r.body, &p); err != nil || r.status != 200 || !p.Sensitive {
			t.Fatalf("opened with the file's password: %d %s; want 200, sensitive", r.status, r.body)
		}
	})
	t.Run("a file the server refuses", func(t *testing.T) {
		out, errOut, err := upload("--server", in.base, notes, cat)
		if err == nil || !strings.Contains(err.Error(), "1 of 2 files failed") {
			t.Fatalf("error %v, want 1 of 2 failed", err)
		}
		if !strings.Contains(errOut, "notes.txt: ") || !strings.Contains(errOut, "(415)") {
			t.Errorf("stderr %q; want the server's message for notes.txt", errOut)
		}
		links(t, out, 1) // the good file still went
	})
	t.Run("an album", func(t *testing.T) {
		out, errOut, err := upload("--server", in.base, "--album", "--channel", "random", cat, dog, cat)
		if err != nil {
			t.Fatalf("%v\n%s", err, errOut)
		}
		l := links(t, out, 1)
		p := decode[struct {
			Media []struct {
				MIME string `json:"mime"`
			} `json:"media"`
		}](t, in.get("/api/v1/posts/"+strings.TrimPrefix(l[0][0], in.base+"/p/")))
		var types []string
		for _, m := range p.Media {
			types = append(types, m.MIME)
		}
		if !slices.Equal(types, []string{"image/jpeg", "image/png", "image/jpeg"}) {
			t.Errorf("the album holds %v, want the three files in order", types)
		}
	})
	t.Run("an album with a file the server refuses", func(t *testing.T) {
		out, errOut, err := upload("--server", in.base, "--album", cat, notes, dog)
		if err == nil || !strings.Contains(err.Error(), "3 of 3 files failed") {
			t.Fatalf("error %v, want all 3 failed", err)
		}
		if !strings.Contains(errOut, "the album of 3 files: nothing was posted; "+notes+": ") || strings.Contains(errOut, dog) || out != "" {
			t.Errorf("stdout %q, stderr %q; want nothing posted and notes.txt named as the file refused", out, errOut)
		}
	})
	for _, tt := range []struct {
		name    string
		args    []string
		wantErr string
	}{
		{"no file", []string{"--server", in.base}, "name at least one file"},
		{"both --channel and --link-only", []string{cat, "--channel", "random", "--link-only"}, "not both"},
		{"--views with a channel", []string{cat, "--channel", "random", "--views", "3"}, "--views is for link-only"},
		{"a password with a channel", []string{cat, "--channel", "random", "--password-file", cat}, "--password-file is for link-only"},
		{"a missing password file", []string{cat, "--server", in.base, "--password-file", filepath.Join(dir, "none")}, "--password-file"},
		{"an empty password", []string{cat, "--server", in.base, "--password-file", "-"}, "first line is empty"},
		{"a bad server", []string{cat, "--server", "ftp://x"}, "not an http://"},
		{"a missing file", []string{filepath.Join(dir, "nope.jpg"), "--server", in.base}, "1 of 1 files failed"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if _, _, err := upload(tt.args...); err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

// TestUploadProgressBar checks the progress bar's line as a large file
// goes out.
func TestUploadProgressBar(t *testing.T) {
	var term bytes.Buffer
	p := &progressBar{w: &term, name: "holiday.mp4", total: 4 << 20}
	p.Write(make([]byte, 1<<20))
	if got := p.line(); !strings.Contains(got, "holiday.mp4") || !strings.Contains(got, "[=======       ") ||
		!strings.Contains(got, " 25% 1.0/4.0 MB") {
		t.Fatalf("line %q", got)
	}
	p.Write(make([]byte, 3<<20))
	p.done()
	if !strings.HasSuffix(term.String(), "100% 4.0/4.0 MB\n") {
		t.Fatalf("terminal shows %q", term.String())
	}
	if isTerminal(&term) {
		t.Fatal("a buffer is not a terminal")
	}
}
