#!/usr/bin/env bash
# check-image.sh builds the chatpic image (deploy/build-image.sh) and checks
# it without starting a container (this machine cannot run one): it exports
# the image's files (podman create + podman export), runs the image's
# entrypoint from that tree under chroot as the image's user, with the
# image's environment, and checks /healthz (through "chatpic health", the
# image's HEALTHCHECK command) and one upload. Prints each command before it
# runs it, and removes what it made.
#
#   deploy/check-image.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

readonly tag=localhost/chatpic:check
say() { printf '%s\n' "$*" >&2; }
run() { say "+ $*"; "$@"; }

if ! command -v podman >/dev/null; then
  if [ "${CI:-}" = true ]; then say "check-image.sh: FAIL: podman is not installed (apt-get install podman) and CI=true refuses to skip"; exit 1; fi
  say "check-image.sh: SKIPPED: podman is not installed (apt-get install podman); the image was NOT checked"
  exit 0
fi
[ "$(id -u)" = 0 ] || { say "check-image.sh: needs root (chroot, mount)"; exit 1; }
command -v curl >/dev/null || { say "check-image.sh: needs curl"; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/chatpic-check.XXXXXX")
root=$work/root
ctr=""
pid=""
cleanup() {
  [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
  mountpoint -q "$root/proc" 2>/dev/null && umount "$root/proc"
  mountpoint -q "$root/dev" 2>/dev/null && umount "$root/dev"
  [ -n "$ctr" ] && podman rm -f "$ctr" >/dev/null 2>&1
  podman rmi -f "$tag" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

run deploy/build-image.sh "$tag"

# What the image declares, as a runtime would use it.
say "+ podman image inspect $tag"
user=$(podman image inspect --format '{{.Config.User}}' "$tag")
entry=$(podman image inspect --format '{{join .Config.Entrypoint " "}} {{join .Config.Cmd " "}}' "$tag")
health=$(podman image inspect --format '{{join .Config.Healthcheck.Test " "}}' "$tag")
health=${health#CMD } # the exec form: ["CMD", "/chatpic", "health"]
mapfile -t imgenv < <(podman image inspect --format '{{range .Config.Env}}{{println .}}{{end}}' "$tag" | sed '/^$/d')
say "user=$user entrypoint+cmd=[$entry] healthcheck=[$health] env=[${imgenv[*]}]"
[ "$user" = 65532:65532 ] || { say "FAIL: the image's user is $user, want 65532:65532"; exit 1; }
[[ "$health" == *"/chatpic health"* ]] || { say "FAIL: the image has no health check running chatpic health"; exit 1; }

ctr=$(run podman create "$tag")
mkdir "$root"
say "+ podman export $ctr | tar -x -C $root"
podman export "$ctr" | tar -x -C "$root"
run ls -ln "$root" "$root/data"
[ -x "$root/chatpic" ] && [ -s "$root/etc/ssl/certs/ca-certificates.crt" ] && grep -q '^chatpic:x:65532:' "$root/etc/passwd" ||
  { say "FAIL: the exported tree lacks the binary, the CA bundle or the user"; exit 1; }
[ "$(stat -c %u "$root/data")" = 65532 ] || { say "FAIL: /data is not owned by 65532"; exit 1; }

# A runtime gives a container /proc (chatpic starts its media workers
# through /proc/self/exe) and a minimal /dev; so does this check.
mkdir -p "$root/proc" "$root/dev"
run mount -t proc proc "$root/proc"
run mount --bind /dev "$root/dev"

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null || echo 18080)
log=$work/server.log
# The image's environment, with the address moved to a free loopback port.
say "+ env -i ${imgenv[*]} CHATPIC_ADDR=127.0.0.1:$port chroot --userspec=$user $root $entry &"
env -i "${imgenv[@]}" CHATPIC_ADDR="127.0.0.1:$port" chroot --userspec="$user" "$root" $entry >"$log" 2>&1 &
pid=$!

ok=""
for _ in $(seq 150); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then ok=1; break; fi
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.2
done
if [ -z "$ok" ]; then say "FAIL: the server did not answer /healthz; its log:"; cat "$log" >&2; exit 1; fi

# The image's own health check command, run as the container would.
run env -i "${imgenv[@]}" CHATPIC_ADDR="127.0.0.1:$port" chroot --userspec="$user" "$root" $health

jpeg=$work/upload.jpg
run go run ./bench/ingest -make "$jpeg" -w 320 -h 240 -q 85
say "+ curl -fsS -F file=@$jpeg http://127.0.0.1:$port/api/v1/channels/random/posts"
answer=$(curl -fsS -F "file=@$jpeg" -F caption='image check' "http://127.0.0.1:$port/api/v1/channels/random/posts") ||
  { say "FAIL: the upload was refused; the server's log:"; cat "$log" >&2; exit 1; }
say "$answer"
media=$(printf '%s' "$answer" | sed -n 's/.*"media_url":"\([^"]*\)".*/\1/p')
[ -n "$media" ] || { say "FAIL: no media_url in the answer"; exit 1; }
case $media in http*) ;; *) media=http://127.0.0.1:$port$media ;; esac
say "+ curl -fsS -o /dev/null -w '%{http_code} %{content_type} %{size_download}' $media"
curl -fsS -o /dev/null -w '%{http_code} %{content_type} %{size_download}\n' "$media" >&2
stored=$(find "$root/data" -type f -path '*media*' | wc -l)
say "files under the image's /data/media: $stored"
[ "$stored" -ge 1 ] || { say "FAIL: the upload left no file in /data"; exit 1; }
say "+ find $root/data ! -user 65532"
wrong=$(find "$root/data" ! -user 65532)
[ -z "$wrong" ] || { say "FAIL: files in /data not owned by the image's user:"; say "$wrong"; exit 1; }

run kill -TERM "$pid"
wait "$pid" || { say "FAIL: the server did not stop cleanly on SIGTERM; its log:"; cat "$log" >&2; exit 1; }
pid=""
say "the server's log:"; cat "$log" >&2
say "check-image.sh: the image serves /healthz and takes an upload as user $user"
