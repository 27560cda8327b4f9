package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// reportCases are the cases for reports and receipts.
var reportCases = []conformanceCase{
	{"an ncii or illegal report hides a post at once", testReportHidesAtOnce},
	{"spam and other hide a post at the channel's threshold of reporters", testReportThreshold},
	{"a reporter counts once and a more serious reason upgrades", testReportOncePerReporter},
	{"a report on a comment hides the comment, not the post", testReportComment},
	{"reports of missing or removed targets are refused", testReportMissingTarget},
	{"a receipt follows its report to the decision", testReceipt},
	{"open reasons count one target's open reports", testOpenReasons},
	{"after a restore, a more serious reason from an earlier reporter is an open report", testReportUpgradeAfterRestore},
}

// thresholdChannel creates a channel without expiry whose uploads and
// comments are hidden by threshold distinct reporters.
func thresholdChannel(t *testing.T, s *Store, slug string, threshold int) {
	t.Helper()
	err := s.CreateChannel(context.Background(), chatpic.Channel{
		Slug: slug, Title: "Test " + slug, Capacity: 100, ReportThreshold: threshold, CreatedAt: t0,
	})
	if err != nil {
		t.Fatal(err)
	}
}

// report is reporter's report of a post (commentID "") or of a comment
// on it, made at at.
func report(postID, commentID string, reason chatpic.ReportReason, reporter string, at time.Time) chatpic.Report {
	return chatpic.Report{PostID: postID, CommentID: commentID, Reason: reason, Reporter: []byte(reporter), CreatedAt: at}
}

// mustReport files r, without a receipt, at the time it was made.
func mustReport(t *testing.T, s *Store, r chatpic.Report) chatpic.ReportResult {
	t.Helper()
	res, err := s.AddReport(context.Background(), r, nil, r.CreatedAt)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func wantReportResult(t *testing.T, got chatpic.ReportResult, hidden bool, reporters int) {
	t.Helper()
	if got.Hidden != hidden || got.Reporters != reporters {
		t.Fatalf("report result %+v, want hidden %v with %d reporters", got, hidden, reporters)
	}
}

// postStatus returns the status of a post that has not gone.
func postStatus(t *testing.T, s *Store, id string) chatpic.Status {
	t.Helper()
	p, err := s.Post(context.Background(), id, t0)
	if err != nil {
		t.Fatal(err)
	}
	return p.Status
}

func commentStatus(t *testing.T, s *Store, id string) chatpic.Status {
	t.Helper()
	c, err := s.Comment(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	return c.Status
}

// listed reports whether a channel's listing at t0 holds the post.
func listed(t *testing.T, s *Store, slug, id string) bool {
	t.Helper()
	posts, err := s.Posts(context.Background(), slug, chatpic.SortNew, chatpic.Cursor{}, 100, t0)
	if err != nil {
		t.Fatal(err)
	}
	return slices.ContainsFunc(posts, func(p chatpic.Post) bool { return p.ID == id })
}

// visibleCount is a channel's count of visible uploads at t0.
func visibleCount(t *testing.T, s *Store, slug string) int {
	t.Helper()
	st, err := s.Channel(context.Background(), slug, t0)
	if err != nil {
		t.Fatal(err)
	}
	return st.Count
}

func testReportHidesAtOnce(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	for _, reason := range []chatpic.ReportReason{chatpic.ReasonNCII, chatpic.ReasonIllegal} {
		t.Run(string(reason), func(t *testing.T) {
			p, _ := mustPost(t, s, newPost("pics", t0, 0))
			before := visibleCount(t, s, "pics")
			wantReportResult(t, mustReport(t, s, report(p.ID, "", reason, "a", t0)), true, 1)
			if got := postStatus(t, s, p.ID); got != chatpic.StatusHidden {
				t.Fatalf("status %q, want hidden", got)
			}
			if listed(t, s, "pics", p.ID) {
				t.Fatal("the hidden post is still listed")
			}
			if got := visibleCount(t, s, "pics"); got != before-1 {
				t.Fatalf("channel count %d, want %d", got, before-1)
			}
		})
	}
}

func testReportThreshold(t *testing.T, s *Store) {
	tests := []struct {
		reason    chatpic.ReportReason
		threshold int
	}{
		{chatpic.ReasonSpam, 3},
		{chatpic.ReasonOther, 3},
		{chatpic.ReasonSpam, 1},
		{chatpic.ReasonOther, 1},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s at threshold %d", tt.reason, tt.threshold), func(t *testing.T) {
			slug := fmt.Sprintf("%s-%d", tt.reason, tt.threshold)
			thresholdChannel(t, s, slug, tt.threshold)
			p, _ := mustPost(t, s, newPost(slug, t0, 0))
			// One reporter past the threshold: the post stays hidden, and
			// only the report that hid it says so.
			for n := 1; n <= tt.threshold+1; n++ {
				res := mustReport(t, s, report(p.ID, "", tt.reason, fmt.Sprint("reporter-", n), t0))
				wantReportResult(t, res, n == tt.threshold, n)
				if hidden := postStatus(t, s, p.ID) == chatpic.StatusHidden; hidden != (n >= tt.threshold) {
					t.Fatalf("after %d reporters: hidden %v", n, hidden)
				}
				if listed(t, s, slug, p.ID) != (n < tt.threshold) {
					t.Fatalf("after %d reporters: listed %v", n, !(n < tt.threshold))
				}
			}
		})
	}
}

