package sqlstore

import (
	"bytes"
	"context"
	"sync"
	"testing"
	"time"
)

// TestShared: only a database several instances can open at once says so;
// the server then keeps shared state and live events in it.
func TestShared(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		if got, want := d.open(t).Shared(), d.name == "postgres"; got != want {
			t.Fatalf("Shared() = %v on %s, want %v", got, d.name, want)
		}
	})
}

// TestSecretShared asks several instances at once for the same secrets:
// each secret is made once, and all of them read the same bytes.
func TestSecretShared(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 3)
		expires := t0.Add(time.Hour)
		type result struct {
			period int64
			value  []byte
		}
		var (
			mu  sync.Mutex
			got []result
			wg  sync.WaitGroup
		)
		for i := range 30 {
			wg.Go(func() {
				period := int64(i % 2)
				v, err := stores[i%len(stores)].Secret(ctx, "day", period, expires)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				defer mu.Unlock()
				got = append(got, result{period, v})
			})
		}
		wg.Wait()
		first := map[int64][]byte{}
		for _, r := range got {
			if len(r.value) != 32 {
				t.Fatalf("a secret of %d bytes", len(r.value))
			}
			if f, ok := first[r.period]; !ok {
				first[r.period] = r.value
			} else if !bytes.Equal(f, r.value) {
				t.Fatalf("period %d: two instances read different secrets", r.period)
			}
		}
		if bytes.Equal(first[0], first[1]) {
			t.Fatal("two periods share a secret")
		}
		other, err := stores[0].Secret(ctx, "client/24h0m0s", 0, expires)
		if err != nil || bytes.Equal(other, first[0]) {
			t.Fatalf("another name: %v, or the same secret", err)
		}

		// Pruned after it expires, a secret is made anew: the old one is gone.
		n, err := stores[1].PruneShared(ctx, expires)
		if err != nil || n != 3 {
			t.Fatalf("PruneShared = %d, %v; want the 3 secrets", n, err)
		}
		again, err := stores[2].Secret(ctx, "day", 0, expires.Add(time.Hour))
		if err != nil || bytes.Equal(again, first[0]) {
			t.Fatalf("after pruning: %v, or the old secret came back", err)
		}
	})
}

// TestSpendChallenge spends challenges from several instances at once:
// each is new exactly once until it is pruned after its expiry.
func TestSpendChallenge(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		stores := openInstances(t, d.database(t), 3)
		macs := [][]byte{[]byte("mac one........."), []byte("mac two.........")}
		expires := t0.Add(10 * time.Minute)
		var (
			mu    sync.Mutex
			fresh = map[string]int{}
			wg    sync.WaitGroup
		)
		for i := range 24 {
			wg.Go(func() {
				mac := macs[i%2]
				ok, err := stores[i%len(stores)].SpendChallenge(ctx, mac, expires)
				if err != nil {
					t.Error(err)
					return
				}
				if ok {
					mu.Lock()
					fresh[string(mac)]++
					mu.Unlock()
				}
			})
		}
		wg.Wait()
		for _, mac := range macs {
			if fresh[string(mac)] != 1 {
				t.Fatalf("%q was new %d times, want once", mac, fresh[string(mac)])
			}
		}
		if n, err := stores[0].PruneShared(ctx, expires.Add(-time.Millisecond)); err != nil || n != 0 {
			t.Fatalf("before expiry PruneShared = %d, %v; want 0", n, err)
		}
		if n, err := stores[0].PruneShared(ctx, expires); err != nil || n != 2 {
			t.Fatalf("at expiry PruneShared = %d, %v; want 2", n, err)
		}
	})
}

// TestPruneRates deletes the rate-limit entries whose allowance is whole
// again, and only those.
func TestPruneRates(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s := d.open(t)
		for _, key := range []string{"a", "b"} {
			if ok, _, err := s.TakeRate(ctx, "votes", []byte(key), nil, t0, time.Minute, time.Hour); err != nil || !ok {
				t.Fatalf("TakeRate: %v, %v", ok, err)
			}
		}
		if ok, _, err := s.TakeRate(ctx, "votes", []byte("a"), nil, t0, time.Minute, time.Hour); err != nil || !ok {
			t.Fatalf("TakeRate: %v, %v", ok, err)
		}
		// a is full again at t0+2m, b at t0+1m.
		if n, err := s.PruneShared(ctx, t0.Add(time.Minute)); err != nil || n != 1 {
			t.Fatalf("PruneShared at t0+1m = %d, %v; want b alone", n, err)
		}
		if n, err := s.PruneShared(ctx, t0.Add(2*time.Minute)); err != nil || n != 1 {
			t.Fatalf("PruneShared at t0+2m = %d, %v; want a", n, err)
		}
	})
}
