package chatpic

import "time"

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
