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

// banCases are the cases for hash bans and poster bans.
var banCases = []conformanceCase{
	{"hash bans skip duplicates and page by ID", testHashBans},
	{"poster bans last until they end and keep the later end", testPosterBans},
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
