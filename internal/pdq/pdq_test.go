package pdq

import (
	"fmt"
	"image"
	"image/color"
	"math"
	"math/rand/v2"
	"testing"
)

// scene returns a w×h grey picture with smooth shading and a few
// off-centre shapes, so that none of its eight orientations look alike.
func scene(w, h int) *image.Gray {
	m := image.NewGray(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			u, v := float64(x)/float64(w), float64(y)/float64(h)
			c := 90 + 60*u - 30*v + 25*math.Sin(7*u+3*v*v)
			if dx, dy := u-0.3, v-0.25; dx*dx+dy*dy < 0.02 {
				c += 70 // a disc top left
			}
			if u > 0.6 && u < 0.9 && v > 0.55 && v < 0.7 {
				c -= 60 // a bar bottom right
			}
			if u < 0.4 && v > 0.5 && math.Sin(40*u)*math.Sin(30*v) > 0 {
				c += 50 // a checkerboard bottom left
			}
			m.SetGray(x, y, color.Gray{Y: uint8(max(0, min(255, c)))})
		}
	}
	return m
}

// orient returns src turned or mirrored as orientation o of Dihedral.
func orient(src *image.Gray, o int) *image.Gray {
	w, h := src.Rect.Dx(), src.Rect.Dy()
	dw, dh := w, h
	if orientations[o].transpose {
		dw, dh = h, w
	}
	dst := image.NewGray(image.Rect(0, 0, dw, dh))
	for y := range dh {
		for x := range dw {
			var sx, sy int
			switch o {
			case Original:
				sx, sy = x, y
			case Rotate90:
				sx, sy = w-1-y, x
			case Rotate180:
				sx, sy = w-1-x, h-1-y
			case Rotate270:
				sx, sy = y, h-1-x
			case FlipX:
				sx, sy = x, h-1-y
			case FlipY:
				sx, sy = w-1-x, y
			case FlipPlus1:
				sx, sy = y, x
			case FlipMinus1:
				sx, sy = w-1-y, h-1-x
			}
			dst.SetGray(x, y, src.GrayAt(sx, sy))
		}
	}
	return dst
}

func TestDihedralMatchesTurnedPictures(t *testing.T) {
	names := [8]string{"original", "rotate 90", "rotate 180", "rotate 270", "flip x", "flip y", "flip +1", "flip -1"}
	tests := []struct {
		size    image.Point
		maxDist int
	}{
		// Sides that are not multiples of 128 and get odd box windows
		// (ceil(side/128)) filter and sample symmetrically, so turning the
		// picture turns the 64×64 grid exactly.
		{image.Pt(620, 350), 2},
		{image.Pt(300, 620), 2},
		{image.Pt(333, 333), 2},
		// Even windows are off centre by half a pixel in the reference,
		// so other sizes hash a few bits apart.
		{image.Pt(1000, 777), 8},
	}
	for _, tt := range tests {
		src := scene(tt.size.X, tt.size.Y)
		hs, q := Dihedral(src)
		if q < 50 {
			t.Fatalf("%v: quality %d, want a usable picture", tt.size, q)
		}
		if h, _ := Compute(src); h != hs[Original] {
			t.Errorf("%v: Dihedral[Original] = %v, Compute = %v", tt.size, hs[Original], h)
		}
		for o := range hs {
			turned, _ := Compute(orient(src, o))
			d := Distance(hs[o], turned)
			t.Logf("%v %-10s distance %d", tt.size, names[o], d)
			if d > tt.maxDist {
				t.Errorf("%v %s: Dihedral hash is %d bits from the hash of the turned picture, want at most %d",
					tt.size, names[o], d, tt.maxDist)
			}
			for p := range hs {
				if p != o && Distance(hs[p], turned) <= MatchThreshold {
					t.Errorf("%v %s: also matches orientation %s", tt.size, names[o], names[p])
				}
			}
		}
	}
}

func TestFlatPicturesHaveLowQuality(t *testing.T) {
	for _, c := range []uint8{0, 128, 255} {
		m := image.NewGray(image.Rect(0, 0, 640, 480))
		for i := range m.Pix {
			m.Pix[i] = c
		}
		if _, q := Compute(m); q != 0 {
			t.Errorf("uniform %d: quality %d, want 0", c, q)
		}
	}
	if _, q := Compute(scene(640, 480)); q < 50 {
		t.Errorf("scene: quality %d, want at least 50", q)
	}
}

