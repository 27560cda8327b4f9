package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// The tests in this file and in eviction_race_test.go run several Stores
// on one database at once, as several server instances would.

// openInstances opens n Stores on the database dsn, each with pools of its
// own, as n server instances would.
func openInstances(t *testing.T, dsn string, n int) []*Store {
	t.Helper()
	stores := make([]*Store, n)
	for i := range stores {
		stores[i] = openForTest(t, dsn)
	}
	return stores
}

// TestConcurrentJanitors runs the janitor's store work from two instances
// at once while uploads evict from a channel whose posts have expired:
// each expired post is reported once, by a janitor or by an eviction, and
// each ended session and ban is counted once.
func TestConcurrentJanitors(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		const (
			brief, busy = 300, 60 // expired posts in each channel
			uploads     = 40      // into busy while the janitors run
			batch       = 7
			sessions    = 30
		)
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 2)
		s := stores[0]
		mustChannel(t, s, "brief", 1000, time.Hour)
		mustChannel(t, s, "busy", busy, time.Hour)
		expired := map[string]bool{}
		for i := range brief + busy {
			channel := "brief"
			if i < busy {
				channel = "busy"
			}
			p, _ := mustPost(t, s, newPost(channel, t0.Add(time.Duration(i)*time.Millisecond), time.Hour))
			expired[p.ID] = true
		}
		mustModerators(t, s, "mia")
		for i := range sessions {
			if err := s.CreateSession(ctx, chatpic.HashToken(fmt.Sprint("session ", i)), "mia", t0, t0.Add(time.Minute)); err != nil {
				t.Fatal(err)
			}
			if err := s.BanClient(ctx, []byte(fmt.Sprint("client ", i)), t0.Add(time.Minute), byModerator("ban_client", "x", t0)); err != nil {
				t.Fatal(err)
			}
		}
		now := t0.Add(2 * time.Hour)

		var mu sync.Mutex
		reports := map[string]int{}
		report := func(posts []chatpic.Post) {
			mu.Lock()
			defer mu.Unlock()
			for _, p := range posts {
				reports[p.ID]++
			}
		}
		var pruned atomic.Int64
		var wg sync.WaitGroup
		for _, s := range stores {
			wg.Go(func() { // a janitor pass, as internal/janitor makes it
				for {
					posts, err := s.ExpirePosts(ctx, now, batch)
					if err != nil {
						t.Error(err)
						return
					}
					report(posts)
					if len(posts) < batch {
						break
					}
				}
				n, err := s.PruneSessions(ctx, now)
				m, err2 := s.PruneBans(ctx, now)
				if err != nil || err2 != nil {
					t.Error(err, err2)
				}
				pruned.Add(int64(n + m))
			})
			wg.Go(func() {
				for range uploads / len(stores) {
					_, evicted, err := s.CreatePost(ctx, newPost("busy", now, 0), now)
					if err != nil {
						t.Error(err)
						return
					}
					report(evicted)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		// Whatever a pass left (nothing, as a rule), the next one takes.
		left, err := s.ExpirePosts(ctx, now, len(expired))
		if err != nil {
			t.Fatal(err)
		}
		report(left)
		t.Logf("%d expired posts: %d reported during the run, %d by the next pass; %d sessions and bans pruned",
			len(expired), len(reports)-len(left), len(left), pruned.Load())

		for id, n := range reports {
			if n != 1 || !expired[id] {
				t.Fatalf("post %s reported %d times (expired: %v)", id, n, expired[id])
			}
		}
		if len(reports) != len(expired) {
			t.Fatalf("%d expired posts reported, want %d", len(reports), len(expired))
		}
		var tombstones int
		if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM tombstones WHERE reason = 'expired'`).Scan(&tombstones); err != nil || tombstones != len(expired) {
			t.Fatalf("%d expired tombstones (%v), want %d", tombstones, err, len(expired))
		}
		if pruned.Load() != 2*sessions {
			t.Fatalf("pruned %d sessions and bans between the instances, want %d", pruned.Load(), 2*sessions)
		}
		for _, c := range []struct {
			slug string
			want int
		}{{"brief", 0}, {"busy", uploads}} {
			var count int
			if err := s.read.QueryRowContext(ctx, `SELECT post_count FROM channels WHERE slug = ?`, c.slug).Scan(&count); err != nil || count != c.want {
				t.Fatalf("%s: post_count %d (%v), want %d", c.slug, count, err, c.want)
			}
		}
	})
}

// TestConcurrentSeed starts instances at once on a new database: one seeds.
func TestConcurrentSeed(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 4)
		var seeded atomic.Int64
		var wg sync.WaitGroup
		for _, s := range stores {
			wg.Go(func() {
				ok, err := s.Seed(ctx, chatpic.DefaultChannels(), t0)
				if err != nil {
					t.Error(err)
				}
				if ok {
					seeded.Add(1)
				}
			})
		}
		wg.Wait()
		chans, err := stores[0].Channels(ctx, t0)
		if err != nil || seeded.Load() != 1 || len(chans) != len(chatpic.DefaultChannels()) {
			t.Fatalf("%d instances seeded, %d channels (%v); want 1 and %d", seeded.Load(), len(chans), err, len(chatpic.DefaultChannels()))
		}
	})
}

// TestConcurrentReports files reports on one post from many clients
// through two instances at once: the reports count each other, so exactly
// one of them reaches the threshold and hides the post.
func TestConcurrentReports(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		const reporters, threshold = 12, 3
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 2)
		thresholdChannel(t, stores[0], "pics", threshold)
		p, _ := mustPost(t, stores[0], newPost("pics", t0, 0))
		var hid atomic.Int64
		var wg sync.WaitGroup
		for i := range reporters {
			s := stores[i%len(stores)]
			wg.Go(func() {
				res, err := s.AddReport(ctx, report(p.ID, "", chatpic.ReasonSpam, fmt.Sprint("client ", i), t0), nil, t0)
				if err != nil {
					t.Error(err)
					return
				}
				if res.Hidden {
					hid.Add(1)
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		reasons, err := stores[0].OpenReasons(ctx, p.ID, "")
		if err != nil || hid.Load() != 1 || reasons[chatpic.ReasonSpam] != reporters || postStatus(t, stores[0], p.ID) != chatpic.StatusHidden {
			t.Fatalf("%d reports hid the post, %v open (%v); want 1 and %d spam", hid.Load(), reasons, err, reporters)
		}
	})
}
