package heif

import (
	"bytes"
	"testing"
)

// spsParams describes an HEVC sequence parameter set for buildSPS: the
// fields that decide where its VUI lies, and the VUI's video signal type.
type spsParams struct {
	w, h     int
	chroma   int
	window   [4]int // conformance window: left, right, top, bottom, in chroma samples
	subLayer int    // sps_max_sub_layers_minus1
	ordering bool   // sps_sub_layer_ordering_info_present_flag
	scaling  bool   // scaling lists sent in the SPS
	pcm      bool
	rps      func(b *bitWriter) // writes num_short_term_ref_pic_sets and the sets; nil: none
	longTerm int                // long-term reference pictures (log2_max_pic_order_cnt_lsb is 8)
	vui      bool
	sar      bool // an EXTENDED_SAR aspect ratio and overscan info before the video signal type
	signal   bool // video_signal_type_present_flag
	full     bool
	colour   bool // colour_description_present_flag
	matrix   int
	stopAt   int // if above 0, the RBSP is cut after this many bytes
}

// buildSPS returns the SPS NAL unit p describes, with emulation
// prevention bytes, followed by the VUI's remaining flags as zeros and a
// stop bit.
func buildSPS(p spsParams) []byte {
	var b bitWriter
	b.put(33<<9|1, 16) // NAL unit header
	b.put(0, 4)        // sps_video_parameter_set_id
	b.put(uint64(p.subLayer), 3)
	b.put(1, 1)      // sps_temporal_id_nesting_flag
	b.put(1, 8)      // general_profile_space 0, general_tier_flag 0, general_profile_idc 1 (Main)
	b.put(1<<30, 32) // general_profile_compatibility_flags: Main
	b.put(0, 48)     // progressive, interlaced... flags, reserved bits
	b.put(90, 8)     // general_level_idc
	// sub_layer_profile_present_flag 0, sub_layer_level_present_flag 1
	for range p.subLayer {
		b.put(0b01, 2)
	}
	if p.subLayer > 0 {
		b.put(0, 2*(8-p.subLayer))
	}
	for range p.subLayer {
		b.put(93, 8) // sub_layer_level_idc
	}
	b.ue(0) // sps_seq_parameter_set_id
	b.ue(p.chroma)
	if p.chroma == 3 {
		b.put(0, 1)
	}
	b.ue(p.w)
	b.ue(p.h)
	if p.window != [4]int{} {
		b.put(1, 1)
		for _, v := range p.window {
			b.ue(v)
		}
	} else {
		b.put(0, 1)
	}
	b.ue(0) // bit_depth_luma_minus8
	b.ue(0) // bit_depth_chroma_minus8
	b.ue(4) // log2_max_pic_order_cnt_lsb_minus4: 8 bits
	if p.ordering {
		b.put(1, 1)
		for range p.subLayer + 1 {
			b.ue(4)
			b.ue(2)
			b.ue(0)
		}
	} else {
		b.put(0, 1)
		b.ue(4)
		b.ue(2)
		b.ue(0)
	}
	for _, v := range []int{0, 3, 0, 3, 2, 2} { // block sizes and depths
		b.ue(v)
	}
	if p.scaling {
		b.put(0b11, 2) // scaling_list_enabled_flag, sps_scaling_list_data_present_flag
		for size := range 4 {
			step := 1
			if size == 3 {
				step = 3
			}
			for m := 0; m < 6; m += step {
				if m%2 == 0 {
					b.put(0, 1) // predicted from a reference list
					b.ue(0)
					continue
				}
				b.put(1, 1) // sent: the DC, then the coefficients as se(v) deltas
				if size > 1 {
					b.ue(3)
				}
				for range min(64, 1<<(4+2*size)) {
					b.ue(1)
				}
			}
		}
	} else {
		b.put(0, 1)
	}
	b.put(0b01, 2) // amp_enabled_flag, sample_adaptive_offset_enabled_flag
	if p.pcm {
		b.put(1, 1)
		b.put(0x77, 8)
		b.ue(0)
		b.ue(1)
		b.put(1, 1)
	} else {
		b.put(0, 1)
	}
	if p.rps != nil {
		p.rps(&b)
	} else {
		b.ue(0)
	}
	if p.longTerm > 0 {
		b.put(1, 1)
		b.ue(p.longTerm)
		for i := range p.longTerm {
			b.put(uint64(i*7), 8)
			b.put(1, 1)
		}
	} else {
		b.put(0, 1)
	}
	b.put(0b11, 2) // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
	b.put(boolBit(p.vui), 1)
	if p.vui {
		if p.sar {
			b.put(1, 1)
			b.put(255, 8)
			b.put(4, 16)
			b.put(3, 16)
			b.put(1, 1) // overscan_info_present_flag
			b.put(1, 1)
		} else {
			b.put(0, 2)
		}
		b.put(boolBit(p.signal), 1)
		if p.signal {
			b.put(5, 3)
			b.put(boolBit(p.full), 1)
			b.put(boolBit(p.colour), 1)
			if p.colour {
				b.put(1, 8)
				b.put(1, 8)
				b.put(uint64(p.matrix), 8)
			}
		}
		b.put(0, 4) // chroma_loc_info_present_flag... default_display_window_flag
	}
	b.put(1, 1) // rbsp_stop_one_bit
	rbsp := b.bytes()
	if p.stopAt > 0 {
		rbsp = rbsp[:p.stopAt]
	}
	return escapeRBSP(rbsp)
}

