package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// discussionCases are the cases for comments and votes.
var discussionCases = []conformanceCase{
	{"comments are numbered and vanish with their post", testComments},
	{"one vote per voter, changeable and withdrawable", testVotes},
}

func comment(postID, body string) chatpic.Comment {
	return chatpic.Comment{ID: chatpic.NewID(), PostID: postID, Body: body, PosterID: "abcdefgh", CreatedAt: t0}
}

// mustComment adds a comment with the given body to a post.
func mustComment(t *testing.T, s *Store, postID, body string) chatpic.Comment {
	t.Helper()
	c, err := s.AddComment(context.Background(), comment(postID, body), t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func testComments(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "talk", 1, time.Hour)
	p, _ := mustPost(t, s, newPost("talk", t0, time.Hour))
	for i, body := range []string{"first", "second", "third"} {
		c, err := s.AddComment(ctx, comment(p.ID, body), t0)
		if err != nil || c.Number != i+1 {
			t.Fatalf("comment %d: number %d, %v", i, c.Number, err)
		}
	}
	thread, err := s.Comments(ctx, p.ID)
	if err != nil || len(thread) != 3 || thread[0].Body != "first" || thread[2].Number != 3 {
		t.Fatalf("thread %+v, %v", thread, err)
	}
	if got, _ := s.Post(ctx, p.ID, t0); got.CommentCount != 3 {
		t.Fatalf("comment count %d, want 3", got.CommentCount)
	}
	_, err = s.AddComment(ctx, comment(p.ID, "late"), t0.Add(time.Hour))
	wantGone(t, err, chatpic.ReasonExpired)
	_, err = s.AddComment(ctx, comment(chatpic.NewID(), "nowhere"), t0)
	wantKind(t, err, chatpic.KindNotFound)

	// Evicting the post takes its thread with it.
	mustPost(t, s, newPost("talk", t0, time.Hour))
	_, err = s.AddComment(ctx, comment(p.ID, "after"), t0)
	wantGone(t, err, chatpic.ReasonEvicted)
	var left int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM comments WHERE post_id = ?`, p.ID).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d comments left after eviction (%v)", left, err)
	}
}

func testVotes(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "polls", 1, 0)
	p, _ := mustPost(t, s, newPost("polls", t0, 0))
	a, b := []byte("voter-a"), []byte("voter-b")
	steps := []struct {
		name  string
		voter []byte
		value int
		want  int
	}{
		{"a up", a, 1, 1},
		{"a up again counts once", a, 1, 1},
		{"b up", b, 1, 2},
		{"a changes to down", a, -1, 0},
		{"b withdraws", b, 0, -1},
		{"b withdraws again", b, 0, -1},
		{"a withdraws", a, 0, 0},
	}
	for _, st := range steps {
		score, err := s.Vote(ctx, p.ID, st.voter, st.value, t0)
		if err != nil || score != st.want {
			t.Fatalf("%s: score %d, %v; want %d", st.name, score, err, st.want)
		}
	}
	_, err := s.Vote(ctx, p.ID, a, 2, t0)
	wantKind(t, err, chatpic.KindInvalid)
	s.Vote(ctx, p.ID, a, 1, t0)
	if got, _ := s.Post(ctx, p.ID, t0); got.Score != 1 {
		t.Fatalf("post score %d, want 1", got.Score)
	}
	mustPost(t, s, newPost("polls", t0, 0)) // evicts p
	_, err = s.Vote(ctx, p.ID, b, 1, t0)
	wantGone(t, err, chatpic.ReasonEvicted)
	var left int
	if err := s.read.QueryRowContext(ctx, `SELECT COUNT(*) FROM votes WHERE post_id = ?`, p.ID).Scan(&left); err != nil || left != 0 {
		t.Fatalf("%d votes left after eviction (%v)", left, err)
	}
}
