package jpeg

// Inverse DCTs, full and reduced.
//
// With c(0) = 1/√2 and c(u) = 1 otherwise, the 2-D IDCT of T.81 A.3.3 is
//
//	f(x,y) = 1/4 Σu Σv c(u) c(v) F(v,u) cos((2x+1)uπ/16) cos((2y+1)vπ/16).
//
// Each 1-D pass below computes √2 Σu c(u) F(u) K(x,u) for some kernel K,
// so the 2-D result is the product of the two passes divided by 8. For the
// full IDCT K is the cosine. A reduced IDCT with n outputs uses the mean of
// the cosine over the 8/n input positions of each output, so its result is
// exactly the box average of the full IDCT:
//
//   - n = 4: the mean of two neighbours is cos((2i+1)uπ/8) cos(uπ/16); it
//     vanishes for u = 4, and u and 8-u share a 4-point cosine with opposite
//     signs, which leaves a 4-point IDCT of F(u)cos(uπ/16) - F(8-u)cos((8-u)π/16).
//   - n = 2: the mean of four neighbours vanishes for even u > 0 and is ±a(u)
//     for odd u (the constants a1..a7 below).
//   - n = 1: only the DC term survives: F(0)/8.
//
// The arithmetic is fixed point in 64-bit integers: constants carry
// constBits fraction bits and the first pass keeps pass1Bits, which makes
// the result the correctly rounded IDCT in nearly every case, and never
// overflows, even for the out-of-range coefficients of a corrupt file.
const (
	constBits = 16
	pass1Bits = 4
	shift1    = constBits - pass1Bits
	shift2    = constBits + pass1Bits + 3
	round1    = 1 << (shift1 - 1)
	bias2     = 128<<shift2 + 1<<(shift2-1) // level shift and rounding
)

// 8-point: √2 cos(kπ/16) and the even-part rotation, times 2^16.
const (
	k1    = 90901  // √2 cos(π/16)
	k3    = 77062  // √2 cos(3π/16)
	k5    = 51491  // √2 cos(5π/16)
	k7    = 18081  // √2 cos(7π/16)
	kc6   = 35468  // √2 cos(6π/16)
	kc2c6 = 50159  // √2 (cos(2π/16) - cos(6π/16))
	kc2s6 = 121095 // √2 (cos(2π/16) + cos(6π/16))
)

// 4-point: the odd outputs use a = cos(π/8), b = cos(3π/8), the even ones
// r = cos(π/4), each times √2 cos(uπ/16), times 2^16.
const (
	q1a = 83982 // √2 cos(π/16) a
	q7a = 16705
	q3b = 29490
	q5b = 19705
	q1b = 34786
	q7b = 6919
	q3a = 71196
	q5a = 47572
	q2r = 60547 // √2 cos(2π/16) r
	q6r = 25080
)

// 2-point: √2 a(u), a(u) the mean of cos((2x+1)uπ/16) over x = 0..3, times
// 2^16.
const (
	a1 = 59384
	a3 = -20853
	a5 = 13933
	a7 = -11812
)

func clamp(v int) uint8 {
	if uint(v) > 255 {
		if v < 0 {
			return 0
		}
		return 255
	}
	return uint8(v)
}

// dcValue returns the sample value of a block whose only coefficient is
// the dequantized DC value dc, which is also the mean of any block.
func dcValue(dc int32) uint8 {
	return clamp((int(dc)+4)>>3 + 128)
}

// fill writes v into an n x n square of dst.
func fill(dst []byte, stride, n int, v uint8) {
	for y := range n {
		row := dst[y*stride : y*stride+n]
		for x := range row {
			row[x] = v
		}
	}
}

// idct writes the 8/scale x 8/scale reduction of the dequantized block blk
// (natural order) to dst. last is the zig-zag index of its last non-zero
// coefficient, or less; 0 means only the DC coefficient may be non-zero.
func idct(scale int, blk *[64]int32, last int, dst []byte, stride int) {
	if last == 0 || scale == 8 {
		fill(dst, stride, 8/scale, dcValue(blk[0]))
		return
	}
	switch scale {
	case 1:
		idct8(blk, dst, stride)
	case 2:
		idct4(blk, dst, stride)
	default:
		idct2(blk, dst, stride)
	}
}

