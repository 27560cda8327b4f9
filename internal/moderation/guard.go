// Package moderation keeps chatpic safe without accounts for its users and
// without keeping addresses: reports, the moderators' queue and actions,
// hash bans that stop removed pictures from coming back, poster bans, rate
// limits and the proof-of-work challenge, the audit log and the
// transparency figures.
package moderation

import (
	"context"
	"fmt"
	"net/netip"
	"strings"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/keyring"
	"github.com/chatpic/chatpic/internal/limit"
	"github.com/chatpic/chatpic/internal/pow"
)

// GuardStore is what the Guard reads. *sqlstore.Store implements it.
type GuardStore interface {
	ClientBanned(ctx context.Context, now time.Time, clients ...[]byte) (bool, error)
	RecentPostTimes(ctx context.Context, channel string, n int, now time.Time) ([]time.Time, error)
}

// GuardConfig sets the rate limits and the flood control.
type GuardConfig struct {
	// Limits bounds each action per client; an action missing from the
	// map takes its DefaultLimits entry.
	Limits map[chatpic.Action]limit.Rule
	// Flood is the upload rate, per channel, past which uploads and
	// comments into it must carry a proof-of-work solution (when the
	// channel's challenge setting is auto). Zero Events turns it off.
	Flood limit.Rule
	// ChallengeBits is the work a challenge asks for (leading zero bits).
	ChallengeBits int
	// MaxClients bounds the clients each in-memory limiter remembers.
	MaxClients int
	// Meter, if set, counts the requests rate limits refuse, by action.
	Meter interface{ RateLimited(a chatpic.Action) }
	// Shared, if set, keeps the rate-limit counts and the used challenges
	// where every instance on the same database sees them, so that limits
	// and the single use of a challenge hold across instances. The
	// Guard's keyring.Ring must then be shared too (keyring.NewShared),
	// or a client would have other keys, and challenges other signatures,
	// on each instance. Nil keeps both in memory, which suits a single
	// instance.
	Shared SharedStore
}

// SharedStore is where the instances of one site keep rate limits and
// used challenges. *sqlstore.Store implements it.
type SharedStore interface {
	limit.Store
	pow.SpentStore
}

// DefaultLimits are the per-client rate limits a server starts with.
func DefaultLimits() map[chatpic.Action]limit.Rule {
	return map[chatpic.Action]limit.Rule{
		chatpic.ActionUpload:   {Events: 30, Per: 10 * time.Minute},
		chatpic.ActionComment:  {Events: 30, Per: 10 * time.Minute},
		chatpic.ActionVote:     {Events: 120, Per: 10 * time.Minute},
		chatpic.ActionReport:   {Events: 20, Per: time.Hour},
		chatpic.ActionLogin:    {Events: 10, Per: 15 * time.Minute},
		chatpic.ActionPassword: {Events: 10, Per: 15 * time.Minute},
	}
}

// DefaultFlood is the per-channel upload rate that switches the challenge
// on by default.
var DefaultFlood = limit.Rule{Events: 30, Per: time.Minute}

// DefaultChallengeBits is the default work of a challenge: about 130,000
// hashes, a few hundred milliseconds in a phone's browser.
const DefaultChallengeBits = pow.DefaultBits

// Guard decides, per client, whether an action may go ahead: rate limits,
// poster bans and the proof-of-work challenge. Clients are known only by
// keyed hashes of their address (see keyring.Ring.Client). Guard is
// safe for concurrent use.
type Guard struct {
	store  GuardStore
	keys   *keyring.Ring
	now    func() time.Time
	cfg    GuardConfig
	limits map[chatpic.Action]rates
	pow    *pow.Issuer

	mu     sync.Mutex
	memory []*limit.Limiter // the in-memory limiters, for Prune
}

