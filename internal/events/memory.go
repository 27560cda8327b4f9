package events

import (
	"container/list"
	"context"
	"slices"
	"sync"
)

// Options configures a Memory broker. Zero fields take their defaults.
type Options struct {
	Backlog   int // events retained per topic for resume; default 256
	Buffer    int // events a subscriber may lag behind before it is dropped; default 64
	MaxTopics int // topics with a retained backlog; the least recently published is evicted; default 100_000
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

// Publish implements Broker. It copies data. A subscriber whose buffer is
// full is dropped: its channel is closed and its Dropped reports true.
func (m *Memory) Publish(ctx context.Context, topicName, typ string, data []byte) (Event, error) {
	if err := ctx.Err(); err != nil {
		return Event{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seq++
	ev := Event{ID: m.seq, Topic: topicName, Type: typ, Data: slices.Clone(data)}
	t := m.topic(topicName)
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
		select {
		case s.ch <- ev:
		default:
			s.dropped.Store(true)
			m.unregister(t, s)
		}
	}
	return ev, nil
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
		s.missed = lastID < t.trimmed || lastID > m.seq
	}
	s.ch = make(chan Event, len(replay)+m.opts.Buffer)
	for _, ev := range replay {
		s.ch <- ev
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
	return s, nil
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
	close(s.ch)
	if len(t.subs) == 0 && t.elem == nil {
		delete(m.topics, t.name)
	}
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
