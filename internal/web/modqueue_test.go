package web

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/moderation"
)

// TestQueueShowsEveryFileOfAnAlbum renders the queue with an album whose
// first file was removed, whose second a report names, and whose third
// matches a banned hash.
func TestQueueShowsEveryFileOfAnAlbum(t *testing.T) {
	w := newPages(t)
	const id = "AAAAAAAAAAAAAAAAAAAA"
	it := chatpic.Item{Kind: chatpic.Image, Ext: "jpg", ThumbExt: "jpg", Width: 30, Height: 20}
	post := chatpic.Post{ID: id, Channel: "random", Item: it, More: []chatpic.Item{it, it}, CreatedAt: t0, Status: chatpic.StatusHidden}
	post.Item.Removed = true
	row := rowOf(moderation.Item{HashMatch: true, MatchingFiles: []int{3}, QueueItem: chatpic.QueueItem{Post: post,
		Status: chatpic.StatusHidden, Reports: map[chatpic.ReportReason]int{chatpic.ReasonSpam: 1},
		FileReports: map[int]int{2: 1}, Severity: 2, LastReportAt: t0}})
	if len(row.Files) != 3 {
		t.Fatalf("%d file rows, want 3", len(row.Files))
	}
	rec := httptest.NewRecorder()
	w.render(rec, httptest.NewRequest("GET", "/mod", nil), http.StatusOK, "mod-queue",
		queuePage{modBase: modBase{Title: "Queue", Me: chatpic.Moderator{Name: "ada"}}, Items: []queueRow{row}})
	body := rec.Body.String()
	tests := []struct {
		name string
		text string
		want bool
	}{
		{"no preview of the removed file", `src="/mod/preview/` + id + `"`, false},
		{"no removal of the removed file", `action="/mod/posts/` + id + `/files/1/remove"`, false},
		{"the removed file is marked", `File 1 <span class="state">removed</span>`, true},
		{"a preview of file 2", `src="/mod/preview/` + id + `-2"`, true},
		{"a preview of file 3", `src="/mod/preview/` + id + `-3"`, true},
		{"file 2 is marked as reported", `File 2 <span class="badge">named by 1 report</span>`, true},
		{"file 3 is marked as matching", `File 3 <span class="badge">matches a banned picture</span>`, true},
		{"a removal of file 2", `action="/mod/posts/` + id + `/files/2/remove"`, true},
		{"the whole album's removal", "Remove the whole album", true},
		{"a ban of every file", "Ban every file of the album", true},
		{"the reveal boxes are apart", `id="reveal-` + id + `-3"`, true},
	}
	for _, tt := range tests {
		if got := strings.Contains(body, tt.text); got != tt.want {
			t.Errorf("%s: contains %q = %v, want %v", tt.name, tt.text, got, tt.want)
		}
	}
	// The matching file's ban is ticked from the start, and the whole
	// album's, not file 2's: a spam report is not serious enough.
	if n := strings.Count(body, `name="ban" value="1" checked`); n != 2 {
		t.Errorf("%d ban boxes ticked, want 2 (file 3's and the album's)", n)
	}
	if !row.Files[2].Ban || row.Files[1].Ban {
		t.Errorf("file bans ticked %v, %v; want file 3's only", row.Files[1].Ban, row.Files[2].Ban)
	}
}

func TestAuditLink(t *testing.T) {
	const id = "AAAAAAAAAAAAAAAAAAAA"
	tests := []struct {
		name  string
		entry chatpic.AuditEntry
		want  string
	}{
		{"a removed post", chatpic.AuditEntry{Action: chatpic.AuditRemovePost, Target: id}, "/p/" + id},
		{"a removed file", chatpic.AuditEntry{Action: chatpic.AuditRemoveFile, Target: id + "-2"}, "/p/" + id},
		{"a removed first file", chatpic.AuditEntry{Action: chatpic.AuditRemoveFile, Target: id}, "/p/" + id},
		{"a removed file's ban", chatpic.AuditEntry{Action: chatpic.AuditBanHashes, Target: id + "-3"}, "/p/" + id},
		{"a file name that is not one", chatpic.AuditEntry{Action: chatpic.AuditRemoveFile, Target: id + "-1"}, ""},
		{"a channel", chatpic.AuditEntry{Action: chatpic.AuditLockChannel, Target: "random"}, "/c/random"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := auditLink(tt.entry); got != tt.want {
				t.Errorf("auditLink = %q, want %q", got, tt.want)
			}
		})
	}
}
