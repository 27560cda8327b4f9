package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/minio/minio-go/v7"
	"github.com/minio/minio-go/v7/pkg/credentials"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// shared is the storage several instances share in a test: a PostgreSQL
// schema and an S3 bucket.
type shared struct {
	getenv  func(string) string
	storage []string // the flags that select them
	db      *sql.DB
	schema  string
	s3      *minio.Client
	bucket  string
}

// scaleOut returns the storage flags of a fresh PostgreSQL schema and a
// fresh S3 bucket, both removed when the test ends, and the environment
// that carries the S3 credentials. It skips the test unless
// CHATPIC_TEST_POSTGRES and CHATPIC_TEST_S3 name real servers (.ci/run
// starts them).
func scaleOut(t *testing.T) shared {
	t.Helper()
	pg, s3 := os.Getenv("CHATPIC_TEST_POSTGRES"), os.Getenv("CHATPIC_TEST_S3")
	if pg == "" || s3 == "" {
		t.Skip("CHATPIC_TEST_POSTGRES and CHATPIC_TEST_S3 not both set: scale-out tests skipped; .ci/run sets them")
	}
	suffix := make([]byte, 6)
	rand.Read(suffix)
	name := "scaleout_" + hex.EncodeToString(suffix)

	db, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec("CREATE SCHEMA " + name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if _, err := db.Exec("DROP SCHEMA " + name + " CASCADE"); err != nil {
			t.Errorf("drop schema: %v", err)
		}
	})
	u, err := url.Parse(pg)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", name)
	u.RawQuery = q.Encode()

	endpoint, err := url.Parse(s3)
	if err != nil {
		t.Fatal(err)
	}
	access, secret := os.Getenv("AWS_ACCESS_KEY_ID"), os.Getenv("AWS_SECRET_ACCESS_KEY")
	mc, err := minio.New(endpoint.Host, &minio.Options{Creds: credentials.NewStaticV4(access, secret, ""), Secure: endpoint.Scheme == "https"})
	if err != nil {
		t.Fatal(err)
	}
	bucket := strings.ReplaceAll(name, "_", "-")
	ctx := context.Background()
	if err := mc.MakeBucket(ctx, bucket, minio.MakeBucketOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		for o := range mc.ListObjects(ctx, bucket, minio.ListObjectsOptions{Recursive: true}) {
			if o.Err == nil {
				mc.RemoveObject(ctx, bucket, o.Key, minio.RemoveObjectOptions{})
			}
		}
		if err := mc.RemoveBucket(ctx, bucket); err != nil {
			t.Errorf("remove bucket: %v", err)
		}
	})
	env := map[string]string{"AWS_ACCESS_KEY_ID": access, "AWS_SECRET_ACCESS_KEY": secret}
	// The operator's secret file, the same for every instance.
	pepper := filepath.Join(t.TempDir(), "secret")
	if err := os.WriteFile(pepper, []byte(hex.EncodeToString(suffix)+"-0123456789abcdef0123456789"), 0o600); err != nil {
		t.Fatal(err)
	}
	return shared{
		getenv: func(k string) string { return env[k] },
		storage: []string{"--db", u.String(), "--blobs", "s3://" + bucket + "?endpoint=" + url.QueryEscape(s3) + "&path_style=true",
			"--secret-file", pepper},
		db: db, schema: name, s3: mc, bucket: bucket,
	}
}

