package heif

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"

	"github.com/chatpic/chatpic"
)

// ispe returns the coded dimensions of item i.
func ispe(m *meta, i *item) (int, int, error) {
	ps := m.propsOf(i, "ispe")
	if len(ps) == 0 {
		return 0, 0, damaged("heif: item %d has no size", i.id)
	}
	c := cursor{p: ps[0].data}
	c.fullBox()
	w, h := c.u32(), c.u32()
	if c.err != nil || w == 0 || h == 0 || w > math.MaxInt32 || h > math.MaxInt32 {
		return 0, 0, damaged("heif: item %d is %dx%d", i.id, w, h)
	}
	return int(w), int(h), nil
}

// maxDataReuse bounds the bytes of coded item data a file may make the
// parser and the decoder read, as a multiple of its size. Items of an
// honest file do not share bytes; a hostile one could list the same
// megabytes as thousands of items, or one item's extents thousands of
// times, and have them copied and scanned each time.
const maxDataReuse = 4

// resolver follows derived images (grid, iden, iovl) to the coded items
// they are made of. Each item is visited once, so shared or cyclic
// references cannot make it loop.
type resolver struct {
	m    *meta
	r    io.ReaderAt // nil (Sniff) to leave derivation descriptors unread
	size int64
	memo map[uint32]resolved
	// coded are the coded items visited; data counts the bytes of their
	// data.
	coded []uint32
	data  int64
}

type resolved struct {
	format string
	pixels int64
}

// visit returns the codec of item id and the pixels decoding it produces,
// after checking that its data lies within the file and that the size of
// a derived image is the size its ispe says (the decoders allocate by the
// former, the heic package reads the picture by the latter).
func (r *resolver) visit(id uint32, depth int) (string, int64, error) {
	if v, ok := r.memo[id]; ok {
		return v.format, v.pixels, nil
	}
	if depth > maxDerivDep {
		return "", 0, damaged("heif: derived images nested more than %d deep", maxDerivDep)
	}
	i := r.m.byID[id]
	if i == nil {
		return "", 0, damaged("heif: item %d is not described", id)
	}
	n, err := r.located(i)
	if err != nil {
		return "", 0, err
	}
	var v resolved
	switch i.typ {
	case "hvc1", "av01":
		if len(r.m.refsFrom("pred", id)) > 0 {
			return "", 0, &chatpic.Error{Kind: chatpic.KindUnsupported,
				Message: "HEIF pictures coded as a difference from another picture are not supported",
				Err:     fmt.Errorf("heif: item %d is predicted from other items", id)}
		}
		w, h, err := ispe(r.m, i)
		if err != nil {
			return "", 0, err
		}
		if r.data = satAdd(r.data, n); r.size <= math.MaxInt64/maxDataReuse && r.data > maxDataReuse*r.size {
			return "", 0, damaged("heif: the coded items reuse the same bytes more than %d times over", maxDataReuse)
		}
		v = resolved{format: HEIC, pixels: int64(w) * int64(h)}
		r.coded = append(r.coded, id)
		if i.typ == "av01" {
			v.format = AVIF
		}
	case "grid", "iden", "iovl":
		kids := r.m.refsFrom("dimg", id)
		if len(kids) == 0 {
			return "", 0, damaged("heif: derived image %d has no sources", id)
		}
		for _, k := range kids {
			f, px, err := r.visit(k, depth+1)
			if err != nil {
				return "", 0, err
			}
			if v.format != "" && f != v.format {
				return "", 0, unsupported("this HEIF picture mixes codecs")
			}
			v.format, v.pixels = f, satAdd(v.pixels, px)
		}
		if v.format == AVIF && i.typ != "grid" {
			return "", 0, &chatpic.Error{Kind: chatpic.KindUnsupported,
				Message: "AVIF pictures made by identity or overlay derivation are not supported",
				Err:     fmt.Errorf("heif: AVIF item %d is of type %q", id, i.typ)}
		}
		if err := r.derived(i, kids); err != nil {
			return "", 0, err
		}
	default:
		return "", 0, &chatpic.Error{Kind: chatpic.KindUnsupported,
			Message: "this HEIF picture uses a codec chatpic does not accept (only HEVC and AV1)",
			Err:     fmt.Errorf("heif: item %d has type %q", id, i.typ)}
	}
	r.memo[id] = v
	return v.format, v.pixels, nil
}

