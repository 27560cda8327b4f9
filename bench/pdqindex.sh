#!/usr/bin/env bash
# Banned-hash look-up: pdq.Index.Match against a plain loop calling
# pdq.Distance on every entry ("linear"), and against the index's own
# sequential scan ("scan", the loop on 64-bit words that Match uses for wide
# thresholds), on 800,000 entries (100,000 pictures × 8 orientations) at
# threshold 31. "miss" queries are random hashes; "hit" queries are stored
# hashes with 20 bits flipped. Prints the median ns/op of each side, the
# speed-ups and the index's heap per entry.
# Usage: bench/pdqindex.sh [count]   (default 5)
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-5}
out=$(mktemp)
trap 'rm -f "$out"' EXIT
# The rounds run one after another, each side once per round, so both see
# the same machine noise; the medians are over the rounds.
cmd=(go test -run '^$' -bench '^BenchmarkMatch$' -count 1 ./internal/pdq)
for round in $(seq "$count"); do
  echo "+ ${cmd[*]}   # round $round of $count"
  "${cmd[@]}" | tee -a "$out"
done
echo
awk '
  $1 ~ /^BenchmarkMatch\// {
    split($1, p, "/"); sub(/-[0-9]+$/, "", p[3])   # BenchmarkMatch/miss/index-2
    k = p[2] " " p[3]; n[k]++; v[k, n[k]] = $3
    if ($6 == "B/entry") bpe = $5
  }
  function median(k,   i, j, t, m) {
    m = n[k]
    for (i = 1; i <= m; i++) a[i] = v[k, i]
    for (i = 2; i <= m; i++) for (j = i; j > 1 && a[j-1] > a[j]; j--) { t = a[j]; a[j] = a[j-1]; a[j-1] = t }
    return (m % 2) ? a[(m+1)/2] : (a[m/2] + a[m/2+1]) / 2
  }
  END {
    printf "%-5s %14s %14s %14s %14s %12s\n", "query", "index ns/op", "scan ns/op", "linear ns/op", "linear/index", "scan/index"
    split("miss hit", q, " ")
    for (i = 1; i <= 2; i++) {
      x = median(q[i] " index"); s = median(q[i] " scan"); l = median(q[i] " linear")
      printf "%-5s %14.0f %14.0f %14.0f %13.0fx %11.1fx\n", q[i], x, s, l, l / x, s / x
    }
    printf "index heap: %s bytes per entry; medians of %d rounds\n", bpe, n["miss index"]
  }' "$out"
