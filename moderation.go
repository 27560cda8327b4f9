package chatpic

import (
	"strings"
	"time"
	"unicode/utf8"
)

// ReportReason says why someone reports an upload or a comment. The values
// are part of the API contract.
type ReportReason string

// The reasons a report can give.
const (
	ReasonNCII    ReportReason = "ncii"    // a private image of the reporter shared without consent
	ReasonIllegal ReportReason = "illegal" // illegal content
	ReasonSpam    ReportReason = "spam"
	ReasonOther   ReportReason = "other"
)

// ReportReasons lists the reasons, most serious first.
var ReportReasons = []ReportReason{ReasonNCII, ReasonIllegal, ReasonSpam, ReasonOther}

// Severity ranks r: higher is more serious; 0 for an unknown reason.
func (r ReportReason) Severity() int {
	switch r {
	case ReasonNCII:
		return 4
	case ReasonIllegal:
		return 3
	case ReasonSpam:
		return 2
	case ReasonOther:
		return 1
	}
	return 0
}

// HidesAtOnce reports whether a single report with reason r hides its target
// until a moderator has looked at it.
func (r ReportReason) HidesAtOnce() bool { return r == ReasonNCII || r == ReasonIllegal }

// Label is a short description of r for people.
func (r ReportReason) Label() string {
	switch r {
	case ReasonNCII:
		return "a private image of me, shared without my consent"
	case ReasonIllegal:
		return "illegal content"
	case ReasonSpam:
		return "spam"
	case ReasonOther:
		return "something else"
	}
	return string(r)
}

// ParseReportReason returns the reason named s, or a KindInvalid error.
func ParseReportReason(s string) (ReportReason, error) {
	r := ReportReason(s)
	if r.Severity() == 0 {
		return "", Errorf(KindInvalid, "the reason is one of ncii, illegal, spam or other")
	}
	return r, nil
}

// MaxReportNote is the longest note a report may carry, in characters.
const MaxReportNote = 1000

// CleanNote trims a report's or a moderator's note and returns a KindInvalid
// error if it is longer than max characters, not UTF-8, or holds control
// characters other than newlines and tabs.
func CleanNote(s string, max int) (string, error) {
	if !utf8.ValidString(s) {
		return "", Errorf(KindInvalid, "the note must be UTF-8 text")
	}
	s = strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
	for _, r := range s {
		if r < 0x20 && r != '\n' && r != '\t' || r >= 0x7f && r <= 0x9f {
			return "", Errorf(KindInvalid, "the note holds control characters")
		}
	}
	if n := utf8.RuneCountInString(s); n > max {
		return "", Errorf(KindInvalid, "the note is limited to %d characters (this one has %d)", max, n)
	}
	return s, nil
}

// Report is one person's report of an upload or of a comment on it.
type Report struct {
	PostID    string
	CommentID string // "" when the upload itself is reported
	Reason    ReportReason
	Note      string
	// Reporter is a keyed hash standing for the reporter (see keyring.Ring):
	// one client's reports of one thing count once.
	Reporter  []byte
	CreatedAt time.Time
}

// Status is where an upload or a comment stands with moderation. The values
// are part of the API contract.
type Status string

// The statuses.
const (
	StatusVisible Status = "visible" // shown to everyone
	StatusHidden  Status = "hidden"  // hidden by reports until a moderator looks
	StatusPending Status = "pending" // waiting for a moderator's approval (pre-moderation)
	StatusRemoved Status = "removed" // a comment a moderator removed; its number stays
)

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

// DefaultReportThreshold is how many distinct reporters with a reason that
// does not hide at once hide an upload or comment.
const DefaultReportThreshold = 3

// Moderator is a person with an account who reviews reports. Admins also
// manage moderators and channel settings.
type Moderator struct {
	Name      string
	Admin     bool
	CreatedAt time.Time
}

