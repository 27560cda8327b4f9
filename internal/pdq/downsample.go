package pdq

import "image"

// tap is what one cell of the 64-cell grid takes from one axis of the input:
// the weighted sum of samples lo, lo+1, ..., lo+len(w)-1.
type tap struct {
	lo int
	w  []float32
}

// hi returns the index one past the last sample t reads.
func (t *tap) hi() int { return t.lo + len(t.w) }

// boxWindow returns the inclusive range of inputs that the reference's 1-D
// box filter of window size w averages into output o of a vector of n
// samples. The window runs from o-(w-half) to o+half-1 with half =
// (w+2)/2, clipped to the vector; the average is over the clipped window.
func boxWindow(o, n, w int) (lo, hi int) {
	half := (w + 2) / 2
	return max(0, o-(w-half)), min(n-1, o+half-1)
}

// windowSize is the reference's box window for a side of n samples:
// ceil(n/128), half of the n/64 span of one grid cell, because two passes
// of the filter are made.
func windowSize(n int) int { return (n + 2*gridSize - 1) / (2 * gridSize) }

// sampleIndex is the input index whose filtered value the reference takes
// for grid cell i: the one under the centre of the cell,
// floor((i+0.5)·n/64).
func sampleIndex(i, n int) int { return (2*i + 1) * n / (2 * gridSize) }

// axisTaps returns, for each of the 64 grid cells along an axis of n > 0
// samples, the weights that two passes of the box filter followed by
// sampling give the input samples. The reference computes the filter on the
// whole image (it is linear and separable, so the order of its row and
// column passes does not matter) and then samples it; composing the two
// passes for the one output that is sampled gives the same numbers.
func axisTaps(n int) [gridSize]tap {
	w := windowSize(n)
	var taps [gridSize]tap
	var outs [gridSize][2]int // the first-pass outputs each cell's second pass averages
	total := 0
	for i := range taps {
		lo2, hi2 := boxWindow(sampleIndex(i, n), n, w)
		lo, _ := boxWindow(lo2, n, w)
		_, hi := boxWindow(hi2, n, w)
		outs[i] = [2]int{lo2, hi2}
		taps[i].lo = lo
		total += hi - lo + 1
	}
	all := make([]float32, total) // one allocation for all 64 taps
	var wt []float64
	for i := range taps {
		t := &taps[i]
		lo2, hi2 := outs[i][0], outs[i][1]
		_, hi := boxWindow(hi2, n, w)
		wt = append(wt[:0], make([]float64, hi-t.lo+1)...)
		outer := 1 / float64(hi2-lo2+1)
		for m := lo2; m <= hi2; m++ {
			a, b := boxWindow(m, n, w)
			inner := outer / float64(b-a+1)
			for k := a; k <= b; k++ {
				wt[k-t.lo] += inner
			}
		}
		t.w, all = all[:len(wt):len(wt)], all[len(wt):]
		for k, v := range wt {
			t.w[k] = float32(v)
		}
	}
	return taps
}

// downsample fills g with the filtered luminance of img sampled at the
// cell centres and reports whether img has any pixels. It reads only the
// rows some cell needs (for big pictures, all of them; for pictures under
// 129 pixels high, 64 of them) one at a time.
func downsample(img image.Image, g *grid) bool {
	return downsampleRows(img.Bounds(), rowReader(img), g)
}

// downsampleRows is downsample for an image of bounds b read through read.
func downsampleRows(b image.Rectangle, read rowFunc, g *grid) bool {
	width, height := b.Dx(), b.Dy()
	if width <= 0 || height <= 0 {
		return false
	}
	cols, rows := axisTaps(width), axisTaps(height)
	line := make([]float32, width)
	var h [gridSize]float64 // the current row filtered along x at the 64 columns
	first := 0              // the first cell whose rows include y
	for y := range height {
		for first < gridSize && rows[first].hi() <= y {
			first++
		}
		if first == gridSize {
			break
		}
		if rows[first].lo > y {
			continue // between cells: a small picture, no cell reads this row
		}
		read(y, line)
		for j := range cols {
			t := &cols[j]
			seg := line[t.lo:t.hi()]
			seg = seg[:len(t.w)]
			var s float32 // as in the reference; the sums are short
			for k, wk := range t.w {
				s += wk * seg[k]
			}
			h[j] = float64(s) / 1000 // thousandths to levels
		}
		// Taps along y are sorted and overlap only their neighbours, so the
		// cells reading row y are first and the few after it.
		for i := first; i < gridSize && rows[i].lo <= y; i++ {
			wy := float64(rows[i].w[y-rows[i].lo])
			gi := &g[i]
			for j := range gi {
				gi[j] += wy * h[j]
			}
		}
	}
	return true
}