// idct8 is the full 8x8 IDCT.
func idct8(blk *[64]int32, dst []byte, stride int) {
	var ws [64]int
	for u := range 8 {
		f0, f1, f2, f3 := int(blk[u]), int(blk[8+u]), int(blk[16+u]), int(blk[24+u])
		f4, f5, f6, f7 := int(blk[32+u]), int(blk[40+u]), int(blk[48+u]), int(blk[56+u])
		if f1|f2|f3|f4|f5|f6|f7 == 0 {
			v := f0 << pass1Bits
			for y := range 8 {
				ws[8*y+u] = v
			}
			continue
		}
		t0, t1 := (f0+f4)<<constBits+round1, (f0-f4)<<constBits+round1
		z := (f2 + f6) * kc6
		t2, t3 := z+f2*kc2c6, z-f6*kc2s6
		e0, e1, e2, e3 := t0+t2, t1+t3, t1-t3, t0-t2
		o0 := f1*k1 + f3*k3 + f5*k5 + f7*k7
		o1 := f1*k3 - f3*k7 - f5*k1 - f7*k5
		o2 := f1*k5 - f3*k1 + f5*k7 + f7*k3
		o3 := f1*k7 - f3*k5 + f5*k3 - f7*k1
		ws[u] = (e0 + o0) >> shift1
		ws[56+u] = (e0 - o0) >> shift1
		ws[8+u] = (e1 + o1) >> shift1
		ws[48+u] = (e1 - o1) >> shift1
		ws[16+u] = (e2 + o2) >> shift1
		ws[40+u] = (e2 - o2) >> shift1
		ws[24+u] = (e3 + o3) >> shift1
		ws[32+u] = (e3 - o3) >> shift1
	}
	for y := range 8 {
		w := ws[8*y : 8*y+8 : 8*y+8]
		out := dst[y*stride : y*stride+8 : y*stride+8]
		f0, f1, f2, f3, f4, f5, f6, f7 := w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]
		if f1|f2|f3|f4|f5|f6|f7 == 0 {
			v := clamp((f0<<constBits + bias2) >> shift2)
			for x := range out {
				out[x] = v
			}
			continue
		}
		t0, t1 := (f0+f4)<<constBits+bias2, (f0-f4)<<constBits+bias2
		z := (f2 + f6) * kc6
		t2, t3 := z+f2*kc2c6, z-f6*kc2s6
		e0, e1, e2, e3 := t0+t2, t1+t3, t1-t3, t0-t2
		o0 := f1*k1 + f3*k3 + f5*k5 + f7*k7
		o1 := f1*k3 - f3*k7 - f5*k1 - f7*k5
		o2 := f1*k5 - f3*k1 + f5*k7 + f7*k3
		o3 := f1*k7 - f3*k5 + f5*k3 - f7*k1
		out[0] = clamp((e0 + o0) >> shift2)
		out[7] = clamp((e0 - o0) >> shift2)
		out[1] = clamp((e1 + o1) >> shift2)
		out[6] = clamp((e1 - o1) >> shift2)
		out[2] = clamp((e2 + o2) >> shift2)
		out[5] = clamp((e2 - o2) >> shift2)
		out[3] = clamp((e3 + o3) >> shift2)
		out[4] = clamp((e3 - o3) >> shift2)
	}
}

// idct4 is the 4x4 reduction: each output is the mean of 2x2 pixels of the
// full IDCT.
func idct4(blk *[64]int32, dst []byte, stride int) {
	var ws [32]int // 4 rows of 8; column 4 is unused
	for u := range 8 {
		if u == 4 {
			continue
		}
		f0, f1, f2, f3 := int(blk[u]), int(blk[8+u]), int(blk[16+u]), int(blk[24+u])
		f5, f6, f7 := int(blk[40+u]), int(blk[48+u]), int(blk[56+u])
		if f1|f2|f3|f5|f6|f7 == 0 {
			v := f0 << pass1Bits
			ws[u], ws[8+u], ws[16+u], ws[24+u] = v, v, v, v
			continue
		}
		h0 := f0<<constBits + round1
		h2 := f2*q2r - f6*q6r
		e0, e1 := h0+h2, h0-h2
		o0 := f1*q1a - f7*q7a + f3*q3b - f5*q5b
		o1 := f1*q1b - f7*q7b - f3*q3a + f5*q5a
		ws[u] = (e0 + o0) >> shift1
		ws[8+u] = (e1 + o1) >> shift1
		ws[16+u] = (e1 - o1) >> shift1
		ws[24+u] = (e0 - o0) >> shift1
	}
	for y := range 4 {
		w := ws[8*y : 8*y+8 : 8*y+8]
		out := dst[y*stride : y*stride+4 : y*stride+4]
		f0, f1, f2, f3, f5, f6, f7 := w[0], w[1], w[2], w[3], w[5], w[6], w[7]
		h0 := f0<<constBits + bias2
		h2 := f2*q2r - f6*q6r
		e0, e1 := h0+h2, h0-h2
		o0 := f1*q1a - f7*q7a + f3*q3b - f5*q5b
		o1 := f1*q1b - f7*q7b - f3*q3a + f5*q5a
		out[0] = clamp((e0 + o0) >> shift2)
		out[1] = clamp((e1 + o1) >> shift2)
		out[2] = clamp((e1 - o1) >> shift2)
		out[3] = clamp((e0 - o0) >> shift2)
	}
}

// idct2 is the 2x2 reduction: each output is the mean of 4x4 pixels of the
// full IDCT.
func idct2(blk *[64]int32, dst []byte, stride int) {
	var ws [16]int // 2 rows of 8; even columns but 0 are unused
	for _, u := range [...]int{0, 1, 3, 5, 7} {
		f0 := int(blk[u])<<constBits + round1
		s := int(blk[8+u])*a1 + int(blk[24+u])*a3 + int(blk[40+u])*a5 + int(blk[56+u])*a7
		ws[u] = (f0 + s) >> shift1
		ws[8+u] = (f0 - s) >> shift1
	}
	for y := range 2 {
		w := ws[8*y : 8*y+8 : 8*y+8]
		f0 := w[0]<<constBits + bias2
		s := w[1]*a1 + w[3]*a3 + w[5]*a5 + w[7]*a7
		dst[y*stride] = clamp((f0 + s) >> shift2)
		dst[y*stride+1] = clamp((f0 - s) >> shift2)
	}
}
