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
	github.com/VictoriaMetrics/metrics v1.45.0 // Prometheus metrics at --metrics-addr: small, pure Go, no dependencies of its own beyond two tiny ones; Apache-2.0
	github.com/andybalholm/brotli v1.3.0 // brotli for pages, JSON and static files, pure Go; MIT
	github.com/jackc/pgx/v5 v5.12.0 // PostgreSQL driver for --db postgres://...; MIT
	github.com/minio/minio-go/v7 v7.4.1 // S3-compatible object storage for --blobs s3://...; Apache-2.0
	github.com/piglig/go-qr v1.1.0 // QR codes of share links (we draw the SVG), pure Go, no dependencies; MIT
	github.com/tetratelabs/wazero v1.9.0
	golang.org/x/crypto v0.58.0
	golang.org/x/text v0.43.0 // translations (internal/i18n): Accept-Language matching, CLDR plural rules, per-language numbers; BSD-3-Clause
)

require (
	github.com/chromedp/cdproto v0.159.0 // tests only: the browser tests' protocol types; MIT
	github.com/chromedp/chromedp v0.23.0 // tests only: drives headless Chromium; MIT
	github.com/makiuchi-d/gozxing v0.1.1 // tests only: reads the QR codes back (a port of ZXing); MIT
	github.com/mmcdole/gofeed v1.3.0 // tests only: parses the channels' Atom feeds as feed readers do; MIT
	github.com/pb33f/libopenapi v0.42.5 // tests only: parses the OpenAPI document for the validator; MIT
	github.com/pb33f/libopenapi-validator v0.16.3 // tests only: checks the API's answers against its OpenAPI 3.1 document (JSON Schema 2020-12); MIT
	github.com/prometheus/client_model v0.6.3 // tests only: the parsed metric types; Apache-2.0
	github.com/prometheus/common v0.74.0 // tests only: parses /metrics as Prometheus does (expfmt); Apache-2.0
	go.yaml.in/yaml/v3 v3.0.5 // tests only: parses deploy/compose.yaml; MIT and Apache-2.0
)

require (
	github.com/PuerkitoBio/goquery v1.8.0 // indirect
	github.com/andybalholm/cascadia v1.3.1 // indirect
	github.com/bahlo/generic-list-go v0.2.0 // indirect
	github.com/basgys/goxml2json v1.1.1-0.20231018121955-e66ee54ceaad // indirect
	github.com/buger/jsonparser v1.6.1 // indirect
	github.com/cespare/xxhash/v2 v2.3.0 // indirect
	github.com/dustin/go-humanize v1.1.0 // indirect
	github.com/ebitengine/purego v0.8.3 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	github.com/go-openapi/jsonpointer v1.0.2 // indirect
	github.com/google/uuid v1.6.0 // indirect
	github.com/jackc/pgpassfile v1.0.0 // indirect
	github.com/jackc/pgservicefile v0.0.0-20240606120523-5a60cdf6a761 // indirect
	github.com/jackc/puddle/v2 v2.2.3 // indirect
	github.com/klauspost/compress v1.19.2 // indirect
	github.com/klauspost/cpuid/v2 v2.4.0 // indirect
	github.com/klauspost/crc32 v1.3.0 // indirect
	github.com/mattn/go-isatty v0.0.24 // indirect
	github.com/minio/crc64nvme v1.1.1 // indirect
	github.com/minio/md5-simd v1.1.2 // indirect
	github.com/mmcdole/goxpp v1.1.1-0.20240225020742-a0c311522b23 // indirect
	github.com/munnerz/goautoneg v0.0.0-20191010083416-a7dc8b61c822 // indirect
	github.com/ncruces/go-strftime v1.1.0 // indirect
	github.com/pandatix/go-abnf v0.5.5 // indirect
	github.com/pb33f/go-yaml v0.1.1 // indirect
	github.com/pb33f/jsonpath v0.8.5 // indirect
	github.com/pb33f/jsonschema/v6 v6.0.3 // indirect
	github.com/pb33f/ordered-map/v2 v2.3.2 // indirect
	github.com/philhofer/fwd v1.2.0 // indirect
	github.com/remyoudompheng/bigfft v0.0.0-20230129092748-24d4a6f8daec // indirect
	github.com/rs/xid v1.6.0 // indirect
	github.com/tinylib/msgp v1.6.4 // indirect
	github.com/valyala/fastrand v1.1.0 // indirect
	github.com/valyala/histogram v1.2.0 // indirect
	github.com/zeebo/xxh3 v1.1.0 // indirect
	golang.org/x/net v0.62.0 // indirect
	golang.org/x/sync v0.25.0 // indirect
	golang.org/x/sys v0.49.0 // indirect
	golang.org/x/xerrors v0.0.0-20200804184101-5ec99f83aff1 // indirect
	google.golang.org/protobuf v1.36.12 // indirect
	gopkg.in/ini.v1 v1.67.3 // indirect
	modernc.org/libc v1.80.1 // indirect
	modernc.org/mathutil v1.7.1 // indirect
	modernc.org/memory v1.12.1 // indirect
)
