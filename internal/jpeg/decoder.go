package jpeg

import (
	"fmt"
	"image"
	"io"
)

// errZeroSize refuses a frame without pixels (image/jpeg returns an empty
// image; T.81 would take the height from a DNL marker).
var errZeroSize = FormatError("zero width or height")

// component is the state of one frame component.
type component struct {
	id       uint8
	tq       uint8 // quantization table
	bw, bh   int   // padded block grid (frame.padded)
	cbw, cbh int   // blocks coded by a non-interleaved scan (frame.covered)
	scale    int   // of the plane (frame.compScale)
	plane    []byte
	stride   int
	coef     []int16  // progressive: per block, the values keep lists
	nz       []uint64 // progressive: per block, the non-zero coefficients
	keep     *keepSet // progressive: which values are kept
	pred     int32    // DC predictor
}

// decoder holds everything one decode needs; it is allocated once.
type decoder struct {
	in          input
	opts        Options
	headersOnly bool  // DecodeConfig: stop at the first scan
	readErr     error // why the input ended inside a scan
	bits        bitReader

	frame
	sofSeen, baseline bool
	comp              [maxComponents]component
	quant             [4][64]int32 // zig-zag order
	huff              [2][4]huffTable
	restartInterval   int

	jfif, adobe bool
	transform   uint8 // Adobe color transform
	out         outKind
	scale       int
	scanSeen    bool
	scans       int
	eobRun      int
	blk         [64]int32 // dequantized block, natural order

	// quirk, when not empty, names the first thing in the file for which
	// this decoder's output may legitimately differ from image/jpeg's (see
	// Decode); the fuzz test skips the pixel comparison then.
	quirk string
}

func newDecoder(r io.Reader, opts Options) *decoder {
	d := &decoder{opts: opts}
	d.in.r = r
	return d
}

func (d *decoder) noteQuirk(s string) {
	if d.quirk == "" {
		d.quirk = s
	}
}

// run reads the file up to EOI (or, with headersOnly, up to the first SOS),
// decoding every scan on the way.
func (d *decoder) run() error {
	var soi [2]byte
	if err := d.in.readFull(soi[:]); err != nil {
		return err
	}
	if soi != [2]byte{0xFF, 0xD8} {
		return FormatError("missing SOI marker")
	}
	for {
		m, err := d.in.nextMarker()
		if err != nil {
			return err
		}
		if m == 0xD9 { // EOI
			return nil
		}
		if 0xD0 <= m && m <= 0xD7 {
			continue // a stray RST between scans, as image/jpeg allows
		}
		n, err := d.in.readUint16()
		if err != nil {
			return err
		}
		if n -= 2; n < 0 {
			return FormatError("short segment length")
		}
		switch {
		case m == 0xC0 || m == 0xC1 || m == 0xC2:
			err = d.processSOF(m, n)
		case m == 0xC4 && !d.headersOnly:
			err = d.processDHT(n)
		case m == 0xDB && !d.headersOnly:
			err = d.processDQT(n)
		case m == 0xDD && !d.headersOnly:
			err = d.processDRI(n)
		case m == 0xDA:
			if d.headersOnly {
				return nil
			}
			err = d.processSOS(n)
		case m == 0xE0 || m == 0xEE:
			err = d.processApp(m, n)
		case m == 0xC4 || m == 0xDB || m == 0xDD || m >= 0xE0 && m <= 0xEF || m == 0xFE:
			err = d.in.skip(n)
		default:
			err = unknownMarker(m)
		}
		if err != nil {
			return err
		}
	}
}

// unknownMarker returns the error for a marker this decoder does not handle.
func unknownMarker(m byte) error {
	switch {
	case m == 0xC3:
		return UnsupportedError("lossless JPEG")
	case m >= 0xC5 && m <= 0xC7 || m == 0xDE || m == 0xDF:
		return UnsupportedError("hierarchical JPEG")
	case m >= 0xC9 && m <= 0xCF && m != 0xCC:
		return UnsupportedError("arithmetic coding")
	case m == 0xCC:
		return UnsupportedError("arithmetic coding conditioning (DAC)")
	case m == 0xDC:
		return UnsupportedError("DNL marker")
	case m < 0xC0:
		return FormatError(fmt.Sprintf("unknown marker 0x%02X", m))
	}
	return UnsupportedError(fmt.Sprintf("marker 0x%02X", m))
}

