package posting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/heif"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/pdq"
	"github.com/chatpic/chatpic/internal/video"
	"github.com/chatpic/chatpic/internal/worker"
)

// notAccepted refuses a file of a type chatpic does not take, naming
// every type it takes ("JPEG, PNG, ..." and "MP4, ...") and, if hint is
// not "", what the file looks like.
func notAccepted(hint chatpic.Phrase) *chatpic.Error {
	pictures := strings.Join(media.Names(chatpic.Image), ", ")
	videos := strings.Join(media.Names(chatpic.Video), ", ")
	if hint != "" {
		return chatpic.Errorf(chatpic.KindUnsupported, "this file is not something chatpic accepts: pictures (%s) and videos (%s); it looks like %s", pictures, videos, hint)
	}
	return chatpic.Errorf(chatpic.KindUnsupported, "this file is not something chatpic accepts: pictures (%s) and videos (%s)", pictures, videos)
}

// errNoHEIF and errNoVideo refuse what a server without the codecs (or
// with video turned off) does not take.
var (
	errNoHEIF  = chatpic.Errorf(chatpic.KindUnsupported, "this server does not take HEIC or AVIF pictures; send a JPEG or PNG")
	errNoVideo = chatpic.Errorf(chatpic.KindUnsupported, "this server does not take videos; send a picture")
)

// ingested is an upload that passed the pipeline: the clean file to store,
// its thumbnail, and what was learnt about it. Close removes the file.
type ingested struct {
	// source is the format the file came in ("heic", "mov", "jpeg", ...),
	// which it may no longer be once stored.
	source        string
	kind          chatpic.MediaKind
	mime, ext     string
	thumbExt      string
	thumbMIME     string
	width, height int
	frames        int
	duration      time.Duration
	pdq           pdq.Hash
	pdqQuality    int
	dihedral      [8]pdq.Hash
	clean         *os.File // positioned at its end
	size          int64
	sha256        [32]byte
	thumb         bytes.Buffer
}

// item returns what the post records of the file.
func (in *ingested) item() chatpic.Item {
	return chatpic.Item{Kind: in.kind, MIME: in.mime, Ext: in.ext, ThumbExt: in.thumbExt, ThumbMIME: in.thumbMIME,
		Width: in.width, Height: in.height, Duration: in.duration, Frames: in.frames,
		Bytes: in.size, SHA256: in.sha256, PDQ: in.pdq[:], PDQQuality: in.pdqQuality}
}

// Close removes the clean file.
func (in *ingested) Close() {
	if in != nil && in.clean != nil {
		removeTemp(in.clean)
		in.clean = nil
	}
}

// msgUnreadable refuses a file whose decoding failed in a way no decoder
// reported (a panic).
const msgUnreadable = "this file could not be read"

// ingest decides what the spooled upload is from its bytes and runs the
// pipeline for that kind. Whatever happens in the pipeline (a decoder's
// panic included) costs only this upload: every slot, byte of the memory
// budget and temporary file it took is given back before ingest returns.
func (s *Service) ingest(ctx context.Context, spool *os.File, size int64) (in *ingested, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("media pipeline panicked", "panic", p, "stack", string(debug.Stack()))
			in, err = nil, &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgUnreadable,
				Err: fmt.Errorf("posting: panic: %v", p)}
		}
	}()
	// HEIF may need its meta box to tell a picture's codec: read enough.
	head := make([]byte, max(media.SniffLen, video.SniffLen, heif.SniffLen))
	n, _ := spool.ReadAt(head, 0)
	head = head[:n]

	var source string
	defer func() {
		if in != nil {
			in.source = source
		}
	}()
	// HEIF before video: an image sequence is an ISO BMFF file with a
	// track, like an MP4, but its brands say HEIF.
	if f, ok := heif.Sniff(head); ok {
		source = f
		return s.ingestHEIF(ctx, spool, size)
	}
	if c, ok := video.Sniff(head); ok {
		source = c
		return s.ingestVideo(ctx, spool, size)
	}
	f, err := media.Sniff(head)
	if err != nil {
		return nil, refusal(err)
	}
	source = string(f)
	return s.ingestImage(ctx, spool, size)
}

// refusal rewrites the media package's "not an image" refusal so that it
// names every accepted type, keeping its hint of what the file looks like
// (the refusal's chatpic.Phrase argument).
func refusal(err error) error {
	if chatpic.ErrorKind(err) != chatpic.KindUnsupported {
		return err
	}
	var hint chatpic.Phrase
	if e, ok := errors.AsType[*chatpic.Error](err); ok {
		for _, a := range e.Args {
			if p, ok := a.(chatpic.Phrase); ok {
				hint = p
			}
		}
	}
	return notAccepted(hint)
}

