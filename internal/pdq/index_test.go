package pdq

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"testing"
)

// Random hashes are a fair model of real ones for the index: a PDQ hash
// has half its bits set (each says whether a DCT coefficient is above the
// median), spread over the 256 positions. Not perfectly evenly: on 542
// photographs bench/pdqfp found each bit set in 35% to 57% of them, and
// the index's 16-bit substrings of their hashes coinciding about 1.04
// times as often as random hashes' do, so a query on real hashes checks
// about 4% more entries than BenchmarkMatch's.

func randomHash(rng *rand.Rand) Hash {
	var h Hash
	for i := range h {
		h[i] = byte(rng.Uint32())
	}
	return h
}

// flipBits returns h with exactly n of its bits, chosen at random, flipped.
func flipBits(h Hash, n int, rng *rand.Rand) Hash {
	for _, k := range rng.Perm(8 * len(h))[:n] {
		h[k/8] ^= 1 << (k % 8)
	}
	return h
}

// variants returns the hashes of the eight orientations of the picture
// whose hash is h, as Dihedral would give them to within a few bits: an
// orientation moves the DCT coefficients (transposes the block) and negates
// some, and a negated coefficient falls on the other side of the median,
// which is near zero.
func variants(h Hash) [8]Hash {
	bit := func(u, v int) bool { k := 16*u + v; return h[31-k/8]>>(k%8)&1 == 1 }
	var vs [8]Hash
	for i, o := range orientations {
		for u := range dctSize {
			for v := range dctSize {
				b := bit(u, v) != (o.negRows && u%2 == 0) != (o.negCols && v%2 == 0)
				ou, ov := u, v
				if o.transpose {
					ou, ov = v, u
				}
				if b {
					vs[i].setBit(16*ou + ov)
				}
			}
		}
	}
	return vs
}

func TestWordsKeepEveryBit(t *testing.T) {
	var all [4]uint64
	for k := range 256 {
		var h Hash
		h.setBit(k)
		w := toWords(h)
		if n := wordDistance(&w, &[4]uint64{}); n != 1 {
			t.Fatalf("bit %d: %d bits set in words, want 1", k, n)
		}
		for i := range w {
			all[i] |= w[i]
		}
	}
	if n := wordDistance(&all, &[4]uint64{}); n != 256 {
		t.Errorf("the 256 bits land on %d places, want 256", n)
	}
	rng := rand.New(rand.NewPCG(9, 9))
	for range 100 {
		a, b := randomHash(rng), randomHash(rng)
		wa, wb := toWords(a), toWords(b)
		if got, want := wordDistance(&wa, &wb), Distance(a, b); got != want {
			t.Fatalf("distance in words %d, want %d", got, want)
		}
	}
}

// stored is one Add, kept by the tests to check the index against a scan.
type stored struct {
	h  Hash
	id int64
}

// bruteForce is Match done the obvious way.
func bruteForce(all []stored, q Hash, threshold int) (id int64, distance int, ok bool) {
	for _, s := range all {
		d := Distance(q, s.h)
		if d <= threshold && (!ok || d < distance || d == distance && s.id < id) {
			id, distance, ok = s.id, d, true
		}
	}
	return id, distance, ok
}

// hows are the ways match finds candidates, each tested on its own.
var hows = []struct {
	name string
	how  int
}{{"auto", auto}, {"probe", probe}, {"scan", scan}}

