package sqlstore

import (
	"context"

	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// seedPosts makes a channel holding n visible posts, plus a few hidden and
// a few expired ones the janitor has not removed yet, as a busy channel
// has. Rows go in bulk; it returns the clock after the last.
func seedPosts(b *testing.B, s *Store, slug string, n int) time.Time {
	b.Helper()
	ctx := context.Background()
	if err := s.CreateChannel(ctx, chatpic.Channel{Slug: slug, Title: slug, Capacity: 100_000, CreatedAt: t0}); err != nil {
		b.Fatal(err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	const batch = 400
	total := n + 20
	for start := 0; start < total; start += batch {
		k := min(batch, total-start)
		var q strings.Builder
		q.WriteString(`INSERT INTO posts (` + postColumns + `) VALUES `)
		args := make([]any, 0, 25*k)
		for i := start; i < start+k; i++ {
			if i > start {
				q.WriteString(", ")
			}
			q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
			p := newPost(slug, t0.Add(time.Duration(i)*time.Millisecond), 0)
			status, expires := "visible", any(nil)
			switch {
			case i >= n && i < n+10:
				status = "hidden"
			case i >= n+10:
				expires = t0.UnixMilli() // ran out long ago
			}
			args = append(args, p.ID, slug, i+1, "", p.MIME, p.Ext, p.ThumbExt, p.ThumbMIME, p.Width, p.Height, p.Bytes, p.SHA256[:],
				p.CreatedAt.UnixMilli(), expires, p.DeleteTokenHash, "image", 0, 1, nil, 0, status, nil, false, nil, nil)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			b.Fatal(err)
		}
	}
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_count = ?, post_total = ? WHERE slug = ?`, total, total, slug); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if s.d.name == "postgres" {
		s.write.ExecContext(ctx, `ANALYZE posts`)
	}
	return t0.Add(time.Duration(total) * time.Millisecond)
}

// BenchmarkChannelReadsFlat reads a channel of 100 posts and one of
// 100,000 side by side, alternating, as a channel page, its JSON and the
// home page do: the channel with its count and newest upload, the list of
// channels, the first page, a page deep down (the cursor of the 90th
// percentile), and the first page sorted by score. It reports each one's
// cost and the ratio (the 100,000 channel's time over the 100's: 1.0 is
// flat). It also checks the counts are right.
func BenchmarkChannelReadsFlat(b *testing.B) {
	eachDialectB(b, func(b *testing.B, d testDialect) {
		ctx := context.Background()
		small, big := d.open(b), d.open(b)
		now := seedPosts(b, small, "bench", 100)
		seedPosts(b, big, "bench", 100_000)
		for _, c := range []struct {
			s    *Store
			want int
		}{{small, 100}, {big, 100_000}} {
			st, err := c.s.Channel(ctx, "bench", now)
			if err != nil || st.Count != c.want {
				b.Fatalf("count %d (%v), want %d", st.Count, err, c.want)
			}
		}
		deep := func(s *Store, n int) chatpic.Cursor {
			return chatpic.Cursor{Seq: int64(n * 9 / 10)}
		}
		reads := []struct {
			name string
			fn   func(s *Store, n int) error
		}{
			{"channel", func(s *Store, _ int) error { _, err := s.Channel(ctx, "bench", now); return err }},
			{"channels", func(s *Store, _ int) error { _, err := s.Channels(ctx, now); return err }},
			{"first page", func(s *Store, _ int) error {
				_, err := s.Posts(ctx, "bench", chatpic.SortNew, chatpic.Cursor{}, 61, now)
				return err
			}},
			{"deep page", func(s *Store, n int) error {
				_, err := s.Posts(ctx, "bench", chatpic.SortNew, deep(s, n), 61, now)
				return err
			}},
			{"top page", func(s *Store, _ int) error {
				_, err := s.Posts(ctx, "bench", chatpic.SortTop, chatpic.Cursor{}, 61, now)
				return err
			}},
		}
		for _, r := range reads {
			b.Run(r.name, func(b *testing.B) {
				var tSmall, tBig time.Duration
				run := func(s *Store, n int) time.Duration {
					start := time.Now()
					if err := r.fn(s, n); err != nil {
						b.Fatal(err)
					}
					return time.Since(start)
				}
				for i := range b.N {
					if i%2 == 0 {
						tSmall += run(small, 100)
						tBig += run(big, 100_000)
					} else {
						tBig += run(big, 100_000)
						tSmall += run(small, 100)
					}
				}
				b.ReportMetric(float64(tSmall.Nanoseconds())/float64(b.N), "ns@100")
				b.ReportMetric(float64(tBig.Nanoseconds())/float64(b.N), "ns@100k")
				b.ReportMetric(float64(tBig)/float64(tSmall), "ratio")
			})
		}
	})
}
