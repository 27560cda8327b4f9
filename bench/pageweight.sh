#!/usr/bin/env bash
# Page weight: what a phone downloads for chatpic's pages, before the
# pictures. Starts a fresh server, fills a channel with 60 uploads (the
# size of one channel page), and prints the bytes of each page and of its
# static files, raw and gzipped (-9), which is what a compressing proxy
# in front would send.
#
#   bench/pageweight.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
work=$(mktemp -d)
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
go build -o "$work/chatpic" ./cmd/chatpic
port=$((20000 + RANDOM % 20000))
"$work/chatpic" serve --addr 127.0.0.1:$port --data "$work/data" --rate-uploads 1000/1m --flood 1000/1m >"$work/log" 2>&1 &
pid=$!
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -sf "$base/healthz" >/dev/null && break; sleep 0.1; done
# Small distinct PNGs: the page weight does not depend on the pictures.
go run ./bench/pageweight "$work/pics" 60
for f in "$work"/pics/*.png; do
  curl -sf -F file=@"$f" -F caption="A caption of ordinary length" "$base/api/v1/channels/photography/posts" >/dev/null
done
post=$(curl -sf "$base/api/v1/channels/photography/posts?limit=1" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
printf '%-28s %9s %9s\n' "what" "bytes" "gzip -9"
row() { printf '%-28s %9d %9d\n' "$1" "$(curl -sf "$2" | wc -c)" "$(curl -sf "$2" | gzip -9 | wc -c)"; }
row "home page (HTML)" "$base/"
row "channel page, 60 uploads" "$base/c/photography"
row "post page (HTML)" "$base/p/$post"
total=0; gz=0
for u in $(curl -sf "$base/c/photography" | grep -o '/static/[^"]*' | sort -u); do
  row "  $u" "$base$u"
  total=$((total + $(curl -sf "$base$u" | wc -c))); gz=$((gz + $(curl -sf "$base$u" | gzip -9 | wc -c)))
done
printf '%-28s %9d %9d\n' "static files together" "$total" "$gz"
printf 'thumbnails on the channel page: %d, each with width and height\n' "$(curl -sf "$base/c/photography" | grep -c '<img ')"
