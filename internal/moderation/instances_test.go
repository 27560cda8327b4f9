package moderation

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/pow"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// postgresEnv names the PostgreSQL database the tests may use, as in
// internal/sqlstore: each test works in a schema of its own.
const postgresEnv = "CHATPIC_TEST_POSTGRES"

// sharedDatabase returns the DSN of a new, empty database of the dialect
// that lasts as long as the test, or skips the test.
func sharedDatabase(t *testing.T, dialect string) string {
	t.Helper()
	if dialect == "sqlite" {
		return filepath.Join(t.TempDir(), "chatpic.db")
	}
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skip(postgresEnv + " not set: PostgreSQL suite skipped")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	b := make([]byte, 8)
	rand.Read(b)
	schema := "chatpic_test_" + hex.EncodeToString(b)
	admin := func(query string) {
		t.Helper()
		db, err := sql.Open("pgx", dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.ExecContext(context.Background(), query); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
	}
	admin(`CREATE SCHEMA ` + schema)
	t.Cleanup(func() { admin(`DROP SCHEMA ` + schema + ` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// instance is one server process's moderation use-cases, over a Store of
// its own, wired as cmd/chatpic wires them on PostgreSQL.
type instance struct {
	db    *sqlstore.Store
	keys  *keyring.Ring
	guard *Guard
	mods  *Service
}

type quietAnnouncer struct{}

func (quietAnnouncer) Discard(context.Context, chatpic.GoneReason, ...chatpic.Post) {}
func (quietAnnouncer) FileRemoved(context.Context, chatpic.Post, int)               {}
func (quietAnnouncer) Hidden(context.Context, chatpic.Post)                         {}
func (quietAnnouncer) Appeared(context.Context, chatpic.Post)                       {}

func newInstance(t *testing.T, dsn string, now func() time.Time, gc GuardConfig) instance {
	t.Helper()
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	keys := keyring.NewShared(db)
	keys.SetClientPeriod(24*time.Hour, time.Hour)
	if err := keys.Refresh(ctx, now()); err != nil {
		t.Fatal(err)
	}
	gc.Shared = db
	guard := NewGuard(db, keys, now, gc)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	mods := New(db, nil, log, now, keys, guard, nil, quietAnnouncer{},
		Config{Accounts: limit.Rule{Events: 3, Per: time.Hour}})
	return instance{db: db, keys: keys, guard: guard, mods: mods}
}

// TestTwoInstances runs two instances on one database, as two processes
// behind a load balancer would, and checks that a client is one client to
// both: the same keys, one rate limit, one ban, one use of a challenge,
// one vote and one report.
func TestTwoInstances(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) { testTwoInstances(t, dialect) })
	}
}

func testTwoInstances(t *testing.T, dialect string) {
	ctx := context.Background()
	dsn := sharedDatabase(t, dialect)
	var mu sync.Mutex
	clock := time.Date(2026, 11, 23, 12, 0, 0, 0, time.UTC)
	now := func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		return clock
	}
	const uploads = 5
	gc := GuardConfig{ChallengeBits: 4, Limits: map[chatpic.Action]limit.Rule{
		chatpic.ActionUpload: {Events: uploads, Per: time.Hour},
		chatpic.ActionLogin:  {Events: 2, Per: time.Hour},
	}}
	a := newInstance(t, dsn, now, gc)
	b := newInstance(t, dsn, now, gc)
	both := []instance{a, b}

	open := chatpic.Channel{Slug: "open", Title: "Open", Capacity: 100, Challenge: chatpic.ChallengeOff}
	guarded := chatpic.Channel{Slug: "guarded", Title: "Guarded", Capacity: 100, Challenge: chatpic.ChallengeAlways}
	for _, ch := range []chatpic.Channel{open, guarded} {
		if err := a.db.CreateChannel(ctx, ch); err != nil {
			t.Fatal(err)
		}
	}
	alice, bob := netip.MustParseAddr("192.0.2.1"), netip.MustParseAddr("2001:db8::7")
	aliceKey, _ := a.keys.Client(alice, now())
	post := chatpic.Post{ID: chatpic.NewID(), Channel: "open", Item: chatpic.Item{MIME: "image/png", Ext: "png", ThumbExt: "jpg",
		Width: 1, Height: 1, Bytes: 3}, CreatedAt: now(), DeleteTokenHash: chatpic.HashToken("x"), ClientKey: aliceKey}
	post, _, err := a.db.CreatePost(ctx, post, now())
	if err != nil {
		t.Fatal(err)
	}

	t.Run("a client has the same keys on both", func(t *testing.T) {
		n := now()
		same := func(what string, fa, fb any) {
			t.Helper()
			if !equal(fa, fb) {
				t.Errorf("%s differs between the instances", what)
			}
		}
		curA, prevA := a.keys.Client(alice, n)
		curB, prevB := b.keys.Client(alice, n)
		same("the client key", curA, curB)
		same("the previous client key", prevA, prevB)
		same("the poster ID", a.keys.PosterID(post, alice, n), b.keys.PosterID(post, alice, n))
		same("the voter key", a.keys.VoterKey(post, alice, n), b.keys.VoterKey(post, alice, n))
		same("the reporter key", a.keys.Reporter(post, "", alice, n), b.keys.Reporter(post, "", alice, n))
		if equal(a.keys.PosterID(post, alice, n), b.keys.PosterID(post, bob, n)) {
			t.Error("two clients share a poster ID")
		}
		// An instance started later reads the same secrets.
		c := newInstance(t, dsn, now, gc)
		same("the poster ID on a third instance", a.keys.PosterID(post, alice, n), c.keys.PosterID(post, alice, n))
	})

	t.Run("a view ticket from A is good on B", func(t *testing.T) {
		ticket := a.keys.Ticket(post, now())
		if !b.keys.TicketValid(post, ticket, now().Add(time.Minute)) {
			t.Fatal("B refused A's ticket")
		}
		if b.keys.TicketValid(post, ticket, now().Add(5*time.Minute)) {
			t.Fatal("B took A's ticket after it ran out")
		}
	})

	t.Run("a rate limit spread over both admits exactly its events", func(t *testing.T) {
		var admitted, limited atomic.Int64
		var wg sync.WaitGroup
		for i := range 4 * uploads {
			wg.Go(func() {
				err := both[i%2].guard.Allow(ctx, chatpic.ActionUpload, bob)
				switch chatpic.ErrorKind(err) {
				case "":
					admitted.Add(1)
				case chatpic.KindRateLimited:
					limited.Add(1)
				default:
					t.Error(err)
				}
			})
		}
		wg.Wait()
		if admitted.Load() != uploads || limited.Load() != 3*uploads {
			t.Fatalf("%d admitted, %d limited; want %d admitted", admitted.Load(), limited.Load(), uploads)
		}
		if err := b.guard.Allow(ctx, chatpic.ActionUpload, alice); err != nil {
			t.Fatalf("another client: %v", err)
		}
	})

	t.Run("failed sign-ins count on both", func(t *testing.T) {
		carol := netip.MustParseAddr("198.51.100.9")
		for i, in := range []instance{a, b, a} {
			_, err := in.mods.Login(ctx, "nobody", "wrong password", carol)
			want := chatpic.KindUnauthorized
			if i == 2 {
				want = chatpic.KindRateLimited
			}
			if chatpic.ErrorKind(err) != want {
				t.Fatalf("sign-in %d: %v, want %s", i+1, err, want)
			}
		}
		// The per-account threshold (3) is shared too: a fourth attempt at
		// the account from elsewhere needs a proof of work, and a challenge
		// from A is good for it on B, once.
		_, err := b.mods.Login(ctx, "nobody", "wrong password", netip.MustParseAddr("198.51.100.10"))
		if chatpic.ErrorKind(err) != chatpic.KindUnauthorized {
			t.Fatalf("sign-in 3 on the account: %v", err)
		}
		_, err = b.mods.Login(ctx, "nobody", "wrong password", netip.MustParseAddr("198.51.100.11"))
		if chatpic.ErrorKind(err) != chatpic.KindChallenge || !strings.Contains(chatpic.ErrorMessage(err), "account") {
			t.Fatalf("sign-in 4 on the account: %v, want the account's proof of work", err)
		}
		c, err := a.mods.SignInChallenge(ctx)
		if err != nil {
			t.Fatal(err)
		}
		proven := Credentials{Name: "nobody", Password: "wrong password", Proof: c.Token + ":" + pow.Solve(c.Token, c.Bits)}
		_, err = b.mods.SignIn(ctx, proven, netip.MustParseAddr("198.51.100.12"))
		if chatpic.ErrorKind(err) != chatpic.KindUnauthorized {
			t.Fatalf("sign-in 5, with A's challenge solved, on B: %v, want the password checked", err)
		}
		_, err = a.mods.SignIn(ctx, proven, netip.MustParseAddr("198.51.100.13"))
		if chatpic.ErrorKind(err) != chatpic.KindForbidden || !strings.Contains(chatpic.ErrorMessage(err), "already used") {
			t.Fatalf("the same solution again, on A: %v, want it refused as used", err)
		}
	})

	t.Run("a ban made via A holds on B", func(t *testing.T) {
		if err := b.guard.Admit(ctx, chatpic.ActionComment, open, alice, ""); err != nil {
			t.Fatalf("before the ban: %v", err)
		}
		if err := a.mods.BanPoster(ctx, CLI, Target{PostID: post.ID}, "spam"); err != nil {
			t.Fatal(err)
		}
		err := b.guard.Admit(ctx, chatpic.ActionComment, open, alice, "")
		if chatpic.ErrorKind(err) != chatpic.KindForbidden {
			t.Fatalf("after the ban, on B: %v; want forbidden", err)
		}
		if err := b.guard.Admit(ctx, chatpic.ActionComment, open, bob, ""); err != nil {
			t.Fatalf("another client after the ban: %v", err)
		}
	})

	t.Run("a challenge from A is good on B, once", func(t *testing.T) {
		c, err := a.guard.Challenge(ctx, guarded)
		if err != nil || !c.Required {
			t.Fatalf("Challenge = %+v, %v", c, err)
		}
		proof := c.Token + ":" + pow.Solve(c.Token, c.Bits)
		dave := netip.MustParseAddr("203.0.113.4")
		if err := b.guard.Admit(ctx, chatpic.ActionComment, guarded, dave, proof); err != nil {
			t.Fatalf("A's challenge on B: %v", err)
		}
		for _, in := range both {
			err := in.guard.Admit(ctx, chatpic.ActionComment, guarded, dave, proof)
			if chatpic.ErrorKind(err) != chatpic.KindForbidden || !strings.Contains(chatpic.ErrorMessage(err), "already used") {
				t.Fatalf("the challenge used again: %v", err)
			}
		}
	})

	t.Run("one vote and one report per client across both", func(t *testing.T) {
		for _, in := range both {
			score, err := in.db.Vote(ctx, post.ID, in.keys.VoterKey(post, bob, now()), 1, now())
			if err != nil || score != 1 {
				t.Fatalf("vote: score %d, %v; want 1", score, err)
			}
			if _, err := in.mods.Report(ctx, Target{PostID: post.ID}, "spam", "", bob); err != nil {
				t.Fatal(err)
			}
		}
		reasons, err := a.db.OpenReasons(ctx, post.ID, "")
		if err != nil || reasons[chatpic.ReasonSpam] != 1 {
			t.Fatalf("open reports %v, %v; want one spam report", reasons, err)
		}
	})

	t.Run("both rotate to the same client secret", func(t *testing.T) {
		before, _ := a.keys.Client(alice, now())
		mu.Lock()
		clock = clock.Truncate(24 * time.Hour).Add(24*time.Hour + 10*time.Minute) // in the grace
		mu.Unlock()
		for _, in := range both {
			if err := in.guard.Allow(ctx, chatpic.ActionVote, alice); err != nil {
				t.Fatal(err)
			}
		}
		curA, prevA := a.keys.Client(alice, now())
		curB, prevB := b.keys.Client(alice, now())
		if !bytes.Equal(curA, curB) || bytes.Equal(curA, before) || !bytes.Equal(prevA, before) || !bytes.Equal(prevB, before) {
			t.Fatal("after the rotation the instances disagree, or the previous key is not the old one")
		}
	})
}

func equal(x, y any) bool {
	if bx, ok := x.([]byte); ok {
		by, ok := y.([]byte)
		return ok && bytes.Equal(bx, by)
	}
	return x == y
}
