package moderation

import (
	"context"
	"time"

	"github.com/chatpic/chatpic"
)

// Alerter tells moderators at once of what should not wait for them to
// open the queue. Its methods must return at once. *alert.Sender
// implements it.
type Alerter interface {
	// UrgentReport says a report for reason hid an upload (or, with
	// comment, a comment) at at.
	UrgentReport(reason chatpic.ReportReason, comment bool, at time.Time)
	// QueueWaiting says waiting reports have waited since since, at at.
	QueueWaiting(waiting int, since, at time.Time)
}

// AlertStore is what watching the queue needs. *sqlstore.Store implements
// it.
type AlertStore interface {
	OpenReports(ctx context.Context, now time.Time) (int, time.Time, error)
	MarkAlert(ctx context.Context, name string, at time.Time) (bool, error)
}

// queueAlert names the alert of a waiting queue in the store's marks.
const queueAlert = "queue_waiting"

// CheckQueue alerts, once, when the oldest open report has waited longer
// than wait at now: once per oldest report, so a queue that stays behind
// is told of again only when its oldest report changes and the new one has
// waited as long. Of several instances that check the same queue only one
// alerts. It reports whether it alerted; with no Alerter configured, it
// does nothing.
func (s *Service) CheckQueue(ctx context.Context, now time.Time, wait time.Duration) (bool, error) {
	if s.cfg.Alerts == nil || wait <= 0 {
		return false, nil
	}
	n, oldest, err := s.store.OpenReports(ctx, now)
	if err != nil || n == 0 || now.Sub(oldest) < wait {
		return false, err
	}
	first, err := s.store.MarkAlert(ctx, queueAlert, oldest)
	if err != nil || !first {
		return false, err
	}
	s.cfg.Alerts.QueueWaiting(n, oldest, now)
	return true, nil
}

// WatchQueue runs CheckQueue every interval until ctx is done.
func (s *Service) WatchQueue(ctx context.Context, interval, wait time.Duration) {
	if s.cfg.Alerts == nil || wait <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.CheckQueue(ctx, s.clock(), wait); err != nil && ctx.Err() == nil {
			s.log.Error("checking the queue's age", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}
