package limit

import (
	"encoding/binary"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

var t0 = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func key(s string) []byte { return []byte(s) }

// step is one call in a scripted sequence against one Limiter.
type step struct {
	at    time.Duration // after t0
	key   string
	prev  string // "" means nil
	ok    bool
	retry time.Duration
}

func run(t *testing.T, l *Limiter, steps []step) {
	t.Helper()
	for i, s := range steps {
		var prev []byte
		if s.prev != "" {
			prev = key(s.prev)
		}
		ok, retry := l.Allow(t0.Add(s.at), key(s.key), prev)
		if ok != s.ok || retry != s.retry {
			t.Fatalf("step %d: Allow(t0+%v, %q, %q) = %v, %v; want %v, %v",
				i, s.at, s.key, s.prev, ok, retry, s.ok, s.retry)
		}
	}
}

func TestAllowBurstThenRefuse(t *testing.T) {
	tests := []struct {
		name  string
		rule  Rule
		retry time.Duration // after the burst: Per/Events, rounded down to a nanosecond
	}{
		{"20 per 10 minutes", Rule{20, 10 * time.Minute}, 30 * time.Second},
		{"5 per hour", Rule{5, time.Hour}, 12 * time.Minute},
		{"1 per hour", Rule{1, time.Hour}, time.Hour},
		{"3 per 10 seconds, inexact", Rule{3, 10 * time.Second}, 3333333333 * time.Nanosecond},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New(tt.rule, 10)
			var steps []step
			for range tt.rule.Events {
				steps = append(steps, step{at: 0, key: "a", ok: true})
			}
			steps = append(steps,
				step{at: 0, key: "a", retry: tt.retry},
				step{at: tt.retry - time.Nanosecond, key: "a", retry: time.Nanosecond},
				step{at: tt.retry, key: "a", ok: true},
				step{at: tt.retry, key: "a", retry: tt.retry},
			)
			run(t, l, steps)
		})
	}
}

