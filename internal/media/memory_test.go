package media

import (
	"bytes"
	"runtime"
	"testing"

	"github.com/chatpic/chatpic/internal/mediatest"
)

// TestMemoryNeeded: the estimate admission control relies on is an upper
// bound of everything Process allocates when it writes to a file, and a
// large JPEG needs far less than its full-size pixels (48 MB as RGBA for
// 4000x3000): it is decoded at a quarter of its size.
func TestMemoryNeeded(t *testing.T) {
	tests := []struct {
		name string
		file []byte
		most int64 // the estimate may be at most this
	}{
		{"4000x3000 JPEG", mediatest.JPEG(4000, 3000), 20 << 20},
		{"1500x1000 PNG", mediatest.PNG(1500, 1000), 20 << 20},
		{"600x400 GIF", mediatest.GIF(600, 400, 2), 12 << 20},
		{"not a picture", []byte("hello"), processOverhead},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			est := MemoryNeeded(bytes.NewReader(tt.file), int64(len(tt.file)))
			if est > tt.most {
				t.Errorf("estimate %d MB, want at most %d MB", est>>20, tt.most>>20)
			}
			if len(tt.file) < 100 {
				return
			}
			out := &memFile{}
			out.Grow(len(tt.file) + 64) // the caller's file: not Process's memory
			var before, after runtime.MemStats
			runtime.GC()
			runtime.ReadMemStats(&before)
			if _, err := Process(t.Context(), bytes.NewReader(tt.file), int64(len(tt.file)), out, &bytes.Buffer{}, DefaultLimits()); err != nil {
				t.Fatal(err)
			}
			runtime.ReadMemStats(&after)
			if got := int64(after.TotalAlloc - before.TotalAlloc); got > est {
				t.Errorf("Process allocated %d MB, over the estimate of %d MB", got>>20, est>>20)
			}
		})
	}
}
