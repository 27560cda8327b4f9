package pdq

import (
	"math/bits"
	"sync"
)

// The index is multi-index hashing (Norouzi, Punjani and Fleet, "Fast
// Search in Hamming Space with Multi-Index Hashing", 2012). The 256 bits are
// cut into 16 substrings of 16 bits (toWords says which), one table per
// substring. If two hashes are within t bits, one of their 16 substrings is
// within t/16 bits (if all 16 differed by more, the whole would differ by
// at least 16·(t/16+1) > t). So a query looks up, in each table, every
// 16-bit value within t/16 bits of its own substring, and checks the
// entries found there with the full distance. With random hashes a bucket
// holds Len/65536 entries, and for the usual threshold 31 a query looks up
// 16·17 buckets and checks about Len/240 entries.
const (
	substrings = 16      // tables, one per 16-bit substring
	buckets    = 1 << 16 // values of a substring
	maxPending = 4096    // entries added or removed before the tables are rebuilt
)

// Index holds PDQ hashes of banned pictures, each under a caller's id, and
// finds the one nearest a query hash. Any threshold gives the same answer
// as comparing the query with every stored hash; for thresholds up to 47
// on a large index the tables make that about 15 times faster than a
// scan (BenchmarkMatch), and wider thresholds scan.
//
// An Index is safe for concurrent use: Add and Remove take a write lock and
// Match a read lock. Entries added since the tables were last built are
// scanned one by one; when there are more than 4096 of them, or more than
// 4096 removed entries wait to be dropped, the next Match takes the write
// lock and rebuilds the tables, in O(Len) time (about 150 ms for 800,000
// entries).
//
// Memory is about 120 bytes per entry: the hash, the id, and a 4-byte
// position in each of the 16 tables.
type Index struct {
	mu      sync.RWMutex
	words   [][4]uint64       // entry → its hash, as words for popcount
	ids     []int64           // entry → its id
	dead    []bool            // entry → removed, to be dropped at the next build
	removed int               // count of true in dead
	entries map[int64][]int32 // id → its entries

	// built is how many entries, from the first, the tables cover. Table j
	// lists the entries whose substring j is v in
	// pos[j][start[j][v]:start[j][v+1]].
	built int
	start [substrings][]int32
	pos   [substrings][]int32
}

// NewIndex returns an empty index.
func NewIndex() *Index {
	return &Index{entries: make(map[int64][]int32)}
}

// Add stores h under id. The same hash may be stored under several ids, and
// an id may have several hashes (a picture's eight orientations): Remove
// drops them all.
func (x *Index) Add(h Hash, id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	e := int32(len(x.words))
	x.words = append(x.words, toWords(h))
	x.ids = append(x.ids, id)
	x.dead = append(x.dead, false)
	x.entries[id] = append(x.entries[id], e)
}

// Remove drops every hash stored under id. An id that is not stored is
// ignored.
func (x *Index) Remove(id int64) {
	x.mu.Lock()
	defer x.mu.Unlock()
	for _, e := range x.entries[id] {
		x.dead[e] = true
	}
	x.removed += len(x.entries[id])
	delete(x.entries, id)
}

// Len returns the number of hashes stored.
func (x *Index) Len() int {
	x.mu.RLock()
	defer x.mu.RUnlock()
	return len(x.words) - x.removed
}

// Match returns the stored hash nearest h if it is within threshold bits:
// its id and distance, and ok. Of several at the same distance, the one with
// the smallest id is returned. A negative threshold matches nothing; one of
// 256 or more matches the nearest hash stored. It returns ok false if no
// stored hash is within threshold.
func (x *Index) Match(h Hash, threshold int) (id int64, distance int, ok bool) {
	x.mu.RLock()
	if x.stale() {
		x.mu.RUnlock()
		x.mu.Lock()
		if x.stale() {
			x.build()
		}
		x.mu.Unlock()
		x.mu.RLock()
	}
	defer x.mu.RUnlock()
	return x.match(h, threshold, auto)
}

// stale reports whether enough has changed since the last build to build
// again.
func (x *Index) stale() bool {
	return len(x.words)-x.built > maxPending || x.removed > maxPending
}

// How match finds candidates among the entries the tables cover; the rest
// are always scanned.
const (
	auto  = iota // the cheaper of the two for the threshold
	probe        // look up the tables
	scan         // check every entry
)

// match is Match with the read lock held.
func (x *Index) match(h Hash, threshold int, how int) (id int64, distance int, ok bool) {
	if threshold < 0 {
		return 0, 0, false
	}
	q := toWords(h)
	best := nearest{dist: min(threshold, 8*len(h))}
	from := 0 // the first entry to scan
	r := best.dist / substrings
	words := x.words
	if x.built > 0 && (how == probe || how == auto && x.probeCheaper(r)) {
		from = x.built
		for j := range substrings {
			start, pos := x.start[j], x.pos[j]
			s := substring(&q, j)
			for _, flip := range ball[:ballSize[r]] {
				v := int(s ^ flip)
				for _, e := range pos[start[v]:start[v+1]] {
					if d := wordDistance(&q, &words[e]); d <= best.dist {
						x.offer(&best, d, int(e))
					}
				}
			}
		}
	}
	for e := from; e < len(words); e++ {
		if d := wordDistance(&q, &words[e]); d <= best.dist {
			x.offer(&best, d, e)
		}
	}
	if !best.ok {
		return 0, 0, false
	}
	return best.id, best.dist, true
}