func TestEmptyImage(t *testing.T) {
	for _, r := range []image.Rectangle{image.Rect(0, 0, 0, 0), image.Rect(0, 0, 10, 0), image.Rect(5, 5, 5, 9)} {
		h, q := Compute(image.NewRGBA(r))
		if h != (Hash{}) || q != 0 {
			t.Errorf("%v: got %v quality %d, want the zero hash and 0", r, h, q)
		}
		hs, q := Dihedral(image.NewRGBA(r))
		if hs != ([8]Hash{}) || q != 0 {
			t.Errorf("%v: Dihedral got %v quality %d", r, hs, q)
		}
	}
}

// TestTinyImages checks the reference's minimum: a picture under MinSide
// pixels on a side gets the zero hash and quality 0 (so it never matches),
// from Compute and Dihedral alike; from MinSide on it is hashed.
func TestTinyImages(t *testing.T) {
	tests := []struct {
		name   string
		r      image.Rectangle
		hashed bool
	}{
		{"1×1", image.Rect(0, 0, 1, 1), false},
		{"a 1-pixel column", image.Rect(0, 0, 1, 300), false},
		{"a 4-pixel strip", image.Rect(0, 0, 800, 4), false},
		{"4×4", image.Rect(0, 0, 4, 4), false},
		{"5×5", image.Rect(0, 0, 5, 5), true},
		{"a 5-pixel strip", image.Rect(0, 0, 5, 300), true},
		{"65×129", image.Rect(0, 0, 65, 129), true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := image.NewGray(tt.r)
			for i := range m.Pix {
				m.Pix[i] = uint8(i*37 + i*i/7)
			}
			h, q := Compute(m)
			hs, dq := Dihedral(m)
			if !tt.hashed {
				if h != (Hash{}) || q != 0 || hs != ([8]Hash{}) || dq != 0 {
					t.Fatalf("got %v quality %d (Dihedral quality %d), want the zero hash and quality 0", h, q, dq)
				}
				return
			}
			if h == (Hash{}) || q == 0 || hs[Original] != h || dq != q {
				t.Fatalf("got %v quality %d, Dihedral %v quality %d: want a hash, the same from both", h, q, hs[Original], dq)
			}
		})
	}
}

// TestTransparentPixelsKeepTheirColour checks that alpha is ignored as the
// reference ignores it: a picture whose pixels are all fully transparent,
// in every image type that stores straight colour, hashes like the same
// colours opaque, read directly or through At.
func TestTransparentPixelsKeepTheirColour(t *testing.T) {
	src := scene(301, 203)
	want, q := Compute(src)
	if q < MinQuality {
		t.Fatalf("the scene has quality %d", q)
	}
	r := src.Rect
	nrgba := image.NewNRGBA(r)
	nrgba64 := image.NewNRGBA64(r)
	ycc := image.NewNYCbCrA(r, image.YCbCrSubsampleRatio444)
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.NRGBA{R: uint8(i), G: uint8(i), B: uint8(i), A: 0} // a tRNS of all zeros
	}
	paletted := image.NewPaletted(r, pal)
	copy(paletted.Pix, src.Pix)
	for y := range r.Dy() {
		for x := range r.Dx() {
			g := src.GrayAt(x, y).Y
			nrgba.SetNRGBA(x, y, color.NRGBA{R: g, G: g, B: g, A: 0})
			nrgba64.SetNRGBA64(x, y, color.NRGBA64{R: uint16(g) * 0x101, G: uint16(g) * 0x101, B: uint16(g) * 0x101, A: 0})
			i := ycc.YOffset(x, y)
			ycc.Y[i], ycc.Cb[i], ycc.Cr[i], ycc.A[i] = g, 128, 128, 0
		}
	}
	tests := []struct {
		name string
		img  image.Image
	}{
		{"NRGBA", nrgba},
		{"NRGBA via At", hidden{nrgba}},
		{"16-bit NRGBA64", nrgba64},
		{"16-bit NRGBA64 via At", hidden{nrgba64}},
		{"NYCbCrA (WebP with alpha)", ycc},
		{"NYCbCrA via At", hidden{ycc}},
		{"palette with tRNS", paletted},
		{"palette with tRNS via At", hidden{paletted}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			h, hq := Compute(tt.img)
			if d := Distance(h, want); d > 0 || hq != q {
				t.Errorf("%d bits (quality %d) from the opaque picture (quality %d), want 0", d, hq, q)
			}
		})
	}
	// Premultiplied pixels that are fully transparent have lost their
	// colour: they read as black, as any premultiplying decoder leaves them.
	black := image.NewRGBA(r)
	if h, _ := Compute(black); h != (Hash{}) {
		t.Errorf("a transparent premultiplied picture hashes to %v, want the hash of black", h)
	}
}