func TestMatchAtDistance(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 1))
	for _, threshold := range []int{0, 8, 31, 47, 64, 100} {
		ds := []int{0, 1, threshold - 1, threshold, threshold + 1}
		slices.Sort(ds)
		for _, d := range slices.Compact(ds) {
			if d < 0 {
				continue
			}
			target := randomHash(rng)
			q := flipBits(target, d, rng)
			// Other entries are all further than threshold+1 from q, so the
			// answer is the target or nothing.
			var others []Hash
			for len(others) < 2000 {
				if h := randomHash(rng); Distance(h, q) > threshold+1 {
					others = append(others, h)
				}
			}
			for _, pending := range []bool{false, true} {
				x := NewIndex()
				for i, h := range others {
					x.Add(h, int64(i+100))
				}
				if !pending {
					x.Add(target, 7)
				}
				x.build()
				if pending {
					x.Add(target, 7) // after the build: scanned, not in the tables
				}
				for _, hw := range hows {
					name := fmt.Sprintf("t=%d/d=%d/pending=%v/%s", threshold, d, pending, hw.name)
					t.Run(name, func(t *testing.T) {
						id, dist, ok := x.match(q, threshold, hw.how)
						if want := d <= threshold; ok != want {
							t.Fatalf("ok = %v (id %d, distance %d), want %v", ok, id, dist, want)
						}
						if ok && (id != 7 || dist != d) {
							t.Errorf("got id %d at %d, want 7 at %d", id, dist, d)
						}
					})
				}
			}
		}
	}
}

func TestMatchAgainstBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(2, 2))
	x := NewIndex()
	var all []stored
	add := func(h Hash, id int64) {
		x.Add(h, id)
		all = append(all, stored{h, id})
	}
	// Enough entries that auto probes the tables at thresholds up to 31.
	for i := range 6000 {
		h := randomHash(rng)
		add(h, int64(rng.IntN(5000))) // some ids get several hashes
		if i%50 == 0 {
			add(h, int64(rng.IntN(5000))) // the same hash under another id
		}
		if i%70 == 0 {
			add(flipBits(h, 1+rng.IntN(20), rng), int64(i)) // a near neighbour
		}
	}
	x.build()
	for range 300 { // some removed from the tables, some from the pending entries
		id := all[rng.IntN(len(all))].id
		x.Remove(id)
		all = deleteID(all, id)
		add(randomHash(rng), int64(6000+rng.IntN(500)))
	}

	// Half random queries, half near stored hashes; the nearest stored hash
	// to each, at any distance, is the answer at every threshold it is
	// within.
	queries := make([]Hash, 2000)
	nearestID, nearestDist := make([]int64, len(queries)), make([]int, len(queries))
	for i := range queries {
		if i%2 == 0 {
			queries[i] = randomHash(rng)
		} else {
			queries[i] = flipBits(all[rng.IntN(len(all))].h, rng.IntN(80), rng)
		}
		nearestID[i], nearestDist[i], _ = bruteForce(all, queries[i], 256)
	}
	for _, threshold := range []int{0, 1, 8, 15, 16, 17, 31, 32, 47, 48, 63, 64, 80, 100, 128, 200, 255, 256, 300} {
		for _, hw := range hows {
			// As many queries as about 2 million steps allow: all of them
			// at narrow thresholds, a few where each probes thousands of
			// buckets or scans every entry.
			r := min(threshold, 256) / substrings
			work := len(all)
			if hw.how == probe || hw.how == auto && x.probeCheaper(r) {
				work = substrings * ballSize[r]
			}
			n := min(max(2_000_000/work, 4), len(queries))
			for i, q := range queries[:n] {
				var wid int64
				wd, wok := 0, nearestDist[i] <= threshold
				if wok {
					wid, wd = nearestID[i], nearestDist[i]
				}
				id, d, ok := x.match(q, threshold, hw.how)
				if id != wid || d != wd || ok != wok {
					t.Fatalf("threshold %d, %s, query %v: got (%d, %d, %v), want (%d, %d, %v)",
						threshold, hw.name, q, id, d, ok, wid, wd, wok)
				}
			}
		}
	}
	if x.Len() != len(all) {
		t.Errorf("Len = %d, want %d", x.Len(), len(all))
	}
}

func deleteID(all []stored, id int64) []stored {
	kept := all[:0]
	for _, s := range all {
		if s.id != id {
			kept = append(kept, s)
		}
	}
	return kept
}

