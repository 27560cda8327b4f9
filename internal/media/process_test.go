package media

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	_ "image/png"
	"io"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/mediatest"
	"github.com/chatpic/chatpic/internal/pdq"
	_ "golang.org/x/image/webp"
)

// fixture is an upload built in code, and what Process must make of it.
type fixture struct {
	name        string
	file        []byte
	format      Format
	w, h        int // displayed
	frames      int
	thumbFormat Format
	tw, th      int
	keep        []string     // must survive scrubbing
	gone        []string     // must not survive (besides the secret marker)
	tl, br      *color.NRGBA // thumbnail colour a quarter of the way in from those corners
}

var (
	red, yellow = &colTL, &colBR
	blue        = &colBL
	transparent = &color.NRGBA{}
	black       = &color.NRGBA{0, 0, 0, 255}
	grey        = &color.NRGBA{128, 128, 128, 255}
)

func fixtures(t testing.TB) []fixture {
	pic := quadrants(640, 480)
	jpg := encodeJPEG(t, pic)
	xmp := segment(0xE1, []byte("http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta>SECRET-XMP</x:xmpmeta>"))
	iptc := segment(0xED, []byte("Photoshop 3.0\x008BIM\x04\x04\x00\x00\x00\x00\x00\x10SECRET-IPTC-CAPTION"))
	com := segment(0xFE, []byte("SECRET-COMMENT"))
	mpf := segment(0xE2, []byte("MPF\x00MM\x00*\x00\x00\x00\x08SECRET-MPF"))
	icc := segment(0xE2, cat([]byte("ICC_PROFILE\x00\x01\x01"), testICC()))
	jfifThumb := segment(0xE0, []byte("JFIF\x00\x01\x02\x01\x00\x48\x00\x48\x02\x01SECRET")) // a 2x1 JFIF thumbnail
	jfxx := segment(0xE0, []byte("JFXX\x00\x10SECRET-JFXX-THUMB"))
	secondary := encodeJPEG(t, quadrants(32, 24)) // an MPF "second image"

	pngFile := encodePNG(t, twoTone(64, 48, [4]uint8{0, 0, 0, 0}))
	pc := pngChunks(pngFile)
	iccp := pngChunk("iCCP", cat([]byte("p3\x00\x00"), zlibBytes(testICC())))
	apng := apngFixture(t)

	g := gifFixture(t)

	lossless := encodeVP8L(t, twoTone(64, 48, [4]uint8{0, 0, 255, 255}))
	clear := encodeVP8L(t, twoTone(64, 48, [4]uint8{0, 0, 0, 0}))
	alpha := make([]byte, 40*30)
	for i := range alpha {
		alpha[i] = byte(i % 3 * 100)
	}
	exif := riffChunk("EXIF", cat([]byte("MM\x00*\x00\x00\x00\x08"), []byte("SECRET-WEBP-EXIF")))
	xmpc := riffChunk("XMP ", []byte("<x:xmpmeta>SECRET-WEBP-XMP</x:xmpmeta>"))
	odd := riffChunk("ZZZZ", []byte("SECRET-ODD")) // 10 bytes...
	odd2 := riffChunk("ZZZY", []byte("SECRET-ODD!"))
	anim := riffChunk("ANIM", []byte{0, 0, 0, 0, 0, 0})

	return []fixture{
		{
			name: "jpeg with everything", tl: red, br: yellow, format: JPEG, w: 640, h: 480, frames: 1, thumbFormat: JPEG, tw: 512, th: 384,
			file: cat(afterSOI(jpg, jfifThumb, jfxx, exifAPP1(t, binary.BigEndian, 1), xmp, iptc, com, mpf, icc),
				secondary, []byte("SECRET-TRAILER")),
			keep: []string{"ICC_PROFILE", "ICC-KEEP-ME", "JFIF"},
			gone: []string{"Exif", "MPF", "JFXX", "Photoshop"},
		},
		{
			name: "jpeg plain", tl: red, br: yellow, format: JPEG, w: 640, h: 480, frames: 1, thumbFormat: JPEG, tw: 512, th: 384,
			file: jpg, gone: []string{"Exif"},
		},
		{
			name: "jpeg small", tl: black, br: black, format: JPEG, w: 40, h: 30, frames: 1, thumbFormat: JPEG, tw: 40, th: 30,
			file: encodeJPEG(t, image.NewGray(image.Rect(0, 0, 40, 30))),
		},
		{
			name: "png with text chunks", tl: red, br: transparent, format: PNG, w: 64, h: 48, frames: 1, thumbFormat: PNG, tw: 64, th: 48,
			file: cat(pngSignature, pc[0],
				pngChunk("tEXt", []byte("Comment\x00SECRET-TEXT")),
				pngChunk("zTXt", cat([]byte("Author\x00\x00"), zlibBytes([]byte("SECRET-ZTXT")))),
				pngChunk("iTXt", []byte("XML:com.adobe.xmp\x00\x00\x00\x00\x00SECRET-ITXT")),
				pngChunk("eXIf", []byte("MM\x00*\x00\x00\x00\x08SECRET-PNG-EXIF")),
				pngChunk("tIME", []byte{0x07, 0xE9, 1, 2, 3, 4, 5}),
				pngChunk("gAMA", []byte{0, 0, 0xB1, 0x8F}),
				pngChunk("prVt", []byte("SECRET-PRIVATE")),
				iccp, cat(pc[1:]...), []byte("SECRET-TRAILER")),
			keep: []string{"gAMA", "iCCP"},
			gone: []string{"tEXt", "zTXt", "iTXt", "eXIf", "tIME", "prVt"},
		},
		{
			name: "apng", tl: red, br: yellow, format: PNG, w: 64, h: 48, frames: 2, thumbFormat: JPEG, tw: 64, th: 48,
			file: apng, keep: []string{"acTL", "fcTL", "fdAT"},
		},
		{
			name: "animated gif", tl: red, br: transparent, format: GIF, w: 64, h: 48, frames: 3, thumbFormat: PNG, tw: 64, th: 48,
			file: g, keep: []string{"NETSCAPE2.0"}, gone: []string{"XMP DataXMP"},
		},
		{
			name: "webp simple lossless", tl: red, br: blue, format: WebP, w: 64, h: 48, frames: 1, thumbFormat: JPEG, tw: 64, th: 48,
			file: cat(riffWebP(riffChunk("VP8L", lossless), exif), []byte("SECRET-TRAILER")),
		},
		{
			name: "webp extended with metadata", tl: red, br: transparent, format: WebP, w: 64, h: 48, frames: 1, thumbFormat: PNG, tw: 64, th: 48,
			file: cat(riffWebP(vp8x(vp8xICC|vp8xAlpha|0x08|0x04, 64, 48), riffChunk("ICCP", testICC()), odd,
				riffChunk("VP8L", clear), exif, xmpc, odd2), []byte("SECRET-TRAILER")),
			keep: []string{"ICCP", "ICC-KEEP-ME"},
			gone: []string{"EXIF", "XMP ", "ZZZ"},
		},
		{
			name: "webp lossy with alpha", format: WebP, w: 40, h: 30, frames: 1, thumbFormat: PNG, tw: 40, th: 30,
			file: riffWebP(vp8x(vp8xAlpha|0x08, 40, 30), riffChunk("ALPH", rawALPH(alpha)), riffChunk("VP8 ", grayVP8(40, 30)), exif),
			keep: []string{"ALPH"}, gone: []string{"EXIF"},
		},
		{
			name: "webp lossy", tl: grey, br: grey, format: WebP, w: 40, h: 30, frames: 1, thumbFormat: JPEG, tw: 40, th: 30,
			file: riffWebP(riffChunk("VP8 ", grayVP8(40, 30))),
		},
		{
			name: "webp animated", tl: red, br: transparent, format: WebP, w: 64, h: 48, frames: 3, thumbFormat: PNG, tw: 64, th: 48,
			file: riffWebP(vp8x(vp8xAnim|vp8xAlpha|0x08|0x04, 64, 48), anim,
				anmf(0, 0, 64, 48, riffChunk("VP8L", clear), riffChunk("SECR", []byte("SECRET-IN-FRAME"))),
				exif,
				anmf(10, 10, 40, 30, riffChunk("ALPH", rawALPH(alpha)), riffChunk("VP8 ", grayVP8(40, 30))),
				anmf(0, 0, 64, 48, riffChunk("VP8L", lossless)),
				xmpc),
			keep: []string{"ANIM", "ANMF"}, gone: []string{"EXIF", "XMP ", "SECR"},
		},
		{
			name: "webp animated lossy first frame", br: transparent, format: WebP, w: 64, h: 48, frames: 2, thumbFormat: PNG, tw: 64, th: 48,
			file: riffWebP(vp8x(vp8xAnim|vp8xAlpha, 64, 48), anim,
				anmf(8, 8, 40, 30, riffChunk("ALPH", rawALPH(alpha)), riffChunk("VP8 ", grayVP8(40, 30))),
				anmf(0, 0, 64, 48, riffChunk("VP8L", lossless))),
		},
	}
}

