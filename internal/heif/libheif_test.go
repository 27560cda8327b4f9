package heif

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"image"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// libheifDecoder returns the path of libheif's own command-line decoder:
// heif-dec, or heif-convert, its name before libheif 1.17 (Debian 12 has
// libheif 1.15); "" if neither is installed.
func libheifDecoder() string {
	for _, name := range []string{"heif-dec", "heif-convert"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// renderByLibheif returns the primary image of the HEIF file data as the
// libheif decoder dec renders it (to a PNG in dir). The file is given to
// it with its major brand set to heic, as prepare does for the heic
// package: libheif refuses a major brand of mif1 or msf1. A file of
// several top-level images makes dec write a PNG for each, numbered in
// the order heif-info lists them, which also says which is the primary.
// An error says libheif could not render it, or which image is the
// primary; the image may not be the primary if libheif does not list it
// (the sizes then differ).
func renderByLibheif(dir, dec string, data []byte) (image.Image, error) {
	if len(data) < 12 || string(data[4:8]) != "ftyp" {
		return nil, errors.New("not a HEIF file")
	}
	in := filepath.Join(dir, "in.heic")
	data = bytes.Clone(data)
	copy(data[8:12], "heic")
	if err := os.WriteFile(in, data, 0o600); err != nil {
		return nil, err
	}
	out := filepath.Join(dir, "out.png")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	// It may fail on an image after it wrote the primary's.
	msg, runErr := exec.CommandContext(ctx, dec, in, out).CombinedOutput()
	if runErr != nil {
		runErr = fmt.Errorf("%s: %v: %s", filepath.Base(dec), runErr, lastLine(msg))
	}
	if _, err := os.Stat(out); err != nil {
		k, err := primaryIndex(ctx, in)
		if err != nil {
			return nil, cmp.Or(runErr, err)
		}
		out = filepath.Join(dir, fmt.Sprintf("out-%d.png", k))
	}
	b, err := os.ReadFile(out)
	if err != nil {
		return nil, cmp.Or(runErr, err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		return nil, cmp.Or(runErr, err) // a PNG cut short by a crash
	}
	return img, nil
}

// primaryIndex returns the position, from 1, of the primary image among
// the top-level images that heif-info lists for the file at path.
func primaryIndex(ctx context.Context, path string) (int, error) {
	info, err := exec.LookPath("heif-info")
	if err != nil {
		return 0, errors.New("several images, and no heif-info to tell the primary")
	}
	// It may fail on an image after it listed them all.
	msg, err := exec.CommandContext(ctx, info, path).CombinedOutput()
	k := 0
	for line := range strings.Lines(string(msg)) {
		if strings.HasPrefix(line, "image:") {
			k++
			if strings.Contains(line, "primary") {
				return k, nil
			}
		}
	}
	if err != nil {
		return 0, fmt.Errorf("heif-info: %v: %s", err, lastLine(msg))
	}
	return 0, errors.New("heif-info lists no primary image")
}

// lastLine returns the last line of a command's output, where the cause
// of a failure is.
func lastLine(msg []byte) string {
	s := strings.TrimSpace(string(msg))
	return s[strings.LastIndexByte(s, '\n')+1:]
}

// meanDiff returns the mean absolute difference between a and b, of the
// same bounds, per channel (red, green, blue, alpha, of premultiplied
// 8-bit samples), and the mean difference, a minus b, with its sign.
func meanDiff(a, b image.Image) (abs, signed [4]float64) {
	ga, gb := toRGBA(a), toRGBA(b)
	for i := 0; i < len(ga.Pix); i += 4 {
		for c := range 4 {
			d := float64(ga.Pix[i+c]) - float64(gb.Pix[i+c])
			abs[c] += absDiff(d, 0)
			signed[c] += d
		}
	}
	n := float64(max(1, len(ga.Pix)/4))
	for c := range abs {
		abs[c] /= n
		signed[c] /= n
	}
	return abs, signed
}
