package events

import (
	"container/list"
	"context"
	"slices"
	"sync"
	"time"
)

// Options configures a Memory broker. Zero fields take their defaults.
type Options struct {
	Backlog   int // events retained per topic for resume; default 256
	Buffer    int // events a subscriber may lag behind before it is dropped; default 64
	MaxTopics int // topics with a retained backlog; the least recently published is evicted; default 100_000
	// Now stamps the events a Shared broker appends to its log, which the
	// janitor prunes by the same clock; default time.Now.
	Now func() time.Time
}

func (o Options) withDefaults() Options {
	if o.Backlog <= 0 {
		o.Backlog = 256
	}
	if o.Buffer <= 0 {
		o.Buffer = 64
	}
	if o.MaxTopics <= 0 {
		o.MaxTopics = 100_000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return o
}

// Memory is an in-process Broker. Its memory is bounded by
// MaxTopics×Backlog retained events plus, per subscriber, its buffer.
// It starts no goroutines of its own.
type Memory struct {
	opts Options

	mu     sync.Mutex
	seq    uint64            // last ID handed out
	topics map[string]*topic // topics with a backlog or a subscriber
	lru    *list.List        // of *topic with a backlog, most recently published first
	gone   uint64            // highest last-published ID among evicted topics
	// observers see every event delivered in this process.
	observers []func(Event)
}

var _ Broker = (*Memory)(nil)

type topic struct {
	name    string
	backlog ring
	trimmed uint64 // events of this topic with ID <= trimmed may have been lost
	lastPub uint64
	elem    *list.Element // in Memory.lru iff the backlog is retained
	subs    map[*Subscription]struct{}
}

// NewMemory returns an empty in-process broker.
func NewMemory(opts Options) *Memory {
	return &Memory{
		opts:   opts.withDefaults(),
		topics: make(map[string]*topic),
		lru:    list.New(),
	}
}

// Observe has fn called with every event this broker delivers from now
// on, whatever its topic, before its subscribers get it, and with an
// event of TypeLost when events were lost. fn runs with the broker's lock
// held: it must be quick (dropping cache entries) and must not call the
// broker. It is for caches that events make stale.
func (m *Memory) Observe(fn func(Event)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.observers = append(m.observers, fn)
}

// Publish implements Broker. It copies data. A subscriber whose buffer is
// full is dropped: its channel is closed and its Dropped reports true.
func (m *Memory) Publish(ctx context.Context, topicName, typ string, data []byte) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	ev := Event{ID: m.seq + 1, Topic: topicName, Type: typ, Data: slices.Clone(data)}
	m.deliver(ev)
	return ev, nil
}

// deliver appends ev, whose ID is above every ID delivered before, to its
// topic's backlog and sends it to the topic's subscribers. The caller holds
// m.mu.
func (m *Memory) deliver(ev Event) {
	for _, fn := range m.observers {
		fn(ev)
	}
	m.seq = ev.ID
	t := m.topic(ev.Topic)
	t.lastPub = ev.ID
	if old, ok := t.backlog.push(ev, m.opts.Backlog); ok {
		t.trimmed = old.ID
	}
	if t.elem == nil {
		t.elem = m.lru.PushFront(t)
		if m.lru.Len() > m.opts.MaxTopics {
			m.evict(m.lru.Back().Value.(*topic))
		}
	} else {
		m.lru.MoveToFront(t.elem)
	}
	for s := range t.subs {
		m.send(t, s, ev)
	}
}

// send gives ev to s, or drops s if it cannot take it. The caller holds
// m.mu.
func (m *Memory) send(t *topic, s *Subscription, ev Event) {
	switch {
	case ev.ID <= s.after:
		return
	case s.held:
		if len(s.pending) < m.opts.Buffer {
			s.pending = append(s.pending, ev)
			return
		}
	default:
		select {
		case s.ch <- ev:
			return
		default:
		}
	}
	s.dropped.Store(true)
	m.unregister(t, s)
}

// Subscribe implements Broker. The subscription's buffer holds the replayed
// events plus Options.Buffer live ones, so replay never drops it. A lastID
// above the last ID this broker handed out (an ID from before a restart)
// reports Missed.
func (m *Memory) Subscribe(ctx context.Context, topicName string, lastID uint64) (*Subscription, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	t := m.topic(topicName)
	var replay []Event
	s := &Subscription{}
	if lastID > 0 {
		replay = t.backlog.after(lastID)
		s.missed = !m.covers(t, lastID)
	}
	m.register(ctx, t, s, replay)
	return s, nil
}

// covers reports whether t's backlog holds every event of t with an ID
// above lastID > 0. The caller holds m.mu.
func (m *Memory) covers(t *topic, lastID uint64) bool {
	return t.trimmed <= lastID && lastID <= m.seq
}

