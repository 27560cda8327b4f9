package chatpic

import (
	"strings"
	"testing"
	"time"
)

func TestShareID(t *testing.T) {
	expires := time.Date(2026, 11, 23, 12, 15, 0, 0, time.UTC)
	id := NewShareID(expires)
	if got, ok := ParseShareID(id); !ok || !got.Equal(expires) {
		t.Fatalf("ParseShareID(%q) = %v, %v; want %v", id, got, ok, expires)
	}
	if id == NewShareID(expires) {
		t.Error("two share IDs are the same")
	}
	random := strings.SplitN(id, "-", 2)[1]
	key := ShareKey(id)
	if got, ok := ParseShareID(strings.TrimPrefix(key, SharePrefix)); !strings.HasPrefix(key, SharePrefix) || !ok || !got.Equal(expires) {
		t.Errorf("ShareKey = %q: its expiry reads as %v, %v; want %v", key, got, ok, expires)
	}
	if strings.Contains(key, random) || key == ShareKey(NewShareID(expires)) {
		t.Errorf("ShareKey = %q carries the ID's random part, or is not its own", key)
	}
	for _, bad := range []string{
		"", "-" + random, "abc-" + random, "+1-" + random, "01-" + random, "1234567890123-" + random,
		"1764000000", "1764000000-", "1764000000-short", "1764000000-" + random + "x",
		"1764000000-" + random[:21] + "/", "1764000000-" + random[:21] + ".",
	} {
		if _, ok := ParseShareID(bad); ok {
			t.Errorf("ParseShareID(%q) accepted it", bad)
		}
	}
}
