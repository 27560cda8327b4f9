package chatpic

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on channel fields.
const (
	MaxChannelCapacity = 100_000
	MaxTitleLen        = 80
	MaxDescriptionLen  = 300
	MaxTTL             = 365 * 24 * time.Hour
	MinTTL             = time.Minute
)

// Channel is a topic that uploads are posted into. It keeps its newest
// Capacity uploads and, if TTL is set, forgets each upload TTL after it
// arrived.
type Channel struct {
	Slug        string
	Title       string
	Description string
	Capacity    int
	TTL         time.Duration // 0: uploads do not expire
	NSFW        bool
	CreatedAt   time.Time
	// ReportThreshold is how many distinct reporters hide an upload or a
	// comment for reasons that do not hide at once; 0 means
	// DefaultReportThreshold.
	ReportThreshold int
	Premod          Premod    // "" means PremodOff
	Challenge       Challenge // "" means ChallengeAuto
	// Locked channels are read-only: no uploads, comments or votes.
	Locked bool
	// MaxFiles is the most files one upload may carry (an album); 0 means
	// the default, MaxFiles, and 1 allows no albums.
	MaxFiles int
}

// FileLimit returns the most files one upload to the channel may carry,
// with the default applied.
func (c Channel) FileLimit() int {
	if c.MaxFiles <= 0 {
		return MaxFiles
	}
	return c.MaxFiles
}

// DefaultReportThreshold is how many distinct reporters with a reason that
// does not hide at once hide an upload or comment.
const DefaultReportThreshold = 3

// MaxReportThreshold bounds Channel.ReportThreshold.
const MaxReportThreshold = 1000

// Threshold returns the channel's report threshold, with the default
// applied.
func (c Channel) Threshold() int {
	if c.ReportThreshold <= 0 {
		return DefaultReportThreshold
	}
	return c.ReportThreshold
}

// Moderation returns the channel's pre-moderation setting, with the
// default applied.
func (c Channel) Moderation() Premod {
	if c.Premod == "" {
		return PremodOff
	}
	return c.Premod
}

// ChallengeMode returns the channel's challenge setting, with the default
// applied.
func (c Channel) ChallengeMode() Challenge {
	if c.Challenge == "" {
		return ChallengeAuto
	}
	return c.Challenge
}

// Premod says what in a channel waits for a moderator before it is shown.
type Premod string

// The pre-moderation settings.
const (
	PremodOff   Premod = "off"   // nothing waits
	PremodMedia Premod = "media" // uploads wait
	PremodAll   Premod = "all"   // uploads and comments wait
)

// ParsePremod returns the setting named s, or a KindInvalid error.
func ParsePremod(s string) (Premod, error) {
	switch p := Premod(s); p {
	case PremodOff, PremodMedia, PremodAll:
		return p, nil
	}
	return "", Errorf(KindInvalid, "pre-moderation is off, media or all")
}

// Challenge says when uploads and comments into a channel must carry a
// proof-of-work solution.
type Challenge string

// The challenge settings.
const (
	ChallengeAuto   Challenge = "auto"   // when uploads surge past the flood threshold
	ChallengeAlways Challenge = "always" // always (an operator forced it)
	ChallengeOff    Challenge = "off"    // never
)

// ParseChallenge returns the setting named s, or a KindInvalid error.
func ParseChallenge(s string) (Challenge, error) {
	switch c := Challenge(s); c {
	case ChallengeAuto, ChallengeAlways, ChallengeOff:
		return c, nil
	}
	return "", Errorf(KindInvalid, "the challenge setting is auto, always or off")
}

// ChannelStats is a channel with what is in it now.
type ChannelStats struct {
	Channel
	Count      int       // visible uploads
	LastPostAt time.Time // zero if the channel has no visible upload
	// Forecast is how long an upload made now is likely to stay (see the
	// function Forecast); ForecastKnown is false while that cannot be told.
	Forecast      time.Duration
	ForecastKnown bool
}

// DefaultCapacity is the capacity of the seeded channels.
const DefaultCapacity = 100

// DefaultChannels returns the channels seeded on first start.
func DefaultChannels() []Channel {
	return []Channel{
		{Slug: "photography", Title: "Photography", Description: "Pictures you took and are proud of.", Capacity: DefaultCapacity},
		{Slug: "entertainment", Title: "Entertainment", Description: "Film, TV, music and the people in them.", Capacity: DefaultCapacity},
		{Slug: "gaming", Title: "Gaming", Description: "Screenshots, clips and fan art.", Capacity: DefaultCapacity},
		{Slug: "politics", Title: "Politics", Description: "Posters, cartoons and the news in pictures.", Capacity: DefaultCapacity},
		{Slug: "memes", Title: "Memes", Description: "The funniest thing you saw today.", Capacity: DefaultCapacity},
		{Slug: "random", Title: "Random", Description: "Anything that fits nowhere else.", Capacity: DefaultCapacity},
		{Slug: "flash", Title: "Flash", Description: "Here for an hour, then gone.", Capacity: DefaultCapacity, TTL: time.Hour},
	}
}

