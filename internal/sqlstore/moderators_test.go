package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
)

// moderatorCases are the cases for moderator accounts, sessions, tokens and the audit log.
var moderatorCases = []conformanceCase{
	{"moderators are unique, listed by name, with their password hash", testModeratorAccounts},
	{"a new API token replaces the previous one", testModeratorToken},
	{"sessions end at their expiry and are not API tokens", testModeratorSessions},
	{"deleting a moderator ends their sessions and token", testDeleteModerator},
	{"prune sessions deletes only ended ones", testPruneSessions},
	{"the audit log pages newest first", testAuditPaging},
}

// byModerator is an audit entry for moderator mia's action at at.
func byModerator(action, target string, at time.Time) chatpic.AuditEntry {
	return chatpic.AuditEntry{At: at, Moderator: "mia", Action: chatpic.AuditAction(action), Target: target, Reason: "reviewed"}
}

func mustAudit(t *testing.T, s *Store) []chatpic.AuditEntry {
	t.Helper()
	entries, err := s.Audit(context.Background(), 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	return entries
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
			actions = append(actions, string(e.Action))
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