// register adds s to t. Unless s is held, its channel is made and replay
// queued on it. s ends, and is unregistered, when ctx is done or Close is
// called. The caller holds m.mu.
func (m *Memory) register(ctx context.Context, t *topic, s *Subscription, replay []Event) {
	if !s.held {
		s.ch = make(chan Event, len(replay)+m.opts.Buffer)
		for _, ev := range replay {
			s.ch <- ev
		}
	}
	t.subs[s] = struct{}{}
	var stop func() bool
	s.closeFn = func() {
		m.mu.Lock()
		defer m.mu.Unlock()
		stop() // set below before m.mu is released
		m.unregister(t, s)
	}
	stop = context.AfterFunc(ctx, s.Close)
}

// Subscribers returns the number of live subscriptions to topic.
func (m *Memory) Subscribers(topicName string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.topics[topicName]; ok {
		return len(t.subs)
	}
	return 0
}

// topic returns the named topic, creating it if needed. A new topic may have
// had events before it was evicted; gone makes resumes from before them
// report Missed. The caller holds m.mu.
func (m *Memory) topic(name string) *topic {
	t, ok := m.topics[name]
	if !ok {
		t = &topic{name: name, trimmed: m.gone, subs: make(map[*Subscription]struct{})}
		m.topics[name] = t
	}
	return t
}

// evict drops t's backlog, and t itself unless it has subscribers.
// The caller holds m.mu.
func (m *Memory) evict(t *topic) {
	m.lru.Remove(t.elem)
	t.elem = nil
	t.backlog = ring{}
	t.trimmed = t.lastPub
	m.gone = max(m.gone, t.lastPub)
	if len(t.subs) == 0 {
		delete(m.topics, t.name)
	}
}

// unregister removes s from t and closes its channel, once. The caller holds
// m.mu.
func (m *Memory) unregister(t *topic, s *Subscription) {
	if _, ok := t.subs[s]; !ok {
		return
	}
	delete(t.subs, s)
	if s.ch != nil { // nil while held; release closes the channel it makes
		close(s.ch)
	}
	s.pending = nil
	if len(t.subs) == 0 && t.elem == nil {
		delete(m.topics, t.name)
	}
}

// The methods below let Shared use a Memory as its local fan-out, with
// the IDs of the shared log.

// join is Subscribe for Shared, without the missed check: if lastID is 0 or
// the backlog covers it, s is complete, with the backlog after lastID
// queued and events with ID <= after skipped. Otherwise s is held: live
// events after lastID wait in s's pending list until release, and seq is
// the last ID delivered, which the replay must reach.
func (m *Memory) join(ctx context.Context, topicName string, lastID, after uint64) (s *Subscription, t *topic, seq uint64, held bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	t = m.topic(topicName)
	s = &Subscription{after: after}
	var replay []Event
	if lastID > 0 {
		if m.covers(t, lastID) {
			replay = t.backlog.after(lastID)
		} else {
			s.held, s.after = true, lastID
		}
	}
	m.register(ctx, t, s, replay)
	return s, t, m.seq, s.held
}

// release completes s, held by join: it queues replay, then the live events
// that waited with ID > after; from then on, events with ID <= after are
// skipped. If s ended meanwhile (closed, or dropped because too many
// waited), its channel is closed.
func (m *Memory) release(t *topic, s *Subscription, replay []Event, missed bool, after uint64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	s.missed, s.held, s.after = missed, false, after
	s.ch = make(chan Event, len(replay)+m.opts.Buffer)
	if _, ok := t.subs[s]; !ok {
		close(s.ch)
		return
	}
	for _, ev := range replay {
		s.ch <- ev
	}
	for _, ev := range s.pending {
		if ev.ID > after {
			s.ch <- ev
		}
	}
	s.pending = nil
}

// deliverAll delivers evs, in ID order and above every ID delivered before.
// If forget is set, it first ends every subscription and drops every
// backlog: events before evs were lost.
func (m *Memory) deliverAll(evs []Event, forget bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if forget && len(evs) > 0 {
		for _, t := range m.topics {
			for s := range t.subs {
				s.dropped.Store(true)
				m.unregister(t, s)
			}
			if t.elem != nil {
				m.evict(t)
			}
		}
		m.gone = evs[0].ID - 1
		for _, fn := range m.observers {
			fn(Event{Type: TypeLost})
		}
	}
	for _, ev := range evs {
		m.deliver(ev)
	}
}

// last returns the last ID delivered.
func (m *Memory) last() uint64 {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.seq
}

// ring is a bounded FIFO of events in ID order; it grows to its limit.
type ring struct {
	buf   []Event
	start int // index of the oldest event once len(buf) is at the limit
}

// push appends ev, and returns the event it pushed out if the ring was full.
func (r *ring) push(ev Event, limit int) (Event, bool) {
	if len(r.buf) < limit {
		r.buf = append(r.buf, ev)
		return Event{}, false
	}
	old := r.buf[r.start]
	r.buf[r.start] = ev
	r.start = (r.start + 1) % len(r.buf)
	return old, true
}

// after returns the retained events with ID > id, oldest first.
func (r *ring) after(id uint64) []Event {
	var out []Event
	for i := range r.buf {
		if ev := r.buf[(r.start+i)%len(r.buf)]; ev.ID > id {
			out = append(out, ev)
		}
	}
	return out
}
