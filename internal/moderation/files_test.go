package moderation

import (
	"context"
	"io"
	"log/slog"
	"net/netip"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/storage/storagetest"
)

// TestReportFile checks the file a report names against its upload, over
// real SQLite, and what is stored.
func TestReportFile(t *testing.T) {
	ctx := context.Background()
	st := storagetest.Open(t, chatpic.Channel{Slug: "cats", Title: "Cats", Capacity: 10, ReportThreshold: 5})
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { return clock }
	keys := keyring.New()
	mods := New(st.DB, st.Blobs, slog.New(slog.NewTextHandler(io.Discard, nil)), now, keys, NewGuard(st.DB, keys, now, GuardConfig{}),
		NewHashList(st.DB, 31), quietAnnouncer{}, Config{})
	post := func(files int) chatpic.Post {
		t.Helper()
		_, tokenHash := chatpic.NewToken()
		it := chatpic.Item{Kind: chatpic.Image, MIME: "image/png", Ext: "png", ThumbExt: "png", Width: 1, Height: 1}
		p := chatpic.Post{ID: chatpic.NewID(), Channel: "cats", Item: it, CreatedAt: clock, DeleteTokenHash: tokenHash}
		for range files - 1 {
			p.More = append(p.More, it)
		}
		if _, _, err := st.DB.CreatePost(ctx, p, clock); err != nil {
			t.Fatal(err)
		}
		return p
	}
	album, single := post(3), post(1)
	if _, _, err := st.DB.RemoveFile(ctx, album.ID, 3, "gone", chatpic.AuditEntry{At: clock, Action: chatpic.AuditRemoveFile, Target: album.FileName(3)}, clock); err != nil {
		t.Fatal(err)
	}
	c, err := st.DB.AddComment(ctx, chatpic.Comment{ID: chatpic.NewID(), PostID: album.ID, Body: "hi", CreatedAt: clock}, clock)
	if err != nil {
		t.Fatal(err)
	}

	tests := []struct {
		name     string
		target   Target
		wantKind chatpic.Kind
		wantFile int // stored: the open report's file
	}{
		{"file 2 of an album", Target{PostID: album.ID, File: 2}, "", 2},
		{"the whole album", Target{PostID: album.ID}, "", 0},
		{"a file past the album's last", Target{PostID: album.ID, File: 4}, chatpic.KindInvalid, 0},
		{"a negative file", Target{PostID: album.ID, File: -1}, chatpic.KindInvalid, 0},
		{"a file removed already", Target{PostID: album.ID, File: 3}, chatpic.KindGone, 0},
		{"a file and a comment", Target{PostID: album.ID, CommentID: c.ID, File: 2}, chatpic.KindInvalid, 0},
		{"file 1 of a single upload is the upload", Target{PostID: single.ID, File: 1}, "", 0},
		{"file 2 of a single upload", Target{PostID: single.ID, File: 2}, chatpic.KindInvalid, 0},
	}
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			client := netip.AddrFrom4([4]byte{192, 0, 2, byte(i + 1)})
			_, err := mods.Report(ctx, tt.target, "spam", "", client)
			if chatpic.ErrorKind(err) != tt.wantKind {
				t.Fatalf("Report: %v, want kind %q", err, tt.wantKind)
			}
			if tt.wantKind != "" {
				return
			}
			q, err := st.DB.Queue(ctx, 10, clock)
			if err != nil {
				t.Fatal(err)
			}
			for _, it := range q {
				if it.Post.ID == tt.target.PostID && it.Comment == nil {
					if tt.wantFile != 0 && it.FileReports[tt.wantFile] == 0 {
						t.Errorf("file reports %v lack file %d", it.FileReports, tt.wantFile)
					}
					if tt.wantFile == 0 && tt.target.PostID == single.ID && len(it.FileReports) != 0 {
						t.Errorf("file reports %v of a single upload, want none", it.FileReports)
					}
					return
				}
			}
			t.Fatalf("the reported upload is not in the queue %+v", q)
		})
	}
}
