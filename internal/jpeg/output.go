package jpeg

import (
	"image"
	"image/color"
)

// image wraps or converts the decoded planes into the result. Gray and
// YCbCr planes are returned as they are (their padding to whole MCUs lies
// outside the bounds); other layouts are converted, taking for each pixel
// the nearest sample of each component.
func (d *decoder) image() image.Image {
	w, h := ceilDiv(d.width, d.scale), ceilDiv(d.height, d.scale)
	r := image.Rect(0, 0, w, h)
	c0, c1, c2 := &d.comp[0], &d.comp[1], &d.comp[2]
	switch d.out {
	case outGray:
		return &image.Gray{Pix: c0.plane, Stride: c0.stride, Rect: r}
	case outYCbCr:
		ratio, _ := d.ratio()
		return &image.YCbCr{
			Y: c0.plane, Cb: c1.plane, Cr: c2.plane,
			YStride: c0.stride, CStride: c1.stride,
			SubsampleRatio: ratio, Rect: r,
		}
	case outYCbCr444:
		m := image.NewYCbCr(r, image.YCbCrSubsampleRatio444)
		for i, dst := range [][]byte{m.Y, m.Cb, m.Cr} {
			s := d.sampler(i, w)
			for y := range h {
				src, out := s.row(y), dst[y*m.YStride:y*m.YStride+w]
				for x := range out {
					out[x] = s.at(src, x)
				}
			}
		}
		return m
	case outRGBA:
		m := image.NewRGBA(r)
		d.interleave(m.Pix, m.Stride, w, h, func(p []byte) {
			p[3] = 0xFF
		})
		return m
	case outCMYK:
		m := image.NewCMYK(r)
		d.interleave(m.Pix, m.Stride, w, h, func(p []byte) {
			p[0], p[1], p[2], p[3] = ^p[0], ^p[1], ^p[2], ^p[3]
		})
		return m
	}
	// YCCK: the YCbCr part becomes RGB, whose complement CMY is stored
	// inverted, so C, M, Y are R, G, B; K is inverted.
	m := image.NewCMYK(r)
	d.interleave(m.Pix, m.Stride, w, h, func(p []byte) {
		p[0], p[1], p[2] = color.YCbCrToRGB(p[0], p[1], p[2])
		p[3] = ^p[3]
	})
	return m
}

// interleave writes the components' samples into 4-byte pixels of pix,
// then calls fix on each pixel. With three components the fourth byte is
// left for fix.
func (d *decoder) interleave(pix []byte, stride, w, h int, fix func(p []byte)) {
	for i := range d.nComp {
		s := d.sampler(i, w)
		for y := range h {
			src, out := s.row(y), pix[y*stride:y*stride+4*w]
			for x := range w {
				out[4*x+i] = s.at(src, x)
			}
		}
	}
	for y := range h {
		out := pix[y*stride : y*stride+4*w]
		for x := 0; x < len(out); x += 4 {
			fix(out[x : x+4 : x+4])
		}
	}
}

// sampler reads a component at output coordinates: output pixel (x, y)
// covers the picture's pixels from (x*scale, y*scale), which hold the
// component's sample (x*scale*h/hmax, y*scale*v/vmax), which lies in the
// plane's pixel (x*scale*h/(hmax*c.scale), ...).
type sampler struct {
	plane    []byte
	stride   int
	num, den int     // vertical ratio
	xmap     []int32 // nil when the ratio across is 1
}

func (d *decoder) sampler(i, w int) sampler {
	c := &d.comp[i]
	s := sampler{plane: c.plane, stride: c.stride, num: d.scale * d.v[i], den: d.vmax * c.scale}
	if num, den := d.scale*d.h[i], d.hmax*c.scale; num != den {
		s.xmap = make([]int32, w)
		for x := range s.xmap {
			s.xmap[x] = int32(x * num / den)
		}
	}
	return s
}

func (s *sampler) row(y int) []byte {
	return s.plane[y*s.num/s.den*s.stride:]
}

func (s *sampler) at(row []byte, x int) byte {
	if s.xmap != nil {
		return row[s.xmap[x]]
	}
	return row[x]
}
