package moderation

import (
	"context"
	"time"

	"github.com/chatpic/chatpic/internal/limit"
)

// rates counts events per client: a limit.Limiter in this process's
// memory, or a limit.Shared whose counts every instance shares.
type rates interface {
	Allow(ctx context.Context, now time.Time, key, prev []byte) (ok bool, retryAfter time.Duration, err error)
	Reset(ctx context.Context, keys ...[]byte) error
}

var (
	_ rates = memoryRates{}
	_ rates = (*limit.Shared)(nil)
)

// memoryRates is a limit.Limiter as rates.
type memoryRates struct{ l *limit.Limiter }

func (m memoryRates) Allow(_ context.Context, now time.Time, key, prev []byte) (bool, time.Duration, error) {
	ok, wait := m.l.Allow(now, key, prev)
	return ok, wait, nil
}

func (m memoryRates) Reset(_ context.Context, keys ...[]byte) error {
	m.l.Reset(keys...)
	return nil
}

// newRates returns a limiter of r for bucket: in the shared store if the
// Guard has one, else in memory, remembering at most maxKeys clients and
// pruned by Prune.
func (g *Guard) newRates(bucket string, r limit.Rule, maxKeys int) rates {
	if g.cfg.Shared != nil {
		return limit.NewShared(g.cfg.Shared, bucket, r)
	}
	l := limit.New(r, maxKeys)
	g.mu.Lock()
	defer g.mu.Unlock()
	g.memory = append(g.memory, l)
	return memoryRates{l}
}