// leaks returns which of the needles appear in any row of the schema or
// any object of the bucket.
func (sh shared) leaks(t *testing.T, needles ...string) []string {
	t.Helper()
	var found []string
	look := func(where string, hay []byte) {
		for _, n := range needles {
			if bytes.Contains(hay, []byte(n)) {
				found = append(found, fmt.Sprintf("%q in %s", n, where))
			}
		}
	}
	rows, err := sh.db.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1`, sh.schema)
	if err != nil {
		t.Fatal(err)
	}
	var tables []string
	for rows.Next() {
		var name string
		rows.Scan(&name)
		tables = append(tables, name)
	}
	rows.Close()
	if len(tables) < 10 {
		t.Fatalf("only %d tables in the schema: %v", len(tables), tables)
	}
	for _, table := range tables {
		rows, err := sh.db.Query(`SELECT row_to_json(t)::text FROM ` + sh.schema + `.` + table + ` t`)
		if err != nil {
			t.Fatal(err)
		}
		for rows.Next() {
			var row string
			rows.Scan(&row)
			look("table "+table, []byte(row))
		}
		rows.Close()
	}
	ctx := context.Background()
	objects := 0
	for o := range sh.s3.ListObjects(ctx, sh.bucket, minio.ListObjectsOptions{Recursive: true}) {
		if o.Err != nil {
			t.Fatal(o.Err)
		}
		obj, err := sh.s3.GetObject(ctx, sh.bucket, o.Key, minio.GetObjectOptions{})
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(obj)
		obj.Close()
		if err != nil {
			t.Fatal(err)
		}
		objects++
		look("object "+o.Key, append([]byte(o.Key+"\n"), b...))
	}
	if objects == 0 {
		t.Fatal("the bucket is empty")
	}
	return found
}

// sseEvent is one Server-Sent Event as a client receives it.
type sseEvent struct {
	id, typ, data string
}

// stream opens an SSE stream and delivers its events on the returned
// channel until the test ends.
func stream(t *testing.T, url, lastID string) <-chan sseEvent {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, "GET", url, nil)
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := apiClient(t).Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK {
		cancel()
		t.Fatalf("GET %s: %d", url, resp.StatusCode)
	}
	out := make(chan sseEvent, 64)
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer resp.Body.Close()
		var ev sseEvent
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.typ != "" {
					out <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "id: "):
				ev.id = strings.TrimPrefix(line, "id: ")
			case strings.HasPrefix(line, "event: "):
				ev.typ = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				ev.data = strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	t.Cleanup(func() {
		cancel()
		<-done
	})
	return out
}

// nextPost waits up to within for the next "post" event of a stream and
// returns it with the post's ID.
func nextPost(t *testing.T, events <-chan sseEvent, within time.Duration) (sseEvent, string) {
	t.Helper()
	timeout := time.NewTimer(within)
	defer timeout.Stop()
	for {
		select {
		case ev := <-events:
			if ev.typ != "post" {
				continue
			}
			var p struct{ ID string }
			if err := json.Unmarshal([]byte(ev.data), &p); err != nil {
				t.Fatalf("post event %q: %v", ev.data, err)
			}
			return ev, p.ID
		case <-timeout.C:
			t.Fatalf("no post event within %v", within)
		}
	}
}

// TestTwoInstances runs two chatpic servers on one PostgreSQL database and
// one S3 bucket, as two machines behind a load balancer would: an upload on
// one reaches the other's live stream within a second, a stream resumes on
// either with Last-Event-ID, concurrent uploads through both respect the
// channel's capacity, no media file lands on either's disk, and stopping
// one leaves the other serving everything.
func TestTwoInstances(t *testing.T) {
	sh := scaleOut(t)
	getenv, storage := sh.getenv, sh.storage
	// One test client makes a dozen uploads at once: more than a client
	// may have in flight by default.
	a := startWith(t, getenv, storage, "--uploads-per-client", "16")
	b := startWith(t, getenv, storage, "--uploads-per-client", "16")
	picture := func(seed uint64) []byte { return mediatest.EncodeJPEG(mediatest.Scene(640, 480, seed), 85) }

	// An upload on A reaches a subscriber of B.
	live := stream(t, b.base+"/api/v1/channels/memes/events", "")
	start := time.Now()
	first := mustUpload(t, a, "memes", picture(1))
	ev, id := nextPost(t, live, time.Second)
	if id != first.ID {
		t.Fatalf("B's stream announced %s, want %s", id, first.ID)
	}
	t.Logf("upload on A to event on B: %v", time.Since(start))

	// Two more on A; a client that saw the first resumes on A itself and
	// gets exactly the two it missed, in order.
	second, third := mustUpload(t, a, "memes", picture(2)), mustUpload(t, b, "memes", picture(3))
	resumed := stream(t, a.base+"/api/v1/channels/memes/events", ev.id)
	for _, want := range []string{second.ID, third.ID} {
		if _, got := nextPost(t, resumed, time.Second); got != want {
			t.Fatalf("resumed stream gave %s, want %s", got, want)
		}
	}

	// One person commenting through both instances keeps one poster ID:
	// the keys behind it are shared.
	for i, in := range []*instance{a, b} {
		req, _ := http.NewRequest("POST", in.base+"/api/v1/posts/"+first.ID+"/comments", strings.NewReader(fmt.Sprintf(`{"body":"hello from instance %d"}`, i)))
		req.Header.Set("Content-Type", "application/json")
		if r := in.do(req); r.status != http.StatusCreated {
			t.Fatalf("comment: %d %s", r.status, r.body)
		}
	}
	thread := decode[struct {
		Comments []struct {
			PosterID string `json:"poster_id"`
		}
	}](t, b.get("/api/v1/posts/"+first.ID+"/comments"))
	if len(thread.Comments) != 2 || thread.Comments[0].PosterID == "" || thread.Comments[0].PosterID != thread.Comments[1].PosterID {
		t.Errorf("comments through A and B: %+v; want two with one poster ID", thread.Comments)
	}

	// A removal through A stops the upload's file answering on A at once,
	// and on B as soon as B hears of it (the event, through PostgreSQL),
	// though both had the upload among their remembered visible ones.
	victim := mustUpload(t, a, "memes", picture(7))
	media := "/m/" + victim.ID + ".jpg"
	for _, in := range []*instance{a, b, a, b} {
		if r := in.get(media); r.status != http.StatusOK {
			t.Fatalf("the upload's file: %d", r.status)
		}
	}
	// A moderator, made as an operator would, with the instances' storage.
	var out strings.Builder
	if err := run(context.Background(), env{args: append([]string{"mods", "add", "root", "--admin", "--data", a.data}, a.storage...),
		getenv: a.getenv, stdin: strings.NewReader("a long password\na long password\n"), stdout: &out, stderr: io.Discard,
		now: a.clock.Now}); err != nil {
		t.Fatal(err)
	}
	token := strings.TrimSpace(a.cli("mods", "token", "root"))
	removal, _ := http.NewRequest("POST", a.base+"/api/v1/mod/posts/"+victim.ID+"/remove", strings.NewReader(`{"reason":"test removal"}`))
	removal.Header.Set("Content-Type", "application/json")
	removal.Header.Set("Authorization", "Bearer "+token)
	if r := a.do(removal); r.status != http.StatusOK {
		t.Fatalf("remove: %d %s", r.status, r.body)
	}
	removed := time.Now()
	if r := a.get(media); r.status != http.StatusGone {
		t.Fatalf("right after the removal A serves the file: %d", r.status)
	}
	for {
		r := b.get(media)
		if r.status == http.StatusGone {
			break
		}
		if r.status != http.StatusOK || time.Since(removed) > 2*time.Second {
			t.Fatalf("B still answers %d %v after the removal", r.status, time.Since(removed))
		}
		time.Sleep(5 * time.Millisecond) // B waits for PostgreSQL's notification
	}
	t.Logf("removal on A to the file gone on B: %v", time.Since(removed))

	// Concurrent uploads through both into a channel that keeps 4.
	a.cli("channels", "add", "tiny", "--title", "Tiny", "--capacity", "4")
	var wg sync.WaitGroup
	var mu sync.Mutex
	var made []postJSON
	for i := range 12 {
		in := a
		if i%2 == 1 {
			in = b
		}
		wg.Go(func() {
			r := in.upload("tiny", picture(uint64(100+i)), "")
			if r.status != http.StatusCreated {
				t.Errorf("upload %d: %d %s", i, r.status, r.body)
				return
			}
			mu.Lock()
			made = append(made, decode[postJSON](t, r))
			mu.Unlock()
		})
	}
	wg.Wait()
	page := decode[struct{ Posts []postJSON }](t, b.get("/api/v1/channels/tiny/posts"))
	if len(page.Posts) != 4 {
		t.Errorf("the channel holds %d uploads, want its capacity 4", len(page.Posts))
	}
	kept := map[string]bool{}
	for _, p := range page.Posts {
		kept[p.ID] = true
	}
	evicted := 0
	for _, p := range made {
		if kept[p.ID] {
			continue
		}
		evicted++
		wantGone(t, a, p, "evicted")
	}
	if len(made) != 12 || evicted != 8 {
		t.Errorf("%d uploads made, %d evicted; want 12 and 8", len(made), evicted)
	}

	// Media comes from the bucket in ranges (video seeking), and, with
	// --media-redirect presign, as a redirect to a link of the bucket that
	// serves the file with its type.
	path := strings.TrimPrefix(first.MediaURL, a.base)
	req, _ := http.NewRequest("GET", b.base+path, nil)
	req.Header.Set("Range", "bytes=100-199")
	if r := b.do(req); r.status != http.StatusPartialContent || len(r.body) != 100 {
		t.Errorf("a range of A's upload through B: %d, %d bytes; want 206 and 100", r.status, len(r.body))
	}
	c := startWith(t, getenv, storage, "--media-redirect", "presign")
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.Get(c.base + path)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusFound || !strings.Contains(loc, "X-Amz-Signature=") {
		t.Fatalf("presigned redirect: %d to %q", resp.StatusCode, loc)
	}
	got, err := http.Get(resp.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	got.Body.Close()
	if got.StatusCode != http.StatusOK || got.Header.Get("Content-Type") != "image/jpeg" {
		t.Errorf("the presigned link answers %d with %q; want 200 image/jpeg", got.StatusCode, got.Header.Get("Content-Type"))
	}
	if err := c.stop(); err != nil {
		t.Fatalf("stopping C: %v", err)
	}

	// Stop A: B serves what A took in, and takes more.
	if err := a.stop(); err != nil {
		t.Fatalf("stopping A: %v", err)
	}
	if r := b.get(path); r.status != http.StatusOK || len(r.body) == 0 {
		t.Errorf("B serves A's upload: %d, %d bytes", r.status, len(r.body))
	}
	if r := b.get("/c/memes"); r.status != http.StatusOK || !strings.Contains(string(r.body), first.ID) {
		t.Errorf("B's channel page: %d", r.status)
	}
	mustUpload(t, b, "memes", picture(4))

	// Nothing that could name a visitor reached the database, the bucket
	// or a log: not the address (the TCP peer, and the X-Forwarded-For
	// the test client sends), not the user agent, not the file's name.
	needles := []string{"127.0.0.1", "203.0.113.77", "Go-http-client", "holiday-secret-name"}
	for _, leak := range sh.leaks(t, needles...) {
		t.Errorf("privacy: %s", leak)
	}
	for i, in := range []*instance{a, b, c} {
		// Stopping writes out the request lines the server still held.
		if err := in.stop(); err != nil {
			t.Fatal(err)
		}
		for _, n := range needles[1:] {
			if strings.Contains(in.log.String(), n) {
				t.Errorf("privacy: %q in the log of instance %d", n, i)
			}
		}
	}

	// Media lives in the bucket only: neither data folder holds a file
	// outside the caches.
	for _, in := range []*instance{a, b, c} {
		filepath.WalkDir(in.data, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() {
				t.Errorf("a file on local disk: %s", path)
			}
			return nil
		})
	}
}
