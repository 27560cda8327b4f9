package video

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
)

// TestClipMarkers are planted by TestClip in the clip's metadata; none of
// them may survive Process.
var TestClipMarkers = []string{"CHATPIC-TEST-TITLE", "+48.8584", "002.2945"}

// TestClip writes to path a clip made by the built-in ffmpeg from a test
// pattern, as a phone would record it: H.264 and AAC in a QuickTime file,
// with a title and a location (see TestClipMarkers). It is for the tests
// and benchmarks of code that uses a Runner; w×h is the size, seconds the
// length. path's folder must exist; the file is replaced.
func (r *Runner) TestClip(ctx context.Context, path string, w, h, seconds int) error {
	dir, name := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	size := strconv.Itoa(w) + "x" + strconv.Itoa(h)
	err := r.eng.run(ctx, job{prog: "ffmpeg", work: dir, args: func(_, work string) []string {
		return []string{"-nostdin", "-hide_banner", "-v", "error", "-y",
			"-filter_complex", "testsrc2=size=" + size + ":rate=30,format=yuv420p[v];sine=frequency=440:sample_rate=44100[a]",
			"-map", "[v]", "-map", "[a]", "-t", strconv.Itoa(seconds),
			"-c:v", "libx264", "-preset", "ultrafast", "-g", "30", "-c:a", "aac",
			"-metadata", "title=" + TestClipMarkers[0], "-metadata", "location=+48.8584+002.2945/",
			"-f", "mov", work + "/" + name}
	}})
	if err != nil {
		return fmt.Errorf("video: making a test clip: %w", err)
	}
	return nil
}
