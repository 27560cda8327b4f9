package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// channelCases are the cases for channels: seeding, settings, stats, locking.
var channelCases = []conformanceCase{
	{"seed adds the default channels once, in order", testSeed},
	{"channel lookups and stats", testChannelStats},
	{"create channel refuses duplicates and invalid settings", testCreateChannel},
	{"lowering capacity evicts at once", testUpdateChannel},
	{"deleting a channel removes its posts", testDeleteChannel},
	{"link-only uploads are in no listing", testLinkOnlyHidden},
	{"channel settings read back without the counts", testChannelSettings},
	{"channel moderation settings round trip", testChannelModerationSettings},
	{"lock channel refuses unknown and link-only channels", testLockChannel},
}

func testSeed(t *testing.T, s *Store) {
	ctx := context.Background()
	seeded, err := s.Seed(ctx, chatpic.DefaultChannels(), t0)
	if err != nil || !seeded {
		t.Fatalf("first seed = %v, %v; want true, nil", seeded, err)
	}
	if _, err := s.DeleteChannel(ctx, "politics", t0); err != nil {
		t.Fatal(err)
	}
	seeded, err = s.Seed(ctx, chatpic.DefaultChannels(), t0)
	if err != nil || seeded {
		t.Fatalf("second seed = %v, %v; want false, nil", seeded, err)
	}
	chans, err := s.Channels(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range chans {
		got = append(got, c.Slug)
	}
	want := "[photography entertainment gaming memes random flash]"
	if fmt.Sprint(got) != want {
		t.Fatalf("channels = %v, want %v (seed order, removed one stays removed)", got, want)
	}
	if flash := chans[len(chans)-1]; flash.TTL != time.Hour || flash.Capacity != 100 {
		t.Fatalf("flash = %+v, want capacity 100, TTL 1h", flash.Channel)
	}
}

func testChannelStats(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	mustChannel(t, s, "brief", 10, time.Hour)
	mustPost(t, s, newPost("pics", t0, 0))
	mustPost(t, s, newPost("pics", t0.Add(time.Minute), 0))
	mustPost(t, s, newPost("brief", t0, time.Hour))

	tests := []struct {
		slug      string
		at        time.Time
		wantCount int
		wantLast  time.Time
	}{
		{"pics", t0.Add(time.Hour), 2, t0.Add(time.Minute)},
		{"brief", t0.Add(59 * time.Minute), 1, t0},
		{"brief", t0.Add(time.Hour), 0, time.Time{}},
	}
	for _, tt := range tests {
		st, err := s.Channel(ctx, tt.slug, tt.at)
		if err != nil {
			t.Fatal(err)
		}
		if st.Count != tt.wantCount || !st.LastPostAt.Equal(tt.wantLast) {
			t.Errorf("%s at %v: count %d, last %v; want %d, %v", tt.slug, tt.at, st.Count, st.LastPostAt, tt.wantCount, tt.wantLast)
		}
	}
	_, err := s.Channel(ctx, "nope", t0)
	wantKind(t, err, chatpic.KindNotFound)
}

func testCreateChannel(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	tests := []struct {
		name string
		ch   chatpic.Channel
		want chatpic.Kind
	}{
		{"duplicate slug", chatpic.Channel{Slug: "pics", Title: "Again", Capacity: 5}, chatpic.KindConflict},
		{"bad slug", chatpic.Channel{Slug: "Bad Slug", Title: "x", Capacity: 5}, chatpic.KindInvalid},
		{"zero capacity", chatpic.Channel{Slug: "zero", Title: "x", Capacity: 0}, chatpic.KindInvalid},
		{"ttl too short", chatpic.Channel{Slug: "short", Title: "x", Capacity: 5, TTL: time.Second}, chatpic.KindInvalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			wantKind(t, s.CreateChannel(ctx, tt.ch), tt.want)
		})
	}
}

func testUpdateChannel(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	var ids []string
	for i := range 5 {
		p, _ := mustPost(t, s, newPost("pics", t0.Add(time.Duration(i)*time.Second), 0))
		ids = append(ids, p.ID)
	}
	evicted, err := s.UpdateChannel(ctx, chatpic.Channel{Slug: "pics", Title: "Pictures", Capacity: 2, TTL: time.Hour}, t0)
	if err != nil || len(evicted) != 3 || evicted[0].ID != ids[0] {
		t.Fatalf("update evicted %d (%v), want the 3 oldest", len(evicted), err)
	}
	st, err := s.Channel(ctx, "pics", t0)
	if err != nil || st.Title != "Pictures" || st.Capacity != 2 || st.TTL != time.Hour || st.Count != 2 {
		t.Fatalf("after update: %+v, %v", st, err)
	}
	_, err = s.UpdateChannel(ctx, chatpic.Channel{Slug: "nope", Title: "x", Capacity: 2}, t0)
	wantKind(t, err, chatpic.KindNotFound)
}