// ValidateSlug returns a KindInvalid error unless s is 1 to 32 lower-case
// letters, digits and inner hyphens.
func ValidateSlug(s string) error {
	if s == "" || len(s) > 32 {
		return Errorf(KindInvalid, "a channel name is 1 to 32 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9':
		case c == '-' && i > 0 && i < len(s)-1:
		default:
			return Errorf(KindInvalid, "a channel name uses only a-z, 0-9 and inner hyphens")
		}
	}
	return nil
}

// Validate returns a KindInvalid error describing the first rule c breaks.
func (c Channel) Validate() error {
	if err := ValidateSlug(c.Slug); err != nil {
		return err
	}
	if strings.TrimSpace(c.Title) == "" || utf8.RuneCountInString(c.Title) > MaxTitleLen {
		return Errorf(KindInvalid, "a channel title is 1 to %d characters", MaxTitleLen)
	}
	if !utf8.ValidString(c.Title) || !utf8.ValidString(c.Description) {
		return Errorf(KindInvalid, "channel text must be UTF-8")
	}
	if utf8.RuneCountInString(c.Description) > MaxDescriptionLen {
		return Errorf(KindInvalid, "a channel description is at most %d characters", MaxDescriptionLen)
	}
	if c.Capacity < 1 || c.Capacity > MaxChannelCapacity {
		return Errorf(KindInvalid, "a channel keeps between 1 and %d uploads", MaxChannelCapacity)
	}
	if c.TTL != 0 && (c.TTL < MinTTL || c.TTL > MaxTTL) {
		return Errorf(KindInvalid, "a channel's time to live is between %s and %s (or none)", MinTTL, MaxTTL)
	}
	if c.ReportThreshold < 0 || c.ReportThreshold > MaxReportThreshold {
		return Errorf(KindInvalid, "a channel's report threshold is between 1 and %d", MaxReportThreshold)
	}
	if c.MaxFiles < 0 || c.MaxFiles > MaxFiles {
		return Errorf(KindInvalid, "an upload to a channel carries between 1 and %d files", MaxFiles)
	}
	if _, err := ParsePremod(string(c.Moderation())); err != nil {
		return err
	}
	if _, err := ParseChallenge(string(c.ChallengeMode())); err != nil {
		return err
	}
	return nil
}

// Rule describes in plain words what the channel keeps, e.g. "keeps the
// newest 100" or "keeps the newest 100; uploads vanish after 1 hour".
func (c Channel) Rule() string {
	keep := fmt.Sprintf("keeps the newest %d", c.Capacity)
	if c.TTL == 0 {
		return keep
	}
	return keep + "; uploads vanish after " + FormatDuration(c.TTL)
}

// ExpiresAt returns when an upload posted at t expires, or the zero time if
// uploads in c do not expire.
func (c Channel) ExpiresAt(t time.Time) time.Time {
	if c.TTL == 0 {
		return time.Time{}
	}
	return t.Add(c.TTL)
}

// Bounds on the time an uploader may ask an upload to stay (expires_in).
const (
	MinExpiresIn = time.Minute
	MaxExpiresIn = 30 * 24 * time.Hour
)

// ValidateExpiresIn returns a KindInvalid error unless d, a time an
// uploader asks an upload to stay, is 0 (no wish) or within MinExpiresIn
// and MaxExpiresIn.
func ValidateExpiresIn(d time.Duration) error {
	if d != 0 && (d < MinExpiresIn || d > MaxExpiresIn) {
		return Errorf(KindInvalid, "expires_in is between %s and %s", MinExpiresIn, MaxExpiresIn)
	}
	return nil
}

// ExpiresAtFor returns when an upload posted at t into c expires when its
// uploader asked it to stay at most expiresIn (0: no wish): the sooner of
// the channel's rule and the wish, never later than the rule. The zero time
// means never.
func (c Channel) ExpiresAtFor(t time.Time, expiresIn time.Duration) time.Time {
	rule := c.ExpiresAt(t)
	if expiresIn <= 0 {
		return rule
	}
	wish := t.Add(expiresIn)
	if rule.IsZero() || wish.Before(rule) {
		return wish
	}
	return rule
}
