package web

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/request"
)

// newPages returns a Web that can render pages but reach no data.
func newPages(t *testing.T) *Web {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	posts := posting.New(nil, nil, log, func() time.Time { return t0 }, posting.Config{})
	w, err := New(posts, nil, request.NewOrigin(nil, nil), log)
	if err != nil {
		t.Fatal(err)
	}
	return w
}

var inlineHandler = regexp.MustCompile(`\son[a-z]+=`)

// TestEveryPageRenders renders each page with sample data, so a template
// that breaks on some field fails here and not in front of a visitor.
func TestEveryPageRenders(t *testing.T) {
	w := newPages(t)
	ch := chatpic.ChannelStats{Channel: chatpic.Channel{Slug: "random", Title: "Random", Capacity: 100, Locked: true}, Count: 3}
	post := chatpic.Post{ID: "AAAAAAAAAAAAAAAAAAAA", Channel: "random", Item: chatpic.Item{Kind: chatpic.Image, Ext: "png", ThumbExt: "jpg",
		Width: 30, Height: 20}, CreatedAt: t0, Status: chatpic.StatusHidden}
	comment := chatpic.Comment{ID: "BBBBBBBBBBBBBBBBBBBB", PostID: post.ID, Number: 1, Body: "hi >>1", CreatedAt: t0}
	removed := chatpic.Comment{ID: "CCCCCCCCCCCCCCCCCCCC", PostID: post.ID, Number: 2, Status: chatpic.StatusRemoved, CreatedAt: t0}
	me := modBase{Title: "Queue", Me: chatpic.Moderator{Name: "ada", Admin: true}, Done: "Removed."}
	pow := powChallenge{Channel: "random", Token: "tok", Bits: 17}
	jpeg, _ := media.Lookup(media.JPEG)
	item := func(c *chatpic.Comment) moderation.Item {
		return moderation.Item{HashMatch: true, QueueItem: chatpic.QueueItem{Post: post, Comment: c, Status: chatpic.StatusHidden,
			Reports: map[chatpic.ReportReason]int{chatpic.ReasonNCII: 2}, Notes: []string{"<b>me</b>"}, Severity: 4, LastReportAt: t0}}
	}
	pages := map[string]struct {
		data any
		want string
	}{
		"home":    {homePage{Channels: []chatpic.ChannelStats{ch}}, "Random"},
		"channel": {channelPage{Channel: ch, Posts: []chatpic.Post{post}, Pow: pow}, "read-only"},
		"post": {postPage{Post: post, Channel: ch, Comments: []chatpic.Comment{comment, removed}, Pow: pow},
			"Removed by the moderators."},
		"message": {messagePage{Heading: "Gone", Text: "Removed.", Retry: "You can try again in 1 minute."}, "try again"},
		"uploads": {uploadsPage{Title: "Uploaded in part", Back: "/c/random",
			Posts:   []createdLink{{File: 1, ID: post.ID, ShareURL: "http://x/p/" + post.ID, DeleteURL: "http://x/d/" + post.ID + "/tok", Token: "tok"}},
			Refused: []chatpic.FileRefusal{{File: 2, Kind: chatpic.KindUnsupported, Message: "not a picture"}}}, "File 2: Not a picture."},
		"delete":       {deletePage{Post: post, Token: "tok", ThumbSrc: "/t/x.jpg", Alt: "a"}, `action="/d/AAAAAAAAAAAAAAAAAAAA/tok"`},
		"pending":      {pendingPage{Post: post, Channel: ch, ShareURL: "http://x/p/" + post.ID, DeleteToken: "t"}, "waiting for review"},
		"report":       {reportPage{Error: "No.", Link: "x", Reason: "spam", Note: "n", Retry: "Later."}, `value="spam" required checked`},
		"filed":        {filedPage{Receipt: "ABCD-EFGH-JKLM-NPQR", StatusURL: "http://x/report/status/ABCD-EFGH-JKLM-NPQR", Back: "/"}, "ABCD-EFGH-JKLM-NPQR"},
		"receipt":      {receiptPage{Code: "C", Status: moderation.ReceiptStatus{Received: t0, Reason: chatpic.ReasonSpam, State: "removed", Statement: "Spam."}}, "Spam."},
		"transparency": {transparencyPage{Months: []monthView{monthOf(w.lang(httptest.NewRequest("GET", "/", nil)), chatpic.Month{Month: "2026-11", Reviewed: 2, MedianReview: 3 * time.Hour})}}, "3 hours"},
		"mod-login":    {loginPage{Error: "No.", Retry: "Later."}, "Later."},
		"mod-queue":    {queuePage{modBase: me, Items: []queueRow{rowOf(item(nil)), rowOf(item(&comment))}}, "&lt;b&gt;me&lt;/b&gt;"},
		"mod-channels": {channelsPage{modBase: me, Channels: []channelRow{{ChannelStats: ch, TTL: "0"}}}, "Open it again"},
		"mod-audit": {auditPage{modBase: me, Next: 7, Entries: []chatpic.AuditEntry{{ID: 8, At: t0, Action: "remove_post",
			Target: post.ID, Reason: "r", Category: chatpic.ReasonSpam}}}, "before=7"},
		"share": {sharePage{Channels: []chatpic.ChannelStats{ch},
			Share: posting.Share{ID: "1764000000-x", ExpiresAt: t0.Add(chatpic.ShareHold),
				Files: []posting.SharedFile{{Format: jpeg, Size: 2048}}}}, `alt="The picture you shared"`},
		"mod-moderators": {moderatorsPage{modBase: me, Moderators: []chatpic.Moderator{{Name: "ada", Admin: true}, {Name: "mo"}}}, "/mod/moderators/mo/remove"},
	}
	for _, name := range pageNames {
		t.Run(name, func(t *testing.T) {
			p, ok := pages[name]
			if !ok {
				t.Fatalf("no sample data for page %s", name)
			}
			rec := httptest.NewRecorder()
			w.render(rec, httptest.NewRequest("GET", "/", nil), http.StatusOK, name, p.data)
			wantPage(t, rec, http.StatusOK, p.want, `href="/report"`, `href="/transparency"`)
			if body := rec.Body.String(); strings.Contains(body, "<script>") || strings.Contains(body, "<style") ||
				strings.Contains(body, " style=") || inlineHandler.MatchString(body) {
				t.Error("an inline script or style, which the CSP refuses")
			}
		})
	}
}