func boolBit(v bool) uint64 {
	if v {
		return 1
	}
	return 0
}

// escapeRBSP inserts HEVC emulation prevention bytes: a 3 after two zero
// bytes when the next byte is 3 or less.
func escapeRBSP(p []byte) []byte {
	var out []byte
	zeros := 0
	for _, c := range p {
		if zeros >= 2 && c <= 3 {
			out = append(out, 3)
			zeros = 0
		}
		out = append(out, c)
		if c == 0 {
			zeros++
		} else {
			zeros = 0
		}
	}
	return out
}

// rpsSets writes three short-term reference picture sets, the later two
// predicted from the one before, in which one flag pair drops a picture:
// a parser that counts the flags instead of the pictures reads the third
// set one flag short and the VUI from the wrong bit.
func rpsSets(b *bitWriter) {
	b.ue(3)
	// Set 0: one picture before (delta POC -1).
	b.ue(1)
	b.ue(0)
	b.ue(0)
	b.put(1, 1)
	// Set 1, from set 0 with deltaRps -1: flags for its picture (-1 + -1 =
	// -2) and for deltaRps itself, both used: pictures -1 and -2.
	b.put(1, 1) // inter_ref_pic_set_prediction_flag
	b.put(1, 1) // delta_rps_sign: negative
	b.ue(0)     // abs_delta_rps_minus1
	b.put(0b11, 2)
	// Set 2, from set 1 with deltaRps -1: three flag slots; the first
	// (picture -1 -> -2) is neither used nor kept, so set 2 has two
	// pictures (-1 and -3), not three.
	b.put(1, 1)
	b.put(1, 1)
	b.ue(0)
	b.put(0b00, 2) // used_by_curr_pic_flag 0, use_delta_flag 0
	b.put(1, 1)
	b.put(1, 1)
}

// rpsSetsThenFour is rpsSets with a fourth set predicted from the third,
// which has two pictures and so three flags, all set.
func rpsSetsThenFour(b *bitWriter) {
	var sets bitWriter
	rpsSets(&sets)
	// Rewrite the count: rpsSets starts with ue(3), "00100".
	b.ue(4)
	for i := 5; i < sets.n; i++ {
		b.put(uint64(sets.p[i/8]>>(7-i%8)&1), 1)
	}
	b.put(1, 1)
	b.put(0, 1) // positive deltaRps
	b.ue(1)     // +2
	b.put(0b111, 3)
}

