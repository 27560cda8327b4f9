package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// BenchmarkCreatePostEvict measures an upload into a full channel (insert
// plus eviction of the oldest) after 1 thousand and after 1 million past
// uploads. The two must cost the same: run them side by side with
// bench/eviction.sh, which prints the ratio.
func BenchmarkCreatePostEvict(b *testing.B) {
	for _, past := range []int{1_000, 1_000_000} {
		b.Run(fmt.Sprintf("past=%d", past), func(b *testing.B) {
			s := openSQLiteForTest(b)
			now := seedHistory(b, s, "bench", 100, past)
			ctx := context.Background()
			b.ResetTimer()
			for range b.N {
				now = now.Add(time.Millisecond)
				_, evicted, err := s.CreatePost(ctx, newPost("bench", now, 0), now)
				if err != nil || len(evicted) != 1 {
					b.Fatalf("evicted %d, %v", len(evicted), err)
				}
			}
		})
	}
}

// seedHistory makes a channel of the given capacity, full, that has seen
// past uploads before: they are tombstones now, exactly what eviction
// leaves. Writing them in bulk keeps set-up fast; the live posts go through
// CreatePost. It returns the clock after the last upload.
func seedHistory(b *testing.B, s *Store, slug string, capacity, past int) time.Time {
	b.Helper()
	ctx := context.Background()
	if err := s.CreateChannel(ctx, chatpic.Channel{Slug: slug, Title: slug, Capacity: capacity, CreatedAt: t0}); err != nil {
		b.Fatal(err)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO tombstones (id, channel, reason, gone_at) VALUES (?, ?, 'evicted', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	for i := range past {
		if _, err := stmt.ExecContext(ctx, chatpic.NewID(), slug, t0.UnixMilli()+int64(i)); err != nil {
			b.Fatal(err)
		}
	}
	stmt.Close()
	if _, err := tx.ExecContext(ctx, `UPDATE channels SET post_total = ? WHERE slug = ?`, past, slug); err != nil {
		b.Fatal(err)
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	now := t0
	for range capacity {
		now = now.Add(time.Millisecond)
		if _, _, err := s.CreatePost(ctx, newPost(slug, now, 0), now); err != nil {
			b.Fatal(err)
		}
	}
	return now
}
