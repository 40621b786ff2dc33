#!/usr/bin/env bash
# The benchmark suite in one command (see BENCHMARKS.md).
#
#   benches/run.sh            full run: release build, 200,000-entity / 1,000,000-edge catalogs on
#                             SQLite and PostgreSQL, every scenario 3 × 10 s, MLflow side by side;
#                             writes the results table into BENCHMARKS.md
#   benches/run.sh --smoke    CI: the debug build `cargo test` already made, a tiny catalog, one
#                             1-second run of each scenario; fails if any scenario answers an
#                             error, says nothing about speed
#
# Other flags go to benches/bench.py: --regen (generate the catalogs anew), --no-postgres,
# --peer yes|no, --runs N, --duration S, --warmup S, --index-rounds N,
# --only sqlite,baseline,statements,search,ingest,index,live,postgres,replicas,peer,columns.
# Builds into $CARGO_TARGET_DIR (default target/); catalogs, the MLflow venv and the results go
# under $CARGO_TARGET_DIR/bench. PostgreSQL: $BENCH_PG_URL (an admin URL; default
# postgres://postgres@127.0.0.1:5432/postgres).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
target="${CARGO_TARGET_DIR:-$root/target}"
case "$target" in /*) ;; *) target="$root/$target" ;; esac

mode=full
args=()
only=""
prev=""
for a in "$@"; do
  case "$a" in
    --smoke) mode=smoke ;;
    --only=*) only=${a#--only=}; args+=("$a") ;;
    *) args+=("$a") ;;
  esac
  [ "$prev" = "--only" ] && only=$a
  prev=$a
done

if ! command -v wrk >/dev/null; then
  echo "installing wrk (Debian package)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi

if [ "$mode" = smoke ]; then
  # The debug build `cargo test` made; only the suite's own crate is compiled here.
  [ -x "$target/debug/mlcat" ] || cargo build --locked --bin mlcat
  cargo build --locked -p mlcat-bench
  bin="$target/debug"
  off=()
else
  # The "index off" build for the ingestion comparison of issue 18 (rebuilt only when the tree
  # changed; see benches/index_off.sh), then the suite's own release build.
  # Built only when the index part runs: a run of other parts (`--only registry,peer`) needs no
  # second release build.
  off=()
  case ",${only:-index}," in
    *,index,*) off=(--mlcat-off-bin "$(benches/index_off.sh | tail -n 1)") ;;
  esac
  profile="${BENCH_PROFILE:-release}"
  cargo build --profile "$profile" --locked -p mlcat -p mlcat-bench --bins
  bin="$target/$profile"
fi

exec python3 benches/bench.py --mode "$mode" \
  --mlcat-bin "$bin/mlcat" --bench-bin "$bin/mlcat-bench" --work "$target/bench" \
  --command "${BENCH_PROFILE:+BENCH_PROFILE=$BENCH_PROFILE }benches/run.sh${1:+ $*}" ${off[@]+"${off[@]}"} ${args[@]+"${args[@]}"}