func TestRemove(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	a, b := randomHash(rng), randomHash(rng)
	tests := []struct {
		name  string
		build bool // build the tables before removing
	}{{"pending", false}, {"indexed", true}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := NewIndex()
			for i := range 5000 {
				x.Add(randomHash(rng), int64(1000+i))
			}
			for _, v := range variants(a) {
				x.Add(v, 1)
			}
			x.Add(b, 2)
			if tt.build {
				x.build()
			}
			x.Remove(1)
			x.Remove(99) // not stored: ignored
			if got := x.Len(); got != 5001 {
				t.Errorf("Len = %d, want 5001", got)
			}
			for _, v := range variants(a) {
				if id, d, ok := x.Match(v, MatchThreshold); ok {
					t.Errorf("removed hash matched id %d at %d", id, d)
				}
			}
			if id, _, ok := x.Match(b, 0); !ok || id != 2 {
				t.Errorf("Match(b) = %d, %v; want 2, true", id, ok)
			}
			x.Add(a, 3) // re-added under a new id
			if id, _, ok := x.Match(a, 0); !ok || id != 3 {
				t.Errorf("re-added: Match = %d, %v; want 3, true", id, ok)
			}
		})
	}
}

func TestRemoveManyRebuilds(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	x := NewIndex()
	var all []stored
	for i := range 3 * maxPending {
		h := randomHash(rng)
		x.Add(h, int64(i))
		all = append(all, stored{h, int64(i)})
	}
	for i := 0; i < 3*maxPending; i += 2 {
		x.Remove(int64(i))
	}
	q := flipBits(all[1].h, 5, rng)
	if id, d, ok := x.Match(q, MatchThreshold); !ok || id != 1 || d != 5 {
		t.Errorf("Match = %d, %d, %v; want 1, 5, true", id, d, ok)
	}
	if x.removed != 0 || x.built != len(x.words) || len(x.words) != x.Len() {
		t.Errorf("after Match: %d removed, %d of %d built; want all removed dropped and the rest built",
			x.removed, x.built, len(x.words))
	}
	if id, _, ok := x.Match(all[2].h, 0); ok {
		t.Errorf("removed entry matched as id %d", id)
	}
}

func TestDuplicates(t *testing.T) {
	h := randomHash(rand.New(rand.NewPCG(5, 5)))
	x := NewIndex()
	for _, id := range []int64{5, 3, 9} {
		x.Add(h, id)
	}
	x.Add(h, 5) // the same hash and id twice
	want := []int64{3, 5, 9}
	for _, w := range want {
		if id, d, ok := x.Match(h, 0); !ok || id != w || d != 0 {
			t.Fatalf("Match = %d, %d, %v; want %d, 0, true (the smallest id)", id, d, ok, w)
		}
		x.Remove(w)
	}
	if x.Len() != 0 {
		t.Errorf("Len = %d after removing every id, want 0", x.Len())
	}
}

func TestEmptyIndexAndNegativeThreshold(t *testing.T) {
	x := NewIndex()
	if id, _, ok := x.Match(Hash{}, 256); ok {
		t.Errorf("empty index matched id %d", id)
	}
	if x.Len() != 0 {
		t.Errorf("Len = %d, want 0", x.Len())
	}
	x.Add(Hash{}, 1)
	if _, _, ok := x.Match(Hash{}, -1); ok {
		t.Error("threshold -1 matched")
	}
}

// TestConcurrentUse runs Add, Remove and Match together; run it with -race.
// Hashes stored before it starts and never removed must match throughout.
func TestConcurrentUse(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x := NewIndex()
	keep := make([]Hash, 100)
	for i := range keep {
		keep[i] = randomHash(rng)
		x.Add(keep[i], int64(i))
	}
	extra := make([]Hash, 3*maxPending) // enough to make Match rebuild
	for i := range extra {
		extra[i] = randomHash(rng)
	}
	var wg sync.WaitGroup
	wg.Go(func() {
		for i, h := range extra {
			x.Add(h, int64(1000+i))
			if i%3 == 0 {
				x.Remove(int64(1000 + i))
			}
		}
	})
	for g := range 2 {
		wg.Go(func() {
			for i := range 2000 {
				h := keep[(i+g)%len(keep)]
				if id, _, ok := x.Match(h, MatchThreshold); !ok || id >= int64(len(keep)) || keep[id] != h {
					t.Errorf("Match(keep[%d]) = %d, %v", (i+g)%len(keep), id, ok)
					return
				}
				_ = x.Len()
			}
		})
	}
	wg.Wait()
	if want := len(keep) + len(extra) - len(extra)/3; x.Len() != want {
		t.Errorf("Len = %d, want %d", x.Len(), want)
	}
}

