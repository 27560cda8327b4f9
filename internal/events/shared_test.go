package events_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// TestSharedBroker runs the Broker suite on one instance, and on a pair
// that publishes on one instance and subscribes on the other.
func TestSharedBroker(t *testing.T) {
	t.Run("one instance", func(t *testing.T) {
		events.RunBrokerSuite(t, func(t *testing.T, o events.Options) events.Broker {
			return runningInstance(t, database(t), o).broker
		}, false)
	})
	t.Run("published on A, subscribed on B", func(t *testing.T) {
		events.RunBrokerSuite(t, func(t *testing.T, o events.Options) events.Broker {
			dsn := database(t)
			return pair{pub: runningInstance(t, dsn, o).broker, sub: runningInstance(t, dsn, o).broker}
		}, false)
	})
}

// TestSharedLatency publishes on A, one event at a time, and measures how
// long each takes to reach a subscriber on B; each must within a second.
func TestSharedLatency(t *testing.T) {
	dsn := database(t)
	a, b := runningInstance(t, dsn, events.Options{}), runningInstance(t, dsn, events.Options{})
	onB := subscribe(t, b.broker, "channel:l", 0)
	onA := subscribe(t, a.broker, "channel:l", 0)
	const n = 100
	var publishing, crossing []time.Duration
	for i := range n {
		start := time.Now()
		ev := publish(t, a.broker, "channel:l", fmt.Sprint(i))
		published := time.Now()
		if got := next(t, onB, time.Second); got.ID != ev.ID || string(got.Data) != fmt.Sprint(i) {
			t.Fatalf("B got %+v, want %+v", got, ev)
		}
		crossing = append(crossing, time.Since(start))
		publishing = append(publishing, published.Sub(start))
		if got := next(t, onA, time.Second); got.ID != ev.ID {
			t.Fatalf("A got %d, want %d", got.ID, ev.ID)
		}
	}
	q := func(d []time.Duration, q float64) time.Duration {
		slices.Sort(d)
		return d[int(q*float64(len(d)-1))]
	}
	t.Logf("Publish on A: p50 %v, p99 %v; publish on A to receipt on B: p50 %v, p99 %v, max %v",
		q(publishing, 0.5), q(publishing, 0.99), q(crossing, 0.5), q(crossing, 0.99), q(crossing, 1))
}