func TestChannelEdit(t *testing.T) {
	hour, zero := time.Hour, time.Duration(0)
	tests := []struct {
		name    string
		form    url.Values
		wantTTL *time.Duration
		wantErr bool
	}{
		{"blank fields change nothing", url.Values{"capacity": {""}, "ttl": {""}}, nil, false},
		{"a duration", url.Values{"ttl": {"1h"}}, &hour, false},
		{"no expiry", url.Values{"ttl": {"0"}}, &zero, false},
		{"not a duration", url.Values{"ttl": {"soon"}}, nil, true},
		{"not a number", url.Values{"capacity": {"many"}}, nil, true},
		{"an unknown premod", url.Values{"premod": {"some"}}, nil, true},
		{"an unknown challenge", url.Values{"challenge": {"maybe"}}, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e, err := channelEdit(tt.form)
			if (err != nil) != tt.wantErr {
				t.Fatalf("err %v, want error %v", err, tt.wantErr)
			}
			if err == nil && (e.TTL == nil) != (tt.wantTTL == nil) || e.TTL != nil && tt.wantTTL != nil && *e.TTL != *tt.wantTTL {
				t.Errorf("ttl %v, want %v", e.TTL, tt.wantTTL)
			}
		})
	}
	for _, d := range []time.Duration{0, time.Hour, 90 * time.Minute, 7 * 24 * time.Hour, 36 * time.Hour, 90 * time.Second} {
		e, err := channelEdit(url.Values{"ttl": {shortDuration(d)}})
		if err != nil || *e.TTL != d {
			t.Errorf("%v as %q reads back as %v, %v", d, shortDuration(d), e.TTL, err)
		}
	}
}
