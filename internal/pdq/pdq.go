// Package pdq computes PDQ perceptual hashes, the 256-bit image hashes of
// Meta's ThreatExchange that hash-sharing programmes exchange.
//
// The steps are those of the reference ("hashing.pdf" and the C++, Java
// and PHP implementations): luminance Y = 0.299R + 0.587G + 0.114B on 0..255
// values; two passes of a box filter along each axis (the "Jarosz filter",
// window ceil(size/128)); the filtered image sampled at the centres of a
// 64×64 grid; a 2-D DCT of that grid keeping frequencies 1..16 along each
// axis (the DC row and column are dropped); and bit k set where coefficient k
// is above the median of the 256. A quality from 0 to 100 counts the
// gradients of the 64×64 grid; the reference does not match on hashes of
// quality below 50.
//
// The filter and the sampling are fused here: only the 64×64 sampled values
// are needed, so each is computed as one weighted sum of the input pixels
// with exactly the weights the reference's full-size passes give it. The
// picture is read once, a row at a time, and nothing image-sized is
// allocated.
//
// Everything in the package is safe for concurrent use.
package pdq

import (
	"image"
	"math"
	"slices"
)

// Compute returns the PDQ hash of img and its quality, 0 to 100. A quality
// below 50 means the picture is too featureless (flat, or nearly so) for its
// hash to be matched on. A picture less than MinSide pixels wide or high,
// as the reference has it, gives the zero Hash and quality 0. Compute reads
// img only and does not keep it.
//
// The pixels are hashed as stored, as the reference does: EXIF orientation
// is not applied (Dihedral covers turned copies), and alpha is ignored, so
// the straight colour stored under a pixel is hashed whatever its alpha.
// Types that store straight colour (*image.NRGBA, *image.NRGBA64,
// *image.NYCbCrA, and palettes of color.NRGBA, as image/png decodes a tRNS
// chunk) keep it even where a pixel is fully transparent; premultiplied ones
// (*image.RGBA, *image.RGBA64) are divided by their alpha, and read as black
// where it is 0, their colour lost. *image.YCbCr, *image.NYCbCrA,
// *image.RGBA, *image.NRGBA, *image.NRGBA64, *image.Gray, *image.Gray16 and
// *image.Paletted are read directly; other types go through At, which is
// several times slower.
func Compute(img image.Image) (Hash, int) {
	c, q := transform(img)
	return c.hash(), q
}

// The orientations Dihedral returns, in the reference's order. Rotations are
// counter-clockwise, as in the reference. Each is given by what it does to
// the 16×16 DCT block of the original: mirroring the picture top to bottom
// negates the coefficients of odd vertical frequency (even rows, since row r
// holds frequency r+1), mirroring it left to right does the same for the
// columns, and reflecting it in its main diagonal transposes the block.
const (
	Original   = iota // as given
	Rotate90          // a quarter turn counter-clockwise
	Rotate180         // a half turn
	Rotate270         // a quarter turn clockwise
	FlipX             // mirrored top to bottom (about the horizontal axis)
	FlipY             // mirrored left to right (about the vertical axis)
	FlipPlus1         // reflected in the main diagonal (transposed)
	FlipMinus1        // reflected in the anti-diagonal
)

// orientation says how to derive an orientation's DCT block from the
// original's: negate the rows, then the columns, of odd frequency, then
// transpose.
type orientation struct{ negRows, negCols, transpose bool }

var orientations = [8]orientation{
	Original:   {},
	Rotate90:   {negCols: true, transpose: true},
	Rotate180:  {negRows: true, negCols: true},
	Rotate270:  {negRows: true, transpose: true},
	FlipX:      {negRows: true},
	FlipY:      {negCols: true},
	FlipPlus1:  {transpose: true},
	FlipMinus1: {negRows: true, negCols: true, transpose: true},
}

