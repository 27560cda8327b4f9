package heif

import (
	"io"
	"math"
)

// meta is the parsed meta box: the items, their properties and references.
// Payloads (prop.data) are views into the meta box, read whole.
type meta struct {
	handler    string
	primary    uint32
	hasPrimary bool
	pitmAt     int64   // file offset of the primary's ID in pitm
	pitmWide   bool    // whether it is 32 bits (else 16)
	items      []*item // in iinf order
	byID       map[uint32]*item
	props      []prop // ipco, in order; ipma indexes are 1-based into it
	refs       []ref
	refIndex   map[refKey][]uint32 // the first reference of each type from each item
	idat       box                 // in file coordinates; size 0 if absent
	nAssoc     int
	nExtents   int
	assocs     map[uint32][]assoc // ipma, until linked to the items
	ipmas      []ipma             // the ipma boxes, in file order
}

// refKey names the references of one type from one item.
type refKey struct {
	typ  string
	from uint32
}

// ipma is one property association box: where it lies in the file, its
// version and flags, and its entries in order.
type ipma struct {
	start, end int64
	version    uint8
	flags      uint32
	entries    []ipmaEntry
}

// ipmaEntry is the list of properties of one item in an ipma box.
type ipmaEntry struct {
	id uint32
	as []assoc
}

// item is one entry of iinf, with its location (iloc) and properties
// (ipma).
type item struct {
	id      uint32
	typ     string // "" for the legacy infe versions 0 and 1
	mime    string // content type of a 'mime' item (XMP is application/rdf+xml)
	hidden  bool
	infeAt  int64 // file offset of its infe payload (version and flags)
	method  uint8 // iloc construction method: 0 file offset, 1 idat, 2 item
	extents []extent
	located bool
	props   []assoc
}

// extent is a run of an item's bytes; off already includes the base
// offset. A length of 0 means "to the end" of the file or idat.
type extent struct{ off, len uint64 }

// assoc associates a property (an index into meta.props) with an item.
// prop is -1 for an association with property index 0, which means "no
// property". at is the file offset of the association in ipma, wide
// whether it is 16 bits (else 8).
type assoc struct {
	prop      int
	essential bool
	at        int64
	wide      bool
}

// prop is an item property: its box type, payload, and the file offset
// of the payload.
type prop struct {
	typ  string
	data []byte
	at   int64
}

// ref is a reference of type typ from one item to others (iref). at and
// off are the file offsets of its box and of its payload, wide whether its
// item IDs are 32 bits (else 16).
type ref struct {
	typ     string
	from    uint32
	to      []uint32
	at, off int64
	wide    bool
}

// findMeta returns the first top-level meta box of r, parsed, or nil if
// there is none. It stops there, so r may end after the meta box.
func findMeta(r io.ReaderAt, size int64) (*meta, error) {
	it := &boxes{r: r, end: size}
	for {
		b, ok, err := it.next()
		if err != nil || !ok {
			return nil, err
		}
		if b.typ == "meta" {
			return parseMeta(r, b)
		}
	}
}

