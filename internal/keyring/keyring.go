// Package keyring derives, from secrets that rotate and are forgotten, the
// keyed hashes that stand in for anonymous clients (poster IDs, vote,
// report and client keys) and the day keys that sign tickets.
package keyring

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"fmt"
	"net/netip"
	"sync"
	"time"

	"github.com/chatpic/chatpic"
)

// KeyLife is how long a day's key is kept: long enough for every post
// made that day to keep stable poster IDs and vote dedup while it lives.
const KeyLife = 30 * 24 * time.Hour

// SecretSource keeps the secrets that several instances of one site must
// share. *sqlstore.Store implements it.
type SecretSource interface {
	// Secret returns the secret called name for period (a number the
	// caller gives a meaning to, such as a day since the epoch), first
	// making a random one that lasts until expires if there is none: every
	// caller, on every instance, gets the same bytes for the same name and
	// period until the secret expires and is deleted.
	Secret(ctx context.Context, name string, period int64, expires time.Time) ([]byte, error)
}

// Ring derives the keyed hashes that stand in for clients: poster IDs
// and vote dedup keys. Each UTC day gets a fresh random key, used for the
// posts made that day; keys are forgotten after KeyLife, so a stored hash
// can never be traced back to an address, not even by trying every
// address, once its key is gone.
//
// A Ring from New keeps its keys only in memory: a restart forgets every
// key, so poster IDs change and people may vote again. A Ring from
// NewShared takes them from a SecretSource that several instances share
// (see Refresh), so that a client is the same client on each of them. Ring
// is safe for concurrent use.
type Ring struct {
	src SecretSource // nil: keys are made here and live in memory only

	mu      sync.Mutex
	days    map[int64]key // by day number since the epoch
	clients map[int64]key // the rotating client secrets (see Client), by period number
	period  time.Duration
	grace   time.Duration
}

// key is one secret. stopgap marks a key made on the spot by a shared
// Ring because Refresh had not loaded the shared one: it holds on this
// instance only, until Refresh replaces it.
type key struct {
	bytes   []byte
	stopgap bool
}

// New returns an empty Ring whose keys are random and live only
// in memory: right for a single instance.
func New() *Ring {
	return &Ring{days: map[int64]key{}, clients: map[int64]key{}}
}

// NewShared returns a Ring whose keys come from src, the same on
// every instance that uses it. Call SetClientPeriod first if needed, then
// Refresh before the Ring is used.
func NewShared(src SecretSource) *Ring {
	k := New()
	k.src = src
	return k
}

// newKey returns a fresh random key; k.mu must be held.
func (k *Ring) newKey() key {
	b := make([]byte, 32)
	rand.Read(b)
	return key{bytes: b, stopgap: k.src != nil}
}

func dayOf(t time.Time) int64 { return t.UTC().Unix() / 86400 }

// oldestDay returns the first day whose key is still kept at now.
func oldestDay(now time.Time) int64 { return dayOf(now.Add(-KeyLife)) }

// dayKeyEnd returns when the key of day is forgotten.
func dayKeyEnd(day int64) time.Time { return time.Unix((day+1)*86400, 0).Add(KeyLife).UTC() }

// dayKey returns the key of the day of t, making it if needed, and forgets
// keys older than KeyLife before now.
func (k *Ring) dayKey(t, now time.Time) []byte {
	day := dayOf(t)
	k.mu.Lock()
	defer k.mu.Unlock()
	oldest := oldestDay(now)
	for d := range k.days {
		if d < oldest {
			delete(k.days, d)
		}
	}
	dk, ok := k.days[day]
	if !ok {
		dk = k.newKey()
		k.days[day] = dk
	}
	return dk.bytes
}

func (k *Ring) sum(purpose string, p chatpic.Post, client netip.Addr, now time.Time) []byte {
	m := hmac.New(sha256.New, k.dayKey(p.CreatedAt, now))
	m.Write([]byte(purpose))
	m.Write([]byte{0})
	m.Write([]byte(p.ID))
	m.Write([]byte{0})
	b := client.Unmap().As16()
	m.Write(b[:])
	return m.Sum(nil)
}

