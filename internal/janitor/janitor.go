// Package janitor cleans up after retention and crashes: it removes posts
// whose time ran out (reads already hide them), files that no post
// references, posts whose file went missing, and shared files (the web
// app's share target) held past their time. The background loop and the
// "chatpic janitor" command run the same Run.
package janitor

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
)

// Store is the metadata the janitor needs. *sqlstore.Store implements it.
type Store interface {
	ExpirePosts(ctx context.Context, now time.Time, limit int) ([]chatpic.Post, error)
	PostExists(ctx context.Context, id string) (bool, error)
	ScanPosts(ctx context.Context, after string, limit int) ([]chatpic.Post, error)
	DeletePost(ctx context.Context, id string, reason chatpic.GoneReason, now time.Time) (chatpic.Post, error)
	PruneSessions(ctx context.Context, now time.Time) (int, error)
	PruneBans(ctx context.Context, now time.Time) (int, error)
	PruneShared(ctx context.Context, now time.Time) (int, error)
	PruneEvents(ctx context.Context, before time.Time) (int, error)
}

// Janitor removes what retention and crashes leave behind. It is safe to run
// in several processes at once: every step is idempotent.
type Janitor struct {
	store    Store
	blobs    blob.Store
	log      *slog.Logger
	announce Announce
	temp     string
	observe  func(Report, error)
}

// Announce tells live pages that posts are gone; see posting.Service.Gone.
type Announce func(ctx context.Context, reason chatpic.GoneReason, posts ...chatpic.Post)

// New returns a Janitor. announce may be nil (a janitor run from the
// command line has no live pages to tell). temp is the server's folder of
// temporary files (uploads being spooled and converted), whose entries
// older than the grace period it removes: a crash leaves them behind, and
// they hold uploads as they were sent, metadata and all. "" skips that.
func New(store Store, blobs blob.Store, log *slog.Logger, announce Announce, temp string) *Janitor {
	if announce == nil {
		announce = func(context.Context, chatpic.GoneReason, ...chatpic.Post) {}
	}
	return &Janitor{store: store, blobs: blobs, log: log, announce: announce, temp: temp}
}

// Observe makes Loop call f with the report and error of every pass (for
// metrics). Call it before Loop.
func (j *Janitor) Observe(f func(Report, error)) { j.observe = f }

// Counts returns what a pass did, by what it removed.
func (r Report) Counts() map[string]int {
	return map[string]int{
		"expired": r.Expired, "orphan_files": r.OrphanFiles, "lost_posts": r.LostPosts, "sessions": r.Sessions,
		"bans": r.Bans, "shared": r.Shared, "events": r.Events, "temp_files": r.TempFiles, "held_shares": r.HeldShares,
	}
}

// Options tune one pass.
type Options struct {
	// DryRun reports what would be removed and removes nothing.
	DryRun bool
	// Grace protects uploads in flight: files and rows younger than this are
	// left alone by the consistency checks (expiry does not wait).
	Grace time.Duration
}

// DefaultGrace is long enough for any upload to go from file to row.
const DefaultGrace = time.Hour

// EventRetention is how long the shared event log (events.Shared) keeps
// live events, so that a client whose stream broke can resume it with
// Last-Event-ID. One that was away longer is told to reload.
const EventRetention = time.Hour

// Report counts what one pass removed (or, in a dry run, would remove).
type Report struct {
	Expired     int // posts whose time had run out
	OrphanFiles int // files no post references
	LostPosts   int // posts whose media file is missing
	Sessions    int // moderator sessions that ended
	Bans        int // poster bans whose client secret rotated away
	Shared      int // expired secrets, rate-limit entries and used challenges
	Events      int // live events older than EventRetention
	TempFiles   int // temporary files older than the grace period
	HeldShares  int // shared files held past chatpic.ShareHold (or not named like one)
}

