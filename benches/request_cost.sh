#!/usr/bin/env bash
# Instructions per request (callgrind) of one small query against the demo catalog, for one
# binary under one or more log settings: what a layer or a log line adds to every request,
# without the catalog of the full suite (see BENCHMARKS.md, "6 December: hardening").
#
#   benches/request_cost.sh BINARY [N] [RUST_LOG ...]
#
# Starts `BINARY serve --demo` under callgrind on a fresh SQLite file, once per RUST_LOG value
# (default: `info`, then `info,mlcat::request=off`), sends three warm-up requests, counts N
# (default 200) requests of the tutorial's model query, and prints instructions per request.
# Each request comes on a new connection (curl), or, with KEEPALIVE=1, all on one kept-alive
# connection.
set -eu
bin=$1
n=${2:-200}
shift $(( $# >= 2 ? 2 : 1 ))
[ $# -gt 0 ] || set -- "info" "info,mlcat::request=off"
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" migrate --database-url "sqlite://$work/m.db" >/dev/null 2>&1
q='{"query":"{ mlModel(urn: \"urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)\") { name properties { type } } }"}'
post() { curl -sf "http://127.0.0.1:$port/api/graphql" -H 'content-type: application/json' -d "$q" -o /dev/null; }
for mode in "$@"; do
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  RUST_LOG=$mode valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$work/cg.out" \
    "$bin" serve --demo --database-url "sqlite://$work/m.db" --bind "127.0.0.1:$port" \
    --request-timeout-secs 3600 >/dev/null 2>"$work/server.log" &
  server=$!
  for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done
  post; post; post
  callgrind_control -i on "$server" >/dev/null
  if [ "${KEEPALIVE:-0}" = 1 ]; then
    python3 - "$port" "$n" "$q" <<'PY'
import http.client, sys
port, n, body = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
c = http.client.HTTPConnection("127.0.0.1", port)
for _ in range(n):
    c.request("POST", "/api/graphql", body, {"content-type": "application/json"})
    r = c.getresponse(); r.read(); assert r.status == 200, r.status
PY
  else
    for _ in $(seq 1 "$n"); do post; done
  fi
  callgrind_control -i off "$server" >/dev/null
  kill -TERM "$server"
  wait "$server" || true
  total=$(callgrind_annotate "$work/cg.out" 2>/dev/null | awk '/PROGRAM TOTALS/ { gsub(/,/, "", $1); print $1; exit }')
  echo "RUST_LOG=$mode: $((total / n)) instructions per request ($n requests, keep-alive ${KEEPALIVE:-0})"
  rm -f "$work/cg.out"
done
