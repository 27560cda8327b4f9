package media

import (
	"fmt"
	"io"
)

// scrubbed describes a file as its walker read it from the headers.
type scrubbed struct {
	width, height int // the stored canvas, before orientation
	frames        int
	orientation   int    // EXIF orientation 1..8; always 1 except for JPEG
	icc           []byte // the colour profile, if whole, for the thumbnail
	webp          webpLayout
}

// walkFunc scrubs one format. It reads the upload from src, writes only the
// parts that are kept to w, and describes the file. Header values are
// checked against lim before anything is decoded. In strict mode it refuses
// instead of dropping: it is used to verify a scrubbed output, which must
// pass unchanged.
type walkFunc func(src io.ReaderAt, size int64, w io.Writer, lim Limits, strict bool) (scrubbed, error)

var walkers = map[Format]walkFunc{
	JPEG: scrubJPEG,
	PNG:  scrubPNG,
	GIF:  scrubGIF,
	WebP: scrubWebP,
}

// strictErr reports what the verifier found in a scrubbed output.
func strictErr(what string) error {
	return fmt.Errorf("media: verification found %s", what)
}
