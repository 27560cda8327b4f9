package chatpic

import (
	"time"
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
	return cleanText(s, textRules{
		max:     max,
		notUTF8: "the note must be UTF-8 text",
		control: "the note holds control characters",
		tooLong: "the note is limited to %d characters (this one has %d)",
	})
}

// Report is one person's report of an upload or of a comment on it.
type Report struct {
	PostID    string
	CommentID string // "" when the upload itself is reported
	// File is the number of the file of an album the report is about,
	// counting from 1; 0 for the upload as a whole (and for a comment).
	File   int
	Reason ReportReason
	Note   string
	// Reporter is a keyed hash standing for the reporter (see keyring.Ring):
	// one client's reports of one thing count once.
	Reporter  []byte
	CreatedAt time.Time
}

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
