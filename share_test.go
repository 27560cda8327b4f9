package chatpic

import (
	"strings"
	"testing"
	"time"
)

func TestShareID(t *testing.T) {
	expires := time.Date(2026, 11, 23, 12, 15, 0, 0, time.UTC)
	for _, files := range []int{1, 2, MaxFiles} {
		id := NewShareID(expires, files)
		if got, n, ok := ParseShareID(id); !ok || !got.Equal(expires) || n != files {
			t.Fatalf("ParseShareID(%q) = %v, %d, %v; want %v, %d", id, got, n, ok, expires, files)
		}
		if id == NewShareID(expires, files) {
			t.Error("two share IDs are the same")
		}
		random, _, _ := strings.Cut(strings.SplitN(id, "-", 2)[1], ".")
		seen := map[string]bool{}
		for n := 1; n <= files; n++ {
			key := ShareKey(id, n)
			if got, ok := ShareKeyExpiry(key); !strings.HasPrefix(key, SharePrefix) || !ok || !got.Equal(expires) {
				t.Errorf("ShareKey(%d) = %q: its expiry reads as %v, %v; want %v", n, key, got, ok, expires)
			}
			if strings.Contains(key, random) || seen[key] {
				t.Errorf("ShareKey(%d) = %q carries the ID's random part, or is not its own", n, key)
			}
			seen[key] = true
		}
		if key := ShareKey(id, 1); key == ShareKey(NewShareID(expires, files), 1) {
			t.Errorf("two shares have the key %q", key)
		}
	}
	random := strings.SplitN(NewShareID(expires, 1), "-", 2)[1]
	for _, bad := range []string{
		"", "-" + random, "abc-" + random, "+1-" + random, "01-" + random, "1234567890123-" + random,
		"1764000000", "1764000000-", "1764000000-short", "1764000000-" + random + "x",
		"1764000000-" + random[:21] + "/", "1764000000-" + random[:21] + ".",
		"1764000000-" + random + ".1", "1764000000-" + random + ".11", "1764000000-" + random + ".02",
		"1764000000-" + random + ".", "1764000000-" + random + ".x",
	} {
		if _, _, ok := ParseShareID(bad); ok {
			t.Errorf("ParseShareID(%q) accepted it", bad)
		}
	}
	for _, bad := range []string{"", "media/1764000000-" + random, SharePrefix + "1764000000-" + random + ".1", SharePrefix + "junk"} {
		if _, ok := ShareKeyExpiry(bad); ok {
			t.Errorf("ShareKeyExpiry(%q) accepted it", bad)
		}
	}
}
