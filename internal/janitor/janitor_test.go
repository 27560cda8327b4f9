package janitor

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob/diskblob"
	"github.com/chatpic/chatpic/internal/sqlstore"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

type fixture struct {
	db    *sqlstore.Store
	blobs *diskblob.Store
	j     *Janitor
}

func newFixture(t *testing.T) fixture {
	t.Helper()
	ctx := context.Background()
	st := storagetest.Open(t)
	db, blobs := st.DB, storagetest.Disk(st)
	for _, c := range []chatpic.Channel{
		{Slug: "keep", Title: "Keep", Capacity: 100},
		{Slug: "brief", Title: "Brief", Capacity: 100, TTL: time.Hour},
	} {
		if err := db.CreateChannel(ctx, c); err != nil {
			t.Fatal(err)
		}
	}
	return fixture{db, blobs, New(db, blobs, slog.New(slog.NewTextHandler(io.Discard, nil)), nil, "")}
}

// post stores a post created at created, with its files unless noFiles.
func (f fixture) post(t *testing.T, channel string, created time.Time, ttl time.Duration, noFiles bool) chatpic.Post {
	t.Helper()
	ctx := context.Background()
	p := chatpic.Post{ID: chatpic.NewID(), Channel: channel, Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg",
		Width: 1, Height: 1, Bytes: 3}, CreatedAt: created, DeleteTokenHash: chatpic.HashToken("x")}
	if ttl > 0 {
		p.ExpiresAt = created.Add(ttl)
	}
	if !noFiles {
		for _, key := range []string{p.MediaKey(), p.ThumbKey()} {
			if _, err := f.blobs.Put(ctx, key, strings.NewReader("abc"), ""); err != nil {
				t.Fatal(err)
			}
		}
	}
	p, _, err := f.db.CreatePost(ctx, p, created)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func (f fixture) exists(t *testing.T, key string) bool {
	_, err := f.blobs.Stat(context.Background(), key)
	if err != nil && chatpic.ErrorKind(err) != chatpic.KindNotFound {
		t.Fatal(err)
	}
	return err == nil
}