func testReportOncePerReporter(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	steps := []struct {
		name   string
		reason chatpic.ReportReason
		hidden bool
	}{
		{"spam", chatpic.ReasonSpam, false},
		{"spam again counts once", chatpic.ReasonSpam, false},
		{"a milder reason changes nothing", chatpic.ReasonOther, false},
		{"ncii upgrades the report and hides", chatpic.ReasonNCII, true},
	}
	for _, st := range steps {
		res, err := s.AddReport(context.Background(), report(p.ID, "", st.reason, "a", t0), nil, t0)
		if err != nil || res.Hidden != st.hidden || res.Reporters != 1 {
			t.Fatalf("%s: %+v, %v; want hidden %v with 1 reporter", st.name, res, err, st.hidden)
		}
	}
	q, err := s.Queue(context.Background(), 10, t0)
	if err != nil || len(q) != 1 || fmt.Sprint(q[0].Reports) != "map[ncii:1]" || q[0].Severity != 4 {
		t.Fatalf("queue %+v, %v; want the post with one ncii report", q, err)
	}
}

func testReportComment(t *testing.T, s *Store) {
	thresholdChannel(t, s, "talk", 2)
	p, _ := mustPost(t, s, newPost("talk", t0, 0))
	serious := mustComment(t, s, p.ID, "serious")
	spam := mustComment(t, s, p.ID, "spam")
	quiet := mustComment(t, s, p.ID, "quiet")

	wantReportResult(t, mustReport(t, s, report(p.ID, serious.ID, chatpic.ReasonIllegal, "a", t0)), true, 1)
	wantReportResult(t, mustReport(t, s, report(p.ID, spam.ID, chatpic.ReasonSpam, "a", t0)), false, 1)
	wantReportResult(t, mustReport(t, s, report(p.ID, spam.ID, chatpic.ReasonSpam, "b", t0)), true, 2)
	for _, c := range []struct {
		id   string
		want chatpic.Status
	}{{serious.ID, chatpic.StatusHidden}, {spam.ID, chatpic.StatusHidden}, {quiet.ID, chatpic.StatusVisible}} {
		if got := commentStatus(t, s, c.id); got != c.want {
			t.Fatalf("comment %s: status %q, want %q", c.id, got, c.want)
		}
	}
	if got := postStatus(t, s, p.ID); got != chatpic.StatusVisible || !listed(t, s, "talk", p.ID) {
		t.Fatalf("post status %q, want visible and listed", got)
	}
	// The comments' reports do not count towards the post's threshold.
	wantReportResult(t, mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0)), false, 1)
}

func testReportMissingTarget(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	mustChannel(t, s, "brief", 10, time.Hour)
	live, _ := mustPost(t, s, newPost("pics", t0, 0))
	other, _ := mustPost(t, s, newPost("pics", t0, 0))
	deleted, _ := mustPost(t, s, newPost("pics", t0, 0))
	if _, err := s.DeletePost(ctx, deleted.ID, chatpic.ReasonDeleted, t0); err != nil {
		t.Fatal(err)
	}
	expired, _ := mustPost(t, s, newPost("brief", t0, time.Hour))
	c := mustComment(t, s, live.ID, "hello")
	removed := mustComment(t, s, live.ID, "removed")
	if _, err := s.SetCommentStatus(ctx, removed.ID, chatpic.StatusRemoved, byModerator("remove_comment", removed.ID, t0), t0); err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name      string
		postID    string
		commentID string
		at        time.Time
		kind      chatpic.Kind
		reason    chatpic.GoneReason // checked when set
	}{
		{"a deleted post", deleted.ID, "", t0, chatpic.KindGone, chatpic.ReasonDeleted},
		{"an expired post", expired.ID, "", t0.Add(time.Hour), chatpic.KindGone, chatpic.ReasonExpired},
		{"an unknown post", chatpic.NewID(), "", t0, chatpic.KindNotFound, ""},
		{"an unknown comment", live.ID, chatpic.NewID(), t0, chatpic.KindNotFound, ""},
		{"a comment under another post", other.ID, c.ID, t0, chatpic.KindNotFound, ""},
		{"a removed comment", live.ID, removed.ID, t0, chatpic.KindGone, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.AddReport(ctx, report(tt.postID, tt.commentID, chatpic.ReasonNCII, "a", tt.at), []byte("receipt "+tt.name), tt.at)
			wantKind(t, err, tt.kind)
			if tt.reason != "" {
				wantGone(t, err, tt.reason)
			}
			_, err = s.Receipt(ctx, []byte("receipt "+tt.name))
			wantKind(t, err, chatpic.KindNotFound)
		})
	}
}

