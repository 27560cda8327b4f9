package pow

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"
)

// mapSpent is a SpentStore in a map, standing for a database that several
// Issuers share (sqlstore's is tested against real databases there and in
// internal/moderation).
type mapSpent struct {
	mu   sync.Mutex
	macs map[string]time.Time
}

func (m *mapSpent) SpendChallenge(_ context.Context, mac []byte, expires time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.macs[string(mac)]; ok {
		return false, nil
	}
	m.macs[string(mac)] = expires
	return true, nil
}

// dailyKey is a Key that changes every UTC day, as one derived from the
// keyring.Ring's day keys does.
func dailyKey(issued time.Time) []byte {
	k := sha256.Sum256([]byte("day " + issued.UTC().Format(time.DateOnly)))
	return k[:]
}

func TestSharedIssuers(t *testing.T) {
	spent := &mapSpent{macs: map[string]time.Time{}}
	clk := &clock{t: time.Date(2025, 6, 1, 23, 59, 59, 500_000_000, time.UTC)}
	a := New(Config{Key: dailyKey, Spent: spent, Now: clk.now})
	b := New(Config{Key: dailyKey, Spent: spent, Now: clk.now})
	c := a.Issue("s", 4)
	sol := Solve(c.Token, 4)

	clk.t = clk.t.Add(5 * time.Minute) // the next day: the key of the day it was issued still signs it
	if err := b.Verify(t.Context(), "s", c.Token, sol); err != nil {
		t.Fatalf("a challenge from A on B, the next day: %v", err)
	}
	checkErr(t, a.Verify(t.Context(), "s", c.Token, sol), errReplayed, msgUsed)
	checkErr(t, b.Verify(t.Context(), "s", c.Token, sol), errReplayed, msgUsed)

	other := New(Config{Key: func(time.Time) []byte { return []byte("another site") }, Spent: spent, Now: clk.now})
	d := a.Issue("s", 4)
	checkErr(t, other.Verify(t.Context(), "s", d.Token, Solve(d.Token, 4)), errSignature, msgInvalid)
}

func TestFutureTokenRefused(t *testing.T) {
	var asked []time.Time
	key := func(issued time.Time) []byte {
		asked = append(asked, issued)
		return dailyKey(issued)
	}
	clk := &clock{t: t0.Add(3 * time.Hour)}
	iss := New(Config{Key: key, Now: clk.now})
	c := iss.Issue("s", 2)
	// The same challenge seen by an instance whose clock is behind: within
	// the allowed skew it verifies, past it no key is even looked up.
	clk.t = t0.Add(3*time.Hour - maxSkew)
	if err := iss.Verify(t.Context(), "s", c.Token, Solve(c.Token, 2)); err != nil {
		t.Fatalf("within the skew: %v", err)
	}
	c = iss.Issue("s", 2)
	clk.t = clk.t.Add(-time.Second - maxSkew)
	asked = nil
	checkErr(t, iss.Verify(t.Context(), "s", c.Token, Solve(c.Token, 2)), errSignature, msgInvalid)
	if len(asked) != 0 {
		t.Errorf("a key was looked up for a challenge from the future: %v", asked)
	}
}
