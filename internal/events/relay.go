package events

import (
	"context"
	"log/slog"
	"time"
)

// RelayPoll is how often Relay reads the log.
const RelayPoll = time.Second

// Relay delivers through b the events that other processes append to log:
// on a site whose server keeps its own events in memory (SQLite), the
// command line, which cannot reach that memory, appends what it changes to
// the log instead, and the server relays it to its live pages. It reads the
// log every poll until ctx is done, and returns nil then. Events appended
// before Relay starts are not delivered; read errors are logged and the
// next poll tries again.
func Relay(ctx context.Context, log Log, b Broker, poll time.Duration, logger *slog.Logger) error {
	_, last, err := log.EventBounds(ctx)
	if err != nil {
		return err
	}
	t := time.NewTicker(poll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		for {
			evs, err := log.EventsSince(ctx, last, 500)
			if err != nil {
				if ctx.Err() == nil {
					logger.Error("relaying events from the log", "err", err)
				}
				break
			}
			for _, ev := range evs {
				if _, err := b.Publish(ctx, ev.Topic, ev.Type, ev.Data); err != nil {
					return nil // ctx ended
				}
				last = ev.ID
			}
			if len(evs) < 500 {
				break
			}
		}
	}
}
