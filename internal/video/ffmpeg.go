package video

import (
	"context"
	"fmt"
)

// FFmpeg runs the Runner's ffmpeg with the arguments args returns, given
// the path under which ffmpeg sees dir: the one host folder it can read and
// write. It is for tests and benchmarks that make clips with the same
// ffmpeg that processes uploads (see package videotest); the pipeline never
// calls it. It does not wait for one of the Runner's slots, and returns an
// error if ffmpeg cannot run or fails.
func (r *Runner) FFmpeg(ctx context.Context, dir string, args func(dir string) []string) error {
	err := r.eng.run(ctx, job{prog: "ffmpeg", work: dir, args: func(_, work string) []string { return args(work) }})
	if err != nil {
		return fmt.Errorf("video: ffmpeg: %w", err)
	}
	return nil
}
