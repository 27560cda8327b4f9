package sqlstore

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/limit"
)

// rateStep is one decision in a script run against both limiters.
type rateStep struct {
	at        time.Duration // after t0
	key, prev string        // prev "" means nil
	reset     bool          // reset key instead of deciding
}

// TestTakeRateMatchesLimiter runs the same scripts through the in-memory
// limit.Limiter and through limit.Shared over the store: every decision
// and every wait must agree.
func TestTakeRateMatchesLimiter(t *testing.T) {
	scripts := []struct {
		name  string
		rule  limit.Rule
		steps []rateStep
	}{
		{"burst, refusal and refill", limit.Rule{Events: 3, Per: 30 * time.Second}, []rateStep{
			{at: 0, key: "a"}, {at: 0, key: "a"}, {at: 0, key: "a"}, {at: 0, key: "a"},
			{at: 9 * time.Second, key: "a"}, {at: 10 * time.Second, key: "a"}, {at: 10 * time.Second, key: "a"},
			{at: time.Hour, key: "a"}, {at: time.Hour, key: "a"}, {at: time.Hour, key: "a"}, {at: time.Hour, key: "a"},
		}},
		{"keys are apart", limit.Rule{Events: 1, Per: time.Minute}, []rateStep{
			{at: 0, key: "a"}, {at: 0, key: "b"}, {at: 0, key: "a"}, {at: 0, key: "b"},
		}},
		{"the previous key's state carries over", limit.Rule{Events: 2, Per: time.Minute}, []rateStep{
			{at: 0, key: "old"}, {at: 0, key: "old"},
			{at: time.Second, key: "new", prev: "old"}, // refused: old spent the burst
			{at: 30 * time.Second, key: "new", prev: "old"},
			{at: 30 * time.Second, key: "new", prev: "old"},
			{at: 31 * time.Second, key: "new"},
		}},
		{"the stricter of the two wins", limit.Rule{Events: 2, Per: time.Minute}, []rateStep{
			{at: 0, key: "new"}, {at: 0, key: "old"}, {at: 0, key: "old"},
			{at: 0, key: "new", prev: "old"}, {at: 30 * time.Second, key: "new", prev: "old"},
		}},
		{"a reset gives the burst back", limit.Rule{Events: 1, Per: time.Hour}, []rateStep{
			{at: 0, key: "a"}, {at: 0, key: "a"}, {at: 0, key: "a", reset: true}, {at: 0, key: "a"}, {at: 0, key: "a"},
		}},
		{"inexact interval", limit.Rule{Events: 3, Per: 10 * time.Second}, []rateStep{
			{at: 0, key: "a"}, {at: 0, key: "a"}, {at: 0, key: "a"}, {at: 0, key: "a"},
			{at: 3333333333, key: "a"}, {at: 3333333333, key: "a"},
		}},
	}
	eachDialect(t, func(t *testing.T, d testDialect) {
		s := d.open(t)
		ctx := context.Background()
		for i, sc := range scripts {
			t.Run(sc.name, func(t *testing.T) {
				mem := limit.New(sc.rule, 100)
				shared := limit.NewShared(s, fmt.Sprint("script ", i), sc.rule)
				for j, st := range sc.steps {
					key, prev := []byte(st.key), []byte(nil)
					if st.prev != "" {
						prev = []byte(st.prev)
					}
					if st.reset {
						mem.Reset(key)
						if err := shared.Reset(ctx, key); err != nil {
							t.Fatal(err)
						}
						continue
					}
					now := t0.Add(st.at)
					wantOK, wantWait := mem.Allow(now, key, prev)
					ok, wait, err := shared.Allow(ctx, now, key, prev)
					if err != nil || ok != wantOK || wait != wantWait {
						t.Fatalf("step %d (%+v): shared %v, %v, %v; in memory %v, %v", j, st, ok, wait, err, wantOK, wantWait)
					}
				}
			})
		}
	})
}

// TestTakeRateAcrossInstances spreads one client's requests over several
// Stores on one database, all at once: exactly the burst is admitted.
func TestTakeRateAcrossInstances(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		const (
			instances = 4
			events    = 25
			tries     = 100
		)
		stores := openInstances(t, d.database(t), instances)
		rule := limit.Rule{Events: events, Per: time.Hour}
		var admitted, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range tries {
			l := limit.NewShared(stores[i%instances], "uploads", rule)
			wg.Go(func() {
				ok, wait, err := l.Allow(context.Background(), t0, []byte("client"), nil)
				switch {
				case err != nil:
					t.Error(err)
				case ok:
					admitted.Add(1)
				case wait <= 0:
					t.Errorf("refused with a wait of %v", wait)
				default:
					refused.Add(1)
				}
			})
		}
		wg.Wait()
		if admitted.Load() != events || refused.Load() != tries-events {
			t.Fatalf("%d admitted and %d refused of %d; want %d admitted", admitted.Load(), refused.Load(), tries, events)
		}
	})
}
