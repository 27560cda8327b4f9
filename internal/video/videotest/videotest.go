// Package videotest makes video clips for the tests and benchmarks of code
// that uses a video.Runner. It is not part of the server.
package videotest

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"

	"github.com/chatpic/chatpic/internal/video"
)

// Markers are planted by Clip in the clip's metadata; none of them may
// survive video.Runner.Process.
var Markers = []string{"CHATPIC-TEST-TITLE", "+48.8584", "002.2945"}

// Clip writes to path a clip made by r's ffmpeg from a test pattern, as a
// phone would record it: H.264 and AAC in a QuickTime file, with a title
// and a location (see Markers). w×h is the size, seconds the length.
// path's folder must exist; the file is replaced.
func Clip(ctx context.Context, r *video.Runner, path string, w, h, seconds int) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	size := strconv.Itoa(w) + "x" + strconv.Itoa(h)
	err := r.FFmpeg(ctx, dir, func(work string) []string {
		return []string{"-nostdin", "-hide_banner", "-v", "error", "-y",
			"-filter_complex", "testsrc2=size=" + size + ":rate=30,format=yuv420p[v];sine=frequency=440:sample_rate=44100[a]",
			"-map", "[v]", "-map", "[a]", "-t", strconv.Itoa(seconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac",
			"-metadata", "title=" + Markers[0], "-metadata", "location=+48.8584+002.2945/",
			"-f", "mov", work + "/" + name}
	})
	if err != nil {
		return fmt.Errorf("videotest: making a test clip: %w", err)
	}
	return nil
}