func TestParseHEVCSPS(t *testing.T) {
	base := spsParams{w: 1280, h: 720, chroma: 1, vui: true, signal: true, full: true, colour: true, matrix: 1}
	with := func(change func(p *spsParams)) spsParams {
		p := base
		change(&p)
		return p
	}
	tests := []struct {
		name       string
		p          spsParams
		w, h       int
		full       bool
		matrix     uint16
		sizeFailed bool
	}{
		{"VUI: full range, BT.709", base, 1280, 720, true, 1, false},
		{"VUI: limited range, BT.2020", with(func(p *spsParams) { p.full, p.matrix = false, 9 }), 1280, 720, false, 9, false},
		{"VUI: matrix 14 kept as coded", with(func(p *spsParams) { p.matrix = 14 }), 1280, 720, true, 14, false},
		{"VUI: no colour description", with(func(p *spsParams) { p.colour = false }), 1280, 720, true, 2, false},
		{"VUI: no video signal type", with(func(p *spsParams) { p.signal = false }), 1280, 720, false, 2, false},
		{"no VUI", with(func(p *spsParams) { p.vui = false }), 1280, 720, false, 2, false},
		{"extended SAR and overscan first", with(func(p *spsParams) { p.sar = true }), 1280, 720, true, 1, false},
		{"conformance window", with(func(p *spsParams) { p.window = [4]int{0, 4, 0, 4} }), 1272, 712, true, 1, false},
		{"4:4:4", with(func(p *spsParams) { p.chroma = 3 }), 1280, 720, true, 1, false},
		{"sub-layers with ordering info", with(func(p *spsParams) { p.subLayer, p.ordering = 2, true }), 1280, 720, true, 1, false},
		{"sub-layers without ordering info", with(func(p *spsParams) { p.subLayer = 3 }), 1280, 720, true, 1, false},
		{"scaling lists", with(func(p *spsParams) { p.scaling = true }), 1280, 720, true, 1, false},
		{"PCM", with(func(p *spsParams) { p.pcm = true }), 1280, 720, true, 1, false},
		{"predicted reference picture sets", with(func(p *spsParams) { p.rps = rpsSets }), 1280, 720, true, 1, false},
		{"a set predicted from a shrunk one", with(func(p *spsParams) { p.rps = rpsSetsThenFour }), 1280, 720, true, 1, false},
		{"long-term reference pictures", with(func(p *spsParams) { p.longTerm = 3 }), 1280, 720, true, 1, false},
		{"everything at once", with(func(p *spsParams) {
			p.subLayer, p.ordering, p.scaling, p.pcm, p.rps, p.longTerm, p.sar = 1, true, true, true, rpsSetsThenFour, 2, true
		}), 1280, 720, true, 1, false},
		{"65 reference picture sets: VUI left unread", with(func(p *spsParams) {
			p.rps = func(b *bitWriter) { b.ue(65) }
		}), 1280, 720, false, 2, false},
		{"a set of 17 pictures: VUI left unread", with(func(p *spsParams) {
			p.rps = func(b *bitWriter) { b.ue(1); b.ue(17); b.ue(0) }
		}), 1280, 720, false, 2, false},
		{"cut inside the VUI: defaults", with(func(p *spsParams) { p.stopAt = 24 }), 1280, 720, false, 2, false},
		{"cut inside the size", with(func(p *spsParams) { p.stopAt = 16 }), 0, 0, false, 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, err := parseHEVCSPS(buildSPS(tt.p))
			if tt.sizeFailed {
				if err == nil {
					t.Fatalf("parseHEVCSPS = %+v, want an error", s)
				}
				return
			}
			if err != nil {
				t.Fatalf("parseHEVCSPS: %v", err)
			}
			if s.w != tt.w || s.h != tt.h || s.full != tt.full || s.matrix != tt.matrix {
				t.Errorf("parseHEVCSPS = %dx%d full %v matrix %d, want %dx%d full %v matrix %d",
					s.w, s.h, s.full, s.matrix, tt.w, tt.h, tt.full, tt.matrix)
			}
		})
	}
}

// nclxBox returns a colr property of type nclx.
func nclxBox(primaries, transfer, matrix int, full bool) []byte {
	return boxOf("colr", []byte("nclx"), be16(primaries), be16(transfer), be16(matrix), []byte{byte(boolBit(full) << 7)})
}

