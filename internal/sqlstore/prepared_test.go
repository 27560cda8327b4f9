package sqlstore

import (
	"context"
	"testing"
)

// TestStatementsPreparedOnce: a query run again reuses its prepared
// statement, on both dialects, inside transactions too.
func TestStatementsPreparedOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		s := d.open(t)
		ctx := context.Background()
		mustChannel(t, s, "cats", 10, 0)
		p, _ := mustPost(t, s, newPost("cats", t0, 0))
		if _, err := s.Post(ctx, p.ID, t0); err != nil {
			t.Fatal(err)
		}
		prepared := s.read.n.Load()
		if prepared == 0 {
			t.Fatal("reading a post prepared no statement")
		}
		for range 20 {
			if _, err := s.Post(ctx, p.ID, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Channel(ctx, "cats", t0); err != nil {
				t.Fatal(err)
			}
		}
		again := s.read.n.Load()
		for range 20 {
			if _, err := s.Post(ctx, p.ID, t0); err != nil {
				t.Fatal(err)
			}
			if _, err := s.Channel(ctx, "cats", t0); err != nil {
				t.Fatal(err)
			}
		}
		if n := s.read.n.Load(); n != again {
			t.Fatalf("%d statements prepared after the same reads ran again (were %d)", n, again)
		}
	})
}
