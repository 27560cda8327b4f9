package moderation

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// recordingAnnouncer keeps what the use-cases announced as gone.
type recordingAnnouncer struct {
	quietAnnouncer
	gone []string // "reason id"
}

func (a *recordingAnnouncer) Discard(_ context.Context, reason chatpic.GoneReason, posts ...chatpic.Post) {
	for _, p := range posts {
		a.gone = append(a.gone, string(reason)+" "+p.ID)
	}
}

// TestChannelUseCases walks the channel use-cases that the moderation UI
// and the command line share, over real SQLite: who may do what, what each
// refuses, what it audits, and what it announces as gone.
func TestChannelUseCases(t *testing.T) {
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "chatpic.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	now := func() time.Time { return time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC) }
	keys := keyring.New()
	guard := NewGuard(db, keys, now, GuardConfig{})
	announced := &recordingAnnouncer{}
	mods := New(db, nil, slog.New(slog.NewTextHandler(io.Discard, nil)), now, keys, guard, NewHashList(db, 31), announced, Config{})
	mod := chatpic.Moderator{Name: "mo"}
	admin := chatpic.Moderator{Name: "ada", Admin: true}
	post := func(id string) {
		t.Helper()
		_, tokenHash := chatpic.NewToken()
		p := chatpic.Post{ID: id, Channel: "cats", Item: chatpic.Item{Kind: chatpic.Image, MIME: "image/png", Ext: "png", ThumbExt: "png",
			Width: 1, Height: 1}, CreatedAt: now(), DeleteTokenHash: tokenHash}
		if _, _, err := db.CreatePost(ctx, p, now()); err != nil {
			t.Fatal(err)
		}
	}
	ids := []string{chatpic.NewID(), chatpic.NewID(), chatpic.NewID()}
	title := "Cats!"
	capacity := 1

	steps := []struct {
		name     string
		do       func() error
		wantKind chatpic.Kind // "" for success
	}{
		{"a moderator may not add a channel", func() error {
			return mods.AddChannel(ctx, mod, chatpic.Channel{Slug: "cats", Title: "Cats", Capacity: 3}, "")
		}, chatpic.KindForbidden},
		{"an admin adds one", func() error {
			return mods.AddChannel(ctx, admin, chatpic.Channel{Slug: "cats", Title: "Cats", Capacity: 3}, "for cat pictures")
		}, ""},
		{"the command line adds one", func() error {
			return mods.AddChannel(ctx, CLI, chatpic.Channel{Slug: "dogs", Title: "Dogs", Capacity: 3}, "")
		}, ""},
		{"a taken slug", func() error {
			return mods.AddChannel(ctx, CLI, chatpic.Channel{Slug: "cats", Title: "Again", Capacity: 3}, "")
		}, chatpic.KindConflict},
		{"a bad slug", func() error {
			return mods.AddChannel(ctx, CLI, chatpic.Channel{Slug: "Bad Slug", Title: "x", Capacity: 3}, "")
		}, chatpic.KindInvalid},
		{"three uploads", func() error {
			for _, id := range ids {
				post(id)
			}
			return nil
		}, ""},
		{"a moderator may not edit", func() error {
			_, err := mods.EditChannel(ctx, mod, "cats", ChannelEdit{Title: &title}, "")
			return err
		}, chatpic.KindForbidden},
		{"the command line edits the title and evicts by capacity", func() error {
			evicted, err := mods.EditChannel(ctx, CLI, "cats", ChannelEdit{Title: &title, Capacity: &capacity}, "smaller")
			if err == nil && len(evicted) != 2 {
				t.Errorf("%d evicted, want 2", len(evicted))
			}
			return err
		}, ""},
		{"a moderator may not remove", func() error { _, err := mods.RemoveChannel(ctx, mod, "cats", true, ""); return err }, chatpic.KindForbidden},
		{"uploads remain without force", func() error { _, err := mods.RemoveChannel(ctx, CLI, "cats", false, ""); return err }, chatpic.KindConflict},
		{"an unknown channel", func() error { _, err := mods.RemoveChannel(ctx, CLI, "nope", true, ""); return err }, chatpic.KindNotFound},
		{"removed with force", func() error {
			gone, err := mods.RemoveChannel(ctx, CLI, "cats", true, "closing")
			if err == nil && (len(gone) != 1 || gone[0].ID != ids[2]) {
				t.Errorf("removed %v, want the newest upload", gone)
			}
			return err
		}, ""},
		{"an empty channel needs no force", func() error { _, err := mods.RemoveChannel(ctx, CLI, "dogs", false, ""); return err }, ""},
	}
	for _, st := range steps {
		err := st.do()
		if chatpic.ErrorKind(err) != st.wantKind && !(st.wantKind == "" && err == nil) {
			t.Fatalf("%s: %v (kind %q), want kind %q", st.name, err, chatpic.ErrorKind(err), st.wantKind)
		}
	}

	wantGone := []string{"evicted " + ids[0], "evicted " + ids[1], "removed " + ids[2]}
	if strings.Join(announced.gone, ", ") != strings.Join(wantGone, ", ") {
		t.Errorf("announced %v, want %v", announced.gone, wantGone)
	}
	entries, err := mods.Audit(ctx, admin, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Moderator+"|"+string(e.Action)+"|"+e.Target+"|"+e.Reason)
	}
	want := []string{
		"|remove_channel|dogs|with 0 uploads",
		"|remove_channel|cats|closing",
		"|edit_channel|cats|smaller",
		"|add_channel|dogs|keeps the newest 3",
		"ada|add_channel|cats|for cat pictures",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("audit, newest first:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
