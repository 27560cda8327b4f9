package heif

import "errors"

// Reading an HEVC sequence parameter set (ITU-T H.265 7.3.2.2) for the
// picture size Decode checks and the colour signal of its VUI.

// hevcSPSInfo is what Decode reads from an HEVC sequence parameter set.
type hevcSPSInfo struct {
	w, h int // the output size, after the conformance window
	// full and matrix are the video_full_range_flag and matrix_coeffs of
	// its VUI, or the decoder's defaults (limited range, unspecified
	// matrix 2) where it gives none or cannot be read that far.
	full   bool
	matrix uint16
}

// Bounds on the lists of a sequence parameter set that lie before its
// VUI (ITU-T H.265 7.4.3.2, 7.4.8): a list beyond them makes the VUI
// unreadable rather than the parser slow.
const (
	maxShortTermRPS = 64 // num_short_term_ref_pic_sets
	maxLongTermRefs = 32 // num_long_term_ref_pics_sps
	maxRefPics      = 16 // pictures of each direction in a reference picture set
)

// parseHEVCSPS reads an HEVC SPS NAL unit. It fails only if the picture
// size cannot be read; the VUI colour information is read if it can be.
func parseHEVCSPS(nal []byte) (hevcSPSInfo, error) {
	b := &bits{p: unescape(nal)}
	b.u(16) // NAL unit header
	b.u(4)  // sps_video_parameter_set_id
	sub := int(b.u(3))
	b.u(1)
	b.u(96) // general profile, tier and level
	var profile, level [8]bool
	for i := range sub {
		profile[i], level[i] = b.u(1) == 1, b.u(1) == 1
	}
	if sub > 0 {
		b.u(2 * (8 - sub))
	}
	for i := range sub {
		if profile[i] {
			b.u(88)
		}
		if level[i] {
			b.u(8)
		}
	}
	b.ue() // sps_seq_parameter_set_id
	chroma := b.ue()
	if chroma == 3 && b.u(1) == 1 { // separate colour planes
		chroma = 0
	}
	w, h := b.ue(), b.ue()
	if b.u(1) == 1 { // conformance window, in chroma samples
		sx, sy := uint64(1), uint64(1)
		if chroma == 1 || chroma == 2 {
			sx = 2
		}
		if chroma == 1 {
			sy = 2
		}
		l, r, t, bo := b.ue(), b.ue(), b.ue(), b.ue()
		if (l+r)*sx >= w || (t+bo)*sy >= h {
			return hevcSPSInfo{}, errors.New("heif: conformance window larger than the picture")
		}
		w, h = w-(l+r)*sx, h-(t+bo)*sy
	}
	s := hevcSPSInfo{w: int(w), h: int(h), matrix: 2}
	if b.err != nil {
		return s, b.err
	}
	if full, matrix, ok := hevcVUISignal(b, sub); ok {
		s.full, s.matrix = full, matrix
	}
	return s, nil
}

// hevcVUISignal reads the rest of a sequence parameter set, from
// bit_depth_luma_minus8 on, as far as the video signal type of its VUI
// (H.265 7.3.2.2, E.2.1), and returns video_full_range_flag and
// matrix_coeffs. ok is false if the SPS ends early or breaks a bound;
// with no VUI, or a VUI without a video signal type, they are the
// defaults: limited range, matrix 2 (unspecified).
func hevcVUISignal(b *bits, sub int) (full bool, matrix uint16, ok bool) {
	b.ue() // bit_depth_luma_minus8
	b.ue() // bit_depth_chroma_minus8
	pocBits := b.ue() + 4
	if pocBits > 16 {
		return false, 0, false
	}
	first := sub
	if b.u(1) == 1 { // sps_sub_layer_ordering_info_present_flag
		first = 0
	}
	for range sub - first + 1 {
		b.ue() // sps_max_dec_pic_buffering_minus1
		b.ue() // sps_max_num_reorder_pics
		b.ue() // sps_max_latency_increase_plus1
	}
	for range 6 { // coding and transform block sizes, transform hierarchy depths
		b.ue()
	}
	if b.u(1) == 1 && b.u(1) == 1 { // scaling_list_enabled_flag, sps_scaling_list_data_present_flag
		skipScalingLists(b)
	}
	b.u(2)           // amp_enabled_flag, sample_adaptive_offset_enabled_flag
	if b.u(1) == 1 { // pcm_enabled_flag
		b.u(8) // PCM sample bit depths
		b.ue()
		b.ue()
		b.u(1)
	}
	if !skipShortTermRPSs(b) {
		return false, 0, false
	}
	if b.u(1) == 1 { // long_term_ref_pics_present_flag
		n := b.ue()
		if n > maxLongTermRefs {
			return false, 0, false
		}
		for range n {
			b.u(int(pocBits) + 1) // lt_ref_pic_poc_lsb_sps, used_by_curr_pic_lt_sps_flag
		}
	}
	b.u(2) // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
	matrix = 2
	if b.u(1) == 1 { // vui_parameters_present_flag
		if b.u(1) == 1 && b.u(8) == 255 { // aspect_ratio_info_present_flag, aspect_ratio_idc: EXTENDED_SAR
			b.u(32)
		}
		if b.u(1) == 1 { // overscan_info_present_flag
			b.u(1)
		}
		if b.u(1) == 1 { // video_signal_type_present_flag
			b.u(3) // video_format
			full = b.u(1) == 1
			if b.u(1) == 1 { // colour_description_present_flag
				b.u(16) // colour_primaries, transfer_characteristics
				matrix = uint16(b.u(8))
			}
		}
	}
	if b.err != nil {
		return false, 0, false
	}
	return full, matrix, true
}

