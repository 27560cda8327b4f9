package chatpic

import (
	"bytes"
	"net/netip"
	"testing"
	"time"
)

func TestClientKeysRotate(t *testing.T) {
	k := NewKeyring()
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
