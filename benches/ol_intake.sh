#!/usr/bin/env bash
# OpenLineage intake alone (issue 21), for iterating on it without the whole suite: a fresh
# SQLite catalog, `mlcat serve` from $BENCH_PROFILE (default quick-release), the suite's
# `benches/lua/ingest.lua` in BENCH_MODE=openlineage (one RunEvent per request: a new job and
# run, 5 inputs from a pool of 20 tables, 2 new outputs, schemas and column lineage), 16
# connections, a 3 s warm-up then RUNS runs of DURATION seconds. Prints events/s per run, and
# from /metrics what the writer did: aspects changed per event, the write queue's group sizes.
#
#   benches/ol_intake.sh                 # 3 × 10 s
#   RUNS=1 DURATION=20 PERF=1 benches/ol_intake.sh   # with `perf record` on the server
#
# The suite's own measure of the same thing is the scenario "ingest: OpenLineage RunEvent, 5 in,
# 2 out, schema + column lineage" of `benches/run.sh --only ingest`.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
profile="${BENCH_PROFILE:-quick-release}"
bin="${MLCAT_BIN:-$target/$profile/mlcat}"
runs="${RUNS:-3}"
duration="${DURATION:-10}"
conns="${CONNS:-16}"
work=$(mktemp -d /tmp/ol_intake.XXXXXX)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --database-url "sqlite://$work/catalog.db" --bind "127.0.0.1:$port" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT INT TERM
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

metric() { # the sum of a metric's samples (all label sets)
  curl -s "http://127.0.0.1:$port/metrics" | awk -v m="$1" '$1 ~ "^"m"({|$)" {s += $2} END {printf "%d", s}'
}
bench() { # $1 run name, $2 seconds
  BENCH_MODE=openlineage BENCH_RUN="$1" wrk -t2 -c"$conns" -d"$2"s --timeout 60s \
    -s benches/lua/ingest.lua "http://127.0.0.1:$port/" | sed -n 's/^WRKJSON //p'
}
events=$(bench "w$RANDOM" 3 | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for i in $(seq 1 "$runs"); do
  a0=$(metric mlcat_aspects_written_total)
  g0=$(metric mlcat_write_group_batches_count); b0=$(metric mlcat_write_group_batches_sum)
  c0=$(awk '{print $14 + $15}' "/proc/$server/stat")
  if [ "${PERF:-0}" = 1 ]; then
    perf record -F ${PERF_FREQ:-499} -e cpu-clock ${PERF_CALLGRAPH:--g} -p "$server" -o "$work/perf.data" >/dev/null 2>&1 &
    perf=$!
  fi
  out=$(bench "r$i$RANDOM" "$duration")
  events=$((events + $(echo "$out" | python3 -c 'import json,sys; print(json.load(sys.stdin)["requests"])')))
  if [ "${PERF:-0}" = 1 ]; then
    kill -INT $perf; wait $perf || true
    cp "$work/perf.data" "${PERF_OUT:-/tmp/ol_intake.perf.data}"
  fi
  a1=$(metric mlcat_aspects_written_total)
  g1=$(metric mlcat_write_group_batches_count); b1=$(metric mlcat_write_group_batches_sum)
  c1=$(awk '{print $14 + $15}' "/proc/$server/stat")
  python3 - "$out" "$a0" "$a1" "$g0" "$g1" "$b0" "$b1" "$c0" "$c1" "$(getconf CLK_TCK)" <<'EOF'
import json, sys
r = json.loads(sys.argv[1])
a0, a1, g0, g1, b0, b1, c0, c1, tck = map(float, sys.argv[2:])
n = r["requests"]
bad = r["non2xx"] + r["timeouts"] + r["read_errors"] + r["write_errors"]
groups = g1 - g0
print(f"events/s {n / (r['duration_us'] / 1e6):7.1f}  p50 {r['p50_us'] / 1000:6.1f} ms  "
      f"p99 {r['p99_us'] / 1000:6.1f} ms  aspects changed/event {(a1 - a0) / max(n, 1):5.1f}  "
      f"groups {groups:.0f} of {(b1 - b0) / max(groups, 1):4.1f} events  "
      f"server CPU {1000 * (c1 - c0) / tck / max(n, 1):5.2f} ms/event  bad {bad}"
      + (f"  first bad: {r['sample'][:200]}" if bad else ""))
EOF
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
kill $server; wait $server 2>/dev/null || true
python3 - "$work/catalog.db" "$events" <<'EOF'
import sqlite3, sys
db, events = sqlite3.connect(sys.argv[1]), int(sys.argv[2])
rows = {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0]
        for t in ("entity", "aspect", "edge", "timeseries_event", "search_document")
        if db.execute("SELECT 1 FROM sqlite_master WHERE name = ?", (t,)).fetchone()}
print(f"rows per event over {events} events: "
      + ", ".join(f"{t} {n / max(events, 1):.1f}" for t, n in rows.items()))
EOF
