package posting

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/media"
)

// Created is the result of an upload: the new post, and the delete token,
// which is shown to the uploader once and never stored in plain form.
type Created struct {
	Post        chatpic.Post
	DeleteToken string
	Channel     chatpic.ChannelStats
}

// Spooled is an upload written to a temporary file as it arrived. Close
// removes the file; Upload does not.
type Spooled struct {
	f    *os.File
	size int64
}

// Size is the number of bytes spooled.
func (sp *Spooled) Size() int64 { return sp.size }

// Close removes the temporary file. It is safe to call more than once.
func (sp *Spooled) Close() error {
	if sp == nil || sp.f == nil {
		return nil
	}
	removeTemp(sp.f)
	sp.f = nil
	return nil
}

// Spool copies an uploaded file from r to a temporary file, refusing it with
// KindTooLarge as soon as it passes MaxBytes, so that no upload is ever held
// in memory whole. An error from r that is a *chatpic.Error (the transport's
// own body limit) is returned as it is; any other means the upload was cut
// off (KindInvalid). On error nothing is left behind; otherwise the caller
// closes the Spooled.
func (s *Service) Spool(r io.Reader) (*Spooled, error) {
	f, n, err := s.spool(r)
	if err != nil {
		if f != nil {
			removeTemp(f)
		}
		return nil, err
	}
	return &Spooled{f: f, size: n}, nil
}

// Upload checks, scrubs and posts a spooled file into the channel with the
// caption. The type comes from the bytes. Errors: KindNotFound (no such
// channel), KindInvalid (bad caption), KindTooLarge (a picture over a
// limit), KindUnsupported (not an accepted type), KindUnprocessable (does
// not decode or cannot be cleaned), KindInternal.
//
// Once the files are stored, the post is recorded even if ctx is cancelled,
// so an upload either fully lands or leaves nothing visible behind.
func (s *Service) Upload(ctx context.Context, slug, caption string, file *Spooled) (Created, error) {
	caption, err := chatpic.CleanCaption(caption)
	if err != nil {
		return Created{}, err
	}
	ch, err := s.Channel(ctx, slug)
	if err != nil {
		return Created{}, err
	}
	if file == nil || file.f == nil {
		return Created{}, chatpic.Errorf(chatpic.KindInvalid, "choose a file to upload")
	}
	spool, size := file.f, file.size
	head := make([]byte, media.SniffLen)
	n, _ := spool.ReadAt(head, 0)
	if _, err := media.Sniff(head[:n]); err != nil {
		return Created{}, err
	}

	clean, err := os.CreateTemp(s.cfg.TempDir, "clean-*")
	if err != nil {
		return Created{}, chatpic.Internal(fmt.Errorf("posting: temp file: %w", err))
	}
	defer removeTemp(clean)
	sum := sha256.New()
	var thumb bytes.Buffer
	res, err := s.process(ctx, spool, size, io.MultiWriter(clean, sum), &thumb)
	if err != nil {
		return Created{}, err
	}
	cleanSize, err := clean.Seek(0, io.SeekCurrent)
	if err != nil {
		return Created{}, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}

	now := s.Now()
	token, tokenHash := chatpic.NewToken()
	p := chatpic.Post{
		ID:              chatpic.NewID(),
		Channel:         ch.Slug,
		Caption:         caption,
		Kind:            chatpic.Image,
		Frames:          res.Frames,
		MIME:            res.Format.MIME(),
		Ext:             res.Format.Ext(),
		ThumbExt:        res.ThumbFormat.Ext(),
		Width:           res.Width,
		Height:          res.Height,
		Bytes:           cleanSize,
		CreatedAt:       now.Truncate(time.Millisecond),
		ExpiresAt:       ch.ExpiresAt(now.Truncate(time.Millisecond)),
		DeleteTokenHash: tokenHash,
	}
	copy(p.SHA256[:], sum.Sum(nil))
	p.PDQ, p.PDQQuality = res.PDQ[:], res.PDQQuality

	// From here on the work is committed to: finish it even if the client
	// goes away, so no file is left without its row or the other way round.
	ctx = context.WithoutCancel(ctx)
	if _, err := clean.Seek(0, io.SeekStart); err != nil {
		return Created{}, chatpic.Internal(fmt.Errorf("posting: %w", err))
	}
	if _, err := s.blobs.Put(ctx, p.MediaKey(), clean); err != nil {
		return Created{}, chatpic.Internal(fmt.Errorf("posting: store media: %w", err))
	}
	if _, err := s.blobs.Put(ctx, p.ThumbKey(), &thumb); err != nil {
		s.removeFiles(ctx, p)
		return Created{}, chatpic.Internal(fmt.Errorf("posting: store thumbnail: %w", err))
	}
	p, evicted, err := s.store.CreatePost(ctx, p, now)
	if err != nil {
		s.removeFiles(ctx, p)
		return Created{}, err
	}
	s.log.Info("post created", "post", p.ID, "channel", p.Channel, "mime", p.MIME, "bytes", p.Bytes, "evicted", len(evicted))
	s.removeFiles(ctx, evicted...)
	ch.Count = min(ch.Count+1, ch.Capacity)
	return Created{Post: p, DeleteToken: token, Channel: ch}, nil
}

// spool copies file into a temporary file, refusing it as soon as it passes
// MaxBytes. The caller removes the returned file, which may be non-nil even
// with an error.
func (s *Service) spool(file io.Reader) (*os.File, int64, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, "upload-*")
	if err != nil {
		return nil, 0, chatpic.Internal(fmt.Errorf("posting: temp file: %w", err))
	}
	n, err := io.Copy(f, io.LimitReader(file, s.cfg.MaxBytes+1))
	switch {
	case n > s.cfg.MaxBytes:
		return f, n, chatpic.Errorf(chatpic.KindTooLarge, "files are limited to %s", chatpic.FormatSize(s.cfg.MaxBytes))
	case err != nil:
		// The transport reports its own limits as *chatpic.Error; anything
		// else means the body was cut off.
		if _, ok := errors.AsType[*chatpic.Error](err); ok {
			return f, n, err
		}
		return f, n, chatpic.Errorf(chatpic.KindInvalid, "the upload was cut off before the end of the file")
	case n == 0:
		return f, n, chatpic.Errorf(chatpic.KindInvalid, "the file is empty")
	}
	return f, n, nil
}

// process runs the media pipeline under the work semaphore.
func (s *Service) process(ctx context.Context, src *os.File, size int64, out, thumb io.Writer) (media.Result, error) {
	select {
	case s.work <- struct{}{}:
	case <-ctx.Done():
		return media.Result{}, chatpic.Internal(fmt.Errorf("posting: waiting for a worker: %w", ctx.Err()))
	}
	defer func() { <-s.work }()
	return media.Process(ctx, src, size, out, thumb, s.cfg.Media)
}

func removeTemp(f *os.File) {
	f.Close()
	os.Remove(f.Name())
}