// apngFixture builds a two-frame APNG from an ordinary PNG's chunks.
func apngFixture(t testing.TB) []byte {
	pc := pngChunks(encodePNG(t, quadrants(64, 48)))
	ihdr, idat, iend := pc[0], pc[1], pc[len(pc)-1]
	fctl := func(seq uint32) []byte {
		d := binary.BigEndian.AppendUint32(nil, seq)
		d = binary.BigEndian.AppendUint32(d, 64)
		d = binary.BigEndian.AppendUint32(d, 48)
		d = append(d, make([]byte, 8)...)
		d = append(d, 0, 1, 0, 10, 0, 0)
		return pngChunk("fcTL", d)
	}
	idatData := idat[8 : len(idat)-4]
	return cat(pngSignature, ihdr, pngChunk("acTL", []byte{0, 0, 0, 2, 0, 0, 0, 0}),
		fctl(0), idat, fctl(1), pngChunk("fdAT", cat([]byte{0, 0, 0, 2}, idatData)), iend)
}

// gifFixture builds a three-frame animated GIF (the first frame partly
// transparent) and plants a comment, an XMP application extension and a
// plain text extension with its graphic control, and trailing bytes.
func gifFixture(t testing.TB) []byte {
	pal := color.Palette{color.Transparent, color.RGBA{255, 0, 0, 255}, color.RGBA{0, 0, 255, 255}}
	var frames []*image.Paletted
	for i := range 3 {
		m := image.NewPaletted(image.Rect(0, 0, 64, 48), pal)
		for y := range 48 {
			for x := range 64 {
				if x < 32 && y < 24 {
					m.SetColorIndex(x, y, 1)
				} else if i > 0 {
					m.SetColorIndex(x, y, 2)
				}
			}
		}
		frames = append(frames, m)
	}
	var b bytes.Buffer
	err := gif.EncodeAll(&b, &gif.GIF{Image: frames, Delay: []int{10, 10, 10}, LoopCount: 0})
	if err != nil {
		t.Fatal(err)
	}
	g := b.Bytes()
	at := 13
	if g[10]&0x80 != 0 {
		at += 3 << (g[10]&7 + 1)
	}
	planted := cat(
		[]byte{0x21, 0xFE, 14}, []byte("SECRET-COMMENT"), []byte{0},
		[]byte{0x21, 0xFF, 11}, []byte("XMP DataXMP"), []byte{16}, []byte("<x>SECRET-XMP</x"), []byte{1, '>', 0},
		[]byte{0x21, 0xF9, 4, 0, 0, 0, 0, 0},
		[]byte{0x21, 0x01, 12, 0, 0, 0, 0, 8, 8, 8, 8, 8, 8, 0, 1}, []byte{11}, []byte("SECRET-TEXT"), []byte{0},
	)
	return cat(g[:at], planted, g[at:], []byte("SECRET-TRAILER"))
}