// NewGuard returns a Guard. now is the clock.
func NewGuard(store GuardStore, keys *keyring.Ring, now func() time.Time, cfg GuardConfig) *Guard {
	if cfg.MaxClients <= 0 {
		cfg.MaxClients = 100_000
	}
	if cfg.ChallengeBits <= 0 {
		cfg.ChallengeBits = DefaultChallengeBits
	}
	g := &Guard{store: store, keys: keys, now: now, cfg: cfg, limits: map[chatpic.Action]rates{}}
	for a, r := range DefaultLimits() {
		if c, ok := cfg.Limits[a]; ok {
			r = c
		}
		g.limits[a] = g.newRates(string(a), r, cfg.MaxClients)
	}
	// Challenges are signed with a key derived from the day keys, which
	// shared rings share.
	g.pow = pow.New(pow.Config{
		Key:   func(issued time.Time) []byte { return keys.SigningKey("pow", issued, now()) },
		Spent: cfg.Shared,
		Now:   now,
	})
	return g
}

// Allow counts one action by client against its rate limit. Over
// the limit it returns a KindRateLimited error with the time to wait; with
// shared state, also the store's errors.
func (g *Guard) Allow(ctx context.Context, a chatpic.Action, client netip.Addr) error {
	now := g.now()
	cur, prev, err := g.client(ctx, client, now)
	if err != nil {
		return err
	}
	return g.allow(ctx, a, cur, prev, now)
}

// client returns the keyed hashes of client at now, after loading any
// shared secret they need.
func (g *Guard) client(ctx context.Context, client netip.Addr, now time.Time) (cur, prev []byte, err error) {
	if err := g.keys.Refresh(ctx, now); err != nil {
		return nil, nil, err
	}
	cur, prev = g.keys.Client(client, now)
	return cur, prev, nil
}

func (g *Guard) allow(ctx context.Context, a chatpic.Action, cur, prev []byte, now time.Time) error {
	l, ok := g.limits[a]
	if !ok {
		return nil
	}
	ok, wait, err := l.Allow(ctx, now, cur, prev)
	if err != nil {
		return err
	}
	if !ok {
		if g.cfg.Meter != nil {
			g.cfg.Meter.RateLimited(a)
		}
		return a.TooMany(max(wait, time.Second))
	}
	return nil
}

// Forgive clears client's count for an action (a successful sign-in clears
// the failed ones). Errors are the shared store's.
func (g *Guard) Forgive(ctx context.Context, a chatpic.Action, client netip.Addr) error {
	l, ok := g.limits[a]
	if !ok {
		return nil
	}
	cur, prev, err := g.client(ctx, client, g.now())
	if err != nil {
		return err
	}
	if prev != nil {
		return l.Reset(ctx, cur, prev)
	}
	return l.Reset(ctx, cur)
}

// Prune forgets clients that are back to their full allowance in the
// in-memory limiters (the janitor prunes the shared state). Call it now
// and then (PruneLoop does).
func (g *Guard) Prune() {
	now := g.now()
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, l := range g.memory {
		l.Prune(now)
	}
}

// Admit decides whether client may do a (upload or comment) in ch: Open,
// Enter and Prove in turn. Errors: KindRateLimited, KindForbidden (banned,
// locked, wrong proof), KindChallenge (a proof is needed).
func (g *Guard) Admit(ctx context.Context, a chatpic.Action, ch chatpic.Channel, client netip.Addr, proof string) error {
	if err := g.Open(ch); err != nil {
		return err
	}
	if err := g.Enter(ctx, a, client); err != nil {
		return err
	}
	return g.Prove(ctx, a, ch, proof)
}

// Open refuses, with KindForbidden, anything posted into a locked channel.
func (g *Guard) Open(ch chatpic.Channel) error {
	if ch.Locked {
		return chatpic.Errorf(chatpic.KindForbidden, "this channel is read-only for now")
	}
	return nil
}

