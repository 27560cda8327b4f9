package sqlstore

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// BenchmarkCreatePostEvict measures an upload into a full channel (insert
// plus eviction of the oldest) after 1 thousand and after 1 million past
// uploads, on each dialect. The two must cost the same: run them side by
// side with bench/eviction.sh, which prints the ratio.
func BenchmarkCreatePostEvict(b *testing.B) {
	eachDialectB(b, func(b *testing.B, d testDialect) {
		for _, past := range []int{1_000, 1_000_000} {
			b.Run(fmt.Sprintf("past=%d", past), func(b *testing.B) {
				s := d.open(b)
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
	})
}

// BenchmarkEvictionFlat interleaves uploads into two full channels, one
// after 1e3 and one after 1e6 past uploads, so that both see the same
// machine noise, and reports each one's cost and their ratio: the
// throughput after 1e6 relative to after 1e3 (1.0 is perfectly flat). It
// runs on each dialect.
func BenchmarkEvictionFlat(b *testing.B) {
	eachDialectB(b, func(b *testing.B, d testDialect) {
		ctx := context.Background()
		small, big := d.open(b), d.open(b)
		nowSmall := seedHistory(b, small, "bench", 100, 1_000)
		nowBig := seedHistory(b, big, "bench", 100, 1_000_000)
		var tSmall, tBig time.Duration
		insert := func(s *Store, now *time.Time) time.Duration {
			*now = now.Add(time.Millisecond)
			start := time.Now()
			_, evicted, err := s.CreatePost(ctx, newPost("bench", *now, 0), *now)
			took := time.Since(start)
			if err != nil || len(evicted) != 1 {
				b.Fatalf("evicted %d, %v", len(evicted), err)
			}
			return took
		}
		b.ResetTimer()
		for i := range b.N {
			// Alternate which goes first, so neither always follows the other.
			if i%2 == 0 {
				tSmall += insert(small, &nowSmall)
				tBig += insert(big, &nowBig)
			} else {
				tBig += insert(big, &nowBig)
				tSmall += insert(small, &nowSmall)
			}
		}
		b.ReportMetric(float64(tSmall.Nanoseconds())/float64(b.N), "ns/upload@1e3")
		b.ReportMetric(float64(tBig.Nanoseconds())/float64(b.N), "ns/upload@1e6")
		b.ReportMetric(float64(tSmall)/float64(tBig), "ratio")
	})
}

const uploadsPerHour = 1000

// historicID makes an ID as chatpic.NewID would have made it in the given
// hour (counted from the Unix epoch).
func historicID(hour int64) string {
	b := make([]byte, 15)
	b[0], b[1], b[2] = byte(hour>>16), byte(hour>>8), byte(hour)
	rand.Read(b[3:])
	return base64.RawURLEncoding.EncodeToString(b)
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
	// The history is spread as a busy site makes it, 1000 uploads an hour,
	// ending now: IDs carry the hour they were made in. Rows go in batches,
	// a round trip each on PostgreSQL.
	const batch = 500
	hour := time.Now().Unix()/3600 - int64(past/uploadsPerHour)
	for start := 0; start < past; start += batch {
		n := min(batch, past-start)
		query := `INSERT INTO tombstones (id, channel, reason, gone_at) VALUES ` +
			strings.Repeat(`(?, ?, 'evicted', ?), `, n-1) + `(?, ?, 'evicted', ?)`
		args := make([]any, 0, 3*n)
		for i := start; i < start+n; i++ {
			args = append(args, historicID(hour+int64(i/uploadsPerHour)), slug, t0.UnixMilli()+int64(i))
		}
		if _, err := tx.ExecContext(ctx, query, args...); err != nil {
			b.Fatal(err)
		}
	}
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
