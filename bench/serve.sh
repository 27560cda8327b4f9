#!/usr/bin/env bash
# chatpic against nginx serving the same bytes, side by side: a 200 KB
# picture and its thumbnail, a channel page of 60 uploads, the channel's
# JSON and the home page, at c=50 and c=400 (wrk -t2, 10 s), chatpic and
# nginx alternately, three rounds each. For the pages, nginx serves what
# chatpic answered, saved as static files (sendfile on). Both log every
# request to a file. Go's own http.FileServer (bench/staticgo, no logging,
# no middleware) serves the same files too, in the same rounds: how fast
# net/http itself is here; and bench/rawgo, a Go server without net/http,
# a goroutine per connection, that reads only the request line and sends
# the file (no header parsing, no logging): what the goroutine-per-
# connection design costs without net/http. chatpic answers what it can
# from its express lane (internal/express, epoll loops), the rest through
# net/http.
# Prints req/s, p99 and the ratios to nginx (medians of the rounds) per
# row; asserts nothing.
# Usage: bench/serve.sh [rounds] [seconds]   (default 3 10)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
secs=${2:-10}
need=()
command -v nginx >/dev/null || need+=(nginx-light)
command -v wrk >/dev/null || need+=(wrk)
if [ ${#need[@]} -gt 0 ]; then
  echo "+ apt-get install -y ${need[*]}"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
work=$(mktemp -d)
echo "+ go build ./cmd/chatpic ./bench/ingest ./bench/staticgo ./bench/rawgo"
go build -o "$work/chatpic" ./cmd/chatpic
go build -o "$work/ingest" ./bench/ingest
go build -o "$work/staticgo" ./bench/staticgo
go build -o "$work/rawgo" ./bench/rawgo
ulimit -n "$(ulimit -Hn)"
port=$(( 20000 + RANDOM % 10000 ))
nport=$(( port + 10000 ))
gport=$(( port + 20000 ))
rport=$(( port + 30000 ))
"$work/chatpic" serve --addr "127.0.0.1:$port" --data "$work/data" --cache "${TMPDIR:-/tmp}/chatpic-bench-cache" \
  --rate-uploads off --flood off 2>"$work/chatpic.log" &
pid=$!
trap 'kill $pid ${gpid:-} ${rpid:-} 2>/dev/null; wait $pid 2>/dev/null; [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null; rm -rf "$work"' EXIT
base=http://127.0.0.1:$port
for _ in $(seq 100); do curl -fs "$base/healthz" >/dev/null && break; sleep 0.1; done

# A 200 KB picture, then 60 uploads so the channel page shows 60.
"$work/ingest" -make "$work/pic.jpg" -w 1000 -h 750 -q 85
echo "picture: $(stat -c %s "$work/pic.jpg") bytes"
id=$(curl -fs -F file=@"$work/pic.jpg" "$base/api/v1/channels/photography/posts" | grep -o '"id":"[^"]*"' | head -1 | cut -d'"' -f4)
for i in $(seq 60); do
  "$work/ingest" -make "$work/p$i.jpg" -w $((300 + i)) -h 200 -q 80
  curl -fs -F file=@"$work/p$i.jpg" -F caption="Upload number $i, a caption of ordinary length" "$base/api/v1/channels/photography/posts" >/dev/null
done

# nginx serves the same bytes as static files.
root=$work/www
mkdir -p "$root/m" "$root/t" "$root/c" "$root/api"
curl -fs "$base/m/$id.jpg" -o "$root/m/$id.jpg"
curl -fs "$base/t/$id.jpg" -o "$root/t/$id.jpg"
curl -fs "$base/c/photography" -o "$root/c/photography.html"
curl -fs "$base/api/v1/channels/photography/posts" -o "$root/api/posts.json"
curl -fs "$base/" -o "$root/index.html"
cat > "$work/nginx.conf" <<CONF
worker_processes 2;
pid $work/nginx.pid;
error_log $work/nginx-error.log;
events { worker_connections 4096; }
http {
  access_log $work/nginx-access.log;
  sendfile on; tcp_nopush on; keepalive_requests 100000;
  types { text/html html; application/json json; image/jpeg jpg; }
  server {
    listen 127.0.0.1:$nport;
    root $root;
    location = / { try_files /index.html =404; }
    location = /c/photography { default_type text/html; try_files /c/photography.html =404; }
    location = /api/v1/channels/photography/posts { default_type application/json; try_files /api/posts.json =404; }
  }
}
CONF
# nginx's workers run as nobody: they must be able to read the files
# (mktemp -d makes a folder only its owner can enter).
chmod -R a+rX "$work"
nginx -c "$work/nginx.conf"
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$nport/m/$id.jpg" >/dev/null && break; sleep 0.1; done
"$work/staticgo" -addr "127.0.0.1:$gport" -root "$root" &
gpid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$gport/m/$id.jpg" >/dev/null && break; sleep 0.1; done
"$work/rawgo" -addr "127.0.0.1:$rport" -root "$root" &
rpid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$rport/m/$id.jpg" >/dev/null && break; sleep 0.1; done
# Every server must answer every path with 200 and the same bytes, or the
# comparison means nothing (an nginx answering 403 is very fast).
for path in "/m/$id.jpg" "/t/$id.jpg" /c/photography /api/v1/channels/photography/posts /; do
  curl -fs "$base$path" -o "$work/a" || { echo "serve.sh: chatpic does not answer $path" >&2; exit 1; }
  for other in "$nport" "$gport" "$rport"; do
    curl -fs "http://127.0.0.1:$other$path" -o "$work/b" && cmp -s "$work/a" "$work/b" ||
      { echo "serve.sh: the server on port $other does not answer $path with chatpic's bytes" >&2; exit 1; }
  done
done

echo "machine: $(nproc) cores, $(nginx -v 2>&1 | cut -d/ -f2) nginx, wrk -t2 -d${secs}s, $rounds rounds each, alternating, $(go version | cut -d' ' -f3)"
# bench PATH C: prints "reqs p99ms" for one wrk run against HOST.
one() {
  wrk -t2 -c"$3" -d"${secs}s" --latency "$1$2" 2>/dev/null | awk '
    /Non-2xx or 3xx responses/ {bad=$5}
    /Requests\/sec/ {r=$2}
    /^ +99%/ {v=$2; if (v ~ /us$/) {sub(/us/,"",v); v=v/1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v=v*1000}; p=v}
    END {if (bad > 0) {print "serve.sh: " bad " answers were not 2xx or 3xx" > "/dev/stderr"; r = 0}; printf "%d %.1f\n", r, p}'
}
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
printf '\n%-26s %4s %11s %6s %11s %6s %11s %6s %11s %6s %8s %8s %8s\n' "what" "c" "chatpic r/s" "p99 ms" "nginx r/s" "p99 ms" "Go r/s" "p99 ms" "raw Go r/s" "p99 ms" "chatpic" "Go" "raw Go"
printf '%-26s %4s %11s %6s %11s %6s %11s %6s %11s %6s %8s %8s %8s\n' "" "" "" "" "" "" "" "" "" "" "/nginx" "/nginx" "/nginx"
row() {
  local name=$1 path=$2 c=$3 cr=() cp=() nr=() np=() gr=() gp=() rr=() rp=()
  for _ in $(seq "$rounds"); do
    read -r r p < <(one "$base" "$path" "$c"); cr+=("$r"); cp+=("$p")
    read -r r p < <(one "http://127.0.0.1:$nport" "$path" "$c"); nr+=("$r"); np+=("$p")
    read -r r p < <(one "http://127.0.0.1:$gport" "$path" "$c"); gr+=("$r"); gp+=("$p")
    read -r r p < <(one "http://127.0.0.1:$rport" "$path" "$c"); rr+=("$r"); rp+=("$p")
  done
  local a b g w
  a=$(median "${cr[@]}"); b=$(median "${nr[@]}"); g=$(median "${gr[@]}"); w=$(median "${rr[@]}")
  printf '%-26s %4s %11s %6s %11s %6s %11s %6s %11s %6s %8.2f %8.2f %8.2f\n' "$name" "$c" "$a" "$(median "${cp[@]}")" "$b" "$(median "${np[@]}")" \
    "$g" "$(median "${gp[@]}")" "$w" "$(median "${rp[@]}")" \
    "$(echo "$a $b" | awk '{print $1/$2}')" "$(echo "$g $b" | awk '{print $1/$2}')" "$(echo "$w $b" | awk '{print $1/$2}')"
}
for c in 50 400; do
  row "picture $(( $(stat -c %s "$root/m/$id.jpg") / 1024 )) KB" "/m/$id.jpg" $c
  row "thumbnail $(( $(stat -c %s "$root/t/$id.jpg") / 1024 )) KB" "/t/$id.jpg" $c
  row "channel page, 60 uploads" "/c/photography" $c
  row "channel JSON" "/api/v1/channels/photography/posts" $c
  row "home page" "/" $c
done
