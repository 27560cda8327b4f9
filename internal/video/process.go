package video

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"github.com/chatpic/chatpic"
)

// Messages shown to uploaders. They are short and name no internals.
const (
	msgNotVideo   = "this file is not a video chatpic accepts: send MP4, MOV or WebM"
	msgNoVideo    = "this file has no video track"
	msgDamaged    = "this video is damaged and could not be read"
	msgTruncated  = "this video is incomplete: the file ends too early"
	msgNotCleaned = "this video could not be cleaned of its metadata safely, so it was refused"
)

func damaged(err error) *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgDamaged, Err: err}
}

func notCleaned(err error) *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgNotCleaned, Err: err}
}

// toolErr classifies an error from running ffmpeg or ffprobe: a failed
// run means the file is damaged (or too demanding for the memory limit);
// a cancelled context or a failure to run at all is ours.
func toolErr(err error, what string) error {
	if _, ok := errors.AsType[*exitError](err); ok {
		return damaged(fmt.Errorf("video: %s: %w", what, err))
	}
	return chatpic.Internal(fmt.Errorf("video: %s: %w", what, err))
}

// Process checks the clip at srcPath, remuxes it without transcoding into
// dstPath with all container metadata removed, verifies the result, and
// writes a poster frame to posterPath as PNG or JPEG, chosen by its
// extension (.png, .jpg or .jpeg). The poster is the right way up, of
// Result's Width and Height, and taken about 1 s in (10% into a clip
// shorter than 10 s): at the key frame nearest that time if one lies
// within 2 s after it, so that only one frame is decoded.
//
// It returns a *chatpic.Error of kind KindUnsupported for a file that is
// not MP4/MOV/WebM or whose codecs are not accepted, KindTooLarge for one
// over lim (zero fields take DefaultLimits), KindUnprocessable for a
// truncated or damaged file or one that could not be verified clean, and
// KindInternal for anything else (including a cancelled ctx).
//
// Process reads srcPath and never changes it. On success it creates (or
// replaces) dstPath and posterPath, which the caller then owns; on error it
// leaves neither behind, so pass fresh paths. It works in a temporary
// directory beside dstPath, removed before it returns. Calls may run
// concurrently; beyond the Runner's Concurrency they wait for a turn (or
// for ctx).
func (r *Runner) Process(ctx context.Context, srcPath, dstPath, posterPath string, lim Limits) (Result, error) {
	lim = lim.withDefaults()
	encode, err := posterEncoder(posterPath)
	if err != nil {
		return Result{}, chatpic.Internal(err)
	}
	if err := r.acquire(ctx); err != nil {
		return Result{}, err
	}
	defer r.release()

	in, err := r.inspect(ctx, srcPath, lim)
	if err != nil {
		return Result{}, err
	}
	work, err := os.MkdirTemp(filepath.Dir(dstPath), ".video-*")
	if err != nil {
		return Result{}, chatpic.Internal(fmt.Errorf("video: %w", err))
	}
	defer os.RemoveAll(work)

	res, err := r.remux(ctx, srcPath, work, in, lim)
	if err != nil {
		return Result{}, err
	}
	out := filepath.Join(work, "clip."+res.Container)
	poster := filepath.Join(work, "poster"+filepath.Ext(posterPath))
	if err := r.poster(ctx, out, work, poster, res, encode); err != nil {
		return Result{}, err
	}
	if err := moveFile(poster, posterPath); err != nil {
		return Result{}, chatpic.Internal(fmt.Errorf("video: %w", err))
	}
	if err := os.Rename(out, dstPath); err != nil {
		return Result{}, chatpic.Internal(errors.Join(fmt.Errorf("video: %w", err), os.Remove(posterPath)))
	}
	return res, nil
}

// input is what inspect learnt of an accepted input file.
type input struct {
	container string // from Sniff
	demuxer   string // ffmpeg's name for it
	output    string // MP4 or WebM
	video     probeStream
	audio     *probeStream // nil for a silent clip
	rotation  int
}

// inspect checks the input file against lim, its type and its codecs.
func (r *Runner) inspect(ctx context.Context, srcPath string, lim Limits) (*input, error) {
	f, err := os.Open(srcPath)
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("video: %w", err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("video: %w", err))
	}
	if st.Size() > lim.MaxBytes {
		return nil, chatpic.Errorf(chatpic.KindTooLarge, "this video is %s; the limit is %s",
			megabytes(st.Size()), megabytes(lim.MaxBytes))
	}
	head := make([]byte, SniffLen)
	n, err := f.ReadAt(head, 0)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, chatpic.Internal(fmt.Errorf("video: %w", err))
	}
	container, ok := Sniff(head[:n])
	if !ok {
		return nil, &chatpic.Error{Kind: chatpic.KindUnsupported, Message: msgNotVideo}
	}
	in := &input{container: container, demuxer: "mov"}
	check := checkBoxesComplete
	if container == inWebM || container == inMatroska {
		in.demuxer, check = "matroska", checkSegmentComplete
	}
	if err := check(f, st.Size()); err != nil {
		if errors.Is(err, errBoxTruncated) {
			return nil, &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgTruncated, Err: err}
		}
		return nil, damaged(fmt.Errorf("video: %w", err))
	}

	p, err := r.probeFile(ctx, srcPath, in.demuxer)
	if err != nil {
		return nil, toolErr(err, "probe")
	}
	if len(p.Streams) == 0 {
		return nil, damaged(errors.New("video: no streams"))
	}
	v := p.firstStream("video")
	if v == nil {
		return nil, &chatpic.Error{Kind: chatpic.KindUnsupported, Message: msgNoVideo}
	}
	in.video, in.audio = *v, p.firstStream("audio")
	audio := ""
	if in.audio != nil {
		audio = in.audio.CodecName
	}
	in.output, ok = outputContainer(container, v.CodecName, audio)
	if !ok {
		return nil, unsupportedCodecs(v.CodecName, audio)
	}
	if v.Width <= 0 || v.Height <= 0 {
		return nil, damaged(errors.New("video: no frame size"))
	}
	if px := int64(v.Width) * int64(v.Height); px > lim.MaxPixels {
		return nil, chatpic.Errorf(chatpic.KindTooLarge, "this video is %dx%d pixels; the limit is %s megapixels",
			v.Width, v.Height, strconv.FormatFloat(float64(lim.MaxPixels)/1e6, 'f', -1, 64))
	}
	// A file can lie about its duration; the output is checked again.
	if err := checkDuration(p.duration(), lim); err != nil {
		return nil, err
	}
	in.rotation = v.rotation()
	return in, nil
}

