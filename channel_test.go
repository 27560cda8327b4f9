package chatpic

import (
	"strings"
	"testing"
	"time"
)

func TestValidateSlug(t *testing.T) {
	tests := []struct {
		name string
		in   string
		ok   bool
	}{
		{"single letter", "a", true},
		{"single digit", "7", true},
		{"word", "photography", true},
		{"inner hyphen", "cat-pics", true},
		{"digits and hyphens", "2024-q1-memes", true},
		{"32 characters", strings.Repeat("a", 32), true},
		{"empty", "", false},
		{"33 characters", strings.Repeat("a", 33), false},
		{"upper case", "Memes", false},
		{"leading hyphen", "-memes", false},
		{"trailing hyphen", "memes-", false},
		{"lone hyphen", "-", false},
		{"underscore", "cat_pics", false},
		{"space", "cat pics", false},
		{"dot", "cat.pics", false},
		{"slash", "cat/pics", false},
		{"non-ASCII letter", "café", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateSlug(tt.in)
			if tt.ok {
				if err != nil {
					t.Errorf("ValidateSlug(%q) = %v, want nil", tt.in, err)
				}
				return
			}
			if ErrorKind(err) != KindInvalid {
				t.Errorf("ValidateSlug(%q) = %v (kind %q), want a %q error", tt.in, err, ErrorKind(err), KindInvalid)
			}
		})
	}
}

func validChannel() Channel {
	return Channel{Slug: "memes", Title: "Memes", Description: "Funny.", Capacity: 100}
}

func TestChannelValidate(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Channel)
		ok      bool
		message string // a part of the error message, when !ok
	}{
		{"valid", func(*Channel) {}, true, ""},
		{"empty description", func(c *Channel) { c.Description = "" }, true, ""},
		{"title of 80 multi-byte characters", func(c *Channel) { c.Title = strings.Repeat("é", MaxTitleLen) }, true, ""},
		{"description of 300 multi-byte characters", func(c *Channel) { c.Description = strings.Repeat("日", MaxDescriptionLen) }, true, ""},
		{"capacity 1", func(c *Channel) { c.Capacity = 1 }, true, ""},
		{"capacity at the maximum", func(c *Channel) { c.Capacity = MaxChannelCapacity }, true, ""},
		{"TTL at the minimum", func(c *Channel) { c.TTL = MinTTL }, true, ""},
		{"TTL at the maximum", func(c *Channel) { c.TTL = MaxTTL }, true, ""},
		{"bad slug", func(c *Channel) { c.Slug = "Bad Slug" }, false, "channel name"},
		{"empty slug", func(c *Channel) { c.Slug = "" }, false, "channel name"},
		{"empty title", func(c *Channel) { c.Title = "" }, false, "title"},
		{"blank title", func(c *Channel) { c.Title = " \t\n" }, false, "title"},
		{"title of 81 characters", func(c *Channel) { c.Title = strings.Repeat("a", MaxTitleLen+1) }, false, "title"},
		{"title not UTF-8", func(c *Channel) { c.Title = "Mem\xffes" }, false, "UTF-8"},
		{"description not UTF-8", func(c *Channel) { c.Description = "\xc3\x28" }, false, "UTF-8"},
		{"description of 301 characters", func(c *Channel) { c.Description = strings.Repeat("a", MaxDescriptionLen+1) }, false, "description"},
		{"capacity 0", func(c *Channel) { c.Capacity = 0 }, false, "uploads"},
		{"negative capacity", func(c *Channel) { c.Capacity = -1 }, false, "uploads"},
		{"capacity over the maximum", func(c *Channel) { c.Capacity = MaxChannelCapacity + 1 }, false, "uploads"},
		{"TTL under the minimum", func(c *Channel) { c.TTL = MinTTL - time.Second }, false, "time to live"},
		{"TTL over the maximum", func(c *Channel) { c.TTL = MaxTTL + time.Second }, false, "time to live"},
		{"negative TTL", func(c *Channel) { c.TTL = -time.Hour }, false, "time to live"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := validChannel()
			tt.edit(&c)
			err := c.Validate()
			if tt.ok {
				if err != nil {
					t.Errorf("Validate() = %v, want nil", err)
				}
				return
			}
			if ErrorKind(err) != KindInvalid {
				t.Fatalf("Validate() = %v (kind %q), want a %q error", err, ErrorKind(err), KindInvalid)
			}
			if msg := ErrorMessage(err); !strings.Contains(msg, tt.message) {
				t.Errorf("Validate() message %q does not mention %q", msg, tt.message)
			}
		})
	}
}

