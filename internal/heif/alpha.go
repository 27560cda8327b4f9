package heif

import (
	"encoding/binary"
	"fmt"
	"image"
	"slices"

	"github.com/chatpic/chatpic"
)

// withAlpha returns img, the opaque HEIC primary image decoded from data
// (which prepare made ready) and converted by heicRGB, an *image.RGBA or
// *image.Gray, with the alpha plane of p added, as an *image.NRGBA. The
// heic package decodes a picture with an alpha plane as YCbCr (or grey)
// and drops the plane, which would show what the picture's author made
// transparent; so the plane is decoded on its own, as the primary image of
// a copy of data, and the two are put together. The plane's samples are
// taken as they are coded, as libheif takes them.
func withAlpha(img image.Image, data []byte, p *probed, dec decoder) (image.Image, error) {
	a, err := decodeAlpha(data, p, dec)
	if err != nil {
		return nil, err
	}
	rgba := toRGBA(img) // opaque, so its samples are not premultiplied
	out := &image.NRGBA{Pix: rgba.Pix, Stride: rgba.Stride, Rect: rgba.Rect}
	w, h := out.Rect.Dx(), out.Rect.Dy()
	for y := range h {
		row := out.Pix[y*out.Stride : y*out.Stride+4*w]
		src := a[y*w : (y+1)*w]
		for x := range w {
			row[4*x+3] = src[x]
		}
	}
	return out, nil
}

// decodeAlpha decodes the alpha plane of the primary image of data, which
// prepare made ready, and returns its samples row by row, codedW x codedH.
// In a copy of data, the plane is made the primary item, visible and no
// longer an auxiliary image, and its coded items are said to be 4:4:4 (the
// heic package cannot read the monochrome grids libheif would otherwise
// make of them), which libheif then decodes as a picture. A plane with
// transformations of its own is refused as KindUnsupported.
func decodeAlpha(data []byte, p *probed, dec decoder) ([]byte, error) {
	m := p.meta
	a := m.byID[p.alphaItem]
	w, h, err := ispe(m, a)
	if err != nil {
		return nil, err
	}
	// libheif would apply them to the plane as it decodes it, before the
	// picture's own.
	ops, _, _, err := itemOps(m, a, w, h)
	if err != nil {
		return nil, err
	}
	if len(ops) > 0 {
		return nil, &chatpic.Error{Kind: chatpic.KindUnsupported,
			Message: "HEIC pictures whose transparency is rotated, mirrored or cropped on its own are not supported",
			Err:     fmt.Errorf("heif: alpha plane %d has a %s", a.id, ops[0].kind)}
	}
	alt := slices.Clone(data)
	switch {
	case m.pitmWide:
		binary.BigEndian.PutUint32(alt[m.pitmAt:], a.id)
	case a.id <= 0xFFFF:
		binary.BigEndian.PutUint16(alt[m.pitmAt:], uint16(a.id))
	default:
		return nil, damaged("heif: alpha plane %d does not fit a 16-bit pitm", a.id)
	}
	alt[a.infeAt+3] &^= 1 // not hidden
	for _, r := range m.refs {
		if r.typ == "auxl" && r.from == a.id {
			neutralise(alt, r, m.primary)
		}
	}
	for _, id := range p.alphaCoded {
		if k, ok := m.firstProp(m.byID[id], "hvcC"); ok && len(m.props[k].data) > 16 {
			alt[m.props[k].at+16] = 0xFC | 3
		}
	}
	img, err := dec(HEIC, alt)
	if err != nil {
		return nil, damaged("heif: decoding the alpha plane %d: %w", a.id, err)
	}
	if got, want := img.Bounds(), image.Rect(0, 0, p.codedW, p.codedH); got != want {
		return nil, &chatpic.Error{Kind: chatpic.KindUnsupported,
			Message: "HEIC pictures whose transparency is of another size than the picture are not supported",
			Err:     fmt.Errorf("heif: alpha plane %d decoded to %v, the picture is %v", a.id, got, want)}
	}
	if err := check(img, p); err != nil {
		return nil, err
	}
	var plane []byte
	var stride int
	switch g := img.(type) {
	case *image.Gray:
		plane, stride = g.Pix, g.Stride
	case *image.YCbCr:
		plane, stride = g.Y, g.YStride
	default:
		return nil, damaged("heif: alpha plane %d decoded as %T", a.id, img)
	}
	w, h = p.codedW, p.codedH
	out := make([]byte, w*h)
	for y := range h {
		copy(out[y*w:(y+1)*w], plane[y*stride:y*stride+w])
	}
	return out, nil
}