func (r Report) String() string {
	return fmt.Sprintf("%d expired posts, %d orphan files, %d posts with missing files, %d stale temporary files, %d expired shares",
		r.Expired, r.OrphanFiles, r.LostPosts, r.TempFiles, r.HeldShares)
}

const batch = 200

// Run makes one pass at time now and reports what it did. It stops at the
// first storage error, returning the report so far with it.
func (j *Janitor) Run(ctx context.Context, now time.Time, opts Options) (Report, error) {
	var r Report
	if err := j.expire(ctx, now, opts, &r); err != nil {
		return r, err
	}
	if err := j.lostPosts(ctx, now, opts, &r); err != nil {
		return r, err
	}
	if err := j.orphanFiles(ctx, now, opts, &r); err != nil {
		return r, err
	}
	if err := j.staleTemp(now, opts, &r); err != nil {
		return r, err
	}
	if err := j.heldShares(ctx, now, opts, &r); err != nil {
		return r, err
	}
	if opts.DryRun {
		return r, nil
	}
	var err error
	if r.Sessions, err = j.store.PruneSessions(ctx, now); err != nil {
		return r, err
	}
	if r.Bans, err = j.store.PruneBans(ctx, now); err != nil {
		return r, err
	}
	if r.Shared, err = j.store.PruneShared(ctx, now); err != nil {
		return r, err
	}
	r.Events, err = j.store.PruneEvents(ctx, now.Add(-EventRetention))
	return r, err
}

