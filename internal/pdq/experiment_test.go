package pdq

import (
	"encoding/csv"
	"image"
	"image/jpeg"
	"os"
	"path/filepath"
	"testing"
)

func TestExperimentLuma(t *testing.T) {
	dir := "../../../shared/testdata/pdq"
	f, _ := os.Open(filepath.Join(dir, "expected.csv"))
	recs, _ := csv.NewReader(f).ReadAll()
	for _, r := range recs[1:] {
		fh, _ := os.Open(filepath.Join(dir, r[0]))
		img, err := jpeg.Decode(fh)
		fh.Close()
		if err != nil {
			t.Fatal(err)
		}
		want, _ := ParseHash(r[1])
		h, q := Compute(img)
		m := img.(*image.YCbCr)
		b := m.Rect
		g := new(grid)
		downsampleRows(b, func(y int, dst []float64) {
			row := m.Y[y*m.YStride:]
			for x := range dst {
				dst[x] = float64(row[x])
			}
		}, g)
		c := g.dct()
		hy := c.hash()
		t.Logf("%-28s %v q=%3d rgb=%2d yonly=%2d rgb-vs-y=%d", r[0], m.SubsampleRatio, q, Distance(h, want), Distance(hy, want), Distance(h, hy))
	}
}

// fancy420 upsamples a 4:2:0 chroma plane like libjpeg's h2v2 fancy upsampler.
func fancy420(c []uint8, cstride, cw, ch, w, h int) []uint8 {
	out := make([]uint8, w*h)
	for y := 0; y < h; y++ {
		cy := y / 2
		oy := cy - 1
		if y%2 == 1 {
			oy = cy + 1
		}
		oy = max(0, min(ch-1, oy))
		col := func(cx int) int { return 3*int(c[cy*cstride+cx]) + int(c[oy*cstride+cx]) }
		row := make([]uint8, 2*cw)
		for cx := 0; cx < cw; cx++ {
			this := col(cx)
			var left, right int
			if cx == 0 {
				left = 4*this + 8
			} else {
				left = 3*this + col(cx-1) + 8
			}
			if cx == cw-1 {
				right = 4*this + 7
			} else {
				right = 3*this + col(cx+1) + 7
			}
			row[2*cx] = uint8(left >> 4)
			row[2*cx+1] = uint8(right >> 4)
		}
		copy(out[y*w:], row[:w])
	}
	return out
}

func TestExperimentFancy(t *testing.T) {
	dir := "../../../shared/testdata/pdq"
	f, _ := os.Open(filepath.Join(dir, "expected.csv"))
	recs, _ := csv.NewReader(f).ReadAll()
	for _, r := range recs[1:] {
		fh, _ := os.Open(filepath.Join(dir, r[0]))
		img, _ := jpeg.Decode(fh)
		fh.Close()
		want, _ := ParseHash(r[1])
		m := img.(*image.YCbCr)
		if m.SubsampleRatio != image.YCbCrSubsampleRatio420 {
			continue
		}
		w, h := m.Rect.Dx(), m.Rect.Dy()
		cw, ch := (w+1)/2, (h+1)/2
		cb := fancy420(m.Cb, m.CStride, cw, ch, w, h)
		cr := fancy420(m.Cr, m.CStride, cw, ch, w, h)
		g := new(grid)
		downsampleRows(m.Rect, func(y int, dst []float64) {
			for x := range dst {
				dst[x] = ycbcrLuma(m.Y[y*m.YStride+x], cb[y*w+x], cr[y*w+x])
			}
		}, g)
		c := g.dct()
		hf := c.hash()
		hn, _ := Compute(img)
		t.Logf("%-28s fancy=%2d nearest=%2d", r[0], Distance(hf, want), Distance(hn, want))
	}
}

func box32(in, out []float32, n, stride, w int) {
	half := (w + 2) / 2
	p1, p2, p3, p4 := half-1, w-half+1, n-w, half-1
	li, ri, oi := 0, 0, 0
	var sum float32
	cur := 0
	for i := 0; i < p1; i++ {
		sum += in[ri]
		cur++
		ri += stride
	}
	for i := 0; i < p2; i++ {
		sum += in[ri]
		cur++
		out[oi] = sum / float32(cur)
		ri += stride
		oi += stride
	}
	for i := 0; i < p3; i++ {
		sum += in[ri]
		sum -= in[li]
		out[oi] = sum / float32(cur)
		li += stride
		ri += stride
		oi += stride
	}
	for i := 0; i < p4; i++ {
		sum -= in[li]
		cur--
		out[oi] = sum / float32(cur)
		li += stride
		oi += stride
	}
}

