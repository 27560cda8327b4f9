package media

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"

	"github.com/chatpic/chatpic"
	"github.com/chatpic/chatpic/internal/pdq"
)

// Process reads an upload of size bytes from src, writes the scrubbed,
// verified media file to media and a thumbnail to thumb, and describes
// both.
//
// The format comes from the bytes (see Sniff). The media file is the
// upload with its metadata removed at the container level; the picture
// itself is never re-encoded. The scrubbed bytes are walked again to verify
// that only allowed parts remain, and decoded: the thumbnail is made from
// them, not from the upload. A JPEG is decoded at the smallest scale (1/2,
// 1/4 or 1/8, from the DCT coefficients, every one of which is still
// checked) that still covers the thumbnail. For animations only the first
// frame is decoded (it is the thumbnail); the other frames are checked for
// structure and limits. The thumbnail carries the picture's colour profile
// when it is an RGB one.
//
// When media is a File (an empty temporary file, say) the scrubbed file is
// written to it once and read back from it, so the file is never held in
// memory; any other writer gets it at the end, from a copy in memory.
//
// Errors are *chatpic.Error: KindUnsupported if the file is not an accepted
// format; KindTooLarge if its headers are over a bound of lim (decided
// before any pixel is decoded); KindUnprocessable if it is truncated,
// corrupt, does not decode (a panicking decoder included), or cannot be
// scrubbed and verified; KindInternal if reading src or writing media or
// thumb fails (wrapping the cause, so a full disk can be told), or ctx is
// done. On error the caller must discard whatever was written to media and
// thumb.
//
// Process holds one decoded frame in memory (see MemoryNeeded). It is
// safe for concurrent use; callers bound the concurrency.
func Process(ctx context.Context, src io.ReaderAt, size int64, media, thumb io.Writer, lim Limits) (Result, error) {
	lim = lim.withDefaults()
	if err := ctx.Err(); err != nil {
		return Result{}, cancelled(err)
	}
	head := make([]byte, min(max(size, 0), SniffLen))
	if err := readAt(src, size, head, 0); err != nil {
		return Result{}, classify(err)
	}
	f, err := Sniff(head)
	if err != nil {
		return Result{}, err
	}

	out, direct := media.(File)
	var inMemory *memFile
	if !direct {
		inMemory = &memFile{}
		inMemory.Grow(int(min(size, 1<<30)) + 64)
		out = inMemory
	}
	cw := &countingWriter{w: out, h: sha256.New()}
	info, err := walkers[f](src, size, cw, lim, false)
	if err != nil {
		return Result{}, classify(err)
	}
	if err := ctx.Err(); err != nil {
		return Result{}, cancelled(err)
	}

	// A clean output is a fixed point: walked again in strict mode, which
	// refuses anything it would drop, it must come out byte for byte the
	// same and describe the same picture.
	cmp := &compareWriter{want: out, size: cw.n}
	check, err := walkers[f](out, cw.n, cmp, lim, true)
	switch {
	case err != nil:
	case !cmp.done():
		err = errMismatch
	case check.width != info.width || check.height != info.height ||
		check.frames != info.frames || check.orientation != info.orientation:
		err = fmt.Errorf("media: verification read %+v, scrub read %+v", check, info)
	}
	if err != nil {
		if _, ok := errors.AsType[*chatpic.Error](err); ok && chatpic.ErrorKind(err) == chatpic.KindInternal {
			return Result{}, err // reading the output back failed
		}
		return Result{}, &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgNotCleaned, Err: err}
	}
	info.webp = check.webp // offsets into the output, for the decoder
	if err := ctx.Err(); err != nil {
		return Result{}, cancelled(err)
	}

	tw, th := fit(info.width, info.height, ThumbMax)
	img, at, err := decodeFirst(f, out, cw.n, info, lim, decodeSize(info, tw, th))
	if err != nil {
		return Result{}, err
	}
	if err := ctx.Err(); err != nil {
		return Result{}, cancelled(err)
	}
	hashes, quality := hashFrame(img, at, info.width, info.height)
	t := thumbnail(img, at, info.width, info.height, info.orientation)
	img = nil
	tf, err := encodeThumb(thumb, t, info.icc)
	if err != nil {
		return Result{}, chatpic.Internal(fmt.Errorf("media: writing thumbnail: %w", err))
	}
	if err := ctx.Err(); err != nil {
		return Result{}, cancelled(err)
	}
	if !direct {
		if _, err := media.Write(inMemory.Bytes()); err != nil {
			return Result{}, chatpic.Internal(fmt.Errorf("media: writing media: %w", err))
		}
	}

	r := Result{
		Format: f, Width: info.width, Height: info.height, Frames: info.frames,
		ThumbFormat: tf, ThumbWidth: t.Rect.Dx(), ThumbHeight: t.Rect.Dy(),
		Bytes: cw.n,
	}
	cw.h.Sum(r.SHA256[:0])
	// See pdq.go for which pixels are hashed, and why not the thumbnail's.
	r.PDQDihedral, r.PDQQuality = hashes, quality
	r.PDQ = hashes[pdq.Original]
	if info.orientation >= 5 {
		r.Width, r.Height = r.Height, r.Width
	}
	return r, nil
}

// classify returns err if it is a *chatpic.Error and an internal error
// wrapping it otherwise (a failed read of the spooled upload).
func classify(err error) error {
	if _, ok := errors.AsType[*chatpic.Error](err); ok {
		return err
	}
	return chatpic.Internal(fmt.Errorf("media: %w", err))
}

func cancelled(err error) error {
	return chatpic.Internal(fmt.Errorf("media: processing stopped: %w", err))
}
