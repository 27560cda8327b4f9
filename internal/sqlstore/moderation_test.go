package sqlstore

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// moderationCases are the conformance cases for reports, the queue,
// moderators, the audit log and bans.
var moderationCases = []struct {
	name string
	fn   func(t *testing.T, s *Store)
}{
	{"an ncii or illegal report hides a post at once", testReportHidesAtOnce},
	{"spam and other hide a post at the channel's threshold of reporters", testReportThreshold},
	{"a reporter counts once and a more serious reason upgrades", testReportOncePerReporter},
	{"a report on a comment hides the comment, not the post", testReportComment},
	{"reports of missing or removed targets are refused", testReportMissingTarget},
	{"a receipt follows its report to the decision", testReceipt},
	{"the queue lists hidden, pending and reported items, most serious first", testQueue},
	{"the queue respects its limit", testQueueLimit},
	{"open reasons count one target's open reports", testOpenReasons},
	{"channel settings read back without the counts", testChannelSettings},
	{"the queue's limit keeps the most serious items", testQueueLimitKeepsSerious},
	{"remove post leaves a tombstone with the statement and an audit entry", testRemovePost},
	{"restore post shows a hidden post again and starts a new count", testRestorePost},
	{"after a restore, a more serious reason from an earlier reporter is an open report", testReportUpgradeAfterRestore},
	{"removing a comment forgets its body and client key, not its number", testRemoveComment},
	{"restoring a hidden comment shows it again", testRestoreComment},
	{"moderators are unique, listed by name, with their password hash", testModeratorAccounts},
	{"a new API token replaces the previous one", testModeratorToken},
	{"sessions end at their expiry and are not API tokens", testModeratorSessions},
	{"deleting a moderator ends their sessions and token", testDeleteModerator},
	{"prune sessions deletes only ended ones", testPruneSessions},
	{"the audit log pages newest first", testAuditPaging},
	{"hash bans skip duplicates and page by ID", testHashBans},
	{"poster bans last until they end and keep the later end", testPosterBans},
	{"channel moderation settings round trip", testChannelModerationSettings},
	{"lock channel refuses unknown and link-only channels", testLockChannel},
	{"transparency counts by month, newest first, from since on", testTransparency},
	{"transparency counts no open report as reviewed, whatever since", testTransparencyOpenReports},
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

// mustComment adds a comment with the given body to a post.
func mustComment(t *testing.T, s *Store, postID, body string) chatpic.Comment {
	t.Helper()
	c, err := s.AddComment(context.Background(), comment(postID, body), t0)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// byModerator is an audit entry for moderator mia's action at at.
func byModerator(action, target string, at time.Time) chatpic.AuditEntry {
	return chatpic.AuditEntry{At: at, Moderator: "mia", Action: action, Target: target, Reason: "reviewed"}
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

func mustAudit(t *testing.T, s *Store) []chatpic.AuditEntry {
	t.Helper()
	entries, err := s.Audit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return entries
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

// queueLines renders queue items for comparison, naming posts and
// comments by names[ID].
func queueLines(q []chatpic.QueueItem, names map[string]string) []string {
	var out []string
	for _, it := range q {
		name := names[it.Post.ID]
		if it.Comment != nil {
			name += "/" + names[it.Comment.ID]
		}
		last := "never"
		if !it.LastReportAt.IsZero() {
			last = it.LastReportAt.Sub(t0).String()
		}
		out = append(out, fmt.Sprintf("%s %s reports=%v notes=%q severity=%d last=%s",
			name, it.Status, it.Reports, it.Notes, it.Severity, last))
	}
	return out
}

func testQueue(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	mustChannel(t, s, "brief", 10, time.Hour)
	minute := func(n int) time.Time { return t0.Add(time.Duration(n) * time.Minute) }

	pending := newPost("pics", minute(0), 0)
	pending.Status = chatpic.StatusPending
	pending, _ = mustPost(t, s, pending)
	spammed, _ := mustPost(t, s, newPost("pics", minute(1), 0))
	private, _ := mustPost(t, s, newPost("pics", minute(2), 0))
	host, _ := mustPost(t, s, newPost("pics", minute(3), 0))
	mustPost(t, s, newPost("pics", minute(4), 0)) // nobody reports it
	expired, _ := mustPost(t, s, newPost("brief", minute(0), time.Hour))
	rude := mustComment(t, s, host.ID, "rude")
	mustComment(t, s, host.ID, "kind")
	names := map[string]string{pending.ID: "pending", spammed.ID: "spammed", private.ID: "private",
		host.ID: "host", rude.ID: "rude", expired.ID: "expired"}

	for _, r := range []chatpic.Report{
		{PostID: private.ID, Reason: chatpic.ReasonNCII, Note: "that is me", Reporter: []byte("a"), CreatedAt: minute(3)},
		{PostID: spammed.ID, Reason: chatpic.ReasonSpam, Note: "ads", Reporter: []byte("a"), CreatedAt: minute(5)},
		{PostID: spammed.ID, Reason: chatpic.ReasonSpam, Note: "more ads", Reporter: []byte("b"), CreatedAt: minute(6)},
		{PostID: host.ID, CommentID: rude.ID, Reason: chatpic.ReasonSpam, Reporter: []byte("a"), CreatedAt: minute(7)},
		{PostID: expired.ID, Reason: chatpic.ReasonNCII, Reporter: []byte("a"), CreatedAt: minute(8)},
	} {
		mustReport(t, s, r)
	}

	q, err := s.Queue(context.Background(), 10, t0.Add(time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		`private hidden reports=map[ncii:1] notes=["that is me"] severity=4 last=3m0s`,
		`host/rude visible reports=map[spam:1] notes=[] severity=2 last=7m0s`,
		`spammed visible reports=map[spam:2] notes=["more ads" "ads"] severity=2 last=6m0s`,
		`pending pending reports=map[] notes=[] severity=0 last=never`,
	}
	if got := queueLines(q, names); !slices.Equal(got, want) {
		t.Fatalf("queue\n%s\nwant\n%s", joinLines(got), joinLines(want))
	}
	if it := q[1]; it.Comment.Body != "rude" || it.Post.ID != host.ID || it.ReportCount() != 1 {
		t.Fatalf("the comment's item %+v, want the comment with its post", it)
	}
}

func joinLines(lines []string) string {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString("\t" + l + "\n")
	}
	return b.String()
}

func testQueueLimit(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	for i := range 4 {
		p, _ := mustPost(t, s, newPost("pics", t0.Add(time.Duration(i)*time.Minute), 0))
		mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0.Add(time.Hour)))
	}
	for _, limit := range []int{1, 3, 4, 10} {
		q, err := s.Queue(context.Background(), limit, t0.Add(time.Hour))
		if err != nil || len(q) != min(limit, 4) {
			t.Fatalf("limit %d: %d items, %v; want %d", limit, len(q), err, min(limit, 4))
		}
	}
}

func testQueueLimitKeepsSerious(t *testing.T, s *Store) {
	thresholdChannel(t, s, "pics", 3)
	private, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustReport(t, s, report(private.ID, "", chatpic.ReasonNCII, "a", t0))
	names := map[string]string{private.ID: "private"}
	for i := 1; i <= 3; i++ {
		at := t0.Add(time.Duration(i) * time.Minute)
		p, _ := mustPost(t, s, newPost("pics", at, 0))
		mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", at))
		names[p.ID] = fmt.Sprint("spam-", i)
	}
	q, err := s.Queue(context.Background(), 2, t0.Add(time.Hour))
	if err != nil || len(q) == 0 || q[0].Post.ID != private.ID {
		t.Fatalf("queue with limit 2 = %q, %v; want the older ncii upload first", queueLines(q, names), err)
	}
}

func testRemovePost(t *testing.T, s *Store) {
	ctx := context.Background()
	if err := s.CreateChannel(ctx, chatpic.Channel{Slug: "pics", Title: "Pics", Capacity: 2, CreatedAt: t0}); err != nil {
		t.Fatal(err)
	}
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustPost(t, s, newPost("pics", t0, 0))
	c := mustComment(t, s, p.ID, "buy now")
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0))
	mustReport(t, s, report(p.ID, c.ID, chatpic.ReasonSpam, "a", t0))

	later := t0.Add(time.Hour)
	entry := chatpic.AuditEntry{At: later, Moderator: "mia", Action: "remove_post", Target: p.ID,
		Reason: "advertising", Category: chatpic.ReasonSpam}
	const statement = "Removed as advertising."
	got, err := s.RemovePost(ctx, p.ID, statement, entry, later)
	if err != nil || got.ID != p.ID || got.Ext != "png" {
		t.Fatalf("remove = %+v, %v; want the post", got, err)
	}
	_, err = s.Post(ctx, p.ID, later)
	wantGone(t, err, chatpic.ReasonRemoved)
	if st := chatpic.ErrorStatement(err); st != statement {
		t.Fatalf("statement %q, want %q", st, statement)
	}
	if n := visibleCount(t, s, "pics"); n != 1 {
		t.Fatalf("channel count %d, want 1", n)
	}
	// The removal freed its place: one more fits without eviction.
	if _, evicted := mustPost(t, s, newPost("pics", later, 0)); len(evicted) != 0 {
		t.Fatalf("a post after the removal evicted %d", len(evicted))
	}
	audit := mustAudit(t, s)
	entry.ID = 1
	if len(audit) != 1 || fmt.Sprintf("%+v", audit[0]) != fmt.Sprintf("%+v", entry) {
		t.Fatalf("audit %+v, want %+v", audit, entry)
	}
	if q, err := s.Queue(ctx, 10, later); err != nil || len(q) != 0 {
		t.Fatalf("queue %+v, %v; want the post's and its comment's reports closed", q, err)
	}

	_, err = s.RemovePost(ctx, p.ID, statement, entry, later)
	wantGone(t, err, chatpic.ReasonRemoved)
	_, err = s.RemovePost(ctx, chatpic.NewID(), statement, entry, later)
	wantKind(t, err, chatpic.KindNotFound)
	if n := len(mustAudit(t, s)); n != 1 {
		t.Fatalf("%d audit entries, want only the removal's", n)
	}
}

