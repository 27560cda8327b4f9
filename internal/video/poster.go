package video

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"image"
	"image/jpeg"
	"image/png"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
)

// Poster frames. ffmpeg decodes one frame into raw RGBA (opaque, so the
// same premultiplied or not), which Go encodes:
// under WebAssembly ffmpeg's own PNG and JPEG encoders (and the pixel
// format conversions they need) take about a second for a 1080p frame, Go
// takes a few tens of milliseconds. The frame is taken at a key frame near
// the target time when there is one, so that only one frame is decoded,
// rather than every frame since the previous key frame.

// encodeFunc writes img to w in a poster format.
type encodeFunc func(w io.Writer, img image.Image) error

// posterEncoder returns the encoder for a poster file name: PNG for .png,
// JPEG for .jpg and .jpeg.
func posterEncoder(path string) (encodeFunc, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".png":
		enc := &png.Encoder{CompressionLevel: png.BestSpeed}
		return enc.Encode, nil
	case ".jpg", ".jpeg":
		return func(w io.Writer, img image.Image) error {
			return jpeg.Encode(w, img, &jpeg.Options{Quality: 90})
		}, nil
	}
	return nil, fmt.Errorf("video: poster %q: want a .png, .jpg or .jpeg name", filepath.Base(path))
}

// keyframeSlack is how far past the target time a key frame may be taken
// instead of decoding up to the target.
const keyframeSlack = 2 * time.Second

// poster writes a frame of the cleaned clip (host path clip, inside work)
// to the host path dst with encode: about 1 s in, or at 10% of a clip
// shorter than 10 s, turned the right way up.
func (r *Runner) poster(ctx context.Context, clip, work, dst string, res Result, encode encodeFunc) error {
	target := min(time.Second, res.Duration/10)
	demuxer := "mov"
	if res.Container == WebM {
		demuxer = "matroska"
	}
	keys, err := r.keyframes(ctx, clip, demuxer, target+keyframeSlack)
	if err != nil {
		return toolErr(err, "poster key frames")
	}
	at, exact := posterTime(keys, target, res.Duration)
	raw := filepath.Join(work, "poster.rgba")
	err = r.eng.run(ctx, job{prog: "ffmpeg", src: clip, work: work, args: func(src, work string) []string {
		args := []string{"-nostdin", "-hide_banner", "-v", "error", "-protocol_whitelist", "file"}
		args = append(args, seekArgs(at, exact)...)
		return append(args, "-f", demuxer, "-i", src, "-map", "0:v:0", "-frames:v", "1",
			"-pix_fmt", "rgba", "-f", "rawvideo", "-y", work+"/"+filepath.Base(raw))
	}})
	if err != nil {
		return toolErr(err, "poster")
	}
	pix, err := os.ReadFile(raw)
	if err != nil {
		return chatpic.Internal(fmt.Errorf("video: poster: %w", err))
	}
	if len(pix) != res.Width*res.Height*4 {
		return damaged(fmt.Errorf("video: poster: %d bytes of pixels for %dx%d", len(pix), res.Width, res.Height))
	}
	img := &image.RGBA{Pix: pix, Stride: res.Width * 4, Rect: image.Rect(0, 0, res.Width, res.Height)}
	f, err := os.Create(dst)
	if err != nil {
		return chatpic.Internal(fmt.Errorf("video: poster: %w", err))
	}
	w := bufio.NewWriter(f)
	err = errors.Join(encode(w, img), w.Flush(), f.Close())
	if err != nil {
		return chatpic.Internal(fmt.Errorf("video: poster: %w", err))
	}
	return nil
}

// seekArgs returns ffmpeg's input options to start at the frame at at. For
// a key frame (exact) it seeks just past it and keeps the first decoded
// frame, so only that frame is decoded; printed times are rounded to the
// microsecond, and seeking before a key frame would land on the previous
// one. Otherwise it decodes from the previous key frame up to at.
func seekArgs(at time.Duration, exact bool) []string {
	if exact {
		return []string{"-noaccurate_seek", "-ss", strconv.FormatFloat(at.Seconds()+0.0005, 'f', 4, 64)}
	}
	return []string{"-ss", strconv.FormatFloat(at.Seconds(), 'f', 3, 64)}
}

// posterTime picks when to take the poster: the key frame after the start
// nearest to target, if one is within keyframeSlack past it and before
// the end; else the last key frame at or before target (often the first
// frame); either way exact, so only one frame is decoded. Decoding from a
// key frame up to target instead costs seconds of CPU for a long-GOP 1080p
// clip in WebAssembly, for a poster that is only a preview. With no key
// frame listed at all it returns target, not exact.
func posterTime(keys []time.Duration, target, duration time.Duration) (at time.Duration, exact bool) {
	best, before := time.Duration(-1), time.Duration(-1)
	for _, k := range keys {
		if k < 0 || k >= duration {
			continue
		}
		if k <= target && k > before {
			before = k
		}
		if k == 0 || k > target+keyframeSlack {
			continue
		}
		if best < 0 || absDur(k-target) < absDur(best-target) {
			best = k
		}
	}
	switch {
	case best >= 0:
		return best, true
	case before >= 0:
		return before, true
	}
	return target, false
}

func absDur(d time.Duration) time.Duration {
	if d < 0 {
		return -d
	}
	return d
}

// keyframes returns the times of the first video stream's key frames in
// the first span of the clip, read from the packet index without decoding.
func (r *Runner) keyframes(ctx context.Context, clip, demuxer string, span time.Duration) ([]time.Duration, error) {
	out := &limitWriter{max: maxProbeOutput}
	err := r.eng.run(ctx, job{prog: "ffprobe", src: clip, stdout: out, args: func(src, _ string) []string {
		return []string{"-hide_banner", "-v", "error", "-protocol_whitelist", "file", "-f", demuxer,
			"-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
			"-read_intervals", "%+" + strconv.FormatFloat(span.Seconds(), 'f', 3, 64),
			"-of", "csv=p=0", src}
	}})
	if err != nil {
		return nil, err
	}
	var keys []time.Duration
	for line := range bytes.Lines(out.buf.Bytes()) {
		ts, flags, ok := strings.Cut(strings.TrimSpace(string(line)), ",")
		if !ok || !strings.HasPrefix(flags, "K") {
			continue
		}
		if s, err := strconv.ParseFloat(ts, 64); err == nil && s >= 0 && s < 1e6 {
			keys = append(keys, time.Duration(s*float64(time.Second)))
		}
	}
	slices.Sort(keys)
	return keys, nil
}
