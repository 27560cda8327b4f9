package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestBackupUnderLoad backs up a server while pictures keep arriving,
// restores the backup into a new data folder, starts a server on it, and
// finds there every upload acknowledged before the backup began, with the
// same bytes.
func TestBackupUnderLoad(t *testing.T) {
	in := start(t, "--rate-uploads", "off", "--flood", "off")
	in.cli("channels", "add", "load", "--title", "Load", "--capacity", "100000")

	var (
		mu    sync.Mutex
		acked []postJSON
		errs  []error
	)
	progress := make(chan struct{}, 1000)
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := uint64(0); ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				jpg := mediatest.EncodeJPEG(mediatest.Scene(64, 48, uint64(w)<<32|i), 80)
				p, err := uploadTo(t, in.base, "load", jpg)
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else {
					acked = append(acked, p)
				}
				mu.Unlock()
				if err != nil {
					return
				}
				select {
				case progress <- struct{}{}:
				default:
				}
			}
		})
	}
	for range 6 {
		<-progress
	}
	mu.Lock()
	before := append([]postJSON(nil), acked...)
	mu.Unlock()

	dest := filepath.Join(t.TempDir(), "backup")
	out := in.cli("backup", dest)
	t.Log(out)
	// Let some uploads land after the backup too, then stop the load.
	for range 2 {
		<-progress
	}
	close(stop)
	wg.Wait()
	if len(errs) > 0 {
		t.Fatalf("uploads under load failed: %v", errs)
	}
	if !strings.Contains(out, "backup: chatpic.db (") || !strings.Contains(out, "media files") {
		t.Errorf("backup said %q", out)
	}
	if _, err := os.Stat(dest + ".partial"); !os.IsNotExist(err) {
		t.Errorf("the backup's staging folder is still there: %v", err)
	}

	// The original's bytes, to compare with the restored server's.
	want := map[string][]byte{}
	for _, p := range acked {
		for _, u := range []string{p.MediaURL, p.ThumbURL} {
			r := in.get(u)
			if r.status != http.StatusOK {
				t.Fatalf("GET %s on the original: %d", u, r.status)
			}
			want[urlPath(t, u)] = r.body
		}
	}

	data := filepath.Join(t.TempDir(), "restored")
	out = mustCLI(t, "restore", dest, "--data", data)
	if !strings.Contains(out, "restore: ") || !strings.Contains(out, "media files") {
		t.Errorf("restore said %q", out)
	}
	restored := start(t, "--data", data)
	inBackup := 0
	for i, p := range acked {
		r := restored.get("/api/v1/posts/" + p.ID)
		switch {
		case r.status == http.StatusOK:
			inBackup++
		case i < len(before):
			t.Errorf("restored post %s, acknowledged before the backup: %d %s", p.ID, r.status, r.body)
			continue
		case r.status == http.StatusNotFound: // acknowledged after the snapshot
			continue
		default:
			t.Errorf("restored post %s: %d %s, want 200 or 404", p.ID, r.status, r.body)
			continue
		}
		// Every post the backup holds has its files, as the original served them.
		for _, u := range []string{p.MediaURL, p.ThumbURL} {
			r := restored.get(urlPath(t, u))
			if body := want[urlPath(t, u)]; r.status != http.StatusOK || !bytes.Equal(r.body, body) {
				t.Errorf("restored %s: %d, %d bytes; want 200 and the original's %d bytes", u, r.status, len(r.body), len(body))
			}
		}
	}
	t.Logf("%d uploads acknowledged before the backup, %d in the backup, %d in all; %s", len(before), inBackup, len(acked), out)
}

// TestBackupRefuses checks the cases where backup and restore must not go
// ahead, and that on PostgreSQL or S3 they say what to use instead.
func TestBackupRefuses(t *testing.T) {
	full := t.TempDir()
	os.WriteFile(filepath.Join(full, "something"), []byte("x"), 0o600)
	site := t.TempDir()
	mustCLI(t, "migrate", "--data", site) // a site with a database
	backup := filepath.Join(t.TempDir(), "backup")
	mustCLI(t, "backup", backup, "--data", site)

	tests := []struct {
		name string
		args []string
		want string
	}{
		{"backup into a folder that is not empty", []string{"backup", full, "--data", site}, "not empty"},
		{"backup of a site that has no database", []string{"backup", filepath.Join(t.TempDir(), "b"), "--data", t.TempDir()}, "no database"},
		{"backup without a destination", []string{"backup", "--data", site}, "say where"},
		{"backup of PostgreSQL", []string{"backup", filepath.Join(t.TempDir(), "b"), "--db", "postgres://chatpic@127.0.0.1:1/chatpic"}, "pg_dump"},
		{"backup of S3", []string{"backup", filepath.Join(t.TempDir(), "b"), "--data", site, "--blobs", "s3://media?endpoint=http://127.0.0.1:1&region=x"}, "aws s3 sync"},
		{"restore onto a database", []string{"restore", backup, "--data", site}, "already exists"},
		{"restore of something else", []string{"restore", full, "--data", t.TempDir()}, "not a chatpic backup"},
		{"restore into PostgreSQL", []string{"restore", backup, "--db", "postgres://chatpic@127.0.0.1:1/chatpic"}, "point-in-time"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := runCLI(t, noEnv, tt.args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error saying %q", err, tt.want)
			}
		})
	}
}

