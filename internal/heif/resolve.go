package heif

import (
	"fmt"
	"math"
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

// resolver follows derived images (grid, iden, iovl) to the coded items
// they are made of. Each item is visited once, so shared or cyclic
// references cannot make it loop.
type resolver struct {
	m     *meta
	size  int64
	memo  map[uint32]resolved
	coded []uint32 // the coded items visited
}

type resolved struct {
	format string
	pixels int64
}

// visit returns the codec of item id and the pixels decoding it produces,
// after checking that its data lies within the file.
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
	if err := r.located(i); err != nil {
		return "", 0, err
	}
	var v resolved
	switch i.typ {
	case "hvc1", "av01":
		w, h, err := ispe(r.m, i)
		if err != nil {
			return "", 0, err
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
	default:
		return "", 0, &chatpic.Error{Kind: chatpic.KindUnsupported,
			Message: "this HEIF picture uses a codec chatpic does not accept (only HEVC and AV1)",
			Err:     fmt.Errorf("heif: item %d has type %q", id, i.typ)}
	}
	r.memo[id] = v
	return v.format, v.pixels, nil
}

// located checks that the data of item i lies within the file (or its
// idat box).
func (r *resolver) located(i *item) error {
	if !i.located {
		if i.typ == "iden" { // it has no data of its own
			return nil
		}
		return damaged("heif: item %d has no location", i.id)
	}
	var limit uint64
	switch i.method {
	case 0:
		limit = uint64(r.size)
	case 1:
		limit = uint64(r.m.idat.size)
	default:
		return unsupported("HEIF files with items built from other items are not accepted")
	}
	for _, e := range i.extents {
		if e.off > limit || e.len > limit-e.off {
			return truncated()
		}
	}
	return nil
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

// refsFrom returns the items that item from references with type typ.
func (m *meta) refsFrom(typ string, from uint32) []uint32 {
	for _, r := range m.refs {
		if r.typ == typ && r.from == from {
			return r.to
		}
	}
	return nil
}

// alphaOf returns the items that are alpha planes of item to.
func (m *meta) alphaOf(to uint32) []uint32 {
	var out []uint32
	for _, r := range m.refs {
		if r.typ != "auxl" {
			continue
		}
		for _, t := range r.to {
			if t != to {
				continue
			}
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
				}
			}
		}
	}
	return out
}