func testRestorePost(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "pics", 2)
	p, _ := mustPost(t, s, newPost("pics", t0, 0))
	mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "a", t0))
	wantReportResult(t, mustReport(t, s, report(p.ID, "", chatpic.ReasonSpam, "b", t0)), true, 2)

	later := t0.Add(time.Hour)
	got, err := s.RestorePost(ctx, p.ID, byModerator("restore_post", p.ID, later), later)
	if err != nil || got.ID != p.ID || got.Status != chatpic.StatusVisible {
		t.Fatalf("restore = %+v, %v; want the visible post", got, err)
	}
	if postStatus(t, s, p.ID) != chatpic.StatusVisible || !listed(t, s, "pics", p.ID) || visibleCount(t, s, "pics") != 1 {
		t.Fatal("the restored post is not visible, listed and counted")
	}
	if audit := mustAudit(t, s); len(audit) != 1 || audit[0].Action != "restore_post" || audit[0].Target != p.ID {
		t.Fatalf("audit %+v, want the restore", audit)
	}

	// The decision closed the round: an earlier reporter may report
	// again, once, and new reporters count from there.
	steps := []struct {
		name      string
		reporter  string
		hidden    bool
		reporters int
	}{
		{"an earlier reporter starts a new round", "a", false, 1},
		{"the same reporter again counts once", "a", false, 1},
		{"a new reporter", "c", true, 2},
	}
	for _, st := range steps {
		res, err := s.AddReport(ctx, report(p.ID, "", chatpic.ReasonSpam, st.reporter, later), nil, later)
		if err != nil || res.Hidden != st.hidden || res.Reporters != st.reporters {
			t.Fatalf("%s: %+v, %v; want hidden %v with %d reporters", st.name, res, err, st.hidden, st.reporters)
		}
	}

	pending := newPost("pics", t0, 0)
	pending.Status = chatpic.StatusPending
	pending, _ = mustPost(t, s, pending)
	if got, err := s.RestorePost(ctx, pending.ID, byModerator("approve_post", pending.ID, later), later); err != nil || got.Status != chatpic.StatusVisible {
		t.Fatalf("approve pending = %+v, %v; want visible", got, err)
	}

	deleted, _ := mustPost(t, s, newPost("pics", t0, 0))
	if _, err := s.DeletePost(ctx, deleted.ID, chatpic.ReasonDeleted, t0); err != nil {
		t.Fatal(err)
	}
	_, err = s.RestorePost(ctx, deleted.ID, byModerator("restore_post", deleted.ID, later), later)
	wantGone(t, err, chatpic.ReasonDeleted)
	_, err = s.RestorePost(ctx, chatpic.NewID(), byModerator("restore_post", "x", later), later)
	wantKind(t, err, chatpic.KindNotFound)
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

