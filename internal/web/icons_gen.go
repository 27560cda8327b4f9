//go:build ignore

// icons_gen draws the app icons of the web app manifest into static/:
// icon-192.png and icon-512.png (icon.svg's shapes: a blue rounded square
// with a white mountain and sun) and icon-maskable-512.png (the same on a
// full square, the drawing inside the safe zone a launcher's mask keeps).
// It uses nothing but the standard library and draws the same bytes every
// time: run it with "go generate ./internal/web" after changing icon.svg.
package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"log"
	"math"
	"os"
	"path/filepath"
)

// The shapes of icon.svg, in its 32×32 view box.
var (
	blue     = color.NRGBA{0x0b, 0x57, 0xd0, 0xff}
	white    = color.NRGBA{0xff, 0xff, 0xff, 0xff}
	mountain = [][2]float64{{7, 23}, {13, 15}, {17, 20}, {20, 17}, {25, 23}}
	sun      = [3]float64{22, 10, 3} // centre and radius
	corner   = 7.0                   // the square's corner radius
)

func main() {
	for _, icon := range []struct {
		name     string
		size     int
		maskable bool
	}{{"icon-192.png", 192, false}, {"icon-512.png", 512, false}, {"icon-maskable-512.png", 512, true}} {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, draw(icon.size, icon.maskable)); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join("static", icon.name), buf.Bytes(), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

// samples is the supersampling per axis: 4×4 samples a pixel smooth the
// edges.
const samples = 4

// draw renders the icon at size×size pixels. A maskable icon fills the
// whole square and draws the shapes at 70% around the centre, inside the
// circle of 80% a mask may cut to.
func draw(size int, maskable bool) *image.NRGBA {
	img := image.NewNRGBA(image.Rect(0, 0, size, size))
	unit := float64(size) / 32
	for py := range size {
		for px := range size {
			var bg, fg int
			for sy := range samples {
				for sx := range samples {
					// The sample's place in view-box units.
					x := (float64(px) + (float64(sx)+0.5)/samples) / unit
					y := (float64(py) + (float64(sy)+0.5)/samples) / unit
					if !maskable && !inRoundedSquare(x, y) {
						continue
					}
					bg++
					if maskable {
						x, y = 16+(x-16)/0.7, 15+(y-15)/0.7
					}
					if inPolygon(x, y, mountain) || math.Hypot(x-sun[0], y-sun[1]) <= sun[2] {
						fg++
					}
				}
			}
			if bg == 0 {
				continue
			}
			// Straight alpha: the colour of what covers the pixel, mixed
			// by how much of it is white, and the coverage as alpha.
			mix := func(a, b uint8) uint8 {
				return uint8((int(a)*(bg-fg) + int(b)*fg + bg/2) / bg)
			}
			img.SetNRGBA(px, py, color.NRGBA{mix(blue.R, white.R), mix(blue.G, white.G), mix(blue.B, white.B),
				uint8((255*bg + samples*samples/2) / (samples * samples))})
		}
	}
	return img
}

// inRoundedSquare reports whether (x, y) lies in the 32×32 square with
// rounded corners.
func inRoundedSquare(x, y float64) bool {
	if x < 0 || y < 0 || x > 32 || y > 32 {
		return false
	}
	cx := math.Min(math.Max(x, corner), 32-corner)
	cy := math.Min(math.Max(y, corner), 32-corner)
	return math.Hypot(x-cx, y-cy) <= corner
}

// inPolygon reports whether (x, y) lies inside the polygon (even-odd rule).
func inPolygon(x, y float64, poly [][2]float64) bool {
	in := false
	for i, j := 0, len(poly)-1; i < len(poly); j, i = i, i+1 {
		a, b := poly[i], poly[j]
		if (a[1] > y) != (b[1] > y) && x < (b[0]-a[0])*(y-a[1])/(b[1]-a[1])+a[0] {
			in = !in
		}
	}
	return in
}
