#!/usr/bin/env bash
# Profiles one scenario with valgrind's callgrind on the release binary (perf counters are not
# available on this machine: `perf stat -e instructions true` says "not supported").
#
#   benches/profile.sh hub        lineageGraph depth 5 downstream from the widest hub, budget 1000
#   benches/profile.sh nested     100 models × their features × the features' sources
#   benches/profile.sh ordinary   lineageGraph depth 5 downstream from the 50 ordinary nodes
#   benches/profile.sh single     mlModel(urn) with properties
#   benches/profile.sh list       100 models with properties
#   benches/profile.sh group_get  mlModelGroup(urn) + versions (the MLflow get-by-name peer)
#   benches/profile.sh group_search  listMLModelGroups(count 100) + versions (the search peer)
#
# Needs a full run first (`benches/run.sh`: the release build, the SQLite catalog and the
# request bodies under $CARGO_TARGET_DIR/bench). Starts `mlcat serve` under callgrind on a copy
# of that catalog, sends one warm-up request and then N measured ones (default 3; instruction
# counting is switched on for those only), stops the server, and prints the functions by
# inclusive and by exclusive cost. callgrind counts instructions, not seconds: the figures are
# repeatable whatever else the machine is doing.
set -euo pipefail
cd "$(dirname "$0")/.."
target="${CARGO_TARGET_DIR:-$PWD/target}"
work="$target/bench"
scenario="${1:-hub}"
n="${2:-3}"
case "$scenario" in
  hub) requests="$work/requests/mlcat-sqlite-lineage__depth_5_downstream__hub__budget_1000-sqlite.txt" ;;
  ordinary) requests="$work/requests/mlcat-sqlite-lineage__depth_5_downstream__ordinary_nodes-sqlite.txt" ;;
  nested) requests="$work/requests/mlcat-sqlite-nested__100_models___features___sources-sqlite.txt" ;;
  single) requests="$work/requests/mlcat-sqlite-single__mlModel_urn__with_properties-sqlite.txt" ;;
  list) requests="$work/requests/mlcat-sqlite-list__100_models_with_properties-sqlite.txt" ;;
  group_get) requests="$work/requests/mlcat-sqlite-peer__mlModelGroup_urn____versions-sqlite.txt" ;;
  group_search) requests="$work/requests/mlcat-sqlite-peer__listMLModelGroups_count_100____versions-sqlite.txt" ;;
  *) echo "unknown scenario $scenario (hub, ordinary, nested, single, list, group_get, group_search)"; exit 2 ;;
esac
[ -f "$requests" ] || { echo "no $requests: run benches/run.sh first"; exit 1; }
command -v valgrind >/dev/null || { apt-get update -qq && apt-get install -y -qq valgrind >/dev/null; }

db="$work/profile.db"
cp "$work/catalog-full.db" "$db"
rm -f "$db-wal" "$db-shm"
out="$work/callgrind.$scenario.out"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
valgrind --tool=callgrind --instr-atstart=no --callgrind-out-file="$out" \
  "$target/release/mlcat" serve --database-url "sqlite://$db" --bind "127.0.0.1:$port" --request-timeout-secs 3600 \
  >"$work/profile-server.log" 2>&1 &
server=$!
trap "kill $server 2>/dev/null || true" EXIT INT TERM
for _ in $(seq 1 600); do curl -sf "http://127.0.0.1:$port/health" >/dev/null && break; sleep 0.5; done

post() { curl -sSf --max-time 3600 "http://127.0.0.1:$port/api/graphql" -H 'content-type: application/json' --data-binary "$1" -o /dev/null; }
first=$(head -n1 "$requests")
post "$first"                                   # warm-up: caches, prepared statements
callgrind_control -i on "$server" >/dev/null
start=$(date +%s.%N)
for i in $(seq 1 "$n"); do post "$(sed -n "$(( (i - 1) % $(wc -l <"$requests") + 1 ))p" "$requests")"; done
end=$(date +%s.%N)
callgrind_control -i off "$server" >/dev/null
kill -TERM $server
wait $server || true
trap - EXIT
echo "$n requests under callgrind in $(python3 -c "print(round($end - $start, 1))") s; profile: $out"
callgrind_annotate --inclusive=yes "$out" 2>/dev/null | head -60
echo
echo "--- exclusive ---"
callgrind_annotate "$out" 2>/dev/null | head -45