// parseMeta reads the meta box b of r whole (up to maxMeta bytes) and
// parses its children.
func parseMeta(r io.ReaderAt, b box) (*meta, error) {
	if b.size > maxMeta {
		return nil, damaged("heif: meta box of %d bytes", b.size)
	}
	buf := make([]byte, b.size)
	if err := readFull(r, buf, b.off); err != nil {
		return nil, err
	}
	if len(buf) < 4 || buf[0] != 0 {
		return nil, damaged("heif: meta box is not a version 0 full box")
	}
	m := &meta{byID: map[uint32]*item{}}
	locs := map[uint32]*item{}
	seen := map[string]bool{}
	it := &boxes{r: sliceReader(buf), pos: 4, end: int64(len(buf))}
	for {
		c, ok, err := it.next()
		if err != nil {
			return nil, err
		}
		if !ok {
			break
		}
		switch c.typ {
		case "hdlr", "pitm", "iinf", "iloc", "iref", "iprp", "idat":
			if seen[c.typ] {
				return nil, damaged("heif: two %q boxes", c.typ)
			}
			seen[c.typ] = true
		default:
			continue
		}
		p := buf[c.off:c.end()]
		switch c.typ {
		case "hdlr":
			cur := cursor{p: p}
			cur.fullBox()
			cur.take(4)
			m.handler = cur.fourCC()
			err = cur.err
		case "pitm":
			cur := cursor{p: p}
			v, _ := cur.fullBox()
			m.primary, m.hasPrimary = cur.id(v == 0), true
			m.pitmAt, m.pitmWide = b.off+c.off+4, v != 0
			err = cur.err
		case "iinf":
			err = m.parseIinf(p, b.off+c.off)
		case "iloc":
			err = m.parseIloc(p, locs)
		case "iref":
			err = m.parseIref(p, b.off+c.off)
		case "iprp":
			err = m.parseIprp(p, b.off+c.off)
		case "idat":
			m.idat = box{typ: c.typ, start: b.off + c.start, off: b.off + c.off, size: c.size}
		}
		if err == errShort {
			return nil, damaged("heif: %q box ends early", c.typ)
		}
		if err != nil {
			return nil, err
		}
	}
	// Link once all boxes are read: their order is not fixed.
	for id, l := range locs {
		if i := m.byID[id]; i != nil {
			i.method, i.extents, i.located = l.method, l.extents, true
		}
	}
	for id, as := range m.assocs {
		for _, a := range as {
			if a.prop >= len(m.props) {
				return nil, damaged("heif: item %d uses property %d of %d", id, a.prop+1, len(m.props))
			}
		}
		if i := m.byID[id]; i != nil {
			i.props = as
		}
	}
	return m, nil
}

// parseIinf reads the item infos; p lies at offset base of the file. The
// entry count is not trusted: the infe boxes present are what counts.
func (m *meta) parseIinf(p []byte, base int64) error {
	c := cursor{p: p}
	v, _ := c.fullBox()
	c.id(v == 0) // entry count
	if c.err != nil {
		return c.err
	}
	it := &boxes{r: sliceReader(p), pos: int64(len(p) - len(c.p)), end: int64(len(p))}
	for {
		b, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		if b.typ != "infe" {
			continue
		}
		e := cursor{p: p[b.off:b.end()]}
		v, flags := e.fullBox()
		i := &item{hidden: flags&1 != 0, infeAt: base + b.off}
		i.id = e.id(v < 3)
		e.u16() // protection index
		if v >= 2 {
			i.typ = e.fourCC()
			e.cstring() // name
			if i.typ == "mime" {
				i.mime = e.cstring()
			}
		}
		if e.err != nil {
			return e.err
		}
		if m.byID[i.id] != nil {
			return damaged("heif: item %d described twice", i.id)
		}
		m.items = append(m.items, i)
		m.byID[i.id] = i
	}
}

// parseIloc reads the item locations into locs.
func (m *meta) parseIloc(p []byte, locs map[uint32]*item) error {
	c := cursor{p: p}
	v, _ := c.fullBox()
	if v > 2 {
		return damaged("heif: iloc version %d", v)
	}
	a, b := c.u8(), c.u8()
	offSize, lenSize, baseSize, idxSize := int(a>>4), int(a&15), int(b>>4), 0
	if v > 0 {
		idxSize = int(b & 15)
	}
	for _, s := range []int{offSize, lenSize, baseSize, idxSize} {
		if s != 0 && s != 4 && s != 8 {
			return damaged("heif: iloc field of %d bytes", s)
		}
	}
	n := c.id(v < 2)
	if n > maxBoxes { // there are no more items than infe boxes
		return damaged("heif: iloc of %d items", n)
	}
	for range n {
		l := &item{}
		id := c.id(v < 2)
		if v > 0 {
			l.method = uint8(c.u16() & 15)
		}
		if c.u16() != 0 {
			return unsupported("HEIF files whose data lies in other files are not accepted")
		}
		base := c.uint(baseSize)
		for range c.u16() {
			c.uint(idxSize)
			off, ln := c.uint(offSize), c.uint(lenSize)
			if off > math.MaxUint64-base {
				return damaged("heif: iloc offset overflows")
			}
			if m.nExtents++; m.nExtents > maxExtents {
				return damaged("heif: more than %d extents", maxExtents)
			}
			l.extents = append(l.extents, extent{off: base + off, len: ln})
		}
		if c.err != nil {
			return c.err
		}
		if locs[id] != nil {
			return damaged("heif: item %d located twice", id)
		}
		locs[id] = l
	}
	return c.err
}