// skipScalingLists reads past scaling_list_data() (H.265 7.3.4).
func skipScalingLists(b *bits) {
	for size := range 4 {
		step := 1
		if size == 3 {
			step = 3
		}
		for m := 0; m < 6 && b.err == nil; m += step {
			if b.u(1) == 0 { // scaling_list_pred_mode_flag
				b.ue() // scaling_list_pred_matrix_id_delta
				continue
			}
			if size > 1 {
				b.ue() // scaling_list_dc_coef_minus8, se(v): as long as a ue(v)
			}
			for range min(64, 1<<(4+2*size)) {
				b.ue() // scaling_list_delta_coef, se(v)
			}
		}
	}
}

// skipShortTermRPSs reads past num_short_term_ref_pic_sets and the sets
// (H.265 7.3.7). The length of a set predicted from the one before
// depends on the picture order counts of that one (7.4.8), so they are
// worked out. It returns false if a bound is broken.
func skipShortTermRPSs(b *bits) bool {
	n := b.ue()
	if n > maxShortTermRPS {
		return false
	}
	var neg, pos []int64 // the delta POCs of the set before
	for i := range n {
		var sNeg, sPos []int64
		if i > 0 && b.u(1) == 1 { // inter_ref_pic_set_prediction_flag
			sign := b.u(1)
			delta := int64(b.ue()) + 1
			if sign == 1 {
				delta = -delta
			}
			use := make([]bool, len(neg)+len(pos)+1)
			for j := range use {
				use[j] = b.u(1) == 1 // used_by_curr_pic_flag
				if !use[j] {
					use[j] = b.u(1) == 1 // use_delta_flag
				}
			}
			// 7-61 and 7-62: the set before, shifted by delta, plus delta
			// itself (use's last flag), split by sign, nearest first.
			for j := len(pos) - 1; j >= 0; j-- {
				if d := pos[j] + delta; d < 0 && use[len(neg)+j] {
					sNeg = append(sNeg, d)
				}
			}
			if delta < 0 && use[len(use)-1] {
				sNeg = append(sNeg, delta)
			}
			for j, p := range neg {
				if d := p + delta; d < 0 && use[j] {
					sNeg = append(sNeg, d)
				}
			}
			for j := len(neg) - 1; j >= 0; j-- {
				if d := neg[j] + delta; d > 0 && use[j] {
					sPos = append(sPos, d)
				}
			}
			if delta > 0 && use[len(use)-1] {
				sPos = append(sPos, delta)
			}
			for j, p := range pos {
				if d := p + delta; d > 0 && use[len(neg)+j] {
					sPos = append(sPos, d)
				}
			}
		} else {
			nn, np := b.ue(), b.ue() // num_negative_pics, num_positive_pics
			if nn > maxRefPics || np > maxRefPics {
				return false
			}
			var poc int64
			for range nn {
				poc -= int64(b.ue()) + 1 // delta_poc_s0_minus1
				b.u(1)                   // used_by_curr_pic_s0_flag
				sNeg = append(sNeg, poc)
			}
			poc = 0
			for range np {
				poc += int64(b.ue()) + 1
				b.u(1)
				sPos = append(sPos, poc)
			}
		}
		if b.err != nil || len(sNeg) > maxRefPics || len(sPos) > maxRefPics {
			return false
		}
		neg, pos = sNeg, sPos
	}
	return true
}
