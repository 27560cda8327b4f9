package main

import (
	"fmt"
	"io"
	"maps"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chatpic/chatpic/internal/pdq"
)

// correlation returns the correlation of two thumbnails.
func correlation(a, b []float64) float64 {
	s := 0.0
	for i := range a {
		s += a[i] * b[i]
	}
	return s
}

// dropFamilies groups pictures whose thumbnails correlate at family or
// more (transitively), prints each group, and returns the pictures with
// only the largest of each group left.
func dropFamilies(ps []photo, family float64, w io.Writer) []photo {
	parent := make([]int, len(ps))
	for i := range parent {
		parent[i] = i
	}
	var root func(int) int
	root = func(i int) int {
		for parent[i] != i {
			i = parent[i]
		}
		return i
	}
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			if correlation(ps[i].thumb, ps[j].thumb) >= family {
				parent[root(j)] = root(i)
			}
		}
	}
	groups := make(map[int][]int)
	for i := range ps {
		groups[root(i)] = append(groups[root(i)], i)
	}
	var kept []photo
	families := 0
	for i := range ps {
		g := groups[i]
		if len(g) == 0 {
			continue
		}
		area := func(k int) int { return ps[k].size.X * ps[k].size.Y }
		best := slices.MaxFunc(g, func(a, b int) int { return area(a) - area(b) })
		kept = append(kept, ps[best])
		if len(g) > 1 {
			families++
			var names []string
			for _, k := range g {
				names = append(names, ps[k].name)
			}
			fmt.Fprintf(w, "near-duplicate family, kept %s: %s\n", ps[best].name, strings.Join(names, " "))
		}
	}
	fmt.Fprintf(w, "near-duplicate families (32×32 thumbnail correlation ≥ %.2f): %d, %d pictures dropped\n",
		family, families, len(ps)-len(kept))
	return kept
}

// pairDistance is the distance at which a and b would match: the least over
// the eight orientations of either against the other as given.
func pairDistance(a, b *photo) int {
	d := 256
	for o := range 8 {
		d = min(d, pdq.Distance(a.hashes[o], b.hashes[pdq.Original]), pdq.Distance(b.hashes[o], a.hashes[pdq.Original]))
	}
	return d
}

