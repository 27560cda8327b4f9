#!/usr/bin/env bash
# Ingest benchmarks, each side by side with a native reference on the same
# file, run alternately so both see the same machine noise. The reference
# is timed as a whole command (its start-up included, a few ms); chatpic's
# time is the upload inside its process, as a running server does it.
#   12 MP phone-like JPEG: chatpic's whole upload (spool, sniff, scrub, verify,
#     thumbnail, SHA-256, PDQ, store, record) vs vipsthumbnail making the
#     thumbnail alone (the PRODUCT.md target: <= 2x, aiming for parity);
#   12 MP HEIC: the same, vs vipsthumbnail on the HEIC;
#   10 s 1080p H.264 MP4: chatpic (ffmpeg in WebAssembly: probe, remux,
#     poster, verify) vs native ffmpeg doing the remux and the poster.
# Usage: bench/ingest.sh [runs]   (default 11 JPEG runs; HEIC and MP4 get 3)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-11}
need=()
command -v vipsthumbnail >/dev/null || need+=(libvips-tools)
command -v heif-enc >/dev/null || need+=(libheif-examples)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
if [ ${#need[@]} -gt 0 ]; then
  echo "+ apt-get install -y ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "+ go build -o $work/ingest ./bench/ingest"
go build -o "$work/ingest" ./bench/ingest
"$work/ingest" -make "$work/photo.jpg" -w 4000 -h 3000
heif-enc -q 60 "$work/photo.jpg" -o "$work/photo.heic" >/dev/null
ffmpeg -loglevel error -f lavfi -i testsrc2=size=1920x1080:rate=30 -f lavfi -i sine=frequency=440 -t 10 \
  -c:v libx264 -preset veryfast -pix_fmt yuv420p -c:a aac -metadata title=bench "$work/clip.mp4"
for f in photo.jpg photo.heic clip.mp4; do echo "test file: $f, $(stat -c %s "$work/$f") bytes"; done
# Compile the built-in ffmpeg once into the cache, outside the timings.
"$work/ingest" -cache "$work/cache" "$work/clip.mp4" >/dev/null

now() { date +%s%N; }
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
# side NAME RUNS REFERENCE-COMMAND -- CHATPIC-COMMAND
side() {
  local name=$1 n=$2; shift 2
  local ref=() ours=() a=() b=()
  while [ "$1" != "--" ]; do a+=("$1"); shift; done; shift; b=("$@")
  for _ in $(seq "$n"); do
    local t0 t1 t2
    t0=$(now); "${a[@]}" >/dev/null 2>&1; t1=$(now)
    ref+=($(( (t1 - t0) / 1000000 )))
    # chatpic is a server: what counts is the upload inside the running
    # process, which ingest prints, not the start of a new process.
    ours+=($("${b[@]}" | awk '{printf "%d", $2}'))
  done
  local mr mo
  mr=$(median "${ref[@]}"); mo=$(median "${ours[@]}")
  echo "$name reference, ms: ${ref[*]}"
  echo "$name chatpic,   ms: ${ours[*]}"
  awk -v n="$name" -v r="$mr" -v o="$mo" 'BEGIN { printf "%s median: reference %d ms, chatpic %d ms, ratio %.2f\n", n, r, o, o / r }'
}
side "12MP JPEG" "$runs" vipsthumbnail "$work/photo.jpg" --size 512 -o "$work/v.jpg" -- "$work/ingest" "$work/photo.jpg"
side "12MP HEIC" 3 vipsthumbnail "$work/photo.heic" --size 512 -o "$work/v.jpg" -- "$work/ingest" "$work/photo.heic"
side "10s 1080p MP4" 3 sh -c "ffmpeg -loglevel error -y -i '$work/clip.mp4' -map 0:v:0 -map 0:a:0? -c copy -map_metadata -1 -movflags +faststart '$work/r.mp4' && ffmpeg -loglevel error -y -ss 1 -i '$work/clip.mp4' -frames:v 1 '$work/p.png'" \
  -- "$work/ingest" -cache "$work/cache" "$work/clip.mp4"
