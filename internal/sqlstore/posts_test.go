package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// postCases are the cases for uploads: capacity, expiry, paging, deletion, views.
var postCases = []conformanceCase{
	{"capacity eviction keeps the newest N", testCapacityEviction},
	{"eviction of an expired row says expired", testEvictExpired},
	{"expired posts vanish from reads at once", testExpiryHidesPosts},
	{"expire posts in batches leaves tombstones", testExpirePosts},
	{"posts page by cursor, newest first", testPaging},
	{"delete post leaves a tombstone", testDeletePost},
	{"post into an unknown channel is not found", testUnknownChannel},
	{"a post ID is taken once, and a refused post takes no place", testDuplicatePostID},
	{"scan posts walks every row", testScanPosts},
	{"a post reads back as written", testRoundTrip},
	{"recent post times, newest first and visible only", testRecentPostTimes},
	{"top posts page by score, then newest", testTopPaging},
	{"views burn down and the last one still shows", testCountView},
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

func testCapacityEviction(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "small", 3, 0)
	var ids []string
	for i := range 5 {
		p, evicted := mustPost(t, s, newPost("small", t0.Add(time.Duration(i)*time.Second), 0))
		if p.Seq != int64(i+1) {
			t.Fatalf("post %d has seq %d", i, p.Seq)
		}
		ids = append(ids, p.ID)
		switch {
		case i < 3 && len(evicted) != 0:
			t.Fatalf("insert %d evicted %d posts, want none", i, len(evicted))
		case i >= 3 && (len(evicted) != 1 || evicted[0].ID != ids[i-3]):
			t.Fatalf("insert %d evicted %v, want exactly %s", i, evicted, ids[i-3])
		}
	}
	now := t0.Add(time.Minute)
	for i, id := range ids {
		_, err := s.Post(ctx, id, now)
		if i < 2 {
			wantGone(t, err, chatpic.ReasonEvicted)
		} else if err != nil {
			t.Fatalf("post %d: %v", i, err)
		}
	}
	st, err := s.Channel(ctx, "small", now)
	if err != nil || st.Count != 3 {
		t.Fatalf("count = %d, %v; want 3", st.Count, err)
	}
}

func testEvictExpired(t *testing.T, s *Store) {
	mustChannel(t, s, "one", 1, time.Hour)
	first, _ := mustPost(t, s, newPost("one", t0, time.Hour))
	_, evicted := mustPost(t, s, newPost("one", t0.Add(2*time.Hour), time.Hour))
	if len(evicted) != 1 || evicted[0].ID != first.ID {
		t.Fatalf("evicted %v, want the first post", evicted)
	}
	_, err := s.Post(context.Background(), first.ID, t0.Add(2*time.Hour))
	wantGone(t, err, chatpic.ReasonExpired)
}

func testExpiryHidesPosts(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "brief", 10, time.Hour)
	p, _ := mustPost(t, s, newPost("brief", t0, time.Hour))
	tests := []struct {
		name    string
		at      time.Time
		visible bool
	}{
		{"just posted", t0, true},
		{"a millisecond before expiry", t0.Add(time.Hour - time.Millisecond), true},
		{"at expiry", t0.Add(time.Hour), false},
		{"long after", t0.Add(48 * time.Hour), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Post(ctx, p.ID, tt.at)
			list, lerr := s.Posts(ctx, "brief", chatpic.SortNew, chatpic.Cursor{}, 10, tt.at)
			if lerr != nil {
				t.Fatal(lerr)
			}
			if tt.visible {
				if err != nil || len(list) != 1 {
					t.Fatalf("post: %v, list has %d; want visible", err, len(list))
				}
				return
			}
			wantGone(t, err, chatpic.ReasonExpired)
			if len(list) != 0 {
				t.Fatalf("list has %d posts, want none", len(list))
			}
		})
	}
}

