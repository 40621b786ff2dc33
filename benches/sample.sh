#!/usr/bin/env bash
# Samples where the release server spends its time under load, with perf (cpu-clock at 999 Hz;
# the machine has no hardware counters, so no instruction counts: benches/profile.sh gives
# those, under callgrind).
#
#   benches/sample.sh SCENARIO [CONNECTIONS] [SECONDS]
#
#   single      mlModel(urn) with properties                 (default 32 connections)
#   list        100 models with properties                   (8)
#   nested      100 models × features × sources              (4)
#   ordinary    lineageGraph depth 5 from ordinary nodes     (1)
#   hub         lineageGraph depth 5 from the widest hub     (1)
#   group_get   mlModelGroup(urn) + versions                 (32)
#   group_search listMLModelGroups(count 100) + versions     (4)
#   ingest      ingestProposalBatch, 200 proposals each      (4)
#
# Needs a full run first (`benches/run.sh`: the release build, the SQLite catalog and the
# request bodies under $CARGO_TARGET_DIR/bench). Starts `mlcat serve` on a copy of that catalog,
# warms it for 2 s, then loads it with wrk for SECONDS (default 8) while perf records, and
# prints wrk's requests/s, p50 and p99, the server's peak RSS, and the top symbols.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$target/bench"
scenario="${1:?usage: benches/sample.sh SCENARIO [CONNECTIONS] [SECONDS]}"
secs="${3:-8}"
script=requests.lua
case "$scenario" in
  single) file="single__mlModel_urn__with_properties"; conns=32 ;;
  list) file="list__100_models_with_properties"; conns=8 ;;
  nested) file="nested__100_models___features___sources"; conns=4 ;;
  ordinary) file="lineage__depth_5_downstream__ordinary_nodes"; conns=1 ;;
  hub) file="lineage__depth_5_downstream__hub__budget_1000"; conns=1 ;;
  group_get) file="peer__mlModelGroup_urn____versions"; conns=32 ;;
  group_search) file="peer__listMLModelGroups_count_100____versions"; conns=4 ;;
  ingest) script=ingest.lua; conns=4 ;;
  *) echo "unknown scenario $scenario"; exit 2 ;;
esac
conns="${2:-$conns}"
threads=$(( conns < 2 ? 1 : 2 ))
if [ "$script" = requests.lua ]; then
  export BENCH_REQUESTS="$work/requests/mlcat-sqlite-$file-sqlite.txt" BENCH_METHOD=POST
  [ -f "$BENCH_REQUESTS" ] || { echo "no $BENCH_REQUESTS: run benches/run.sh first"; exit 1; }
else
  BENCH_SOURCES="$(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["sources"]))' "$work/catalog-full-sqlite.json")"
  export BENCH_SOURCES BENCH_MODE=batch BENCH_BATCH=200 BENCH_RUN="sample$(date +%s)"
fi
command -v perf >/dev/null || { echo "perf is not installed (Debian: linux-perf)"; exit 1; }

db="$work/sample.db"
cp "$work/catalog-full.db" "$db"
rm -f "$db-wal" "$db-shm"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$target/release/mlcat" serve --database-url "sqlite://$db" --bind "127.0.0.1:$port" >"$work/sample-server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT INT TERM
for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done

load() { wrk -t"$threads" -c"$conns" -d"$1" --latency -s "benches/lua/$script" "http://127.0.0.1:$port"; }
load 2s >/dev/null
out="$work/perf.$scenario.data"
perf record -F 999 -e cpu-clock -g -p "$server" -o "$out" -- sleep "$secs" >/dev/null 2>&1 &
recorder=$!
load "${secs}s" | grep -E "Requests/sec|^ +50%|^ +99%"
wait $recorder || true
grep -E "VmHWM|RssAnon|RssFile" "/proc/$server/status" | tr -s " \t" " " | paste -sd " "
echo "--- top symbols (self time); profile: $out"
perf report -i "$out" --no-children --sort dso,symbol --stdio -g none 2>/dev/null \
  | grep -E '^ +[0-9]' | sed -E 's/ {2,}/ /g' | cut -c1-160 | head -"${TOP:-40}"
