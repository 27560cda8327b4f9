package media

import (
	"image"
	"image/color"
	"io"

	"github.com/chatpic/chatpic/internal/jpeg"
)

// Fixed costs of Process besides the decoded frame and the thumbnail's
// resampling: read, write and compare buffers, the thumbnail's encoding.
const processOverhead = 2 << 20

// MemoryNeeded estimates, from the headers alone, the most memory Process
// holds at once for the file of size bytes in src when it writes to a File:
// one decoded frame, at the scale it is decoded (see Process), and buffers.
// For a file whose headers cannot be read (which Process will refuse) it
// returns the fixed costs. It reads at most the first few megabytes of src.
func MemoryNeeded(src io.ReaderAt, size int64) int64 {
	head := io.NewSectionReader(src, 0, min(size, 8<<20))
	if c, err := jpeg.DecodeConfig(head); err == nil {
		tw, th := fit(c.Width, c.Height, ThumbMax)
		s := jpeg.Scale(c, jpeg.Options{MinWidth: tw, MinHeight: th})
		return processOverhead + c.MemoryNeeded(s) + thumbMemory((c.Width+s-1)/s, (c.Height+s-1)/s, tw, th)
	}
	head.Seek(0, io.SeekStart)
	cfg, format, err := image.DecodeConfig(head)
	if err != nil {
		return processOverhead
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	tw, th := fit(cfg.Width, cfg.Height, ThumbMax)
	n := processOverhead + px*bytesPerPixel(format, cfg.ColorModel) + thumbMemory(cfg.Width, cfg.Height, tw, th)
	if format == "webp" {
		n += size // its decoder reads the whole bitstream first
	}
	return n
}

// thumbMemory bounds what thumbnail allocates to bring a decoded sw×sh
// frame to tw×th (see scaleInto): the block-averaged (or converted) RGBA
// copy, Catmull-Rom's buffer of four float64 per pixel of tw × its source
// height, and the thumbnail with its turned copy.
func thumbMemory(sw, sh, tw, th int) int64 {
	kx, ky := max(1, sw/max(tw, 1)), max(1, sh/max(th, 1))
	mw, mh := int64((sw+kx-1)/kx), int64((sh+ky-1)/ky)
	return 4*mw*mh + 32*int64(tw)*mh + 2*4*int64(tw)*int64(th)
}

// bytesPerPixel is what one decoded pixel of the format takes in the image
// type its decoder returns.
func bytesPerPixel(format string, m color.Model) int64 {
	switch format {
	case "gif":
		return 2 // the paletted frame, and the canvas it is drawn on
	}
	switch m {
	case color.GrayModel:
		return 1
	case color.Gray16Model:
		return 2
	case color.RGBA64Model, color.NRGBA64Model:
		return 8
	}
	return 4
}
