package video

import (
	"bytes"
	"compress/gzip"
	_ "embed"
	"fmt"
	"io"
)

// ffmpegGz is ffmpeg and ffprobe in one WebAssembly module, gzipped, exactly
// as codeberg.org/gruf/go-ffmpreg v0.6.11 ships it in embed/ffmpreg.wasm.gz
// (GPL-3.0; TestEmbeddedModule checks the bytes against the module cache).
// That package unpacks it into memory in an init function, which cost every
// chatpic process (the CLI included) about 0.4 s and 54 MB at start; here it
// stays compressed, in the binary's read-only data, until a Runner needs it.
//
//go:embed ffmpeg.wasm.gz
var ffmpegGz []byte

// ffmpegModuleSize bounds the unpacked module (about 23 MB).
const ffmpegModuleSize = 64 << 20

// ffmpegModule unpacks the embedded module. The caller owns the bytes.
func ffmpegModule() ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(ffmpegGz))
	if err != nil {
		return nil, fmt.Errorf("video: unpacking ffmpeg: %w", err)
	}
	var buf bytes.Buffer
	buf.Grow(24 << 20)
	n, err := io.Copy(&buf, io.LimitReader(zr, ffmpegModuleSize+1))
	if err == nil && n > ffmpegModuleSize {
		err = fmt.Errorf("over %d bytes", ffmpegModuleSize)
	}
	if err != nil {
		return nil, fmt.Errorf("video: unpacking ffmpeg: %w", err)
	}
	return buf.Bytes(), nil
}
