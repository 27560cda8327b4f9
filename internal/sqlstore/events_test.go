package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"math"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/events"
)

func appendEvent(t *testing.T, s *Store, topic, data string, at time.Time) uint64 {
	t.Helper()
	id, err := s.AppendEvent(context.Background(), topic, events.TypePost, []byte(data), at)
	if err != nil {
		t.Fatalf("AppendEvent(%q): %v", topic, err)
	}
	return id
}

func eventIDs(evs []events.Event) []uint64 {
	var ids []uint64
	for _, ev := range evs {
		ids = append(ids, ev.ID)
	}
	return ids
}

func bounds(t *testing.T, s *Store) (uint64, uint64) {
	t.Helper()
	lo, hi, err := s.EventBounds(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return lo, hi
}

func TestEventLog(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s := d.open(t)
		if lo, hi := bounds(t, s); lo != 0 || hi != 0 {
			t.Fatalf("empty log: bounds %d, %d; want 0, 0", lo, hi)
		}
		a1 := appendEvent(t, s, "channel:a", `{"n":1}`, t0)
		b := appendEvent(t, s, "channel:b", `{"n":2}`, t0)
		a2 := appendEvent(t, s, "channel:a", `{"n":3}`, t0)
		empty, err := s.AppendEvent(ctx, "channel:a", events.TypeGone, nil, t0)
		if err != nil {
			t.Fatal(err)
		}
		if !(a1 < b && b < a2 && a2 < empty) {
			t.Fatalf("IDs %d, %d, %d, %d: not increasing", a1, b, a2, empty)
		}
		all, err := s.EventsSince(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		if want := (events.Event{ID: b, Topic: "channel:b", Type: events.TypePost, Data: []byte(`{"n":2}`)}); len(all) != 4 ||
			all[1].ID != want.ID || all[1].Topic != want.Topic || all[1].Type != want.Type || !bytes.Equal(all[1].Data, want.Data) {
			t.Fatalf("EventsSince(0) = %+v; want 4 events, the second %+v", all, want)
		}
		if all[3].Type != events.TypeGone || len(all[3].Data) != 0 {
			t.Errorf("event appended with nil data read back as %+v", all[3])
		}

		tests := []struct {
			name string
			get  func() ([]events.Event, error)
			want []uint64
		}{
			{"since pages by limit", func() ([]events.Event, error) { return s.EventsSince(ctx, a1, 2) }, []uint64{b, a2}},
			{"since the newest", func() ([]events.Event, error) { return s.EventsSince(ctx, empty, 10) }, nil},
			{"since an ID out of the column's range", func() ([]events.Event, error) { return s.EventsSince(ctx, math.MaxUint64, 10) }, nil},
			{"a topic's events", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:a", 0, empty, 10) }, []uint64{a1, a2, empty}},
			{"a topic's last ones", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:a", 0, empty, 2) }, []uint64{a2, empty}},
			{"a topic's up to an ID", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:a", a1, a2, 10) }, []uint64{a2}},
			{"a topic's after an ID", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:a", a2, math.MaxUint64, 10) }, []uint64{empty}},
			{"another topic's", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:b", 0, empty, 10) }, []uint64{b}},
			{"an unknown topic's", func() ([]events.Event, error) { return s.TopicEvents(ctx, "channel:x", 0, empty, 10) }, nil},
		}
		for _, tt := range tests {
			got, err := tt.get()
			if err != nil || !slices.Equal(eventIDs(got), tt.want) {
				t.Errorf("%s: %v, %v; want %v", tt.name, eventIDs(got), err, tt.want)
			}
		}
		if lo, hi := bounds(t, s); lo != a1 || hi != empty {
			t.Errorf("bounds %d, %d; want %d, %d", lo, hi, a1, empty)
		}

		if _, err := s.AppendEvent(ctx, "channel:a", events.TypePost, make([]byte, MaxEventData), t0); err != nil {
			t.Errorf("data of MaxEventData bytes: %v", err)
		}
		_, err = s.AppendEvent(ctx, "channel:a", events.TypePost, make([]byte, MaxEventData+1), t0)
		if chatpic.ErrorKind(err) != chatpic.KindTooLarge {
			t.Errorf("data over MaxEventData: err %v, want KindTooLarge", err)
		}
	})
}

func TestPruneEvents(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s := d.open(t)
		if n, err := s.PruneEvents(ctx, t0); n != 0 || err != nil {
			t.Fatalf("empty log: pruned %d, %v", n, err)
		}
		e1 := appendEvent(t, s, "channel:a", "1", t0)
		e2 := appendEvent(t, s, "channel:a", "2", t0.Add(time.Minute))
		e3 := appendEvent(t, s, "channel:a", "3", t0.Add(2*time.Minute))
		e4 := appendEvent(t, s, "channel:a", "4", t0.Add(30*time.Second)) // an instance whose clock is behind
		steps := []struct {
			name       string
			before     time.Time
			pruned     int
			lo, hi     uint64
			wantEvents []uint64
		}{
			{"nothing that old", t0, 0, e1, e4, []uint64{e1, e2, e3, e4}},
			// e4 is old too, but after the first recent one: pruning takes
			// the oldest IDs only, so what is kept has no gap.
			{"oldest first", t0.Add(90 * time.Second), 2, e3, e4, []uint64{e3, e4}},
			{"all but the newest", t0.Add(time.Hour), 1, e4, e4, []uint64{e4}},
			{"again", t0.Add(time.Hour), 0, e4, e4, []uint64{e4}},
		}
		for _, st := range steps {
			n, err := s.PruneEvents(ctx, st.before)
			if err != nil || n != st.pruned {
				t.Fatalf("%s: pruned %d, %v; want %d", st.name, n, err, st.pruned)
			}
			if lo, hi := bounds(t, s); lo != st.lo || hi != st.hi {
				t.Errorf("%s: bounds %d, %d; want %d, %d", st.name, lo, hi, st.lo, st.hi)
			}
			got, err := s.EventsSince(ctx, 0, 10)
			if err != nil || !slices.Equal(eventIDs(got), st.wantEvents) {
				t.Errorf("%s: left %v, %v; want %v", st.name, eventIDs(got), err, st.wantEvents)
			}
		}
		// The IDs of pruned events are not handed out again.
		if id := appendEvent(t, s, "channel:a", "5", t0); id <= e4 {
			t.Errorf("after pruning, new ID %d, want above %d", id, e4)
		}
	})
}

// TestEventsCommitInIDOrder appends from two instances at once while a
// reader follows the log: it must read every event, which it would not if
// an event with a smaller ID could commit after one with a larger ID that
// the reader had already passed.
func TestEventsCommitInIDOrder(t *testing.T) {
	d := testDialects[1]
	d.skipUnlessReady(t)
	const writers, each = 6, 150
	ctx := context.Background()
	stores := openInstances(t, d.database(t), 2)

	var wg sync.WaitGroup
	done := make(chan struct{})
	defer func() { <-done }()
	for w := range writers {
		wg.Go(func() {
			for i := range each {
				if _, err := stores[w%2].AppendEvent(ctx, fmt.Sprint("post:", w), events.TypeComment, []byte(fmt.Sprint(i)), t0); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()
	var read []uint64
	var last uint64
	for finished := false; ; {
		select {
		case <-done:
			finished = true
		default:
		}
		evs, err := stores[1].EventsSince(ctx, last, 50)
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range evs {
			read = append(read, ev.ID)
			last = ev.ID
		}
		if finished && len(evs) == 0 { // a read that began after the last commit
			break
		}
	}
	all, err := stores[0].EventsSince(ctx, 0, 2*writers*each)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(read, eventIDs(all)) {
		t.Fatalf("the reader read %d events, the log holds %d: it passed some before they committed", len(read), len(all))
	}
}

// listenerPIDs returns the server processes listening for s's events.
func listenerPIDs(t *testing.T, s *Store) []int {
	t.Helper()
	rows, err := s.read.QueryContext(context.Background(), `SELECT pid FROM pg_stat_activity
		WHERE query = 'LISTEN "' || `+eventsChannel+` || '"' ORDER BY pid`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var pids []int
	for rows.Next() {
		var pid int
		if err := rows.Scan(&pid); err != nil {
			t.Fatal(err)
		}
		pids = append(pids, pid)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return pids
}

// signalled waits for a value on ch, or fails the test after a generous
// failsafe.
func signalled(t *testing.T, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case _, ok := <-ch:
		if !ok {
			t.Fatalf("%s: channel closed", what)
		}
	case <-time.After(10 * time.Second):
		t.Fatalf("%s: no signal", what)
	}
}

func TestListenEvents(t *testing.T) {
	t.Run("sqlite", func(t *testing.T) {
		s := testDialects[0].open(t)
		if _, err := s.ListenEvents(t.Context()); chatpic.ErrorKind(err) != chatpic.KindUnsupported {
			t.Fatalf("ListenEvents on SQLite: %v, want KindUnsupported", err)
		}
	})
	t.Run("postgres", func(t *testing.T) {
		d := testDialects[1]
		d.skipUnlessReady(t)
		stores := openInstances(t, d.database(t), 2)
		listening, writing := stores[0], stores[1]
		ctx, cancel := context.WithCancel(t.Context())
		defer cancel()
		ch, err := listening.ListenEvents(ctx)
		if err != nil {
			t.Fatal(err)
		}

		appendEvent(t, writing, "channel:a", "{}", t0)
		signalled(t, ch, "append from another instance")

		old := listenerPIDs(t, writing)
		if len(old) != 1 {
			t.Fatalf("listeners %v, want one", old)
		}
		select { // nothing pending: the next value is the reconnection's
		case <-ch:
		default:
		}
		var ok bool
		if err := writing.read.QueryRowContext(t.Context(), `SELECT pg_terminate_backend(?, 5000)`, old[0]).Scan(&ok); err != nil || !ok {
			t.Fatalf("terminate the listener: %v, %v", ok, err)
		}
		signalled(t, ch, "reconnection")
		if now := listenerPIDs(t, writing); len(now) != 1 || now[0] == old[0] {
			t.Fatalf("listeners after reconnecting %v, want one other than %d", now, old[0])
		}
		appendEvent(t, writing, "channel:a", "{}", t0)
		signalled(t, ch, "append after reconnecting")

		cancel()
		for range ch { // closed once the listener has stopped
		}
		if n := listening.write.Stats().InUse; n != 0 {
			t.Errorf("%d connections in use after ctx is done, want 0", n)
		}
	})
}
