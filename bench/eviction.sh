#!/usr/bin/env bash
# Upload with eviction into a full channel (capacity 100) after 1e3 and after
# 1e6 past uploads. BenchmarkEvictionFlat interleaves the two in one loop, so
# both see the same machine noise, and reports "ratio": throughput after 1e6
# relative to after 1e3 (target >= 0.9; 1.0 is flat).
# Usage: bench/eviction.sh [count]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
cmd=(go test -run '^$' -bench '^BenchmarkEvictionFlat$' -benchtime 4000x -count "$count" ./internal/sqlstore)
echo "+ ${cmd[*]}"
"${cmd[@]}"