func checkDuration(d time.Duration, lim Limits) error {
	if d > lim.MaxDuration {
		return chatpic.Errorf(chatpic.KindTooLarge, "this video is too long: videos are limited to %s", lim.MaxDuration)
	}
	return nil
}

// remux copies the chosen streams of srcPath into work/clip.<container>
// without their metadata, then verifies the copy.
func (r *Runner) remux(ctx context.Context, srcPath, work string, in *input, lim Limits) (Result, error) {
	name := "clip." + in.output
	err := r.eng.run(ctx, job{prog: "ffmpeg", src: srcPath, work: work, args: func(src, work string) []string {
		args := []string{"-nostdin", "-hide_banner", "-v", "error", "-xerror",
			"-protocol_whitelist", "file", "-f", in.demuxer, "-i", src,
			"-map", "0:" + strconv.Itoa(in.video.Index)}
		if in.audio != nil {
			args = append(args, "-map", "0:"+strconv.Itoa(in.audio.Index))
		}
		args = append(args, "-c", "copy", "-map_metadata", "-1", "-map_chapters", "-1",
			"-fflags", "+bitexact")
		if in.video.CodecName == "hevc" {
			args = append(args, "-tag:v", "hvc1") // what Safari needs to play it
		}
		if in.output == MP4 {
			args = append(args, "-movflags", "+faststart")
		}
		return append(args, "-f", in.output, "-y", work+"/"+name)
	}})
	if err != nil {
		return Result{}, toolErr(err, "remux")
	}
	out := filepath.Join(work, name)
	demuxer := "mov"
	if in.output == MP4 {
		if err := blankMP4(out); err != nil {
			return Result{}, notCleaned(fmt.Errorf("video: blank metadata boxes: %w", err))
		}
	} else {
		demuxer = "matroska"
	}
	p, err := r.probeFile(ctx, out, demuxer)
	if err != nil {
		return Result{}, toolErr(err, "probe output")
	}
	return verify(p, out, in, lim)
}

// blankMP4 runs blankMetadataBoxes on the file at path.
func blankMP4(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR, 0)
	if err != nil {
		return err
	}
	st, err := f.Stat()
	if err != nil {
		return errors.Join(err, f.Close())
	}
	return errors.Join(blankMetadataBoxes(f, st.Size()), f.Close())
}

// verify checks the remuxed file at path, whose probe is p, and describes it.
func verify(p *probe, path string, in *input, lim Limits) (Result, error) {
	if err := p.checkClean(); err != nil {
		return Result{}, notCleaned(fmt.Errorf("video: verify: %w", err))
	}
	want := 1
	if in.audio != nil {
		want = 2
	}
	v, a := p.firstStream("video"), p.firstStream("audio")
	switch {
	case len(p.Streams) != want || v == nil || (in.audio != nil) != (a != nil):
		return Result{}, notCleaned(fmt.Errorf("video: verify: %d streams, want %d", len(p.Streams), want))
	case v.CodecName != in.video.CodecName || v.Width != in.video.Width || v.Height != in.video.Height:
		return Result{}, notCleaned(errors.New("video: verify: video stream changed"))
	case v.rotation() != in.rotation:
		return Result{}, notCleaned(fmt.Errorf("video: verify: rotation %d, want %d", v.rotation(), in.rotation))
	}
	d := p.duration()
	if err := checkDuration(d, lim); err != nil {
		return Result{}, err
	}
	if d <= 0 {
		return Result{}, damaged(errors.New("video: output has no duration"))
	}
	res := Result{Container: in.output, Duration: d, VideoCodec: v.CodecName}
	res.Width, res.Height = v.displaySize()
	if a != nil {
		res.AudioCodec = a.CodecName
	}
	if in.output == MP4 {
		f, err := os.Open(path)
		if err != nil {
			return Result{}, chatpic.Internal(fmt.Errorf("video: %w", err))
		}
		defer f.Close()
		st, err := f.Stat()
		if err != nil {
			return Result{}, chatpic.Internal(fmt.Errorf("video: %w", err))
		}
		if err := verifyMP4(f, st.Size()); err != nil {
			return Result{}, notCleaned(fmt.Errorf("video: verify: %w", err))
		}
	}
	return res, nil
}

// moveFile renames src to dst, copying when they are on different file
// systems.
func moveFile(src, dst string) error {
	if os.Rename(src, dst) == nil {
		return nil
	}
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		return errors.Join(err, out.Close(), os.Remove(dst))
	}
	if err := out.Close(); err != nil {
		return errors.Join(err, os.Remove(dst))
	}
	return nil
}

// megabytes formats n bytes for a message.
func megabytes(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', 1, 64) + " MB"
}