// processSOF reads a frame header (T.81 B.2.2).
func (d *decoder) processSOF(m byte, n int) error {
	if d.sofSeen {
		return FormatError("multiple SOF markers")
	}
	var nc int
	switch n {
	case 6 + 3*1:
		nc = 1
	case 6 + 3*3:
		nc = 3
	case 6 + 3*4:
		nc = 4
	default:
		return UnsupportedError("number of components")
	}
	var b [6 + 3*4]byte
	if err := d.in.readFull(b[:n]); err != nil {
		return err
	}
	if b[0] != 8 {
		return UnsupportedError(fmt.Sprintf("%d-bit precision", b[0]))
	}
	if int(b[5]) != nc {
		return FormatError("SOF has wrong length")
	}
	d.nComp = nc
	d.height = int(b[1])<<8 | int(b[2])
	d.width = int(b[3])<<8 | int(b[4])
	for i := range nc {
		p := b[6+3*i:]
		c := &d.comp[i]
		c.id, c.tq = p[0], p[2]
		for j := range i {
			if d.comp[j].id == c.id {
				return FormatError("repeated component identifier")
			}
		}
		if c.tq > 3 {
			return FormatError("bad Tq value")
		}
		h, v := int(p[1]>>4), int(p[1]&0x0F)
		if h < 1 || h > 4 || v < 1 || v > 4 {
			return FormatError("bad sampling factors")
		}
		if nc == 1 {
			// A single component is not interleaved (T.81 A.2): one block
			// per MCU whatever its factors say.
			h, v = 1, 1
		}
		d.h[i], d.v[i] = h, v
	}
	if d.width == 0 || d.height == 0 {
		return errZeroSize
	}
	d.sofSeen = true
	d.baseline = m == 0xC0
	d.progressive = m == 0xC2
	d.setup()
	for i := range nc {
		c := &d.comp[i]
		c.bw, c.bh = d.padded(i)
		c.cbw, c.cbh = d.covered(i)
	}
	if lim := d.opts.MaxPixels; lim > 0 && !d.headersOnly && int64(d.width)*int64(d.height) > lim {
		return fmt.Errorf("%w: %dx%d is more than %d", ErrTooLarge, d.width, d.height, lim)
	}
	return nil
}

// processDQT reads quantization tables (T.81 B.2.4.1). Like image/jpeg, it
// accepts 16-bit tables in an 8-bit frame.
func (d *decoder) processDQT(n int) error {
	for n > 0 {
		pq, err := d.in.readByte()
		if err != nil {
			return err
		}
		n--
		tq := pq & 0x0F
		if tq > 3 {
			return FormatError("bad Tq value")
		}
		size := 1
		switch pq >> 4 {
		case 0:
		case 1:
			size = 2
		default:
			return FormatError("bad Pq value")
		}
		if n < 64*size {
			break
		}
		var b [128]byte
		if err := d.in.readFull(b[:64*size]); err != nil {
			return err
		}
		n -= 64 * size
		q := &d.quant[tq]
		for k := range q {
			if size == 1 {
				q[k] = int32(b[k])
			} else {
				q[k] = int32(b[2*k])<<8 | int32(b[2*k+1])
			}
		}
	}
	if n != 0 {
		return FormatError("DQT has wrong length")
	}
	return nil
}

// processDRI reads the restart interval (T.81 B.2.4.4).
func (d *decoder) processDRI(n int) error {
	if n != 2 {
		return FormatError("DRI has wrong length")
	}
	ri, err := d.in.readUint16()
	d.restartInterval = ri
	return err
}

// processApp reads what APP0 (JFIF) and APP14 (Adobe) say about color.
func (d *decoder) processApp(m byte, n int) error {
	var b [12]byte
	want := 5
	if m == 0xEE {
		want = 12
	}
	if n < want {
		return d.in.skip(n)
	}
	if err := d.in.readFull(b[:want]); err != nil {
		return err
	}
	jfif, adobe, transform := d.jfif, d.adobe, d.transform
	if m == 0xE0 {
		jfif = string(b[:5]) == "JFIF\x00"
	} else if string(b[:5]) == "Adobe" {
		adobe, transform = true, b[11]
	}
	if d.scanSeen {
		// The color interpretation was fixed at the first scan, so that
		// Config.MemoryNeeded holds.
		if jfif != d.jfif || adobe != d.adobe || transform != d.transform {
			d.noteQuirk("color marker after the first scan")
		}
	} else {
		d.jfif, d.adobe, d.transform = jfif, adobe, transform
	}
	return d.in.skip(n - want)
}

// colorOut decides the type of the output image.
func (d *decoder) colorOut() (outKind, error) {
	switch d.nComp {
	case 1:
		return outGray, nil
	case 3:
		rgb := d.comp[0].id == 'R' && d.comp[1].id == 'G' && d.comp[2].id == 'B'
		if !d.jfif && (d.adobe && d.transform == 0 || !d.adobe && rgb) {
			return outRGBA, nil
		}
		if _, ok := d.ratio(); ok {
			return outYCbCr, nil
		}
		return outYCbCr444, nil
	}
	if !d.adobe {
		return outCMYK, UnsupportedError("4-component file without an Adobe APP14 segment")
	}
	if d.transform == 0 {
		return outCMYK, nil
	}
	return outYCCK, nil
}

func (d *decoder) config() Config {
	out, _ := d.colorOut()
	return Config{
		Width:       d.width,
		Height:      d.height,
		Components:  d.nComp,
		Progressive: d.progressive,
		ColorModel:  out.model(),
		frame:       d.frame,
		out:         out,
	}
}

// startImage runs at the first scan: it fixes the color interpretation and
// the scale and allocates the output planes.
func (d *decoder) startImage() error {
	out, err := d.colorOut()
	if err != nil {
		return err
	}
	d.out = out
	d.scale = Scale(d.config(), d.opts)
	for i := range d.nComp {
		c := &d.comp[i]
		c.scale = d.compScale(i, d.scale, out)
		bs := 8 / c.scale
		c.stride = c.bw * bs
		c.plane = make([]byte, c.stride*c.bh*bs)
	}
	return nil
}

// finish completes a progressive decode and builds the image.
func (d *decoder) finish() (image.Image, error) {
	if !d.scanSeen {
		return nil, FormatError("missing SOS marker")
	}
	if d.progressive {
		d.reconstruct()
	}
	return d.image(), nil
}
