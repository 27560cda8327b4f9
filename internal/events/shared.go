package events

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Log is the shared, ordered event log a Shared broker is built on.
// *sqlstore.Store implements it on PostgreSQL.
type Log interface {
	// AppendEvent adds an event appended at now and returns its ID. IDs
	// increase in commit order: once EventsSince has returned an event, no
	// event with a smaller ID can appear. IDs need not be contiguous.
	AppendEvent(ctx context.Context, topic, typ string, data []byte, now time.Time) (uint64, error)
	// EventsSince returns up to limit events of every topic with ID >
	// afterID, in ID order.
	EventsSince(ctx context.Context, afterID uint64, limit int) ([]Event, error)
	// TopicEvents returns the last limit events of topic with afterID < ID
	// <= throughID, in ID order.
	TopicEvents(ctx context.Context, topic string, afterID, throughID uint64, limit int) ([]Event, error)
	// EventBounds returns the smallest and the largest ID in the log, or
	// 0, 0 if it is empty. The log holds every event appended with an ID
	// from oldest on: it is pruned oldest first, and never emptied.
	EventBounds(ctx context.Context) (oldest, newest uint64, err error)
	// ListenEvents returns a channel that receives a value whenever events
	// may have been appended, by anyone, and once more after any outage of
	// the listening itself. It is closed when ctx is done and the listening
	// has stopped.
	ListenEvents(ctx context.Context) (<-chan struct{}, error)
}

// SharedPoll is how often a Shared broker reads the log even if it was not
// told of new events, in case a notification was lost.
const SharedPoll = 2 * time.Second

// pumpBatch is how many events the pump reads at a time.
const pumpBatch = 1000

// Shared is a Broker for several instances that share a Log: Publish
// appends to the log, and every instance delivers every event, its own
// included, to its own subscribers, in ID order, once. Each instance keeps
// a Memory's backlog per topic; a resume from further back reads the topic
// from the log. Events are delivered while Run runs.
//
// Options mean what they mean for Memory, and Backlog also bounds a replay
// read from the log: a resume with more events after it than that gets the
// latest Backlog of them and reports Missed, as it would on Memory.
type Shared struct {
	log    Log
	local  *Memory
	logger *slog.Logger
	poll   time.Duration
	kick   chan struct{} // Publish wakes this instance's pump without waiting for the notification
}

var _ Broker = (*Shared)(nil)

// NewShared returns a Shared broker on log, which delivers the events
// appended from now on, once Run is running. Resumes from before now are
// read from the log. logger receives the errors of the pump.
func NewShared(ctx context.Context, log Log, opts Options, logger *slog.Logger) (*Shared, error) {
	_, newest, err := log.EventBounds(ctx)
	if err != nil {
		return nil, fmt.Errorf("events: %w", err)
	}
	local := NewMemory(opts)
	// As if every event up to newest had been published here and evicted:
	// resumes from before it go to the log.
	local.seq, local.gone = newest, newest
	return &Shared{log: log, local: local, logger: logger, poll: SharedPoll, kick: make(chan struct{}, 1)}, nil
}

// Run delivers the log's events to this instance's subscribers, as they are
// appended, until ctx is done; then it returns nil, once it has stopped
// listening. It returns an error only if it cannot start listening. Errors
// reading the log are logged and retried. Call it once per Shared, in a
// goroutine that the caller owns, and let it return before closing the
// log's database. If listening cannot start (the database is away), Run
// logs it, delivers on the poll meanwhile, and tries again at each poll.
func (s *Shared) Run(ctx context.Context) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var notify <-chan struct{} // nil, which never fires, until listening starts
	listen := func() {
		ch, err := s.log.ListenEvents(ctx)
		if err != nil {
			if ctx.Err() == nil {
				s.logger.Error("events: cannot listen for events; polling until it can", "err", err)
			}
			return
		}
		notify = ch
	}
	listen()
	defer func() {
		cancel()
		if notify != nil {
			for range notify { // wait until the listener has let go of its connection
			}
		}
	}()
	poll := time.NewTicker(s.poll)
	defer poll.Stop()
	for {
		if err := s.pump(ctx); err != nil && ctx.Err() == nil {
			s.logger.Error("events: reading the shared log failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-notify:
		case <-s.kick:
		case <-poll.C:
			if notify == nil {
				listen()
			}
		}
	}
}

