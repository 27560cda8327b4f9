#!/usr/bin/env bash
# One client against the site: from 127.0.0.1, 12,000 slow upload bodies
# (each announcing 20 MB, then a byte a second), then 25,000 idle live
# streams, each phase bounded in time; meanwhile a second client, from
# 127.0.0.2, asks for /healthz and a channel page and uploads a small
# picture every 200 ms. Prints how the attack went and the second client's
# answers and latencies (bench/edge); asserts nothing. Rate limits are off,
# so that only the caps on what one client holds stand in the way.
# Usage: bench/edge.sh [uploads] [streams] [phase]   (default 12000 25000 40s)
set -euo pipefail
cd "$(dirname "$0")/.."
uploads=${1:-12000}
streams=${2:-25000}
phase=${3:-40s}
work=$(mktemp -d)
echo "+ go build ./cmd/chatpic ./bench/edge"
go build -o "$work/chatpic" ./cmd/chatpic
go build -o "$work/edge" ./bench/edge
# The attacker needs as many sockets as it can get; the server raises its
# own limit itself.
ulimit -n "$(ulimit -Hn)"
port=$(( 20000 + RANDOM % 20000 ))
"$work/chatpic" serve --addr "127.0.0.1:$port" --data "$work/data" --cache "${TMPDIR:-/tmp}/chatpic-bench-cache" \
  --rate-uploads off --flood off 2>"$work/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done
echo "machine: $(nproc) cores, open files: $(ulimit -Hn) hard, $(go version | cut -d' ' -f3)"
grep -o 'msg="client caps".*' "$work/log" || true
echo "+ edge -url http://127.0.0.1:$port -uploads $uploads -streams $streams -phase $phase"
"$work/edge" -url "http://127.0.0.1:$port" -uploads "$uploads" -streams "$streams" -phase "$phase"
echo
echo "server: $(grep -c 'too many open files' "$work/log" || true) 'too many open files' lines, $(grep -c 'level=ERROR' "$work/log" || true) errors logged; RSS $(awk '/VmHWM/ {print $2" kB peak"}' /proc/$pid/status)"
