package limit

import (
	"context"
	"time"
)

// Store keeps the state of rate limits where several instances share it.
// *sqlstore.Store implements it.
type Store interface {
	// TakeRate makes one decision of the generic cell rate algorithm for
	// key in bucket at now, atomically however many instances decide at
	// once: an event costs interval of allowance, a full key holds burst.
	// It reports whether the event was allowed (and recorded) and, if not,
	// how long from now until it would be. State under prev, if not nil,
	// counts as key's own, as in Limiter.Allow. A key whose allowance is
	// full again may be forgotten.
	TakeRate(ctx context.Context, bucket string, key, prev []byte, now time.Time, interval, burst time.Duration) (ok bool, retryAfter time.Duration, err error)
	// ResetRates forgets the state of keys in bucket.
	ResetRates(ctx context.Context, bucket string, keys ...[]byte) error
}

// Shared applies one Rule to many clients, like Limiter, with its state in
// a Store that several instances share, so that a client's allowance is
// one allowance however the load balancer spreads its requests. It holds
// nothing itself: the Store bounds and prunes the state. It is safe for
// concurrent use.
type Shared struct {
	store    Store
	bucket   string
	interval time.Duration // as in Limiter
	burst    time.Duration
}

// NewShared returns a Shared limiter for r over store. bucket names the
// limit in the store (such as the action it limits): limiters with the
// same bucket share their clients' state. With r unlimited it allows
// everything without asking the store.
func NewShared(store Store, bucket string, r Rule) *Shared {
	l := &Shared{store: store, bucket: bucket}
	if !r.Unlimited() {
		l.interval = max(r.Per/time.Duration(r.Events), 1)
		l.burst = l.interval * time.Duration(r.Events)
	}
	return l
}

// Allow is Limiter.Allow with the state in the store: it records an event
// by key at now if the key's allowance has room for it, and reports
// whether it did, or how long from now until it would. Errors are the
// store's.
func (l *Shared) Allow(ctx context.Context, now time.Time, key, prev []byte) (ok bool, retryAfter time.Duration, err error) {
	if l.interval == 0 {
		return true, 0, nil
	}
	return l.store.TakeRate(ctx, l.bucket, key, prev, now, l.interval, l.burst)
}

// Reset forgets the state of each of keys, giving them their full
// allowance.
func (l *Shared) Reset(ctx context.Context, keys ...[]byte) error {
	if l.interval == 0 || len(keys) == 0 {
		return nil
	}
	return l.store.ResetRates(ctx, l.bucket, keys...)
}