// TestHEICSignal checks which matrix and range Decode takes the heic
// package's YCbCr planes to be in, as libheif decides them.
func TestHEICSignal(t *testing.T) {
	vui := func(full bool, matrix int) []byte {
		return buildSPS(spsParams{w: 128, h: 96, chroma: 1, vui: true, signal: true, full: full, colour: true, matrix: matrix})
	}
	coded := func(props ...[]byte) *fixture {
		f := fakeHEIC(128, 96)
		f.items[0].props = nil
		for _, p := range props {
			f.items[0].props = append(f.items[0].props, fprop{p, false})
		}
		return f
	}
	limited709 := hvcCBoxOf(1, 8, vui(false, 1))
	grid := func(f *fixture) {
		f.items = append(f.items, &fitem{id: 2, typ: "grid", data: []byte{0, 0, 0, 0, 0, 128, 0, 96},
			props: []fprop{{ispeBox(128, 96), false}}})
		f.refs = append(f.refs, fref{"dimg", 2, []uint32{1}})
		f.primary = 2
	}
	iden := func(f *fixture) {
		f.items = append(f.items, &fitem{id: 2, typ: "iden", props: []fprop{{ispeBox(128, 96), false}, {nclxBox(1, 13, 6, true), false}}})
		f.refs = append(f.refs, fref{"dimg", 2, []uint32{1}})
		f.primary = 2
	}
	tests := []struct {
		name string
		f    *fixture
		want signal
	}{
		{"no VUI: BT.601 unspecified, limited", coded(hvcCBox(128, 96, 1), ispeBox(128, 96)), signal{matrix: 2, yBits: 8, cBits: 8}},
		{"VUI: BT.709 limited", coded(limited709, ispeBox(128, 96)), signal{matrix: 1, yBits: 8, cBits: 8}},
		{"VUI: matrix 12 taken as unspecified, as libde265 does", coded(hvcCBoxOf(1, 8, vui(true, 12)), ispeBox(128, 96)),
			signal{matrix: 2, full: true, yBits: 8, cBits: 8}},
		{"nclx over VUI", coded(limited709, ispeBox(128, 96), nclxBox(9, 16, 9, true)),
			signal{matrix: 9, primaries: 9, full: true, yBits: 8, cBits: 8}},
		{"the last nclx", coded(limited709, ispeBox(128, 96), nclxBox(1, 1, 6, true), nclxBox(12, 13, 12, false)),
			signal{matrix: 12, primaries: 12, yBits: 8, cBits: 8}},
		{"an ICC profile leaves the VUI", coded(limited709, ispeBox(128, 96), colrICC(testICC(200))), signal{matrix: 1, yBits: 8, cBits: 8}},
		{"a truncated nclx is no nclx", coded(limited709, ispeBox(128, 96), boxOf("colr", []byte("nclx"), be16(1))),
			signal{matrix: 1, yBits: 8, cBits: 8}},
		{"10 bits", coded(hvcCBoxOf(1, 10, vui(false, 1)), ispeBox(128, 96)), signal{matrix: 1, yBits: 10, cBits: 10}},
		{"a grid: its tile's VUI matrix, at full range", func() *fixture { f := coded(limited709, ispeBox(128, 96)); grid(f); return f }(),
			signal{matrix: 1, full: true}},
		{"a grid of a tile with an nclx: still the VUI's matrix", func() *fixture {
			f := coded(limited709, ispeBox(128, 96), nclxBox(9, 16, 9, false))
			grid(f)
			return f
		}(), signal{matrix: 1, full: true}},
		{"a grid of a tile without VUI: JFIF", func() *fixture { f := coded(hvcCBox(128, 96, 1), ispeBox(128, 96)); grid(f); return f }(),
			signal{matrix: 2, full: true}},
		{"an identity derivation (not its own nclx): its source's VUI matrix, at full range",
			func() *fixture { f := coded(limited709, ispeBox(128, 96)); iden(f); return f }(), signal{matrix: 1, full: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := tt.f.bytes()
			p, err := probe(bytes.NewReader(data), int64(len(data)))
			if err != nil {
				t.Fatalf("probe: %v", err)
			}
			if got := heicSignal(data, p); got != tt.want {
				t.Errorf("heicSignal = %+v, want %+v", got, tt.want)
			}
		})
	}
}