// ingestImage scrubs a JPEG, PNG, GIF or WebP losslessly (see media.Process)
// in this process, once the memory its decoding needs is free and a CPU
// slot is.
func (s *Service) ingestImage(ctx context.Context, src io.ReaderAt, size int64) (_ *ingested, err error) {
	release, err := s.admit(ctx, light, media.MemoryNeeded(src, size))
	if err != nil {
		return nil, err
	}
	defer release()
	in := &ingested{kind: chatpic.Image}
	defer func() {
		if err != nil {
			in.Close()
		}
	}()
	if in.clean, err = s.createTemp("clean-*"); err != nil {
		return nil, err
	}
	res, err := media.Process(ctx, src, size, s.tempFile("clean", in.clean), &in.thumb, s.cfg.Media)
	if err != nil {
		return nil, storageErr(err, "writing the cleaned file")
	}
	in.fromPicture(res)
	in.sha256, in.size = res.SHA256, res.Bytes
	return in, nil
}

func (in *ingested) fromPicture(res media.Result) {
	in.mime, in.ext = res.Format.MIME(), res.Format.Ext()
	in.thumbExt, in.thumbMIME = res.ThumbFormat.Ext(), res.ThumbFormat.MIME()
	in.width, in.height, in.frames = res.Width, res.Height, res.Frames
	in.pdq, in.pdqQuality, in.dihedral = res.PDQ, res.PDQQuality, res.PDQDihedral
}

// ingestHEIF converts a HEIC or AVIF picture to a format every browser
// shows: a worker decodes its pixels (the right way up) and writes them
// again as a JPEG (or a PNG if it has transparency) carrying only its colour
// profile, so none of the container's metadata items survives. The result
// then passes the same pipeline as any JPEG or PNG upload.
func (s *Service) ingestHEIF(ctx context.Context, spool *os.File, size int64) (*ingested, error) {
	if s.cfg.Codecs == nil {
		return nil, errNoHEIF
	}
	conv, err := s.convertHEIF(ctx, spool, size)
	if err != nil {
		return nil, err
	}
	defer removeTemp(conv)
	st, err := conv.Stat()
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	return s.ingestImage(ctx, conv, st.Size())
}

// convertHEIF has a worker convert the picture, and returns the converted
// file, which the caller removes.
func (s *Service) convertHEIF(ctx context.Context, spool *os.File, size int64) (_ *os.File, err error) {
	info, err := heif.Probe(spool, size)
	if err != nil {
		return nil, err
	}
	maxPixels := s.cfg.Media.MaxPixels
	if maxPixels <= 0 {
		maxPixels = media.DefaultLimits().MaxPixels
	}
	if px := int64(info.Width) * int64(info.Height); px > maxPixels {
		return nil, chatpic.Errorf(chatpic.KindTooLarge, "pictures are limited to %s megapixels (this one is %s)",
			megapixels(maxPixels), megapixels(px))
	}
	need := heifMemory(info)
	if need > s.mem.capacity(heavy) {
		e := chatpic.Errorf(chatpic.KindTooLarge, "this %s picture is too large for this server to decode (%s megapixels)",
			strings.ToUpper(info.Format), megapixels(int64(info.Width)*int64(info.Height)))
		e.Err = fmt.Errorf("posting: decoding needs about %d MB, the most one decode may have is %d MB", need>>20, s.mem.capacity(heavy)>>20)
		return nil, e
	}
	release, err := s.admit(ctx, heavy, need)
	if err != nil {
		return nil, err
	}
	defer release()
	conv, err := s.createTemp("convert-*")
	if err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			removeTemp(conv)
		}
	}()
	_, err = s.cfg.Codecs.ConvertHEIF(ctx, spool.Name(), conv.Name(), maxPixels,
		worker.Limits{Deadline: s.deadline(size), Memory: need})
	if err != nil {
		return nil, s.workerErr(ctx, err, "converting the picture")
	}
	return conv, nil
}

