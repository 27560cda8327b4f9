#!/usr/bin/env bash
# Memory of the server and its media workers together, sampled every 10 ms
# (bench/memory), and the start-up of every admin command. Prints figures,
# asserts nothing; the latest are in docs/performance.md.
#   - the server idle after start-up (the video tools already compiled);
#   - 32 concurrent uploads of a ~17 MB 6000x4000 JPEG: the peak;
#   - 8 concurrent uploads of a 12-megapixel phone HEIC: the peak, and how
#     long a small JPEG uploaded meanwhile takes;
#   - the server one minute after the last burst;
#   - chatpic version and the other commands: wall time and memory.
# Usage: bench/memory.sh [settle]   (default 60s after the last burst)
set -euo pipefail
cd "$(dirname "$0")/.."
settle=${1:-60s}
need=()
command -v heif-enc >/dev/null || need+=(libheif-examples)
[ -x /usr/bin/time ] || need+=(time)
if [ ${#need[@]} -gt 0 ]; then
  echo "+ apt-get install -y ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "+ go build ./cmd/chatpic ./bench/ingest ./bench/memory"
go build -o "$work/chatpic" ./cmd/chatpic
go build -o "$work/ingest" ./bench/ingest
go build -o "$work/memory" ./bench/memory
"$work/ingest" -make "$work/big.jpg" -w 6000 -h 4000 -q 99
"$work/ingest" -make "$work/phone.jpg" -w 4032 -h 3024 -q 92
heif-enc -q 80 "$work/phone.jpg" -o "$work/phone.heic" >/dev/null
"$work/ingest" -make "$work/small.jpg" -w 320 -h 240
for f in big.jpg phone.heic small.jpg; do echo "test file: $f, $(stat -c %s "$work/$f") bytes"; done
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GB", $2/1048576}' /proc/meminfo), $(uname -sr), $(go version | cut -d' ' -f3)"
echo "+ memory -chatpic chatpic -big big.jpg -heic phone.heic -small small.jpg -settle $settle"
"$work/memory" -chatpic "$work/chatpic" -big "$work/big.jpg" -heic "$work/phone.heic" -small "$work/small.jpg" -settle "$settle"
if [ -x /usr/bin/time ]; then
  echo "+ /usr/bin/time chatpic version"
  /usr/bin/time -f "  %e s wall, %M KB resident at most" "$work/chatpic" version
fi
