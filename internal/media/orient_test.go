package media

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"image"
	"testing"
)

// storedFor returns the pixels a camera would store for the displayed
// picture d under EXIF orientation o. It maps each displayed pixel back to
// where it is stored, written independently of orient (which maps the
// other way).
func storedFor(d *image.NRGBA, o int) *image.NRGBA {
	dw, dh := d.Rect.Dx(), d.Rect.Dy()
	sw, sh := dw, dh
	if o >= 5 {
		sw, sh = dh, dw
	}
	s := image.NewNRGBA(image.Rect(0, 0, sw, sh))
	for dy := range dh {
		for dx := range dw {
			var x, y int
			switch o {
			case 1:
				x, y = dx, dy
			case 2: // mirrored
				x, y = sw-1-dx, dy
			case 3: // upside down
				x, y = sw-1-dx, sh-1-dy
			case 4: // flipped
				x, y = dx, sh-1-dy
			case 5: // transposed
				x, y = dy, dx
			case 6: // displayed = stored turned clockwise
				x, y = dy, sh-1-dx
			case 7: // transversed
				x, y = sw-1-dy, sh-1-dx
			case 8: // displayed = stored turned counter-clockwise
				x, y = sw-1-dy, dx
			}
			s.SetNRGBA(x, y, d.NRGBAAt(dx, dy))
		}
	}
	return s
}

func TestOrientation(t *testing.T) {
	const dw, dh = 1200, 800 // as displayed; big enough to be shrunk
	display := quadrants(dw, dh)
	for o := 1; o <= 8; o++ {
		stored := encodeJPEG(t, storedFor(display, o))
		for _, bo := range []byteOrder{binary.BigEndian, binary.LittleEndian} {
			t.Run(fmt.Sprintf("orientation %d %s", o, bo), func(t *testing.T) {
				t.Parallel()
				file := afterSOI(stored, exifAPP1(t, bo, o))
				var media, thumb bytes.Buffer
				res, err := Process(t.Context(), bytes.NewReader(file), int64(len(file)), &media, &thumb, DefaultLimits())
				if err != nil {
					t.Fatal(err)
				}
				if res.Width != dw || res.Height != dh || res.ThumbWidth != 512 || res.ThumbHeight != 341 {
					t.Errorf("Result = %+v, want %dx%d with a 512x341 thumbnail", res, dw, dh)
				}
				out := media.Bytes()
				if bytes.Contains(out, []byte(secret)) {
					t.Errorf("output contains the secret marker")
				}
				app1 := bytes.Index(out, []byte("Exif\x00\x00"))
				switch {
				case o == 1 && app1 >= 0:
					t.Errorf("orientation 1 kept an EXIF segment")
				case o != 1 && app1 < 0:
					t.Errorf("orientation %d was not kept", o)
				case o != 1:
					if got := exifOrientation(out[app1+6:]); got != o {
						t.Errorf("kept orientation %d, want %d", got, o)
					}
					if !bytes.Contains(out, orientationAPP1(o)) || bytes.Count(out, []byte("Exif")) != 1 {
						t.Errorf("EXIF is not the minimal orientation-only segment")
					}
				}
				checkOutput(t, out, res)
				m := checkThumb(t, thumb.Bytes(), res)
				b := m.Bounds()
				checkColor(t, "top left", m, b.Dx()/4, b.Dy()/4, &colTL)
				checkColor(t, "top right", m, b.Dx()*3/4, b.Dy()/4, &colTR)
				checkColor(t, "bottom left", m, b.Dx()/4, b.Dy()*3/4, &colBL)
				checkColor(t, "bottom right", m, b.Dx()*3/4, b.Dy()*3/4, &colBR)
			})
		}
	}
}

func TestExifOrientation(t *testing.T) {
	tiff := func(bo byteOrder, typ uint16, v uint32, tag uint16) []byte {
		var data []byte
		if typ == 3 {
			data = bo.AppendUint16(nil, uint16(v))
		} else {
			data = bo.AppendUint32(nil, v)
		}
		return buildTIFF(bo, [][]tiffEntry{{{tag: tag, typ: typ, count: 1, data: data, ifd: -1}}}, nil)
	}
	tests := []struct {
		name string
		tiff []byte
		want int
	}{
		{"big endian short", tiff(binary.BigEndian, 3, 6, 0x0112), 6},
		{"little endian short", tiff(binary.LittleEndian, 3, 8, 0x0112), 8},
		{"long", tiff(binary.LittleEndian, 4, 3, 0x0112), 3},
		{"out of range", tiff(binary.BigEndian, 3, 9, 0x0112), 0},
		{"other tag", tiff(binary.BigEndian, 3, 6, 0x0110), 0},
		{"bad header", []byte("XX*\x00\x00\x00\x00\x08\x00\x00"), 0},
		{"IFD past the end", []byte("MM\x00*\xFF\xFF\xFF\xF0"), 0},
		{"entries past the end", []byte("MM\x00*\x00\x00\x00\x08\x00\x09\x01\x12"), 0},
		{"empty", nil, 0},
		{"the minimal segment", orientationAPP1(5)[10:], 5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exifOrientation(tt.tiff); got != tt.want {
				t.Errorf("exifOrientation = %d, want %d", got, tt.want)
			}
		})
	}
}