// Enter decides what can be decided of client doing a from the client
// alone, before anything it sends is read: it counts a against the
// client's rate limit and, for uploads and comments, refuses a banned
// poster. Errors: KindRateLimited, KindForbidden, the shared store's.
func (g *Guard) Enter(ctx context.Context, a chatpic.Action, client netip.Addr) error {
	now := g.now()
	cur, prev, err := g.client(ctx, client, now)
	if err != nil {
		return err
	}
	if err := g.allow(ctx, a, cur, prev, now); err != nil {
		return err
	}
	if a != chatpic.ActionUpload && a != chatpic.ActionComment {
		return nil
	}
	banned, err := g.store.ClientBanned(ctx, now, cur, prev)
	if err != nil {
		return err
	}
	if banned {
		return chatpic.Errorf(chatpic.KindForbidden, "you cannot post here for now")
	}
	return nil
}

// Prove checks the proof-of-work solution (proof is "TOKEN:SOLUTION") of
// an upload or comment into ch when the channel asks for one now.
// Errors: KindChallenge (a proof is needed), KindForbidden (a wrong or
// spent proof).
func (g *Guard) Prove(ctx context.Context, a chatpic.Action, ch chatpic.Channel, proof string) error {
	if a != chatpic.ActionUpload && a != chatpic.ActionComment {
		return nil
	}
	need, err := g.ChallengeNeeded(ctx, ch)
	if err != nil || !need {
		return err
	}
	if proof == "" {
		return chatpic.Errorf(chatpic.KindChallenge,
			"this channel is very busy: solve a proof-of-work challenge first (GET /api/v1/channels/%s/challenge)", ch.Slug)
	}
	token, solution, _ := strings.Cut(proof, ":")
	return g.pow.Verify(ctx, scope(ch), token, solution)
}

// ChallengeNeeded reports whether uploads and comments into ch must carry
// a proof-of-work solution now: always, never, or when the channel's
// upload rate is past the flood threshold.
func (g *Guard) ChallengeNeeded(ctx context.Context, ch chatpic.Channel) (bool, error) {
	switch ch.ChallengeMode() {
	case chatpic.ChallengeAlways:
		return true, nil
	case chatpic.ChallengeOff:
		return false, nil
	}
	f := g.cfg.Flood
	if f.Events <= 0 {
		return false, nil
	}
	now := g.now()
	recent, err := g.store.RecentPostTimes(ctx, ch.Slug, f.Events, now)
	if err != nil {
		return false, err
	}
	return len(recent) >= f.Events && now.Sub(recent[len(recent)-1]) < f.Per, nil
}

// Challenge is a proof-of-work puzzle: find a decimal string S such that
// SHA-256(Token + ":" + S) starts with at least Bits zero bits, and send
// "Token:S" with the upload or comment.
type Challenge struct {
	Required  bool
	Token     string
	Bits      int
	ExpiresAt time.Time
}

// Challenge returns a fresh challenge for ch and whether one is needed now.
func (g *Guard) Challenge(ctx context.Context, ch chatpic.Channel) (Challenge, error) {
	need, err := g.ChallengeNeeded(ctx, ch)
	if err != nil {
		return Challenge{}, err
	}
	if err := g.keys.Refresh(ctx, g.now()); err != nil {
		return Challenge{}, err
	}
	c := g.pow.Issue(scope(ch), g.cfg.ChallengeBits)
	return Challenge{Required: need, Token: c.Token, Bits: c.Bits, ExpiresAt: c.ExpiresAt}, nil
}

func scope(ch chatpic.Channel) string { return fmt.Sprintf("channel:%s", ch.Slug) }

// PruneLoop calls Prune every interval until ctx is done, and keeps a
// shared keyring.Ring's secrets loaded ahead of the next day and period (see
// keyring.Ring.Refresh).
func (g *Guard) PruneLoop(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			g.Prune()
			// An error here is not lost: every decision that needs a
			// missing secret calls Refresh itself and returns its error,
			// and the next tick tries again.
			_ = g.keys.Refresh(ctx, g.now())
		}
	}
}