func TestAllowRefill(t *testing.T) {
	tests := []struct {
		name  string
		rule  Rule
		steps []step
	}{
		{"one event comes back per interval", Rule{2, 10 * time.Second}, []step{
			{at: 0, key: "a", ok: true},
			{at: 0, key: "a", ok: true},
			{at: 0, key: "a", retry: 5 * time.Second},
			{at: 4 * time.Second, key: "a", retry: time.Second},
			{at: 5 * time.Second, key: "a", ok: true},
			{at: 5 * time.Second, key: "a", retry: 5 * time.Second},
			{at: 10 * time.Second, key: "a", ok: true},
		}},
		{"a long pause gives back the burst, not more", Rule{2, 10 * time.Second}, []step{
			{at: 0, key: "a", ok: true},
			{at: 0, key: "a", ok: true},
			{at: time.Hour, key: "a", ok: true},
			{at: time.Hour, key: "a", ok: true},
			{at: time.Hour, key: "a", retry: 5 * time.Second},
		}},
		{"refused events cost nothing", Rule{1, time.Minute}, []step{
			{at: 0, key: "a", ok: true},
			{at: 10 * time.Second, key: "a", retry: 50 * time.Second},
			{at: 20 * time.Second, key: "a", retry: 40 * time.Second},
			{at: 59 * time.Second, key: "a", retry: time.Second},
			{at: time.Minute, key: "a", ok: true},
		}},
		{"a steady rate at the limit is always allowed", Rule{2, time.Minute}, []step{
			{at: 0, key: "a", ok: true},
			{at: 30 * time.Second, key: "a", ok: true},
			{at: 60 * time.Second, key: "a", ok: true},
			{at: 90 * time.Second, key: "a", ok: true},
			{at: 90 * time.Second, key: "a", ok: true},
			{at: 90 * time.Second, key: "a", retry: 30 * time.Second},
		}},
		{"keys are independent", Rule{1, time.Minute}, []step{
			{at: 0, key: "a", ok: true},
			{at: 0, key: "a", retry: time.Minute},
			{at: 0, key: "b", ok: true},
			{at: 30 * time.Second, key: "c", ok: true},
			{at: 30 * time.Second, key: "b", retry: 30 * time.Second},
			{at: 30 * time.Second, key: "a", retry: 30 * time.Second},
		}},
		{"a rotated key keeps its state", Rule{2, time.Minute}, []step{
			{at: 0, key: "old", ok: true},
			{at: 0, key: "old", ok: true},
			{at: 0, key: "new", prev: "old", retry: 30 * time.Second},
			{at: 0, key: "old", ok: true}, // the state moved away from old
			{at: 0, key: "new", retry: 30 * time.Second},
		}},
		{"a rotated key with state of its own keeps the stricter", Rule{2, time.Minute}, []step{
			{at: 0, key: "old", ok: true},
			{at: 0, key: "old", ok: true},
			{at: 0, key: "new", ok: true},
			{at: 0, key: "new", prev: "old", retry: 30 * time.Second},
			{at: 0, key: "old", ok: true},
		}},
		{"prev without state changes nothing", Rule{1, time.Minute}, []step{
			{at: 0, key: "new", prev: "old", ok: true},
			{at: 0, key: "new", prev: "old", retry: time.Minute},
			{at: 0, key: "old", ok: true},
		}},
		{"prev equal to key", Rule{1, time.Minute}, []step{
			{at: 0, key: "a", prev: "a", ok: true},
			{at: 0, key: "a", prev: "a", retry: time.Minute},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { run(t, New(tt.rule, 10), tt.steps) })
	}
}

func TestUnlimited(t *testing.T) {
	for _, r := range []Rule{{}, {Events: 0, Per: time.Minute}, {Events: -1, Per: time.Minute}} {
		l := New(r, 10)
		for i := range 1000 {
			if ok, retry := l.Allow(t0, key("a"), nil); !ok || retry != 0 {
				t.Fatalf("%v: event %d refused", r, i)
			}
		}
		if ok, _ := l.Peek(t0, key("a"), nil); !ok || l.Len() != 0 {
			t.Errorf("%v: Peek = %v, Len = %d; want true, 0", r, ok, l.Len())
		}
	}
}

func TestPeekRecordsNothing(t *testing.T) {
	l := New(Rule{2, time.Minute}, 10)
	check := func(at time.Duration, k, prev string, wantOK bool, wantRetry time.Duration) {
		t.Helper()
		var p []byte
		if prev != "" {
			p = key(prev)
		}
		if ok, retry := l.Peek(t0.Add(at), key(k), p); ok != wantOK || retry != wantRetry {
			t.Errorf("Peek(t0+%v, %q, %q) = %v, %v; want %v, %v", at, k, prev, ok, retry, wantOK, wantRetry)
		}
	}
	check(0, "a", "", true, 0)
	check(0, "a", "", true, 0)
	if l.Len() != 0 {
		t.Fatalf("Peek stored state: Len = %d", l.Len())
	}
	l.Allow(t0, key("a"), nil)
	check(0, "a", "", true, 0)
	l.Allow(t0, key("a"), nil)
	check(0, "a", "", false, 30*time.Second)
	check(0, "b", "a", false, 30*time.Second) // seen through prev
	l.Allow(t0, key("c"), nil)
	check(0, "c", "", true, 0)
	check(0, "c", "a", false, 30*time.Second) // prev is stricter
	check(0, "a", "c", false, 30*time.Second) // key is stricter
	check(10*time.Second, "a", "", false, 20*time.Second)
	check(30*time.Second, "a", "", true, 0)
	if ok, _ := l.Allow(t0, key("a"), nil); ok {
		t.Error("Allow after Peek allowed a third event")
	}
}

func TestReset(t *testing.T) {
	l := New(Rule{1, time.Hour}, 10)
	for _, k := range []string{"a", "b", "c"} {
		l.Allow(t0, key(k), nil)
	}
	l.Reset(key("a"), key("b"), key("never seen"))
	for k, want := range map[string]bool{"a": true, "b": true, "c": false} {
		if ok, _ := l.Allow(t0, key(k), nil); ok != want {
			t.Errorf("after Reset, Allow(%q) = %v, want %v", k, ok, want)
		}
	}
}

func TestPrune(t *testing.T) {
	l := New(Rule{2, time.Minute}, 10)
	l.Allow(t0, key("once"), nil)                  // full again at t0+30s
	l.Allow(t0, key("twice"), nil)                 // full again at t0+60s
	l.Allow(t0, key("twice"), nil)                 //
	l.Allow(t0.Add(time.Minute), key("late"), nil) // full again at t0+90s
	tests := []struct {
		at   time.Duration
		want int
	}{
		{0, 3},
		{30*time.Second - 1, 3},
		{30 * time.Second, 2},
		{59 * time.Second, 2},
		{60 * time.Second, 1},
		{90 * time.Second, 0},
	}
	for _, tt := range tests {
		l.Prune(t0.Add(tt.at))
		if got := l.Len(); got != tt.want {
			t.Errorf("after Prune(t0+%v), Len = %d, want %d", tt.at, got, tt.want)
		}
	}
}

func TestMaxKeysBound(t *testing.T) {
	const maxKeys, flood = 1000, 1_000_000
	l := New(Rule{5, time.Hour}, maxKeys)
	for range 5 {
		l.Allow(t0, key("victim"), nil)
	}
	k := make([]byte, 8)
	for i := range flood {
		binary.BigEndian.PutUint64(k, uint64(i))
		// Time moves on during the flood, and each flooding key makes
		// one event: each is closer to its full allowance than the
		// victim, which has spent its whole burst.
		if ok, _ := l.Allow(t0.Add(time.Duration(i)*time.Microsecond), k, nil); !ok {
			t.Fatalf("fresh key %d refused", i)
		}
		if i%1000 == 0 && l.Len() > maxKeys {
			t.Fatalf("after %d keys, Len = %d > %d", i+1, l.Len(), maxKeys)
		}
	}
	if n := l.Len(); n != maxKeys {
		t.Errorf("Len = %d, want %d", n, maxKeys)
	}
	if len(l.order) != len(l.entries) {
		t.Errorf("heap holds %d entries, map %d", len(l.order), len(l.entries))
	}
	// The flood took a second; without its state the victim would be
	// allowed again.
	end := t0.Add(flood * time.Microsecond)
	if ok, retry := l.Allow(end, key("victim"), nil); ok || retry != 12*time.Minute-time.Second {
		t.Errorf("victim: Allow = %v, %v; want false, 11m59s (the flood evicted it)", ok, retry)
	}
	// The newest flooding key is never the one evicted.
	binary.BigEndian.PutUint64(k, flood-1)
	if ok, retry := l.Peek(end, k, nil); !ok || retry != 0 {
		t.Errorf("Peek(newest key) = %v, %v", ok, retry)
	}
	if _, found := l.entries[string(k)]; !found {
		t.Error("the newest key was evicted")
	}
}

func TestConcurrent(t *testing.T) {
	const goroutines, each, events = 32, 200, 1000
	l := New(Rule{events, time.Hour}, 100)
	var allowed atomic.Int64
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				if ok, _ := l.Allow(t0, key("shared"), nil); ok {
					allowed.Add(1)
				}
				own := key(fmt.Sprintf("g%d-%d", g, i%300))
				l.Allow(t0.Add(time.Duration(i)*time.Second), own, key(fmt.Sprintf("g%d-old", g)))
				l.Peek(t0, own, nil)
				if i%50 == 0 {
					l.Prune(t0.Add(time.Duration(i) * time.Second))
					l.Reset(own)
				}
			}
		})
	}
	wg.Wait()
	if n := allowed.Load(); n != events {
		t.Errorf("allowed %d events on the shared key, want exactly %d", n, events)
	}
	if n := l.Len(); n > 100 {
		t.Errorf("Len = %d > maxKeys", n)
	}
}

func ExampleLimiter() {
	uploads := New(Rule{Events: 2, Per: time.Minute}, 100_000)
	client := []byte("hmac-of-the-client-address")
	for range 3 {
		if ok, retry := uploads.Allow(t0, client, nil); !ok {
			err := chatpic.RateLimited(retry, "too many uploads; try again later")
			fmt.Println(err, "- Retry-After:", chatpic.RetryAfterSeconds(err))
			continue
		}
		fmt.Println("allowed")
	}
	// Output:
	// allowed
	// allowed
	// too many uploads; try again later - Retry-After: 30
}