func testRemoveComment(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "talk", 10, 0)
	p, _ := mustPost(t, s, newPost("talk", t0, 0))
	in := comment(p.ID, "rude words")
	in.ClientKey = []byte("keyed hash of the commenter")
	c, err := s.AddComment(ctx, in, t0)
	if err != nil {
		t.Fatal(err)
	}
	mustComment(t, s, p.ID, "kind words")

	want := fmt.Sprintf("%+v", chatpic.Comment{ID: c.ID, PostID: p.ID, Number: 1, PosterID: c.PosterID,
		CreatedAt: c.CreatedAt, Status: chatpic.StatusRemoved})
	got, err := s.SetCommentStatus(ctx, c.ID, chatpic.StatusRemoved, byModerator("remove_comment", c.ID, t0), t0)
	if err != nil || fmt.Sprintf("%+v", got) != want {
		t.Fatalf("remove = %+v, %v; want %s", got, err, want)
	}
	stored, err := s.Comment(ctx, c.ID)
	if err != nil || fmt.Sprintf("%+v", stored) != want {
		t.Fatalf("stored %+v, %v; want %s", stored, err, want)
	}
	thread, err := s.Comments(ctx, p.ID)
	if err != nil || len(thread) != 2 || thread[1].Number != 2 || thread[1].Body != "kind words" {
		t.Fatalf("thread %+v, %v; want both comments, the second untouched", thread, err)
	}

	tests := []struct {
		name   string
		id     string
		status chatpic.Status
		kind   chatpic.Kind
	}{
		{"restore a removed comment", c.ID, chatpic.StatusVisible, chatpic.KindConflict},
		{"remove a removed comment", c.ID, chatpic.StatusRemoved, chatpic.KindConflict},
		{"an unknown comment", chatpic.NewID(), chatpic.StatusRemoved, chatpic.KindNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.SetCommentStatus(ctx, tt.id, tt.status, byModerator("moderate", tt.id, t0), t0)
			wantKind(t, err, tt.kind)
		})
	}
	_, err = s.Comment(ctx, chatpic.NewID())
	wantKind(t, err, chatpic.KindNotFound)
	if audit := mustAudit(t, s); len(audit) != 1 || audit[0].Action != "remove_comment" {
		t.Fatalf("audit %+v, want only the removal", audit)
	}
}