// hidden hides the concrete type of an image so that rowReader falls back
// to At.
type hidden struct{ image.Image }

func TestImageTypesAgree(t *testing.T) {
	src := scene(333, 222)
	rnd := rand.New(rand.NewPCG(1, 2))
	rgba := image.NewRGBA(src.Rect)
	nrgba := image.NewNRGBA(src.Rect)
	half := image.NewNRGBA(src.Rect) // the same colours, half transparent
	for y := range src.Rect.Dy() {
		for x := range src.Rect.Dx() {
			g := src.GrayAt(x, y).Y
			c := color.NRGBA{R: g, G: uint8(rnd.IntN(256)), B: g / 2, A: 255}
			rgba.Set(x, y, c)
			nrgba.SetNRGBA(x, y, c)
			c.A = 128
			half.SetNRGBA(x, y, c)
		}
	}
	pal := make(color.Palette, 256)
	for i := range pal {
		pal[i] = color.Gray{Y: uint8(i)}
	}
	paletted := image.NewPaletted(src.Rect, pal)
	copy(paletted.Pix, src.Pix)

	want, _ := Compute(src)
	for name, img := range map[string]image.Image{"Paletted": paletted, "Gray via At": hidden{src}} {
		if h, _ := Compute(img); h != want {
			t.Errorf("%s: %v, want %v as *image.Gray", name, h, want)
		}
	}
	want, _ = Compute(rgba)
	for name, img := range map[string]image.Image{"NRGBA": nrgba, "RGBA via At": hidden{rgba}, "NRGBA half transparent": half} {
		if h, _ := Compute(img); h != want {
			t.Errorf("%s: %v, want %v as *image.RGBA", name, h, want)
		}
	}
	// Premultiplied half-transparent pixels lose precision; still the same
	// picture.
	premul := image.NewRGBA(src.Rect)
	for y := range src.Rect.Dy() {
		for x := range src.Rect.Dx() {
			premul.Set(x, y, half.At(x, y))
		}
	}
	if h, _ := Compute(premul); Distance(h, want) > 4 {
		t.Errorf("premultiplied half transparent: %d bits from opaque", Distance(h, want))
	}
}

func TestYCbCrMatchesRGB(t *testing.T) {
	// The YCbCr reader must give exactly the luminance of the RGB that
	// image/color converts each pixel to, for every subsampling and for
	// sub-images that start on odd coordinates.
	ratios := []image.YCbCrSubsampleRatio{
		image.YCbCrSubsampleRatio444, image.YCbCrSubsampleRatio422, image.YCbCrSubsampleRatio420,
		image.YCbCrSubsampleRatio440, image.YCbCrSubsampleRatio411, image.YCbCrSubsampleRatio410,
	}
	rnd := rand.New(rand.NewPCG(3, 4))
	for _, ratio := range ratios {
		full := image.NewYCbCr(image.Rect(0, 0, 301, 203), ratio)
		for i := range full.Y {
			full.Y[i] = uint8(rnd.IntN(256))
		}
		for i := range full.Cb {
			full.Cb[i], full.Cr[i] = uint8(rnd.IntN(256)), uint8(rnd.IntN(256))
		}
		for _, r := range []image.Rectangle{full.Rect, image.Rect(3, 5, 298, 200)} {
			m := full.SubImage(r).(*image.YCbCr)
			rgb := image.NewRGBA(r)
			for y := r.Min.Y; y < r.Max.Y; y++ {
				for x := r.Min.X; x < r.Max.X; x++ {
					c := m.YCbCrAt(x, y)
					red, g, b := color.YCbCrToRGB(c.Y, c.Cb, c.Cr)
					rgb.SetRGBA(x, y, color.RGBA{R: red, G: g, B: b, A: 255})
				}
			}
			got, want := make([]float32, r.Dx()), make([]float32, r.Dx())
			readY, readRGB := rowReader(m), rowReader(rgb)
			for y := range r.Dy() {
				readY(y, got)
				readRGB(y, want)
				for x := range got {
					if got[x] != want[x] {
						t.Fatalf("%v %v: pixel (%d, %d) luminance %v, want %v", ratio, r, x, y, got[x], want[x])
					}
				}
			}
		}
	}
}