// TestSharedOrderAcrossInstances has two publishers on each instance: the
// subscribers on both see every event once, in ID order, each publisher's
// in the order it published them.
func TestSharedOrderAcrossInstances(t *testing.T) {
	const perPublisher = 100
	dsn := database(t)
	opts := events.Options{Buffer: 4 * perPublisher}
	instances := []*instance{runningInstance(t, dsn, opts), runningInstance(t, dsn, opts)}
	var subs []*events.Subscription
	for _, in := range instances {
		subs = append(subs, subscribe(t, in.broker, "channel:o", 0))
	}
	var mu sync.Mutex
	var published []uint64
	var wg sync.WaitGroup
	for p := range 4 {
		in := instances[p%2]
		wg.Go(func() {
			for i := range perPublisher {
				ev, err := in.broker.Publish(context.Background(), "channel:o", events.TypePost, fmt.Appendf(nil, "%d:%d", p, i))
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				published = append(published, ev.ID)
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.Sort(published)
	for i, s := range subs {
		var got []uint64
		seen := map[int]int{} // publisher → next i
		for range len(published) {
			ev := next(t, s, 10*time.Second)
			got = append(got, ev.ID)
			var p, n int
			fmt.Sscanf(string(ev.Data), "%d:%d", &p, &n)
			if n != seen[p] {
				t.Fatalf("subscriber %d: publisher %d's event %d arrived when %d was due", i, p, n, seen[p])
			}
			seen[p]++
		}
		if !slices.Equal(got, published) {
			t.Fatalf("subscriber %d got %v, want %v", i, got, published)
		}
		quiet(t, s)
	}
}

// TestSharedResume resumes on B from an event published on A, with B in
// each state it can be in.
func TestSharedResume(t *testing.T) {
	tests := []struct {
		name string
		// prepare publishes, through publish, the events resumed from,
		// and returns B, running unless behind.
		prepare func(t *testing.T, dsn string, publish func() []uint64) *instance
		behind  bool // B's pump starts once the subscriptions are made
	}{
		{"from B's backlog", func(t *testing.T, dsn string, publish func() []uint64) *instance {
			b := runningInstance(t, dsn, events.Options{})
			probe := subscribe(t, b.broker, "channel:r", 0)
			ids := publish()
			nextIDs(t, probe, len(ids)) // B has them all
			return b
		}, false},
		{"from the log: B started later", func(t *testing.T, dsn string, publish func() []uint64) *instance {
			publish()
			return runningInstance(t, dsn, events.Options{})
		}, false},
		{"from the log: B evicted the topic's backlog", func(t *testing.T, dsn string, publish func() []uint64) *instance {
			b := runningInstance(t, dsn, events.Options{MaxTopics: 1})
			probe := subscribe(t, b.broker, "channel:r", 0)
			ids := publish()
			nextIDs(t, probe, len(ids))
			return b
		}, false},
		{"from live events: B is behind A", func(t *testing.T, dsn string, publish func() []uint64) *instance {
			b := newInstance(t, dsn, events.Options{}, 0)
			publish()
			return b
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dsn := database(t)
			a := runningInstance(t, dsn, events.Options{})
			var ids []uint64
			b := tt.prepare(t, dsn, func() []uint64 {
				for range 5 {
					ids = append(ids, publish(t, a.broker, "channel:r", "{}").ID)
					publish(t, a.broker, "channel:noise", "{}")
				}
				return ids
			})
			resumed := subscribe(t, b.broker, "channel:r", ids[1])
			fresh := subscribe(t, b.broker, "channel:r", 0)
			if tt.behind {
				b.start(t)
			}
			if resumed.Missed() {
				t.Error("Missed() = true")
			}
			if got := nextIDs(t, resumed, 2); !slices.Equal(got, ids[2:4]) {
				t.Fatalf("resumed got %v, want %v", got, ids[2:4])
			}
			if got := next(t, resumed, 10*time.Second); got.ID != ids[4] {
				t.Fatalf("resumed got %d, want %d", got.ID, ids[4])
			}
			live := publish(t, a.broker, "channel:r", "{}")
			for name, s := range map[string]*events.Subscription{"resumed": resumed, "fresh": fresh} {
				if got := next(t, s, 10*time.Second); got.ID != live.ID {
					t.Errorf("%s: got %d, want the live %d", name, got.ID, live.ID)
				}
			}
		})
	}
}

// TestSharedResumeRace has subscribers join B at random lastIDs while A
// publishes; B starts after the first events, so that resumes come from
// the log, from B's backlog, and from ahead of B's pump. Each subscriber
// must see exactly lastID+1 .. the last, in order.
func TestSharedResumeRace(t *testing.T) {
	const before, during, subscribers = 100, 400, 40
	dsn := database(t)
	opts := events.Options{Backlog: before + during, Buffer: before + during}
	a := runningInstance(t, dsn, opts)
	var mu sync.Mutex
	var published []uint64
	for range before {
		published = append(published, publish(t, a.broker, "channel:race", "{}").ID)
	}
	b := runningInstance(t, dsn, opts)
	var wg sync.WaitGroup
	wg.Go(func() {
		for range during {
			ev, err := a.broker.Publish(context.Background(), "channel:race", events.TypePost, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			published = append(published, ev.ID)
			mu.Unlock()
		}
	})
	last := published[0] + before + during - 1 // IDs are contiguous here: no append fails
	for range subscribers {
		wg.Go(func() {
			mu.Lock()
			lastID := published[rand.IntN(len(published))]
			mu.Unlock()
			s, err := b.broker.Subscribe(context.Background(), "channel:race", lastID)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			if s.Missed() {
				t.Errorf("lastID %d: Missed", lastID)
			}
			for want := lastID + 1; want <= last; want++ {
				select {
				case ev, ok := <-s.Events():
					if !ok {
						t.Errorf("lastID %d: closed at %d (dropped=%v)", lastID, want, s.Dropped())
						return
					}
					if ev.ID != want {
						t.Errorf("lastID %d: got %d, want %d", lastID, ev.ID, want)
						return
					}
				case <-time.After(10 * time.Second):
					t.Errorf("lastID %d: %d never arrived", lastID, want)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestSharedPruned resumes from the log after the janitor pruned it.
func TestSharedPruned(t *testing.T) {
	dsn := database(t)
	a := runningInstance(t, dsn, events.Options{})
	var ids []uint64
	for range 5 {
		ids = append(ids, publish(t, a.broker, "channel:p", "{}").ID)
	}
	if n, err := a.store.PruneEvents(context.Background(), time.Now().Add(time.Minute)); err != nil || n != 4 {
		t.Fatalf("PruneEvents: %d, %v; want 4 (all but the newest)", n, err)
	}
	b := runningInstance(t, dsn, events.Options{}) // nothing in its backlog
	tests := []struct {
		name       string
		lastID     uint64
		wantMissed bool
	}{
		{"pruned", ids[0], true},
		{"the last pruned one", ids[3], false},
		{"from the future", ids[4] + 100, true},
	}
	subs := make([]*events.Subscription, len(tests))
	for i, tt := range tests {
		s := subscribe(t, b.broker, "channel:p", tt.lastID)
		subs[i] = s
		if s.Missed() != tt.wantMissed {
			t.Errorf("%s: Missed() = %v, want %v", tt.name, s.Missed(), tt.wantMissed)
		}
		if tt.lastID < ids[4] { // what the log still has
			if got := next(t, s, 10*time.Second); got.ID != ids[4] {
				t.Errorf("%s: replayed %d, want %d", tt.name, got.ID, ids[4])
			}
		}
	}
	live := publish(t, a.broker, "channel:p", "{}")
	for i, s := range subs {
		if got := next(t, s, 10*time.Second); got.ID != live.ID {
			t.Errorf("%s: got %d, want the live %d", tests[i].name, got.ID, live.ID)
		}
	}
}

// TestSharedFellBehindPruning starts B's pump only after the events it
// would have delivered were pruned: its streams end, so that their
// clients reconnect and learn from Missed that they must reload.
func TestSharedFellBehindPruning(t *testing.T) {
	dsn := database(t)
	a := runningInstance(t, dsn, events.Options{})
	b := newInstance(t, dsn, events.Options{}, 0)
	s := subscribe(t, b.broker, "channel:f", 0)
	var ids []uint64
	for range 3 {
		ids = append(ids, publish(t, a.broker, "channel:f", "{}").ID)
	}
	if _, err := a.store.PruneEvents(context.Background(), time.Now().Add(time.Minute)); err != nil {
		t.Fatal(err)
	}
	b.start(t)
	select {
	case ev, ok := <-s.Events():
		if ok {
			t.Fatalf("got %+v, want the stream ended", ev)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream did not end")
	}
	if again := subscribe(t, b.broker, "channel:f", ids[0]); !again.Missed() {
		t.Error("resume after the stream ended: Missed() = false")
	}
}

// TestSharedListenerDropped cuts every instance's LISTEN connection and
// publishes at once: B, which would not poll for an hour, reconnects and
// delivers every event.
func TestSharedListenerDropped(t *testing.T) {
	dsn := database(t)
	a := runningInstance(t, dsn, events.Options{})
	b := newInstance(t, dsn, events.Options{}, time.Hour).start(t)
	s := subscribe(t, b.broker, "channel:d", 0)
	first := publish(t, a.broker, "channel:d", "{}")
	if got := next(t, s, 10*time.Second); got.ID != first.ID {
		t.Fatalf("got %d, want %d", got.ID, first.ID)
	}

	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	pids := admin(t, dsn, `SELECT pid FROM pg_stat_activity WHERE query = 'LISTEN "chatpic_events_' || to_hex(hashtext($1)) || '"'`,
		u.Query().Get("search_path"))
	if len(pids) != 2 {
		t.Fatalf("listeners %v, want A's and B's", pids)
	}
	for _, pid := range pids {
		if ok := admin(t, dsn, `SELECT pg_terminate_backend($1, 5000)::int`, pid); ok[0] != 1 {
			t.Fatalf("pg_terminate_backend(%d) failed", pid)
		}
	}
	var ids []uint64
	for range 5 {
		ids = append(ids, publish(t, a.broker, "channel:d", "{}").ID)
	}
	if got := nextIDs(t, s, len(ids)); !slices.Equal(got, ids) {
		t.Fatalf("got %v, want %v", got, ids)
	}
	// B listens again: a new event arrives without a poll.
	live := publish(t, a.broker, "channel:d", "{}")
	if got := next(t, s, 10*time.Second); got.ID != live.ID {
		t.Fatalf("got %d, want %d", got.ID, live.ID)
	}
}

// deafLog is a real log whose first attempts to listen fail, as when the
// database is away while an instance starts.
type deafLog struct {
	*sqlstore.Store
	mu    sync.Mutex
	fails int
	tried chan struct{}
}

func (d *deafLog) ListenEvents(ctx context.Context) (<-chan struct{}, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	select {
	case d.tried <- struct{}{}:
	default:
	}
	if d.fails > 0 {
		d.fails--
		return nil, errors.New("connection refused")
	}
	return d.Store.ListenEvents(ctx)
}

// TestSharedListenLater checks that a pump that cannot listen at first
// still delivers, by polling, and starts listening once it can, instead
// of giving up for the life of the process.
func TestSharedListenLater(t *testing.T) {
	dsn := database(t)
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	log := &deafLog{Store: st, fails: 2, tried: make(chan struct{}, 10)}
	b, err := events.NewShared(context.Background(), log, events.Options{}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	events.SetPoll(b, 20*time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- b.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	// Another instance publishes: its events arrive by the poll.
	other := runningInstance(t, dsn, events.Options{})
	sub := subscribe(t, b, "t", 0)
	ev := publish(t, other.broker, "t", `{"n":1}`)
	if got := next(t, sub, 5*time.Second); got.ID != ev.ID {
		t.Fatalf("got event %d, want %d", got.ID, ev.ID)
	}
	// It tries again until listening works: three attempts in all.
	for i := range 3 {
		select {
		case <-log.tried:
		case <-time.After(5 * time.Second):
			t.Fatalf("attempt %d to listen never came", i+1)
		}
	}
	ev = publish(t, other.broker, "t", `{"n":2}`)
	if got := next(t, sub, 5*time.Second); got.ID != ev.ID {
		t.Fatalf("got event %d, want %d", got.ID, ev.ID)
	}
}