func TestProcess(t *testing.T) {
	for _, fx := range fixtures(t) {
		t.Run(fx.name, func(t *testing.T) {
			var media, thumb bytes.Buffer
			res, err := Process(t.Context(), bytes.NewReader(fx.file), int64(len(fx.file)), &media, &thumb, DefaultLimits())
			if err != nil {
				t.Fatalf("Process: %v", err)
			}
			want := Result{Format: fx.format, Width: fx.w, Height: fx.h, Frames: fx.frames,
				ThumbFormat: fx.thumbFormat, ThumbWidth: fx.tw, ThumbHeight: fx.th,
				PDQ: res.PDQ, PDQQuality: res.PDQQuality, PDQDihedral: res.PDQDihedral, // checked in pdq_test.go
				SHA256: sha256.Sum256(media.Bytes()), Bytes: int64(media.Len())}
			if res != want {
				t.Errorf("Result = %+v, want %+v", res, want)
			}
			// Written to a file, the same file comes out, read back from
			// the file rather than held in memory.
			f, err := os.CreateTemp(t.TempDir(), "clean-*")
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			var thumb2 bytes.Buffer
			res2, err := Process(t.Context(), bytes.NewReader(fx.file), int64(len(fx.file)), f, &thumb2, DefaultLimits())
			if written, _ := os.ReadFile(f.Name()); err != nil || res2 != res || !bytes.Equal(written, media.Bytes()) || !bytes.Equal(thumb2.Bytes(), thumb.Bytes()) {
				t.Errorf("to a file: %v, %+v; the same file: %v", err, res2, bytes.Equal(written, media.Bytes()))
			}
			out := media.Bytes()
			for _, s := range append(fx.gone, secret) {
				if bytes.Contains(out, []byte(s)) {
					t.Errorf("output still contains %q", s)
				}
				if bytes.Contains(thumb.Bytes(), []byte(s)) {
					t.Errorf("thumbnail contains %q", s)
				}
			}
			for _, s := range fx.keep {
				if !bytes.Contains(out, []byte(s)) {
					t.Errorf("output lost %q", s)
				}
			}
			if bytes.Contains(fx.file, []byte("ICC-KEEP-ME")) {
				tag := map[Format]string{JPEG: "ICC_PROFILE", PNG: "iCCP"}[res.ThumbFormat]
				if !bytes.Contains(thumb.Bytes(), []byte(tag)) {
					t.Errorf("the %s thumbnail lost the colour profile", res.ThumbFormat)
				}
			}
			checkOutput(t, out, res)
			if hs, q, err := Hashes(t.Context(), bytes.NewReader(out), int64(len(out)), DefaultLimits()); err != nil || hs != res.PDQDihedral || q != res.PDQQuality {
				t.Errorf("Hashes of the output: %v quality %d, %v; want what Process reported", hs, q, err)
			}
			m := checkThumb(t, thumb.Bytes(), res)
			b := m.Bounds()
			checkColor(t, "top left", m, b.Dx()/4, b.Dy()/4, fx.tl)
			checkColor(t, "bottom right", m, b.Dx()*3/4, b.Dy()*3/4, fx.br)
		})
	}
}

