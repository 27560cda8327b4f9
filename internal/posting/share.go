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

// Share is a file shared to the site from another app (the web app's share
// target), held as it arrived until it is posted or chatpic.ShareHold runs
// out. Nobody but whoever holds its ID can reach it, and it is never shown
// to anyone else: it is not scrubbed yet.
type Share struct {
	ID string
	// Format is what the file's first bytes say it is.
	Format media.FormatInfo
	Size   int64
	// ExpiresAt is when the share stops being held.
	ExpiresAt time.Time
}

// Hold keeps the spooled file as a share for chatpic.ShareHold, in the blob
// store so that any instance can post it. The type comes from the bytes:
// what is not a picture (or a video, when the service takes them) is
// refused with KindUnsupported, as an upload of it would be. Nothing of
// the request (a file name, the client) is kept with it. The caller still
// closes sp.
func (s *Service) Hold(ctx context.Context, sp *Spooled) (Share, error) {
	if sp == nil || sp.f == nil {
		return Share{}, chatpic.Errorf(chatpic.KindInvalid, "choose a file to share")
	}
	info, err := s.sniffShare(io.NewSectionReader(sp.f, 0, sp.size))
	if err != nil {
		s.refused(err)
		return Share{}, err
	}
	sh := Share{Format: info, Size: sp.size, ExpiresAt: s.Now().Add(chatpic.ShareHold).Truncate(time.Second)}
	sh.ID = chatpic.NewShareID(sh.ExpiresAt)
	if _, err := s.blobs.Put(ctx, chatpic.ShareKey(sh.ID), io.NewSectionReader(sp.f, 0, sp.size), info.MIME); err != nil {
		return Share{}, storageErr(mediaStoreErr("hold a share", err), "holding the shared file")
	}
	return sh, nil
}

// OpenShare returns the held share id and its file, which the caller
// closes. Errors: KindNotFound when there is no such share, or its time ran
// out (even if the sweep has not removed it yet).
func (s *Service) OpenShare(ctx context.Context, id string) (Share, blob.Object, error) {
	expires, ok := chatpic.ParseShareID(id)
	if !ok {
		return Share{}, nil, errNoShare
	}
	if !s.Now().Before(expires) {
		return Share{}, nil, errShareExpired
	}
	obj, err := s.blobs.Open(ctx, chatpic.ShareKey(id))
	if chatpic.ErrorKind(err) == chatpic.KindNotFound {
		return Share{}, nil, errNoShare
	}
	if err != nil {
		return Share{}, nil, mediaStoreErr("open a share", err)
	}
	info, err := s.sniffShare(obj)
	if err == nil {
		_, err = obj.Seek(0, io.SeekStart)
	}
	if err != nil {
		obj.Close()
		return Share{}, nil, err
	}
	return Share{ID: id, Format: info, Size: obj.Info().Size, ExpiresAt: expires}, obj, nil
}

// SpoolShare copies the held share id into a spooled file, with the limits
// of Spool, so that Upload or UploadLinkOnly can post it as any other.
// Posting it releases the share (see settleShare). Errors: OpenShare's,
// Spool's.
func (s *Service) SpoolShare(ctx context.Context, id string) (*Spooled, error) {
	_, obj, err := s.OpenShare(ctx, id)
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

// errNoShare and errShareExpired say that a share is not held.
var (
	errNoShare      = chatpic.Errorf(chatpic.KindNotFound, "no shared file is held at this address; share it again")
	errShareExpired = chatpic.Errorf(chatpic.KindNotFound,
		"the shared file waited more than %d minutes and is gone; share it again", int(chatpic.ShareHold.Minutes()))
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
func (s *Service) settleShare(ctx context.Context, file *Spooled, err error) {
	if file == nil || file.share == "" {
		return
	}
	switch k := chatpic.ErrorKind(err); {
	case k == "", k == chatpic.KindTooLarge, k == chatpic.KindUnsupported, k == chatpic.KindUnprocessable, errors.Is(err, errBannedFile):
		if err := s.blobs.Delete(context.WithoutCancel(ctx), chatpic.ShareKey(file.share)); err != nil {
			// The sweep (janitor) removes it when it expires.
			s.log.Error("release a held share", "err", err)
		}
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
		return media.FormatInfo{}, chatpic.Errorf(chatpic.KindUnsupported, "this file is not something %s", accepted())
	}
	return info, nil
}
