package heif

import (
	"image"
	"image/draw"
)

// transform returns img with the transformations ops applied in order, as
// an *image.RGBA at the origin. With no ops an *image.RGBA is returned as
// it is.
func transform(img image.Image, ops []op) image.Image {
	m := toRGBA(img)
	if len(ops) == 0 {
		return m
	}
	for _, o := range ops {
		w, h := m.Rect.Dx(), m.Rect.Dy()
		switch o.kind {
		case "clap":
			r := image.Rect(o.crop[0], o.crop[1], o.crop[2], o.crop[3])
			out := image.NewRGBA(image.Rect(0, 0, r.Dx(), r.Dy()))
			draw.Draw(out, out.Rect, m, r.Min, draw.Src)
			m = out
		case "irot":
			switch o.angle {
			case 1: // 90 degrees anti-clockwise: the top row becomes the left column, reversed
				m = remap(m, h, w, func(x, y int) (int, int) { return y, w - 1 - x })
			case 2:
				m = remap(m, w, h, func(x, y int) (int, int) { return w - 1 - x, h - 1 - y })
			case 3: // 90 degrees clockwise
				m = remap(m, h, w, func(x, y int) (int, int) { return h - 1 - y, x })
			}
		case "imir":
			if o.axis == 0 { // top and bottom exchanged
				m = remap(m, w, h, func(x, y int) (int, int) { return x, h - 1 - y })
			} else { // left and right exchanged
				m = remap(m, w, h, func(x, y int) (int, int) { return w - 1 - x, y })
			}
		}
	}
	return m
}

// remap returns a dw x dh picture in which the pixel at to(x, y) is the
// pixel of m at (x, y).
func remap(m *image.RGBA, dw, dh int, to func(x, y int) (int, int)) *image.RGBA {
	out := image.NewRGBA(image.Rect(0, 0, dw, dh))
	w, h := m.Rect.Dx(), m.Rect.Dy()
	for y := range h {
		row := m.Pix[y*m.Stride : y*m.Stride+4*w]
		for x := range w {
			dx, dy := to(x, y)
			d := dy*out.Stride + 4*dx
			copy(out.Pix[d:d+4], row[4*x:4*x+4])
		}
	}
	return out
}

// toRGBA returns img as an *image.RGBA at the origin with a stride of 4
// bytes a pixel: as it is if it already is one, with 16-bit samples
// rounded to 8, or converted.
func toRGBA(img image.Image) *image.RGBA {
	b := img.Bounds()
	if m, ok := img.(*image.RGBA); ok && b.Min == (image.Point{}) && m.Stride == 4*b.Dx() {
		return m
	}
	out := image.NewRGBA(image.Rect(0, 0, b.Dx(), b.Dy()))
	if m, ok := img.(*image.RGBA64); ok {
		for y := range b.Dy() {
			src := m.Pix[m.PixOffset(b.Min.X, b.Min.Y+y):]
			dst := out.Pix[y*out.Stride : y*out.Stride+4*b.Dx()]
			for i := range dst {
				dst[i] = to8(uint32(src[2*i])<<8 | uint32(src[2*i+1])) // big-endian samples
			}
		}
		return out
	}
	draw.Draw(out, out.Rect, img, b.Min, draw.Src)
	return out
}

// to8 returns the 8-bit sample nearest to v, a 16-bit one: v/257
// rounded, for every v.
func to8(v uint32) uint8 {
	return uint8((v*255 + 32895) >> 16)
}