// pump delivers the events appended since the last one delivered.
func (s *Shared) pump(ctx context.Context) error {
	for {
		last := s.local.last() // only the pump moves it
		evs, err := s.log.EventsSince(ctx, last, pumpBatch)
		if err != nil {
			return err
		}
		lost := false
		if len(evs) > 0 && evs[0].ID != last+1 {
			// A gap: IDs given up by failed appends, or, if this instance
			// fell behind the janitor, events pruned before it read them.
			oldest, _, err := s.log.EventBounds(ctx)
			if err != nil {
				return err
			}
			lost = oldest > last+1
			if lost {
				s.logger.Warn("events: fell behind the shared log's pruning; ending every stream", "after", last, "oldest", oldest)
			}
		}
		s.local.deliverAll(evs, lost)
		if len(evs) < pumpBatch {
			return nil
		}
	}
}

// Publish implements Broker. It returns once the event is in the log; the
// event reaches subscribers, here and elsewhere, through their instance's
// Run. Errors from the log are returned wrapped.
func (s *Shared) Publish(ctx context.Context, topic, typ string, data []byte) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	id, err := s.log.AppendEvent(ctx, topic, typ, data, s.local.opts.Now())
	if err != nil {
		return Event{}, fmt.Errorf("events: publish: %w", err)
	}
	select {
	case s.kick <- struct{}{}:
	default:
	}
	return Event{ID: id, Topic: topic, Type: typ, Data: slices.Clone(data)}, nil
}

// Observe has fn see every event delivered in this process, this
// instance's and the others' alike (see Memory.Observe).
func (s *Shared) Observe(fn func(Event)) { s.local.Observe(fn) }

// Subscribe implements Broker. With lastID 0 the subscription gets the
// events appended after the call, even those this instance has yet to
// read. A resume this instance's backlog does not cover reads the topic
// from the log; Missed then reports whether the log was pruned past
// lastID, or lastID is not from this log. Errors from the log are returned
// wrapped.
//
// How a resume from the log meets the live events: the subscription is
// registered first, at the last ID the pump had delivered (seq), and held,
// so live events, all above seq, wait in a bounded list. Then the topic's
// events in (lastID, seq] are read from the log, every one of them
// committed, since the pump has read past them. Then the replay is queued,
// and the waiting events after it. The two ranges do not overlap and leave
// nothing between them. If lastID is above seq (the client saw an event on
// an instance whose pump is ahead of this one), there is nothing to read,
// and live events up to lastID are skipped.
func (s *Shared) Subscribe(ctx context.Context, topic string, lastID uint64) (*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var after uint64
	if lastID == 0 {
		// The pump may be behind the log: skip what was appended before
		// the call.
		_, newest, err := s.log.EventBounds(ctx)
		if err != nil {
			return nil, fmt.Errorf("events: subscribe: %w", err)
		}
		after = newest
	}
	sub, t, seq, held := s.local.join(ctx, topic, lastID, after)
	if !held {
		return sub, nil
	}
	replay, missed, after, err := s.catchUp(ctx, topic, lastID, seq)
	if err != nil {
		sub.Close()
		return nil, fmt.Errorf("events: subscribe: %w", err)
	}
	s.local.release(t, sub, replay, missed, after)
	return sub, nil
}

// catchUp reads from the log what a subscription held at seq must replay
// after lastID, whether it missed anything, and the ID up to which live
// events are to be skipped.
func (s *Shared) catchUp(ctx context.Context, topic string, lastID, seq uint64) (replay []Event, missed bool, after uint64, err error) {
	limit := s.local.opts.Backlog
	if lastID < seq {
		if replay, err = s.log.TopicEvents(ctx, topic, lastID, seq, limit+1); err != nil {
			return nil, false, 0, err
		}
		if len(replay) > limit {
			replay, missed = replay[1:], true
		}
	}
	// Read after the replay: a prune in between errs on the side of Missed.
	oldest, newest, err := s.log.EventBounds(ctx)
	switch {
	case err != nil:
		return nil, false, 0, err
	case lastID > newest:
		// Not an ID of this log (it was reset): start from now.
		return nil, true, newest, nil
	case lastID+1 < oldest:
		missed = true
	}
	return replay, missed, lastID, nil
}