// ingestVideo has a worker remux the clip without its container metadata
// (see video.Runner.Process), and makes the thumbnail and hash from its
// poster frame.
func (s *Service) ingestVideo(ctx context.Context, spool *os.File, size int64) (_ *ingested, err error) {
	if !s.takesVideo() {
		return nil, errNoVideo
	}
	dir, err := os.MkdirTemp(s.cfg.TempDir, "video-*")
	if err != nil {
		return nil, storageErr(chatpic.Internal(fmt.Errorf("posting: temp dir: %w", err)), "making a folder for the clip")
	}
	defer os.RemoveAll(dir)
	dst, poster := filepath.Join(dir, "clip"), filepath.Join(dir, "poster.png")
	res, err := s.processVideo(ctx, spool.Name(), dst, poster, size)
	if err != nil {
		return nil, err
	}

	format, ok := media.Lookup(media.Format(res.Container))
	if !ok || format.Kind != chatpic.Video || format.Ext == "" {
		return nil, chatpic.Internal(fmt.Errorf("posting: the worker made a clip in %q, which chatpic does not serve", res.Container))
	}
	in := &ingested{kind: chatpic.Video, mime: format.MIME, ext: format.Ext,
		width: res.Width, height: res.Height, duration: res.Duration}
	defer func() {
		if err != nil {
			in.Close()
		}
	}()
	// The clean file moves out of the temporary folder, which is removed.
	if in.clean, err = s.createTemp("clean-*"); err != nil {
		return nil, err
	}
	src, err := os.Open(dst)
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	sum := sha256.New()
	in.size, err = io.Copy(io.MultiWriter(s.tempWriter("clean", in.clean), sum), src)
	src.Close()
	if err != nil {
		return nil, storageErr(chatpic.Internal(fmt.Errorf("posting: copy clip: %w", err)), "writing the cleaned clip")
	}
	copy(in.sha256[:], sum.Sum(nil))

	pf, err := os.Open(poster)
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	defer pf.Close()
	st, err := pf.Stat()
	if err != nil {
		return nil, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	// The poster is processed in memory: it is small (a frame as PNG).
	release, err := s.admit(ctx, light, media.MemoryNeeded(pf, st.Size())+2*st.Size())
	if err != nil {
		return nil, err
	}
	defer release()
	pic, err := media.Process(ctx, pf, st.Size(), io.Discard, &in.thumb, s.cfg.Media)
	if err != nil {
		return nil, err
	}
	in.thumbExt, in.thumbMIME = pic.ThumbFormat.Ext(), pic.ThumbFormat.MIME()
	in.pdq, in.pdqQuality, in.dihedral = pic.PDQ, pic.PDQQuality, pic.PDQDihedral
	return in, nil
}

// processVideo runs the video job in a worker once memory is free for it.
func (s *Service) processVideo(ctx context.Context, src, dst, poster string, size int64) (video.Result, error) {
	need := min(VideoMemory, s.mem.capacity(heavy))
	release, err := s.admit(ctx, heavy, need)
	if err != nil {
		return video.Result{}, err
	}
	defer release()
	res, err := s.cfg.Codecs.ProcessVideo(ctx, src, dst, poster, s.cfg.VideoLimits,
		worker.Limits{Deadline: s.deadline(size), Memory: need})
	if err != nil {
		return video.Result{}, s.workerErr(ctx, err, "processing the clip")
	}
	return res, nil
}

// deadline is how long decoding a file of size bytes may take.
func (s *Service) deadline(size int64) time.Duration {
	const per = 10_000_000
	return s.cfg.DecodeTimeout * time.Duration(1+max(size-1, 0)/per)
}

// workerErr turns the context's error, when the uploader went away, into an
// internal error, and marks a worker that ran out of space.
func (s *Service) workerErr(ctx context.Context, err error, stage string) error {
	if ctx.Err() != nil {
		return chatpic.Internal(fmt.Errorf("posting: %s: %w", stage, err))
	}
	return storageErr(err, stage)
}

// Memory estimates for heavy work, charged against the budget and passed to
// the worker as its expected peak (see worker.Limits.Memory). The HEIF
// decoders keep several copies of the picture (the coded data, the decoded
// planes, the RGB output, the JPEG being written). Measured with 12- and
// 24-megapixel pictures, a worker's resident memory peaks at 60-100 MB (the
// compiled decoders) plus 14-20 bytes per pixel for HEIC (and 4 more for
// the colour conversion) and 30-40 for AVIF
// (libaom keeps more frames), depending on how soon garbage is collected.
const (
	heifBase     = 96 << 20
	heicPerPixel = 23 // with the RGBA the planes are converted into
	avifPerPixel = 40
	// VideoMemory is charged for one video job: the compiled ffmpeg
	// (about 150 MB resident) and the frames it decodes for the poster.
	VideoMemory = 448 << 20
)

func heifMemory(info heif.Info) int64 {
	per := int64(heicPerPixel)
	if info.Format == heif.AVIF {
		per = avifPerPixel
	}
	px := int64(info.Width) * int64(info.Height)
	n := heifBase + per*max(info.Coded, px)
	if info.Depth > 8 {
		n += 16 * px // the decoders' 16-bit planes and output, before they become 8-bit
	}
	if info.Alpha {
		n += 8 * px // the colour and alpha planes combined, and the PNG written from them
	}
	return n
}

// lightReserve is the part of the memory budget that heavy work never
// takes, so that pictures decoded in this process always find room.
func lightReserve(total int64) int64 {
	return max(total/10, 64<<20)
}

// maxHeavyWaiting bounds the heavy queue: past it uploads that need a
// worker are refused at once rather than held for minutes.
const maxHeavyWaiting = 32

// retryBusy is the Retry-After of a refusal for lack of capacity.
const retryBusy = 30 * time.Second

// admit waits until n bytes of the memory budget are free for a job of
// class c (and, for light work, a CPU slot), and returns the function that
// gives them back. It refuses with KindUnavailable when the wait passes
// QueueTimeout or the heavy queue is full, and with KindInternal when ctx
// ends first (the uploader went away).
func (s *Service) admit(ctx context.Context, c class, n int64) (func(), error) {
	if c == heavy && s.mem.waiting(heavy) >= maxHeavyWaiting {
		return nil, busy(errors.New("posting: the queue for HEIC, AVIF and video is full"))
	}
	qctx, cancel := context.WithTimeout(ctx, s.cfg.QueueTimeout)
	defer cancel()
	release, err := s.mem.acquire(qctx, c, n)
	if err != nil {
		return nil, s.waitErr(ctx, err, "memory")
	}
	if c == heavy {
		return release, nil
	}
	select {
	case s.work <- struct{}{}:
	case <-qctx.Done():
		release()
		return nil, s.waitErr(ctx, qctx.Err(), "a CPU")
	}
	return func() {
		<-s.work
		release()
	}, nil
}

func (s *Service) waitErr(ctx context.Context, err error, what string) error {
	if ctx.Err() != nil {
		return chatpic.Internal(fmt.Errorf("posting: waiting for %s: %w", what, ctx.Err()))
	}
	return busy(fmt.Errorf("posting: waited %v for %s: %w", s.cfg.QueueTimeout, what, err))
}

func busy(cause error) error {
	e := chatpic.Unavailable(retryBusy, "the server is very busy processing uploads; try again in a minute")
	e.Err = cause
	return e
}

// createTemp creates a temporary file in the temporary folder.
func (s *Service) createTemp(pattern string) (*os.File, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, pattern)
	if err != nil {
		return nil, storageErr(chatpic.Internal(fmt.Errorf("posting: temp file: %w", err)), "creating a temporary file")
	}
	return f, nil
}

