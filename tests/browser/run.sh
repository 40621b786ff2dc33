#!/usr/bin/env bash
# The playground in a real browser: starts `mlcat serve --demo` on a free port in a temporary
# directory and runs tests/browser/playground.test.mjs against it in Debian's Chromium, driven by
# playwright-core (no browser is downloaded). Screenshots (1400x900) go to
# ${SCREENSHOT_DIR:-${CARGO_TARGET_DIR:-target}/browser-screenshots}.
#
#   bash tests/browser/run.sh
#
# Needs: node >= 20 and npm, curl, cargo (only if the binary is missing or stale), and chromium
# (installed with apt-get when missing). Exits non-zero when a test fails.
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
case "$TARGET" in /*) ;; *) TARGET="$ROOT/$TARGET" ;; esac
BIN="$TARGET/debug/mlcat"
CHROMIUM="${CHROMIUM:-/usr/bin/chromium}"
SHOTS="${SCREENSHOT_DIR:-$TARGET/browser-screenshots}"

step() { printf '\n==> %s\n' "$*"; }

step "chromium"
if [[ ! -x "$CHROMIUM" ]]; then
  export DEBIAN_FRONTEND=noninteractive
  if ! apt-get install -y --no-install-recommends chromium; then
    apt-get update
    apt-get install -y --no-install-recommends chromium
  fi
fi
"$CHROMIUM" --version 2>/dev/null | head -n1

step "npm ci (tests/browser: playwright-core, no browser download)"
(cd "$HERE" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error)

step "mlcat binary"
# Build when the binary is missing, or older than the sources it embeds.
if [[ ! -x "$BIN" ]] || [[ -n "$(find "$ROOT/src" "$ROOT/playground" "$ROOT/migrations" "$ROOT/Cargo.toml" "$ROOT/Cargo.lock" -newer "$BIN" -type f -print -quit)" ]]; then
  (cd "$ROOT" && cargo build --locked)
fi
ls -l "$BIN"

step "mlcat serve --demo"
workdir="$(mktemp -d)"
server=""
cleanup() {
  status=$?
  if [[ -n "$server" ]]; then
    kill "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -f "$workdir/server.log" ]]; then
    echo "--- last lines of the server log:" >&2
    tail -n 30 "$workdir/server.log" >&2 || true
  fi
  rm -rf "$workdir"
  exit $status
}
trap cleanup EXIT
port="$(node -e 'const s = require("net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })')"
(
  cd "$workdir"
  # Only the flags below configure this server, not the caller's environment.
  for var in $(compgen -e | grep -E '^(MLCAT_|DATABASE_URL$)' || true); do unset "$var"; done
  exec "$BIN" serve --demo --bind "127.0.0.1:$port"
) >"$workdir/server.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  curl -sf "http://127.0.0.1:$port/health" >/dev/null && break
  kill -0 "$server" 2>/dev/null || { echo "mlcat exited early" >&2; exit 1; }
  sleep 0.2
done
curl -sf "http://127.0.0.1:$port/health"
echo

step "browser test"
mkdir -p "$SHOTS"
cd "$HERE"
MLCAT_URL="http://127.0.0.1:$port" SCREENSHOT_DIR="$SHOTS" CHROMIUM="$CHROMIUM" \
  node --test-reporter=spec playground.test.mjs
echo "screenshots: $SHOTS"
