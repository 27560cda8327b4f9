#!/usr/bin/env bash
# Scale-out: uploads per second and channel-page latency with the default
# storage (SQLite, a media folder) against PostgreSQL, with media on disk
# and on S3, and against two instances sharing PostgreSQL and S3. All four
# run in one go on the same machine, so read them as ratios.
#
# Needs the PostgreSQL server of this machine (127.0.0.1:5432, trust auth,
# database test) and starts its own versitygw (.ci/s3-start).
#
#   bench/scaleout.sh [uploads] [pages]
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"
uploads=${1:-200}
pages=${2:-2000}
work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  [ -n "${CHATPIC_S3_PIDFILE:-}" ] && kill "$(cat "$CHATPIC_S3_PIDFILE")" 2>/dev/null
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS bench_scaleout CASCADE" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
go build -o "$work/chatpic" ./cmd/chatpic
go build -o "$work/loadgen" ./bench/loadgen
eval "$(.ci/s3-start 2>/dev/null)"
export PGOPTIONS="-c client_min_messages=warning"
head -c 32 /dev/urandom > "$work/secret"
pg='postgres://postgres@127.0.0.1:5432/test?sslmode=disable&search_path=bench_scaleout'

# serve starts one instance with the given storage flags and sets url.
serve() {
  local port=$((20000 + RANDOM % 20000)) dir
  dir=$(mktemp -d -p "$work")
  "$work/chatpic" serve --addr 127.0.0.1:$port --data "$dir" --cache "$work/cache" \
    --rate-uploads off --flood off --secret-file "$work/secret" "$@" >"$dir/log" 2>&1 &
  pids+=($!)
  for _ in $(seq 600); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.1; done
  url="http://127.0.0.1:$port"
}
fresh_pg() {
  psql -q -h 127.0.0.1 -U postgres test -c "DROP SCHEMA IF EXISTS bench_scaleout CASCADE; CREATE SCHEMA bench_scaleout" >/dev/null
}
fresh_bucket() {
  local b=bench-$RANDOM$RANDOM
  AWS_ACCESS_KEY_ID=$AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY \
    curl -sf -X PUT -H "x-amz-content-sha256: UNSIGNED-PAYLOAD" --aws-sigv4 "aws:amz:us-east-1:s3" --user "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" "$CHATPIC_TEST_S3/$b" >/dev/null
  echo "s3://$b?endpoint=$CHATPIC_TEST_S3&path_style=true"
}
stop_all() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}
bench() {
  printf '%-34s ' "$1"
  "$work/loadgen" -targets "$2" -uploads "$uploads" -pages "$pages" || { tail -5 "$work"/*/log; exit 1; }
}

echo "uploads: $uploads (1024x768 JPEG, 8 at once); channel page: $pages requests, 16 at once"
serve --data "$work/sqlite"
bench "SQLite + disk, 1 instance" "$url"
stop_all

fresh_pg
serve --db "$pg"
bench "PostgreSQL + disk, 1 instance" "$url"
stop_all

fresh_pg
blobs=$(fresh_bucket)
serve --db "$pg" --blobs "$blobs"
bench "PostgreSQL + S3, 1 instance" "$url"
stop_all

fresh_pg
blobs=$(fresh_bucket)
serve --db "$pg" --blobs "$blobs"
a=$url
serve --db "$pg" --blobs "$blobs"
bench "PostgreSQL + S3, 2 instances" "$a,$url"
stop_all
