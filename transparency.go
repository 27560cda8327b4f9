package chatpic

import "time"

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