// ValidateModeratorName returns a KindInvalid error unless s is 1 to 32
// letters, digits, '.', '_' or '-'.
func ValidateModeratorName(s string) error {
	if s == "" || len(s) > 32 {
		return Errorf(KindInvalid, "a moderator name is 1 to 32 characters")
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return Errorf(KindInvalid, "a moderator name uses only letters, digits, '.', '_' and '-'")
		}
	}
	return nil
}

// Password bounds.
const (
	MinPasswordLen = 10
	MaxPasswordLen = 256
)

// ValidatePassword returns a KindInvalid error unless s is a usable
// moderator password.
func ValidatePassword(s string) error {
	n := utf8.RuneCountInString(s)
	if n < MinPasswordLen {
		return Errorf(KindInvalid, "a password is at least %d characters", MinPasswordLen)
	}
	if len(s) > MaxPasswordLen {
		return Errorf(KindInvalid, "a password is at most %d bytes", MaxPasswordLen)
	}
	return nil
}

// AuditEntry records one moderation action: who did what to which thing,
// when, and why.
type AuditEntry struct {
	ID        int64
	At        time.Time
	Moderator string // "" for the command line
	Action    string // e.g. "remove_post", "restore_comment", "lock_channel"
	Target    string // the post ID, comment ID, channel slug or moderator name
	Reason    string // the reason the moderator stated
	// Category is the report reason a removal falls under, "" otherwise;
	// the transparency page counts removals by it.
	Category ReportReason
}

// HashKind says what a banned hash is a hash of.
type HashKind string

// The kinds of banned hashes.
const (
	HashSHA256 HashKind = "sha256" // the exact bytes of a file
	HashPDQ    HashKind = "pdq"    // the PDQ perceptual hash of a picture
)

// HashBan is a hash whose pictures may not be uploaded.
type HashBan struct {
	ID        int64
	Kind      HashKind
	Hash      []byte // 32 bytes for both kinds
	Note      string
	Source    string // "removal" (a moderator removed with a ban) or "import"
	CreatedAt time.Time
}

// QueueItem is an upload or a comment waiting for a moderator.
type QueueItem struct {
	Post    Post
	Comment *Comment // nil when the upload itself is the item
	Status  Status
	// Reports counts the open reports by reason.
	Reports map[ReportReason]int
	Notes   []string // the reports' notes, newest first
	// Severity is that of the most serious open report, or 0.
	Severity     int
	LastReportAt time.Time
}

// ReportCount is the number of open reports on the item.
func (q QueueItem) ReportCount() int {
	n := 0
	for _, c := range q.Reports {
		n += c
	}
	return n
}

// Month is what the transparency page shows for one calendar month (UTC).
type Month struct {
	Month    string // "2026-11"
	Reports  map[ReportReason]int
	Removals map[ReportReason]int
	// MedianReview is the median time from a report to a moderator's
	// decision on it; Reviewed counts the reports decided.
	MedianReview time.Duration
	Reviewed     int
	HashBans     int // hashes banned by removals
	Imported     int // hashes imported from lists
}

// Action is something an anonymous client does that abuse control counts.
type Action string

// The actions that are rate limited.
const (
	ActionUpload  Action = "uploads"
	ActionComment Action = "comments"
	ActionVote    Action = "votes"
	ActionReport  Action = "reports"
	ActionLogin   Action = "logins" // failed moderator sign-ins
)

// ReportResult says what a report did.
type ReportResult struct {
	// Hidden is true when this report hid its target.
	Hidden bool
	// Reporters counts the distinct clients with an open report on the
	// target, this one included.
	Reporters int
}

// Receipt is what a report's receipt code stands for: the reported thing
// and where its review stands.
type Receipt struct {
	PostID, CommentID string
	Reason            ReportReason
	CreatedAt         time.Time
	// Open counts the target's reports still waiting for a decision;
	// Outcome is the latest decision on it ("removed" or "kept"), "" if
	// none.
	Open    int
	Outcome string
}
