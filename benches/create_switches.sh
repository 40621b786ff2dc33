#!/usr/bin/env bash
# What one MLflow `model-versions/create` costs the server under load: context switches and
# user and system CPU per create, over 10 s of wrk at 4 connections (see BENCHMARKS.md, "8
# December, night: a version creation's context switches").
#
#   benches/create_switches.sh BINARY REGISTRY_DB [SECONDS]
#
# REGISTRY_DB is a SQLite file loaded through mlcat's MLflow API with registered models named
# group_00000 .. group_00999 (`python3 benches/mlflow_load.py <url> 1000 5`, then checkpointed);
# each run writes into a copy of it. Counts every thread of the server (`/proc/<pid>/task`).
set -eu
bin=$1
db=$2
seconds=${3:-10}
port=18180
work=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
cp "$db" "$work/r.db"
"$bin" serve --database-url "sqlite://$work/r.db" --bind "127.0.0.1:$port" >"$work/log" 2>&1 &
pid=$!
for _ in $(seq 50); do curl -sf "127.0.0.1:$port/health" >/dev/null && break; sleep 0.2; done
python3 -c '
import json
for g in range(1000):
    n = f"group_{g:05d}"
    print(json.dumps({"name": n, "source": f"s3://bench-models/{n}/new"}))' >"$work/requests"
export BENCH_REQUESTS=$work/requests BENCH_PATH=/api/2.0/mlflow/model-versions/create
lua="$(dirname "$0")/lua/requests.lua"
wrk -t2 -c4 -d2s -s "$lua" "http://127.0.0.1:$port" >/dev/null
switches() {
  local n=0
  for t in /proc/"$pid"/task/*; do
    n=$((n + $(awk '/ctxt_switches/ {s += $2} END {print s}' "$t/status")))
  done
  echo "$n"
}
c0=$(switches); t0=$(awk '{print $14, $15}' /proc/"$pid"/stat)
out=$(wrk -t2 -c4 -d"${seconds}s" -s "$lua" "http://127.0.0.1:$port")
c1=$(switches); t1=$(awk '{print $14, $15}' /proc/"$pid"/stat)
creates=$(echo "$out" | grep -o '"requests":[0-9]*' | cut -d: -f2)
echo "$out" | grep Requests/sec
python3 -c "
t0, t1, n = '$t0'.split(), '$t1'.split(), $creates
tick = 1000 / $(getconf CLK_TCK)
print(f'{n} creates: {($c1 - $c0) / n:.1f} context switches, '
      f'user {(int(t1[0]) - int(t0[0])) * tick / n:.3f} ms, system {(int(t1[1]) - int(t0[1])) * tick / n:.3f} ms each')"