// derived checks that the derived image i, made of the items kids (all
// visited), has the size its ispe says: for a grid or an overlay, the
// output size of its descriptor (read only if r.r is set); for an identity
// derivation, the size of its source as displayed. It refuses grid tiles
// that carry transformations of their own.
func (r *resolver) derived(i *item, kids []uint32) error {
	w, h, err := ispe(r.m, i)
	if err != nil {
		return err
	}
	switch i.typ {
	case "iden":
		if len(kids) != 1 {
			return damaged("heif: identity derivation %d has %d sources", i.id, len(kids))
		}
		src := r.m.byID[kids[0]]
		sw, sh, err := ispe(r.m, src)
		if err != nil {
			return err
		}
		_, sw, sh, err = itemOps(r.m, src, sw, sh)
		if err != nil {
			return err
		}
		if sw != w || sh != h {
			return damaged("heif: identity derivation %d is %dx%d, its source %d shows %dx%d", i.id, w, h, src.id, sw, sh)
		}
		return nil
	case "grid":
		for _, k := range kids {
			t := r.m.byID[k]
			tw, th, err := ispe(r.m, t)
			if err != nil {
				return err
			}
			ops, _, _, err := itemOps(r.m, t, tw, th)
			if err != nil {
				return err
			}
			if len(ops) > 0 {
				return &chatpic.Error{Kind: chatpic.KindUnsupported,
					Message: "HEIF grids whose tiles are rotated, mirrored or cropped on their own are not supported",
					Err:     fmt.Errorf("heif: grid %d has tile %d with a %s", i.id, k, ops[0].kind)}
			}
		}
	}
	if r.r == nil {
		return nil
	}
	// ImageGrid: version, flags, rows-1, columns-1, then the output size;
	// ImageOverlay: version, flags, four 16-bit fill values, then the
	// output size. Flag 1 makes the sizes 32 bits wide instead of 16.
	skip := 4
	if i.typ == "iovl" {
		skip = 10
	}
	d, err := r.head(i, skip+8)
	if err != nil {
		return err
	}
	c := cursor{p: d}
	version, flags := c.u8(), c.u8()
	rows, cols := int(c.u8())+1, int(c.u8())+1
	c.take(skip - 4)
	var dw, dh uint64
	if flags&1 != 0 {
		dw, dh = uint64(c.u32()), uint64(c.u32())
	} else {
		dw, dh = uint64(c.u16()), uint64(c.u16())
	}
	switch {
	case c.err != nil:
		return damaged("heif: %s descriptor of item %d ends early", i.typ, i.id)
	case version != 0:
		return unsupported("this HEIF picture uses a version of %s that chatpic does not know", i.typ)
	case i.typ == "grid" && rows*cols != len(kids):
		return damaged("heif: grid %d of %dx%d tiles has %d", i.id, cols, rows, len(kids))
	case dw != uint64(w) || dh != uint64(h):
		return damaged("heif: %s %d makes %dx%d, its ispe says %dx%d", i.typ, i.id, dw, dh, w, h)
	}
	return nil
}

// head returns the first n bytes of the data of item i (fewer if it has
// fewer), which located checked.
func (r *resolver) head(i *item, n int) ([]byte, error) {
	var out []byte
	for _, e := range i.extents {
		off, ln := int64(e.off), int64(e.len)
		limit := r.size
		if i.method == 1 {
			off += r.m.idat.off
			limit = r.m.idat.end()
		}
		if e.len == 0 {
			ln = limit - off
		}
		k := min(ln, int64(n-len(out)))
		b := make([]byte, k)
		if err := readFull(r.r, b, off); err != nil {
			return nil, err
		}
		if out = append(out, b...); len(out) == n {
			break
		}
	}
	return out, nil
}

// located checks that the data of item i lies within the file (or its
// idat box) and returns its length.
func (r *resolver) located(i *item) (int64, error) {
	if !i.located {
		if i.typ == "iden" { // it has no data of its own
			return 0, nil
		}
		return 0, damaged("heif: item %d has no location", i.id)
	}
	var limit uint64
	switch i.method {
	case 0:
		limit = uint64(r.size)
	case 1:
		limit = uint64(r.m.idat.size)
	default:
		return 0, unsupported("HEIF files with items built from other items are not accepted")
	}
	var n int64
	for _, e := range i.extents {
		if e.off > limit || e.len > limit-e.off {
			return 0, truncated()
		}
		ln := e.len
		if ln == 0 {
			ln = limit - e.off
		}
		n = satAdd(n, int64(ln))
	}
	return n, nil
}

// satAdd adds two pixel counts, saturating instead of overflowing.
func satAdd(a, b int64) int64 {
	if a > math.MaxInt64-b {
		return math.MaxInt64
	}
	return a + b
}

// propsOf returns the properties of type typ associated with i, in
// association order.
func (m *meta) propsOf(i *item, typ string) []prop {
	var out []prop
	for _, a := range i.props {
		if a.prop >= 0 && m.props[a.prop].typ == typ {
			out = append(out, m.props[a.prop])
		}
	}
	return out
}

// firstProp returns the index in m.props of the first property of type
// typ associated with i.
func (m *meta) firstProp(i *item, typ string) (int, bool) {
	for _, a := range i.props {
		if a.prop >= 0 && m.props[a.prop].typ == typ {
			return a.prop, true
		}
	}
	return 0, false
}

// refsFrom returns the items that item from references with type typ (in
// its first reference of that type).
func (m *meta) refsFrom(typ string, from uint32) []uint32 {
	return m.refIndex[refKey{typ, from}]
}

// alphaOf returns the items that are alpha planes of item to, each once.
func (m *meta) alphaOf(to uint32) []uint32 {
	var out []uint32
	seen := map[uint32]bool{}
	for _, r := range m.refs {
		if r.typ != "auxl" || seen[r.from] || !slices.Contains(r.to, to) {
			continue
		}
		seen[r.from] = true
		a := m.byID[r.from]
		if a == nil {
			continue
		}
		for _, p := range m.propsOf(a, "auxC") {
			c := cursor{p: p.data}
			c.fullBox()
			urn := c.cstring()
			if strings.HasSuffix(urn, ":alpha") || urn == "urn:mpeg:hevc:2015:auxid:1" {
				out = append(out, r.from)
				break
			}
		}
	}
	return out
}