var posterIDEncoding = base32.NewEncoding("abcdefghijkmnpqrstuvwxyz23456789").WithPadding(base32.NoPadding)

// PosterID returns the 8-character ID of client inside the thread of p:
// stable for that client and post, unlinkable across posts.
func (k *Ring) PosterID(p chatpic.Post, client netip.Addr, now time.Time) string {
	return posterIDEncoding.EncodeToString(k.sum("poster", p, client, now))[:8]
}

// VoterKey returns the key under which client's vote on p is stored: one
// vote per client per post, and nothing that leads back to the client.
func (k *Ring) VoterKey(p chatpic.Post, client netip.Addr, now time.Time) []byte {
	return k.sum("vote", p, client, now)[:16]
}

// ticketWindow is how long a view ticket stays good (one to two windows).
const ticketWindow = 2 * time.Minute

// Ticket returns a short-lived ticket that lets the page of a counted view
// of a self-destructing post load its media without counting more views.
func (k *Ring) Ticket(p chatpic.Post, now time.Time) string {
	return k.ticketAt(p, now.Truncate(ticketWindow), now)
}

// TicketValid reports whether ticket was made by Ticket for p in the
// current or the previous window.
func (k *Ring) TicketValid(p chatpic.Post, ticket string, now time.Time) bool {
	w := now.Truncate(ticketWindow)
	for _, at := range []time.Time{w, w.Add(-ticketWindow)} {
		if ticket != "" && hmac.Equal([]byte(ticket), []byte(k.ticketAt(p, at, now))) {
			return true
		}
	}
	return false
}

func (k *Ring) ticketAt(p chatpic.Post, window, now time.Time) string {
	m := hmac.New(sha256.New, k.dayKey(p.CreatedAt, now))
	m.Write([]byte("ticket\x00" + p.ID + "\x00" + window.UTC().Format(time.RFC3339)))
	return posterIDEncoding.EncodeToString(m.Sum(nil))[:16]
}

// SigningKey returns a 32-byte key for purpose (such as "pow"), derived
// from the key of the day of t: it changes every day, is the same on every
// instance that shares the Ring's source, and is gone with the day's
// key after KeyLife. purpose keeps the keys of different uses apart.
func (k *Ring) SigningKey(purpose string, t, now time.Time) []byte {
	m := hmac.New(sha256.New, k.dayKey(t, now))
	m.Write([]byte("signing key\x00" + purpose))
	return m.Sum(nil)
}

// ClientPeriod is how long one client secret is used before it rotates,
// and ClientGrace how long the previous one is still honoured afterwards
// (as long as the longest rate-limit window), unless SetClientPeriod
// changes them.
const (
	ClientPeriod = 24 * time.Hour
	ClientGrace  = time.Hour
)

// SetClientPeriod sets how often the client secret rotates and how long
// the previous one is honoured. Call it before the Ring is used.
// Instances that share a source should agree on period; the secrets of
// different periods are kept apart.
func (k *Ring) SetClientPeriod(period, grace time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.period, k.grace = period, grace
}

// periods returns the client period and grace; k.mu must be held.
func (k *Ring) periods() (time.Duration, time.Duration) {
	if k.period <= 0 {
		return ClientPeriod, ClientGrace
	}
	return k.period, k.grace
}

// clientPeriod returns the number of the client period of t and whether
// the previous period's secret is still honoured at t; k.mu must be held.
func (k *Ring) clientPeriod(t time.Time) (n int64, inGrace bool) {
	period, grace := k.periods()
	n = t.UnixNano() / int64(period)
	return n, t.Sub(time.Unix(0, n*int64(period))) < grace
}