func literal32(img image.Image) Hash {
	b := img.Bounds()
	W, H := b.Dx(), b.Dy()
	buf1 := make([]float32, W*H)
	buf2 := make([]float32, W*H)
	for y := 0; y < H; y++ {
		for x := 0; x < W; x++ {
			r, g, bb, _ := img.At(x, y).RGBA()
			buf1[y*W+x] = 0.299*float32(r>>8) + 0.587*float32(g>>8) + 0.114*float32(bb>>8)
		}
	}
	wr, wc := windowSize(W), windowSize(H)
	for k := 0; k < 2; k++ {
		for y := 0; y < H; y++ {
			box32(buf1[y*W:], buf2[y*W:], W, 1, wr)
		}
		for x := 0; x < W; x++ {
			box32(buf2[x:], buf1[x:], H, W, wc)
		}
	}
	g := new(grid)
	for i := 0; i < 64; i++ {
		for j := 0; j < 64; j++ {
			g[i][j] = float64(buf1[sampleIndex(i, H)*W+sampleIndex(j, W)])
		}
	}
	c := g.dct()
	return c.hash()
}

func TestExperimentLiteral(t *testing.T) {
	dir := "../../../shared/testdata/pdq"
	f, _ := os.Open(filepath.Join(dir, "expected.csv"))
	recs, _ := csv.NewReader(f).ReadAll()
	for _, r := range recs[1:] {
		fh, _ := os.Open(filepath.Join(dir, r[0]))
		img, _ := jpeg.Decode(fh)
		fh.Close()
		want, _ := ParseHash(r[1])
		hl := literal32(img)
		hn, _ := Compute(img)
		t.Logf("%-28s literal32=%2d fused=%2d lit-vs-fused=%d", r[0], Distance(hl, want), Distance(hn, want), Distance(hl, hn))
	}
}

func TestExperimentDihedral(t *testing.T) {
	dir := "../../../shared/testdata/pdq"
	f, _ := os.Open(filepath.Join(dir, "expected.csv"))
	recs, _ := csv.NewReader(f).ReadAll()
	fh, _ := os.Open(filepath.Join(dir, "bridge-1-original.jpg"))
	img, _ := jpeg.Decode(fh)
	hs, _ := Dihedral(img)
	for _, r := range recs[1:] {
		want, _ := ParseHash(r[1])
		var ds []int
		for _, h := range hs {
			ds = append(ds, Distance(h, want))
		}
		t.Logf("%-28s %v", r[0], ds)
	}
}

func TestExperimentRotDir(t *testing.T) {
	dir := "../../../shared/testdata/pdq"
	load := func(n string) *image.YCbCr {
		fh, _ := os.Open(filepath.Join(dir, n))
		defer fh.Close()
		img, _ := jpeg.Decode(fh)
		return img.(*image.YCbCr)
	}
	a, b := load("bridge-1-original.jpg"), load("bridge-2-rotate-90.jpg")
	W, H := a.Rect.Dx(), a.Rect.Dy()
	var ccw, cw float64
	for yp := 0; yp < W; yp += 7 {
		for xp := 0; xp < H; xp += 7 {
			v := float64(b.Y[b.YOffset(xp, yp)])
			ccw += abs(v - float64(a.Y[a.YOffset(W-1-yp, xp)]))
			cw += abs(v - float64(a.Y[a.YOffset(yp, H-1-xp)]))
		}
	}
	t.Logf("ccw err %.0f  cw err %.0f", ccw, cw)
	c := load("bridge-5-flipx.jpg")
	var tb, lr float64
	for y := 0; y < H; y += 5 {
		for x := 0; x < W; x += 5 {
			v := float64(c.Y[c.YOffset(x, y)])
			tb += abs(v - float64(a.Y[a.YOffset(x, H-1-y)]))
			lr += abs(v - float64(a.Y[a.YOffset(W-1-x, y)]))
		}
	}
	t.Logf("flipx: top-bottom err %.0f  left-right err %.0f", tb, lr)
}

func abs(f float64) float64 {
	if f < 0 {
		return -f
	}
	return f
}
