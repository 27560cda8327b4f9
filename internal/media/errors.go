package media

import (
	"errors"
	"fmt"
	"io"
	"strconv"

	"github.com/chatpic/chatpic"
)

// Messages shown to uploaders. They are short and name no internals.
const (
	msgDamaged    = "this picture is damaged and could not be read"
	msgTruncated  = "this picture is incomplete: the file ends too early"
	msgNotCleaned = "this picture could not be cleaned of its metadata safely, so it was refused"
)

// damaged returns a KindUnprocessable error with the generic message and a
// cause for the logs.
func damaged(format string, args ...any) *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgDamaged, Err: fmt.Errorf(format, args...)}
}

// truncated returns the error for a file that ends in the middle of a
// structure.
func truncated() *chatpic.Error {
	return &chatpic.Error{Kind: chatpic.KindUnprocessable, Message: msgTruncated, Err: io.ErrUnexpectedEOF}
}

// errMismatch is returned by compareWriter when the re-scrubbed output
// differs from the first scrub.
var errMismatch = errors.New("media: scrubbing the output again changed it")

// readErr maps an error from reading the upload: running out of bytes means
// the file is truncated; anything else is our fault (the spool file failed).
func readErr(err error) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return truncated()
	}
	return err
}

// megapixels formats a pixel count in megapixels, with one decimal below 10.
func megapixels(n int64) string {
	mp := float64(n) / 1e6
	if mp >= 10 || n%1_000_000 == 0 {
		return strconv.FormatInt((n+500_000)/1_000_000, 10)
	}
	return strconv.FormatFloat(mp, 'f', 1, 64)
}

// budget enforces Limits while a walker reads headers, before any pixel is
// decoded.
type budget struct {
	lim    Limits
	canvas int64 // width*height of the canvas
	frames int
}

// newBudget checks the canvas dimensions w x h against the per-frame limit.
func newBudget(lim Limits, w, h int64) (*budget, error) {
	if w <= 0 || h <= 0 {
		return nil, damaged("media: canvas is %dx%d", w, h)
	}
	if err := checkPixels(lim, w, h); err != nil {
		return nil, err
	}
	return &budget{lim: lim, canvas: w * h}, nil
}

// checkPixels checks one frame of w x h pixels against MaxPixels. Headers
// hold at most 31 bits per dimension, so w*h cannot overflow.
func checkPixels(lim Limits, w, h int64) error {
	if n := w * h; n > lim.MaxPixels {
		return chatpic.Errorf(chatpic.KindTooLarge, "pictures are limited to %s megapixels (this one is %s)",
			megapixels(lim.MaxPixels), megapixels(n))
	}
	return nil
}

// frame counts one more animation frame and checks the frame and total
// limits. Each frame is charged the whole canvas, since that is what a
// viewer composites.
func (b *budget) frame() error {
	b.frames++
	if b.frames > b.lim.MaxFrames {
		return b.tooManyFrames()
	}
	if int64(b.frames)*b.canvas > b.lim.MaxTotalPixels {
		return chatpic.Errorf(chatpic.KindTooLarge, "animations are limited to %s megapixels across all frames (this one has more)",
			megapixels(b.lim.MaxTotalPixels))
	}
	return nil
}

// tooManyFrames returns the error for an animation over MaxFrames.
func (b *budget) tooManyFrames() error {
	return chatpic.Errorf(chatpic.KindTooLarge, "animations are limited to %d frames (this one has more)", b.lim.MaxFrames)
}
