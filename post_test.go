package chatpic

import (
	"strings"
	"testing"
	"time"
)

func TestPostExpired(t *testing.T) {
	at := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		expiresAt time.Time
		now       time.Time
		want      bool
	}{
		{"no expiry, long after", time.Time{}, at.Add(100 * 365 * 24 * time.Hour), false},
		{"no expiry, zero now", time.Time{}, time.Time{}, false},
		{"a nanosecond before", at, at.Add(-time.Nanosecond), false},
		{"at exactly ExpiresAt", at, at, true},
		{"a nanosecond after", at, at.Add(time.Nanosecond), true},
		{"same instant in another zone", at, at.In(time.FixedZone("UTC+2", 2*3600)), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := Post{ExpiresAt: tt.expiresAt}
			if got := p.Expired(tt.now); got != tt.want {
				t.Errorf("Post{ExpiresAt: %v}.Expired(%v) = %v, want %v", tt.expiresAt, tt.now, got, tt.want)
			}
		})
	}
}

func TestPostKeys(t *testing.T) {
	p := Post{ID: "abcdefghijklmnop", Item: Item{Ext: "jpg", ThumbExt: "webp"}}
	if got, want := p.MediaKey(), "media/abcdefghijklmnop.jpg"; got != want {
		t.Errorf("MediaKey() = %q, want %q", got, want)
	}
	if got, want := p.ThumbKey(), "thumb/abcdefghijklmnop.webp"; got != want {
		t.Errorf("ThumbKey() = %q, want %q", got, want)
	}
	if p.MediaKey() == p.ThumbKey() {
		t.Error("media and thumbnail share a key")
	}
}

func TestGoneReasonExplain(t *testing.T) {
	reasons := []GoneReason{ReasonEvicted, ReasonExpired, ReasonDeleted, ReasonRemoved, ReasonLost}
	fallback := GoneReason("no-such-reason").Explain()
	if fallback == "" {
		t.Error("Explain() of an unknown reason is empty")
	}
	seen := map[string]GoneReason{}
	for _, r := range reasons {
		t.Run(string(r), func(t *testing.T) {
			got := r.Explain()
			if got == "" {
				t.Fatal("Explain() is empty")
			}
			if got == fallback {
				t.Errorf("Explain() = %q, the same as for an unknown reason", got)
			}
			if other, ok := seen[got]; ok {
				t.Errorf("Explain() = %q, the same as for %q", got, other)
			}
			seen[got] = r
		})
	}
}

func TestCleanCaption(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want string
		ok   bool
	}{
		{"empty", "", "", true},
		{"plain", "a cat", "a cat", true},
		{"trims spaces and newlines", "  \n a cat \t\n ", "a cat", true},
		{"CRLF becomes LF", "line one\r\nline two", "line one\nline two", true},
		{"inner newline and tab kept", "a\tb\nc", "a\tb\nc", true},
		{"500 ASCII characters", strings.Repeat("a", 500), strings.Repeat("a", 500), true},
		{"500 two-byte runes", strings.Repeat("é", 500), strings.Repeat("é", 500), true},
		{"500 four-byte runes", strings.Repeat("😀", 500), strings.Repeat("😀", 500), true},
		{"500 after trimming", "  " + strings.Repeat("a", 500) + "\n", strings.Repeat("a", 500), true},
		{"500 after CRLF folding", strings.Repeat("a\r\n", 250), strings.TrimSpace(strings.Repeat("a\n", 250)), true},
		{"501 ASCII characters", strings.Repeat("a", 501), "", false},
		{"501 two-byte runes", strings.Repeat("é", 501), "", false},
		{"NUL", "a\x00b", "", false},
		{"bell", "a\ab", "", false},
		{"escape", "a\x1b[31mred", "", false},
		{"DEL", "a\x7fb", "", false},
		{"lone carriage return", "a\rb", "", false},
		{"C1 control NEL", "a\u0085b", "", false},
		{"C1 control CSI", "a\u009b31mred", "", false},
		{"C1 control APC, the last", "a\u009fb", "", false},
		{"no-break space after the C1 range", "a\u00a0b", "a\u00a0b", true},
		{"invalid UTF-8", "a\xffb", "", false},
		{"truncated UTF-8 sequence", "caf\xc3", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := CleanCaption(tt.in)
			if tt.ok {
				if err != nil || got != tt.want {
					t.Errorf("CleanCaption(%q) = %q, %v; want %q, nil", tt.in, got, err, tt.want)
				}
				return
			}
			if ErrorKind(err) != KindInvalid {
				t.Errorf("CleanCaption(%q) = %q, %v; want a %q error", tt.in, got, err, KindInvalid)
			}
			if got != "" {
				t.Errorf("CleanCaption(%q) returned %q with its error, want \"\"", tt.in, got)
			}
		})
	}
}