// checkOutput checks that a scrubbed file sniffs and decodes as what res
// says, and that scrubbing it again changes nothing.
func checkOutput(t *testing.T, out []byte, res Result) {
	t.Helper()
	if f, err := Sniff(out); f != res.Format || err != nil {
		t.Errorf("output sniffs as %q, %v", f, err)
	}
	var again bytes.Buffer
	if _, err := Process(t.Context(), bytes.NewReader(out), int64(len(out)), &again, &bytes.Buffer{}, DefaultLimits()); err != nil {
		t.Errorf("processing the output again: %v", err)
	} else if !bytes.Equal(again.Bytes(), out) {
		t.Errorf("processing the output again changed it")
	}
	if res.Frames > 1 && res.Format == WebP {
		return // the standard decoders cannot open animated WebP
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(out))
	if err != nil {
		t.Fatalf("output does not decode: %v", err)
	}
	w, h := cfg.Width, cfg.Height
	if res.Width != w && res.Width == h { // rotated by EXIF
		w, h = h, w
	}
	if w != res.Width || h != res.Height {
		t.Errorf("output is %dx%d, Result says %dx%d", w, h, res.Width, res.Height)
	}
	if _, _, err := image.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("output does not decode: %v", err)
	}
}

// checkThumb decodes a thumbnail and checks its format and size, and that
// it has no metadata of its own.
func checkThumb(t *testing.T, thumb []byte, res Result) image.Image {
	t.Helper()
	m, f, err := image.Decode(bytes.NewReader(thumb))
	if err != nil {
		t.Fatalf("thumbnail does not decode: %v", err)
	}
	if Format(f) != res.ThumbFormat {
		t.Errorf("thumbnail is %s, Result says %s", f, res.ThumbFormat)
	}
	if b := m.Bounds(); b.Dx() != res.ThumbWidth || b.Dy() != res.ThumbHeight {
		t.Errorf("thumbnail is %v, Result says %dx%d", b, res.ThumbWidth, res.ThumbHeight)
	}
	if max(res.ThumbWidth, res.ThumbHeight) > ThumbMax {
		t.Errorf("thumbnail is %dx%d, over %d", res.ThumbWidth, res.ThumbHeight, ThumbMax)
	}
	if bytes.Contains(thumb, []byte("Exif")) {
		t.Errorf("thumbnail carries EXIF")
	}
	return m
}

