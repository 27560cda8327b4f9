package sqlstore

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/chatpic/chatpic"
)

// migrationNames returns the file names of a dialect's migrations.
func migrationNames(t *testing.T, d *dialect) []string {
	t.Helper()
	all, err := migrationsFor(d)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, m := range all {
		names = append(names, m.name)
	}
	return names
}

func TestMigrationsInStep(t *testing.T) {
	sqlite, postgres := migrationNames(t, newSQLiteDialect()), migrationNames(t, newPostgresDialect())
	if len(sqlite) == 0 || !slices.Equal(sqlite, postgres) {
		t.Fatalf("sqlite migrations %v, postgres %v: want the same numbers and names", sqlite, postgres)
	}
}

func TestMigrationsAreIdempotent(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		dsn := d.database(t)
		for i := range 3 {
			s, err := Open(context.Background(), dsn)
			if err != nil {
				t.Fatalf("open #%d: %v", i+1, err)
			}
			if _, err := s.Seed(context.Background(), chatpic.DefaultChannels(), t0); err != nil {
				t.Fatal(err)
			}
			s.Close()
		}
	})
}

func TestMigrateExplicitly(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		all := migrationNames(t, newSQLiteDialect())
		dsn := d.database(t)
		s, err := OpenWith(ctx, dsn, Options{SkipMigrations: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		steps := []struct {
			name    string
			migrate bool // Migrate, or else Pending
			want    []string
		}{
			{"a new database has every migration pending", false, all},
			{"migrate applies them all", true, all},
			{"then none is pending", false, nil},
			{"and migrating again applies none", true, nil},
		}
		for _, st := range steps {
			got, err := s.Pending(ctx)
			if st.migrate {
				got, err = s.Migrate(ctx)
			}
			if err != nil || !slices.Equal(got, st.want) {
				t.Fatalf("%s: %v, %v; want %v", st.name, got, err, st.want)
			}
		}
		if _, err := s.Seed(ctx, chatpic.DefaultChannels(), t0); err != nil {
			t.Fatalf("the migrated store: %v", err)
		}
		again := openForTest(t, dsn)
		if pending, err := again.Pending(ctx); err != nil || len(pending) != 0 {
			t.Fatalf("after Open: pending %v, %v", pending, err)
		}
	})
}

// TestConcurrentMigrate starts instances at once on a new database: each
// migration is applied by exactly one of them, and none fails.
func TestConcurrentMigrate(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		dsn := d.database(t)
		const instances = 4
		var mu sync.Mutex
		var applied []string
		var wg sync.WaitGroup
		for range instances {
			s, err := OpenWith(ctx, dsn, Options{SkipMigrations: true})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			wg.Go(func() {
				names, err := s.Migrate(ctx)
				if err != nil {
					t.Error(err)
				}
				mu.Lock()
				applied = append(applied, names...)
				mu.Unlock()
			})
		}
		wg.Wait()
		slices.Sort(applied)
		if want := migrationNames(t, newSQLiteDialect()); !slices.Equal(applied, want) {
			t.Fatalf("applied %v between them, want each of %v once", applied, want)
		}
	})
}

// TestThumbMIMEFilled checks that the migration recording a thumbnail's
// type gives the posts made before it the type their thumbnail's
// extension told, so they are still served with it.
func TestThumbMIMEFilled(t *testing.T) {
	eachDialect(t, func(t *testing.T, d testDialect) {
		ctx := context.Background()
		s, err := OpenWith(ctx, d.database(t), Options{SkipMigrations: true})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		all, err := migrationsFor(s.d)
		if err != nil {
			t.Fatal(err)
		}
		i := slices.IndexFunc(all, func(m migration) bool { return m.name == "0010_thumb_mime.sql" })
		if i < 0 {
			t.Fatal("no migration 0010_thumb_mime.sql")
		}
		for _, m := range all[:i] {
			if _, err := s.apply(ctx, m); err != nil {
				t.Fatalf("%s: %v", m.name, err)
			}
		}
		// The channel as 0001 made them: Seed writes today's columns.
		if _, err := s.write.ExecContext(ctx, `INSERT INTO channels (slug, title, capacity, created_at) VALUES ('random', 'Random', 100, 0)`); err != nil {
			t.Fatal(err)
		}
		want := map[string]string{"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
		ids := map[string]string{}
		for ext := range want {
			p := newPost("random", t0, 0)
			ids[ext] = p.ID
			if _, err := s.write.ExecContext(ctx, `INSERT INTO posts (id, channel, seq, mime, ext, thumb_ext, width, height, bytes,
				sha256, created_at, delete_token_hash) VALUES (?, 'random', ?, 'image/png', 'png', ?, 1, 1, 1, ?, 0, ?)`,
				p.ID, len(ids), ext, p.SHA256[:], p.DeleteTokenHash); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := s.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		for ext, id := range ids {
			p, err := s.Post(ctx, id, t0)
			if err != nil || p.ThumbMIME != want[ext] {
				t.Errorf("a post with a .%s thumbnail reads back with %q, %v; want %q", ext, p.ThumbMIME, err, want[ext])
			}
		}
	})
}
