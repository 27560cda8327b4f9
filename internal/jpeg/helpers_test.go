package jpeg

import (
	"bytes"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
)

// photo returns a deterministic picture that compresses like a photograph:
// smooth gradients, a few hard edges and some noise.
func photo(w, h int, seed uint64) *image.RGBA {
	m := image.NewRGBA(image.Rect(0, 0, w, h))
	rng := rand.New(rand.NewPCG(seed, 7))
	fx, fy := 2*math.Pi/float64(max(w, 1)), 2*math.Pi/float64(max(h, 1))
	for y := range h {
		sy := math.Sin(float64(y) * fy * 1.5)
		for x := range w {
			sx := math.Cos(float64(x) * fx * 2.5)
			r := 128 + 90*sx*sy
			g := 100 + 80*math.Sin(float64(x+2*y)*fx)
			b := 60 + 150*float64(y)/float64(max(h, 1))
			if ((x/53)+(y/41))%3 == 0 { // hard-edged patches
				r, g, b = 255-r, g*0.5, 230-b*0.5
			}
			if (x-w/3)*(x-w/3)+(y-h/2)*(y-h/2) < w*h/40 { // a disc
				r, g, b = 30, 200, 40
			}
			n := rng.NormFloat64() * 6
			i := m.PixOffset(x, y)
			m.Pix[i+0] = sat(r + n)
			m.Pix[i+1] = sat(g + n)
			m.Pix[i+2] = sat(b - n)
			m.Pix[i+3] = 255
		}
	}
	return m
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, 1)) }

func sat(v float64) uint8 {
	return uint8(math.Round(math.Max(0, math.Min(255, v))))
}

// grayOf converts m to a gray picture.
func grayOf(m *image.RGBA) *image.Gray {
	g := image.NewGray(m.Bounds())
	for i := 0; i < len(m.Pix); i += 4 {
		g.Pix[i/4] = uint8((299*int(m.Pix[i]) + 587*int(m.Pix[i+1]) + 114*int(m.Pix[i+2]) + 500) / 1000)
	}
	return g
}

// encode compresses m with image/jpeg (4:2:0 for color, gray for gray).
func encode(t testing.TB, m image.Image, quality int) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := stdjpeg.Encode(&buf, m, &stdjpeg.Options{Quality: quality}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// needTool skips the test when a libjpeg-turbo program is missing.
func needTool(t testing.TB, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s not found (apt-get install libjpeg-turbo-progs): skipping the fixtures it makes", name)
	}
	return p
}

// cjpeg compresses m with libjpeg-turbo's cjpeg and the given arguments.
func cjpeg(t testing.TB, m image.Image, args ...string) []byte {
	t.Helper()
	tool := needTool(t, "cjpeg")
	dir := t.TempDir()
	in := filepath.Join(dir, "in.pnm")
	if err := os.WriteFile(in, pnm(m), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(tool, append(args, in)...).Output()
	if err != nil {
		t.Fatalf("cjpeg %v: %v", args, err)
	}
	return out
}

// jpegtran transforms a JPEG file losslessly with the given arguments.
func jpegtran(t testing.TB, src []byte, args ...string) []byte {
	t.Helper()
	tool := needTool(t, "jpegtran")
	cmd := exec.Command(tool, args...)
	cmd.Stdin = bytes.NewReader(src)
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("jpegtran %v: %v", args, err)
	}
	return out
}

// pnm encodes a gray picture as PGM and anything else as PPM.
func pnm(m image.Image) []byte {
	b := m.Bounds()
	var buf bytes.Buffer
	if g, ok := m.(*image.Gray); ok {
		fmt.Fprintf(&buf, "P5 %d %d 255\n", b.Dx(), b.Dy())
		for y := b.Min.Y; y < b.Max.Y; y++ {
			buf.Write(g.Pix[g.PixOffset(b.Min.X, y):][:b.Dx()])
		}
		return buf.Bytes()
	}
	fmt.Fprintf(&buf, "P6 %d %d 255\n", b.Dx(), b.Dy())
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			r, g, bl, _ := m.At(x, y).RGBA()
			buf.Write([]byte{byte(r >> 8), byte(g >> 8), byte(bl >> 8)})
		}
	}
	return buf.Bytes()
}

// plane is one channel of a picture, its visible samples only.
type plane struct {
	name string
	pix  []byte
	w, h int
}

func (p plane) at(x, y int) int { return int(p.pix[y*p.w+x]) }