// wantKind fails the test unless err is a *chatpic.Error of kind k.
func wantKind(t *testing.T, err error, k chatpic.Kind) {
	t.Helper()
	e, ok := errors.AsType[*chatpic.Error](err)
	if !ok {
		t.Fatalf("error %v (%T) is not a *chatpic.Error", err, err)
	}
	if e.Kind != k {
		t.Fatalf("error kind = %s (%v), want %s", e.Kind, err, k)
	}
	if e.Message == "" {
		t.Errorf("error %v has no message", err)
	}
}

// checkColor checks that m at (x, y) is close to want (nil: anything).
// Fully transparent pixels match on alpha alone.
func checkColor(t *testing.T, where string, m image.Image, x, y int, want *color.NRGBA) {
	t.Helper()
	if want == nil {
		return
	}
	got := color.NRGBAModel.Convert(m.At(x, y)).(color.NRGBA)
	near := func(a, b uint8) bool { return int(a)-int(b) < 48 && int(b)-int(a) < 48 }
	if want.A == 0 && got.A == 0 {
		return
	}
	if !near(got.R, want.R) || !near(got.G, want.G) || !near(got.B, want.B) || !near(got.A, want.A) {
		t.Errorf("%s of thumbnail (%d,%d) is %v, want about %v", where, x, y, got, *want)
	}
}

// TestPDQ checks that the hash is of the picture as displayed: the same
// pixels stored sideways with an orientation tag hash like the upright
// picture, and an unrelated picture hashes far away.
func TestPDQ(t *testing.T) {
	hash := func(file []byte) (pdq.Hash, int) {
		t.Helper()
		res, err := Process(t.Context(), bytes.NewReader(file), int64(len(file)), io.Discard, io.Discard, DefaultLimits())
		if err != nil {
			t.Fatal(err)
		}
		return res.PDQ, res.PDQQuality
	}
	// Blocks of random colours: plenty of edges for the hash to work on.
	upright := image.NewRGBA(image.Rect(0, 0, 300, 400))
	rng := rand.New(rand.NewPCG(7, 7))
	block := map[image.Point]color.RGBA{}
	for y := range 400 {
		for x := range 300 {
			k := image.Pt(x/25, y/25)
			c, ok := block[k]
			if !ok {
				c = color.RGBA{uint8(rng.IntN(256)), uint8(rng.IntN(256)), uint8(rng.IntN(256)), 255}
				block[k] = c
			}
			upright.SetRGBA(x, y, c)
		}
	}
	sideways := image.NewRGBA(image.Rect(0, 0, 400, 300))
	// Orientation 6 means "rotate 90° clockwise to display": store the
	// upright picture rotated 90° counter-clockwise.
	for y := range 400 {
		for x := range 300 {
			sideways.Set(y, 299-x, upright.At(x, y))
		}
	}
	var a, b bytes.Buffer
	jpeg.Encode(&a, upright, &jpeg.Options{Quality: 95})
	jpeg.Encode(&b, sideways, &jpeg.Options{Quality: 95})
	withTag := mediatest.WithOrientation(b.Bytes(), 6)

	ha, qa := hash(a.Bytes())
	hc, _ := hash(mediatest.JPEG(400, 300))
	if qa < 50 {
		t.Fatalf("quality %d for a picture with detail", qa)
	}
	// The stored pixels are hashed; turned upright (a quarter turn
	// clockwise), the tagged copy is the upright one.
	res, err := Process(t.Context(), bytes.NewReader(withTag), int64(len(withTag)), io.Discard, io.Discard, DefaultLimits())
	if err != nil {
		t.Fatal(err)
	}
	if d := pdq.Distance(ha, res.PDQDihedral[pdq.Rotate270]); d > 16 {
		t.Errorf("upright and tagged-sideways copies are %d bits apart, want <= 16", d)
	}
	if d := pdq.Distance(ha, hc); d <= pdq.MatchThreshold {
		t.Errorf("an unrelated picture is only %d bits away", d)
	}
}