func TestChannelRule(t *testing.T) {
	tests := []struct {
		name     string
		capacity int
		ttl      time.Duration
		want     string
	}{
		{"no TTL", 100, 0, "keeps the newest 100"},
		{"one hour", 100, time.Hour, "keeps the newest 100; uploads vanish after 1 hour"},
		{"90 minutes", 50, 90 * time.Minute, "keeps the newest 50; uploads vanish after 90 minutes"},
		{"two days", 1000, 48 * time.Hour, "keeps the newest 1000; uploads vanish after 2 days"},
		{"capacity one", 1, 0, "keeps the newest 1"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := Channel{Capacity: tt.capacity, TTL: tt.ttl}
			if got := c.Rule(); got != tt.want {
				t.Errorf("Rule() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestChannelExpiresAt(t *testing.T) {
	posted := time.Date(2025, 3, 30, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		name string
		ttl  time.Duration
		want time.Time
	}{
		{"no TTL never expires", 0, time.Time{}},
		{"one hour crosses midnight", time.Hour, time.Date(2025, 3, 31, 0, 30, 0, 0, time.UTC)},
		{"seven days", 7 * 24 * time.Hour, time.Date(2025, 4, 6, 23, 30, 0, 0, time.UTC)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Channel{TTL: tt.ttl}.ExpiresAt(posted)
			if !got.Equal(tt.want) || got.IsZero() != tt.want.IsZero() {
				t.Errorf("ExpiresAt(%v) = %v, want %v", posted, got, tt.want)
			}
		})
	}
}

func TestDefaultChannels(t *testing.T) {
	want := []struct {
		slug string
		ttl  time.Duration
	}{
		{"photography", 0},
		{"entertainment", 0},
		{"gaming", 0},
		{"politics", 0},
		{"memes", 0},
		{"random", 0},
		{"flash", time.Hour},
	}
	got := DefaultChannels()
	if len(got) != len(want) {
		t.Fatalf("DefaultChannels() has %d channels, want %d", len(got), len(want))
	}
	for i, w := range want {
		c := got[i]
		t.Run(w.slug, func(t *testing.T) {
			if c.Slug != w.slug {
				t.Errorf("channel %d is %q, want %q", i, c.Slug, w.slug)
			}
			if c.Capacity != DefaultCapacity || DefaultCapacity != 100 {
				t.Errorf("capacity = %d, want 100", c.Capacity)
			}
			if c.TTL != w.ttl {
				t.Errorf("TTL = %v, want %v", c.TTL, w.ttl)
			}
			if c.NSFW {
				t.Error("seeded channel is NSFW")
			}
			if err := c.Validate(); err != nil {
				t.Errorf("Validate() = %v", err)
			}
		})
	}
	// Callers may edit what they get; the next call must not see it.
	got[0].Slug = "changed"
	if DefaultChannels()[0].Slug != "photography" {
		t.Error("DefaultChannels() shares its slice between calls")
	}
}

func TestExpiresAtFor(t *testing.T) {
	at := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	keep := Channel{Capacity: 10}
	flash := Channel{Capacity: 10, TTL: time.Hour}
	tests := []struct {
		name string
		ch   Channel
		wish time.Duration
		want time.Time
	}{
		{"no rule, no wish: never", keep, 0, time.Time{}},
		{"no rule, a wish", keep, 10 * time.Minute, at.Add(10 * time.Minute)},
		{"a rule, no wish", flash, 0, at.Add(time.Hour)},
		{"a wish sooner than the rule", flash, 10 * time.Minute, at.Add(10 * time.Minute)},
		{"a wish later than the rule is cut to it", flash, 7 * 24 * time.Hour, at.Add(time.Hour)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.ch.ExpiresAtFor(at, tt.wish); !got.Equal(tt.want) {
				t.Fatalf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestValidateExpiresIn(t *testing.T) {
	tests := []struct {
		d  time.Duration
		ok bool
	}{
		{0, true}, {time.Minute, true}, {7 * 24 * time.Hour, true}, {30 * 24 * time.Hour, true},
		{59 * time.Second, false}, {31 * 24 * time.Hour, false}, {-time.Hour, false},
	}
	for _, tt := range tests {
		if err := ValidateExpiresIn(tt.d); (err == nil) != tt.ok || (err != nil && ErrorKind(err) != KindInvalid) {
			t.Errorf("ValidateExpiresIn(%v) = %v, want ok=%v", tt.d, err, tt.ok)
		}
	}
}
