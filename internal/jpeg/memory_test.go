package jpeg

import (
	"bytes"
	"fmt"
	"runtime"
	"testing"
)

// TestMemoryNeeded checks that Config.MemoryNeeded bounds what Decode
// allocates, measured as the growth of runtime.MemStats.TotalAlloc, and
// that it is not wildly above it.
func TestMemoryNeeded(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes a 12-megapixel picture")
	}
	m := medium()
	type file struct {
		name string
		data func(t *testing.T) []byte
	}
	files := []file{
		{"baseline 4000x3000 4:2:0", func(*testing.T) []byte { return benchPhoto() }},
		{"progressive 4000x3000 4:2:0", func(t *testing.T) []byte { return jpegtran(t, benchPhoto(), "-progressive") }},
		{"baseline gray", func(t *testing.T) []byte { return encode(t, grayOf(m), 90) }},
		{"Adobe YCCK 4:2:0", func(*testing.T) []byte {
			return encodeRaw(rawSpec{width: 333, height: 217, comps: rawPlanes(m, "ycck", 0x22, 0x11, 0x11, 0x22), adobe: 2, quant: 3})
		}},
		{"odd sampling", func(*testing.T) []byte {
			return encodeRaw(rawSpec{width: 333, height: 217, comps: rawPlanes(m, "ycc", 0x31, 0x11, 0x11), adobe: -1, quant: 3})
		}},
	}
	for _, f := range files {
		for _, s := range []int{1, 8} {
			t.Run(fmt.Sprintf("%s at 1_%d", f.name, s), func(t *testing.T) {
				data := f.data(t)
				cfg, err := DecodeConfig(bytes.NewReader(data))
				if err != nil {
					t.Fatal(err)
				}
				bound := cfg.MemoryNeeded(s)
				var before, after runtime.MemStats
				runtime.GC()
				runtime.ReadMemStats(&before)
				if _, err := Decode(bytes.NewReader(data), Options{scale: s}); err != nil {
					t.Fatal(err)
				}
				runtime.ReadMemStats(&after)
				used := int64(after.TotalAlloc - before.TotalAlloc)
				t.Logf("1/%d: allocated %d bytes, bound %d", s, used, bound)
				if used > bound {
					t.Errorf("1/%d: allocated %d bytes, more than MemoryNeeded = %d", s, used, bound)
				}
				if bound > 2*used+256<<10 {
					t.Errorf("1/%d: MemoryNeeded = %d is loose for %d bytes allocated", s, bound, used)
				}
			})
		}
	}
}

// TestMemoryNeededLarge checks the bounds promised for a 6000x4000 4:2:0
// picture: a few megabytes at 1/8; for a progressive file, 2 bytes a kept
// coefficient and 8 a block.
func TestMemoryNeededLarge(t *testing.T) {
	f := frame{width: 6000, height: 4000, nComp: 3, h: [4]int{2, 1, 1}, v: [4]int{2, 1, 1}}
	f.setup()
	cfg := Config{Width: 6000, Height: 4000, frame: f, out: outYCbCr}
	blocks := int64(6000 * 4000 * 3 / 2 / 64)
	tests := []struct {
		progressive bool
		scale       int
		want        int64 // give or take 1 MiB
	}{
		{false, 8, 0},
		{false, 1, blocks * 64},
		{true, 8, blocks * (2 + 8)},
		{true, 4, blocks * (4 + 2*25 + 8)},
		{true, 1, blocks * (64 + 2*64 + 8)},
	}
	for _, tc := range tests {
		cfg.frame.progressive = tc.progressive
		if n := cfg.MemoryNeeded(tc.scale); n < tc.want || n > tc.want+1<<20 {
			t.Errorf("progressive %v at 1/%d: %d bytes, want %d give or take 1 MiB", tc.progressive, tc.scale, n, tc.want)
		}
	}
}
