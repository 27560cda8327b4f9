package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// transparencyCases are the cases for the transparency report.
var transparencyCases = []conformanceCase{
	{"transparency counts by month, newest first, from since on", testTransparency},
	{"transparency counts no open report as reviewed, whatever since", testTransparencyOpenReports},
}

// monthLines renders transparency months for comparison.
func monthLines(months []chatpic.Month) []string {
	var out []string
	for _, m := range months {
		out = append(out, fmt.Sprintf("%s reports=%v removals=%v median=%s reviewed=%d bans=%d imported=%d",
			m.Month, m.Reports, m.Removals, m.MedianReview, m.Reviewed, m.HashBans, m.Imported))
	}
	return out
}

func testTransparency(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 3)
	oct := time.Date(2026, 10, 10, 12, 0, 0, 0, time.UTC)
	nov := t0 // 2026-11-23

	// October: two reports on one upload, both closed by its removal
	// after 60 and 50 minutes; a removal's hash ban and an imported one.
	a, _ := mustPost(t, s, newPost("pics", oct, 0))
	mustReport(t, s, report(a.ID, "", chatpic.ReasonNCII, "a", oct))
	mustReport(t, s, report(a.ID, "", chatpic.ReasonSpam, "b", oct.Add(10*time.Minute)))
	removal := chatpic.AuditEntry{At: oct.Add(time.Hour), Moderator: "mia", Action: "remove_post", Target: a.ID, Category: chatpic.ReasonNCII}
	if _, err := s.RemovePost(ctx, a.ID, "", removal, oct.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	fromRemoval := hashBan(chatpic.HashSHA256, 1, "removal")
	fromRemoval.CreatedAt = oct.Add(time.Hour)
	imported := hashBan(chatpic.HashSHA256, 2, "import")
	imported.CreatedAt = oct
	if _, err := s.AddHashBans(ctx, []chatpic.HashBan{fromRemoval, imported}, chatpic.AuditEntry{}); err != nil {
		t.Fatal(err)
	}

	// November: three reports closed by a restore after 60, 59 and 58
	// minutes, one still open, a comment removed without a category,
	// and two imported hashes.
	b, _ := mustPost(t, s, newPost("pics", nov, 0))
	for i, reporter := range []string{"a", "b", "c"} {
		mustReport(t, s, report(b.ID, "", chatpic.ReasonOther, reporter, nov.Add(time.Duration(i)*time.Minute)))
	}
	if _, err := s.RestorePost(ctx, b.ID, byModerator("restore_post", b.ID, nov.Add(time.Hour)), nov.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	c, _ := mustPost(t, s, newPost("pics", nov, 0))
	mustReport(t, s, report(c.ID, "", chatpic.ReasonIllegal, "a", nov.Add(3*time.Minute)))
	rude := mustComment(t, s, b.ID, "rude")
	if _, err := s.SetCommentStatus(ctx, rude.ID, chatpic.StatusRemoved, byModerator("remove_comment", rude.ID, nov.Add(2*time.Hour)), nov.Add(2*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddHashBans(ctx, []chatpic.HashBan{hashBan(chatpic.HashPDQ, 3, "import"), hashBan(chatpic.HashPDQ, 4, "import")}, chatpic.AuditEntry{}); err != nil {
		t.Fatal(err)
	}

	novLine := "2026-11 reports=map[illegal:1 other:3] removals=map[other:1] median=59m0s reviewed=3 bans=0 imported=2"
	octLine := "2026-10 reports=map[ncii:1 spam:1] removals=map[ncii:1] median=55m0s reviewed=2 bans=1 imported=1"
	tests := []struct {
		name  string
		since time.Time
		want  []string
	}{
		{"since September", time.Date(2026, 9, 1, 0, 0, 0, 0, time.UTC), []string{novLine, octLine}},
		{"since the start of October", time.Date(2026, 10, 1, 0, 0, 0, 0, time.UTC), []string{novLine, octLine}},
		{"since November", time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), []string{novLine}},
		{"since December", time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			months, err := s.Transparency(ctx, tt.since)
			if err != nil {
				t.Fatal(err)
			}
			if got := monthLines(months); !slices.Equal(got, tt.want) {
				t.Fatalf("months\n%s\nwant\n%s", joinLines(got), joinLines(tt.want))
			}
		})
	}
}

func testTransparencyOpenReports(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0))
	months, err := s.Transparency(context.Background(), time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"2026-11 reports=map[spam:1] removals=map[] median=0s reviewed=0 bans=0 imported=0"}
	if got := monthLines(months); !slices.Equal(got, want) {
		t.Fatalf("months since the zero time\n%s\nwant\n%s", joinLines(got), joinLines(want))
	}
}
