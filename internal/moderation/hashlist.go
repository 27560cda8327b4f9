package moderation

import (
	"context"
	"sync"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/pdq"
)

// HashStore is what a HashList reads. *sqlstore.Store implements it.
type HashStore interface {
	HashBans(ctx context.Context, after int64, limit int) ([]chatpic.HashBan, error)
	HashBanVersion(ctx context.Context) (count int, maxID int64, err error)
}

// HashList is the in-memory copy of the banned hashes that every new
// upload is checked against: a set of SHA-256 sums and a multi-index of
// PDQ hashes. It follows the database, so hashes banned by another process
// (chatpic hashes import) take effect on the next check. It is safe for
// concurrent use.
type HashList struct {
	store     HashStore
	threshold int

	mu    sync.Mutex
	maxID int64 // the highest ban ID loaded
	sums  map[[32]byte]int64
	pdq   *pdq.Index
	ids   map[int64]bool
}

// NewHashList returns an empty HashList over store; threshold is the
// largest PDQ distance that counts as a match.
func NewHashList(store HashStore, threshold int) *HashList {
	h := &HashList{store: store, threshold: threshold}
	h.reset()
	return h
}

func (h *HashList) reset() {
	h.maxID, h.sums, h.pdq, h.ids = 0, map[[32]byte]int64{}, pdq.NewIndex(), map[int64]bool{}
}

// Sync brings the list up to date with the database: only new bans are
// read when the list has only grown, everything when any ban was lifted.
func (h *HashList) Sync(ctx context.Context) error {
	count, maxID, err := h.store.HashBanVersion(ctx)
	if err != nil {
		return err
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	if count == len(h.ids) && maxID == h.maxID {
		return nil
	}
	if err := h.load(ctx); err != nil {
		return err
	}
	if len(h.ids) > count || maxID < h.maxID {
		// Bans were lifted: start again.
		h.reset()
		return h.load(ctx)
	}
	return nil
}

// load adds the bans after maxID.
func (h *HashList) load(ctx context.Context) error {
	const page = 5000
	for {
		bans, err := h.store.HashBans(ctx, h.maxID, page)
		if err != nil {
			return err
		}
		for _, b := range bans {
			h.add(b)
			h.maxID = b.ID
		}
		if len(bans) < page {
			return nil
		}
	}
}

func (h *HashList) add(b chatpic.HashBan) {
	if len(b.Hash) != 32 || h.ids[b.ID] {
		return
	}
	h.ids[b.ID] = true
	var sum [32]byte
	copy(sum[:], b.Hash)
	switch b.Kind {
	case chatpic.HashSHA256:
		h.sums[sum] = b.ID
	case chatpic.HashPDQ:
		h.pdq.Add(pdq.Hash(sum), b.ID)
	}
}

// Match is a banned hash a picture matched.
type Match struct {
	BanID    int64
	Kind     chatpic.HashKind
	Distance int // PDQ bits that differ; 0 for SHA-256
}

// Check returns the ban that any of sums (SHA-256 of the file as sent and
// as stored) or any of the PDQ hashes matches, if any: the nearest, of
// several PDQ matches. Callers pass no PDQ hash for a picture whose quality
// is below pdq.MinQuality (see Screen).
func (h *HashList) Check(sums [][32]byte, hashes []pdq.Hash) (Match, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for _, s := range sums {
		if id, ok := h.sums[s]; ok {
			return Match{BanID: id, Kind: chatpic.HashSHA256}, true
		}
	}
	best := Match{Distance: -1}
	for _, q := range hashes {
		if id, d, ok := h.pdq.Match(q, h.threshold); ok && (best.Distance < 0 || d < best.Distance) {
			best = Match{BanID: id, Kind: chatpic.HashPDQ, Distance: d}
		}
	}
	return best, best.Distance >= 0
}

// Screen syncs the list and refuses (KindForbidden, with a neutral
// message) an upload whose hashes match a ban. hashes are the PDQ hashes of
// the eight orientations of the upload's picture (media.Result.PDQDihedral),
// so that a listed picture is refused whatever its orientation tag, turned
// or mirrored; a picture too plain to be matched on (quality below
// pdq.MinQuality, tiny ones included) passes none.
func (h *HashList) Screen(ctx context.Context, sums [][32]byte, hashes []pdq.Hash) error {
	if err := h.Sync(ctx); err != nil {
		return err
	}
	if _, ok := h.Check(sums, hashes); ok {
		return chatpic.Errorf(chatpic.KindForbidden, "this file cannot be uploaded here")
	}
	return nil
}