// benchIndex returns an index of 100,000 banned pictures, each stored as
// its eight orientations, the same hashes in a slice, and the heap the
// index takes per entry.
func benchIndex() (*Index, []stored, float64) {
	const pictures = 100_000
	rng := rand.New(rand.NewPCG(7, 7))
	all := make([]stored, 0, 8*pictures)
	for i := range pictures {
		for _, v := range variants(randomHash(rng)) {
			all = append(all, stored{v, int64(i)})
		}
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	x := NewIndex()
	for _, s := range all {
		x.Add(s.h, s.id)
	}
	x.Match(Hash{}, 0) // builds the tables
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntry := float64(after.HeapAlloc-before.HeapAlloc) / float64(len(all))
	return x, all, perEntry
}

// benchQueries returns 1024 random hashes (misses) and 1024 stored hashes
// with 20 bits flipped (hits).
func benchQueries(all []stored) (misses, hits []Hash) {
	rng := rand.New(rand.NewPCG(8, 8))
	for range 1024 {
		misses = append(misses, randomHash(rng))
		hits = append(hits, flipBits(all[rng.IntN(len(all))].h, 20, rng))
	}
	return misses, hits
}

// BenchmarkMatch compares Match on 800,000 entries (100,000 pictures × 8
// orientations) at the default threshold with a plain loop over all of them
// calling Distance ("linear"), and with the index's own scan ("scan", the
// same loop on 64-bit words, which Match falls back to for wide
// thresholds). B/entry is the heap the index takes per entry.
func BenchmarkMatch(b *testing.B) {
	x, all, perEntry := benchIndex()
	misses, hits := benchQueries(all)
	for _, kind := range []struct {
		name    string
		queries []Hash
	}{{"miss", misses}, {"hit", hits}} {
		qs := kind.queries
		b.Run(kind.name+"/index", func(b *testing.B) {
			i := 0
			for b.Loop() {
				x.Match(qs[i%len(qs)], MatchThreshold)
				i++
			}
			b.ReportMetric(perEntry, "B/entry")
		})
		b.Run(kind.name+"/scan", func(b *testing.B) {
			i := 0
			for b.Loop() {
				x.match(qs[i%len(qs)], MatchThreshold, scan)
				i++
			}
		})
		b.Run(kind.name+"/linear", func(b *testing.B) {
			i := 0
			for b.Loop() {
				bruteForce(all, qs[i%len(qs)], MatchThreshold)
				i++
			}
		})
	}
}

// BenchmarkMatchRadius times probing and scanning at thresholds that probe
// radius 1 to 4 (16 × 17 to 16 × 2517 buckets), on random queries: the
// measurements behind probeCheaper.
func BenchmarkMatchRadius(b *testing.B) {
	x, all, _ := benchIndex()
	misses, _ := benchQueries(all)
	for _, threshold := range []int{31, 47, 63, 79} {
		for _, hw := range hows[1:] {
			b.Run(fmt.Sprintf("t=%d/%s", threshold, hw.name), func(b *testing.B) {
				i := 0
				for b.Loop() {
					x.match(misses[i%len(misses)], threshold, hw.how)
					i++
				}
			})
		}
	}
}

// BenchmarkBuild times rebuilding the tables of 800,000 entries, which the
// first Match after every 4096 additions does.
func BenchmarkBuild(b *testing.B) {
	x, _, _ := benchIndex()
	for b.Loop() {
		x.build()
	}
}
