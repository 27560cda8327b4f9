package jpeg

import (
	"bytes"
	"errors"
	"fmt"
	"image"
	stdjpeg "image/jpeg"
	"os/exec"
	"testing"
)

// fuzzLimit bounds the pictures the fuzz target decodes, to keep it fast.
const fuzzLimit = 1 << 16

// FuzzDecode checks, on any input, that the decoder does not panic (it
// calls the decoder without Decode's recover) and that it agrees with
// image/jpeg:
//
//   - if image/jpeg decodes the input, so does Decode, unless it refuses
//     for one of the reasons documented on Decode (stricterErr);
//   - if Decode accepts what image/jpeg refuses, image/jpeg's reason is one
//     documented on Decode (lenientRef);
//   - when both decode it, their samples agree within 2 at 1/1 and, at 1/8,
//     each sample is within 2 of the mean of image/jpeg's 8x8 block.
//
// The pixel comparison is skipped when the decoder noted a quirk: a
// coefficient beyond the 8-bit range (two correct IDCTs then differ by more
// than rounding, and progressive coefficients no longer fit 16 bits), or
// one of the corner cases where image/jpeg departs from T.81.
func FuzzDecode(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(crossCheck)
}

// fuzzSeeds returns small files of every kind the decoder handles; those
// made by cjpeg only when it is installed.
func fuzzSeeds(tb testing.TB) [][]byte {
	m := photo(37, 29, 9)
	spec := func(space string, restart int, separate bool, adobe int, factors ...int) []byte {
		return encodeRaw(rawSpec{
			width: 37, height: 29, comps: rawPlanes(m, space, factors...),
			restart: restart, separate: separate, adobe: adobe, quant: 4, jfif: adobe < 0,
		})
	}
	seeds := [][]byte{
		encode(tb, m, 75),
		encode(tb, grayOf(m), 60),
		spec("ycc", 2, false, -1, 0x11, 0x11, 0x11),
		spec("ycc", 0, false, -1, 0x21, 0x11, 0x11),
		spec("ycc", 3, true, -1, 0x12, 0x11, 0x11),
		spec("cmyk", 0, false, 0, 0x22, 0x11, 0x11, 0x22),
		spec("ycck", 1, false, 2, 0x11, 0x11, 0x11, 0x11),
		spec("rgb", 0, false, -1, 0x11, 0x11, 0x11),
		spec("ycc", 0, true, -1, 0x11, 0x22, 0x22),
	}
	if _, err := exec.LookPath("cjpeg"); err == nil {
		seeds = append(seeds,
			cjpeg(tb, m, "-progressive"),
			cjpeg(tb, m, "-progressive", "-restart", "2B", "-sample", "1x1"),
			cjpeg(tb, m, "-progressive", "-optimize", "-sample", "2x1"),
			cjpeg(tb, grayOf(m), "-progressive", "-restart", "1"),
			cjpeg(tb, m, "-restart", "1", "-sample", "1x2"),
		)
	}
	return seeds
}

// Refusals of ours that image/jpeg does not share, documented on Decode.
func stricterErr(err error) bool {
	return errors.Is(err, errBadHuffmanTable) || errors.Is(err, errSeqEOBRun) ||
		errors.Is(err, errZeroSize) || errors.Is(err, errTooManyScans)
}

// Refusals of image/jpeg that we do not share, documented on Decode.
func lenientRef(err error) bool {
	return errors.Is(err, stdjpeg.UnsupportedError("luma/chroma subsampling ratio")) ||
		errors.Is(err, stdjpeg.FormatError("luma/chroma subsampling ratio"))
}

