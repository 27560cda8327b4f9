package media

import (
	"bytes"
	"encoding/binary"
	"io"
)

// GIF block introducers and extension labels.
const (
	gifExtension  = 0x21
	gifImage      = 0x2C
	gifTrailer    = 0x3B
	gifGraphicCtl = 0xF9
	gifPlainText  = 0x01
	gifComment    = 0xFE
	gifAppExt     = 0xFF
)

// scrubGIF walks the blocks of a GIF and writes to w the header, logical
// screen, colour tables, images with their graphic control extensions, a
// canonical looping extension and the trailer. Comments, plain text, other
// application extensions (XMP among them) and bytes after the trailer are
// dropped. Frames are counted against lim as they are met.
func scrubGIF(src io.ReaderAt, size int64, w io.Writer, lim Limits, strict bool) (scrubbed, error) {
	s := newStream(src, size)
	var info scrubbed
	var head [13]byte
	if err := s.readFull(head[:]); err != nil {
		return info, err
	}
	if v := string(head[:6]); v != "GIF87a" && v != "GIF89a" {
		return info, damaged("gif: bad header")
	}
	info.width = int(binary.LittleEndian.Uint16(head[6:8]))
	info.height = int(binary.LittleEndian.Uint16(head[8:10]))
	b, err := newBudget(lim, int64(info.width), int64(info.height))
	if err != nil {
		return info, err
	}
	if _, err := w.Write(head[:]); err != nil {
		return info, err
	}
	if err := copyColorTable(s, w, head[10]); err != nil {
		return info, err
	}
	var gce []byte // a graphic control extension waiting for its image
	for {
		intro, err := s.readByte()
		if err != nil {
			return info, err
		}
		switch intro {
		case gifTrailer:
			if info.frames == 0 {
				return info, damaged("gif: no image")
			}
			if strict && (gce != nil || s.remaining() > 0) {
				return info, strictErr("data after the last image")
			}
			_, err := w.Write([]byte{gifTrailer})
			return info, err
		case gifImage:
			var d [9]byte
			if err := s.readFull(d[:]); err != nil {
				return info, err
			}
			x, y := binary.LittleEndian.Uint16(d[0:2]), binary.LittleEndian.Uint16(d[2:4])
			fw, fh := binary.LittleEndian.Uint16(d[4:6]), binary.LittleEndian.Uint16(d[6:8])
			if int(x)+int(fw) > info.width || int(y)+int(fh) > info.height {
				return info, damaged("gif: frame outside the logical screen")
			}
			info.frames++
			if err := b.frame(); err != nil {
				return info, err
			}
			if _, err := w.Write(append(append(gce, gifImage), d[:]...)); err != nil {
				return info, err
			}
			gce = nil
			if err := copyColorTable(s, w, d[8]); err != nil {
				return info, err
			}
			if err := s.copy(w, 1); err != nil { // LZW minimum code size
				return info, err
			}
			if err := subBlocks(s, w); err != nil {
				return info, err
			}
		case gifExtension:
			label, err := s.readByte()
			if err != nil {
				return info, err
			}
			if gce, err = gifExt(s, label, gce, w, strict); err != nil {
				return info, err
			}
		default:
			return info, damaged("gif: unknown block %#x", intro)
		}
	}
}

// gifExt handles one extension whose label has been read. It returns the
// graphic control extension now waiting for the next image.
func gifExt(s *stream, label byte, gce []byte, w io.Writer, strict bool) ([]byte, error) {
	switch label {
	case gifGraphicCtl:
		var buf bytes.Buffer
		if err := subBlocks(s, &buf); err != nil {
			return nil, err
		}
		if buf.Len() != 6 || buf.Bytes()[0] != 4 {
			return nil, damaged("gif: bad graphic control extension")
		}
		if strict && gce != nil {
			return nil, strictErr("two graphic control extensions")
		}
		return append([]byte{gifExtension, gifGraphicCtl}, buf.Bytes()...), nil
	case gifAppExt:
		id, err := s.readByte()
		if err != nil {
			return nil, err
		}
		app, err := s.read(int64(id))
		if err != nil {
			return nil, err
		}
		if string(app) != "NETSCAPE2.0" && string(app) != "ANIMEXTS1.0" {
			if strict {
				return nil, strictErr("an application extension")
			}
			return gce, subBlocks(s, io.Discard)
		}
		var data bytes.Buffer
		if err := subBlocks(s, &data); err != nil {
			return nil, err
		}
		// Keep only the loop count: sub-block 03 01 lo hi.
		loop := data.Bytes()
		if len(loop) < 4 || loop[0] != 3 || loop[1] != 1 {
			if strict {
				return nil, strictErr("an application extension without a loop count")
			}
			return gce, nil
		}
		if strict && len(loop) != 5 {
			return nil, strictErr("extra data in the looping extension")
		}
		ext := append([]byte{gifExtension, gifAppExt, 11}, app...)
		ext = append(ext, loop[:4]...)
		_, err = w.Write(append(ext, 0))
		return gce, err
	case gifPlainText:
		// Its graphic control extension goes with it.
		if strict {
			return nil, strictErr("a plain text extension")
		}
		return nil, subBlocks(s, io.Discard)
	default:
		if strict {
			return nil, strictErr("a comment or unknown extension")
		}
		return gce, subBlocks(s, io.Discard)
	}
}

// copyColorTable copies the colour table that the packed field of a logical
// screen or image descriptor announces, if any.
func copyColorTable(s *stream, w io.Writer, packed byte) error {
	if packed&0x80 == 0 {
		return nil
	}
	return s.copy(w, 3<<(packed&7+1))
}

// subBlocks copies a sequence of data sub-blocks, each with its length byte,
// and the zero terminator to w.
func subBlocks(s *stream, w io.Writer) error {
	for {
		p, err := s.br.Peek(1)
		if err != nil {
			return readErr(err)
		}
		n := int64(p[0])
		if err := s.copy(w, 1+n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
	}
}