func testRestoreComment(t *testing.T, s *Store) {
	ctx := context.Background()
	thresholdChannel(t, s, "talk", 3)
	p, _ := mustPost(t, s, newPost("talk", t0, 0))
	c := mustComment(t, s, p.ID, "is it me?")
	mustReport(t, s, report(p.ID, c.ID, chatpic.ReasonNCII, "a", t0))
	if got := commentStatus(t, s, c.ID); got != chatpic.StatusHidden {
		t.Fatalf("status %q, want hidden", got)
	}
	got, err := s.SetCommentStatus(ctx, c.ID, chatpic.StatusVisible, byModerator("restore_comment", c.ID, t0), t0)
	if err != nil || got.Status != chatpic.StatusVisible || got.Body != "is it me?" {
		t.Fatalf("restore = %+v, %v; want visible with its body", got, err)
	}
	if got := commentStatus(t, s, c.ID); got != chatpic.StatusVisible {
		t.Fatalf("stored status %q, want visible", got)
	}
	if q, err := s.Queue(ctx, 10, t0); err != nil || len(q) != 0 {
		t.Fatalf("queue %+v, %v; want the report closed", q, err)
	}
}

func testModeratorAccounts(t *testing.T, s *Store) {
	ctx := context.Background()
	for _, m := range []chatpic.Moderator{
		{Name: "zoe", CreatedAt: t0},
		{Name: "adam", Admin: true, CreatedAt: t0.Add(time.Minute)},
		{Name: "mia", CreatedAt: t0},
	} {
		if err := s.CreateModerator(ctx, m, "hash of "+m.Name); err != nil {
			t.Fatal(err)
		}
	}
	wantKind(t, s.CreateModerator(ctx, chatpic.Moderator{Name: "mia", Admin: true, CreatedAt: t0}, "another hash"), chatpic.KindConflict)

	m, hash, err := s.ModeratorPassword(ctx, "adam")
	if err != nil || hash != "hash of adam" || m.Name != "adam" || !m.Admin || !m.CreatedAt.Equal(t0.Add(time.Minute)) {
		t.Fatalf("adam = %+v, %q, %v", m, hash, err)
	}
	if m, hash, err := s.ModeratorPassword(ctx, "mia"); err != nil || hash != "hash of mia" || m.Admin {
		t.Fatalf("mia = %+v, %q, %v; want her own hash, not the duplicate's", m, hash, err)
	}
	_, _, err = s.ModeratorPassword(ctx, "nobody")
	wantKind(t, err, chatpic.KindNotFound)

	list, err := s.Moderators(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, m := range list {
		got = append(got, fmt.Sprintf("%s admin=%v", m.Name, m.Admin))
	}
	if want := []string{"adam admin=true", "mia admin=false", "zoe admin=false"}; !slices.Equal(got, want) {
		t.Fatalf("moderators %v, want %v", got, want)
	}
}

// mustModerators creates moderators with the given names.
func mustModerators(t *testing.T, s *Store, names ...string) {
	t.Helper()
	for _, name := range names {
		if err := s.CreateModerator(context.Background(), chatpic.Moderator{Name: name, CreatedAt: t0}, "hash"); err != nil {
			t.Fatal(err)
		}
	}
}

// wantAuth checks whom hash authenticates as at now: want, or nobody
// (KindUnauthorized) if want is "".
func wantAuth(t *testing.T, s *Store, hash []byte, session bool, now time.Time, want string) {
	t.Helper()
	m, err := s.Authenticate(context.Background(), hash, session, now)
	if want == "" {
		wantKind(t, err, chatpic.KindUnauthorized)
		return
	}
	if err != nil || m.Name != want {
		t.Fatalf("authenticated as %q, %v; want %q", m.Name, err, want)
	}
}

func testModeratorToken(t *testing.T, s *Store) {
	ctx := context.Background()
	mustModerators(t, s, "mia", "zoe")
	old, current, zoes := chatpic.HashToken("old"), chatpic.HashToken("current"), chatpic.HashToken("zoe's")
	for _, tok := range []struct {
		name string
		hash []byte
	}{{"mia", old}, {"zoe", zoes}, {"mia", current}} {
		if err := s.SetModeratorToken(ctx, tok.name, tok.hash, t0); err != nil {
			t.Fatal(err)
		}
	}
	wantAuth(t, s, old, false, t0, "")
	wantAuth(t, s, current, false, t0, "mia")
	wantAuth(t, s, zoes, false, t0, "zoe")
	wantKind(t, s.SetModeratorToken(ctx, "nobody", chatpic.HashToken("x"), t0), chatpic.KindNotFound)
}

func testModeratorSessions(t *testing.T, s *Store) {
	ctx := context.Background()
	mustModerators(t, s, "mia")
	session, token := chatpic.HashToken("session"), chatpic.HashToken("token")
	if err := s.CreateSession(ctx, session, "mia", t0, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.SetModeratorToken(ctx, "mia", token, t0); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		hash    []byte
		session bool
		at      time.Time
		want    string // "" for nobody
	}{
		{"a session before it ends", session, true, t0.Add(time.Hour - time.Millisecond), "mia"},
		{"a session when it ends", session, true, t0.Add(time.Hour), ""},
		{"a session as an API token", session, false, t0, ""},
		{"an API token as a session", token, true, t0, ""},
		{"an API token a year later", token, false, t0.AddDate(1, 0, 0), "mia"},
		{"an unknown session", chatpic.HashToken("unknown"), true, t0, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { wantAuth(t, s, tt.hash, tt.session, tt.at, tt.want) })
	}
	for range 2 { // ending an ended session is not an error
		if err := s.DeleteSession(ctx, session); err != nil {
			t.Fatal(err)
		}
	}
	wantAuth(t, s, session, true, t0, "")
}

func testDeleteModerator(t *testing.T, s *Store) {
	ctx := context.Background()
	mustModerators(t, s, "mia", "zoe")
	for _, name := range []string{"mia", "zoe"} {
		if err := s.CreateSession(ctx, chatpic.HashToken("session "+name), name, t0, t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.SetModeratorToken(ctx, name, chatpic.HashToken("token "+name), t0); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.DeleteModerator(ctx, "mia"); err != nil {
		t.Fatal(err)
	}
	wantKind(t, s.DeleteModerator(ctx, "mia"), chatpic.KindNotFound)
	// A new moderator of the same name does not inherit the old secrets.
	mustModerators(t, s, "mia")
	wantAuth(t, s, chatpic.HashToken("session mia"), true, t0, "")
	wantAuth(t, s, chatpic.HashToken("token mia"), false, t0, "")
	wantAuth(t, s, chatpic.HashToken("session zoe"), true, t0, "zoe")
	wantAuth(t, s, chatpic.HashToken("token zoe"), false, t0, "zoe")
}

func testPruneSessions(t *testing.T, s *Store) {
	ctx := context.Background()
	mustModerators(t, s, "mia")
	for i := 1; i <= 3; i++ {
		if err := s.CreateSession(ctx, chatpic.HashToken(fmt.Sprint("session ", i)), "mia", t0, t0.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	// A session ends at its expiry: the one ending at now is pruned too.
	now := t0.Add(2 * time.Hour)
	if n, err := s.PruneSessions(ctx, now); err != nil || n != 2 {
		t.Fatalf("pruned %d, %v; want 2", n, err)
	}
	if n, err := s.PruneSessions(ctx, now); err != nil || n != 0 {
		t.Fatalf("pruned again %d, %v; want 0", n, err)
	}
	wantAuth(t, s, chatpic.HashToken("session 3"), true, now, "mia")
	wantAuth(t, s, chatpic.HashToken("session 1"), true, t0, "")
}

func testAuditPaging(t *testing.T, s *Store) {
	ctx := context.Background()
	for i := range 5 {
		if err := s.AddAudit(ctx, byModerator(fmt.Sprint("action ", i), "target", t0.Add(time.Duration(i)*time.Minute))); err != nil {
			t.Fatal(err)
		}
	}
	var pages [][]string
	var before int64
	for range 5 {
		page, err := s.Audit(ctx, before, 2)
		if err != nil {
			t.Fatal(err)
		}
		var actions []string
		for _, e := range page {
			actions = append(actions, e.Action)
			before = e.ID
		}
		pages = append(pages, actions)
		if len(page) < 2 {
			break
		}
	}
	want := "[[action 4 action 3] [action 2 action 1] [action 0]]"
	if fmt.Sprintf("%v", pages) != want {
		t.Fatalf("pages %v, want %s", pages, want)
	}
	newest, err := s.Audit(ctx, 0, 1)
	if err != nil || len(newest) != 1 || !newest[0].At.Equal(t0.Add(4*time.Minute)) || newest[0].Moderator != "mia" {
		t.Fatalf("newest %+v, %v", newest, err)
	}
}

// hashBan bans the 32-byte hash made of b.
func hashBan(kind chatpic.HashKind, b byte, source string) chatpic.HashBan {
	return chatpic.HashBan{Kind: kind, Hash: bytes.Repeat([]byte{b}, 32), Note: "note " + source, Source: source, CreatedAt: t0}
}

func testHashBans(t *testing.T, s *Store) {
	ctx := context.Background()
	steps := []struct {
		name      string
		bans      []chatpic.HashBan
		audit     chatpic.AuditEntry
		added     int
		count     int
		auditLen  int
		wantNewID bool
	}{
		{"a duplicate in one batch counts once; another kind is another hash",
			[]chatpic.HashBan{hashBan(chatpic.HashSHA256, 1, "import"), hashBan(chatpic.HashSHA256, 1, "import"), hashBan(chatpic.HashPDQ, 1, "import")},
			chatpic.AuditEntry{}, 2, 2, 0, true},
		{"banned hashes are skipped; an audit entry is written when it has an action",
			[]chatpic.HashBan{hashBan(chatpic.HashSHA256, 1, "removal"), hashBan(chatpic.HashSHA256, 2, "removal")},
			byModerator("ban_hash", "x", t0), 1, 3, 1, true},
		{"nothing new",
			[]chatpic.HashBan{hashBan(chatpic.HashPDQ, 1, "import")},
			chatpic.AuditEntry{}, 0, 3, 1, false},
	}
	var lastMax int64
	for _, st := range steps {
		added, err := s.AddHashBans(ctx, st.bans, st.audit)
		if err != nil || added != st.added {
			t.Fatalf("%s: added %d, %v; want %d", st.name, added, err, st.added)
		}
		count, maxID, err := s.HashBanVersion(ctx)
		if err != nil || count != st.count || (maxID != lastMax) != st.wantNewID {
			t.Fatalf("%s: version %d, %d (was %d), %v; want count %d", st.name, count, maxID, lastMax, err, st.count)
		}
		lastMax = maxID
		if n := len(mustAudit(t, s)); n != st.auditLen {
			t.Fatalf("%s: %d audit entries, want %d", st.name, n, st.auditLen)
		}
	}

	var got []string
	var after int64
	for range 5 {
		page, err := s.HashBans(ctx, after, 2)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range page {
			if b.ID <= after || len(b.Hash) != 32 || !b.CreatedAt.Equal(t0) {
				t.Fatalf("ban %+v after ID %d", b, after)
			}
			after = b.ID
			got = append(got, fmt.Sprintf("%s %x %s %q", b.Kind, b.Hash[0], b.Source, b.Note))
		}
		if len(page) < 2 {
			break
		}
	}
	want := []string{`sha256 1 import "note import"`, `pdq 1 import "note import"`, `sha256 2 removal "note removal"`}
	if !slices.Equal(got, want) {
		t.Fatalf("bans %q, want %q", got, want)
	}
}

func testPosterBans(t *testing.T, s *Store) {
	ctx := context.Background()
	a, b, c := []byte("client a"), []byte("client b"), []byte("client c")
	ban := func(client []byte, until time.Time) {
		t.Helper()
		if err := s.BanClient(ctx, client, until, byModerator("ban_client", "post", t0)); err != nil {
			t.Fatal(err)
		}
	}
	check := func(name string, at time.Time, want bool, clients ...[]byte) {
		t.Helper()
		if got, err := s.ClientBanned(ctx, at, clients...); err != nil || got != want {
			t.Fatalf("%s: banned %v, %v; want %v", name, got, err, want)
		}
	}
	ban(a, t0.Add(time.Hour))
	ban(b, t0.Add(2*time.Hour))
	check("a banned key", t0, true, a)
	check("a ban until just before its end", t0.Add(time.Hour-time.Millisecond), true, a)
	check("a ban at its end", t0.Add(time.Hour), false, a)
	check("any of several keys", t0.Add(90*time.Minute), true, c, a, b)
	check("nil keys are ignored", t0, false, nil, c)
	check("no keys", t0, false)

	ban(a, t0.Add(30*time.Minute))
	check("a shorter ban keeps the later end", t0.Add(45*time.Minute), true, a)
	ban(a, t0.Add(3*time.Hour))
	check("a longer ban extends it", t0.Add(150*time.Minute), true, a)

	if n, err := s.PruneBans(ctx, t0.Add(2*time.Hour)); err != nil || n != 1 {
		t.Fatalf("pruned %d, %v; want b's ban only", n, err)
	}
	check("a pruned ban is gone", t0, false, b)
	check("a lasting ban survives pruning", t0.Add(2*time.Hour), true, a)
	if n := len(mustAudit(t, s)); n != 4 {
		t.Fatalf("%d audit entries, want one per ban", n)
	}
}

func testChannelModerationSettings(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "plain", 10, 0)
	strict := chatpic.Channel{Slug: "strict", Title: "Strict", Capacity: 10, CreatedAt: t0,
		ReportThreshold: 5, Premod: chatpic.PremodMedia, Challenge: chatpic.ChallengeAlways}
	if err := s.CreateChannel(ctx, strict); err != nil {
		t.Fatal(err)
	}
	settings := func(slug string) string {
		t.Helper()
		st, err := s.Channel(ctx, slug, t0)
		if err != nil {
			t.Fatal(err)
		}
		return fmt.Sprintf("threshold=%d premod=%s challenge=%s locked=%v", st.ReportThreshold, st.Premod, st.Challenge, st.Locked)
	}
	if got, want := settings("plain"), "threshold=3 premod=off challenge=auto locked=false"; got != want {
		t.Fatalf("defaults %s, want %s", got, want)
	}
	if got, want := settings("strict"), "threshold=5 premod=media challenge=always locked=false"; got != want {
		t.Fatalf("created %s, want %s", got, want)
	}
	strict.ReportThreshold, strict.Premod, strict.Challenge, strict.Locked = 1, chatpic.PremodAll, chatpic.ChallengeOff, true
	if _, err := s.UpdateChannel(ctx, strict, t0); err != nil {
		t.Fatal(err)
	}
	if got, want := settings("strict"), "threshold=1 premod=all challenge=off locked=true"; got != want {
		t.Fatalf("updated %s, want %s", got, want)
	}
}

func testLockChannel(t *testing.T, s *Store) {
	ctx := context.Background()
	mustChannel(t, s, "pics", 10, 0)
	locked := func(slug string) bool {
		t.Helper()
		st, err := s.Channel(ctx, slug, t0)
		if err != nil {
			t.Fatal(err)
		}
		return st.Locked
	}
	for _, want := range []bool{true, false} {
		if err := s.SetChannelLocked(ctx, "pics", want, byModerator("lock_channel", "pics", t0)); err != nil {
			t.Fatal(err)
		}
		if got := locked("pics"); got != want {
			t.Fatalf("locked %v, want %v", got, want)
		}
	}
	for _, slug := range []string{"nope", chatpic.LinkOnly} {
		wantKind(t, s.SetChannelLocked(ctx, slug, true, byModerator("lock_channel", slug, t0)), chatpic.KindNotFound)
	}
	if locked(chatpic.LinkOnly) {
		t.Fatal("the link-only channel was locked")
	}
	if n := len(mustAudit(t, s)); n != 2 {
		t.Fatalf("%d audit entries, want 2 (refusals write none)", n)
	}
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

func testChannelSettings(t *testing.T, s *Store) {
	ctx := context.Background()
	c := chatpic.Channel{Slug: "pics", Title: "Pics", Capacity: 7, TTL: time.Hour, CreatedAt: t0,
		ReportThreshold: 5, Premod: chatpic.PremodAll, Challenge: chatpic.ChallengeAlways, Locked: true}
	if err := s.CreateChannel(ctx, c); err != nil {
		t.Fatal(err)
	}
	got, err := s.ChannelSettings(ctx, "pics")
	if err != nil || got != c {
		t.Fatalf("ChannelSettings = %+v, %v; want %+v", got, err, c)
	}
	if _, err := s.ChannelSettings(ctx, "nope"); chatpic.ErrorKind(err) != chatpic.KindNotFound {
		t.Fatalf("an unknown channel: %v, want not found", err)
	}
}
