package events

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"
)

// These tests hold for every Broker; testBroker runs them. Shared runs the
// same suite, from shared_test.go, through RunBrokerSuite.
func TestMemoryBroker(t *testing.T) {
	testBroker(t, func(_ *testing.T, o Options) Broker { return NewMemory(o) }, brokerTraits{exactBacklog: true})
}

// newBrokerFunc returns a new, empty broker that lasts as long as t.
type newBrokerFunc func(t *testing.T, o Options) Broker

// brokerTraits says what the suite may expect of a broker beyond the
// contract.
type brokerTraits struct {
	// exactBacklog: a resume from before a topic's last Options.Backlog
	// events reports Missed. Without it, a broker that still has the events
	// may replay them all instead (Shared, before its local backlog fills).
	exactBacklog bool
}

func testBroker(t *testing.T, newBroker newBrokerFunc, traits brokerTraits) {
	t.Run("delivery", func(t *testing.T) { testDelivery(t, newBroker) })
	t.Run("order", func(t *testing.T) { testOrder(t, newBroker) })
	t.Run("resume", func(t *testing.T) { testResume(t, newBroker, traits) })
	t.Run("resume concurrent", func(t *testing.T) { testResumeConcurrent(t, newBroker) })
	t.Run("slow dropped", func(t *testing.T) { testSlowDropped(t, newBroker) })
	t.Run("done context", func(t *testing.T) { testDoneContext(t, newBroker) })
}

// recv returns the next event of s, failing the test if Events is closed or
// nothing arrives within a generous failsafe.
func recv(t *testing.T, s *Subscription) Event {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatalf("events closed (dropped=%v)", s.Dropped())
		}
		return ev
	case <-time.After(10 * time.Second):
		t.Fatal("no event")
	}
	return Event{}
}

// waitClosed drains s until Events is closed and returns what it drained.
func waitClosed(t *testing.T, s *Subscription) []Event {
	t.Helper()
	var got []Event
	for {
		select {
		case ev, ok := <-s.Events():
			if !ok {
				return got
			}
			got = append(got, ev)
		case <-time.After(10 * time.Second):
			t.Fatal("events not closed")
		}
	}
}

func subscribe(t *testing.T, b Broker, topic string, lastID uint64) *Subscription {
	t.Helper()
	s, err := b.Subscribe(t.Context(), topic, lastID)
	if err != nil {
		t.Fatalf("Subscribe(%q, %d): %v", topic, lastID, err)
	}
	t.Cleanup(s.Close)
	return s
}

func publish(t *testing.T, b Broker, topic, typ, data string) Event {
	t.Helper()
	ev, err := b.Publish(t.Context(), topic, typ, []byte(data))
	if err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
	return ev
}

func testDelivery(t *testing.T, newBroker newBrokerFunc) {
	b := newBroker(t, Options{})
	a1 := subscribe(t, b, "channel:a", 0)
	a2 := subscribe(t, b, "channel:a", 0)
	other := subscribe(t, b, "channel:b", 0)

	evA := publish(t, b, "channel:a", TypePost, `{"id":"x"}`)
	evB := publish(t, b, "channel:b", TypeGone, `{"id":"y"}`)
	if evB.ID <= evA.ID {
		t.Fatalf("IDs not increasing: %d then %d", evA.ID, evB.ID)
	}
	for name, s := range map[string]*Subscription{"first": a1, "second": a2} {
		got := recv(t, s)
		if got.ID != evA.ID || got.Topic != "channel:a" || got.Type != TypePost || string(got.Data) != `{"id":"x"}` {
			t.Errorf("%s subscriber got %+v, want %+v", name, got, evA)
		}
	}
	// The other topic's first event is its own: it never saw channel:a's.
	if got := recv(t, other); got.ID != evB.ID {
		t.Errorf("other topic got ID %d, want %d", got.ID, evB.ID)
	}
}

func testOrder(t *testing.T, newBroker newBrokerFunc) {
	b := newBroker(t, Options{Buffer: 100})
	s := subscribe(t, b, "post:p", 0)
	var want []uint64
	for i := range 100 {
		want = append(want, publish(t, b, "post:p", TypeComment, fmt.Sprint(i)).ID)
	}
	for i, id := range want {
		if got := recv(t, s); got.ID != id || string(got.Data) != fmt.Sprint(i) {
			t.Fatalf("event %d: got ID %d data %s, want ID %d", i, got.ID, got.Data, id)
		}
	}
}