// planesOf splits a decoded picture into its channels: Y, Cb, Cr at their
// own resolution for YCbCr; gray; R, G, B; C, M, Y, K.
func planesOf(m image.Image) []plane {
	r := m.Bounds()
	cut := func(name string, pix []byte, stride, off, step, w, h int) plane {
		p := plane{name: name, pix: make([]byte, w*h), w: w, h: h}
		for y := range h {
			for x := range w {
				p.pix[y*w+x] = pix[y*stride+x*step+off]
			}
		}
		return p
	}
	switch m := m.(type) {
	case *image.Gray:
		return []plane{cut("gray", m.Pix[m.PixOffset(r.Min.X, r.Min.Y):], m.Stride, 0, 1, r.Dx(), r.Dy())}
	case *image.YCbCr:
		cw, ch := r.Dx(), r.Dy()
		switch m.SubsampleRatio {
		case image.YCbCrSubsampleRatio422:
			cw = (cw + 1) / 2
		case image.YCbCrSubsampleRatio420:
			cw, ch = (cw+1)/2, (ch+1)/2
		case image.YCbCrSubsampleRatio440:
			ch = (ch + 1) / 2
		case image.YCbCrSubsampleRatio411:
			cw = (cw + 3) / 4
		case image.YCbCrSubsampleRatio410:
			cw, ch = (cw+3)/4, (ch+1)/2
		}
		co := m.COffset(r.Min.X, r.Min.Y)
		return []plane{
			cut("Y", m.Y[m.YOffset(r.Min.X, r.Min.Y):], m.YStride, 0, 1, r.Dx(), r.Dy()),
			cut("Cb", m.Cb[co:], m.CStride, 0, 1, cw, ch),
			cut("Cr", m.Cr[co:], m.CStride, 0, 1, cw, ch),
		}
	case *image.RGBA:
		pix := m.Pix[m.PixOffset(r.Min.X, r.Min.Y):]
		return []plane{
			cut("R", pix, m.Stride, 0, 4, r.Dx(), r.Dy()),
			cut("G", pix, m.Stride, 1, 4, r.Dx(), r.Dy()),
			cut("B", pix, m.Stride, 2, 4, r.Dx(), r.Dy()),
		}
	case *image.CMYK:
		pix := m.Pix[m.PixOffset(r.Min.X, r.Min.Y):]
		return []plane{
			cut("C", pix, m.Stride, 0, 4, r.Dx(), r.Dy()),
			cut("M", pix, m.Stride, 1, 4, r.Dx(), r.Dy()),
			cut("Y", pix, m.Stride, 2, 4, r.Dx(), r.Dy()),
			cut("K", pix, m.Stride, 3, 4, r.Dx(), r.Dy()),
		}
	}
	panic(fmt.Sprintf("unexpected image type %T", m))
}

// shrink box-averages p by s, averaging only the samples present at the
// right and bottom edges.
func shrink(p plane, s int) plane {
	w, h := ceilDiv(p.w, s), ceilDiv(p.h, s)
	out := plane{name: p.name, pix: make([]byte, w*h), w: w, h: h}
	for y := range h {
		for x := range w {
			sum, n := 0, 0
			for yy := y * s; yy < min(y*s+s, p.h); yy++ {
				for xx := x * s; xx < min(x*s+s, p.w); xx++ {
					sum += p.at(xx, yy)
					n++
				}
			}
			out.pix[y*w+x] = uint8((sum + n/2) / n)
		}
	}
	return out
}

// psnr returns the peak signal-to-noise ratio of b against a, in dB, and
// the largest absolute difference.
func psnr(a, b plane) (db float64, maxDiff int) {
	if a.w != b.w || a.h != b.h {
		return math.Inf(-1), 255
	}
	var se float64
	for i := range a.pix {
		d := int(a.pix[i]) - int(b.pix[i])
		se += float64(d * d)
		maxDiff = max(maxDiff, d, -d)
	}
	if se == 0 {
		return math.Inf(1), 0
	}
	return 10 * math.Log10(255*255*float64(len(a.pix))/se), maxDiff
}

// compareScaled decodes data with image/jpeg and with Decode at 1/scale
// and returns, per channel, the PSNR of ours against image/jpeg's output
// box-averaged by scale.
func compareScaled(t testing.TB, data []byte, scale int) map[string]float64 {
	t.Helper()
	ref, err := stdjpeg.Decode(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("image/jpeg: %v", err)
	}
	got := decodeAt(t, data, scale)
	want := planesOf(ref)
	have := planesOf(got)
	if len(want) != len(have) {
		t.Fatalf("got %T, image/jpeg %T", got, ref)
	}
	out := map[string]float64{}
	for i := range want {
		db, _ := psnr(shrink(want[i], scale), have[i])
		out[want[i].name] = db
	}
	return out
}

// decodeAt decodes data at exactly 1/scale.
func decodeAt(t testing.TB, data []byte, scale int) image.Image {
	t.Helper()
	cfg, err := DecodeConfig(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("DecodeConfig: %v", err)
	}
	opts := optsFor(cfg, scale)
	if s := Scale(cfg, opts); s != scale {
		t.Fatalf("Scale = %d, want %d", s, scale)
	}
	m, err := Decode(bytes.NewReader(data), opts)
	if err != nil {
		t.Fatalf("Decode at 1/%d: %v", scale, err)
	}
	return m
}

// optsFor returns options that select exactly 1/scale for cfg.
func optsFor(cfg Config, scale int) Options {
	o := Options{MinWidth: ceilDiv(cfg.Width, scale), MinHeight: ceilDiv(cfg.Height, scale)}
	if Scale(cfg, o) != scale {
		// Tiny pictures have the same size at several scales.
		o.scale = scale
	}
	return o
}
