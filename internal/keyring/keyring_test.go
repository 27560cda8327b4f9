package keyring

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

func TestClientKeysRotate(t *testing.T) {
	k := New()
	k.SetClientPeriod(24*time.Hour, time.Hour)
	alice, bob := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::1")
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	cur, prev := k.Client(alice, day.Add(10*time.Hour))
	if prev != nil {
		t.Fatal("a previous key before any rotation")
	}
	if again, _ := k.Client(alice, day.Add(23*time.Hour)); !bytes.Equal(again, cur) {
		t.Fatal("one client's hash changed within a period")
	}
	if other, _ := k.Client(bob, day.Add(10*time.Hour)); bytes.Equal(other, cur) {
		t.Fatal("two clients share a hash")
	}
	next, prevNow := k.Client(alice, day.Add(24*time.Hour+30*time.Minute))
	if bytes.Equal(next, cur) || !bytes.Equal(prevNow, cur) {
		t.Fatal("after the rotation: want a new hash, and the old one as prev during the grace")
	}
	if _, prev := k.Client(alice, day.Add(25*time.Hour)); prev != nil {
		t.Fatal("the previous key outlived its grace")
	}
	if _, prev := k.Client(alice, day.Add(24*time.Hour+10*time.Minute)); prev != nil {
		t.Fatal("a forgotten key came back")
	}
	if got, want := k.ClientKeyEnd(day.Add(10*time.Hour)), day.Add(25*time.Hour); !got.Equal(want) {
		t.Fatalf("ClientKeyEnd = %v, want %v", got, want)
	}
}

// mapSource is a SecretSource in a map, standing for the database that
// instances share (sqlstore's is tested on real databases in
// internal/sqlstore and internal/moderation).
type mapSource struct {
	secrets map[string][]byte
	expires map[string]time.Time
	calls   int
	fail    error
}

func newMapSource() *mapSource {
	return &mapSource{secrets: map[string][]byte{}, expires: map[string]time.Time{}}
}

func (m *mapSource) Secret(_ context.Context, name string, period int64, expires time.Time) ([]byte, error) {
	m.calls++
	if m.fail != nil {
		return nil, m.fail
	}
	id := fmt.Sprint(name, "/", period)
	if _, ok := m.secrets[id]; !ok {
		b := make([]byte, 32)
		rand.Read(b)
		m.secrets[id], m.expires[id] = b, expires
	}
	return m.secrets[id], nil
}

func TestSharedKeyrings(t *testing.T) {
	src := newMapSource()
	day := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	now := day.Add(10 * time.Hour)
	a, b := NewShared(src), NewShared(src)
	for _, k := range []*Ring{a, b} {
		if err := k.Refresh(t.Context(), now); err != nil {
			t.Fatal(err)
		}
	}
	// The KeyLife of days back, today and tomorrow; this client period and
	// the next.
	if want := 30 + 1 + 1 + 2; len(src.secrets) != want {
		t.Fatalf("%d secrets in the source, want %d", len(src.secrets), want)
	}
	if got, want := src.expires["day/"+fmt.Sprint(day.Unix()/86400)], day.Add(24*time.Hour+KeyLife); !got.Equal(want) {
		t.Errorf("today's key expires %v, want %v", got, want)
	}
	if got, want := src.expires[fmt.Sprint("client/24h0m0s/", day.Unix()/86400)], day.Add(25*time.Hour); !got.Equal(want) {
		t.Errorf("today's client secret expires %v, want %v", got, want)
	}
	alice := netip.MustParseAddr("192.0.2.1")
	old := chatpic.Post{ID: "p1", CreatedAt: now.Add(-20 * 24 * time.Hour)}
	if a.PosterID(old, alice, now) != b.PosterID(old, alice, now) {
		t.Error("poster IDs differ")
	}
	if !bytes.Equal(a.VoterKey(old, alice, now), b.VoterKey(old, alice, now)) {
		t.Error("voter keys differ")
	}
	if !b.TicketValid(old, a.Ticket(old, now), now) {
		t.Error("a ticket from one is not valid on the other")
	}
	if !bytes.Equal(a.SigningKey("pow", now, now), b.SigningKey("pow", now, now)) ||
		bytes.Equal(a.SigningKey("pow", now, now), a.SigningKey("other", now, now)) {
		t.Error("signing keys: differ between keyrings, or shared between purposes")
	}
	curA, _ := a.Client(alice, now)
	curB, _ := b.Client(alice, now)
	if !bytes.Equal(curA, curB) {
		t.Error("client keys differ")
	}

	// Loaded keys are not asked for again until a new day comes near.
	src.calls = 0
	if err := a.Refresh(t.Context(), now.Add(time.Hour)); err != nil || src.calls != 0 {
		t.Fatalf("a second Refresh asked the source %d times (%v), want none", src.calls, err)
	}
	// Past midnight: tomorrow is today, and the day after and the next
	// client period are loaded ahead.
	next := day.Add(24*time.Hour + 5*time.Minute)
	if err := a.Refresh(t.Context(), next); err != nil || src.calls != 2 {
		t.Fatalf("Refresh after midnight asked %d times (%v), want 2", src.calls, err)
	}
	if err := b.Refresh(t.Context(), next); err != nil {
		t.Fatal(err)
	}
	nextA, prevA := a.Client(alice, next)
	nextB, prevB := b.Client(alice, next)
	if !bytes.Equal(nextA, nextB) || bytes.Equal(nextA, curA) || !bytes.Equal(prevA, curA) || !bytes.Equal(prevB, curA) {
		t.Error("after the rotation: want one new key on both, and the old one as prev")
	}
}

func TestSharedKeyringStopgap(t *testing.T) {
	src := newMapSource()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	a, b := NewShared(src), NewShared(src)
	if err := b.Refresh(t.Context(), now); err != nil {
		t.Fatal(err)
	}
	p := chatpic.Post{ID: "p1", CreatedAt: now}
	alice := netip.MustParseAddr("192.0.2.1")
	// a was never refreshed: its keys are its own for now.
	if a.PosterID(p, alice, now) == b.PosterID(p, alice, now) {
		t.Fatal("a keyring that never loaded the shared keys agrees with one that did")
	}
	src.fail = errors.New("the database is away")
	err := a.Refresh(t.Context(), now)
	if err == nil || !errors.Is(err, src.fail) {
		t.Fatalf("Refresh with a failing source = %v", err)
	}
	src.fail = nil
	if err := a.Refresh(t.Context(), now); err != nil {
		t.Fatal(err)
	}
	if a.PosterID(p, alice, now) != b.PosterID(p, alice, now) {
		t.Fatal("Refresh did not replace the stopgap keys with the shared ones")
	}
	cur, _ := a.Client(alice, now)
	if other, _ := b.Client(alice, now); !bytes.Equal(cur, other) {
		t.Fatal("Refresh did not replace the stopgap client secret")
	}
}

func TestRefreshWithoutSource(t *testing.T) {
	k := New()
	if err := k.Refresh(t.Context(), time.Now()); err != nil {
		t.Fatal(err)
	}
	if len(k.days) != 0 || len(k.clients) != 0 {
		t.Fatal("Refresh made keys for a keyring without a source")
	}
}
