package heif

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/binary"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"io"
	"testing"
)

// TestConvert runs the whole conversion of a phone-like upload (colour
// profile, rotated, Exif with GPS and XMP items) and checks the JPEG that
// replaces it: right way up, same profile, and nothing else.
func TestConvert(t *testing.T) {
	t.Log("decoders:", Backend())
	icc := testICC(70_000) // two APP2 segments
	for _, enc := range encoders {
		t.Run(enc.format, func(t *testing.T) {
			src := enc.encode(t, corners(64, 48, 255))
			data := dress(t, src, fixtureOpts{icc: icc, ops: [][]byte{irotBox(1)}, metadata: true}).bytes()
			if !bytes.Contains(data, gpsMarker) || !bytes.Contains(data, xmpMarker) {
				t.Fatal("the fixture lacks its metadata markers")
			}
			img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			if !bytes.Equal(info.ICC, icc) {
				t.Fatalf("Info.ICC is %d bytes, want the %d of the file", len(info.ICC), len(icc))
			}
			var out bytes.Buffer
			format, err := Encode(&out, img, info.ICC)
			if err != nil || format != "jpeg" {
				t.Fatalf("Encode = %q, %v; want jpeg", format, err)
			}
			noMarkers(t, out.Bytes())
			got := jpegProfile(t, out.Bytes())
			if !bytes.Equal(got, icc) {
				t.Errorf("the JPEG carries a profile of %d bytes, want %d", len(got), len(icc))
			}
			dec, err := jpeg.Decode(bytes.NewReader(out.Bytes()))
			if err != nil {
				t.Fatalf("the JPEG does not decode: %v", err)
			}
			if dec.Bounds() != image.Rect(0, 0, 48, 64) {
				t.Fatalf("the JPEG is %v, want 48x64", dec.Bounds())
			}
			checkCorners(t, dec, [4]color.RGBA{green, white, red, blue})
		})
	}
}

// TestConvertAlpha checks that a picture with transparency becomes a PNG
// that keeps it, with the profile in iCCP and no other ancillary chunk.
func TestConvertAlpha(t *testing.T) {
	for _, enc := range encoders {
		t.Run(enc.format, func(t *testing.T) { convertAlpha(t, enc.encode(t, corners(64, 48, 128))) })
	}
}

func convertAlpha(t *testing.T, src []byte) {
	icc := testICC(3000)
	data := dress(t, src, fixtureOpts{icc: icc, metadata: true}).bytes()
	img, info, err := Decode(context.Background(), bytes.NewReader(data), int64(len(data)), 0)
	if err != nil {
		t.Fatalf("Decode: %v", err)
	}
	var out bytes.Buffer
	format, err := Encode(&out, img, info.ICC)
	if err != nil || format != "png" {
		t.Fatalf("Encode = %q, %v; want png", format, err)
	}
	noMarkers(t, out.Bytes())
	var chunks []string
	var profile []byte
	p := out.Bytes()[8:]
	for len(p) >= 12 {
		n := binary.BigEndian.Uint32(p)
		typ, body := string(p[4:8]), p[8:8+n]
		chunks = append(chunks, typ)
		if typ == "iCCP" {
			z, err := zlib.NewReader(bytes.NewReader(body[bytes.IndexByte(body, 0)+2:]))
			if err != nil {
				t.Fatal(err)
			}
			profile, _ = io.ReadAll(z)
		}
		p = p[12+n:]
	}
	for _, c := range chunks {
		if c != "IHDR" && c != "iCCP" && c != "IDAT" && c != "IEND" {
			t.Errorf("the PNG has a %s chunk", c)
		}
	}
	if !bytes.Equal(profile, icc) {
		t.Errorf("the PNG carries a profile of %d bytes, want %d", len(profile), len(icc))
	}
	dec, err := png.Decode(bytes.NewReader(out.Bytes()))
	if err != nil {
		t.Fatalf("the PNG does not decode: %v", err)
	}
	if _, _, _, a := dec.At(32, 24).RGBA(); a>>8 < 100 || a>>8 > 160 {
		t.Errorf("the middle has alpha %d, want about 128", a>>8)
	}
	checkCorners(t, dec, [4]color.RGBA{red, green, blue, white})
}

func TestEncodeProfiles(t *testing.T) {
	rgb := image.NewRGBA(image.Rect(0, 0, 8, 8))
	for i := range rgb.Pix {
		rgb.Pix[i] = 0xFF
	}
	grey := testICC(500)
	copy(grey[16:20], "GRAY")
	tests := []struct {
		name string
		m    image.Image
		icc  []byte
		want []byte
	}{
		{"RGB picture, RGB profile", rgb, testICC(500), testICC(500)},
		{"no profile", rgb, nil, nil},
		{"profile with a wrong length", rgb, testICC(500)[:400], nil},
		{"not a profile", rgb, bytes.Repeat([]byte("x"), 500), nil},
		{"profile over 1 MiB", rgb, testICC(maxICC + 1), nil},
		{"grey picture, RGB profile", image.NewGray(rgb.Rect), testICC(500), nil},
		{"grey picture, grey profile", image.NewGray(rgb.Rect), grey, grey},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			if _, err := Encode(&out, tt.m, tt.icc); err != nil {
				t.Fatal(err)
			}
			if got := jpegProfile(t, out.Bytes()); !bytes.Equal(got, tt.want) {
				t.Errorf("profile of %d bytes, want %d", len(got), len(tt.want))
			}
		})
	}
}

// noMarkers fails if out contains any of the metadata markers.
func noMarkers(t *testing.T, out []byte) {
	t.Helper()
	for _, m := range [][]byte{gpsMarker, xmpMarker, []byte("Exif"), []byte("xmpmeta")} {
		if bytes.Contains(out, m) {
			t.Errorf("the output contains %q", m)
		}
	}
}

// jpegProfile walks the segments of a JPEG up to its first scan, fails on
// any that is not needed to show the picture, and returns the ICC profile
// reassembled from its APP2 segments.
func jpegProfile(t *testing.T, p []byte) []byte {
	t.Helper()
	var parts [][]byte
	for i := 2; i+4 <= len(p); {
		m, n := p[i+1], int(binary.BigEndian.Uint16(p[i+2:]))
		body := p[i+4 : i+2+n]
		switch {
		case m == 0xDA: // start of scan
			var icc []byte
			for k, part := range parts {
				if int(part[0]) != k+1 || int(part[1]) != len(parts) {
					t.Errorf("ICC segment %d is numbered %d of %d", k+1, part[0], part[1])
				}
				icc = append(icc, part[2:]...)
			}
			return icc
		case m == 0xE2 && bytes.HasPrefix(body, iccID):
			if len(body)-len(iccID)-2 > iccChunk {
				t.Errorf("an ICC segment holds %d bytes", len(body)-len(iccID)-2)
			}
			parts = append(parts, body[len(iccID):])
		case m == 0xDB, m == 0xC4, m == 0xC0, m == 0xDD:
		default:
			t.Errorf("the JPEG has a segment %#x", m)
		}
		i += 2 + n
	}
	t.Fatal("the JPEG has no scan")
	return nil
}
