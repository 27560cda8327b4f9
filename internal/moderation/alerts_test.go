package moderation

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

// recordingAlerter keeps the alerts it is given.
type recordingAlerter struct{ got []string }

func (a *recordingAlerter) UrgentReport(reason chatpic.ReportReason, comment bool, at time.Time) {
	a.got = append(a.got, fmt.Sprintf("urgent %s comment=%t %s", reason, comment, at.Format(time.TimeOnly)))
}

func (a *recordingAlerter) QueueWaiting(waiting int, since, at time.Time) {
	a.got = append(a.got, fmt.Sprintf("queue %d since %s at %s", waiting, since.Format(time.TimeOnly), at.Format(time.TimeOnly)))
}

// TestAlerts: an ncii or illegal report that hides an upload alerts at
// once, other reports and reports of what is hidden already do not; a queue
// alerts once its oldest open report has waited long enough, once per
// oldest report, and of two services on one database only one alerts.
func TestAlerts(t *testing.T) {
	ctx := context.Background()
	st := storagetest.Open(t, chatpic.Channel{Slug: "cats", Title: "Cats", Capacity: 10})
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	newService := func(a Alerter) *Service {
		keys := keyring.New()
		guard := NewGuard(st.DB, keys, now, GuardConfig{})
		return New(st.DB, st.Blobs, slog.New(slog.NewTextHandler(io.Discard, nil)), now, keys, guard,
			NewHashList(st.DB, 31), quietAnnouncer{}, Config{Alerts: a})
	}
	alerts, other := &recordingAlerter{}, &recordingAlerter{}
	mods, second := newService(alerts), newService(other)
	post := func() string {
		t.Helper()
		_, tokenHash := chatpic.NewToken()
		p := chatpic.Post{ID: chatpic.NewID(), Channel: "cats", Item: chatpic.Item{Kind: chatpic.Image, MIME: "image/png", Ext: "png", ThumbExt: "png",
			Width: 1, Height: 1}, CreatedAt: clock, DeleteTokenHash: tokenHash}
		if _, _, err := st.DB.CreatePost(ctx, p, clock); err != nil {
			t.Fatal(err)
		}
		return p.ID
	}
	a, b, c := post(), post(), post()
	client := func(i int) netip.Addr { return netip.AddrFrom4([4]byte{192, 0, 2, byte(i)}) }
	at := clock.Format(time.TimeOnly)
	steps := []struct {
		name string
		do   func() error
		want []string
	}{
		{"a spam report alerts no one", func() error {
			_, err := mods.Report(ctx, Target{PostID: a}, "spam", "", client(1))
			return err
		}, nil},
		{"an ncii report hides and alerts", func() error {
			_, err := mods.Report(ctx, Target{PostID: b}, "ncii", "this is me", client(2))
			return err
		}, []string{"urgent ncii comment=false " + at}},
		{"another report of the hidden upload does not", func() error {
			_, err := mods.Report(ctx, Target{PostID: b}, "illegal", "", client(3))
			return err
		}, nil},
		{"an illegal report hides and alerts", func() error {
			_, err := mods.Report(ctx, Target{PostID: c}, "illegal", "", client(4))
			return err
		}, []string{"urgent illegal comment=false " + at}},
		{"a queue younger than the wait does not", func() error {
			clock = clock.Add(59 * time.Minute)
			_, err := mods.CheckQueue(ctx, clock, time.Hour)
			return err
		}, nil},
		{"one that waited an hour does", func() error {
			clock = clock.Add(time.Minute)
			_, err := mods.CheckQueue(ctx, clock, time.Hour)
			return err
		}, []string{"queue 4 since 12:00:00 at 13:00:00"}},
		{"the same oldest report is told of once, by one instance", func() error {
			clock = clock.Add(time.Hour)
			if _, err := second.CheckQueue(ctx, clock, time.Hour); err != nil {
				return err
			}
			_, err := mods.CheckQueue(ctx, clock, time.Hour)
			return err
		}, nil},
	}
	for _, step := range steps {
		before := len(alerts.got)
		if err := step.do(); err != nil {
			t.Fatalf("%s: %v", step.name, err)
		}
		got := alerts.got[before:]
		if fmt.Sprint(got) != fmt.Sprint(step.want) {
			t.Fatalf("%s: alerts %q, want %q", step.name, got, step.want)
		}
	}
	if len(other.got) != 0 {
		t.Errorf("the second instance alerted %q", other.got)
	}
}
