// Package pow issues and checks proof-of-work challenges, which make
// flooding a channel cost the flooder CPU time instead of costing everyone
// else a third-party captcha. A challenge is a self-verifying token: the
// server keeps no state for challenges it hands out, only a bounded set of
// the ones already used, so each solution is good once.
//
// The puzzle: find a decimal counter such that
// SHA-256(token + ":" + counter) starts with at least Bits zero bits. It
// takes about 2^Bits hashes to solve and one to check.
// internal/web/static/pow.js solves it in the browser.
package pow

import (
	"context"
	"crypto/rand"
	"errors"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
)

// Lifetime is how long a challenge can be solved and used.
const Lifetime = 10 * time.Minute

// DefaultBits is the difficulty to use unless a flood calls for more:
// 2^17 hashes on average, which pow.js does in about 65 ms on a server
// core and so in a few hundred milliseconds on a phone (BenchmarkNodeSolve
// measures it). Each bit more doubles the work.
const DefaultBits = 17

// MaxBits bounds the difficulty Issue hands out: 2^24 hashes take a phone
// half a minute or more.
const MaxBits = 24

// defaultMaxSpent bounds the spent set: ten minutes' worth of used
// challenges at 150 a second, a few megabytes.
const defaultMaxSpent = 100_000

// Challenge is a puzzle handed to a client.
type Challenge struct {
	Token     string    // opaque, URL-safe; to be sent back with the solution
	Bits      int       // leading zero bits the solution's hash needs
	ExpiresAt time.Time // after this, Verify refuses any solution
}

// Issuer hands out challenges and checks solutions. It is safe for
// concurrent use.
type Issuer struct {
	key    func(issued time.Time) []byte
	shared SpentStore // nil: spent is used instead
	now    func() time.Time

	mu    sync.Mutex
	spent spentSet
}

// SpentStore remembers used challenges where every instance that checks
// them sees them. *sqlstore.Store implements it.
type SpentStore interface {
	// SpendChallenge records the challenge whose MAC is mac, good until
	// expires, and reports whether it was new: false means it was used
	// before. It may forget a challenge once it has expired.
	SpendChallenge(ctx context.Context, mac []byte, expires time.Time) (bool, error)
}

// Config sets up an Issuer, possibly one of several instances that accept
// each other's challenges.
type Config struct {
	// Key returns the secret that signs the challenges issued at issued
	// (a whole second: a challenge's expiry less Lifetime). It must return
	// the same secret for the same time for as long as a challenge lives,
	// on every instance that is to accept the challenge. The Issuer does
	// not modify the slice. Required.
	Key func(issued time.Time) []byte
	// Spent remembers used challenges; nil keeps them in memory (a bounded
	// set, see below), which suits a single instance.
	Spent SpentStore
	// Now is the clock; nil means time.Now.
	Now func() time.Time
}

// maxSkew is how far the clocks of instances that share challenges may
// disagree: a challenge that claims to be issued later than that after now
// was not issued by any of them.
const maxSkew = time.Minute

// New returns an Issuer set up by cfg.
func New(cfg Config) *Issuer {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Issuer{
		key:    cfg.Key,
		shared: cfg.Spent,
		now:    cfg.Now,
		spent:  spentSet{max: defaultMaxSpent, keys: map[[macLen]byte]struct{}{}},
	}
}

// NewIssuer returns an Issuer for a single instance that signs challenges
// with secret, which should be 32 random bytes that live only in memory;
// an empty secret is replaced by such bytes. Challenges from an Issuer
// with another secret (or from before a restart) do not verify. now is the
// clock; nil means time.Now.
func NewIssuer(secret []byte, now func() time.Time) *Issuer {
	if len(secret) == 0 {
		secret = make([]byte, 32)
		rand.Read(secret)
	}
	secret = append([]byte(nil), secret...)
	return New(Config{Key: func(time.Time) []byte { return secret }, Now: now})
}

// Issue returns a new challenge of bits difficulty (clamped to
// [0, MaxBits]) for scope, such as "channel:gaming" or "comment:p8x2"; its
// solution verifies for that scope only, once, within Lifetime.
func (i *Issuer) Issue(scope string, bits int) Challenge {
	bits = min(max(bits, 0), MaxBits)
	expires := i.now().Add(Lifetime).Truncate(time.Second)
	t := token{bits: bits, expires: expires}
	rand.Read(t.nonce[:])
	return Challenge{Token: t.encode(i.key(t.issued()), scope), Bits: bits, ExpiresAt: expires}
}

// Why Verify refused, for logs and tests (as the Err of the *chatpic.Error);
// users see only the two messages of invalid and Verify.
var (
	errMalformed = errors.New("malformed token")
	errSignature = errors.New("token not signed by us for this scope")
	errExpired   = errors.New("challenge expired")
	errSolution  = errors.New("solution does not solve the puzzle")
	errReplayed  = errors.New("challenge already used")
)

// Verify returns nil if solution solves token, a challenge issued for
// scope (by this Issuer, or by one with the same Key) that has not expired
// and has not been used before; the challenge is then used up. Otherwise
// it returns a KindForbidden error whose message tells the client to get
// a new challenge: "already used" for a replay, "not valid" for anything
// else (a malformed or tampered token, another scope, expiry, a wrong
// solution), or the SpentStore's error. Any input is safe.
func (i *Issuer) Verify(ctx context.Context, scope, token, solution string) error {
	t, err := parse(token)
	if err != nil {
		return invalid(err)
	}
	now := i.now()
	if t.issued().After(now.Add(maxSkew)) || !t.signedBy(i.key(t.issued()), scope) {
		return invalid(errSignature)
	}
	if !now.Before(t.expires) {
		return invalid(errExpired)
	}
	if !solves(token, solution, t.bits) {
		return invalid(errSolution)
	}
	fresh, err := i.spend(ctx, t, now)
	if err != nil {
		return err
	}
	if !fresh {
		return &chatpic.Error{Kind: chatpic.KindForbidden,
			Message: "this challenge was already used; get a new one", Err: errReplayed}
	}
	return nil
}

// spend marks t used and reports whether it was new.
func (i *Issuer) spend(ctx context.Context, t token, now time.Time) (bool, error) {
	if i.shared != nil {
		return i.shared.SpendChallenge(ctx, t.mac[:], t.expires)
	}
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.spent.add(t.mac, t.expires, now), nil
}

func invalid(cause error) error {
	return &chatpic.Error{Kind: chatpic.KindForbidden,
		Message: "the proof-of-work solution is not valid; get a new challenge", Err: cause}
}
