#!/usr/bin/env bash
# Ingest of a 12-megapixel phone-like JPEG (sniff, scrub, verify, thumbnail,
# hashes) against libvips' vipsthumbnail making the thumbnail alone, run
# alternately on the same file so both see the same machine noise.
# Usage: bench/ingest.sh [runs]   (default 15 of each)
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-15}
if ! command -v vipsthumbnail >/dev/null; then
  echo "+ apt-get install -y libvips-tools"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libvips-tools >/dev/null
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "+ go build -o $work/ingest ./bench/ingest"
go build -o "$work/ingest" ./bench/ingest
"$work/ingest" -make "$work/photo.jpg" -w 4000 -h 3000
echo "test file: 4000x3000 JPEG, $(stat -c %s "$work/photo.jpg") bytes"

ms() { echo $(( ($2 - $1) / 1000000 )); }
vips=() ours=()
for i in $(seq "$runs"); do
  t0=$(date +%s%N); vipsthumbnail "$work/photo.jpg" --size 512 -o "$work/vips.jpg" >/dev/null; t1=$(date +%s%N)
  "$work/ingest" "$work/photo.jpg" >/dev/null; t2=$(date +%s%N)
  vips+=("$(ms "$t0" "$t1")"); ours+=("$(ms "$t1" "$t2")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
mv=$(median "${vips[@]}"); mo=$(median "${ours[@]}")
echo "vipsthumbnail (thumbnail only), ms: ${vips[*]}"
echo "chatpic ingest (everything),    ms: ${ours[*]}"
awk -v v="$mv" -v o="$mo" 'BEGIN { printf "median: vipsthumbnail %d ms, chatpic ingest %d ms, ratio %.2f (target <= 2)\n", v, o, o / v }'
