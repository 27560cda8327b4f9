#!/usr/bin/env bash
# Upload with eviction into a full channel (capacity 100) after 1e3 and after
# 1e6 past uploads, side by side in one run, and the ratio of the two.
# Usage: bench/eviction.sh [count]   (default 5 runs of each)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "+ go test -run '^\$' -bench BenchmarkCreatePostEvict -benchtime 3000x -count $count ./internal/sqlstore"
go test -run '^$' -bench BenchmarkCreatePostEvict -benchtime 3000x -count "$count" ./internal/sqlstore | tee "$out"
awk '
/past=1000-/    { small += $3; ns++ }
/past=1000000-/ { big += $3; nb++ }
END {
  if (ns == 0 || nb == 0) { print "no results"; exit 1 }
  s = small / ns; b = big / nb
  printf "mean ns/op: past=1e3 %.0f, past=1e6 %.0f; throughput ratio 1e6/1e3 = %.2f (target >= 0.9)\n", s, b, s / b
}' "$out"
