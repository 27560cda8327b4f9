package heif

import (
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/chatpic/chatpic"
)

// probed is what probe reads: Info, and what Decode needs beyond it.
type probed struct {
	info    Info
	codedW  int     // width of the primary image as coded (ispe)
	codedH  int     // height of the primary image as coded (ispe)
	coded   int64   // pixels the decoder produces: grid tiles and alpha included
	ops     []op    // the primary's transformations, in the order to apply them
	moov    []int64 // offsets of the top-level moov boxes
	ftypEnd int     // the file offset just past the ftyp box
	meta    *meta
	// used are the items the primary image and its alpha plane are made
	// of, derived and coded.
	used map[uint32]bool
	// codedItems are the coded (hvc1, av01) items the primary image and
	// its alpha plane are made of.
	codedItems []uint32
	alpha      bool     // the primary has an alpha plane
	alphaItem  uint32   // the first of them
	alphaCoded []uint32 // the coded items alphaItem is made of
}

// op is a transformative property: a clean aperture crop, a rotation by
// angle*90 degrees anti-clockwise, or a mirror (axis 0 exchanges top and
// bottom, axis 1 left and right). assoc is where it is associated.
type op struct {
	kind  string // "clap", "irot" or "imir"
	angle int
	axis  int
	crop  [4]int // clap: left, top, right, bottom (exclusive)
	assoc assoc
}

// Probe reads the box structure of the HEIF file of size bytes in r and
// describes its primary image, without decoding any pixel. Every box must
// lie within its container, and nothing is allocated in proportion to a
// size field beyond the file's length: the meta box, read whole, may hold
// at most 16 MiB.
//
// Errors are *chatpic.Error: KindUnsupported if r is not a HEIF file, or
// its primary image is coded with something other than HEVC or AV1, or it
// is an image sequence without a still image, or it is made in a way the
// decoders do not support (a picture predicted from another, grid tiles
// with transformations of their own, an AVIF identity or overlay
// derivation); KindUnprocessable if the file is truncated or its structure
// is corrupt, which includes a derived image of another size than its
// ispe property says and coded items that reuse the same bytes many times
// over. An error reading r is returned as KindInternal.
func Probe(r io.ReaderAt, size int64) (Info, error) {
	p, err := probe(r, size)
	if err != nil {
		return Info{}, err
	}
	return p.info, nil
}

func probe(r io.ReaderAt, size int64) (*probed, error) {
	p, err := probeBoxes(r, size)
	if _, ok := errors.AsType[*chatpic.Error](err); err != nil && !ok {
		return nil, chatpic.Internal(fmt.Errorf("heif: reading the file: %w", err))
	}
	return p, err
}

func probeBoxes(r io.ReaderAt, size int64) (*probed, error) {
	var sig [8]byte
	if size < 8 {
		return nil, unsupported("this is not a HEIF file")
	}
	if err := readFull(r, sig[:], 0); err != nil {
		return nil, err
	}
	if string(sig[4:8]) != "ftyp" {
		return nil, unsupported("this is not a HEIF file")
	}
	it := &boxes{r: r, end: size}
	first, _, err := it.next()
	switch {
	case err != nil:
		return nil, err
	case first.size > 1024:
		return nil, damaged("heif: ftyp box of %d bytes", first.size)
	}
	head := make([]byte, first.end())
	if err := readFull(r, head, 0); err != nil {
		return nil, err
	}
	if !heifBrands(head) {
		return nil, unsupported("this is not a HEIF picture")
	}
	var mb *box
	var moov []box
	for {
		b, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch b.typ {
		case "meta":
			if mb != nil {
				return nil, damaged("heif: two meta boxes")
			}
			mb = &b
		case "moov":
			moov = append(moov, b)
		}
	}
	if mb == nil {
		if len(moov) > 0 {
			return nil, unsupported("animated HEIF and AVIF files are accepted only with a still image")
		}
		return nil, damaged("heif: no meta box")
	}
	m, err := parseMeta(r, *mb)
	if err != nil {
		return nil, err
	}
	p := &probed{meta: m, ftypEnd: int(first.end())}
	for _, b := range moov {
		p.moov = append(p.moov, b.start)
	}
	if err := p.describe(r, size); err != nil {
		return nil, err
	}
	if len(moov) > 0 {
		n, err := sampleCount(r, moov[0])
		if err != nil {
			return nil, err
		}
		p.info.Frames = max(p.info.Frames, n)
	}
	return p, nil
}

