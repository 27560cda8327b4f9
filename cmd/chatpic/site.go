package main

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
)

// site is the set of use-cases one process runs, wired together.
type site struct {
	keys   *keyring.Ring
	guard  *moderation.Guard
	hashes *moderation.HashList
	posts  *posting.Service
	mods   *moderation.Service
}

// newSite wires the posting and moderation services over st. pc is the
// posting configuration; its Keys, Guard and Screen are filled in here.
func newSite(ctx context.Context, st storage, log *slog.Logger, now func() time.Time, cfg config.Config, pc posting.Config) (*site, error) {
	s := &site{keys: keyring.New()}
	gc := moderation.GuardConfig{
		Limits: cfg.Safety.Limits, Flood: cfg.Safety.Flood, ChallengeBits: cfg.Safety.ChallengeBits,
	}
	// On PostgreSQL several instances may serve one site: the keys behind
	// poster IDs, vote and report dedup, view tickets, challenges and
	// client hashes, the rate-limit counts and the used challenges are
	// then kept in the database, where they all see them. The keys are
	// stored only as inputs that are mixed with the operator's secret
	// file, which the database never sees. On SQLite one instance keeps
	// them in memory, and keys are never stored. (The CLI, which hashes no
	// client, may run without the secret file.)
	if st.db.Shared() && cfg.Storage.Secret != nil {
		s.keys = keyring.NewShared(pepperedSecrets{st.db, cfg.Storage.Secret})
		gc.Shared = st.db
	}
	// The previous client secret is honoured for as long as the longest
	// rate-limit window, so limits survive a rotation.
	grace := time.Hour
	for _, r := range cfg.Safety.Limits {
		grace = max(grace, r.Per)
	}
	s.keys.SetClientPeriod(cfg.Safety.KeyRotation, min(grace, cfg.Safety.KeyRotation))
	if err := s.keys.Refresh(ctx, now()); err != nil {
		return nil, err
	}
	s.hashes = moderation.NewHashList(st.db, cfg.Safety.PDQThreshold)
	if err := s.hashes.Sync(ctx); err != nil {
		return nil, err
	}
	s.guard = moderation.NewGuard(st.db, s.keys, now, gc)
	pc.Keys, pc.Guard, pc.Screen = s.keys, s.guard, s.hashes
	s.posts = posting.New(st.db, st.blobs, log, now, pc)
	s.mods = moderation.New(st.db, st.blobs, log, now, s.keys, s.guard, s.hashes, s.posts,
		moderation.Config{SessionLife: cfg.Safety.SessionLife, Accounts: cfg.Safety.Limits[chatpic.ActionLogin]})
	return s, nil
}

// pepperedSecrets is a SecretSource that mixes every secret the database
// keeps with the operator's key: HMAC-SHA256(key, name, period, stored).
// A copy of the database alone then cannot tie a stored hash to an
// address by trying them all.
type pepperedSecrets struct {
	db  keyring.SecretSource
	key []byte
}

func (p pepperedSecrets) Secret(ctx context.Context, name string, period int64, expires time.Time) ([]byte, error) {
	stored, err := p.db.Secret(ctx, name, period, expires)
	if err != nil {
		return nil, err
	}
	m := hmac.New(sha256.New, p.key)
	m.Write([]byte(name))
	m.Write(binary.BigEndian.AppendUint64([]byte{0}, uint64(period)))
	m.Write(stored)
	return m.Sum(nil), nil
}