// mustCLI runs a chatpic command that belongs to no running instance.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	out, err := runCLI(t, noEnv, args...)
	if err != nil {
		t.Fatalf("chatpic %s: %v", strings.Join(args, " "), err)
	}
	return out
}

// uploadTo posts a picture through the API, from any goroutine: it returns
// an error where in.upload would fail the test (an answer that drifts from
// the OpenAPI document still fails t).
func uploadTo(t testing.TB, base, slug string, file []byte) (postJSON, error) {
	body, contentType := uploadBody(file, nil)
	res, err := apiClient(t).Post(base+"/api/v1/channels/"+slug+"/posts", contentType, body)
	if err != nil {
		return postJSON{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return postJSON{}, err
	}
	if res.StatusCode != http.StatusCreated {
		return postJSON{}, fmt.Errorf("upload: %d %s", res.StatusCode, b)
	}
	var p postJSON
	return p, json.Unmarshal(b, &p)
}

// urlPath is the path of an absolute URL the server gave out.
func urlPath(t *testing.T, s string) string {
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u.Path
}

// TestBackupReconcile checks what a backup does with the two things that
// can change between its database snapshot and its copy of the media: a
// post whose files were deleted (evicted, expired, taken down) leaves the
// copy, and so do the files of an upload whose row came after the
// snapshot.
func TestBackupReconcile(t *testing.T) {
	in := start(t, "--rate-uploads", "off", "--flood", "off")
	gone := mustUpload(t, in, "random", mediatest.JPEG(40, 30))
	kept := mustUpload(t, in, "random", mediatest.JPEG(30, 40))
	dest := filepath.Join(t.TempDir(), "backup")
	in.cli("backup", dest)

	media := filepath.Join(dest, "media")
	if err := os.Remove(filepath.Join(media, "media", gone.ID+path.Ext(urlPath(t, gone.MediaURL)))); err != nil {
		t.Fatal(err)
	}
	late := filepath.Join(media, "media", chatpic.NewID()+".jpg")
	if err := os.WriteFile(late, []byte("an upload after the snapshot"), 0o600); err != nil {
		t.Fatal(err)
	}
	posts, r, err := reconcile(context.Background(), dest, env{now: in.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	if r.LostPosts != 1 || r.OrphanFiles != 1 {
		t.Errorf("reconcile: %+v; want 1 lost post and 1 orphan file", r)
	}
	thumb := filepath.Join(media, "thumb", gone.ID+path.Ext(urlPath(t, gone.ThumbURL)))
	for _, f := range []string{late, thumb} {
		if _, err := os.Stat(f); !os.IsNotExist(err) {
			t.Errorf("%s is still in the backup: %v", f, err)
		}
	}
	if posts != 1 {
		t.Errorf("reconcile left %d posts, want 1 (%s)", posts, kept.ID)
	}
}

// TestBackupCopyTree checks both ways media reach a backup: hard links on
// the same file system, copies elsewhere; hidden files (temp files being
// written) and held shares (not scrubbed yet) stay behind either way.
func TestBackupCopyTree(t *testing.T) {
	src := t.TempDir()
	files := map[string]string{"media/a.jpg": "picture", "thumb/a.jpg": "thumbnail", ".tmp/x": "half-written",
		chatpic.SharePrefix + "1764000000-AAAAAAAAAAAAAAAAAAAAAA": "shared, with its GPS"}
	for name, body := range files {
		p := filepath.Join(src, filepath.FromSlash(name))
		os.MkdirAll(filepath.Dir(p), 0o750)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for _, link := range []bool{true, false} {
		t.Run(fmt.Sprintf("link=%t", link), func(t *testing.T) {
			dst := filepath.Join(t.TempDir(), "media")
			c, err := copyTree(src, dst, link)
			if err != nil {
				t.Fatal(err)
			}
			if c.files != 2 || c.bytes != int64(len("picture")+len("thumbnail")) || (c.linked == 2) != link {
				t.Errorf("copyTree: %+v", c)
			}
			for name, body := range files {
				from, to := filepath.Join(src, filepath.FromSlash(name)), filepath.Join(dst, filepath.FromSlash(name))
				got, err := os.ReadFile(to)
				if strings.HasPrefix(name, ".") || strings.HasPrefix(name, chatpic.SharePrefix) {
					if !os.IsNotExist(err) {
						t.Errorf("%s was copied: %v", name, err)
					}
					continue
				}
				if string(got) != body || err != nil {
					t.Errorf("%s: %q, %v; want %q", name, got, err, body)
				}
				a, _ := os.Stat(from)
				b, _ := os.Stat(to)
				if os.SameFile(a, b) != link {
					t.Errorf("%s: same file %t, want %t", name, os.SameFile(a, b), link)
				}
			}
		})
	}
}
