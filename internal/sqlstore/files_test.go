package sqlstore

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// fileCases are the cases for reports and removals of one file of an
// album.
var fileCases = []conformanceCase{
	{"reports name a file of an album; reporters count once per upload", testFileReports},
	{"removing files of an album, then its last, removes the upload", testRemoveFile},
	{"removing the only file of a single upload removes the upload", testRemoveOnlyFile},
}

// newAlbum makes an album of files files for the channel, created at now;
// each file has its own SHA-256.
func newAlbum(channel string, now time.Time, files int) chatpic.Post {
	p := newPost(channel, now, 0)
	for n := 2; n <= files; n++ {
		it := p.Item
		it.SHA256[1] = byte(n)
		p.More = append(p.More, it)
	}
	return p
}

func testFileReports(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 2)
	p, _ := mustPost(t, s, newAlbum("pics", t0, 3))
	fileReport := func(file int, reason chatpic.ReportReason, reporter string) chatpic.Report {
		r := report(p.ID, "", reason, reporter, t0)
		r.File = file
		return r
	}
	// One reporter naming two files, and one of them twice, is one
	// reporter of the upload.
	wantReportResult(t, mustReport(t, s, fileReport(2, chatpic.ReasonSpam, "a")), false, 1)
	wantReportResult(t, mustReport(t, s, fileReport(3, chatpic.ReasonSpam, "a")), false, 1)
	wantReportResult(t, mustReport(t, s, fileReport(2, chatpic.ReasonSpam, "a")), false, 1)
	// A second reporter, of the whole upload, reaches the threshold: the
	// upload hides as a whole.
	wantReportResult(t, mustReport(t, s, fileReport(0, chatpic.ReasonSpam, "b")), true, 2)
	if st := postStatus(t, s, p.ID); st != chatpic.StatusHidden {
		t.Fatalf("status %q, want hidden", st)
	}
	q, err := s.Queue(ctx, 10, t0)
	if err != nil || len(q) != 1 {
		t.Fatalf("queue %+v, %v; want the album", q, err)
	}
	if got, want := fmt.Sprint(q[0].FileReports), "map[2:1 3:1]"; got != want {
		t.Errorf("file reports %s, want %s", got, want)
	}
	if q[0].Reports[chatpic.ReasonSpam] != 3 {
		t.Errorf("reports %v, want 3 spam (two files and the whole)", q[0].Reports)
	}

	// An ncii report of one file hides an album at once.
	other, _ := mustPost(t, s, newAlbum("pics", t0, 2))
	r := report(other.ID, "", chatpic.ReasonNCII, "c", t0)
	r.File = 2
	wantReportResult(t, mustReport(t, s, r), true, 1)
}