// report prints the distance figures over all pairs of ps and the sanity
// checks.
func report(ps []photo, w io.Writer) {
	type pair struct{ a, b, d int }
	var pairs []pair
	for i := range ps {
		for j := i + 1; j < len(ps); j++ {
			pairs = append(pairs, pair{i, j, pairDistance(&ps[i], &ps[j])})
		}
	}
	slices.SortFunc(pairs, func(x, y pair) int { return x.d - y.d })
	lowQ := 0
	for _, p := range ps {
		if p.quality < 50 {
			lowQ++
		}
	}
	perDir := make(map[string]int)
	for _, p := range ps {
		perDir[strings.SplitN(p.name, string(filepath.Separator), 2)[0]]++
	}
	var counts []string
	for _, d := range slices.Sorted(maps.Keys(perDir)) {
		counts = append(counts, fmt.Sprintf("%s %d", d, perDir[d]))
	}
	fmt.Fprintf(w, "distinct photos: %d (%s; %d of PDQ quality < 50); pairs: %d\n",
		len(ps), strings.Join(counts, ", "), lowQ, len(pairs))
	if len(pairs) == 0 {
		return
	}
	fmt.Fprintf(w, "pair distance (least over 8 orientations, either way): min %d, 1st percentile %d, median %d\n",
		pairs[0].d, pairs[len(pairs)/100].d, pairs[len(pairs)/2].d)
	for _, t := range thresholds {
		n, involved := 0, make(map[int]bool)
		for _, p := range pairs {
			if p.d <= t {
				n++
				involved[p.a], involved[p.b] = true, true
			}
		}
		fmt.Fprintf(w, "threshold %d: %d false-match pairs (%.4f%%), %d photos (%.2f%%) involved\n",
			t, n, 100*float64(n)/float64(len(pairs)), len(involved), 100*float64(len(involved))/float64(len(ps)))
	}
	fmt.Fprintln(w, "nearest pairs (all within 50, at least 10):")
	for i, p := range pairs {
		if i >= 10 && p.d > thresholds[len(thresholds)-1] {
			break
		}
		fmt.Fprintf(w, "  distance %d (thumbnail correlation %.2f, quality %d and %d): %s %s\n", p.d,
			correlation(ps[p.a].thumb, ps[p.b].thumb), ps[p.a].quality, ps[p.b].quality, ps[p.a].name, ps[p.b].name)
	}

	var bitSet [256]int
	for _, p := range ps {
		h := p.hashes[pdq.Original]
		for k := range bitSet {
			bitSet[k] += int(h[k/8] >> (k % 8) & 1)
		}
	}
	lo, hi := slices.Min(bitSet[:]), slices.Max(bitSet[:])
	fmt.Fprintf(w, "each of the 256 bits is set in %.0f%% to %.0f%% of the photos\n",
		100*float64(lo)/float64(len(ps)), 100*float64(hi)/float64(len(ps)))

	// How pdq.Index cuts hashes into 16-bit substrings (one coefficient
	// from every row and every column), against cutting them by rows.
	index := func(j, i int) int { return 16*i + (5*i+j)%16 }
	rows := func(j, i int) int { return 16*j + i }
	fmt.Fprintf(w, "16-bit substrings shared by hashes of different photos, relative to random hashes: "+
		"%.2f times as often as pdq.Index cuts them, %.2f times cut by DCT rows\n",
		substringCollisions(ps, index), substringCollisions(ps, rows))

	checks := []struct {
		name string
		d    func(p *photo) int
	}{
		{"re-encoded as JPEG quality 50", func(p *photo) int { return p.jpeg50 }},
		{"halved in size", func(p *photo) int { return p.half }},
	}
	for i, t := range turns {
		checks = append(checks, struct {
			name string
			d    func(p *photo) int
		}{t.name + " (its eight hashes against the photo's as listed)", func(p *photo) int { return p.turned[i] }})
	}
	for _, c := range checks {
		// PDQ is steadier on bigger pictures; the product hashes them at
		// up to 512 px (media.ThumbMax), so the two sides are told apart.
		var ds []int
		var small, smallIn, bigIn int
		for i := range ps {
			d := c.d(&ps[i])
			ds = append(ds, d)
			if max(ps[i].size.X, ps[i].size.Y) < 512 {
				small++
				smallIn += b2i(d <= pdq.MatchThreshold)
			} else {
				bigIn += b2i(d <= pdq.MatchThreshold)
			}
		}
		slices.Sort(ds)
		within16, _ := slices.BinarySearch(ds, 17)
		fmt.Fprintf(w, "self-match %s: %d of %d within %d, %d within 16 (distance median %d, max %d); "+
			"of photos 512 px or more: %d of %d, smaller: %d of %d\n",
			c.name, smallIn+bigIn, len(ds), pdq.MatchThreshold, within16, ds[len(ds)/2], ds[len(ds)-1],
			bigIn, len(ds)-small, smallIn, small)
		for i := range ps {
			if d := c.d(&ps[i]); d > pdq.MatchThreshold {
				fmt.Fprintf(w, "  distance %d: %s (%d×%d, quality %d)\n", d, ps[i].name, ps[i].size.X, ps[i].size.Y, ps[i].quality)
			}
		}
	}
}

// substringCollisions returns how often two stored hashes of different
// photos (each stored in its 8 orientations, as banned pictures are) share
// a 16-bit substring, relative to random hashes, which share one with
// probability 2⁻¹⁶: the index's work per query grows in proportion. Bit
// i of substring j is bit bit(j, i) of the hash, numbered as the reference
// does: bit 16u+v is the coefficient in row u, column v of the DCT block.
func substringCollisions(ps []photo, bit func(j, i int) int) float64 {
	n := float64(8 * len(ps))
	pairs := (n*n - 64*float64(len(ps))) / 2 // pairs of entries of different photos
	shared := 0.0
	for j := range 16 {
		count := make(map[uint16]int)    // substring value → entries
		perPhoto := make(map[[2]int]int) // (photo, value) → entries
		for i, p := range ps {
			for _, h := range p.hashes {
				var v uint16
				for i := range 16 {
					k := bit(j, i)
					v = v<<1 | uint16(h[31-k/8]>>(k%8)&1)
				}
				count[v]++
				perPhoto[[2]int{i, int(v)}]++
			}
		}
		for _, c := range count {
			shared += float64(c*(c-1)) / 2
		}
		for _, c := range perPhoto {
			shared -= float64(c*(c-1)) / 2 // the same photo's orientations
		}
	}
	return shared / 16 / (pairs / 65536)
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}
