package web

import (
	"image"
	"image/color"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// svgRun is one rectangle of qrSVG's path: a run of dark modules.
var (
	svgViewBox = regexp.MustCompile(`viewBox="0 0 (\d+) (\d+)"`)
	svgRun     = regexp.MustCompile(`M(\d+) (\d+)h(\d+)v1h-(\d+)z`)
)

// decodeQRSVG draws svg, as qrSVG makes it, 6 pixels a module, and reads it
// back with ZXing's QR decoder.
func decodeQRSVG(t *testing.T, svg string) string {
	t.Helper()
	m := svgViewBox.FindStringSubmatch(svg)
	if m == nil || !strings.HasPrefix(svg, `<svg xmlns="http://www.w3.org/2000/svg"`) {
		t.Fatalf("not qrSVG's SVG: %.200s", svg)
	}
	side, _ := strconv.Atoi(m[1])
	const px = 6
	img := image.NewGray(image.Rect(0, 0, side*px, side*px))
	for i := range img.Pix {
		img.Pix[i] = 0xff
	}
	runs := svgRun.FindAllStringSubmatch(svg, -1)
	if len(runs) == 0 {
		t.Fatal("the SVG draws nothing")
	}
	for _, r := range runs {
		x, _ := strconv.Atoi(r[1])
		y, _ := strconv.Atoi(r[2])
		n, _ := strconv.Atoi(r[3])
		for yy := y * px; yy < (y+1)*px; yy++ {
			for xx := x * px; xx < (x+n)*px; xx++ {
				img.SetGray(xx, yy, color.Gray{})
			}
		}
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := qrcode.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("ZXing cannot read the code: %v", err)
	}
	return res.GetText()
}

func TestQRSVG(t *testing.T) {
	for _, text := range []string{
		"http://localhost:8080/p/AbCdEfGhIjKlMnOp",
		"https://pics.example.org/p/x3_Yq-9ZzTtRrWw0",
		"https://a-long-host-name.pictures.example.org/some/prefix/p/" + strings.Repeat("Q", 40),
	} {
		svg, err := qrSVG(text)
		if err != nil {
			t.Fatal(err)
		}
		if got := decodeQRSVG(t, string(svg)); got != text {
			t.Errorf("decoded %q, want %q", got, text)
		}
	}
}

func TestQRCodeRoute(t *testing.T) {
	base, _ := url.Parse("https://pics.example.org")
	f := newFixture(t, base)
	id := f.uploaded(t, "photography")

	rec := f.get("/p/"+id+"/qr.svg", nil)
	if rec.Code != http.StatusOK || rec.Header().Get("Content-Type") != "image/svg+xml" {
		t.Fatalf("qr.svg: %d %q", rec.Code, rec.Header().Get("Content-Type"))
	}
	if got, want := decodeQRSVG(t, rec.Body.String()), "https://pics.example.org/p/"+id; got != want {
		t.Errorf("the code reads %q, want the share link %q", got, want)
	}
	wantPage(t, f.get("/p/"+id, nil), http.StatusOK, `src="/p/`+id+`/qr.svg"`, `alt="QR code of the share link"`)

	// The page that answers an upload shows it too, beside the link.
	rec = f.upload(t, "photography")
	wantPage(t, f.get(rec.Header().Get("Location"), nil), http.StatusOK, "qr.svg")

	for _, c := range []struct {
		path string
		want int
	}{
		{"/p/NoSuchPostHere1/qr.svg", http.StatusNotFound},
		{"/p/bad!/qr.svg", http.StatusNotFound},
	} {
		if got := f.get(c.path, nil).Code; got != c.want {
			t.Errorf("%s: %d, want %d", c.path, got, c.want)
		}
	}
}