// heifBrands reports whether the ftyp box in head names HEIF at all.
func heifBrands(head []byte) bool {
	ft, err := readFtyp(head)
	if err != nil {
		return false
	}
	for _, b := range append(ft.compatible, ft.major) {
		if _, ok := brandFormat[b]; ok || genericBrand(b) {
			return true
		}
	}
	return false
}

// describe fills p from the primary item of p.meta, in the file of size
// bytes in r.
func (p *probed) describe(r io.ReaderAt, size int64) error {
	m := p.meta
	if m.handler != "pict" {
		return unsupported("this HEIF file holds no picture")
	}
	if !m.hasPrimary {
		return damaged("heif: no primary item")
	}
	prim := m.byID[m.primary]
	if prim == nil {
		return damaged("heif: primary item %d is not described", m.primary)
	}
	res := &resolver{m: m, r: r, size: size, memo: map[uint32]resolved{}}
	defer func() {
		p.codedItems = res.coded
		p.used = map[uint32]bool{}
		for id := range res.memo {
			p.used[id] = true
		}
	}()
	f, px, err := res.visit(prim.id, 0)
	if err != nil {
		return err
	}
	for _, a := range m.alphaOf(prim.id) {
		n := len(res.coded)
		_, apx, err := res.visit(a, 0)
		if err != nil {
			return err
		}
		px = satAdd(px, apx)
		if !p.alpha {
			p.alpha, p.alphaItem = true, a
			p.alphaCoded = res.coded[n:]
		}
	}
	w, h, err := ispe(m, prim)
	if err != nil {
		return err
	}
	p.info = Info{Format: f, Frames: 1, Coded: px, Alpha: p.alpha, Depth: depth(m, res.coded)}
	p.codedW, p.codedH, p.coded = w, h, px
	if err := p.transforms(prim); err != nil {
		return err
	}
	for _, c := range m.propsOf(prim, "colr") {
		cur := cursor{p: c.data}
		switch cur.fourCC() {
		case "prof", "rICC":
			if p.info.ICC == nil && len(cur.p) > 0 {
				p.info.ICC = append([]byte(nil), cur.p...)
			}
		case "nclx":
			n := NCLX{Primaries: cur.u16(), Transfer: cur.u16(), Matrix: cur.u16(), FullRange: cur.u8()&0x80 != 0}
			if cur.err == nil && p.info.NCLX == nil {
				p.info.NCLX = &n
			}
		}
	}
	return nil
}

// depth returns the largest bit depth the coded items declare in their
// hvcC or av1C, 8 if none says.
func depth(m *meta, coded []uint32) int {
	d := 8
	for _, id := range coded {
		it := m.byID[id]
		if it == nil {
			continue
		}
		for _, c := range m.propsOf(it, "hvcC") {
			if len(c.data) > 17 {
				d = max(d, 8+int(c.data[17]&7)) // bitDepthLumaMinus8
			}
		}
		for _, c := range m.propsOf(it, "av1C") {
			if len(c.data) > 2 && c.data[2]&0x40 != 0 { // high_bitdepth
				d = max(d, 10)
				if c.data[1]>>5 == 2 && c.data[2]&0x20 != 0 { // twelve_bit, in profile 2
					d = 12
				}
			}
		}
	}
	return d
}

// transforms reads the primary's clap, irot and imir properties, in their
// association order, and sets the displayed dimensions.
func (p *probed) transforms(prim *item) error {
	var err error
	p.ops, p.info.Width, p.info.Height, err = itemOps(p.meta, prim, p.codedW, p.codedH)
	return err
}