// tempWriter returns w, or in tests a writer that fails as failWrite says.
func (s *Service) tempWriter(stage string, w io.Writer) io.Writer {
	if s.failWrite == nil {
		return w
	}
	return failingWriter{w: w, err: func() error { return s.failWrite(stage) }}
}

// tempFile is tempWriter for a file that is read back.
func (s *Service) tempFile(stage string, f *os.File) media.File {
	if s.failWrite == nil {
		return f
	}
	return failingFile{File: f, failingWriter: failingWriter{w: f, err: func() error { return s.failWrite(stage) }}}
}

type failingWriter struct {
	w   io.Writer
	err func() error
}

func (f failingWriter) Write(p []byte) (int, error) {
	if err := f.err(); err != nil {
		return 0, err
	}
	return f.w.Write(p)
}

type failingFile struct {
	*os.File
	failingWriter
}

func (f failingFile) Write(p []byte) (int, error) { return f.failingWriter.Write(p) }

// mediaStoreErr returns err, from the blob store while doing what, as an
// internal error marked as the media store's (see chatpic.ErrorSource).
func mediaStoreErr(what string, err error) error {
	return chatpic.Internal(chatpic.Source(fmt.Errorf("posting: %s: %w", what, err), chatpic.ErrMediaStore))
}

// storageErr returns err as a KindStorageFull error naming stage when it
// comes from a full disk or a store refusing space, and err otherwise.
func storageErr(err error, stage string) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, syscall.ENOSPC) || errors.Is(err, syscall.EDQUOT) {
		return chatpic.StorageFull(fmt.Errorf("posting: %s: %w", stage, err))
	}
	if chatpic.ErrorKind(err) == chatpic.KindStorageFull {
		if e, ok := errors.AsType[*chatpic.Error](err); ok && e.Err != nil {
			return chatpic.StorageFull(fmt.Errorf("posting: %s: %w", stage, e.Err))
		}
		return chatpic.StorageFull(fmt.Errorf("posting: %s: %w", stage, err))
	}
	return err
}

// megapixels formats a pixel count in megapixels, with one decimal below
// 10.
func megapixels(n int64) string {
	mp := float64(n) / 1e6
	if mp >= 10 {
		return fmt.Sprintf("%.0f", mp)
	}
	return fmt.Sprintf("%.1f", mp)
}