// Loop runs a pass at once and then every interval until ctx is done,
// logging what each pass did. now is the clock.
func (j *Janitor) Loop(ctx context.Context, interval time.Duration, now func() time.Time) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		r, err := j.Run(ctx, now(), Options{Grace: DefaultGrace})
		if j.observe != nil && ctx.Err() == nil {
			j.observe(r, err)
		}
		switch {
		case err != nil && ctx.Err() == nil:
			j.log.Error("janitor pass failed", "err", err, "done", r.String())
		case r != Report{Events: r.Events}: // pruning the event log is routine: not worth a line by itself
			j.log.Info("janitor pass", "expired", r.Expired, "orphan_files", r.OrphanFiles, "lost_posts", r.LostPosts, "temp_files", r.TempFiles,
				"held_shares", r.HeldShares)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (j *Janitor) expire(ctx context.Context, now time.Time, opts Options, r *Report) error {
	if opts.DryRun {
		return j.scan(ctx, func(p chatpic.Post) error {
			if p.Expired(now) {
				r.Expired++
			}
			return nil
		})
	}
	for {
		posts, err := j.store.ExpirePosts(ctx, now, batch)
		if err != nil {
			return fmt.Errorf("janitor: expire: %w", err)
		}
		r.Expired += len(posts)
		j.announce(ctx, chatpic.ReasonExpired, posts...)
		for _, p := range posts {
			j.deleteFiles(ctx, p.Keys()...)
		}
		if len(posts) < batch {
			return nil
		}
	}
}

// lostPosts removes posts, older than the grace period, whose media file is
// gone: they could only ever answer with a broken picture. The file looked
// at is the cover's, the first not removed by moderation: a removed file's
// bytes are meant to be gone.
func (j *Janitor) lostPosts(ctx context.Context, now time.Time, opts Options, r *Report) error {
	var lost []chatpic.Post
	err := j.scan(ctx, func(p chatpic.Post) error {
		if now.Sub(p.CreatedAt) < opts.Grace {
			return nil
		}
		_, err := j.blobs.Stat(ctx, p.FileKey(p.Cover(), false))
		if chatpic.ErrorKind(err) == chatpic.KindNotFound {
			lost = append(lost, p)
			return nil
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("janitor: lost posts: %w", err)
	}
	for _, p := range lost {
		r.LostPosts++
		if opts.DryRun {
			continue
		}
		j.log.Warn("janitor: post without its file", "post", p.ID, "channel", p.Channel)
		if _, err := j.store.DeletePost(ctx, p.ID, chatpic.ReasonLost, now); err != nil && chatpic.ErrorKind(err) != chatpic.KindGone {
			return fmt.Errorf("janitor: lost posts: %w", err)
		}
		j.deleteFiles(ctx, p.Keys()...)
	}
	return nil
}

// orphanFiles removes files, older than the grace period, that belong to no
// post row: left by a crash between file and row, or by a failed delete.
func (j *Janitor) orphanFiles(ctx context.Context, now time.Time, opts Options, r *Report) error {
	var orphans []string
	for _, prefix := range []string{"media/", "thumb/"} {
		err := j.blobs.List(ctx, prefix, func(info blob.Info) error {
			if now.Sub(info.ModTime) < opts.Grace {
				return nil
			}
			name, _, _ := strings.Cut(strings.TrimPrefix(info.Key, prefix), ".")
			if id, _, ok := chatpic.ParseFileName(name); ok {
				exists, err := j.store.PostExists(ctx, id)
				if err != nil || exists {
					return err
				}
			}
			orphans = append(orphans, info.Key)
			return nil
		})
		if err != nil {
			return fmt.Errorf("janitor: orphan files: %w", err)
		}
	}
	r.OrphanFiles += len(orphans)
	if !opts.DryRun {
		if len(orphans) > 0 {
			j.log.Info("janitor: removing orphan files", "count", len(orphans))
		}
		j.deleteFiles(ctx, orphans...)
	}
	return nil
}

// heldShares removes the shared files (chatpic.SharePrefix) whose time ran
// out: they are held as they arrived, metadata and all, so the grace period
// does not apply. Their keys carry their expiry. A key not shaped like a
// share's is removed too: nothing else is kept under the prefix.
func (j *Janitor) heldShares(ctx context.Context, now time.Time, opts Options, r *Report) error {
	var expired []string
	err := j.blobs.List(ctx, chatpic.SharePrefix, func(info blob.Info) error {
		expires, ok := chatpic.ShareKeyExpiry(info.Key)
		if !ok || !now.Before(expires) {
			expired = append(expired, info.Key)
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("janitor: held shares: %w", err)
	}
	r.HeldShares += len(expired)
	if !opts.DryRun {
		j.deleteFiles(ctx, expired...)
	}
	return nil
}

// scan calls fn for every post row.
func (j *Janitor) scan(ctx context.Context, fn func(chatpic.Post) error) error {
	after := ""
	for {
		posts, err := j.store.ScanPosts(ctx, after, batch)
		if err != nil {
			return err
		}
		for _, p := range posts {
			if err := fn(p); err != nil {
				return err
			}
			after = p.ID
		}
		if len(posts) < batch {
			return nil
		}
	}
}

func (j *Janitor) deleteFiles(ctx context.Context, keys ...string) {
	for _, key := range keys {
		if err := j.blobs.Delete(ctx, key); err != nil {
			j.log.Error("janitor: delete file", "key", key, "err", err)
		}
	}
}

// staleTemp removes the entries of the temporary folder that were last
// changed longer than the grace period ago. Uploads in flight write to
// theirs all along, so only what a crash or a killed worker left behind is
// that old.
func (j *Janitor) staleTemp(now time.Time, opts Options, r *Report) error {
	if j.temp == "" {
		return nil
	}
	entries, err := os.ReadDir(j.temp)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("janitor: temporary files: %w", err)
	}
	for _, e := range entries {
		info, err := e.Info()
		if err != nil || now.Sub(info.ModTime()) < opts.Grace {
			continue // gone meanwhile, or in use
		}
		r.TempFiles++
		if opts.DryRun {
			continue
		}
		if err := os.RemoveAll(filepath.Join(j.temp, e.Name())); err != nil {
			return fmt.Errorf("janitor: temporary files: %w", err)
		}
	}
	return nil
}
