package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// queueCases are the cases for the moderators' queue and their decisions on posts and comments.
var queueCases = []conformanceCase{
	{"the queue lists hidden, pending and reported items, most serious first", testQueue},
	{"the queue respects its limit", testQueueLimit},
	{"the queue's limit keeps the most serious items", testQueueLimitKeepsSerious},
	{"remove post leaves a tombstone with the statement and an audit entry", testRemovePost},
	{"restore post shows a hidden post again and starts a new count", testRestorePost},
	{"removing a comment forgets its body and client key, not its number", testRemoveComment},
	{"restoring a hidden comment shows it again", testRestoreComment},
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
