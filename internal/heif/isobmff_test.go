package heif

import (
	"bytes"
	"encoding/binary"
	"testing"
)

// This file builds HEIF files for the tests: a small ISOBMFF box writer,
// and a model of a file (items, properties, references) that can be read
// from an encoder's output, changed, and written again.

func boxOf(typ string, payload ...[]byte) []byte {
	n := 8
	for _, p := range payload {
		n += len(p)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(n))
	out = append(out, typ...)
	for _, p := range payload {
		out = append(out, p...)
	}
	return out
}

func fullBoxOf(typ string, version uint8, flags uint32, payload ...[]byte) []byte {
	vf := binary.BigEndian.AppendUint32(nil, uint32(version)<<24|flags)
	return boxOf(typ, append([][]byte{vf}, payload...)...)
}

func be16(v int) []byte    { return binary.BigEndian.AppendUint16(nil, uint16(v)) }
func be32(v int) []byte    { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func cstr(s string) []byte { return append([]byte(s), 0) }

// Properties.
func ispeBox(w, h int) []byte   { return fullBoxOf("ispe", 0, 0, be32(w), be32(h)) }
func irotBox(angle int) []byte  { return boxOf("irot", []byte{byte(angle)}) }
func imirBox(axis int) []byte   { return boxOf("imir", []byte{byte(axis)}) }
func colrICC(icc []byte) []byte { return boxOf("colr", []byte("prof"), icc) }

// fprop is a property box associated with an item; a nil box is an
// association with property index 0, "no property". A box (the same
// slice) associated with several items is written once to ipco and
// shared.
type fprop struct {
	box       []byte
	essential bool
}

// fitem is an item of a fixture: its data is written to mdat, and listed
// in iloc 1+repeat times (extents that reuse the same bytes).
type fitem struct {
	id     uint32
	typ    string
	mime   string
	data   []byte
	props  []fprop
	repeat int
}

type fref struct {
	typ  string
	from uint32
	to   []uint32
}

// fixture is a HEIF file in the making.
type fixture struct {
	brands  []string // the major brand, then the compatible ones
	primary uint32
	items   []*fitem
	refs    []fref
	after   [][]byte // top-level boxes written after mdat (a moov, say)
	// splitIpma writes one ipma box (all of version 0, flags 1) per item,
	// as early AVIF encoders did.
	splitIpma bool
}

func (f *fixture) item(id uint32) *fitem {
	for _, i := range f.items {
		if i.id == id {
			return i
		}
	}
	return nil
}

// addProp associates a property with item id, before or after the ones it
// has.
func (f *fixture) addProp(id uint32, box []byte, essential, first bool) {
	i := f.item(id)
	p := fprop{box: box, essential: essential}
	if first {
		i.props = append([]fprop{p}, i.props...)
	} else {
		i.props = append(i.props, p)
	}
}

// setProp replaces the item's properties of the box's type with box.
func (f *fixture) setProp(id uint32, box []byte) {
	i := f.item(id)
	for k, p := range i.props {
		if string(p.box[4:8]) == string(box[4:8]) {
			i.props[k].box = box
		}
	}
}

// addMetadata adds an Exif and an XMP item describing the primary, with
// the given bytes in them, as a phone would.
func (f *fixture) addMetadata(exif, xmp []byte) {
	next := uint32(1000)
	f.items = append(f.items,
		&fitem{id: next, typ: "Exif", data: append(be32(0), exif...)},
		&fitem{id: next + 1, typ: "mime", mime: "application/rdf+xml", data: xmp})
	f.refs = append(f.refs, fref{"cdsc", next, []uint32{f.primary}}, fref{"cdsc", next + 1, []uint32{f.primary}})
}

// bytes writes the file: ftyp, meta, mdat, then the boxes in after.
func (f *fixture) bytes() []byte {
	ftyp := [][]byte{[]byte(f.brands[0]), be32(0)}
	for _, b := range f.brands[1:] {
		ftyp = append(ftyp, []byte(b))
	}
	ftypBox := boxOf("ftyp", ftyp...)
	meta := f.meta(0)
	start := len(ftypBox) + len(meta) + 8
	meta = f.meta(start) // the same length: offsets are fixed-width
	var mdat [][]byte
	for _, i := range f.items {
		mdat = append(mdat, i.data)
	}
	out := append(ftypBox, meta...)
	out = append(out, boxOf("mdat", mdat...)...)
	for _, b := range f.after {
		out = append(out, b...)
	}
	return out
}

// meta writes the meta box, with the items' data placed in order from
// offset start.
func (f *fixture) meta(start int) []byte {
	hdlr := fullBoxOf("hdlr", 0, 0, be32(0), []byte("pict"), make([]byte, 12), cstr(""))
	pitm := fullBoxOf("pitm", 0, 0, be16(int(f.primary)))
	var infes [][]byte
	iloc := [][]byte{{0x44, 0x00}, be16(len(f.items))}
	var ipco [][]byte
	index := map[*byte]int{} // property box -> its 1-based index in ipco
	var entries [][][]byte   // per item: its ipma entry
	off := start
	for _, i := range f.items {
		infe := [][]byte{be16(int(i.id)), be16(0), []byte(i.typ), cstr("")}
		if i.mime != "" {
			infe = append(infe, cstr(i.mime))
		}
		infes = append(infes, fullBoxOf("infe", 2, 0, infe...))
		iloc = append(iloc, be16(int(i.id)), be16(0), be16(1+i.repeat))
		for range 1 + i.repeat {
			iloc = append(iloc, be32(off), be32(len(i.data)))
		}
		off += len(i.data)
		entry := [][]byte{be16(int(i.id)), {byte(len(i.props))}}
		for _, p := range i.props {
			x := 0
			if p.box != nil {
				if index[&p.box[0]] == 0 {
					ipco = append(ipco, p.box)
					index[&p.box[0]] = len(ipco)
				}
				x = index[&p.box[0]]
			}
			if p.essential {
				x |= 0x8000
			}
			entry = append(entry, be16(x))
		}
		entries = append(entries, entry)
	}
	var ipmas [][]byte
	if f.splitIpma {
		for _, e := range entries {
			ipmas = append(ipmas, fullBoxOf("ipma", 0, 1, append([][]byte{be32(1)}, e...)...))
		}
	} else {
		all := [][]byte{be32(len(entries))}
		for _, e := range entries {
			all = append(all, e...)
		}
		ipmas = append(ipmas, fullBoxOf("ipma", 0, 1, all...))
	}
	iinf := fullBoxOf("iinf", 0, 0, append([][]byte{be16(len(f.items))}, infes...)...)
	var refs [][]byte
	for _, r := range f.refs {
		p := [][]byte{be16(int(r.from)), be16(len(r.to))}
		for _, t := range r.to {
			p = append(p, be16(int(t)))
		}
		refs = append(refs, boxOf(r.typ, p...))
	}
	iprp := boxOf("iprp", append([][]byte{boxOf("ipco", ipco...)}, ipmas...)...)
	return fullBoxOf("meta", 0, 0, hdlr, pitm, iinf, fullBoxOf("iloc", 0, 0, iloc...), fullBoxOf("iref", 0, 0, refs...), iprp)
}

// importHEIF reads an encoder's output into a fixture, using the package's
// own parser, so the test can change it.
func importHEIF(t testing.TB, data []byte) *fixture {
	t.Helper()
	m, err := findMeta(sliceReader(data), int64(len(data)))
	if err != nil || m == nil {
		t.Fatalf("reading the encoder's meta box: %v", err)
	}
	ft, err := readFtyp(data)
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{brands: append([]string{ft.major}, ft.compatible...), primary: m.primary}
	for _, i := range m.items {
		fi := &fitem{id: i.id, typ: i.typ, mime: i.mime, data: itemBytes(t, data, m, i)}
		for _, a := range i.props {
			if a.prop < 0 {
				fi.props = append(fi.props, fprop{essential: a.essential})
				continue
			}
			p := m.props[a.prop]
			fi.props = append(fi.props, fprop{box: boxOf(p.typ, p.data), essential: a.essential})
		}
		f.items = append(f.items, fi)
	}
	for _, r := range m.refs {
		f.refs = append(f.refs, fref{r.typ, r.from, r.to})
	}
	return f
}

// itemBytes returns the data of item i of the file data.
func itemBytes(t testing.TB, data []byte, m *meta, i *item) []byte {
	t.Helper()
	src := data
	if i.method == 1 {
		src = data[m.idat.off:m.idat.end()]
	}
	var out bytes.Buffer
	for _, e := range i.extents {
		end := e.off + e.len
		if e.len == 0 {
			end = uint64(len(src))
		}
		out.Write(src[e.off:end])
	}
	return out.Bytes()
}

// moovBox returns a minimal moov box: one picture track of n samples.
func moovBox(n int) []byte {
	hdlr := fullBoxOf("hdlr", 0, 0, be32(0), []byte("pict"), make([]byte, 12), cstr(""))
	stsz := fullBoxOf("stsz", 0, 0, be32(100), be32(n))
	return boxOf("moov", boxOf("trak", boxOf("mdia", hdlr, boxOf("minf", boxOf("stbl", stsz)))))
}
