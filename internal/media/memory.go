package media

import (
	"image"
	"image/color"
	"io"
)

// Fixed costs of Process besides the file and the decoded frame: the
// thumbnail (at most 512×512, resampled through float rows) and its
// encoding.
const processOverhead = 8 << 20

// MemoryNeeded estimates, from the headers alone, the most memory Process
// holds at once for the file of size bytes in src: the scrubbed copy of the
// file and one decoded frame, at the size it is decoded. For a file whose
// headers cannot be read (which Process will refuse) it returns the cost of
// the file alone. It reads at most the first few megabytes of src.
func MemoryNeeded(src io.ReaderAt, size int64) int64 {
	base := processOverhead + 2*max(size, 0)
	cfg, format, err := image.DecodeConfig(io.NewSectionReader(src, 0, min(size, 8<<20)))
	if err != nil {
		return base
	}
	px := int64(cfg.Width) * int64(cfg.Height)
	return base + px*bytesPerPixel(format, cfg.ColorModel)
}

// bytesPerPixel is what one decoded pixel of the format takes in the image
// type its decoder returns.
func bytesPerPixel(format string, m color.Model) int64 {
	switch format {
	case "jpeg":
		if m == color.CMYKModel {
			return 4
		}
		return 3 // YCbCr planes, at most 4:4:4
	case "gif":
		return 1 // paletted
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
