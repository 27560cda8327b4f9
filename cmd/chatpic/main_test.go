package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"image"
	_ "image/jpeg"
	"io"
	"io/fs"
	"maps"
	"mime/multipart"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/worker"
)

// TestMain lets the test binary stand in for the chatpic binary when a
// server under test starts a media worker (os.Executable is the test
// binary): it then runs the worker command, as "chatpic worker" would.
func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		main() // a test's server in a process of its own
		os.Exit(0)
	}
	if os.Getenv(worker.EnvMarker) == "1" {
		err := run(context.Background(), env{args: os.Args[1:], getenv: os.Getenv,
			stdin: os.Stdin, stdout: os.Stdout, stderr: os.Stderr, now: time.Now})
		if err != nil {
			fmt.Fprintln(os.Stderr, "chatpic worker:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// asMain, set to 1 in its environment, makes the test binary run as the
// chatpic command with its arguments.
const asMain = "CHATPIC_TEST_AS_MAIN"

// clock is a settable clock shared by the server and the CLI runs of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// instance is a chatpic server running in-process on 127.0.0.1:0.
type instance struct {
	t     *testing.T
	base  string
	data  string
	clock *clock
	log   *syncBuffer
	// client checks every answer from the API against its OpenAPI
	// document (see apiClient).
	client *http.Client
	// getenv and storage are the environment and the storage flags (--db,
	// --blobs) the server runs with; cli uses them too.
	getenv  func(string) string
	storage []string
	// stop ends the server and reports how it ended; later calls report
	// the same.
	stop func() error
}

func noEnv(string) string { return "" }

// testStart is where a test server's clock starts: the real current time
// (to the second), because the server talks to real clients (Chromium, the
// Go HTTP client, a second instance) that keep the real time, and a date
// fixed when a test was written falls behind theirs a day later. Tests move
// the clock from there as they like.
//
// CHATPIC_TEST_CLOCK_SHIFT, a duration such as 8760h, moves the start that
// far from the real time, to check that nothing in the suite depends on
// today's date.
func testStart(t testing.TB) time.Time {
	t.Helper()
	now := time.Now().UTC().Truncate(time.Second)
	shift := os.Getenv("CHATPIC_TEST_CLOCK_SHIFT")
	if shift == "" {
		return now
	}
	d, err := time.ParseDuration(shift)
	if err != nil {
		t.Fatalf("CHATPIC_TEST_CLOCK_SHIFT: %v", err)
	}
	return now.Add(d)
}

// start runs "chatpic serve" with a temp data folder and waits until it
// listens. The server stops when the test ends, and must stop cleanly.
func start(t *testing.T, extra ...string) *instance {
	t.Helper()
	return startWith(t, noEnv, nil, extra...)
}

// startWith is start with an environment and storage flags (--db, --blobs)
// that the instance's CLI runs share.
func startWith(t *testing.T, getenv func(string) string, storage []string, extra ...string) *instance {
	t.Helper()
	in := &instance{t: t, data: t.TempDir(), log: &syncBuffer{}, getenv: getenv, storage: storage,
		clock: &clock{t: testStart(t)}, client: apiClient(t)}
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	// The compiled video tools are cached across tests and runs.
	args := append([]string{"serve", "--addr", "127.0.0.1:0", "--data", in.data,
		"--cache", filepath.Join(os.TempDir(), "chatpic-test-cache")}, storage...)
	args = append(args, extra...)
	go func() {
		done <- run(ctx, env{args: args, getenv: getenv, stdin: strings.NewReader(""),
			stdout: io.Discard, stderr: in.log, now: in.clock.Now,
			ready: func(a net.Addr) { addrc <- a }})
	}()
	select {
	case a := <-addrc:
		in.base = "http://" + a.String()
	case err := <-done:
		t.Fatalf("serve stopped before listening: %v\n%s", err, in.log)
	}
	var once sync.Once
	var stopErr error
	in.stop = func() error {
		once.Do(func() {
			cancel()
			stopErr = <-done
		})
		return stopErr
	}
	t.Cleanup(func() {
		if err := in.stop(); err != nil {
			t.Errorf("serve returned %v", err)
		}
	})
	return in
}

// cli runs a chatpic subcommand against the instance's data, as an operator
// would while the server runs, and returns its output.
func (in *instance) cli(args ...string) string {
	in.t.Helper()
	var out bytes.Buffer
	err := run(context.Background(), env{args: append(append(args, "--data", in.data), in.storage...), getenv: in.getenv,
		stdin: strings.NewReader(""), stdout: &out, stderr: in.log, now: in.clock.Now})
	if err != nil {
		in.t.Fatalf("chatpic %s: %v", strings.Join(args, " "), err)
	}
	return out.String()
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (in *instance) do(req *http.Request) response {
	in.t.Helper()
	req.Header.Set("X-Forwarded-For", "203.0.113.77")
	req.Header.Set("User-Agent", "UniqueTestAgent/9.9")
	res, err := in.client.Do(req)
	if err != nil {
		in.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		in.t.Fatal(err)
	}
	return response{res.StatusCode, res.Header, body}
}

func (in *instance) get(url string) response {
	in.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = in.base + url
	}
	req, _ := http.NewRequest("GET", url, nil)
	return in.do(req)
}

// upload posts a file to a channel through the API, under a telling name.
func (in *instance) upload(slug string, file []byte, caption string) response {
	in.t.Helper()
	return in.uploadForm("/api/v1/channels/"+slug+"/posts", file, map[string]string{"caption": caption})
}

// uploadForm posts file, under the same telling name, and fields to an
// upload endpoint of the API (path) as a multipart form.
func (in *instance) uploadForm(path string, file []byte, fields map[string]string) response {
	in.t.Helper()
	body, contentType := uploadBody(file, fields)
	req, _ := http.NewRequest("POST", in.base+path, body)
	req.Header.Set("Content-Type", contentType)
	return in.do(req)
}

// uploadBody returns a multipart form of file, in a "file" part under a
// telling name that must never be stored or logged, and fields, with the
// form's Content-Type.
func uploadBody(file []byte, fields map[string]string) (*bytes.Buffer, string) {
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, _ := mw.CreateFormFile("file", "holiday-secret-name.jpg")
	fw.Write(file)
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		mw.WriteField(k, fields[k])
	}
	mw.Close()
	return &body, mw.FormDataContentType()
}

type postJSON struct {
	ID          string  `json:"id"`
	Channel     string  `json:"channel"`
	URL         string  `json:"url"`
	MediaURL    string  `json:"media_url"`
	ThumbURL    string  `json:"thumb_url"`
	DeleteToken string  `json:"delete_token"`
	Caption     string  `json:"caption"`
	Width       int     `json:"width"`
	Height      int     `json:"height"`
	CreatedAt   string  `json:"created_at"`
	ExpiresAt   *string `json:"expires_at"`
}

func decode[T any](t *testing.T, r response) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(r.body, &v); err != nil {
		t.Fatalf("decode %s: %v", r.body, err)
	}
	return v
}

func mustUpload(t *testing.T, in *instance, slug string, file []byte) postJSON {
	t.Helper()
	r := in.upload(slug, file, "")
	if r.status != http.StatusCreated {
		t.Fatalf("upload to %s: %d %s", slug, r.status, r.body)
	}
	return decode[postJSON](t, r)
}

func wantGone(t *testing.T, in *instance, p postJSON, reason string) {
	t.Helper()
	r := in.get("/api/v1/posts/" + p.ID)
	e := decode[struct {
		Error struct{ Kind, Reason, Message string }
	}](t, r)
	if r.status != http.StatusGone || e.Error.Kind != "gone" || e.Error.Reason != reason || e.Error.Message == "" {
		t.Fatalf("GET post %s: %d %s; want 410 gone with reason %q", p.ID, r.status, r.body, reason)
	}
	if r := in.get("/p/" + p.ID); r.status != http.StatusGone {
		t.Fatalf("post page of a gone post answers %d", r.status)
	}
	for _, u := range []string{p.MediaURL, p.ThumbURL} {
		if r := in.get(u); r.status != http.StatusGone {
			t.Fatalf("GET %s of a gone post answers %d, want 410", u, r.status)
		}
	}
}

// TestEndToEnd walks the whole loop a person and an operator go through, on
// one server, with the clock under the test's control.
func TestEndToEnd(t *testing.T) {
	in := start(t, "--trusted-proxies", "127.0.0.1/32", "--janitor-interval", "1h")

	// The seeded channels.
	r := in.get("/api/v1/channels")
	chans := decode[struct {
		Channels []struct {
			Slug       string `json:"slug"`
			Capacity   int    `json:"capacity"`
			TTLSeconds int64  `json:"ttl_seconds"`
		} `json:"channels"`
	}](t, r)
	var slugs []string
	for _, c := range chans.Channels {
		slugs = append(slugs, c.Slug)
	}
	if got := strings.Join(slugs, " "); got != "photography entertainment gaming politics memes random flash" {
		t.Fatalf("channels = %s", got)
	}
	if f := chans.Channels[6]; f.TTLSeconds != 3600 || f.Capacity != 100 {
		t.Fatalf("flash = %+v", f)
	}
	if home := in.get("/"); home.status != 200 || !bytes.Contains(home.body, []byte("uploads vanish after 1 hour")) {
		t.Fatalf("home page: %d, rule missing", home.status)
	}

	// Upload a phone picture that carries GPS data.
	const marker = "E2E-LOCATION-48.8584N"
	photo := mustUpload(t, in, "random", mediatest.CameraJPEG(640, 480, 6, marker))
	if photo.DeleteToken == "" || photo.Width != 480 || photo.Height != 640 || photo.ExpiresAt != nil {
		t.Fatalf("upload response %+v: want a token, 480x640 (rotated), no expiry", photo)
	}
	if !strings.HasPrefix(photo.URL, in.base+"/p/") || photo.MediaURL != in.base+"/m/"+photo.ID+".jpg" {
		t.Fatalf("links %q %q", photo.URL, photo.MediaURL)
	}

	// Follow the share link; fetch the media and the thumbnail.
	page := in.get(photo.URL)
	if page.status != 200 || !bytes.Contains(page.body, []byte(photo.MediaURL)) || bytes.Contains(page.body, []byte(photo.DeleteToken)) {
		t.Fatalf("share page: %d; want the media link and never the token", page.status)
	}
	m := in.get(photo.MediaURL)
	if m.status != 200 || m.header.Get("Content-Type") != "image/jpeg" || m.header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(m.header.Get("Content-Security-Policy"), "sandbox") {
		t.Fatalf("media: %d %v", m.status, m.header)
	}
	if bytes.Contains(m.body, []byte(marker)) || bytes.Contains(m.body, []byte("TRAILER")) {
		t.Fatal("the served picture still carries the GPS block or trailing bytes")
	}
	if _, _, err := image.Decode(bytes.NewReader(m.body)); err != nil {
		t.Fatalf("served media does not decode: %v", err)
	}
	if th := in.get(photo.ThumbURL); th.status != 200 || !strings.HasPrefix(th.header.Get("Content-Type"), "image/") {
		t.Fatalf("thumbnail: %d %s", th.status, th.header.Get("Content-Type"))
	}

	// Capacity: a channel added from the CLI while the server runs.
	out := in.cli("channels", "add", "tiny", "--title", "Tiny", "--capacity", "2")
	if !strings.Contains(out, "keeps the newest 2") {
		t.Fatalf("channels add printed %q", out)
	}
	var tiny []postJSON
	for i := range 3 {
		tiny = append(tiny, mustUpload(t, in, "tiny", mediatest.PNG(20+i, 20)))
	}
	wantGone(t, in, tiny[0], "evicted")
	list := decode[struct{ Posts []postJSON }](t, in.get("/api/v1/channels/tiny/posts"))
	if len(list.Posts) != 2 || list.Posts[0].ID != tiny[2].ID || list.Posts[1].ID != tiny[1].ID {
		t.Fatalf("tiny holds %v, want the two newest, newest first", list.Posts)
	}

	// TTL: flash forgets after an hour, at once for reads; the janitor
	// then removes the files.
	flash := mustUpload(t, in, "flash", mediatest.GIF(16, 16, 3))
	if want := in.clock.Now().Add(time.Hour).Format(time.RFC3339); flash.ExpiresAt == nil || *flash.ExpiresAt != want {
		t.Fatalf("flash upload expires at %v", flash.ExpiresAt)
	}
	in.clock.Advance(59 * time.Minute)
	if r := in.get("/api/v1/posts/" + flash.ID); r.status != 200 {
		t.Fatalf("flash post before its hour: %d", r.status)
	}
	in.clock.Advance(time.Minute)
	wantGone(t, in, flash, "expired")
	if list := decode[struct{ Posts []postJSON }](t, in.get("/api/v1/channels/flash/posts")); len(list.Posts) != 0 {
		t.Fatalf("an expired post is still listed")
	}
	if _, err := os.Stat(filepath.Join(in.data, "media", "media", flash.ID+".gif")); err != nil {
		t.Fatalf("the expired file should wait for the janitor: %v", err)
	}
	if out := in.cli("janitor"); !strings.Contains(out, "1 expired") {
		t.Fatalf("janitor printed %q", out)
	}
	if _, err := os.Stat(filepath.Join(in.data, "media", "media", flash.ID+".gif")); !os.IsNotExist(err) {
		t.Fatalf("the janitor left the expired file: %v", err)
	}

	// Talk about it: a comment and a vote, keyed on the forwarded address
	// (which must not reach the data folder or the log either).
	creq, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+photo.ID+"/comments", strings.NewReader(`{"body":"where is this?"}`))
	creq.Header.Set("Content-Type", "application/json")
	if r := in.do(creq); r.status != http.StatusCreated || !strings.Contains(string(r.body), `"poster_id":"`) {
		t.Fatalf("comment: %d %s", r.status, r.body)
	}
	vreq, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+photo.ID+"/votes", strings.NewReader(`{"value":1}`))
	vreq.Header.Set("Content-Type", "application/json")
	if r := in.do(vreq); r.status != http.StatusOK || string(r.body) != "{\"score\":1}\n" {
		t.Fatalf("vote: %d %q", r.status, r.body)
	}
	// Report it (a mild reason: it stays up) and follow the receipt; the
	// reporter is known only by a keyed hash.
	rreq, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+photo.ID+"/reports", strings.NewReader(`{"reason":"spam","note":"looks like an ad"}`))
	rreq.Header.Set("Content-Type", "application/json")
	rr := in.do(rreq)
	var filed struct{ Receipt, StatusURL string }
	if json.Unmarshal(rr.body, &filed); rr.status != http.StatusAccepted || filed.Receipt == "" {
		t.Fatalf("report: %d %s", rr.status, rr.body)
	}
	sreq, _ := http.NewRequest("GET", in.base+"/api/v1/reports/"+filed.Receipt, nil)
	if r := in.do(sreq); r.status != http.StatusOK || !strings.Contains(string(r.body), `"state":"waiting"`) {
		t.Fatalf("receipt: %d %s", r.status, r.body)
	}

	// Delete with the token.
	del := func(token string) int {
		req, _ := http.NewRequest("DELETE", in.base+"/api/v1/posts/"+photo.ID, nil)
		req.Header.Set("X-Delete-Token", token)
		return in.do(req).status
	}
	if got := del("not-the-token"); got != http.StatusForbidden {
		t.Fatalf("delete with a wrong token: %d", got)
	}
	if got := del(photo.DeleteToken); got != http.StatusNoContent {
		t.Fatalf("delete with the token: %d", got)
	}
	wantGone(t, in, photo, "deleted")

	// Privacy: neither the data folder nor the log holds the client's
	// address, user agent or file name.
	secrets := []string{"203.0.113.77", "UniqueTestAgent", "holiday-secret-name", marker}
	err := filepath.WalkDir(in.data, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, s := range secrets {
			if bytes.Contains(b, []byte(s)) {
				return fmt.Errorf("%s holds %q", path, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// Stopping the server writes out the request lines it still held.
	if err := in.stop(); err != nil {
		t.Fatal(err)
	}
	log := in.log.String()
	for _, s := range secrets {
		if strings.Contains(log, s) {
			t.Fatalf("the log holds %q", s)
		}
	}
	if !strings.Contains(log, "post created") {
		t.Fatal("the log was not captured; the privacy check proves nothing")
	}
	if !strings.Contains(log, "msg=request") || !strings.Contains(log, "path=/api/v1/posts/"+photo.ID) {
		t.Fatal("the request lines never reached the log")
	}
}
