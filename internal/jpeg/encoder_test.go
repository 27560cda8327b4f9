package jpeg

import (
	"bytes"
	"encoding/binary"
	"image"
	"image/color"
	"math"
)

// A tiny baseline encoder for tests: any number of components, any
// sampling factors, restart intervals, one scan per component or one for
// all, JFIF and Adobe markers. Its Huffman tables are flat (every DC size
// has a 4-bit code, every AC symbol an 8-bit one): valid, if not small.

// rawComp is one component for encodeRaw, sampled at its own resolution
// ceil(width*h/hmax) x ceil(height*v/vmax).
type rawComp struct {
	id    byte
	h, v  int
	pix   []byte
	w, h2 int // plane size
}

type rawSpec struct {
	width, height int
	comps         []rawComp
	restart       int  // MCUs per restart interval; 0 for none
	adobe         int  // Adobe transform, or -1 for no APP14 segment
	jfif          bool // write a JFIF APP0 segment
	separate      bool // one scan per component
	quant         int  // flat quantizer, 1..255
}

// acSymbols lists the AC symbols in code order.
var acSymbols = func() []byte {
	s := []byte{0x00, 0xF0}
	for r := range 16 {
		for z := 1; z <= 10; z++ {
			s = append(s, byte(r<<4|z))
		}
	}
	return s
}()

// rawPlanes splits m into components: space is "ycc", "rgb", "cmyk"
// (stored inverted, as Adobe does) or "ycck". factors holds h<<4|v per
// component.
func rawPlanes(m *image.RGBA, space string, factors ...int) []rawComp {
	b := m.Bounds()
	n := len(factors)
	full := make([][]byte, n)
	for i := range full {
		full[i] = make([]byte, b.Dx()*b.Dy())
	}
	for y := range b.Dy() {
		for x := range b.Dx() {
			i := m.PixOffset(x, y)
			r, g, bl := m.Pix[i], m.Pix[i+1], m.Pix[i+2]
			yy, cb, cr := color.RGBToYCbCr(r, g, bl)
			k := 255 - max(r, g, bl)
			var v []byte
			switch space {
			case "ycc":
				v = []byte{yy, cb, cr}
			case "rgb":
				v = []byte{r, g, bl}
			case "cmyk": // stored inverted: 255-C = R+K and so on
				v = []byte{r + k, g + k, bl + k, 255 - k}
			case "ycck":
				yk, cbk, crk := color.RGBToYCbCr(r+k, g+k, bl+k)
				v = []byte{yk, cbk, crk, 255 - k}
			}
			for c := range n {
				full[c][y*b.Dx()+x] = v[c]
			}
		}
	}
	hmax, vmax := 1, 1
	for _, f := range factors {
		hmax, vmax = max(hmax, f>>4), max(vmax, f&15)
	}
	ids := []byte{1, 2, 3, 4}
	if space == "rgb" {
		ids = []byte{'R', 'G', 'B'}
	}
	comps := make([]rawComp, n)
	for c, f := range factors {
		h, v := f>>4, f&15
		cw, ch := ceilDiv(b.Dx()*h, hmax), ceilDiv(b.Dy()*v, vmax)
		p := make([]byte, cw*ch)
		for y := range ch {
			for x := range cw {
				// The mean of the full-resolution samples this one covers.
				x0, x1 := x*hmax/h, min((x+1)*hmax/h, b.Dx())
				y0, y1 := y*vmax/v, min((y+1)*vmax/v, b.Dy())
				sum, cnt := 0, 0
				for yy := y0; yy < max(y1, y0+1); yy++ {
					for xx := x0; xx < max(x1, x0+1); xx++ {
						sum += int(full[c][min(yy, b.Dy()-1)*b.Dx()+min(xx, b.Dx()-1)])
						cnt++
					}
				}
				p[y*cw+x] = byte((sum + cnt/2) / cnt)
			}
		}
		comps[c] = rawComp{id: ids[c], h: h, v: v, pix: p, w: cw, h2: ch}
	}
	return comps
}

// encodeRaw writes a baseline JPEG file.
func encodeRaw(s rawSpec) []byte {
	var out bytes.Buffer
	seg := func(marker byte, body []byte) {
		out.Write([]byte{0xFF, marker})
		binary.Write(&out, binary.BigEndian, uint16(len(body)+2))
		out.Write(body)
	}
	out.Write([]byte{0xFF, 0xD8})
	if s.jfif {
		seg(0xE0, []byte("JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"))
	}
	if s.adobe >= 0 {
		seg(0xEE, []byte{'A', 'd', 'o', 'b', 'e', 0, 100, 0, 0, 0, 0, byte(s.adobe)})
	}
	seg(0xDB, append([]byte{0}, bytes.Repeat([]byte{byte(s.quant)}, 64)...))
	sof := []byte{8, byte(s.height >> 8), byte(s.height), byte(s.width >> 8), byte(s.width), byte(len(s.comps))}
	hmax, vmax := 1, 1
	for _, c := range s.comps {
		sof = append(sof, c.id, byte(c.h<<4|c.v), 0)
		hmax, vmax = max(hmax, c.h), max(vmax, c.v)
	}
	seg(0xC0, sof)
	dht := append([]byte{0x00, 0, 0, 0, 12}, make([]byte, 12)...)
	for i := range 12 {
		dht = append(dht, byte(i))
	}
	seg(0xC4, dht)
	dht = append([]byte{0x10, 0, 0, 0, 0, 0, 0, 0, byte(len(acSymbols))}, make([]byte, 8)...)
	seg(0xC4, append(dht, acSymbols...))
	if s.restart > 0 {
		seg(0xDD, []byte{byte(s.restart >> 8), byte(s.restart)})
	}
	groups := [][]int{}
	if s.separate || len(s.comps) == 1 {
		for i := range s.comps {
			groups = append(groups, []int{i})
		}
	} else {
		groups = append(groups, []int{0, 1, 2, 3}[:len(s.comps)])
	}
	for _, g := range groups {
		sos := []byte{byte(len(g))}
		for _, i := range g {
			sos = append(sos, s.comps[i].id, 0x00)
		}
		seg(0xDA, append(sos, 0, 63, 0))
		encodeScan(&out, s, g, hmax, vmax)
	}
	out.Write([]byte{0xFF, 0xD9})
	return out.Bytes()
}

