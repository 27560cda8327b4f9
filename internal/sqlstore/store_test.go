package sqlstore

import (
	"bytes"
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// t0 is the start of every test's clock.
var t0 = time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)

// conformanceCase is one case of the store suite: fn gets a fresh, empty,
// migrated Store of its own.
type conformanceCase struct {
	name string
	fn   func(t *testing.T, s *Store)
}

// TestConformance is the store suite: every dialect must pass every case.
// The cases run in parallel, each on its own database.
func TestConformance(t *testing.T) {
	cases := slices.Concat(channelCases, postCases, discussionCases, reportCases, queueCases,
		moderatorCases, banCases, transparencyCases, albumCases, fileCases)
	eachDialect(t, func(t *testing.T, d testDialect) {
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				t.Parallel()
				c.fn(t, d.open(t))
			})
		}
	})
}

func mustChannel(t *testing.T, s *Store, slug string, capacity int, ttl time.Duration) {
	t.Helper()
	err := s.CreateChannel(context.Background(), chatpic.Channel{
		Slug: slug, Title: "Test " + slug, Capacity: capacity, TTL: ttl, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// newPost makes a post for the channel created at now, expiring after ttl
// (0: never).
func newPost(channel string, now time.Time, ttl time.Duration) chatpic.Post {
	p := chatpic.Post{
		ID: chatpic.NewID(), Channel: channel, Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg", ThumbMIME: "image/jpeg",
			Width: 10, Height: 20, Bytes: 123}, CreatedAt: now, DeleteTokenHash: chatpic.HashToken("token"),
	}
	p.SHA256[0] = 0xAB
	if ttl > 0 {
		p.ExpiresAt = now.Add(ttl)
	}
	return p
}

func mustPost(t *testing.T, s *Store, p chatpic.Post) (chatpic.Post, []chatpic.Post) {
	t.Helper()
	p, evicted, err := s.CreatePost(context.Background(), p, p.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	return p, evicted
}

func wantGone(t *testing.T, err error, reason chatpic.GoneReason) {
	t.Helper()
	if chatpic.ErrorKind(err) != chatpic.KindGone || chatpic.ErrorReason(err) != reason {
		t.Fatalf("got %v (kind %q, reason %q), want gone with reason %q", err, chatpic.ErrorKind(err), chatpic.ErrorReason(err), reason)
	}
}

func wantKind(t *testing.T, err error, kind chatpic.Kind) {
	t.Helper()
	if got := chatpic.ErrorKind(err); got != kind {
		t.Fatalf("got %v (kind %q), want kind %q", err, got, kind)
	}
}

// joinLines renders lines for a failure message, one per line.
func joinLines(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("\t" + l + "\n")
	}
	return b.String()
}
