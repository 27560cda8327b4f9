package sqlstore

import (
	"context"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// TestOpenReports: the queue's age counts the open reports on uploads that
// are still there, not decided ones nor those on uploads whose time ran
// out.
func TestOpenReports(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s := d.open(t)
		mustChannel(t, s, "pics", 10, 0)
		mustChannel(t, s, "brief", 10, time.Hour)
		if n, oldest, err := s.OpenReports(ctx, t0); err != nil || n != 0 || !oldest.IsZero() {
			t.Fatalf("empty: %d, %v, %v; want 0 and no time", n, oldest, err)
		}
		a, _ := mustPost(t, s, newPost("pics", t0, 0))
		b, _ := mustPost(t, s, newPost("pics", t0, 0))
		gone, _ := mustPost(t, s, newPost("brief", t0, time.Hour))
		mustReport(t, s, report(a.ID, "", chatpic.ReasonSpam, "x", t0.Add(time.Minute)))
		mustReport(t, s, report(b.ID, "", chatpic.ReasonSpam, "x", t0.Add(2*time.Minute)))
		mustReport(t, s, report(gone.ID, "", chatpic.ReasonSpam, "x", t0.Add(30*time.Second)))
		now := t0.Add(2 * time.Hour) // gone has expired
		if n, oldest, err := s.OpenReports(ctx, now); err != nil || n != 2 || !oldest.Equal(t0.Add(time.Minute)) {
			t.Fatalf("open: %d, %v, %v; want 2 since %v", n, oldest, err, t0.Add(time.Minute))
		}
		if _, err := s.RestorePost(ctx, a.ID, byModerator("restore_post", a.ID, now), now); err != nil {
			t.Fatal(err)
		}
		if n, oldest, err := s.OpenReports(ctx, now); err != nil || n != 1 || !oldest.Equal(t0.Add(2*time.Minute)) {
			t.Fatalf("after a decision: %d, %v, %v; want 1 since %v", n, oldest, err, t0.Add(2*time.Minute))
		}
	})
}

// TestMarkAlert: each moment is marked once, later ones again, earlier
// ones never.
func TestMarkAlert(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s := d.open(t)
		for _, step := range []struct {
			name  string
			alert string
			at    time.Time
			first bool
		}{
			{"a first alert", "queue", t0, true},
			{"the same moment again", "queue", t0, false},
			{"an earlier moment", "queue", t0.Add(-time.Minute), false},
			{"a later moment", "queue", t0.Add(time.Minute), true},
			{"another alert at the same moment", "other", t0.Add(time.Minute), true},
		} {
			first, err := s.MarkAlert(ctx, step.alert, step.at)
			if err != nil || first != step.first {
				t.Fatalf("%s: %v, %v; want %v", step.name, first, err, step.first)
			}
		}
	})
}

// TestErrorsMarkedAsDatabase: a failure of the database carries the mark
// the failure counts go by.
func TestErrorsMarkedAsDatabase(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		s, err := Open(context.Background(), d.database(t))
		if err != nil {
			t.Fatal(err)
		}
		s.Close()
		_, _, err = s.OpenReports(context.Background(), t0)
		if err == nil || chatpic.ErrorKind(err) != chatpic.KindInternal || chatpic.ErrorSource(err) != "database" {
			t.Errorf("a closed database answered %v (source %s), want an internal error from the database", err, chatpic.ErrorSource(err))
		}
	})
}
