// Package app wires a chatpic site together: over the stores a Config
// names, the keys behind client hashes, the guard (rate limits, bans,
// challenges), the hash list and the posting and moderation services. The
// server, the commands that change a site and the tests build their site
// with New, so there is one way the parts fit.
package app

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"log/slog"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/alert"
	"github.com/chatpic/chatpic/internal/config"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/meter"
	"github.com/chatpic/chatpic/internal/moderation"
	"github.com/chatpic/chatpic/internal/posting"
	"github.com/chatpic/chatpic/internal/storage"
	"github.com/chatpic/chatpic/internal/video"
)

// Site is the set of use-cases one process runs, wired together.
type Site struct {
	Keys   *keyring.Ring
	Guard  *moderation.Guard
	Hashes *moderation.HashList
	Posts  *posting.Service
	Mods   *moderation.Service
	// Alerts posts the alerts of cfg.Alerts; nil when there is no
	// webhook. Its Run delivers them.
	Alerts *alert.Sender
}

// New wires the posting and moderation services over st, as cfg says,
// counting what they do in m (nil counts nothing).
// pc is the posting configuration (see Posting); its Keys, Guard and
// Screen are filled in here. New reads the keys and the banned hashes
// from st, and returns their errors.
func New(ctx context.Context, st *storage.Set, log *slog.Logger, now func() time.Time, cfg config.Config, pc posting.Config, m *meter.Meter) (*Site, error) {
	s := &Site{Keys: keyring.New()}
	gc := moderation.GuardConfig{
		Limits: cfg.Safety.Limits, Flood: cfg.Safety.Flood, ChallengeBits: cfg.Safety.ChallengeBits,
	}
	if m != nil {
		gc.Meter, pc.Meter = m, m
	}
	// When several instances may serve one site, the keys behind poster
	// IDs, vote and report dedup, view tickets, challenges and client
	// hashes, the rate-limit counts and the used challenges are kept in
	// the database, where they all see them. The keys are stored only as
	// inputs that are mixed with the operator's secret file, which the
	// database never sees. On SQLite one instance keeps them in memory,
	// and keys are never stored. (The CLI, which hashes no client, may run
	// without the secret file.)
	if st.DB.Shared() && cfg.Storage.Secret != nil {
		s.Keys = keyring.NewShared(pepperedSecrets{st.DB, cfg.Storage.Secret})
		gc.Shared = st.DB
	}
	// The previous client secret is honoured for as long as the longest
	// rate-limit window, so limits survive a rotation. A zero rotation
	// keeps the keyring's default.
	if cfg.Safety.KeyRotation > 0 {
		grace := time.Hour
		for _, r := range cfg.Safety.Limits {
			grace = max(grace, r.Per)
		}
		s.Keys.SetClientPeriod(cfg.Safety.KeyRotation, min(grace, cfg.Safety.KeyRotation))
	}
	if err := s.Keys.Refresh(ctx, now()); err != nil {
		return nil, err
	}
	s.Hashes = moderation.NewHashList(st.DB, cfg.Safety.PDQThreshold)
	if err := s.Hashes.Sync(ctx); err != nil {
		return nil, err
	}
	s.Guard = moderation.NewGuard(st.DB, s.Keys, now, gc)
	pc.Keys, pc.Guard, pc.Screen = s.Keys, s.Guard, s.Hashes
	s.Posts = posting.New(st.DB, st.Blobs, log, now, pc)
	mc := moderation.Config{SessionLife: cfg.Safety.SessionLife, Accounts: cfg.Safety.Limits[chatpic.ActionLogin]}
	if m != nil {
		mc.Meter = m
	}
	if cfg.Alerts.Webhook != "" && cfg.HTTP.BaseURL != nil {
		s.Alerts = alert.New(cfg.Alerts.Webhook, cfg.HTTP.BaseURL.JoinPath("mod").String(), log, alert.Options{})
		mc.Alerts = s.Alerts
	}
	s.Mods = moderation.New(st.DB, st.Blobs, log, now, s.Keys, s.Guard, s.Hashes, s.Posts, mc)
	return s, nil
}

// Posting returns the posting configuration of the upload limits in u.
// What a process adds at run time (the temp folder, the codecs, the event
// broker, how many uploads may be in flight) is for the caller to set.
func Posting(u config.Upload) posting.Config {
	limits := media.DefaultLimits()
	limits.MaxPixels = u.MaxPixels
	return posting.Config{
		MaxBytes: u.MaxBytes, Media: limits, Memory: u.MediaMemory, DecodeTimeout: u.DecodeTimeout,
		UploadsPerClient: u.UploadsPerClient, UploadRate: u.MinUploadRate,
		VideoLimits: video.Limits{MaxBytes: u.MaxVideoBytes, MaxDuration: u.MaxVideoDuration, MaxPixels: u.MaxPixels},
	}
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
