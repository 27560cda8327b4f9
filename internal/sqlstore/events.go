package sqlstore

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"math"
	"slices"
	"strconv"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The shared event log lets instances on one PostgreSQL database deliver
// each other's live events (events.Shared). Appends are serialized by an
// advisory lock, keyed by the schema like the janitor's, so that IDs are
// handed out in commit order; each append notifies a channel, also named
// after the schema, that ListenEvents listens on. The notification carries
// the ID at most: PostgreSQL refuses payloads of 8000 bytes or more, and
// the data is read from the table. On SQLite the same methods work on a
// table nobody else reads, except ListenEvents.

var _ events.Log = (*Store)(nil)

// MaxEventData is the most bytes of data AppendEvent accepts. Live events
// carry IDs and a few small fields; a replay reads up to a backlog of them.
const MaxEventData = 4 << 10

const (
	lockEvents    = `SELECT pg_advisory_xact_lock(hashtext(current_schema()), hashtext('chatpic events'))`
	eventsChannel = `'chatpic_events_' || to_hex(hashtext(current_schema()))`
	eventColumns  = `id, topic, type, data`
)

// AppendEvent adds an event at time now to the log and returns its ID. IDs
// increase in commit order: once EventsSince has returned an event, no
// event with a smaller ID can appear. It returns KindTooLarge if data is
// over MaxEventData.
func (s *Store) AppendEvent(ctx context.Context, topic, typ string, data []byte, now time.Time) (uint64, error) {
	if len(data) > MaxEventData {
		return 0, chatpic.Errorf(chatpic.KindTooLarge, "the event's data is %d bytes, over the limit of %d", len(data), MaxEventData)
	}
	if data == nil {
		data = []byte{} // the column is NOT NULL, and a nil slice is sent as NULL
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return 0, internal("append event", err)
	}
	defer tx.Rollback()
	if s.d.concurrent {
		// Taken before the ID is drawn and held until the commit is
		// visible: the next append draws a larger ID and commits later.
		if _, err := tx.ExecContext(ctx, lockEvents); err != nil {
			return 0, internal("append event", err)
		}
	}
	var id int64
	if err := tx.QueryRowContext(ctx, `INSERT INTO events (topic, type, data, at) VALUES (?, ?, ?, ?) RETURNING id`,
		topic, typ, data, now.UnixMilli()).Scan(&id); err != nil {
		return 0, internal("append event", err)
	}
	if s.d.concurrent {
		// Sent at commit, to the listeners of every instance, this one too.
		if _, err := tx.ExecContext(ctx, `SELECT pg_notify(`+eventsChannel+`, ?)`, strconv.FormatInt(id, 10)); err != nil {
			return 0, internal("append event", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return 0, internal("append event", err)
	}
	return uint64(id), nil
}

// EventsSince returns up to limit events of every topic with ID > afterID,
// in ID order.
func (s *Store) EventsSince(ctx context.Context, afterID uint64, limit int) ([]events.Event, error) {
	return s.queryEvents(ctx, "events since",
		`SELECT `+eventColumns+` FROM events WHERE id > ? ORDER BY id LIMIT ?`, dbID(afterID), limit)
}

// TopicEvents returns the last limit events of topic with afterID < ID <=
// throughID, in ID order.
func (s *Store) TopicEvents(ctx context.Context, topic string, afterID, throughID uint64, limit int) ([]events.Event, error) {
	evs, err := s.queryEvents(ctx, "topic events",
		`SELECT `+eventColumns+` FROM events WHERE topic = ? AND id > ? AND id <= ? ORDER BY id DESC LIMIT ?`,
		topic, dbID(afterID), dbID(throughID), limit)
	slices.Reverse(evs)
	return evs, err
}

// EventBounds returns the smallest and the largest ID in the log, or 0, 0
// if it is empty. PruneEvents removes the oldest events and keeps the
// newest, so the log holds every event appended with an ID from oldest on.
func (s *Store) EventBounds(ctx context.Context) (oldest, newest uint64, err error) {
	var lo, hi int64
	if err := s.read.QueryRowContext(ctx, `SELECT COALESCE(MIN(id), 0), COALESCE(MAX(id), 0) FROM events`).Scan(&lo, &hi); err != nil {
		return 0, 0, internal("event bounds", err)
	}
	return uint64(lo), uint64(hi), nil
}

// PruneEvents deletes the events appended before the given time, oldest
// first: it stops at the first event appended at or after it (clocks of
// instances differ) and never deletes the newest event, whose ID tells a
// resuming client whether its own is from this log. It returns how many it
// deleted. Every instance may call it at once; one does the work, the
// others return 0.
func (s *Store) PruneEvents(ctx context.Context, before time.Time) (int, error) {
	return s.prune(ctx, "prune events", `DELETE FROM events WHERE id < COALESCE(
		(SELECT MIN(id) FROM events WHERE at >= ?),
		(SELECT MAX(id) FROM events))`, before)
}

func (s *Store) queryEvents(ctx context.Context, op, query string, args ...any) ([]events.Event, error) {
	rows, err := s.read.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, internal(op, err)
	}
	defer rows.Close()
	var out []events.Event
	for rows.Next() {
		var ev events.Event
		var id int64
		if err := rows.Scan(&id, &ev.Topic, &ev.Type, &ev.Data); err != nil {
			return nil, internal(op, err)
		}
		ev.ID = uint64(id)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, internal(op, err)
	}
	return out, nil
}

// dbID converts an event ID to the column's type. IDs come from clients
// too; one past the column's range is beyond every stored one.
func dbID(id uint64) int64 {
	return int64(min(id, math.MaxInt64))
}

// ListenEvents returns a channel that receives a value whenever events may
// have been appended to the log, by any instance; values coalesce, so the
// reader should read all it has not seen. It listens on a connection of
// its own, taken from the pool for as long as ctx lasts. If that
// connection breaks, it reconnects with backoff, and sends a value once
// it listens again, since appends may have gone unnoticed in between. The
// channel is closed when ctx is done and the connection is released. It
// returns an error if it cannot listen at first, and KindUnsupported on
// SQLite. Cancel ctx, and wait for the channel to close, before closing the
// Store.
func (s *Store) ListenEvents(ctx context.Context) (<-chan struct{}, error) {
	if !s.d.concurrent {
		return nil, chatpic.Errorf(chatpic.KindUnsupported, "sqlstore: only PostgreSQL can notify of events")
	}
	l := &listener{db: s.write.DB, ch: make(chan struct{}, 1)}
	conn, err := l.connect(ctx)
	if err != nil {
		return nil, internal("listen events", err)
	}
	go l.run(ctx, conn)
	return l.ch, nil
}

// Backoff between attempts to listen again.
const (
	minListenBackoff = 100 * time.Millisecond
	maxListenBackoff = 5 * time.Second
)

type listener struct {
	db *sql.DB
	ch chan struct{}
}

func (l *listener) signal() {
	select {
	case l.ch <- struct{}{}:
	default: // one is pending already
	}
}

// run waits on conn, and on the connections that replace it, until ctx is
// done.
func (l *listener) run(ctx context.Context, conn *sql.Conn) {
	defer close(l.ch)
	backoff := minListenBackoff
	for {
		since := time.Now()
		l.wait(ctx, conn)
		if time.Since(since) > maxListenBackoff {
			backoff = minListenBackoff // that one lasted: this is a new outage
		}
		for {
			t := time.NewTimer(backoff)
			select {
			case <-ctx.Done():
				t.Stop()
				return
			case <-t.C:
			}
			backoff = min(2*backoff, maxListenBackoff)
			var err error
			if conn, err = l.connect(ctx); err == nil {
				break
			}
		}
		l.signal()
	}
}

// connect takes a connection from the pool and listens on it. A
// connection that fails is closed, not returned to the pool.
func (l *listener) connect(ctx context.Context) (*sql.Conn, error) {
	conn, err := l.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	err = conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		var name string
		err := c.QueryRow(ctx, `SELECT `+eventsChannel).Scan(&name)
		if err == nil {
			_, err = c.Exec(ctx, `LISTEN `+pgx.Identifier{name}.Sanitize())
		}
		if err != nil {
			return errors.Join(driver.ErrBadConn, err)
		}
		return nil
	})
	if err != nil {
		conn.Close()
		return nil, err
	}
	return conn, nil
}

// wait signals each notification that arrives on conn until ctx is done or
// the connection breaks. Either way the connection is closed, not returned
// to the pool, where it would go on collecting notifications.
func (l *listener) wait(ctx context.Context, conn *sql.Conn) {
	conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		for {
			if _, err := c.WaitForNotification(ctx); err != nil {
				return errors.Join(driver.ErrBadConn, err)
			}
			l.signal()
		}
	})
	conn.Close()
}