// itemOps returns the transformative properties (clap, irot, imir) of item
// i, in their association order, for a reconstructed image of w x h, and
// the size of the image they make. A clean aperture must lie within the
// image it crops.
func itemOps(m *meta, i *item, w, h int) (ops []op, ow, oh int, err error) {
	for _, a := range i.props {
		if a.prop < 0 { // property index 0: no property
			continue
		}
		pr := m.props[a.prop]
		c := cursor{p: pr.data}
		var o op
		switch pr.typ {
		case "irot":
			o = op{kind: pr.typ, angle: int(c.u8() & 3)}
			if o.angle%2 == 1 {
				w, h = h, w
			}
		case "imir":
			o = op{kind: pr.typ, axis: int(c.u8() & 1)}
		case "clap":
			var v [8]float64
			for i := range v {
				x := c.u32()
				v[i] = float64(x)
				if i == 4 || i == 6 { // the offsets are signed
					v[i] = float64(int32(x))
				}
			}
			if c.err != nil {
				break
			}
			if v[1] == 0 || v[3] == 0 || v[5] == 0 || v[7] == 0 {
				return nil, 0, 0, damaged("heif: clap with a zero denominator")
			}
			cx := v[4]/v[5] + float64(w-1)/2
			cy := v[6]/v[7] + float64(h-1)/2
			cw, ch := v[0]/v[1], v[2]/v[3]
			o = op{kind: pr.typ, crop: [4]int{
				int(math.Floor(cx - (cw-1)/2)), int(math.Floor(cy - (ch-1)/2)),
				int(math.Floor(cx+(cw-1)/2)) + 1, int(math.Floor(cy+(ch-1)/2)) + 1,
			}}
			if r := o.crop; r[0] < 0 || r[1] < 0 || r[2] > w || r[3] > h || r[0] >= r[2] || r[1] >= r[3] {
				return nil, 0, 0, damaged("heif: clean aperture %v outside %dx%d", r, w, h)
			}
			w, h = o.crop[2]-o.crop[0], o.crop[3]-o.crop[1]
		default:
			continue
		}
		if c.err != nil {
			return nil, 0, 0, damaged("heif: %s property ends early", pr.typ)
		}
		o.assoc = a
		ops = append(ops, o)
	}
	return ops, w, h, nil
}

// sampleCount returns the number of samples of the first picture or video
// track in moov, or 0 if it has none.
func sampleCount(r io.ReaderAt, moov box) (int, error) {
	find := func(parent box, typs ...string) (box, bool, error) {
		it := children(r, parent)
		for {
			b, ok, err := it.next()
			if err != nil || !ok {
				return box{}, false, err
			}
			for _, t := range typs {
				if b.typ == t {
					return b, true, nil
				}
			}
		}
	}
	traks := children(r, moov)
	for {
		trak, ok, err := traks.next()
		if err != nil || !ok {
			return 0, err
		}
		if trak.typ != "trak" {
			continue
		}
		mdia, ok, err := find(trak, "mdia")
		if err != nil || !ok {
			return 0, err
		}
		hdlr, ok, err := find(mdia, "hdlr")
		if err != nil || !ok || hdlr.size < 12 {
			return 0, err
		}
		var h [12]byte
		if err := readFull(r, h[:], hdlr.off); err != nil {
			return 0, err
		}
		if t := string(h[8:12]); t != "pict" && t != "vide" {
			continue
		}
		b := mdia
		for _, t := range [][]string{{"minf"}, {"stbl"}, {"stsz", "stz2"}} {
			if b, ok, err = find(b, t...); err != nil || !ok {
				return 0, err
			}
		}
		var s [12]byte
		if b.size < 12 {
			return 0, damaged("heif: %s box ends early", b.typ)
		}
		if err := readFull(r, s[:], b.off); err != nil {
			return 0, err
		}
		n := uint32(s[8])<<24 | uint32(s[9])<<16 | uint32(s[10])<<8 | uint32(s[11])
		return int(min(n, math.MaxInt32)), nil
	}
}
