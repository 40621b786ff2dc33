#!/usr/bin/env bash
# The DataHub SDK test: installs the pinned acryl-datahub in a virtual environment, starts the
# real mlcat binary on a free port over a fresh database, runs the DataHub ML tutorial's seven
# scripts and this project's checks against it, and stops the server. Runs over SQLite, and
# again over PostgreSQL when TEST_DATABASE_URL is set (a fresh database is created beside it
# and dropped afterwards). Exits non-zero on any failure.
#
#   bash tests/sdk/run.sh
#   TEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/test bash tests/sdk/run.sh
#
# Honours CARGO_TARGET_DIR (the binary is $CARGO_TARGET_DIR/debug/mlcat, built if needed) and
# MLCAT_SDK_VENV (where the virtual environment lives; default $CARGO_TARGET_DIR/sdk-venv).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD

DATAHUB_SDK_VERSION=1.7.0.17
# MLflow's client, for the MLflow registry API (mlflow_clients.py), in the same environment.
MLFLOW_VERSION=3.18.0
# OpenLineage's Python client, for the OpenLineage intake and Marquez's read API
# (openlineage_client.py).
OPENLINEAGE_VERSION=1.54.0
target_dir=${CARGO_TARGET_DIR:-$root/target}
bin=$target_dir/debug/mlcat
venv=${MLCAT_SDK_VENV:-$target_dir/sdk-venv}
py=$venv/bin/python

# The SDK must talk to nothing but the server under test: no telemetry, no token from a file.
export DATAHUB_TELEMETRY_ENABLED=false
export PYTHONDONTWRITEBYTECODE=1  # no __pycache__ in the work tree
unset DATAHUB_GMS_TOKEN DATAHUB_GMS_URL DATAHUB_SYSTEM_CLIENT_ID DATAHUB_SYSTEM_CLIENT_SECRET \
  DATAHUB_REST_EMITTER_DEFAULT_ENDPOINT DATAHUB_EMIT_MODE 2>/dev/null || true
# Nor may the OpenLineage client read a transport from the environment or a file.
unset OPENLINEAGE_URL OPENLINEAGE_ENDPOINT OPENLINEAGE_API_KEY OPENLINEAGE_CONFIG OPENLINEAGE_DISABLED \
  2>/dev/null || true

say() { printf '\n==> %s\n' "$*"; }

say "mlcat binary: $bin"
# `cargo test` builds it (CI runs the suite first); build it here only when it is missing or
# older than the sources, since a plain `cargo build` unifies features without the
# dev-dependencies and would rebuild half the dependency tree.
if [ ! -x "$bin" ] || [ -n "$(find src migrations Cargo.toml Cargo.lock -newer "$bin" -print -quit)" ]; then
  cargo build --locked --bin mlcat
fi
test -x "$bin" || { echo "no binary at $bin" >&2; exit 1; }

say "acryl-datahub $DATAHUB_SDK_VERSION, mlflow-skinny $MLFLOW_VERSION and openlineage-python $OPENLINEAGE_VERSION in $venv"
if "$py" -c "import importlib.metadata as m, sys; sys.exit(m.version('acryl-datahub') != '$DATAHUB_SDK_VERSION' or m.version('mlflow-skinny') != '$MLFLOW_VERSION' or m.version('openlineage-python') != '$OPENLINEAGE_VERSION')" 2>/dev/null; then
  echo "already installed"
else
  rm -rf "$venv"
  python3 -m venv "$venv"
  started=$(date +%s)
  "$py" -m pip install --disable-pip-version-check --quiet "acryl-datahub==$DATAHUB_SDK_VERSION" \
    "mlflow-skinny==$MLFLOW_VERSION" "openlineage-python==$OPENLINEAGE_VERSION"
  echo "pip install took $(( $(date +%s) - started )) s"
fi

work=$(mktemp -d)
server=""
pg_db=""
cleanup() {
  if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; fi
  if [ -n "$pg_db" ]; then
    psql "$TEST_DATABASE_URL" -q -c "DROP DATABASE IF EXISTS \"$pg_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

passed=0
failed=0

# run_suite LABEL DATABASE_URL
run_suite() {
  local label=$1 url=$2 port log
  port=$("$py" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  log=$work/server-$label.log
  say "$label: mlcat serve on 127.0.0.1:$port"
  "$bin" serve --database-url "$url" --bind "127.0.0.1:$port" >"$log" 2>&1 &
  server=$!
  for _ in $(seq 1 150); do
    curl -sf "http://127.0.0.1:$port/health" >/dev/null 2>&1 && break
    kill -0 "$server" 2>/dev/null || { cat "$log"; echo "FAIL $label: the server exited" >&2; exit 1; }
    sleep 0.2
  done
  curl -sf "http://127.0.0.1:$port/health" >/dev/null || { cat "$log"; echo "FAIL $label: no /health" >&2; exit 1; }

  local script
  for script in \
    tutorial/create_mlfeature.py \
    tutorial/create_mlfeature_table.py \
    tutorial/create_mlmodel.py \
    tutorial/create_mlmodel_group.py \
    tutorial/add_mlfeature_to_mlfeature_table.py \
    tutorial/add_mlfeature_to_mlmodel.py \
    tutorial/add_mlgroup_to_mlmodel.py \
    check_tutorial.py \
    read_history.py \
    emit_batch.py \
    sdk_extras.py \
    governance_roundtrip.py \
    search_clients.py \
    lineage_clients.py \
    column_lineage.py \
    entity_clients.py \
    timeseries_clients.py \
    patch_clients.py \
    training_runs.py \
    mlflow_clients.py \
    openlineage_client.py; do
    echo "--- $label: $script"
    if DATAHUB_GMS_URL="http://127.0.0.1:$port" timeout 300 "$py" "tests/sdk/$script"; then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
      echo "FAIL $label: $script; the server's log ends with:" >&2
      tail -n 40 "$log" >&2
      break
    fi
  done

  kill "$server" 2>/dev/null || true
  wait "$server" 2>/dev/null || true
  server=""
}

run_suite sqlite "sqlite://$work/mlcat.db"

if [ -n "${TEST_DATABASE_URL:-}" ]; then
  pg_db="mlcat_sdk_$$_$(date +%s)"
  psql "$TEST_DATABASE_URL" -v ON_ERROR_STOP=1 -q -c "CREATE DATABASE \"$pg_db\"" >/dev/null
  run_suite postgres "${TEST_DATABASE_URL%/*}/$pg_db"
fi

echo
echo "sdk: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