func TestRun(t *testing.T) {
	ctx := context.Background()
	// Files get the real time as their ModTime; the janitor's clock runs two
	// hours ahead so that they are past the grace period.
	real := time.Now().UTC()
	now := real.Add(2 * time.Hour)

	for _, dry := range []bool{false, true} {
		name := map[bool]string{false: "for real", true: "dry run"}[dry]
		t.Run(name, func(t *testing.T) {
			f := newFixture(t)
			kept := f.post(t, "keep", now.Add(-3*time.Hour), 0, false)
			fresh := f.post(t, "brief", now.Add(-10*time.Minute), time.Hour, false)
			expired := f.post(t, "brief", now.Add(-2*time.Hour), time.Hour, false)
			lost := f.post(t, "keep", now.Add(-3*time.Hour), 0, true)
			f.blobs.Put(ctx, lost.ThumbKey(), strings.NewReader("thumb only"), "")
			young := f.post(t, "keep", now.Add(-time.Minute), 0, true) // an upload in flight
			orphan := "media/" + chatpic.NewID() + ".jpg"
			junk := "thumb/not-an-id.jpg"
			for _, key := range []string{orphan, junk} {
				f.blobs.Put(ctx, key, strings.NewReader("left behind"), "")
			}

			var announced []string
			f.j.announce = func(_ context.Context, reason chatpic.GoneReason, posts ...chatpic.Post) {
				for _, p := range posts {
					announced = append(announced, p.ID+":"+string(reason))
				}
			}
			r, err := f.j.Run(ctx, now, Options{DryRun: dry, Grace: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if wantAnnounced := map[bool]int{false: 1, true: 0}[dry]; len(announced) != wantAnnounced ||
				(!dry && announced[0] != expired.ID+":expired") {
				t.Fatalf("announced %v, want %d (the expired post)", announced, wantAnnounced)
			}
			want := Report{Expired: 1, OrphanFiles: 2, LostPosts: 1}
			if r != want {
				t.Fatalf("report %+v, want %+v", r, want)
			}

			checks := []struct {
				what string
				got  bool
				want bool
			}{
				{"kept post's media", f.exists(t, kept.MediaKey()), true},
				{"fresh post's media", f.exists(t, fresh.MediaKey()), true},
				{"expired post's media", f.exists(t, expired.MediaKey()), dry},
				{"expired post's thumbnail", f.exists(t, expired.ThumbKey()), dry},
				{"lost post's thumbnail", f.exists(t, lost.ThumbKey()), dry},
				{"orphan file", f.exists(t, orphan), dry},
				{"junk file", f.exists(t, junk), dry},
			}
			for _, c := range checks {
				if c.got != c.want {
					t.Errorf("%s exists = %v, want %v", c.what, c.got, c.want)
				}
			}
			for _, tc := range []struct {
				p      chatpic.Post
				reason chatpic.GoneReason // "" means the row must still be there
			}{
				{kept, ""}, {fresh, ""}, {young, ""},
				{expired, map[bool]chatpic.GoneReason{false: chatpic.ReasonExpired, true: ""}[dry]},
				{lost, map[bool]chatpic.GoneReason{false: chatpic.ReasonLost, true: ""}[dry]},
			} {
				exists, err := f.db.PostExists(ctx, tc.p.ID)
				if err != nil {
					t.Fatal(err)
				}
				if exists != (tc.reason == "") {
					t.Errorf("post %s exists = %v, want %v", tc.p.ID, exists, tc.reason == "")
				}
				if tc.reason != "" {
					_, err := f.db.Post(ctx, tc.p.ID, now)
					if chatpic.ErrorReason(err) != tc.reason {
						t.Errorf("post %s: %v, want gone (%s)", tc.p.ID, err, tc.reason)
					}
				}
			}

			// A second pass finds nothing more to do (or, dry, the same).
			again, err := f.j.Run(ctx, now, Options{DryRun: dry, Grace: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if wantAgain := map[bool]Report{false: {}, true: want}[dry]; again != wantAgain {
				t.Fatalf("second pass %+v, want %+v", again, wantAgain)
			}
		})
	}
}

// cancelOnLog records log output and cancels when a pass has logged.
type cancelOnLog struct {
	buf    bytes.Buffer
	cancel context.CancelFunc
}

func (c *cancelOnLog) Write(p []byte) (int, error) {
	c.buf.Write(p)
	if bytes.Contains(p, []byte("janitor pass")) {
		c.cancel()
	}
	return len(p), nil
}

func TestLoopRunsAtOnceAndStopsWithItsContext(t *testing.T) {
	f := newFixture(t)
	ctx, cancel := context.WithCancel(context.Background())
	logs := &cancelOnLog{cancel: cancel}
	f.j.log = slog.New(slog.NewTextHandler(logs, nil))
	f.post(t, "brief", time.Now().Add(-2*time.Hour), time.Hour, false)
	// The interval is an hour: only the first pass, run at once, can log
	// and so stop the loop.
	f.j.Loop(ctx, time.Hour, time.Now)
	if !strings.Contains(logs.buf.String(), "expired=1") {
		t.Fatalf("the first pass did not log what it did: %s", logs.buf.String())
	}
}

// TestRunPrunesSharedState checks that a pass deletes the shared state of
// instances (secrets, rate-limit entries, used challenges) once it has
// expired, and nothing before.
func TestRunPrunesSharedState(t *testing.T) {
	f := newFixture(t)
	ctx := context.Background()
	t0 := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	if _, err := f.db.Secret(ctx, "day", 1, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := f.db.SpendChallenge(ctx, []byte("a used challenge"), t0.Add(10*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.db.TakeRate(ctx, "uploads", []byte("client"), nil, t0, time.Minute, time.Hour); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		at   time.Duration
		want int
	}{{0, 0}, {time.Minute, 1}, {10 * time.Minute, 1}, {time.Hour, 1}, {2 * time.Hour, 0}} {
		r, err := f.j.Run(ctx, t0.Add(step.at), Options{Grace: DefaultGrace})
		if err != nil || r.Shared != step.want {
			t.Fatalf("at t0+%v: pruned %d, %v; want %d", step.at, r.Shared, err, step.want)
		}
	}
}

// TestRunSweepsTemp: what a crash left in the temporary folder (spooled
// uploads with their metadata, half-converted files, a worker's folder) goes
// once it is older than the grace period; what uploads in flight are writing
// stays.
func TestRunSweepsTemp(t *testing.T) {
	f := newFixture(t)
	tmp := t.TempDir()
	f.j.temp = tmp
	now := time.Now()
	old := now.Add(-2 * time.Hour)
	for _, name := range []string{"upload-1", "convert-2", "video-3/clip", "upload-new"} {
		p := filepath.Join(tmp, name)
		os.MkdirAll(filepath.Dir(p), 0o750)
		if err := os.WriteFile(p, []byte("GPS 51.5N"), 0o600); err != nil {
			t.Fatal(err)
		}
		if name != "upload-new" {
			os.Chtimes(p, old, old)
			os.Chtimes(filepath.Dir(p), old, old)
		}
	}
	for _, dry := range []bool{true, false} {
		r, err := f.j.Run(context.Background(), now, Options{DryRun: dry, Grace: time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		if r.TempFiles != 3 {
			t.Fatalf("dry run %v: %d stale temporary entries, want 3 (upload-1, convert-2, video-3)", dry, r.TempFiles)
		}
	}
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 || entries[0].Name() != "upload-new" {
		t.Fatalf("left %v, want only the upload in flight", entries)
	}
}

// TestHeldShares checks that a pass removes the shared files held past
// their time, whatever the grace period, and keeps those still held.
func TestHeldShares(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	for _, dry := range []bool{false, true} {
		t.Run(map[bool]string{false: "run", true: "dry run"}[dry], func(t *testing.T) {
			f := newFixture(t)
			expired := []string{
				chatpic.ShareKey(chatpic.NewShareID(now.Add(-time.Hour), 1), 1),
				chatpic.ShareKey(chatpic.NewShareID(now, 1), 1), // its time ends now
				chatpic.ShareKey(chatpic.NewShareID(now, 3), 3), // a later file of a share
				chatpic.SharePrefix + "not-a-share",
			}
			held := []string{
				chatpic.ShareKey(chatpic.NewShareID(now.Add(time.Second), 1), 1),
				chatpic.ShareKey(chatpic.NewShareID(now.Add(chatpic.ShareHold), 1), 1),
				chatpic.ShareKey(chatpic.NewShareID(now.Add(chatpic.ShareHold), 2), 2),
			}
			for _, key := range append(append([]string{}, expired...), held...) {
				if _, err := f.blobs.Put(ctx, key, strings.NewReader("raw bytes"), "image/jpeg"); err != nil {
					t.Fatal(err)
				}
			}
			r, err := f.j.Run(ctx, now, Options{DryRun: dry, Grace: DefaultGrace})
			if err != nil {
				t.Fatal(err)
			}
			if r.HeldShares != len(expired) || r.Counts()["held_shares"] != len(expired) {
				t.Errorf("report counts %d held shares, want %d", r.HeldShares, len(expired))
			}
			for _, key := range expired {
				if f.exists(t, key) != dry {
					t.Errorf("%s exists: %v, want %v", key, !dry, dry)
				}
			}
			for _, key := range held {
				if !f.exists(t, key) {
					t.Errorf("%s, still held, was removed", key)
				}
			}
		})
	}
}

// TestAlbumWithRemovedFirstFileIsNotLost: an album whose first file a
// moderator removed, with its bytes, is not taken for a lost post.
func TestAlbumWithRemovedFirstFileIsNotLost(t *testing.T) {
	ctx := context.Background()
	real := time.Now().UTC()
	now := real.Add(2 * time.Hour)
	f := newFixture(t)
	p := chatpic.Post{ID: chatpic.NewID(), Channel: "keep", Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg",
		Width: 1, Height: 1, Bytes: 3}, CreatedAt: now.Add(-3 * time.Hour), DeleteTokenHash: chatpic.HashToken("x")}
	p.More = []chatpic.Item{p.Item}
	for _, key := range p.Keys() {
		if _, err := f.blobs.Put(ctx, key, strings.NewReader("abc"), ""); err != nil {
			t.Fatal(err)
		}
	}
	p, _, err := f.db.CreatePost(ctx, p, p.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	if _, whole, err := f.db.RemoveFile(ctx, p.ID, 1, "x", chatpic.AuditEntry{At: now, Action: chatpic.AuditRemoveFile, Target: p.ID}, now); err != nil || whole {
		t.Fatalf("remove file 1: whole %v, %v", whole, err)
	}
	for _, key := range []string{p.FileKey(1, false), p.FileKey(1, true)} {
		if err := f.blobs.Delete(ctx, key); err != nil {
			t.Fatal(err)
		}
	}
	r, err := f.j.Run(ctx, now, Options{Grace: time.Hour})
	if err != nil || r.LostPosts != 0 {
		t.Fatalf("report %+v, %v; want no lost post", r, err)
	}
	if _, err := f.db.Post(ctx, p.ID, now); err != nil {
		t.Fatalf("the album after the janitor: %v", err)
	}
	if !f.exists(t, p.FileKey(2, false)) {
		t.Fatal("the album's second file is gone")
	}
}
