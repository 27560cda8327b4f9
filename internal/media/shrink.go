package media

import (
	"image"
	"image/color"
	"image/draw"
	"runtime"
	"sync"
)

// boxShrink returns src reduced by the integer factors kx and ky, each
// output pixel the mean of a kx x ky block (smaller at the right and bottom
// edges). It is
// the cheap first step before a proper resampling filter: averaging whole
// blocks cannot alias the way skipping pixels does. Planar YCbCr, Gray and
// RGBA pictures are read in place; anything else is converted a strip of ky
// rows at a time, so memory stays near the size of the output.
func boxShrink(src image.Image, kx, ky int) *image.RGBA {
	b := src.Bounds()
	ow, oh := (b.Dx()+kx-1)/kx, (b.Dy()+ky-1)/ky
	dst := image.NewRGBA(image.Rect(0, 0, ow, oh))
	cols, rows := spans(b.Dx(), kx, 1), spans(b.Dy(), ky, 1)
	origin := b.Min == image.Point{}
	switch m := src.(type) {
	case *image.YCbCr:
		if sx, sy, ok := chromaFactors(m.SubsampleRatio); ok && origin {
			y := make([]uint8, ow*oh)
			cb := make([]uint8, ow*oh)
			cr := make([]uint8, ow*oh)
			ccols, crows := spans(b.Dx(), kx, sx), spans(b.Dy(), ky, sy)
			var wg sync.WaitGroup
			wg.Go(func() {
				boxPlane(cb, m.Cb, m.CStride, 1, ccols, crows)
				boxPlane(cr, m.Cr, m.CStride, 1, ccols, crows)
			})
			// Luma is most of the work: its halves go to two goroutines
			// when the machine has the cores (the chroma planes take one).
			parallelBoxPlane(y, m.Y, m.YStride, 1, cols, rows, &wg)
			wg.Wait()
			for i := range y {
				r, g, bl := color.YCbCrToRGB(y[i], cb[i], cr[i])
				dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2], dst.Pix[4*i+3] = r, g, bl, 0xFF
			}
			return dst
		}
	case *image.Gray:
		if origin {
			g := make([]uint8, ow*oh)
			boxPlane(g, m.Pix, m.Stride, 1, cols, rows)
			for i, v := range g {
				dst.Pix[4*i], dst.Pix[4*i+1], dst.Pix[4*i+2], dst.Pix[4*i+3] = v, v, v, 0xFF
			}
			return dst
		}
	case *image.RGBA:
		if origin {
			boxPlane(dst.Pix, m.Pix, m.Stride, 4, cols, rows)
			return dst
		}
	}
	strip := image.NewRGBA(image.Rect(0, 0, b.Dx(), ky))
	for oy := range oh {
		y0 := b.Min.Y + oy*ky
		h := min(ky, b.Max.Y-y0)
		draw.Draw(strip, image.Rect(0, 0, b.Dx(), h), src, image.Pt(b.Min.X, y0), draw.Src)
		boxPlane(dst.Pix[oy*dst.Stride:(oy+1)*dst.Stride], strip.Pix, strip.Stride, 4, cols, span{lo: []int{0}, hi: []int{h}})
	}
	return dst
}

// span lists, for each output column (or row), the half-open range of
// source pixels it averages.
type span struct{ lo, hi []int }

// spans maps n source pixels, shrunk by k, onto a plane subsampled by s
// (1 for full resolution, 2 for half...). Subsampled ranges may overlap by a
// pixel when k is not a multiple of s; for chroma that does not show.
func spans(n, k, s int) span {
	out := (n + k - 1) / k
	sp := span{lo: make([]int, out), hi: make([]int, out)}
	for i := range out {
		lo, hi := i*k, min(i*k+k, n)
		sp.lo[i], sp.hi[i] = lo/s, (hi+s-1)/s
	}
	return sp
}

// chromaFactors returns the horizontal and vertical chroma subsampling.
func chromaFactors(r image.YCbCrSubsampleRatio) (int, int, bool) {
	switch r {
	case image.YCbCrSubsampleRatio444:
		return 1, 1, true
	case image.YCbCrSubsampleRatio422:
		return 2, 1, true
	case image.YCbCrSubsampleRatio420:
		return 2, 2, true
	case image.YCbCrSubsampleRatio440:
		return 1, 2, true
	case image.YCbCrSubsampleRatio411:
		return 4, 1, true
	case image.YCbCrSubsampleRatio410:
		return 4, 2, true
	}
	return 0, 0, false
}

// parallelBoxPlane runs boxPlane over bands of output rows, one goroutine
// per core, added to wg; the caller waits.
func parallelBoxPlane(out, pix []uint8, stride, bpp int, cols, rows span, wg *sync.WaitGroup) {
	n := min(runtime.GOMAXPROCS(0), len(rows.lo)/32)
	if n <= 1 {
		wg.Go(func() { boxPlane(out, pix, stride, bpp, cols, rows) })
		return
	}
	per := (len(rows.lo) + n - 1) / n
	row := len(cols.lo) * bpp
	for i := 0; i < len(rows.lo); i += per {
		j := min(i+per, len(rows.lo))
		wg.Go(func() {
			boxPlane(out[i*row:j*row], pix, stride, bpp, cols, span{lo: rows.lo[i:j], hi: rows.hi[i:j]})
		})
	}
}

// boxPlane writes to out the block means of a plane of 8-bit samples with
// bpp interleaved channels, one output pixel per (column span, row span).
// It first sums the rows of a block, which is a plain loop over memory,
// then the columns.
func boxPlane(out, pix []uint8, stride, bpp int, cols, rows span) {
	ow := len(cols.lo)
	width := cols.hi[ow-1] * bpp
	sum := make([]uint32, width)
	for oy := range rows.lo {
		clear(sum)
		for y := rows.lo[oy]; y < rows.hi[oy]; y++ {
			line := pix[y*stride : y*stride+width]
			sum := sum[:len(line)]
			for x, v := range line {
				sum[x] += uint32(v)
			}
		}
		nrows := uint32(rows.hi[oy] - rows.lo[oy])
		o := out[oy*ow*bpp : (oy+1)*ow*bpp]
		for ox := range ow {
			lo, hi := cols.lo[ox]*bpp, cols.hi[ox]*bpp
			n := nrows * uint32(cols.hi[ox]-cols.lo[ox])
			for c := range bpp {
				var s uint32
				for x := lo + c; x < hi; x += bpp {
					s += sum[x]
				}
				o[ox*bpp+c] = uint8((s + n/2) / n)
			}
		}
	}
}
