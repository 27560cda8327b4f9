package chatpic

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"net/netip"
	"sync"
	"time"
)

// KeyLife is how long a day's key is kept: long enough for every post
// made that day to keep stable poster IDs and vote dedup while it lives.
const KeyLife = 30 * 24 * time.Hour

// Keyring derives the keyed hashes that stand in for clients: poster IDs
// and vote dedup keys. Each UTC day gets a fresh random key, used for the
// posts made that day; keys live only in memory and are forgotten after
// KeyLife, so a stored hash can never be traced back to an address, not
// even by trying every address. A restart forgets every key: poster IDs
// change and people may vote again. Keyring is safe for concurrent use.
type Keyring struct {
	mu   sync.Mutex
	keys map[int64][]byte // by day number since the epoch
	// The rotating client secrets (see Client).
	cur, prev     clientSecret
	period, grace time.Duration
}

// NewKeyring returns an empty Keyring.
func NewKeyring() *Keyring {
	return &Keyring{keys: map[int64][]byte{}}
}

// key returns the key of the day of t, making it if needed, and forgets
// keys older than KeyLife before now.
func (k *Keyring) key(t, now time.Time) []byte {
	day := t.UTC().Unix() / 86400
	k.mu.Lock()
	defer k.mu.Unlock()
	oldest := now.Add(-KeyLife).UTC().Unix() / 86400
	for d := range k.keys {
		if d < oldest {
			delete(k.keys, d)
		}
	}
	key, ok := k.keys[day]
	if !ok {
		key = make([]byte, 32)
		rand.Read(key)
		k.keys[day] = key
	}
	return key
}

func (k *Keyring) sum(purpose string, p Post, client netip.Addr, now time.Time) []byte {
	m := hmac.New(sha256.New, k.key(p.CreatedAt, now))
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
func (k *Keyring) PosterID(p Post, client netip.Addr, now time.Time) string {
	return posterIDEncoding.EncodeToString(k.sum("poster", p, client, now))[:8]
}

// VoterKey returns the key under which client's vote on p is stored: one
// vote per client per post, and nothing that leads back to the client.
func (k *Keyring) VoterKey(p Post, client netip.Addr, now time.Time) []byte {
	return k.sum("vote", p, client, now)[:16]
}

// ticketWindow is how long a view ticket stays good (one to two windows).
const ticketWindow = 2 * time.Minute

// Ticket returns a short-lived ticket that lets the page of a counted view
// of a self-destructing post load its media without counting more views.
func (k *Keyring) Ticket(p Post, now time.Time) string {
	return k.ticketAt(p, now.Truncate(ticketWindow), now)
}

// TicketValid reports whether ticket was made by Ticket for p in the
// current or the previous window.
func (k *Keyring) TicketValid(p Post, ticket string, now time.Time) bool {
	w := now.Truncate(ticketWindow)
	for _, at := range []time.Time{w, w.Add(-ticketWindow)} {
		if ticket != "" && hmac.Equal([]byte(ticket), []byte(k.ticketAt(p, at, now))) {
			return true
		}
	}
	return false
}

func (k *Keyring) ticketAt(p Post, window, now time.Time) string {
	m := hmac.New(sha256.New, k.key(p.CreatedAt, now))
	m.Write([]byte("ticket\x00" + p.ID + "\x00" + window.UTC().Format(time.RFC3339)))
	return posterIDEncoding.EncodeToString(m.Sum(nil))[:16]
}

// ClientPeriod is how long one client secret is used before it rotates,
// and ClientGrace how long the previous one is still honoured afterwards
// (as long as the longest rate-limit window), unless SetClientPeriod
// changes them.
const (
	ClientPeriod = 24 * time.Hour
	ClientGrace  = time.Hour
)

// clientSecret is one rotating client secret and the period it covers.
type clientSecret struct {
	period int64 // period number since the epoch
	key    []byte
}

// SetClientPeriod sets how often the client secret rotates and how long
// the previous one is honoured. Call it before the Keyring is used.
func (k *Keyring) SetClientPeriod(period, grace time.Duration) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.period, k.grace = period, grace
}

// periods returns the client period and grace; k.mu must be held.
func (k *Keyring) periods() (time.Duration, time.Duration) {
	if k.period <= 0 {
		return ClientPeriod, ClientGrace
	}
	return k.period, k.grace
}

// Client returns the keyed hashes that stand for client in rate limits,
// report dedup and poster bans: cur under the secret in use at now, and
// prev under the previous secret while it is still honoured (nil after
// the grace). The secrets are random, live only in memory and are
// forgotten as they rotate out, so a stored hash leads back to no one and
// stops matching anyone once its secret is gone.
func (k *Keyring) Client(client netip.Addr, now time.Time) (cur, prev []byte) {
	k.mu.Lock()
	period, grace := k.periods()
	n := now.UnixNano() / int64(period)
	if k.cur.key == nil || k.cur.period < n {
		if k.cur.key != nil && k.cur.period == n-1 {
			k.prev = k.cur
		} else {
			k.prev = clientSecret{}
		}
		k.cur = clientSecret{period: n, key: make([]byte, 32)}
		rand.Read(k.cur.key)
	}
	curKey, prevKey := k.cur.key, k.prev.key
	if now.Sub(time.Unix(0, n*int64(period))) >= grace {
		k.prev = clientSecret{}
		prevKey = nil
	}
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
func (k *Keyring) ClientKeyEnd(t time.Time) time.Time {
	k.mu.Lock()
	period, grace := k.periods()
	k.mu.Unlock()
	n := t.UnixNano() / int64(period)
	return time.Unix(0, (n+1)*int64(period)).Add(grace).UTC()
}

// Reporter returns the key under which client's report of a post (or of
// one of its comments, by commentID) is stored: one report per client and
// thing, and nothing that leads back to the client.
func (k *Keyring) Reporter(p Post, commentID string, client netip.Addr, now time.Time) []byte {
	return k.sum("report\x00"+commentID, p, client, now)[:16]
}