// Dihedral returns the hashes of img's eight orientations, indexed by the
// constants Original to FlipMinus1 (the reference's order: original,
// rotated 90°, 180°, 270° counter-clockwise, mirrored top to bottom, left to
// right, about the main diagonal, about the anti-diagonal), and the quality,
// which is the same for all eight. Hash i is, to within a few bits, the
// hash Compute gives the picture turned or mirrored by orientation i; it is
// derived from the one DCT by sign flips and a transposition, so Dihedral
// costs about as much as Compute. Pixels are read as Compute reads them,
// and a picture under MinSide pixels on a side gives eight zero Hashes and
// quality 0.
func Dihedral(img image.Image) ([8]Hash, int) {
	c, q := transform(img)
	var hs [8]Hash
	for i, o := range orientations {
		hs[i] = c.orient(o).hash()
	}
	return hs, q
}

// MinSide is the smallest width and height the reference hashes: a
// picture narrower or lower than this gets the zero Hash and quality 0, so
// it never matches.
const MinSide = 5

const (
	gridSize = 64 // side of the downsampled grid
	dctSize  = 16 // side of the kept block of DCT coefficients
)

// grid is the filtered, downsampled luminance, [row][column].
type grid [gridSize][gridSize]float64

// block is the kept DCT coefficients: block[u][v] is vertical frequency u+1,
// horizontal frequency v+1.
type block [dctSize][dctSize]float64

// dctMatrix holds rows 1..16 of the orthonormal 64-point DCT-II matrix
// (row 0, the DC term, is not used by PDQ). It is never written after
// initialisation.
var dctMatrix = func() (m [dctSize][gridSize]float64) {
	scale := math.Sqrt(2.0 / gridSize)
	for u := range dctSize {
		for x := range gridSize {
			m[u][x] = scale * math.Cos(math.Pi/(2*gridSize)*float64(u+1)*float64(2*x+1))
		}
	}
	return m
}()

// transform returns the DCT block and the quality of img. A picture under
// MinSide pixels on a side gives a zero block and quality 0.
func transform(img image.Image) (block, int) {
	if s := img.Bounds().Size(); s.X < MinSide || s.Y < MinSide {
		return block{}, 0
	}
	g := new(grid)
	if !downsample(img, g) {
		return block{}, 0
	}
	return g.dct(), g.quality()
}

// dct returns D·g·Dᵀ for the 16×64 matrix D above.
func (g *grid) dct() block {
	var t [dctSize][gridSize]float64 // D·g
	for u := range dctSize {
		for y := range gridSize {
			d := dctMatrix[u][y]
			for x := range gridSize {
				t[u][x] += d * g[y][x]
			}
		}
	}
	var b block
	for u := range dctSize {
		for v := range dctSize {
			s := 0.0
			for x := range gridSize {
				s += t[u][x] * dctMatrix[v][x]
			}
			b[u][v] = s
		}
	}
	return b
}

// quality is the reference's heuristic: the sum over all neighbouring pairs
// in the grid of their difference in percent of full scale, truncated, then
// divided by 90 and capped at 100.
func (g *grid) quality() int {
	sum := 0
	for y := range gridSize {
		for x := range gridSize {
			if y+1 < gridSize {
				sum += absInt(int((g[y][x] - g[y+1][x]) * 100 / 255))
			}
			if x+1 < gridSize {
				sum += absInt(int((g[y][x] - g[y][x+1]) * 100 / 255))
			}
		}
	}
	return min(sum/90, 100)
}

func absInt(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// orient returns the block of the picture in orientation o.
func (b *block) orient(o orientation) *block {
	out := new(block)
	for u := range dctSize {
		for v := range dctSize {
			c := b[u][v]
			if o.negRows && u%2 == 0 {
				c = -c
			}
			if o.negCols && v%2 == 0 {
				c = -c
			}
			if o.transpose {
				out[v][u] = c
			} else {
				out[u][v] = c
			}
		}
	}
	return out
}

// hash sets bit 16u+v where b[u][v] is above the median. The median is the
// 128th smallest of the 256 values, as the reference's Torben median gives,
// so a block of distinct values has exactly 128 bits set.
func (b *block) hash() Hash {
	var sorted [dctSize * dctSize]float64
	for u := range dctSize {
		copy(sorted[u*dctSize:], b[u][:])
	}
	slices.Sort(sorted[:])
	median := sorted[len(sorted)/2-1]
	var h Hash
	for u := range dctSize {
		for v, c := range b[u] {
			if c > median {
				h.setBit(u*dctSize + v)
			}
		}
	}
	return h
}