func testExpirePosts(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "brief", 10, time.Hour)
	mustChannel(t, s, "keep", 10, 0)
	kept, _ := mustPost(t, s, newPost("keep", t0, 0))
	var ids []string
	for i := range 5 {
		p, _ := mustPost(t, s, newPost("brief", t0.Add(time.Duration(i)*time.Minute), time.Hour))
		ids = append(ids, p.ID)
	}
	now := t0.Add(time.Hour + 2*time.Minute) // the first three have expired
	first, err := s.ExpirePosts(ctx, now, 2)
	if err != nil || len(first) != 2 || first[0].ID != ids[0] || first[1].ID != ids[1] {
		t.Fatalf("first batch = %v, %v; want the two oldest", first, err)
	}
	second, err := s.ExpirePosts(ctx, now, 2)
	if err != nil || len(second) != 1 || second[0].ID != ids[2] {
		t.Fatalf("second batch = %v, %v; want the third", second, err)
	}
	for i, id := range ids {
		exists, err := s.PostExists(ctx, id)
		if err != nil || exists != (i >= 3) {
			t.Fatalf("post %d exists = %v, %v", i, exists, err)
		}
	}
	if exists, _ := s.PostExists(ctx, kept.ID); !exists {
		t.Fatal("a post without TTL was expired")
	}
	// post_count tracks the rows: two left, and capacity still works.
	mustChannel(t, s, "x", 1, 0) // unrelated channel, makes sure counts are per channel
	st, _ := s.Channel(ctx, "brief", t0)
	if st.Count != 2 {
		t.Fatalf("visible at t0 = %d, want 2", st.Count)
	}
}

func testPaging(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pages", 100, 0)
	var ids []string
	for i := range 7 {
		p, _ := mustPost(t, s, newPost("pages", t0.Add(time.Duration(i)*time.Second), 0))
		ids = append(ids, p.ID)
	}
	var got []string
	var before int64
	for range 10 {
		page, err := s.Posts(ctx, "pages", chatpic.SortNew, chatpic.Cursor{Seq: before}, 3, t0.Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			got = append(got, p.ID)
		}
		if len(page) < 3 {
			break
		}
		before = page[len(page)-1].Seq
	}
	var want []string
	for i := len(ids) - 1; i >= 0; i-- {
		want = append(want, ids[i])
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("paged %v, want %v", got, want)
	}
}

func testDeletePost(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 2, 0)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	got, err := s.DeletePost(ctx, p.ID, chatpic.ReasonDeleted, t0)
	if err != nil || got.ID != p.ID || got.Ext != "png" {
		t.Fatalf("delete = %+v, %v", got, err)
	}
	_, err = s.Post(ctx, p.ID, t0)
	wantGone(t, err, chatpic.ReasonDeleted)
	_, err = s.DeletePost(ctx, p.ID, chatpic.ReasonDeleted, t0)
	wantGone(t, err, chatpic.ReasonDeleted)
	_, err = s.DeletePost(ctx, chatpic.NewID(), chatpic.ReasonDeleted, t0)
	wantKind(t, err, chatpic.KindNotFound)
	_, err = s.Post(ctx, chatpic.NewID(), t0)
	wantKind(t, err, chatpic.KindNotFound)
	// The count went down: two more fit without eviction.
	for range 2 {
		if _, evicted := mustPost(t, s, newPost("pics", t0, 0)); len(evicted) != 0 {
			t.Fatal("a delete did not free its place")
		}
	}
}

func testUnknownChannel(t *testing.T, s *Store) {
	_, _, err := s.CreatePost(context.Background(), newPost("nowhere", t0, 0), t0)
	wantKind(t, err, chatpic.KindNotFound)
}

func testDuplicatePostID(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 2, 0)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	again := newPost("pics", t0, 0)
	again.ID = p.ID
	_, _, err := s.CreatePost(ctx, again, t0)
	wantKind(t, err, chatpic.KindConflict)
	// The channel's count and sequence are as before the refusal.
	next, evicted := mustPost(t, s, newPost("pics", t0, 0))
	if next.Seq != 2 || len(evicted) != 0 {
		t.Fatalf("the next post has seq %d and evicted %d; want 2 and none", next.Seq, len(evicted))
	}
}

func testScanPosts(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 100, time.Minute)
	want := map[string]bool{}
	for range 7 {
		p, _ := mustPost(t, s, newPost("pics", t0, time.Minute))
		want[p.ID] = true
	}
	seen := map[string]bool{}
	after := ""
	for {
		page, err := s.ScanPosts(ctx, after, 3)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			seen[p.ID] = true
			after = p.ID
		}
		if len(page) < 3 {
			break
		}
	}
	if n, err := s.CountPosts(ctx); err != nil || n != len(want) {
		t.Fatalf("CountPosts = %d, %v; want %d", n, err, len(want))
	}
	if len(seen) != len(want) {
		t.Fatalf("scanned %d posts, want %d (expired rows included)", len(seen), len(want))
	}
}

