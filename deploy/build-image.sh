#!/usr/bin/env bash
# build-image.sh builds the chatpic container image from deploy/Containerfile:
#
#   deploy/build-image.sh [TAG]        (default TAG: chatpic:latest)
#
# It builds a static binary (CGO_ENABLED=0 and -tags nodynamic: without the
# tag the purego package links the binary dynamically), lays out a build
# context in a temp folder (the binary, the host's CA bundle, a passwd and
# group file with the user chatpic, 65532, an empty data/) and runs "podman build" on it, or
# "docker build" where there is no podman (CONTAINER_ENGINE overrides).
# Prints each command before it runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

tag=${1:-chatpic:latest}
run() { printf '+ %s\n' "$*" >&2; "$@"; }

engine=${CONTAINER_ENGINE:-}
if [ -z "$engine" ]; then
  for e in podman docker; do command -v "$e" >/dev/null && { engine=$e; break; }; done
fi
[ -n "$engine" ] || { echo "build-image.sh: neither podman nor docker is installed" >&2; exit 1; }

command -v readelf >/dev/null || { echo "build-image.sh: needs readelf (apt-get install binutils)" >&2; exit 1; }
certs=${CA_BUNDLE:-/etc/ssl/certs/ca-certificates.crt}
[ -s "$certs" ] || { echo "build-image.sh: no CA bundle at $certs (apt-get install ca-certificates, or set CA_BUNDLE)" >&2; exit 1; }

ctx=$(mktemp -d "${TMPDIR:-/tmp}/chatpic-image.XXXXXX")
trap 'rm -rf "$ctx"' EXIT

run env CGO_ENABLED=0 go build -tags nodynamic -trimpath -ldflags '-s -w' -o "$ctx/chatpic" ./cmd/chatpic
# FROM scratch has no dynamic loader: refuse a binary that would need one.
if LC_ALL=C readelf -l "$ctx/chatpic" 2>/dev/null | grep -q 'INTERP'; then
  echo "build-image.sh: the binary is not static" >&2; exit 1
fi
run cp deploy/Containerfile "$certs" "$ctx/"
[ "$(basename "$certs")" = ca-certificates.crt ] || mv "$ctx/$(basename "$certs")" "$ctx/ca-certificates.crt"
printf 'chatpic:x:65532:65532:chatpic:/data:/sbin/nologin\n' >"$ctx/passwd"
printf 'chatpic:x:65532:\n' >"$ctx/group"
mkdir -m 0755 "$ctx/data"

# The docker format keeps HEALTHCHECK (the OCI format has no place for it).
format=()
[ "$(basename "$engine")" = podman ] && format=(--format docker)
run "$engine" build "${format[@]}" -f "$ctx/Containerfile" -t "$tag" "$ctx"
