package media

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"io"
)

var pngSignature = []byte("\x89PNG\r\n\x1a\n")

// pngKeep lists the chunks kept in a PNG: the image itself, what affects
// how it looks (transparency, gamma, chromaticities, colour profile,
// significant bits, pixel size, background) and APNG animation.
var pngKeep = map[string]bool{
	"IHDR": true, "PLTE": true, "IDAT": true, "IEND": true,
	"tRNS": true, "gAMA": true, "cHRM": true, "sRGB": true, "iCCP": true,
	"sBIT": true, "pHYs": true, "bKGD": true,
	"acTL": true, "fcTL": true, "fdAT": true,
}

// pngMaxChunk is the largest length a PNG chunk may declare.
const pngMaxChunk = 1<<31 - 1

// scrubPNG walks the chunks of a PNG, checks every CRC and writes the kept
// chunks to w, in order, up to and including IEND. Text, EXIF, time and
// unknown chunks and all bytes after IEND are dropped.
func scrubPNG(src io.ReaderAt, size int64, w io.Writer, lim Limits, strict bool) (scrubbed, error) {
	s := newStream(src, size)
	var info scrubbed
	sig := make([]byte, len(pngSignature))
	if err := s.readFull(sig); err != nil {
		return info, err
	}
	if !bytes.Equal(sig, pngSignature) {
		return info, damaged("png: bad signature")
	}
	if _, err := w.Write(sig); err != nil {
		return info, err
	}
	var (
		b        *budget
		animated bool
		idat     bool
		fcTL     int
	)
	for {
		var hdr [8]byte
		if err := s.readFull(hdr[:]); err != nil {
			return info, err
		}
		n := int64(binary.BigEndian.Uint32(hdr[:4]))
		typ := string(hdr[4:])
		if n > pngMaxChunk || !isChunkType(hdr[4:]) {
			return info, damaged("png: bad chunk header %q", hdr)
		}
		if (b == nil) != (typ == "IHDR") {
			return info, damaged("png: IHDR is not the first chunk")
		}
		crc := crc32.NewIEEE()
		crc.Write(hdr[4:])
		keep := pngKeep[typ]
		// Small chunks the walker must read are taken whole; others stream.
		var data []byte
		switch typ {
		case "IHDR", "acTL", "fcTL", "iCCP":
			p, err := s.read(n)
			if err != nil {
				return info, err
			}
			data = p
			crc.Write(p)
		default:
			var dst io.Writer = crc
			if keep {
				if _, err := w.Write(hdr[:]); err != nil {
					return info, err
				}
				dst = io.MultiWriter(w, crc)
			} else if strict {
				return info, strictErr("chunk " + typ)
			}
			if err := s.copy(dst, n); err != nil {
				return info, err
			}
		}
		var sum [4]byte
		if err := s.readFull(sum[:]); err != nil {
			return info, err
		}
		if binary.BigEndian.Uint32(sum[:]) != crc.Sum32() {
			return info, damaged("png: bad CRC in %s", typ)
		}

		switch typ {
		case "IHDR":
			if len(data) != 13 {
				return info, damaged("png: IHDR is %d bytes", len(data))
			}
			info.width = int(binary.BigEndian.Uint32(data[0:4]))
			info.height = int(binary.BigEndian.Uint32(data[4:8]))
			if info.width > pngMaxChunk || info.height > pngMaxChunk {
				return info, damaged("png: dimensions %dx%d", info.width, info.height)
			}
			var err error
			if b, err = newBudget(lim, int64(info.width), int64(info.height)); err != nil {
				return info, err
			}
		case "acTL":
			if len(data) != 8 || animated {
				return info, damaged("png: bad acTL")
			}
			animated = true
			if frames := binary.BigEndian.Uint32(data[0:4]); frames > uint32(lim.MaxFrames) {
				return info, b.tooManyFrames()
			}
		case "fcTL":
			if len(data) != 26 {
				return info, damaged("png: bad fcTL")
			}
			fw := int64(binary.BigEndian.Uint32(data[4:8]))
			fh := int64(binary.BigEndian.Uint32(data[8:12]))
			fx := int64(binary.BigEndian.Uint32(data[12:16]))
			fy := int64(binary.BigEndian.Uint32(data[16:20]))
			if fw == 0 || fh == 0 || fx+fw > int64(info.width) || fy+fh > int64(info.height) {
				return info, damaged("png: frame outside the canvas")
			}
			fcTL++
			if err := b.frame(); err != nil {
				return info, err
			}
		case "iCCP":
			if !strict {
				info.icc = pngICC(data)
			}
		case "IDAT":
			idat = true
		}
		if data != nil {
			if _, err := w.Write(hdr[:]); err != nil {
				return info, err
			}
			if _, err := w.Write(data); err != nil {
				return info, err
			}
		}
		if keep {
			if _, err := w.Write(sum[:]); err != nil {
				return info, err
			}
		}
		if typ == "IEND" {
			break
		}
	}
	if !idat {
		return info, damaged("png: no IDAT")
	}
	if strict && s.remaining() > 0 {
		return info, strictErr("bytes after IEND")
	}
	info.frames = 1
	if animated && fcTL > 0 {
		info.frames = fcTL
	} else if err := b.frame(); err != nil {
		return info, err
	}
	return info, nil
}

// isChunkType reports whether t is four ASCII letters.
func isChunkType(t []byte) bool {
	for _, c := range t {
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z') {
			return false
		}
	}
	return true
}

// pngICC returns the profile inside an iCCP chunk, or nil.
func pngICC(data []byte) []byte {
	i := bytes.IndexByte(data, 0)
	if i < 1 || i+2 > len(data) || data[i+1] != 0 {
		return nil
	}
	zr, err := zlib.NewReader(bytes.NewReader(data[i+2:]))
	if err != nil {
		return nil
	}
	p, err := io.ReadAll(io.LimitReader(zr, maxICC+1))
	if err != nil || len(p) > maxICC {
		return nil
	}
	return p
}