func testRoundTrip(t *testing.T, s *Store) {
	mustChannel(t, s, "clips", 10, time.Hour)
	in := newPost("clips", t0, time.Hour)
	in.Caption, in.Kind, in.MIME, in.Ext, in.ThumbExt, in.ThumbMIME = "a clip", chatpic.Video, "video/mp4", "mp4", "png", "image/png"
	in.Duration, in.Frames, in.Width, in.Height = 12345*time.Millisecond, 0, 1080, 1920
	in.PDQ, in.PDQQuality = []byte("0123456789abcdef0123456789abcdef"), 87
	in.Status, in.ClientKey, in.Sensitive = chatpic.StatusPending, []byte("keyed hash of the client"), true
	in.PasswordHash = "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$aGFzaA"
	in, _ = mustPost(t, s, in)
	out, err := s.Post(context.Background(), in.ID, t0)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", out) != fmt.Sprintf("%+v", in) {
		t.Fatalf("read back\n%+v\nwant\n%+v", out, in)
	}
	// An image with no perceptual hash keeps a nil one.
	img, _ := mustPost(t, s, newPost("clips", t0, time.Hour))
	got, err := s.Post(context.Background(), img.ID, t0)
	if err != nil || got.PDQ != nil || got.Kind != chatpic.Image || got.Sensitive || got.PasswordHash != "" {
		t.Fatalf("image post read back %+v, %v", got, err)
	}
}

func testRecentPostTimes(t *testing.T, s *Store) {
	mustChannel(t, s, "pace", 100, time.Hour)
	for i := range 5 {
		mustPost(t, s, newPost("pace", t0.Add(time.Duration(i)*10*time.Minute), time.Hour))
	}
	// At t0+65m the first upload (t0) has expired; the four others remain.
	got, err := s.RecentPostTimes(context.Background(), "pace", 3, t0.Add(65*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	want := []time.Time{t0.Add(40 * time.Minute), t0.Add(30 * time.Minute), t0.Add(20 * time.Minute)}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	all, _ := s.RecentPostTimes(context.Background(), "pace", 50, t0.Add(65*time.Minute))
	if len(all) != 4 {
		t.Fatalf("got %d times, want the 4 visible", len(all))
	}
}

func testTopPaging(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "ranked", 100, 0)
	scores := []int{0, 3, -1, 3, 1, 0} // by upload order
	var ids []string
	for i, score := range scores {
		p, _ := mustPost(t, s, newPost("ranked", t0.Add(time.Duration(i)*time.Second), 0))
		ids = append(ids, p.ID)
		for v := range abs(score) {
			value := 1
			if score < 0 {
				value = -1
			}
			if _, err := s.Vote(ctx, p.ID, []byte{byte(v)}, value, t0); err != nil {
				t.Fatal(err)
			}
		}
	}
	// Score 3 (newer first), 1, 0 (newer first), -1.
	want := []string{ids[3], ids[1], ids[4], ids[5], ids[0], ids[2]}
	var got []string
	var after chatpic.Cursor
	for range 10 {
		page, err := s.Posts(ctx, "ranked", chatpic.SortTop, after, 4, t0)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range page {
			got = append(got, p.ID)
		}
		if len(page) < 4 {
			break
		}
		last := page[len(page)-1]
		after = chatpic.Cursor{Score: last.Score, Seq: last.Seq}
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("top order %v, want %v", got, want)
	}
}

func testCountView(t *testing.T, s *Store) {
	ctx := context.Background()
	p := newPost(chatpic.LinkOnly, t0, 24*time.Hour)
	p.ViewsLeft = 3
	p, _ = mustPost(t, s, p)
	for i, want := range []int{3, 2, 1} {
		got, err := s.CountView(ctx, p.ID, t0)
		if err != nil || got.ViewsLeft != want {
			t.Fatalf("view %d: %d views left before it, %v; want %d", i+1, got.ViewsLeft, err, want)
		}
	}
	_, err := s.CountView(ctx, p.ID, t0)
	wantGone(t, err, chatpic.ReasonExpired)
	_, err = s.Post(ctx, p.ID, t0)
	wantGone(t, err, chatpic.ReasonExpired)
	if _, err := s.PostInGrace(ctx, p.ID, t0.Add(time.Minute)); err != nil {
		t.Fatalf("within the grace: %v", err)
	}
	_, err = s.PostInGrace(ctx, p.ID, t0.Add(usedUpGrace))
	wantGone(t, err, chatpic.ReasonExpired)
	gone, err := s.ExpirePosts(ctx, t0.Add(usedUpGrace), 10)
	if err != nil || len(gone) != 1 || gone[0].ID != p.ID {
		t.Fatalf("expire after the grace: %v, %v", gone, err)
	}

	unlimited, _ := mustPost(t, s, newPost(chatpic.LinkOnly, t0, time.Hour))
	for range 5 {
		if got, err := s.CountView(ctx, unlimited.ID, t0); err != nil || got.ViewsLeft != 0 {
			t.Fatalf("a post without a limit: %+v, %v", got, err)
		}
	}
}
