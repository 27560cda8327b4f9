package posting

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/blob"
	"github.com/chatpic/chatpic/internal/heif"
	"github.com/chatpic/chatpic/internal/media"
	"github.com/chatpic/chatpic/internal/video"
)

// Share is what was shared to the site from another app (the web app's
// share target): one file, or several to post together, held as they
// arrived until they are posted or chatpic.ShareHold runs out. Nobody but
// whoever holds its ID can reach them, and they are never shown to anyone
// else: they are not scrubbed yet.
type Share struct {
	ID string
	// Files are the held files, in the order they were shared.
	Files []SharedFile
	// ExpiresAt is when the share stops being held.
	ExpiresAt time.Time
}

// SharedFile is one held file of a share.
type SharedFile struct {
	// Format is what the file's first bytes say it is.
	Format media.FormatInfo
	Size   int64
}

// Hold keeps the spooled files (1 to chatpic.MaxFiles) as one share for
// chatpic.ShareHold, in the blob store so that any instance can post
// them. The type of each comes from its bytes: if any is not a picture
// (or a video, when the service takes them), the share is refused with
// KindUnsupported, naming each such file as an upload of them would.
// Nothing of the request (a file name, the client) is kept. The caller
// still closes the files.
func (s *Service) Hold(ctx context.Context, files []*Spooled) (Share, error) {
	switch {
	case len(files) == 0 || files[0] == nil || files[0].f == nil:
		return Share{}, chatpic.Errorf(chatpic.KindInvalid, "choose a file to share")
	case len(files) > chatpic.MaxFiles:
		return Share{}, chatpic.Errorf(chatpic.KindInvalid, "share at most %d files at once", chatpic.MaxFiles)
	}
	sh := Share{ExpiresAt: s.Now().Add(chatpic.ShareHold).Truncate(time.Second)}
	var refused refusals
	for i, sp := range files {
		info, err := s.sniffShare(io.NewSectionReader(sp.f, 0, sp.size))
		if err != nil {
			refused.add(i+1, err)
			continue
		}
		sh.Files = append(sh.Files, SharedFile{Format: info, Size: sp.size})
	}
	if err := refused.err(len(files)); err != nil {
		s.refused(err)
		return Share{}, err
	}
	sh.ID = chatpic.NewShareID(sh.ExpiresAt, len(files))
	for i, sp := range files {
		key := chatpic.ShareKey(sh.ID, i+1)
		if _, err := s.blobs.Put(ctx, key, io.NewSectionReader(sp.f, 0, sp.size), sh.Files[i].Format.MIME); err != nil {
			s.releaseShare(context.WithoutCancel(ctx), sh.ID)
			return Share{}, storageErr(mediaStoreErr("hold a share", err), "holding the shared file")
		}
	}
	return sh, nil
}

// Shared returns the held share id, with what each of its files is.
// Errors: KindNotFound when there is no such share, or its time ran out
// (even if the sweep has not removed it yet).
func (s *Service) Shared(ctx context.Context, id string) (Share, error) {
	expires, files, err := s.shareLive(id)
	if err != nil {
		return Share{}, err
	}
	sh := Share{ID: id, ExpiresAt: expires}
	for n := 1; n <= files; n++ {
		f, obj, err := s.openShared(ctx, id, n)
		if err != nil {
			return Share{}, err
		}
		obj.Close()
		sh.Files = append(sh.Files, f)
	}
	return sh, nil
}

// OpenShare returns the nth file (counting from 1) of the held share id,
// and the file's bytes, which the caller closes. Errors are as Shared's.
func (s *Service) OpenShare(ctx context.Context, id string, n int) (SharedFile, blob.Object, error) {
	_, files, err := s.shareLive(id)
	if err != nil {
		return SharedFile{}, nil, err
	}
	if n < 1 || n > files {
		return SharedFile{}, nil, errNoShare
	}
	return s.openShared(ctx, id, n)
}

// shareLive reads the share ID and refuses one whose time ran out.
func (s *Service) shareLive(id string) (time.Time, int, error) {
	expires, files, ok := chatpic.ParseShareID(id)
	switch {
	case !ok:
		return time.Time{}, 0, errNoShare
	case !s.Now().Before(expires):
		return time.Time{}, 0, errShareExpired
	}
	return expires, files, nil
}