func crossCheck(t *testing.T, data []byte) {
	DecodeConfig(bytes.NewReader(data)) // must not panic
	got, quirk, out, err := decodeNoRecover(data, 1)
	if errors.Is(err, ErrTooLarge) {
		return
	}
	if err != nil {
		// Whether a file decodes must not depend on the scale.
		if _, _, _, err8 := decodeNoRecover(data, 8); err8 == nil {
			t.Fatalf("decodes at 1/8 but not at 1/1: %v", err)
		}
	}
	if c, err := stdjpeg.DecodeConfig(bytes.NewReader(data)); err == nil && c.Width*c.Height > fuzzLimit {
		return
	}
	ref, refErr := stdjpeg.Decode(bytes.NewReader(data))
	switch {
	case refErr == nil && err != nil:
		if !stricterErr(err) && quirk == "" {
			t.Fatalf("image/jpeg decodes it, Decode refuses: %v", err)
		}
		return
	case refErr != nil && err == nil:
		if !lenientRef(refErr) && quirk == "" {
			t.Fatalf("Decode accepts what image/jpeg refuses: %v", refErr)
		}
		return
	case err != nil:
		return
	}
	var small image.Image
	for _, s := range []int{2, 4, 8} {
		m, _, _, err := decodeNoRecover(data, s)
		if err != nil {
			t.Fatalf("decodes at 1/1 but not at 1/%d: %v", s, err)
		}
		small = m
	}
	if quirk != "" {
		return
	}
	if fmt.Sprintf("%T", got) != fmt.Sprintf("%T", ref) || got.Bounds() != ref.Bounds() {
		t.Fatalf("got %T %v, image/jpeg %T %v", got, got.Bounds(), ref, ref.Bounds())
	}
	tol := 2
	if out == outYCCK {
		tol = 6 // YCbCr to RGB amplifies differences
	}
	want, have, have8 := planesOf(ref), planesOf(got), planesOf(small)
	for i := range want {
		if _, diff := psnr(want[i], have[i]); diff > tol {
			t.Fatalf("1/1 %s: samples differ by %d", want[i].name, diff)
		}
		if out != outYCCK {
			checkBlockMeans(t, want[i], have8[i])
		}
	}
}

// checkBlockMeans compares a 1/8 plane with the means of the 8x8 blocks of
// the full one, where the block is whole and nothing in it was clipped.
func checkBlockMeans(t *testing.T, full, small plane) {
	t.Helper()
	for y := 0; (y+1)*8 <= full.h && y < small.h; y++ {
	blocks:
		for x := 0; (x+1)*8 <= full.w && x < small.w; x++ {
			sum := 0
			for yy := y * 8; yy < y*8+8; yy++ {
				for xx := x * 8; xx < x*8+8; xx++ {
					v := full.at(xx, yy)
					if v == 0 || v == 255 {
						continue blocks
					}
					sum += v
				}
			}
			if d := small.at(x, y)*64 - sum; d > 2*64 || d < -2*64 {
				t.Fatalf("1/8 %s (%d,%d) = %d, block mean %.2f", full.name, x, y, small.at(x, y), float64(sum)/64)
			}
		}
	}
}

// decodeNoRecover decodes at 1/scale without Decode's recover and returns
// the quirk the decoder noted.
func decodeNoRecover(data []byte, scale int) (image.Image, string, outKind, error) {
	d := newDecoder(bytes.NewReader(data), Options{MaxPixels: fuzzLimit, scale: scale})
	if err := d.run(); err != nil {
		return nil, d.quirk, d.out, err
	}
	m, err := d.finish()
	return m, d.quirk, d.out, err
}

// TestMutationsAgreeWithStdlib runs the fuzz target's checks on seeded
// random corruptions of the seeds (byte flips, cuts, repeated spans), so
// that a plain test run covers them too.
func TestMutationsAgreeWithStdlib(t *testing.T) {
	if testing.Short() {
		t.Skip("thousands of decodes")
	}
	rng := newRand(11)
	for i, seed := range fuzzSeeds(t) {
		for j := range 250 {
			data := bytes.Clone(seed)
			for range 1 + rng.IntN(4) {
				p := rng.IntN(len(data))
				switch rng.IntN(4) {
				case 0:
					data[p] ^= byte(1 << rng.IntN(8))
				case 1:
					data[p] = byte(rng.IntN(256))
				case 2:
					data = data[:p]
				case 3:
					q := min(len(data), p+1+rng.IntN(16))
					data = append(data[:q:q], data[p:]...)
				}
				if len(data) == 0 {
					break
				}
			}
			t.Run(fmt.Sprintf("seed %d mutation %d", i, j), func(t *testing.T) { crossCheck(t, data) })
		}
	}
}
