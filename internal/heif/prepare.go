package heif

import (
	"cmp"
	"encoding/binary"
	"slices"
)

// prepare adjusts the in-memory copy of the file so the decoder decodes
// what Probe described, without moving an item's data:
//   - the major brand is set to the format the items showed (libheif
//     refuses a mif1 major brand, libavif wants avif), and so is an avis
//     compatible brand (with which libavif wants a track);
//   - a top-level moov box (an image sequence) is renamed free, so that
//     libavif decodes the primary still image, whose size Probe checked,
//     rather than the track's first frame;
//   - the primary's clap, irot and imir associations are set to property 0
//     ("none"), so that libheif decodes the picture as coded, as libavif
//     does: transform then applies them the same way for both formats,
//     and the width heicWidth checks is the width libheif produces;
//   - references that the primary image does not use, and for which a
//     decoder would refuse the whole file (to or from item 0, which cannot
//     exist, or, with libheif, to one item twice), are renamed free and
//     given distinct item IDs;
//   - for AVIF, ipma boxes of the same version and flags are merged into
//     one, as libavif refuses the file otherwise (early AVIF encoders wrote
//     one box per item).
func prepare(data []byte, p *probed) {
	copy(data[8:12], p.info.Format)
	if p.info.Format == AVIF {
		for off := 16; off+4 <= p.ftypEnd; off += 4 {
			if string(data[off:off+4]) == "avis" {
				copy(data[off:off+4], AVIF)
			}
		}
	}
	for _, off := range p.moov {
		copy(data[off+4:off+8], "free")
	}
	for _, o := range p.ops {
		data[o.assoc.at] = 0
		if o.assoc.wide {
			data[o.assoc.at+1] = 0
		}
	}
	for _, r := range p.meta.refs {
		bad := r.from == 0 || slices.Contains(r.to, 0) || p.info.Format == HEIC && repeats(r.to)
		if bad && !p.used[r.from] {
			neutralise(data, r, p.meta.primary)
		}
	}
	if p.info.Format == AVIF {
		mergeIpma(data, p.meta)
	}
}

// repeats reports whether ids holds a value twice.
func repeats(ids []uint32) bool {
	seen := make(map[uint32]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			return true
		}
		seen[id] = true
	}
	return false
}

// neutralise renames the reference r in data free, a type no reader
// follows, and gives it the item IDs primary (as the source, if it was 0)
// and 1, 2, 3... (as the targets).
func neutralise(data []byte, r ref, primary uint32) {
	copy(data[r.at+4:r.at+8], "free")
	w := int64(2)
	put := func(off int64, id uint32) { binary.BigEndian.PutUint16(data[off:], uint16(id)) }
	if r.wide {
		w = 4
		put = func(off int64, id uint32) { binary.BigEndian.PutUint32(data[off:], id) }
	}
	if r.from == 0 {
		put(r.off, primary)
	}
	for k := range r.to {
		put(r.off+w+2+int64(k)*w, uint32(k+1))
	}
}

// mergeIpma rewrites, in data, the ipma boxes of m so that no two share a
// version and flags, as ISO/IEC 14496-12 requires and libavif enforces:
// the entries of such boxes go into one, in item ID order, and the bytes
// saved are left as padding at the end of the last box. It does nothing
// unless the ipma boxes lie one after another.
func mergeIpma(data []byte, m *meta) {
	type vf struct {
		v uint8
		f uint32
	}
	var order []vf
	entries := map[vf][]ipmaEntry{}
	for k, b := range m.ipmas {
		if k > 0 && b.start != m.ipmas[k-1].end {
			return
		}
		key := vf{b.version, b.flags}
		if _, ok := entries[key]; !ok {
			order = append(order, key)
		}
		entries[key] = append(entries[key], b.entries...)
	}
	if len(order) == len(m.ipmas) {
		return
	}
	start, end := m.ipmas[0].start, m.ipmas[len(m.ipmas)-1].end
	orig := slices.Clone(data[start:end])
	var out []byte
	last := 0 // where the last box starts in out
	for _, key := range order {
		es := entries[key]
		slices.SortStableFunc(es, func(a, b ipmaEntry) int { return cmp.Compare(a.id, b.id) })
		last = len(out)
		out = append(out, 0, 0, 0, 0) // the size, set below
		out = append(out, "ipma"...)
		out = binary.BigEndian.AppendUint32(out, uint32(key.v)<<24|key.f)
		out = binary.BigEndian.AppendUint32(out, uint32(len(es)))
		for _, e := range es {
			if key.v == 0 {
				out = binary.BigEndian.AppendUint16(out, uint16(e.id))
			} else {
				out = binary.BigEndian.AppendUint32(out, e.id)
			}
			out = append(out, byte(len(e.as)))
			for _, a := range e.as {
				n := int64(1)
				if a.wide {
					n = 2
				}
				out = append(out, orig[a.at-start:a.at-start+n]...)
			}
		}
		binary.BigEndian.PutUint32(out[last:], uint32(len(out)-last))
	}
	pad := len(orig) - len(out)
	binary.BigEndian.PutUint32(out[last:], uint32(len(out)-last+pad))
	out = append(out, make([]byte, pad)...)
	copy(data[start:end], out)
}