func TestClamp16(t *testing.T) {
	// Every Y, Cb, Cr gives the channels image/color gives.
	for cb := range 256 {
		for cr := range 256 {
			cb1, cr1 := int32(cb)-128, int32(cr)-128
			for y := range 256 {
				yy := int32(y) * 0x10101
				r, g, b := color.YCbCrToRGB(uint8(y), uint8(cb), uint8(cr))
				gr, gg, gb := clamp16(yy+91881*cr1), clamp16(yy-22554*cb1-46802*cr1), clamp16(yy+116130*cb1)
				if gr != r || gg != g || gb != b {
					t.Fatalf("YCbCr(%d, %d, %d): got %d %d %d, want %d %d %d", y, cb, cr, gr, gg, gb, r, g, b)
				}
			}
		}
	}
}

// referenceBox is the reference's 1-D box filter, written from its
// published description: outputs average a window running from
// o-(w-half) to o+half-1, half = (w+2)/2, clipped at both ends.
func referenceBox(in []float64, w int) []float64 {
	out := make([]float64, len(in))
	half := (w + 2) / 2
	for o := range out {
		lo, hi := max(0, o-(w-half)), min(len(in)-1, o+half-1)
		s := 0.0
		for k := lo; k <= hi; k++ {
			s += in[k]
		}
		out[o] = s / float64(hi-lo+1)
	}
	return out
}

func TestAxisTapsMatchTwoBoxPasses(t *testing.T) {
	rnd := rand.New(rand.NewPCG(5, 6))
	for _, n := range []int{1, 2, 5, 63, 64, 65, 127, 128, 129, 255, 256, 257, 1000, 1004, 1600, 4000} {
		in := make([]float64, n)
		for i := range in {
			in[i] = rnd.Float64() * 255
		}
		w := windowSize(n)
		if want := int(math.Ceil(float64(n) / 128)); w != want {
			t.Errorf("n=%d: window %d, want ceil(n/128) = %d", n, w, want)
		}
		filtered := referenceBox(referenceBox(in, w), w)
		taps := axisTaps(n)
		for i, tp := range taps {
			got := 0.0
			for k, wk := range tp.w {
				got += float64(wk) * in[tp.lo+k]
			}
			want := filtered[int((float64(i)+0.5)*float64(n)/64)]
			if math.Abs(got-want) > 1e-4 {
				t.Fatalf("n=%d cell %d: fused %v, two passes then sampling %v", n, i, got, want)
			}
		}
	}
}

func TestHashHasHalfTheBitsSet(t *testing.T) {
	// The median splits 256 distinct coefficients into 128 and 128.
	h, _ := Compute(scene(400, 300))
	if n := Distance(h, Hash{}); n != 128 {
		t.Errorf("%d bits set, want 128", n)
	}
}

func TestComputeConcurrent(t *testing.T) {
	// The package keeps no mutable state; run it under -race to check.
	img := scene(300, 200)
	want, _ := Compute(img)
	errs := make(chan error, 4)
	for range 4 {
		go func() {
			if h, _ := Compute(img); h != want {
				errs <- fmt.Errorf("concurrent Compute gave %v, want %v", h, want)
				return
			}
			errs <- nil
		}()
	}
	for range 4 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