// parseIref reads the item references; p lies at offset base of the file.
func (m *meta) parseIref(p []byte, base int64) error {
	c := cursor{p: p}
	v, _ := c.fullBox()
	if c.err != nil {
		return c.err
	}
	m.refIndex = map[refKey][]uint32{}
	total := 0
	it := &boxes{r: sliceReader(p), pos: 4, end: int64(len(p))}
	for {
		b, ok, err := it.next()
		if err != nil || !ok {
			return err
		}
		e := cursor{p: p[b.off:b.end()]}
		r := ref{typ: b.typ, from: e.id(v == 0), at: base + b.start, off: base + b.off, wide: v != 0}
		for range e.u16() {
			r.to = append(r.to, e.id(v == 0))
			if e.err != nil {
				return e.err
			}
			if total++; total > maxExtents {
				return damaged("heif: more than %d references", maxExtents)
			}
		}
		if e.err != nil {
			return e.err
		}
		m.refs = append(m.refs, r)
		k := refKey{r.typ, r.from}
		if _, ok := m.refIndex[k]; !ok {
			m.refIndex[k] = r.to
		}
	}
}

// parseIprp reads the property container and the associations; p lies at
// offset base of the file.
func (m *meta) parseIprp(p []byte, base int64) error {
	var entries []ipmaEntry
	m.assocs = map[uint32][]assoc{}
	sawIpco := false
	it := &boxes{r: sliceReader(p), end: int64(len(p))}
	for {
		b, ok, err := it.next()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		q := p[b.off:b.end()]
		switch b.typ {
		case "ipco":
			if sawIpco {
				return damaged("heif: two ipco boxes")
			}
			sawIpco = true
			pit := &boxes{r: sliceReader(q), end: int64(len(q))}
			for {
				pb, ok, err := pit.next()
				if err != nil {
					return err
				}
				if !ok {
					break
				}
				m.props = append(m.props, prop{typ: pb.typ, data: q[pb.off:pb.end()], at: base + b.off + pb.off})
			}
		case "ipma":
			c := cursor{p: q}
			v, flags := c.fullBox()
			ib := ipma{start: base + b.start, end: base + b.end(), version: v, flags: flags}
			for range c.u32() {
				e := ipmaEntry{id: c.id(v < 1)}
				for range c.u8() {
					var ess bool
					var idx int
					at := base + b.off + int64(len(q)-len(c.p))
					if flags&1 != 0 {
						x := c.u16()
						ess, idx = x&0x8000 != 0, int(x&0x7FFF)
					} else {
						x := c.u8()
						ess, idx = x&0x80 != 0, int(x&0x7F)
					}
					if m.nAssoc++; m.nAssoc > maxExtents {
						return damaged("heif: more than %d property associations", maxExtents)
					}
					e.as = append(e.as, assoc{prop: idx - 1, essential: ess, at: at, wide: flags&1 != 0})
				}
				if c.err != nil {
					return c.err
				}
				if entries = append(entries, e); len(entries) > maxBoxes {
					return damaged("heif: ipma of more than %d items", maxBoxes)
				}
				ib.entries = append(ib.entries, e)
			}
			if c.err != nil {
				return c.err
			}
			m.ipmas = append(m.ipmas, ib)
		}
	}
	for _, e := range entries {
		if _, dup := m.assocs[e.id]; dup {
			return damaged("heif: item %d has two property lists", e.id)
		}
		m.assocs[e.id] = e.as
	}
	return nil
}
