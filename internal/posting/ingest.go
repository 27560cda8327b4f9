package posting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/heif"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/video"
)

// msgAccepted names every type chatpic takes, for refusals.
const msgAccepted = "chatpic accepts pictures (JPEG, PNG, GIF, WebP, HEIC, AVIF) and videos (MP4, WebM, MOV)"

// ingested is an upload that passed the pipeline: the clean file to store,
// its thumbnail, and what was learnt about it. Close removes the file.
type ingested struct {
	kind          chatpic.MediaKind
	mime, ext     string
	thumbExt      string
	width, height int
	frames        int
	duration      time.Duration
	pdq           pdq.Hash
	pdqQuality    int
	clean         *os.File // positioned at its end
	size          int64
	sha256        [32]byte
	thumb         bytes.Buffer
}

// Close removes the clean file.
func (in *ingested) Close() {
	if in.clean != nil {
		removeTemp(in.clean)
	}
}

// ingest decides what the spooled upload is from its bytes and runs the
// pipeline for that kind, under the work semaphore.
func (s *Service) ingest(ctx context.Context, spool *os.File, size int64) (*ingested, error) {
	// HEIF may need its meta box to tell a picture's codec: read enough.
	head := make([]byte, max(media.SniffLen, video.SniffLen, heif.SniffLen))
	n, _ := spool.ReadAt(head, 0)
	head = head[:n]

	select {
	case s.work <- struct{}{}:
	case <-ctx.Done():
		return nil, chatpic.Internal(fmt.Errorf("posting: waiting for a worker: %w", ctx.Err()))
	}
	defer func() { <-s.work }()

	if _, ok := video.Sniff(head); ok {
		return s.ingestVideo(ctx, spool, size)
	}
	if _, ok := heif.Sniff(head); ok {
		return s.ingestHEIF(ctx, spool, size)
	}
	if _, err := media.Sniff(head); err != nil {
		return nil, refusal(err)
	}
	return s.ingestImage(ctx, spool, size)
}

// refusal rewrites the media package's "not an image" refusal so that it
// names every accepted type, keeping its hint of what the file looks like.
func refusal(err error) error {
	if chatpic.ErrorKind(err) != chatpic.KindUnsupported {
		return err
	}
	msg := chatpic.ErrorMessage(err)
	if _, hint, ok := strings.Cut(msg, "; it looks like "); ok {
		return chatpic.Errorf(chatpic.KindUnsupported, "this file is not something %s; it looks like %s", msgAccepted, hint)
	}
	return chatpic.Errorf(chatpic.KindUnsupported, "this file is not something %s", msgAccepted)
}

// ingestImage scrubs a JPEG, PNG, GIF or WebP losslessly (see media.Process).
func (s *Service) ingestImage(ctx context.Context, src io.ReaderAt, size int64) (*ingested, error) {
	in := &ingested{kind: chatpic.Image}
	var err error
	if in.clean, err = os.CreateTemp(s.cfg.TempDir, "clean-*"); err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: temp file: %w", err))
	}
	sum := sha256.New()
	res, err := media.Process(ctx, src, size, io.MultiWriter(in.clean, sum), &in.thumb, s.cfg.Media)
	if err != nil {
		in.Close()
		return nil, err
	}
	in.fromPicture(res)
	copy(in.sha256[:], sum.Sum(nil))
	if in.size, err = in.clean.Seek(0, io.SeekCurrent); err != nil {
		in.Close()
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	return in, nil
}

func (in *ingested) fromPicture(res media.Result) {
	in.mime, in.ext, in.thumbExt = res.Format.MIME(), res.Format.Ext(), res.ThumbFormat.Ext()
	in.width, in.height, in.frames = res.Width, res.Height, res.Frames
	in.pdq, in.pdqQuality = res.PDQ, res.PDQQuality
}

// ingestHEIF converts a HEIC or AVIF picture to a format every browser
// shows: its pixels are decoded (the right way up) and written again as a
// JPEG (or a PNG if it has transparency) carrying only its colour profile,
// so none of the container's metadata items survives. The result then
// passes the same pipeline as any JPEG or PNG upload.
func (s *Service) ingestHEIF(ctx context.Context, src io.ReaderAt, size int64) (*ingested, error) {
	select {
	case s.heavy <- struct{}{}:
	case <-ctx.Done():
		return nil, chatpic.Internal(fmt.Errorf("posting: waiting for the HEIF decoder: %w", ctx.Err()))
	}
	img, info, err := heif.Decode(ctx, src, size, s.cfg.Media.MaxPixels)
	<-s.heavy
	if err != nil {
		return nil, err
	}
	conv, err := os.CreateTemp(s.cfg.TempDir, "convert-*")
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: temp file: %w", err))
	}
	defer removeTemp(conv)
	if _, err := heif.Encode(conv, img, info.ICC); err != nil {
		return nil, err
	}
	img = nil // let the decoded picture go before decoding the JPEG again
	convSize, err := conv.Seek(0, io.SeekCurrent)
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	return s.ingestImage(ctx, conv, convSize)
}

// ingestVideo remuxes a clip without its container metadata (see
// video.Runner.Process) and makes the thumbnail and hash from its poster
// frame.
func (s *Service) ingestVideo(ctx context.Context, spool *os.File, size int64) (*ingested, error) {
	if s.cfg.Video == nil {
		return nil, chatpic.Errorf(chatpic.KindUnsupported, "this server does not take videos; send a picture")
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "video-*")
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: temp dir: %w", err))
	}
	defer os.RemoveAll(dir)
	dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster.png")
	res, err := s.cfg.Video.Process(ctx, spool.Name(), dst, poster, s.cfg.VideoLimits)
	if err != nil {
		return nil, err
	}

	in := &ingested{kind: chatpic.Video, mime: res.MIME, ext: res.Container,
		width: res.Width, height: res.Height, duration: res.Duration}
	// The clean file moves out of the temporary folder, which is removed.
	if in.clean, err = os.CreateTemp(s.cfg.TempDir, "clean-*"); err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: temp file: %w", err))
	}
	src, err := os.Open(dst)
	if err != nil {
		in.Close()
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	sum := sha256.New()
	in.size, err = io.Copy(io.MultiWriter(in.clean, sum), src)
	src.Close()
	if err != nil {
		in.Close()
		return nil, chatpic.Internal(fmt.Errorf("posting: copy clip: %w", err))
	}
	copy(in.sha256[:], sum.Sum(nil))

	pf, err := os.Open(poster)
	if err != nil {
		in.Close()
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	defer pf.Close()
	st, err := pf.Stat()
	if err != nil {
		in.Close()
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	pic, err := media.Process(ctx, pf, st.Size(), io.Discard, &in.thumb, s.cfg.Media)
	if err != nil {
		in.Close()
		return nil, err
	}
	in.thumbExt = pic.ThumbFormat.Ext()
	in.pdq, in.pdqQuality = pic.PDQ, pic.PDQQuality
	return in, nil
}