// nearest is the best match so far: none yet, and dist the threshold, until
// ok.
type nearest struct {
	id   int64
	dist int
	ok   bool
}

// offer makes entry e, at distance d ≤ best.dist, the best match unless it
// was removed or is as near as the best so far with a larger id.
func (x *Index) offer(best *nearest, d, e int) {
	if x.dead[e] {
		return
	}
	if id := x.ids[e]; !best.ok || d < best.dist || id < best.id {
		*best = nearest{id: id, dist: d, ok: true}
	}
}

// wordDistance is Distance for hashes in words.
func wordDistance(a, b *[4]uint64) int {
	return bits.OnesCount64(a[0]^b[0]) + bits.OnesCount64(a[1]^b[1]) +
		bits.OnesCount64(a[2]^b[2]) + bits.OnesCount64(a[3]^b[3])
}

// probeCheaper reports whether looking up the tables within radius r costs
// less than scanning the entries they cover. Each bucket looked up and each
// entry found there is a read from a random place in memory, where a scan
// reads memory in order: BenchmarkMatchRadius measured, on 800,000 entries,
// a found entry costing about 12 times as much as a scanned one. So probing
// pays up to radius 2 (thresholds up to 47) in a large index and never in
// one of a few thousand entries.
func (x *Index) probeCheaper(r int) bool {
	lookups := substrings * ballSize[r]
	found := lookups * x.built / buckets
	return 16*lookups+12*found < x.built
}

// build drops removed entries and indexes all the others.
func (x *Index) build() {
	x.compact()
	n := len(x.words)
	var next [buckets]int32 // where the next entry of each bucket goes
	for j := range substrings {
		start := x.start[j]
		if start == nil {
			start = make([]int32, buckets+1)
		}
		clear(start)
		for e := range x.words {
			start[int(substring(&x.words[e], j))+1]++
		}
		for v := 1; v < len(start); v++ {
			start[v] += start[v-1]
		}
		pos := x.pos[j]
		if cap(pos) < n {
			pos = make([]int32, n)
		}
		pos = pos[:n]
		copy(next[:], start)
		for e := range x.words {
			s := substring(&x.words[e], j)
			pos[next[s]] = int32(e)
			next[s]++
		}
		x.start[j], x.pos[j] = start, pos
	}
	x.built = n
}

// compact drops removed entries, renumbering the others.
func (x *Index) compact() {
	if x.removed == 0 {
		return
	}
	renum := make([]int32, len(x.words))
	n := 0
	for e := range x.words {
		if x.dead[e] {
			continue
		}
		x.words[n], x.ids[n], x.dead[n] = x.words[e], x.ids[e], false
		renum[e] = int32(n)
		n++
	}
	x.words, x.ids, x.dead = x.words[:n], x.ids[:n], x.dead[:n]
	for _, es := range x.entries {
		for i, e := range es {
			es[i] = renum[e]
		}
	}
	x.removed = 0
	x.built = 0
}

// toWords returns h as four 64-bit words in the index's order of bits:
// bits 16j to 16j+15 are substring j, which takes from each row u of the
// 16×16 DCT block the coefficient in column (5u+j) mod 16, so one from
// every row and every column. Neighbouring coefficients are correlated: cut
// by rows, the substrings of real photographs' hashes coincide twice as
// often as random hashes' (bench/pdqfp), and a query checks twice as many
// entries; spread like this, about 1.04 times as often. The order does not
// change distances.
func toWords(h Hash) [4]uint64 {
	var w [4]uint64
	for j := range substrings {
		for u := range dctSize {
			k := dctSize*u + (5*u+j)%dctSize // bit k of h, as setBit numbers them
			if h[31-k/8]>>(k%8)&1 == 1 {
				i := 16*j + u
				w[i/64] |= 1 << (i % 64)
			}
		}
	}
	return w
}

// substring returns substring j (0..15) of a hash in words.
func substring(w *[4]uint64, j int) uint16 {
	return uint16(w[j/4] >> (16 * (j % 4)))
}

// ball holds the 65536 16-bit values ordered by how many bits they have
// set, so ball[:ballSize[r]] are the values within r bits of zero, and
// v^ball[i] those within r bits of v. It is never written after
// initialisation.
var ball, ballSize = func() (b [buckets]uint16, size [17]int) {
	// A counting sort by the number of bits set, ascending values within
	// each count: one pass to count, one to place (every process pays for
	// this at start, the CLI's included).
	var at [18]int
	for v := range buckets {
		at[bits.OnesCount16(uint16(v))+1]++
	}
	for k := 1; k < 18; k++ {
		at[k] += at[k-1]
	}
	for k := range 17 {
		size[k] = at[k+1]
	}
	for v := range buckets {
		k := bits.OnesCount16(uint16(v))
		b[at[k]] = uint16(v)
		at[k]++
	}
	return b, size
}()
