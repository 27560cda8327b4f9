package events_test

import (
	"context"
	cryptorand "crypto/rand"
	"database/sql"
	"io"
	"log/slog"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/chatpic/chatpic/internal/events"
	"github.com/chatpic/chatpic/internal/sqlstore"
)

// The tests of Shared run instances on a real PostgreSQL database, each
// test in a schema of its own (as sqlstore's tests do). Each instance has
// a sqlstore.Store of its own, with its own pool, as a server process
// would.

// postgresEnv names the PostgreSQL database the tests may use, e.g.
// postgres://postgres@127.0.0.1:5432/test?sslmode=disable.
const postgresEnv = "CHATPIC_TEST_POSTGRES"

// database creates a schema with a random name, dropped when the test
// ends, and returns the DSN that puts it first on the search path.
func database(t *testing.T) string {
	t.Helper()
	dsn := os.Getenv(postgresEnv)
	if dsn == "" {
		t.Skip(postgresEnv + " not set: the Shared broker's PostgreSQL tests are skipped")
	}
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatalf("%s: %v", postgresEnv, err)
	}
	schema := "chatpic_test_" + strings.ToLower(cryptorand.Text()[:16])
	admin(t, dsn, `CREATE SCHEMA `+schema)
	t.Cleanup(func() { admin(t, dsn, `DROP SCHEMA `+schema+` CASCADE`) })
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// admin runs query on its own connection to dsn and returns the first
// column of each row.
func admin(t *testing.T, dsn, query string, args ...any) []int64 {
	t.Helper()
	db, err := sql.Open("pgx", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.QueryContext(context.Background(), query, args...)
	if err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var v int64
		if err := rows.Scan(&v); err != nil {
			t.Fatalf("%s: %v", query, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	return out
}

// instance is one server process: a store with its own pool and a Shared
// broker on it.
type instance struct {
	store  *sqlstore.Store
	broker *events.Shared
}

// newInstance opens an instance on the database dsn. Its pump runs from
// start until the test ends.
func newInstance(t *testing.T, dsn string, opts events.Options, poll time.Duration) *instance {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	b, err := events.NewShared(context.Background(), st, opts, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if poll > 0 {
		events.SetPoll(b, poll)
	}
	return &instance{store: st, broker: b}
}

// start runs the instance's pump until the test ends.
func (in *instance) start(t *testing.T) *instance {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- in.broker.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Run: %v", err)
		}
	})
	return in
}

func runningInstance(t *testing.T, dsn string, opts events.Options) *instance {
	t.Helper()
	return newInstance(t, dsn, opts, 0).start(t)
}

// pair is a Broker whose events are published on one instance and
// subscribed to on another.
type pair struct{ pub, sub events.Broker }

func (p pair) Publish(ctx context.Context, topic, typ string, data []byte) (events.Event, error) {
	return p.pub.Publish(ctx, topic, typ, data)
}

func (p pair) Subscribe(ctx context.Context, topic string, lastID uint64) (*events.Subscription, error) {
	return p.sub.Subscribe(ctx, topic, lastID)
}

// next returns the next event of s within within, failing the test if
// Events is closed or nothing arrives.
func next(t *testing.T, s *events.Subscription, within time.Duration) events.Event {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	select {
	case ev, ok := <-s.Events():
		if !ok {
			t.Fatalf("events closed (dropped=%v)", s.Dropped())
		}
		return ev
	case <-timer.C:
		t.Fatalf("no event within %v", within)
	}
	return events.Event{}
}

// nextIDs returns the IDs of the next n events of s.
func nextIDs(t *testing.T, s *events.Subscription, n int) []uint64 {
	t.Helper()
	var ids []uint64
	for range n {
		ids = append(ids, next(t, s, 10*time.Second).ID)
	}
	return ids
}

// quiet fails the test if an event is waiting on s.
func quiet(t *testing.T, s *events.Subscription) {
	t.Helper()
	select {
	case ev, ok := <-s.Events():
		t.Fatalf("unexpected event %+v (open=%v)", ev, ok)
	default:
	}
}

func subscribe(t *testing.T, b events.Broker, topic string, lastID uint64) *events.Subscription {
	t.Helper()
	s, err := b.Subscribe(t.Context(), topic, lastID)
	if err != nil {
		t.Fatalf("Subscribe(%q, %d): %v", topic, lastID, err)
	}
	t.Cleanup(s.Close)
	return s
}

func publish(t *testing.T, b events.Broker, topic, data string) events.Event {
	t.Helper()
	ev, err := b.Publish(t.Context(), topic, events.TypePost, []byte(data))
	if err != nil {
		t.Fatalf("Publish(%q): %v", topic, err)
	}
	return ev
}
