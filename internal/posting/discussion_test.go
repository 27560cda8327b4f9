package posting

import (
	"context"
	"net/netip"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
)

func TestPosterIDs(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	one, err := f.upload("random", "", mediatest.PNG(8, 8))
	if err != nil {
		t.Fatal(err)
	}
	two, err := f.upload("random", "", mediatest.PNG(9, 9))
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("2001:db8::2")
	say := func(p Created, who netip.Addr, token string) chatpic.Comment {
		t.Helper()
		c, err := f.svc.Comment(ctx, p.Post.ID, "hello", token, "", who)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	a1, a2, b1 := say(one, alice, ""), say(one, alice, ""), say(one, bob, "")
	a3 := say(two, alice, "")
	up := say(one, bob, one.DeleteToken)
	wrong := say(one, bob, two.DeleteToken)
	tests := []struct {
		name string
		ok   bool
	}{
		{"stable for one person in one thread", a1.PosterID == a2.PosterID},
		{"different people differ", a1.PosterID != b1.PosterID},
		{"the same person differs across threads", a1.PosterID != a3.PosterID},
		{"eight characters", len(a1.PosterID) == 8},
		{"numbered in order", a1.Number == 1 && a2.Number == 2 && b1.Number == 3},
		{"the delete token marks the uploader", up.IsUploader && !a1.IsUploader},
		{"another post's token does not", !wrong.IsUploader},
	}
	for _, tt := range tests {
		if !tt.ok {
			t.Errorf("%s: failed (a1=%+v a2=%+v b1=%+v a3=%+v)", tt.name, a1, a2, b1, a3)
		}
	}
	thread, err := f.svc.Comments(ctx, one.Post.ID)
	if err != nil || len(thread) != 5 {
		t.Fatalf("thread of %d, %v", len(thread), err)
	}
	for _, bad := range []string{"", "   ", string(make([]byte, 2001))} {
		if _, err := f.svc.Comment(ctx, one.Post.ID, bad, "", "", alice); chatpic.ErrorKind(err) != chatpic.KindInvalid {
			t.Errorf("comment %q: %v, want invalid", bad[:min(len(bad), 5)], err)
		}
	}
}

func TestVotesAreOnePerClient(t *testing.T) {
	f := newFixture(t, 1<<20)
	ctx := context.Background()
	p, err := f.upload("random", "", mediatest.PNG(8, 8))
	if err != nil {
		t.Fatal(err)
	}
	alice, bob := netip.MustParseAddr("203.0.113.1"), netip.MustParseAddr("203.0.113.2")
	steps := []struct {
		who   netip.Addr
		value int
		want  int
	}{
		{alice, 1, 1}, {alice, 1, 1}, {bob, 1, 2}, {bob, -1, 0}, {alice, 0, -1},
	}
	for i, st := range steps {
		score, err := f.svc.Vote(ctx, p.Post.ID, st.value, st.who)
		if err != nil || score != st.want {
			t.Fatalf("step %d: score %d, %v; want %d", i, score, err, st.want)
		}
	}
	if err := f.svc.Delete(ctx, p.Post.ID, p.DeleteToken); err != nil {
		t.Fatal(err)
	}
	if _, err := f.svc.Vote(ctx, p.Post.ID, 1, alice); chatpic.ErrorReason(err) != chatpic.ReasonDeleted {
		t.Fatalf("vote on a deleted post: %v, want gone (deleted)", err)
	}
	if _, err := f.svc.Comment(ctx, p.Post.ID, "hi", "", "", alice); chatpic.ErrorKind(err) != chatpic.KindGone {
		t.Fatalf("comment on a deleted post: %v, want gone", err)
	}
}