// bitWriter writes entropy-coded bits with byte stuffing.
type bitWriter struct {
	out  *bytes.Buffer
	acc  uint32
	n    uint
	pred []int
}

func (w *bitWriter) put(v uint32, n uint) {
	for i := int(n) - 1; i >= 0; i-- {
		w.acc = w.acc<<1 | v>>uint(i)&1
		if w.n++; w.n == 8 {
			w.out.WriteByte(byte(w.acc))
			if byte(w.acc) == 0xFF {
				w.out.WriteByte(0)
			}
			w.acc, w.n = 0, 0
		}
	}
}

// flush pads the last byte with ones.
func (w *bitWriter) flush() {
	for w.n != 0 {
		w.put(1, 1)
	}
}

// value writes the size and bits of a coefficient.
func sizeBits(v int) (size uint, bits uint32) {
	a := max(v, -v)
	for a>>size != 0 {
		size++
	}
	if v < 0 {
		v += 1<<size - 1
	}
	return size, uint32(v)
}

func encodeScan(out *bytes.Buffer, s rawSpec, g []int, hmax, vmax int) {
	w := &bitWriter{out: out, pred: make([]int, len(s.comps))}
	mcusX, mcusY := ceilDiv(s.width, 8*hmax), ceilDiv(s.height, 8*vmax)
	mcu, rst := 0, 0
	next := func() {
		if s.restart > 0 && mcu > 0 && mcu%s.restart == 0 {
			w.flush()
			out.Write([]byte{0xFF, byte(0xD0 + rst)})
			rst = (rst + 1) & 7
			clear(w.pred)
		}
		mcu++
	}
	if len(g) == 1 {
		c := &s.comps[g[0]]
		for by := range ceilDiv(c.h2, 8) {
			for bx := range ceilDiv(c.w, 8) {
				next()
				encodeBlock(w, c, g[0], bx, by, s.quant)
			}
		}
	} else {
		for my := range mcusY {
			for mx := range mcusX {
				next()
				for _, i := range g {
					c := &s.comps[i]
					for y := range c.v {
						for x := range c.h {
							encodeBlock(w, c, i, mx*c.h+x, my*c.v+y, s.quant)
						}
					}
				}
			}
		}
	}
	w.flush()
}

func encodeBlock(w *bitWriter, c *rawComp, ci, bx, by, q int) {
	var f [64]float64
	for v := range 8 {
		for u := range 8 {
			sum := 0.0
			for y := range 8 {
				for x := range 8 {
					px := c.pix[min(by*8+y, c.h2-1)*c.w+min(bx*8+x, c.w-1)]
					sum += (float64(px) - 128) * dctCos[x][u] * dctCos[y][v]
				}
			}
			cu, cv := 1.0, 1.0
			if u == 0 {
				cu = math.Sqrt2 / 2
			}
			if v == 0 {
				cv = math.Sqrt2 / 2
			}
			f[v*8+u] = sum * cu * cv / 4
		}
	}
	dc := int(math.Round(f[0] / float64(q)))
	size, bits := sizeBits(dc - w.pred[ci])
	w.pred[ci] = dc
	w.put(uint32(size), 4)
	w.put(bits, size)
	run := 0
	for k := 1; k < 64; k++ {
		v := int(math.Round(f[zigzag[k]] / float64(q)))
		if v == 0 {
			run++
			continue
		}
		for ; run > 15; run -= 16 {
			w.put(1, 8) // ZRL is the second AC symbol
		}
		size, bits := sizeBits(max(min(v, 1023), -1023))
		w.put(uint32(acSymbolIndex(byte(run<<4)|byte(size))), 8)
		w.put(bits, size)
		run = 0
	}
	if run > 0 {
		w.put(0, 8) // EOB
	}
}

func acSymbolIndex(sym byte) int {
	return bytes.IndexByte(acSymbols, sym)
}

var dctCos = func() (c [8][8]float64) {
	for x := range 8 {
		for u := range 8 {
			c[x][u] = math.Cos(float64(2*x+1) * float64(u) * math.Pi / 16)
		}
	}
	return c
}()
