package chatpic

import "time"

// QueueItem is an upload or a comment waiting for a moderator.
type QueueItem struct {
	Post    Post
	Comment *Comment // nil when the upload itself is the item
	Status  Status
	// Reports counts the open reports by reason.
	Reports map[ReportReason]int
	Notes   []string // the reports' notes, newest first
	// FileReports counts the open reports that name one file of an
	// album, by the file's number; reports of the whole upload are not
	// in it.
	FileReports map[int]int
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