func testRemoveFile(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	p, _ := mustPost(t, s, newAlbum("pics", t0, 3))
	for _, r := range []chatpic.Report{
		{PostID: p.ID, File: 2, Reason: chatpic.ReasonIllegal, Reporter: []byte("a"), CreatedAt: t0},
		{PostID: p.ID, Reason: chatpic.ReasonSpam, Reporter: []byte("b"), CreatedAt: t0},
	} {
		mustReport(t, s, r)
	}
	later := t0.Add(time.Hour)
	entry := func(n int) chatpic.AuditEntry {
		return chatpic.AuditEntry{At: later, Moderator: "mia", Action: chatpic.AuditRemoveFile, Target: p.FileName(n),
			Reason: "illegal", Category: chatpic.ReasonIllegal}
	}

	got, whole, err := s.RemoveFile(ctx, p.ID, 2, "Illegal.", entry(2), later)
	if err != nil || whole || !got.More[0].Removed || got.Item.Removed || got.More[1].Removed {
		t.Fatalf("remove file 2 = %+v, %v, %v; want file 2 alone removed, not the whole", got, whole, err)
	}
	stored, err := s.Post(ctx, p.ID, later)
	if err != nil || stored.Shown() != 2 || !stored.More[0].Removed || stored.More[0].SHA256 != p.More[0].SHA256 {
		t.Fatalf("stored %+v, %v; want file 2 removed, its hashes kept", stored, err)
	}
	reasons, err := s.OpenReasons(ctx, p.ID, "")
	if err != nil || len(reasons) != 1 || reasons[chatpic.ReasonSpam] != 1 {
		t.Fatalf("open reports %v, %v; want the whole upload's spam report only", reasons, err)
	}

	tests := []struct {
		name string
		n    int
		kind chatpic.Kind
	}{
		{"the same file again", 2, chatpic.KindConflict},
		{"a file the album does not have", 4, chatpic.KindNotFound},
		{"file 0", 0, chatpic.KindNotFound},
	}
	for _, tt := range tests {
		_, _, err := s.RemoveFile(ctx, p.ID, tt.n, "x", entry(tt.n), later)
		if chatpic.ErrorKind(err) != tt.kind {
			t.Errorf("%s: %v, want %s", tt.name, err, tt.kind)
		}
	}

	if _, whole, err := s.RemoveFile(ctx, p.ID, 1, "Illegal.", entry(1), later); err != nil || whole {
		t.Fatalf("remove file 1: whole %v, %v", whole, err)
	}
	if stored, _ := s.Post(ctx, p.ID, later); !stored.Item.Removed || stored.Shown() != 1 || stored.Cover() != 3 {
		t.Fatalf("after file 1: %+v, want the first removed and file 3 the cover", stored)
	}
	// The last file shown takes the upload with it.
	last := entry(3)
	got, whole, err = s.RemoveFile(ctx, p.ID, 3, "Illegal.", last, later)
	if err != nil || !whole || got.Shown() != 0 {
		t.Fatalf("remove file 3 = %+v, %v, %v; want the whole upload removed", got, whole, err)
	}
	_, err = s.Post(ctx, p.ID, later)
	wantGone(t, err, chatpic.ReasonRemoved)
	if st := chatpic.ErrorStatement(err); st != "Illegal." {
		t.Fatalf("statement %q", st)
	}
	if n := visibleCount(t, s, "pics"); n != 0 {
		t.Fatalf("channel count %d, want 0", n)
	}
	if q, err := s.Queue(ctx, 10, later); err != nil || len(q) != 0 {
		t.Fatalf("queue %+v, %v; want every report closed", q, err)
	}
	var lines []string
	for _, e := range mustAudit(t, s) {
		lines = append(lines, fmt.Sprintf("%s %s %s", e.Action, e.Target, e.Category))
	}
	want := fmt.Sprint([]string{
		"remove_post " + p.ID + " illegal",
		"remove_file " + p.ID + " illegal",
		"remove_file " + p.ID + "-2 illegal",
	})
	if fmt.Sprint(lines) != want {
		t.Fatalf("audit %v, want %s", lines, want)
	}
	// The transparency figures count each file's removal, and the last's.
	months, err := s.Transparency(ctx, t0.AddDate(0, -1, 0))
	if err != nil || len(months) != 1 || months[0].Removals[chatpic.ReasonIllegal] != 3 {
		t.Fatalf("transparency %+v, %v; want 3 removals under illegal", months, err)
	}
	_, _, err = s.RemoveFile(ctx, p.ID, 3, "x", last, later)
	wantGone(t, err, chatpic.ReasonRemoved)
}

func testRemoveOnlyFile(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	_, whole, err := s.RemoveFile(ctx, p.ID, 1, "Spam.", chatpic.AuditEntry{At: t0, Action: chatpic.AuditRemoveFile, Target: p.ID}, t0)
	if err != nil || !whole {
		t.Fatalf("whole %v, %v; want the upload removed", whole, err)
	}
	_, err = s.Post(ctx, p.ID, t0)
	wantGone(t, err, chatpic.ReasonRemoved)
	if a := mustAudit(t, s); len(a) != 1 || a[0].Action != chatpic.AuditRemovePost {
		t.Fatalf("audit %+v, want one remove_post", a)
	}
}