// Client returns the keyed hashes that stand for client in rate limits,
// report dedup and poster bans: cur under the secret in use at now, and
// prev under the previous secret while it is still honoured (nil after
// the grace). The secrets are random and forgotten as they rotate out, so
// a stored hash leads back to no one and stops matching anyone once its
// secret is gone.
func (k *Ring) Client(client netip.Addr, now time.Time) (cur, prev []byte) {
	k.mu.Lock()
	n, inGrace := k.clientPeriod(now)
	for p := range k.clients {
		if p < n-1 || p == n-1 && !inGrace {
			delete(k.clients, p)
		}
	}
	c, ok := k.clients[n]
	if !ok {
		c = k.newKey()
		k.clients[n] = c
	}
	curKey, prevKey := c.bytes, k.clients[n-1].bytes
	k.mu.Unlock()
	b := client.Unmap().As16()
	sum := func(key []byte) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("client\x00"))
		m.Write(b[:])
		return m.Sum(nil)[:16]
	}
	cur = sum(curKey)
	if prevKey != nil {
		prev = sum(prevKey)
	}
	return cur, prev
}

// ClientKeyEnd returns when a client hash made at t stops matching: the end
// of its secret's period plus the grace.
func (k *Ring) ClientKeyEnd(t time.Time) time.Time {
	k.mu.Lock()
	period, grace := k.periods()
	k.mu.Unlock()
	n := t.UnixNano() / int64(period)
	return time.Unix(0, (n+1)*int64(period)).Add(grace).UTC()
}

// Reporter returns the key under which client's report of a post (or of
// one of its comments, by commentID) is stored: one report per client and
// thing, and nothing that leads back to the client.
func (k *Ring) Reporter(p chatpic.Post, commentID string, client netip.Addr, now time.Time) []byte {
	return k.sum("report\x00"+commentID, p, client, now)[:16]
}

// wanted is a secret Refresh asks the source for.
type wanted struct {
	client  bool // a client secret, or else a day key
	name    string
	period  int64
	expires time.Time
}

// Refresh loads from the Ring's source the secrets it needs around now:
// the day keys of the last KeyLife and of tomorrow, and the client secrets
// of the current period, of the previous one while it is honoured and of
// the next one. Secrets already loaded are not asked for again, so a call
// costs a few map lookups until a new day or period comes near. Without a
// source Refresh does nothing.
//
// The other methods never wait for the source: they use what Refresh
// loaded. Call Refresh before the Ring is first used (its error then
// means the instance cannot share keys) and then often, at least once a
// day; the moderation Guard calls it before its decisions and every minute
// in its loop. A key a method needs that Refresh has not loaded is made up
// on the spot and holds on this instance only, until the next Refresh
// replaces it with the shared one. On error Refresh keeps what it loaded
// before the error.
func (k *Ring) Refresh(ctx context.Context, now time.Time) error {
	if k.src == nil {
		return nil
	}
	for _, w := range k.missing(now) {
		b, err := k.src.Secret(ctx, w.name, w.period, w.expires)
		if err == nil && len(b) < 16 {
			err = fmt.Errorf("a secret of %d bytes, want at least 16", len(b))
		}
		if err != nil {
			return fmt.Errorf("keyring: secret %s/%d: %w", w.name, w.period, err)
		}
		k.mu.Lock()
		if w.client {
			k.clients[w.period] = key{bytes: b}
		} else {
			k.days[w.period] = key{bytes: b}
		}
		k.mu.Unlock()
	}
	return nil
}

// missing returns the secrets Refresh must load at now: those not loaded
// yet and those made up as a stopgap.
func (k *Ring) missing(now time.Time) []wanted {
	k.mu.Lock()
	defer k.mu.Unlock()
	var out []wanted
	for d := oldestDay(now); d <= dayOf(now)+1; d++ {
		if dk, ok := k.days[d]; !ok || dk.stopgap {
			out = append(out, wanted{name: "day", period: d, expires: dayKeyEnd(d)})
		}
	}
	period, grace := k.periods()
	n, inGrace := k.clientPeriod(now)
	name := "client/" + period.String()
	for p := n - 1; p <= n+1; p++ {
		if p == n-1 && !inGrace {
			continue
		}
		if c, ok := k.clients[p]; !ok || c.stopgap {
			end := time.Unix(0, (p+1)*int64(period)).Add(grace).UTC()
			out = append(out, wanted{client: true, name: name, period: p, expires: end})
		}
	}
	return out
}
