package media

import (
	"bytes"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"math"

	"golang.org/x/image/draw"
)

// thumbQuality is the JPEG quality of opaque thumbnails.
const thumbQuality = 80

// thumbnail renders the frame img, which covers the rectangle at of a cw x
// ch canvas, into a thumbnail of at most ThumbMax pixels on its long edge,
// then applies the EXIF orientation so the thumbnail is the right way up.
// Parts of the canvas the frame does not cover stay transparent.
func thumbnail(img image.Image, at image.Rectangle, cw, ch, orientation int) *image.RGBA {
	tw, th := fit(cw, ch, ThumbMax)
	dst := image.NewRGBA(image.Rect(0, 0, tw, th))
	sx, sy := float64(tw)/float64(cw), float64(th)/float64(ch)
	dr := image.Rect(
		int(math.Round(float64(at.Min.X)*sx)), int(math.Round(float64(at.Min.Y)*sy)),
		int(math.Round(float64(at.Max.X)*sx)), int(math.Round(float64(at.Max.Y)*sy)))
	// A sliver of a frame still gets a pixel.
	if dr.Dx() == 0 {
		dr.Min.X = min(dr.Min.X, tw-1)
		dr.Max.X = dr.Min.X + 1
	}
	if dr.Dy() == 0 {
		dr.Min.Y = min(dr.Min.Y, th-1)
		dr.Max.Y = dr.Min.Y + 1
	}
	scaleInto(dst, dr, img)
	return orient(dst, orientation)
}

// fit returns w x h scaled down to fit within limit x limit, keeping the
// aspect ratio; it never enlarges.
func fit(w, h, limit int) (int, int) {
	if w <= limit && h <= limit {
		return w, h
	}
	s := float64(limit) / float64(w)
	if h > w {
		s = float64(limit) / float64(h)
	}
	return clampDim(float64(w) * s), clampDim(float64(h) * s)
}

func clampDim(v float64) int { return max(1, int(math.Round(v))) }

// scaleInto resamples src into the rectangle dr of dst. Reductions by 2 or
// more first average whole blocks (boxShrink) down to between one and two
// times the target, then Catmull-Rom makes the final, small step; smaller
// reductions use Catmull-Rom alone. The block may be wider than tall (or
// the reverse) when the reductions differ, as they do for long strips whose
// short side is clamped to one pixel.
func scaleInto(dst *image.RGBA, dr image.Rectangle, src image.Image) {
	sb := src.Bounds()
	var mid *image.RGBA
	if kx, ky := max(1, sb.Dx()/dr.Dx()), max(1, sb.Dy()/dr.Dy()); kx >= 2 || ky >= 2 {
		mid = boxShrink(src, kx, ky)
	} else if m, ok := src.(*image.RGBA); ok {
		mid = m
	} else {
		mid = image.NewRGBA(sb)
		draw.Draw(mid, sb, src, sb.Min, draw.Src)
	}
	if mid.Bounds().Size() == dr.Size() {
		draw.Draw(dst, dr, mid, mid.Bounds().Min, draw.Src)
		return
	}
	draw.CatmullRom.Scale(dst, dr, mid, mid.Bounds(), draw.Src, nil)
}

// orient returns m transformed by the EXIF orientation o, so that it shows
// the way the camera meant: 2 mirrors, 3 rotates 180°, 4 flips, 5
// transposes, 6 rotates 90° clockwise, 7 transverses, 8 rotates 90°
// counter-clockwise. Other values return m unchanged.
func orient(m *image.RGBA, o int) *image.RGBA {
	if o < 2 || o > 8 {
		return m
	}
	w, h := m.Rect.Dx(), m.Rect.Dy()
	dw, dh := w, h
	if o >= 5 {
		dw, dh = h, w
	}
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	for y := range h {
		for x := range w {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			s := m.PixOffset(x+m.Rect.Min.X, y+m.Rect.Min.Y)
			d := out.PixOffset(dx, dy)
			copy(out.Pix[d:d+4], m.Pix[s:s+4])
		}
	}
	return out
}

// encodeThumb writes m to w as a JPEG if it is opaque and as a PNG if not,
// carrying the picture's RGB colour profile when it has one, and returns
// the format used.
func encodeThumb(w io.Writer, m *image.RGBA, icc []byte) (Format, error) {
	var buf bytes.Buffer
	f := PNG
	var err error
	if m.Opaque() {
		f = JPEG
		err = jpeg.Encode(&buf, m, &jpeg.Options{Quality: thumbQuality})
	} else {
		enc := png.Encoder{CompressionLevel: png.DefaultCompression}
		err = enc.Encode(&buf, m)
	}
	if err != nil {
		return f, err
	}
	out := buf.Bytes()
	if icc = rgbICC(icc); icc != nil {
		out = withICC(f, out, icc)
	}
	_, err = w.Write(out)
	return f, err
}
