module github.com/chatpic/chatpic

go 1.26.0

require (
	github.com/gen2brain/avif v0.4.4 // AVIF decoding (libavif+libaom in WebAssembly), encoding in tests; MIT, bundled libs BSD-2
	github.com/gen2brain/heic v0.4.5 // HEIC decoding (libheif+libde265 in WebAssembly); MIT wrapper, bundled libs LGPL-3.0
	golang.org/x/image v0.47.0
	modernc.org/sqlite v1.62.0
)

require (
	codeberg.org/gruf/go-ffmpreg v0.6.11
	github.com/tetratelabs/wazero v1.9.0
	golang.org/x/crypto v0.58.0
)

require (
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/ebitengine/purego v0.8.3 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	golang.org/x/sys v0.49.0 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
