package sqlstore

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// checkCapacityAtCommit makes PostgreSQL check, as each transaction that
// inserted a post commits, that the post's channel holds no more rows than
// its capacity: a deferred constraint trigger, created in the test's
// schema. It first proves that the check fires.
func checkCapacityAtCommit(t *testing.T, s *Store) {
	t.Helper()
	ctx := context.Background()
	_, err := s.write.DB.ExecContext(ctx, `
		CREATE FUNCTION check_capacity() RETURNS trigger LANGUAGE plpgsql AS $$
		BEGIN
			IF (SELECT COUNT(*) FROM posts WHERE channel = NEW.channel) >
			   (SELECT capacity FROM channels WHERE slug = NEW.channel) THEN
				RAISE EXCEPTION 'channel % is over its capacity', NEW.channel;
			END IF;
			RETURN NULL;
		END $$;
		CREATE CONSTRAINT TRIGGER posts_capacity AFTER INSERT ON posts
			DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION check_capacity();`)
	if err != nil {
		t.Fatal(err)
	}
	mustChannel(t, s, "probe", 1, 0)
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	for seq, p := range []chatpic.Post{newPost("probe", t0, 0), newPost("probe", t0, 0)} {
		if _, err := tx.ExecContext(ctx, `INSERT INTO posts (id, channel, seq, mime, ext, thumb_ext, width, height, bytes,
			sha256, created_at, delete_token_hash) VALUES (?, ?, ?, 'image/png', 'png', 'jpg', 1, 1, 1, ?, 0, ?)`,
			p.ID, p.Channel, seq+1, p.SHA256[:], p.DeleteTokenHash); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err == nil {
		t.Fatal("two rows in a channel of capacity 1 committed: the capacity check does not fire")
	}
}

// TestConcurrentUploadsKeepCapacity uploads into one small channel from
// many goroutines through several instances at once. The channel never
// holds more than its capacity (checked at every commit on PostgreSQL, and
// by a reader throughout), nothing is evicted twice, nothing is lost.
func TestConcurrentUploadsKeepCapacity(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		const (
			instances = 4
			workers   = 6 // per instance
			uploads   = 25
			capacity  = 5
			total     = instances * workers * uploads
		)
		ctx := context.Background()
		stores := openInstances(t, d.database(t), instances)
		if d.name == "postgres" {
			checkCapacityAtCommit(t, stores[0])
		}
		mustChannel(t, stores[0], "hot", capacity, 0)

		// A reader counts the channel's rows while the uploads run.
		done := make(chan struct{})
		var most, samples atomic.Int64
		var reader sync.WaitGroup
		reader.Go(func() {
			for {
				var n int64
				if err := stores[0].read.QueryRowContext(ctx, `SELECT COUNT(*) FROM posts WHERE channel = 'hot'`).Scan(&n); err != nil {
					t.Error(err)
					return
				}
				samples.Add(1)
				if n > most.Load() {
					most.Store(n)
				}
				select {
				case <-done:
					return
				default:
				}
			}
		})

		var mu sync.Mutex
		inserted := map[string]bool{}
		evictions := map[string]int{}
		seqs := map[int64]bool{}
		var wg sync.WaitGroup
		for i := range instances * workers {
			s := stores[i%instances]
			wg.Go(func() {
				for n := range uploads {
					now := t0.Add(time.Duration(n) * time.Millisecond)
					p, evicted, err := s.CreatePost(ctx, newPost("hot", now, 0), now)
					if err != nil {
						t.Error(err)
						return
					}
					mu.Lock()
					inserted[p.ID] = true
					seqs[p.Seq] = true
					for _, e := range evicted {
						evictions[e.ID]++
					}
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		close(done)
		reader.Wait()
		if t.Failed() {
			t.FailNow()
		}

		visible, err := stores[0].Posts(ctx, "hot", chatpic.SortNew, chatpic.Cursor{}, total, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%d uploads through %d instances: %d visible, %d evicted; at most %d rows in %d reads during the run",
			len(inserted), instances, len(visible), len(evictions), most.Load(), samples.Load())
		if len(inserted) != total || len(seqs) != total {
			t.Fatalf("%d posts with %d distinct seqs, want %d", len(inserted), len(seqs), total)
		}
		if len(visible) != capacity || most.Load() > capacity {
			t.Fatalf("%d visible at the end, at most %d during the run; want %d", len(visible), most.Load(), capacity)
		}
		for id, n := range evictions {
			if n != 1 || !inserted[id] {
				t.Fatalf("post %s evicted %d times (inserted: %v)", id, n, inserted[id])
			}
		}
		for _, p := range visible {
			if evictions[p.ID] > 0 || p.Seq <= total-capacity {
				t.Fatalf("visible post %+v was evicted or is not among the newest", p)
			}
		}
		if len(visible)+len(evictions) != total {
			t.Fatalf("%d visible + %d evicted, want %d uploads", len(visible), len(evictions), total)
		}
		var tombstones, count, last int
		err = stores[0].read.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM tombstones WHERE channel = 'hot' AND reason = 'evicted'),
			(SELECT post_count FROM channels WHERE slug = 'hot'),
			(SELECT post_total FROM channels WHERE slug = 'hot')`).Scan(&tombstones, &count, &last)
		if err != nil || tombstones != len(evictions) || count != capacity || last != total {
			t.Fatalf("%d tombstones, post_count %d, post_total %d (%v); want %d, %d, %d",
				tombstones, count, last, err, len(evictions), capacity, total)
		}
	})
}

// TestConcurrentDeletesAndEvictions deletes and removes a full channel's
// posts from two instances while uploads through both evict them: each
// post goes one way only, deleted or evicted, and no writer fails.
func TestConcurrentDeletesAndEvictions(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		const capacity, uploads = 40, 30 // uploads per instance
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 2)
		mustChannel(t, stores[0], "mixed", capacity, 0)
		var old []string
		for range capacity {
			p, _ := mustPost(t, stores[0], newPost("mixed", t0, 0))
			old = append(old, p.ID)
		}

		var mu sync.Mutex
		ends := map[string][]string{} // post ID → how it went
		end := func(id, how string) {
			mu.Lock()
			defer mu.Unlock()
			ends[id] = append(ends[id], how)
		}
		var wg sync.WaitGroup
		for i, s := range stores {
			wg.Go(func() {
				for range uploads {
					_, evicted, err := s.CreatePost(ctx, newPost("mixed", t0, 0), t0)
					if err != nil {
						t.Error(err)
						return
					}
					for _, p := range evicted {
						end(p.ID, "evicted")
					}
				}
			})
			wg.Go(func() {
				for n, id := range old {
					if n%2 != i {
						continue
					}
					var err error
					if n%4 < 2 {
						_, err = s.DeletePost(ctx, id, chatpic.ReasonDeleted, t0)
					} else {
						_, err = s.RemovePost(ctx, id, "", byModerator("remove_post", id, t0), t0)
					}
					switch {
					case err == nil:
						end(id, "deleted")
					case chatpic.ErrorKind(err) != chatpic.KindGone || chatpic.ErrorReason(err) != chatpic.ReasonEvicted:
						t.Errorf("delete %s: %v", id, err)
					}
				}
			})
		}
		wg.Wait()
		if t.Failed() {
			t.FailNow()
		}
		deleted, evicted := 0, 0
		for _, id := range old {
			if how := ends[id]; len(how) != 1 {
				t.Fatalf("post %s ended %v, want one way", id, how)
			}
			if ends[id][0] == "deleted" {
				deleted++
			} else {
				evicted++
			}
		}
		t.Logf("%d posts: %d deleted or removed, %d evicted first", len(old), deleted, evicted)
		var rows, count int
		err := stores[0].read.QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM posts WHERE channel = 'mixed'),
			(SELECT post_count FROM channels WHERE slug = 'mixed')`).Scan(&rows, &count)
		if err != nil || rows != count || rows > capacity {
			t.Fatalf("%d rows, post_count %d (%v); want equal and at most %d", rows, count, err, capacity)
		}
	})
}
