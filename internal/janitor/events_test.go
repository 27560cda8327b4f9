package janitor

import (
	"context"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/events"
)

func TestRunPrunesEvents(t *testing.T) {
	ctx := context.Background()
	now := time.Now().UTC()
	tests := []struct {
		name       string
		dry        bool
		wantPruned int
		wantLeft   int
	}{
		{"dry run", true, 0, 3},
		{"for real", false, 2, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			for _, age := range []time.Duration{3 * EventRetention, EventRetention + time.Second, EventRetention / 2} {
				if _, err := f.db.AppendEvent(ctx, "channel:keep", events.TypePost, []byte("{}"), now.Add(-age)); err != nil {
					t.Fatal(err)
				}
			}
			r, err := f.j.Run(ctx, now, Options{DryRun: tt.dry, Grace: time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			if r.Events != tt.wantPruned {
				t.Errorf("Report.Events = %d, want %d", r.Events, tt.wantPruned)
			}
			left, err := f.db.EventsSince(ctx, 0, 10)
			if err != nil {
				t.Fatal(err)
			}
			if len(left) != tt.wantLeft {
				t.Errorf("%d events left, want %d", len(left), tt.wantLeft)
			}
		})
	}
}
