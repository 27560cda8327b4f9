#!/usr/bin/env bash
# Live fan-out: 10,000 SSE streams on one chatpic instance, one upload, and
# how long it takes to reach all of them; plus the server's memory per
# stream (RSS after the streams open, minus before, over N). The server and
# the streams run in two processes (each needs N file descriptors).
# Usage: bench/sse.sh [N]   (default 10000)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-10000}
work=$(mktemp -d)
echo "+ go build ./cmd/chatpic ./bench/sse"
go build -o "$work/chatpic" ./cmd/chatpic
go build -o "$work/sse" ./bench/sse
ulimit -n "$(ulimit -Hn)"
port=$(( 20000 + RANDOM % 20000 ))
cache="${TMPDIR:-/tmp}/chatpic-bench-cache"
fresh=$([ -n "$(ls -A "$cache/ffmpeg" 2>/dev/null)" ] && echo no || echo yes)
"$work/chatpic" serve --addr "127.0.0.1:$port" --data "$work/data" --cache "$cache" 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
# On a fresh cache, let the background compile of the video tools finish
# first: it would compete for the CPU.
if [ "$fresh" = yes ]; then
  for _ in $(seq 600); do grep -q "video tools compiled" "$work/log" && break; sleep 0.1; done
fi
rss() { awk '/VmRSS/ {print $2}' "/proc/$pid/status"; }
before=$(rss)
"$work/sse" -url "http://127.0.0.1:$port" -n "$n" &
client=$!
# Read the server's memory while every stream is open (the client prints
# "N streams open" before uploading; poll for it).
peak=$before
while kill -0 $client 2>/dev/null; do
  r=$(rss); [ "$r" -gt "$peak" ] && peak=$r
  sleep 0.2
done
wait $client
echo "server RSS: $before kB before, $peak kB with $n streams; $(( (peak - before) * 1024 / n )) bytes per stream"
