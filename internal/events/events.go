// Package events delivers live updates (new uploads, removals, comments,
// scores) from the code that causes them to the streams that show them.
//
// A Broker is the contract. Memory is the in-process implementation, for
// a single instance. Shared delivers the events of every instance that
// shares one event log (PostgreSQL, with LISTEN/NOTIFY), so that a client
// sees them whichever instance it is connected to, and can resume on any.
package events

import (
	"context"
	"fmt"
	"strconv"
	"sync/atomic"
)

// Event types carried in Event.Type.
const (
	TypePost    = "post"    // a new upload appeared
	TypeGone    = "gone"    // an upload was evicted, expired, deleted or removed
	TypeComment = "comment" // a comment was added
	TypeScore   = "score"   // a score changed
	// TypeChanged says an upload changed in what it shows: a moderator
	// removed one file of an album. Pages that show it reload it.
	TypeChanged = "changed"
	// TypeLost tells an observer (see Memory.Observe) that events were
	// lost: whatever it derived from them may be stale. It is never
	// published or streamed.
	TypeLost = "lost"
)

// Event is one published update. ID is strictly increasing per broker, so a
// client can resume after the last ID it saw. Data is JSON built by the
// publisher; receivers share it and must not modify it.
type Event struct {
	ID    uint64
	Topic string
	Type  string
	Data  []byte
}

// Broker delivers events to subscribers. Implementations are safe for
// concurrent use.
type Broker interface {
	// Publish appends an event to topic's backlog and delivers it to the
	// topic's subscribers. It never blocks on a subscriber: one that cannot
	// take the event is dropped. It returns ctx.Err() if ctx is already done.
	Publish(ctx context.Context, topic, typ string, data []byte) (Event, error)

	// Subscribe returns a Subscription to topic. If lastID > 0, the events
	// of topic with ID > lastID still in the backlog are delivered first, in
	// order, then live ones, with no gap and no duplicate. If events after
	// lastID are no longer retained, Subscription.Missed reports true and the
	// client should reload. The subscription ends when ctx is done or Close
	// is called. It returns ctx.Err() if ctx is already done.
	Subscribe(ctx context.Context, topic string, lastID uint64) (*Subscription, error)
}

// FormatID renders an event ID as the SSE "id:" field and Last-Event-ID
// header carry it: a decimal string.
func FormatID(id uint64) string { return strconv.FormatUint(id, 10) }

// ParseID parses an ID rendered by FormatID. An empty string is ID 0 (no
// resume); anything else that is not a decimal uint64 returns 0 and an
// error.
func ParseID(s string) (uint64, error) {
	if s == "" {
		return 0, nil
	}
	id, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("events: bad event ID: %w", err)
	}
	return id, nil
}

// Subscription is one subscriber's stream of events on one topic. Its
// methods are safe for concurrent use.
type Subscription struct {
	ch      chan Event
	missed  bool
	dropped atomic.Bool
	closeFn func() // unregisters from the broker; must be idempotent

	// Guarded by the Memory's lock:
	after   uint64  // events with ID <= after are not delivered
	held    bool    // live events wait in pending until the replay is known (Shared)
	pending []Event // at most Options.Buffer
}

// Events returns the channel events arrive on. It is closed when the
// subscription ends: by Close, by the Subscribe context, or because the
// subscriber was too slow (see Dropped).
func (s *Subscription) Events() <-chan Event { return s.ch }

// Missed reports whether events after the requested lastID were no longer
// retained, so what is delivered starts with a gap. It may err on the side
// of true; it is never false when something was lost.
func (s *Subscription) Missed() bool { return s.missed }

// Dropped reports whether the subscription was ended because its buffer was
// full when an event arrived. Meaningful once Events is closed.
func (s *Subscription) Dropped() bool { return s.dropped.Load() }

// Close ends the subscription, unregisters it and closes Events. It is
// idempotent and safe to call after the subscription has already ended.
func (s *Subscription) Close() { s.closeFn() }
