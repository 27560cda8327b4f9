#!/usr/bin/env bash
# check-unit.sh checks deploy/chatpic.service with systemd-analyze: "verify"
# (syntax, and that ExecStart runs a real binary: a freshly built chatpic
# stands in for /usr/local/bin/chatpic, in a temp copy of the unit) and
# "security --offline=yes", whose exposure score must stay at or under
# MAX_EXPOSURE (default 2.0; docs/deploy.md notes the current one). Prints
# each command before it runs it.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="/usr/local/go/bin:$PATH"

say() { printf '%s\n' "$*" >&2; }
run() { say "+ $*"; "$@"; }

if ! command -v systemd-analyze >/dev/null; then
  if [ "${CI:-}" = true ]; then say "check-unit.sh: FAIL: systemd-analyze is not installed (apt-get install systemd) and CI=true refuses to skip"; exit 1; fi
  say "check-unit.sh: SKIPPED: systemd-analyze is not installed (apt-get install systemd); the unit was NOT checked"
  exit 0
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/chatpic-unit.XXXXXX")
trap 'rm -rf "$work"' EXIT
run env CGO_ENABLED=0 go build -tags nodynamic -trimpath -o "$work/chatpic" ./cmd/chatpic
run sed "s|/usr/local/bin/chatpic|$work/chatpic|" deploy/chatpic.service >"$work/chatpic.service"
cd "$work"
run systemd-analyze verify ./chatpic.service
say "+ systemd-analyze security --offline=yes ./chatpic.service"
systemd-analyze security --offline=yes --no-pager ./chatpic.service >security.txt
grep -E '✗|Overall' security.txt >&2 || true
score=$(sed -n 's/.*Overall exposure level for chatpic.service: \([0-9.]*\).*/\1/p' security.txt)
[ -n "$score" ] || { say "FAIL: no exposure score in systemd-analyze's output"; cat security.txt >&2; exit 1; }
max=${MAX_EXPOSURE:-2.0}
awk -v s="$score" -v m="$max" 'BEGIN { exit !(s <= m) }' ||
  { say "FAIL: exposure $score is above $max"; exit 1; }
say "check-unit.sh: chatpic.service verifies; exposure $score (at most $max)"