func testResume(t *testing.T, newBroker newBrokerFunc, traits brokerTraits) {
	// setup publishes six events on the topic with a backlog of four,
	// interleaved with another topic's so that the topic's IDs are not
	// contiguous. It returns the topic's IDs and the last ID overall.
	setup := func(t *testing.T) (Broker, []uint64, uint64) {
		b := newBroker(t, Options{Backlog: 4})
		var ids []uint64
		var last Event
		for range 6 {
			ids = append(ids, publish(t, b, "channel:c", TypePost, "{}").ID)
			last = publish(t, b, "channel:noise", TypePost, "{}")
		}
		return b, ids, last.ID
	}
	tests := []struct {
		name       string
		lastID     func(ids []uint64, last uint64) uint64
		replayFrom int // index into ids of the first replayed event; 6 for none
		wantMissed bool
		// orAll: without exactBacklog, replaying every event after lastID
		// and reporting no Missed is right too.
		orAll bool
	}{
		{"zero replays nothing", func([]uint64, uint64) uint64 { return 0 }, 6, false, false},
		{"within backlog", func(ids []uint64, _ uint64) uint64 { return ids[3] }, 4, false, false},
		{"the last trimmed one", func(ids []uint64, _ uint64) uint64 { return ids[1] }, 2, false, false},
		{"between the topic's events", func(ids []uint64, _ uint64) uint64 { return ids[3] + 1 }, 4, false, false},
		{"older than the backlog", func(ids []uint64, _ uint64) uint64 { return ids[0] }, 2, true, true},
		{"up to date", func(ids []uint64, _ uint64) uint64 { return ids[5] }, 6, false, false},
		{"newer than the topic's last", func(_ []uint64, last uint64) uint64 { return last }, 6, false, false},
		{"from the future", func(_ []uint64, last uint64) uint64 { return last + 100 }, 6, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, ids, last := setup(t)
			lastID := tt.lastID(ids, last)
			s := subscribe(t, b, "channel:c", lastID)
			want := ids[tt.replayFrom:]
			switch {
			case tt.orAll && !traits.exactBacklog && !s.Missed():
				want = slices.DeleteFunc(slices.Clone(ids), func(id uint64) bool { return id <= lastID })
			case s.Missed() != tt.wantMissed:
				t.Errorf("Missed() = %v, want %v", s.Missed(), tt.wantMissed)
			}
			var got []uint64
			for range want {
				got = append(got, recv(t, s).ID)
			}
			if !slices.Equal(got, want) {
				t.Errorf("replayed %v, want %v", got, want)
			}
			// The next event is the live one: no duplicate of the replay.
			live := publish(t, b, "channel:c", TypeScore, "{}")
			if ev := recv(t, s); ev.ID != live.ID {
				t.Errorf("after replay got ID %d, want live %d", ev.ID, live.ID)
			}
		})
	}
}

// testResumeConcurrent has subscribers join at random lastIDs while a
// publisher runs; each must see exactly lastID+1 .. n, in order.
func testResumeConcurrent(t *testing.T, newBroker newBrokerFunc) {
	const n, subscribers = 2000, 50
	b := newBroker(t, Options{Backlog: n, Buffer: n})
	first := publish(t, b, "channel:r", TypePost, "{}")

	var mu sync.Mutex
	published := []uint64{first.ID}
	var wg sync.WaitGroup
	wg.Go(func() {
		for range n - 1 {
			ev, err := b.Publish(t.Context(), "channel:r", TypePost, nil)
			if err != nil {
				t.Error(err)
				return
			}
			mu.Lock()
			published = append(published, ev.ID)
			mu.Unlock()
		}
	})
	for range subscribers {
		wg.Go(func() {
			mu.Lock()
			lastID := published[rand.IntN(len(published))]
			mu.Unlock()
			s, err := b.Subscribe(t.Context(), "channel:r", lastID)
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			if s.Missed() {
				t.Errorf("lastID %d: Missed", lastID)
			}
			want := lastID + 1
			for want <= first.ID+n-1 {
				var ev Event
				var ok bool
				select {
				case ev, ok = <-s.Events():
				case <-time.After(10 * time.Second): // failsafe: a gap at the end
					t.Errorf("lastID %d: %d never arrived", lastID, want)
					return
				}
				if !ok {
					t.Errorf("lastID %d: closed at %d (dropped=%v)", lastID, want, s.Dropped())
					return
				}
				if ev.ID != want {
					t.Errorf("lastID %d: got %d, want %d", lastID, ev.ID, want)
					return
				}
				want++
			}
		})
	}
	wg.Wait()
}

func testSlowDropped(t *testing.T, newBroker newBrokerFunc) {
	b := newBroker(t, Options{Buffer: 2})
	slow := subscribe(t, b, "channel:s", 0)
	fast := subscribe(t, b, "channel:s", 0)
	for i := range 10 {
		ev := publish(t, b, "channel:s", TypePost, fmt.Sprint(i))
		if got := recv(t, fast); got.ID != ev.ID {
			t.Fatalf("fast got %d, want %d", got.ID, ev.ID)
		}
	}
	if got := waitClosed(t, slow); len(got) != 2 {
		t.Errorf("slow got %d events before being dropped, want its buffer of 2", len(got))
	}
	if !slow.Dropped() {
		t.Error("slow: Dropped() = false")
	}
	if fast.Dropped() {
		t.Error("fast: Dropped() = true")
	}
}

func testDoneContext(t *testing.T, newBroker newBrokerFunc) {
	b := newBroker(t, Options{})
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if _, err := b.Publish(ctx, "channel:d", TypePost, nil); err != context.Canceled {
		t.Errorf("Publish with done ctx: err = %v, want context.Canceled", err)
	}
	if _, err := b.Subscribe(ctx, "channel:d", 0); err != context.Canceled {
		t.Errorf("Subscribe with done ctx: err = %v, want context.Canceled", err)
	}
}

func TestParseID(t *testing.T) {
	tests := []struct {
		in      string
		want    uint64
		wantErr bool
	}{
		{"", 0, false},
		{"0", 0, false},
		{"42", 42, false},
		{"18446744073709551615", 1<<64 - 1, false},
		{"18446744073709551616", 0, true},
		{"-1", 0, true},
		{"abc", 0, true},
		{" 1", 0, true},
	}
	for _, tt := range tests {
		got, err := ParseID(tt.in)
		if (err != nil) != tt.wantErr || got != tt.want {
			t.Errorf("ParseID(%q) = %d, %v; want %d, err=%v", tt.in, got, err, tt.want, tt.wantErr)
		}
		if err == nil && tt.in != "" && FormatID(got) != tt.in {
			t.Errorf("FormatID(%d) = %q, want %q", got, FormatID(got), tt.in)
		}
	}
}