func (s *Service) openShared(ctx context.Context, id string, n int) (SharedFile, blob.Object, error) {
	obj, err := s.blobs.Open(ctx, chatpic.ShareKey(id, n))
	if chatpic.ErrorKind(err) == chatpic.KindNotFound {
		return SharedFile{}, nil, errNoShare
	}
	if err != nil {
		return SharedFile{}, nil, mediaStoreErr("open a share", err)
	}
	info, err := s.sniffShare(obj)
	if err == nil {
		_, err = obj.Seek(0, io.SeekStart)
	}
	if err != nil {
		obj.Close()
		return SharedFile{}, nil, err
	}
	return SharedFile{Format: info, Size: obj.Info().Size}, obj, nil
}

// SpoolShare copies the files of the held share id into spooled files, in
// order, with the limits of Spool, so that Upload or UploadLinkOnly can
// post them as any other. Posting them releases the share (see
// settleShare). Errors: Shared's, Spool's; on error nothing is left
// spooled.
func (s *Service) SpoolShare(ctx context.Context, id string) ([]*Spooled, error) {
	_, files, err := s.shareLive(id)
	if err != nil {
		return nil, err
	}
	var out []*Spooled
	for n := 1; n <= files; n++ {
		sp, err := s.spoolShared(ctx, id, n)
		if err != nil {
			for _, sp := range out {
				sp.Close()
			}
			return nil, err
		}
		out = append(out, sp)
	}
	return out, nil
}

func (s *Service) spoolShared(ctx context.Context, id string, n int) (*Spooled, error) {
	_, obj, err := s.openShared(ctx, id, n)
	if err != nil {
		return nil, err
	}
	defer obj.Close()
	sp, err := s.Spool(obj)
	if err != nil {
		return nil, err
	}
	sp.share = id
	return sp, nil
}

// releaseShare deletes every held file of the share id. A failure is
// logged: the sweep (janitor) removes them when they expire.
func (s *Service) releaseShare(ctx context.Context, id string) {
	_, files, ok := chatpic.ParseShareID(id)
	if !ok {
		return
	}
	for n := 1; n <= files; n++ {
		if err := s.blobs.Delete(ctx, chatpic.ShareKey(id, n)); err != nil {
			s.log.Error("release a held share", "err", err)
		}
	}
}

// errNoShare and errShareExpired say that a share is not held.
var (
	errNoShare      = chatpic.Errorf(chatpic.KindNotFound, "no shared file is held at this address; share it again")
	errShareExpired = chatpic.Errorf(chatpic.KindNotFound,
		"the shared file waited more than %s and is gone; share it again", chatpic.ShareHold)
)

// errBannedFile is the cause of the refusal of a file whose hash is banned.
var errBannedFile = errors.New("posting: the file's hash is banned")

// settleShare releases the held share file came from, if any, once an
// upload of it ended with err: when it was posted, or refused for the
// file itself (too large, not a picture, unreadable, banned). A refusal
// that trying again may overcome (the form, the channel, a rate limit, a
// busy server, a proof of work that was wrong or stale) keeps it until it
// expires, so that the person can try again without sharing it again. A
// banned poster is refused before the share is read.
func (s *Service) settleShare(ctx context.Context, share string, err error) {
	if share == "" {
		return
	}
	switch k := chatpic.ErrorKind(err); {
	case k == "", k == chatpic.KindTooLarge, k == chatpic.KindUnsupported, k == chatpic.KindUnprocessable, errors.Is(err, errBannedFile):
		s.releaseShare(context.WithoutCancel(ctx), share)
	}
}

// sniffShare tells the format of a shared file from its first bytes, and
// refuses with KindUnsupported what an upload of it would be refused for
// its type.
func (s *Service) sniffShare(r io.Reader) (media.FormatInfo, error) {
	head := make([]byte, max(media.SniffLen, video.SniffLen, heif.SniffLen))
	n, err := io.ReadFull(r, head)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return media.FormatInfo{}, storageErr(chatpic.Internal(fmt.Errorf("posting: read a shared file: %w", err)), "reading the shared file")
	}
	head = head[:n]
	var f media.Format
	if h, ok := heif.Sniff(head); ok {
		if s.cfg.Codecs == nil {
			return media.FormatInfo{}, errNoHEIF
		}
		f = media.Format(h)
	} else if c, ok := video.Sniff(head); ok {
		if !s.takesVideo() {
			return media.FormatInfo{}, errNoVideo
		}
		f = map[string]media.Format{"mov": media.MOV, "webm": media.WebM, "matroska": media.WebM}[c]
		if f == "" {
			f = media.MP4
		}
	} else if f, err = media.Sniff(head); err != nil {
		return media.FormatInfo{}, refusal(err)
	}
	info, ok := media.Lookup(f)
	if !ok {
		return media.FormatInfo{}, notAccepted("")
	}
	return info, nil
}
