// Package mediatest makes image files for tests, in code: small pictures in
// every accepted format, and camera-like JPEGs that carry location data.
package mediatest

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
)

// Picture returns a w×h picture with a gradient, so that scaling and
// compression have something to work on, and a red top-left corner.
func Picture(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			c := color.RGBA{uint8(x * 255 / max(1, w-1)), uint8(y * 255 / max(1, h-1)), 128, 255}
			if x < w/4 && y < h/4 {
				c = color.RGBA{255, 0, 0, 255}
			}
			img.SetRGBA(x, y, c)
		}
	}
	return img
}

// PNG returns a w×h PNG.
func PNG(w, h int) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, Picture(w, h)); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// JPEG returns a w×h baseline JPEG without metadata.
func JPEG(w, h int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, Picture(w, h), &jpeg.Options{Quality: 85}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// GIF returns a w×h GIF with the given number of frames.
func GIF(w, h, frames int) []byte {
	pal := color.Palette{color.Black, color.White, color.RGBA{255, 0, 0, 255}}
	anim := &gif.GIF{}
	for i := range frames {
		img := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		for x := range w {
			img.SetColorIndex(x, i%h, 2)
		}
		anim.Image = append(anim.Image, img)
		anim.Delay = append(anim.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, anim); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// CameraJPEG returns a w×h JPEG as a phone would write it: an EXIF segment
// with the given orientation, a GPS block holding marker (so a test can
// search for it), a camera serial number, and trailing bytes after the end
// of the image, also holding marker.
func CameraJPEG(w, h int, orientation uint16, marker string) []byte {
	plain := JPEG(w, h)
	exif := exifSegment(orientation, marker)
	var out bytes.Buffer
	out.Write(plain[:2]) // SOI
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, binary.BigEndian, uint16(len(exif)+2))
	out.Write(exif)
	out.Write(plain[2:])
	out.WriteString("TRAILER:" + marker)
	return out.Bytes()
}

// exifSegment builds "Exif\0\0" and a big-endian TIFF with IFD0 (orientation,
// serial number, a GPS IFD pointer) and a GPS IFD whose GPSAreaInformation
// holds marker.
func exifSegment(orientation uint16, marker string) []byte {
	var t bytes.Buffer
	be := binary.BigEndian
	t.WriteString("MM\x00\x2a")
	binary.Write(&t, be, uint32(8)) // IFD0 offset
	serial := "SERIAL-" + marker + "\x00"
	area := "GPS-" + marker + "\x00"
	const ifd0Entries = 3
	ifd0Size := 2 + ifd0Entries*12 + 4
	serialOff := 8 + ifd0Size
	gpsOff := serialOff + len(serial)
	const gpsEntries = 2
	gpsSize := 2 + gpsEntries*12 + 4
	areaOff := gpsOff + gpsSize

	entry := func(tag, typ uint16, count, value uint32) {
		binary.Write(&t, be, tag)
		binary.Write(&t, be, typ)
		binary.Write(&t, be, count)
		binary.Write(&t, be, value)
	}
	binary.Write(&t, be, uint16(ifd0Entries))
	entry(0x0112, 3, 1, uint32(orientation)<<16) // Orientation, SHORT, left-justified
	entry(0x8825, 4, 1, uint32(gpsOff))          // GPS IFD pointer
	entry(0xA431, 2, uint32(len(serial)), uint32(serialOff))
	binary.Write(&t, be, uint32(0))
	t.WriteString(serial)
	binary.Write(&t, be, uint16(gpsEntries))
	entry(0x0001, 2, 2, 'N'<<24)                         // GPSLatitudeRef "N"
	entry(0x001C, 7, uint32(len(area)), uint32(areaOff)) // GPSAreaInformation
	binary.Write(&t, be, uint32(0))
	t.WriteString(area)
	return append([]byte("Exif\x00\x00"), t.Bytes()...)
}

// WithOrientation returns a copy of a JPEG with an EXIF segment that holds
// only the given orientation tag.
func WithOrientation(jpg []byte, orientation uint16) []byte {
	var t bytes.Buffer
	be := binary.BigEndian
	t.WriteString("Exif\x00\x00MM\x00\x2a")
	binary.Write(&t, be, uint32(8))
	binary.Write(&t, be, uint16(1))
	binary.Write(&t, be, uint16(0x0112))
	binary.Write(&t, be, uint16(3))
	binary.Write(&t, be, uint32(1))
	binary.Write(&t, be, uint32(orientation)<<16)
	binary.Write(&t, be, uint32(0))
	var out bytes.Buffer
	out.Write(jpg[:2])
	out.Write([]byte{0xFF, 0xE1})
	binary.Write(&out, be, uint16(t.Len()+2))
	out.Write(t.Bytes())
	out.Write(jpg[2:])
	return out.Bytes()
}

// Scene returns a w×h picture that stands in for a photograph: soft
// overlapping shapes in many colours over a gradient, laid out by seed.
// Different seeds give unrelated pictures (their PDQ hashes are far apart);
// the same seed gives the same picture at any size.
func Scene(w, h int, seed uint64) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	next := func() float64 { // splitmix64, so the layout needs no math/rand
		seed += 0x9e3779b97f4a7c15
		z := seed
		z = (z ^ z>>30) * 0xbf58476d1ce4e5b9
		z = (z ^ z>>27) * 0x94d049bb133111eb
		return float64(z^z>>31) / float64(^uint64(0))
	}
	type blob struct{ x, y, rx, ry, r, g, b float64 }
	blobs := make([]blob, 12)
	for i := range blobs {
		blobs[i] = blob{next(), next(), 0.05 + 0.3*next(), 0.05 + 0.3*next(), 255 * next(), 255 * next(), 255 * next()}
	}
	base := [3]float64{255 * next(), 255 * next(), 255 * next()}
	for y := range h {
		fy := float64(y) / float64(h)
		for x := range w {
			fx := float64(x) / float64(w)
			c := [3]float64{base[0] * fy, base[1] * (1 - fx), base[2] * (fx + fy) / 2}
			for _, b := range blobs {
				dx, dy := (fx-b.x)/b.rx, (fy-b.y)/b.ry
				if d := dx*dx + dy*dy; d < 1 {
					a := 1 - d
					c = [3]float64{c[0]*(1-a) + b.r*a, c[1]*(1-a) + b.g*a, c[2]*(1-a) + b.b*a}
				}
			}
			img.SetRGBA(x, y, color.RGBA{uint8(c[0]), uint8(c[1]), uint8(c[2]), 255})
		}
	}
	return img
}

// Mirror returns img mirrored left to right.
func Mirror(img *image.RGBA) *image.RGBA {
	b := img.Bounds()
	out := image.NewRGBA(b)
	for y := b.Min.Y; y < b.Max.Y; y++ {
		for x := b.Min.X; x < b.Max.X; x++ {
			out.Set(b.Max.X-1-(x-b.Min.X), y, img.At(x, y))
		}
	}
	return out
}

// EncodeJPEG encodes img as a JPEG of the given quality.
func EncodeJPEG(img image.Image, quality int) []byte {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		panic(err)
	}
	return buf.Bytes()
}

// EncodePNG encodes img as a PNG.
func EncodePNG(img image.Image) []byte {
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		panic(err)
	}
	return buf.Bytes()
}