func testReceipt(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 3)
	kept, _ := mustPost(t, s, newPost("pics", t0, 0))
	removed, _ := mustPost(t, s, newPost("pics", t0, 0))
	host, _ := mustPost(t, s, newPost("pics", t0, 0))
	c := mustComment(t, s, host.ID, "rude")

	file := func(r chatpic.Report, receipt string) {
		t.Helper()
		if _, err := s.AddReport(ctx, r, []byte(receipt), r.CreatedAt); err != nil {
			t.Fatal(err)
		}
	}
	check := func(step, receipt string, want chatpic.Receipt) {
		t.Helper()
		got, err := s.Receipt(ctx, []byte(receipt))
		if err != nil || fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", want) {
			t.Fatalf("%s: receipt %+v, %v; want %+v", step, got, err, want)
		}
	}
	later := t0.Add(time.Hour)

	file(report(kept.ID, "", chatpic.ReasonSpam, "a", t0), "kept")
	check("one open report", "kept", chatpic.Receipt{PostID: kept.ID, Reason: chatpic.ReasonSpam, CreatedAt: t0, Open: 1})
	file(report(kept.ID, "", chatpic.ReasonSpam, "b", t0), "kept by b")
	check("two open reports", "kept", chatpic.Receipt{PostID: kept.ID, Reason: chatpic.ReasonSpam, CreatedAt: t0, Open: 2})
	if _, err := s.RestorePost(ctx, kept.ID, byModerator("restore_post", kept.ID, later), later); err != nil {
		t.Fatal(err)
	}
	check("restored", "kept", chatpic.Receipt{PostID: kept.ID, Reason: chatpic.ReasonSpam, CreatedAt: t0, Outcome: "kept"})

	file(report(removed.ID, "", chatpic.ReasonNCII, "a", t0), "removed")
	if _, err := s.RemovePost(ctx, removed.ID, "Shared without consent.", byModerator("remove_post", removed.ID, later), later); err != nil {
		t.Fatal(err)
	}
	check("removed", "removed", chatpic.Receipt{PostID: removed.ID, Reason: chatpic.ReasonNCII, CreatedAt: t0, Outcome: "removed"})

	file(report(host.ID, c.ID, chatpic.ReasonIllegal, "a", t0), "comment")
	check("comment reported", "comment", chatpic.Receipt{PostID: host.ID, CommentID: c.ID, Reason: chatpic.ReasonIllegal, CreatedAt: t0, Open: 1})
	if _, err := s.SetCommentStatus(ctx, c.ID, chatpic.StatusRemoved, byModerator("remove_comment", c.ID, later), later); err != nil {
		t.Fatal(err)
	}
	check("comment removed", "comment", chatpic.Receipt{PostID: host.ID, CommentID: c.ID, Reason: chatpic.ReasonIllegal, CreatedAt: t0, Outcome: "removed"})

	_, err := s.Receipt(ctx, []byte("never issued"))
	wantKind(t, err, chatpic.KindNotFound)
}

func testOpenReasons(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 10)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	other, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "b", t0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonOther, "c", t0))
	mustReport(t, s, report(other.ID, "", chatpic.ReasonIllegal, "a", t0))
	got, err := s.OpenReasons(ctx, p.ID, "")
	if err != nil || len(got) != 2 || got[chatpic.ReasonSpam] != 2 || got[chatpic.ReasonOther] != 1 {
		t.Fatalf("OpenReasons = %v, %v; want spam 2, other 1", got, err)
	}
	if _, err := s.RestorePost(ctx, p.ID, byModerator("restore_post", p.ID, t0), t0); err != nil {
		t.Fatal(err)
	}
	if got, err := s.OpenReasons(ctx, p.ID, ""); err != nil || len(got) != 0 {
		t.Fatalf("after a decision OpenReasons = %v, %v; want none", got, err)
	}
}

func testReportUpgradeAfterRestore(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 3)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0))
	later := t0.Add(time.Hour)
	if _, err := s.RestorePost(ctx, p.ID, byModerator("restore_post", p.ID, later), later); err != nil {
		t.Fatal(err)
	}
	wantReportResult(t, mustReport(t, s, report(p.ID, "", chatpic.ReasonNCII, "a", later)), true, 1)
	q, err := s.Queue(ctx, 10, later)
	if err != nil || len(q) != 1 || q[0].Severity != chatpic.ReasonNCII.Severity() || q[0].Reports[chatpic.ReasonNCII] != 1 {
		t.Fatalf("queue %+v, %v; want the hidden post with its open ncii report", q, err)
	}
}