func testDeleteChannel(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "doomed", 10, 0)
	p, _ := mustPost(t, s, newPost("doomed", t0, 0))
	posts, err := s.DeleteChannel(ctx, "doomed", t0)
	if err != nil || len(posts) != 1 {
		t.Fatalf("delete channel = %d posts, %v", len(posts), err)
	}
	_, err = s.Post(ctx, p.ID, t0)
	wantGone(t, err, chatpic.ReasonRemoved)
	_, err = s.Channel(ctx, "doomed", t0)
	wantKind(t, err, chatpic.KindNotFound)
	_, err = s.DeleteChannel(ctx, "doomed", t0)
	wantKind(t, err, chatpic.KindNotFound)
}

func testLinkOnlyHidden(t *testing.T, s *Store) {
	ctx := context.Background()
	s.Seed(ctx, chatpic.DefaultChannels(), t0)
	mustPost(t, s, newPost(chatpic.LinkOnly, t0, time.Hour))
	chans, err := s.Channels(ctx, t0)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range chans {
		if c.Slug == chatpic.LinkOnly {
			t.Fatal("the link-only channel is listed")
		}
	}
}

func testChannelSettings(t *testing.T, s *Store) {
	ctx := context.Background()
	c := chatpic.Channel{Slug: "pics", Title: "Pics", Capacity: 7, TTL: time.Hour, CreatedAt: t0,
		ReportThreshold: 5, Premod: chatpic.PremodAll, Challenge: chatpic.ChallengeAlways, Locked: true, MaxFiles: 3}
	if err := s.CreateChannel(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.ChannelSettings(ctx, "pics")
	if err != nil || got != c {
		t.Fatalf("ChannelSettings = %+v, %v; want %+v", got, err, c)
	}
	if _, err := s.ChannelSettings(ctx, "nope"); chatpic.ErrorKind(err) != chatpic.KindNotFound {
		t.Fatalf("an unknown channel: %v, want not found", err)
	}
}

func testChannelModerationSettings(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "plain", 10, 0)
	strict := chatpic.Channel{Slug: "strict", Title: "Strict", Capacity: 10, CreatedAt: t0,
		ReportThreshold: 5, Premod: chatpic.PremodMedia, Challenge: chatpic.ChallengeAlways}
	if err := s.CreateChannel(ctx, strict); err != nil {
		t.Fatal(err)
	}
	settings := func(slug string) string {
		t.Helper()
		st, err := s.Channel(ctx, slug, t0)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("threshold=%d premod=%s challenge=%s locked=%v", st.ReportThreshold, st.Premod, st.Challenge, st.Locked)
	}
	if got, want := settings("plain"), "threshold=3 premod=off challenge=auto locked=false"; got != want {
		t.Fatalf("defaults %s, want %s", got, want)
	}
	if got, want := settings("strict"), "threshold=5 premod=media challenge=always locked=false"; got != want {
		t.Fatalf("created %s, want %s", got, want)
	}
	strict.ReportThreshold, strict.Premod, strict.Challenge, strict.Locked = 1, chatpic.PremodAll, chatpic.ChallengeOff, true
	if _, err := s.UpdateChannel(ctx, strict, t0); err != nil {
		t.Fatal(err)
	}
	if got, want := settings("strict"), "threshold=1 premod=all challenge=off locked=true"; got != want {
		t.Fatalf("updated %s, want %s", got, want)
	}
}

func testLockChannel(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	locked := func(slug string) bool {
		t.Helper()
		st, err := s.Channel(ctx, slug, t0)
		if err != nil {
			t.Fatal(err)
		}
		return st.Locked
	}
	for _, want := range []bool{true, false} {
		if err := s.SetChannelLocked(ctx, "pics", want, byModerator("lock_channel", "pics", t0)); err != nil {
			t.Fatal(err)
		}
		if got := locked("pics"); got != want {
			t.Fatalf("locked %v, want %v", got, want)
		}
	}
	for _, slug := range []string{"nope", chatpic.LinkOnly} {
		wantKind(t, s.SetChannelLocked(ctx, slug, true, byModerator("lock_channel", slug, t0)), chatpic.KindNotFound)
	}
	if locked(chatpic.LinkOnly) {
		t.Fatal("the link-only channel was locked")
	}
	if n := len(mustAudit(t, s)); n != 2 {
		t.Fatalf("%d audit entries, want 2 (refusals write none)", n)
	}
}
