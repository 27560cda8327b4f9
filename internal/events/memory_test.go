package events

import (
	"context"
	"fmt"
	"slices"
	"testing"
)

func TestMemoryEndUnregisters(t *testing.T) {
	tests := []struct {
		name string
		// end ends s; stay is another subscriber that must survive.
		end  func(t *testing.T, m *Memory, s, stay *Subscription, cancel context.CancelFunc)
		drop bool
	}{
		{"Close", func(_ *testing.T, _ *Memory, s, _ *Subscription, _ context.CancelFunc) { s.Close() }, false},
		{"Close twice", func(_ *testing.T, _ *Memory, s, _ *Subscription, _ context.CancelFunc) { s.Close(); s.Close() }, false},
		{"context cancelled", func(_ *testing.T, _ *Memory, _, _ *Subscription, cancel context.CancelFunc) { cancel() }, false},
		{"cancel then Close", func(_ *testing.T, _ *Memory, s, _ *Subscription, cancel context.CancelFunc) { cancel(); s.Close() }, false},
		{"dropped as too slow", func(t *testing.T, m *Memory, _, stay *Subscription, _ context.CancelFunc) {
			publish(t, m, "post:p", TypeScore, "{}")
			recv(t, stay)
			publish(t, m, "post:p", TypeScore, "{}") // s's buffer of 1 is full
			recv(t, stay)
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := NewMemory(Options{Buffer: 1})
			ctx, cancel := context.WithCancel(t.Context())
			defer cancel()
			s, err := m.Subscribe(ctx, "post:p", 0)
			if err != nil {
				t.Fatal(err)
			}
			stay := subscribe(t, m, "post:p", 0)
			if got := m.Subscribers("post:p"); got != 2 {
				t.Fatalf("Subscribers = %d, want 2", got)
			}
			tt.end(t, m, s, stay, cancel)
			waitClosed(t, s)
			if got := m.Subscribers("post:p"); got != 1 {
				t.Errorf("Subscribers after end = %d, want 1", got)
			}
			if s.Dropped() != tt.drop {
				t.Errorf("Dropped() = %v, want %v", s.Dropped(), tt.drop)
			}
			s.Close() // still harmless
			stay.Close()
			if got := m.Subscribers("post:p"); got != 0 {
				t.Errorf("Subscribers after all ended = %d, want 0", got)
			}
			if n, r := held(m), retained(m); n != r {
				t.Errorf("topics held = %d, with a backlog = %d: one without either leaked", n, r)
			}
		})
	}
}

func TestMemoryMaxTopics(t *testing.T) {
	m := NewMemory(Options{MaxTopics: 2})
	a := publish(t, m, "channel:a", TypePost, "{}")
	b := publish(t, m, "channel:b", TypePost, "{}")
	publish(t, m, "channel:a", TypePost, "{}") // a is now the most recent
	publish(t, m, "channel:c", TypePost, "{}") // evicts b

	if got := retained(m); got != 2 {
		t.Errorf("retained topics = %d, want 2", got)
	}
	tests := []struct {
		topic      string
		lastID     uint64
		wantMissed bool
		wantReplay int
	}{
		{"channel:a", a.ID, false, 1},
		{"channel:b", b.ID - 1, true, 0},
		{"channel:b", b.ID, false, 0},
		{"channel:c", b.ID, false, 1},
		// Never published, but could have been before an eviction.
		{"channel:new", b.ID - 1, true, 0},
		{"channel:new", b.ID, false, 0},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s after %d", tt.topic, tt.lastID), func(t *testing.T) {
			s := subscribe(t, m, tt.topic, tt.lastID)
			if s.Missed() != tt.wantMissed {
				t.Errorf("Missed() = %v, want %v", s.Missed(), tt.wantMissed)
			}
			if got := len(s.Events()); got != tt.wantReplay {
				t.Errorf("replayed %d events, want %d", got, tt.wantReplay)
			}
		})
	}

	// Many one-off topics stay bounded; a subscribed one whose backlog is
	// evicted is held for its subscriber and keeps delivering.
	live := subscribe(t, m, "channel:live", 0)
	first := publish(t, m, "channel:live", TypePost, "{}")
	for i := range 1000 {
		publish(t, m, fmt.Sprint("post:", i), TypeComment, "{}")
	}
	if n := held(m); n != 3 { // two retained backlogs plus channel:live
		t.Errorf("topics held = %d, want 3", n)
	}
	second := publish(t, m, "channel:live", TypePost, "{}")
	for _, want := range []uint64{first.ID, second.ID} {
		if got := recv(t, live); got.ID != want {
			t.Errorf("live got %d, want %d", got.ID, want)
		}
	}
	if s := subscribe(t, m, "channel:live", first.ID-1); !s.Missed() {
		t.Error("resume before an evicted backlog: Missed() = false")
	}
}

func held(m *Memory) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.topics)
}

func retained(m *Memory) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.lru.Len()
}

func TestObserve(t *testing.T) {
	m := NewMemory(Options{})
	var seen []string
	m.Observe(func(ev Event) { seen = append(seen, ev.Type+" "+ev.Topic) })
	ctx := context.Background()
	m.Publish(ctx, "channel:cats", TypePost, []byte(`{}`))
	m.Publish(ctx, "post:x", TypeGone, []byte(`{}`))
	m.deliverAll([]Event{{ID: 100, Topic: "post:y", Type: TypeScore}}, true)
	want := []string{"post channel:cats", "gone post:x", "lost ", "score post:y"}
	if !slices.Equal(seen, want) {
		t.Fatalf("observed %q, want %q", seen, want)
	}
}
