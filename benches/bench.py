#!/usr/bin/env python3
"""The benchmark suite's driver, started by `benches/run.sh` (see BENCHMARKS.md).

It generates (or reuses) the catalogs, starts `mlcat serve` on loopback, runs every scenario
with wrk, and writes the results: each HTTP scenario as the median of several runs, with p50
and p99, as a ratio to the `GET /health` floor of the same server in the same run, with the
server's peak RSS (VmHWM, reset before each scenario). Standard library only.

In smoke mode (CI) it checks that every scenario still works (any non-2xx answer, socket error
or GraphQL error fails the run), not how fast.
"""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
LUA = os.path.join(HERE, "lua")
QUERIES = os.path.join(HERE, "queries")

SIZES = {
    "full": {"models": 5000, "entities": 200_000, "edges": 1_000_000, "hubs": 20},
    "smoke": {"models": 50, "entities": 3000, "edges": 12_000, "hubs": 5},
}

FAILURES = []

# Connections per scenario. wrk counts only the requests that complete within the run, so a
# scenario whose requests take a large part of a second runs with few connections: with 32 in
# flight, the work of up to 32 unfinished requests would be left out of its throughput. Light
# scenarios (single entity, get by name, the floor) run at 32; the single-entity
# target is stated at 32.
LIST_CONNS = 8
HEAVY_CONNS = 4


def log(msg: str) -> None:
    print(f"[bench {datetime.datetime.now():%H:%M:%S}] {msg}", flush=True)


def query(name: str) -> str:
    with open(os.path.join(QUERIES, f"{name}.graphql")) as f:
        return f.read()


def free_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def http(url: str, body: bytes | None = None, timeout: float = 120) -> tuple[int, bytes]:
    request = urllib.request.Request(url, data=body, headers={"Content-Type": "application/json"},
                                     method="POST" if body is not None else "GET")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def gql(base: str, body: str) -> dict:
    """One GraphQL request that must succeed; returns its data."""
    status, answer = http(base + "/api/graphql", body.encode())
    if status != 200:
        raise RuntimeError(f"HTTP {status}: {answer[:500]!r}")
    parsed = json.loads(answer)
    if parsed.get("errors"):
        raise RuntimeError(f"GraphQL errors: {json.dumps(parsed['errors'])[:500]}")
    return parsed["data"]


# ---------------------------------------------------------------------------------------------
# Processes


def descendants(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                stat = f.read()
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def status_kb(pid: int, key: str) -> int:
    """A memory figure of /proc/<pid>/status, in kB (VmHWM: peak RSS; RssAnon: private memory
    now, without the file pages a memory map of the database brings in)."""
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_hwm(pid: int) -> bool:
    """Resets the RSS high-water mark (Linux: write 5 to clear_refs)."""
    try:
        with open(f"/proc/{pid}/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


class Server:
    def __init__(self, name: str, cmd: list[str], port: int, log_path: str, env=None,
                 health: str = "/health", start_timeout: float = 120):
        self.name, self.port = name, port
        self.base = f"http://127.0.0.1:{port}"
        self.log = open(log_path, "w")
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT,
                                     env={**os.environ, **(env or {})}, start_new_session=True)
        deadline = time.monotonic() + start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{name} exited at start; see {log_path}")
            try:
                if http(self.base + health, timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{name} did not answer {health} in {start_timeout:.0f} s; see {log_path}")

    def pids(self) -> list[int]:
        return descendants(self.proc.pid)

    def reset_peak(self) -> bool:
        return all([reset_hwm(p) for p in self.pids()])

    def peak_mb(self) -> float:
        return sum(status_kb(p, "VmHWM") for p in self.pids()) / 1024

    def anon_mb(self) -> float:
        return sum(status_kb(p, "RssAnon") for p in self.pids()) / 1024

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# ---------------------------------------------------------------------------------------------
# wrk


def wrk(base: str, script: str, env: dict, conns: int, duration: float) -> dict:
    threads = 1 if conns < 2 else 2
    cmd = ["wrk", f"-t{threads}", f"-c{conns}", f"-d{duration:g}s", "--timeout", "60s",
           "-s", os.path.join(LUA, script), base + "/"]
    out = subprocess.run(cmd, env={**os.environ, **env}, capture_output=True, text=True,
                         timeout=duration + 180)
    for line in out.stdout.splitlines():
        if line.startswith("WRKJSON "):
            r = json.loads(line[len("WRKJSON "):])
            r["rps"] = r["requests"] / (r["duration_us"] / 1e6) if r["duration_us"] else 0.0
            return r
    raise RuntimeError(f"wrk printed no summary: {out.stdout[-500:]} {out.stderr[-500:]}")


class Runner:
    def __init__(self, args, work: str):
        self.args, self.work = args, work
        self.results: list[dict] = []
        self.floors: dict[tuple, dict] = {}
        os.makedirs(os.path.join(work, "requests"), exist_ok=True)

    def requests_file(self, name: str, lines: list[str]) -> str:
        safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
        path = os.path.join(self.work, "requests", f"{safe}.txt")
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def measure(self, server: Server, name: str, backend: str, conns: int, *,
                script: str = "requests.lua", env: dict | None = None,
                lines: list[str] | None = None, method: str = "POST",
                floor: bool = False, aspects_per_request: int = 0, note: str = "") -> dict:
        env = dict(env or {})
        if lines is not None:
            env["BENCH_REQUESTS"] = self.requests_file(f"{server.name}-{name}-{backend}", lines)
            env["BENCH_METHOD"] = method
        runs = []
        if self.args.warmup > 0:
            # A run that is not counted, so that the first counted one does not pay for pages
            # and caches the scenario before left cold (on both sides of a comparison).
            if script == "ingest.lua":
                env["BENCH_RUN"] = f"{int(time.time())}w"
            wrk(server.base, script, env, conns, self.args.warmup)
        peak_reset = server.reset_peak()
        for i in range(self.args.runs):
            if script == "ingest.lua":
                env["BENCH_RUN"] = f"{int(time.time())}{i}"
            r = wrk(server.base, script, env, conns, self.args.duration)
            runs.append(r)
            bad = r["non2xx"] + r["connect_errors"] + r["read_errors"] + r["write_errors"] \
                + r["timeouts"] + r["gql_errors"]
            if bad or r["requests"] == 0:
                FAILURES.append(f"{name} ({backend}, {server.name}): {r['requests']} requests, "
                                f"{r['non2xx']} non-2xx, {r['gql_errors']} GraphQL errors, "
                                f"{r['timeouts']} timeouts, socket errors "
                                f"{r['connect_errors']}/{r['read_errors']}/{r['write_errors']}; "
                                f"first bad answer: {r['sample'][:200]}")
        rps = statistics.median(r["rps"] for r in runs)
        result = {
            "scenario": name, "backend": backend, "server": server.name, "conns": conns,
            "runs": len(runs), "rps": rps,
            "rps_runs": [round(r["rps"], 1) for r in runs],
            "p50_ms": statistics.median(r["p50_us"] for r in runs) / 1000,
            "p99_ms": statistics.median(r["p99_us"] for r in runs) / 1000,
            "peak_rss_mb": round(server.peak_mb(), 1),
            "anon_rss_mb": round(server.anon_mb(), 1),
            "peak_is_per_scenario": peak_reset,
            "note": note,
            "load": os.getloadavg()[0],
        }
        if aspects_per_request:
            result["aspects_per_s"] = rps * aspects_per_request
        if floor:
            self.floors[(server.name, backend, conns)] = result
        else:
            f = self.floors.get((server.name, backend, conns))
            result["ratio"] = rps / f["rps"] if f and f["rps"] else None
        self.results.append(result)
        log(f"{name:<34} {backend:<8} c={conns:<3} {rps:9.1f} req/s  p50 {result['p50_ms']:8.2f} ms"
            f"  p99 {result['p99_ms']:8.2f} ms  ratio {result.get('ratio') or 1:.3f}"
            f"  peak {result['peak_rss_mb']:.0f} MB  runs {result['rps_runs']}")
        return result


# ---------------------------------------------------------------------------------------------
# Catalogs


def generate(args, backend: str, url: str, manifest_path: str, size: dict) -> dict:
    log_path = os.path.join(os.path.dirname(manifest_path), f"generate-{args.mode}-{backend}.log")
    cmd = [args.bench_bin, "generate", "--database-url", url, "--manifest", manifest_path,
           "--models", str(size["models"]), "--entities", str(size["entities"]),
           "--edges", str(size["edges"]), "--hubs", str(size["hubs"])]
    log(f"generating the {backend} catalog ({size}) through Catalog::write; log: {log_path}")
    with open(log_path, "w") as f:
        done = subprocess.run(cmd, stdout=f, stderr=subprocess.STDOUT)
    with open(log_path) as f:
        tail = f.read().splitlines()
    for line in tail[-16:]:
        log("  " + line)
    if done.returncode != 0:
        raise RuntimeError(f"generating the {backend} catalog failed; see {log_path}")
    with open(manifest_path) as f:
        return json.load(f)


def reusable(manifest_path: str, size: dict) -> dict | None:
    try:
        with open(manifest_path) as f:
            m = json.load(f)
    except (OSError, ValueError):
        return None
    p = m.get("params", {})
    if all(p.get(k) == v for k, v in size.items()):
        return m
    return None


def sqlite_catalog(args, work: str, size: dict) -> tuple[str, dict]:
    golden = os.path.join(work, f"catalog-{args.mode}.db")
    manifest_path = os.path.join(work, f"catalog-{args.mode}-sqlite.json")
    manifest = None if args.regen else reusable(manifest_path, size)
    if manifest is None or not os.path.exists(golden):
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(golden + suffix):
                os.remove(golden + suffix)
        manifest = generate(args, "sqlite", f"sqlite://{golden}", manifest_path, size)
    else:
        log(f"reusing the SQLite catalog {golden} (generated in "
            f"{manifest['generated']['seconds']:.0f} s; --regen makes it anew)")
    # Fold the WAL into the file, then work on a copy so ingestion leaves the golden one as is.
    c = sqlite3.connect(golden)
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    c.close()
    run_db = os.path.join(work, f"run-{args.mode}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(run_db + suffix):
            os.remove(run_db + suffix)
    shutil.copyfile(golden, run_db)
    return f"sqlite://{run_db}", manifest


def psql(admin: str, sql: str) -> str:
    return subprocess.run(["psql", admin, "-v", "ON_ERROR_STOP=1", "-tAc", sql],
                          capture_output=True, text=True, check=True).stdout.strip()


def postgres_catalog(args, work: str, size: dict) -> tuple[str, dict] | None:
    admin = args.pg_url
    try:
        psql(admin, "SELECT 1")
    except (OSError, subprocess.CalledProcessError) as e:
        log(f"PostgreSQL at {admin} does not answer ({e}); skipping the PostgreSQL scenarios")
        return None
    name = f"mlcat_bench_{args.mode}"
    base = admin.rsplit("/", 1)[0]
    url = f"{base}/{name}"
    manifest_path = os.path.join(work, f"catalog-{args.mode}-postgres.json")
    exists = psql(admin, f"SELECT 1 FROM pg_database WHERE datname = '{name}'") == "1"
    manifest = None if args.regen else reusable(manifest_path, size)
    if manifest is None or not exists:
        psql(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        psql(admin, f'CREATE DATABASE "{name}"')
        manifest = generate(args, "postgres", url, manifest_path, size)
    else:
        log(f"reusing the PostgreSQL catalog {name} (--regen makes it anew)")
    # A server that has been running has had autovacuum clean up after bulk writes (the
    # generator's updates leave a dead version of every entity row) and gather statistics; a
    # freshly loaded database has neither, and autovacuum may be off where the suite runs.
    psql(url, "VACUUM ANALYZE")
    return url, manifest


# ---------------------------------------------------------------------------------------------
# Scenarios


def body(name: str, variables: dict) -> str:
    return json.dumps({"query": query(name), "variables": variables})


def mlcat_server(args, work: str, url: str, tag: str) -> Server:
    port = free_port()
    return Server(f"mlcat-{tag}", [args.mlcat_bin, "serve", "--database-url", url, "--bind",
                                   f"127.0.0.1:{port}"], port,
                  os.path.join(work, f"server-{tag}.log"), env={"RUST_LOG": "info"})


def lineage_shapes(base: str, manifest: dict) -> dict:
    """Nodes answered by the lineage scenarios' requests, for the report."""
    ordinary = []
    for o in manifest["ordinary"]:
        d = gql(base, body("lineage", {"urn": o["urn"], "budget": 1000}))["lineageGraph"]
        ordinary.append((len(d["nodes"]), d["truncated"]))
    hub = manifest["hubs"][0]
    d = gql(base, body("lineage", {"urn": hub["urn"], "budget": 1000}))["lineageGraph"]
    nodes = sorted(n for n, _ in ordinary)
    return {
        "ordinary_nodes_median": statistics.median(nodes),
        "ordinary_nodes_max": max(nodes),
        "ordinary_truncated": sum(1 for _, t in ordinary if t),
        "ordinary_count": len(ordinary),
        "hub_urn": hub["urn"], "hub_fanout": hub["fanout"],
        "hub_nodes": len(d["nodes"]), "hub_truncated": d["truncated"],
    }


def read_scenarios(r: Runner, server: Server, backend: str, manifest: dict,
                   peer_queries: bool) -> dict:
    """Floor, single, list, nested, lineage (and the peer's equivalents) on one server."""
    base = server.base
    models = manifest["models"]
    total_models = manifest["counts"]["models"]
    # Each request is checked once before it is timed.
    gql(base, body("single", {"urn": models[0]}))
    nested = gql(base, body("nested", {"count": 100}))["listMLModels"]["entities"]
    if not nested or not any(m["properties"]["features"] for m in nested):
        raise RuntimeError("the nested query answered no features")
    shapes = lineage_shapes(base, manifest)
    log(f"lineage shapes ({backend}): {shapes}")

    health = ["/health"]
    for conns in (32, HEAVY_CONNS, LIST_CONNS, 1):
        r.measure(server, "floor: GET /health", backend, conns, lines=health, method="GET",
                  floor=True)
    r.measure(server, "single: mlModel(urn) with properties", backend, 32,
              lines=[body("single", {"urn": u}) for u in models])
    starts = list(range(0, max(total_models - 100, 0) + 1, 100))[:20]
    r.measure(server, "list: 100 models with properties", backend, LIST_CONNS,
              lines=[body("list", {"start": s}) for s in starts])
    n_features = sum(len(m["properties"]["features"] or []) for m in nested)
    n_sources = sum(len(f["properties"]["sources"] or []) for m in nested
                    for f in m["properties"]["features"] or [] if f and f["properties"])
    r.measure(server, "nested: 100 models × features × sources", backend, HEAVY_CONNS,
              lines=[body("nested", {"count": 100})],
              note=f"{len(nested)} models, {n_features} features, {n_sources} sources per answer")
    r.measure(server, "lineage: depth 5 downstream, ordinary nodes", backend, 1,
              lines=[body("lineage", {"urn": o["urn"], "budget": 1000}) for o in manifest["ordinary"]],
              note=f"{shapes['ordinary_count']} nodes cycled; median {shapes['ordinary_nodes_median']} "
                   f"entities answered (max {shapes['ordinary_nodes_max']}), "
                   f"{shapes['ordinary_truncated']} truncated")
    r.measure(server, "lineage: depth 5 downstream, hub, budget 1000", backend, 1,
              lines=[body("lineage", {"urn": shapes["hub_urn"], "budget": 1000})],
              note=f"hub with {shapes['hub_fanout']} direct downstream edges; "
                   f"{shapes['hub_nodes']} entities answered, truncated={shapes['hub_truncated']}")
    if peer_queries:
        groups = manifest["groups"]
        gql(base, body("group_get", {"urn": groups[0]["urn"]}))
        gql(base, body("group_search", {}))
        r.measure(server, "peer: mlModelGroup(urn) + versions", backend, 32,
                  lines=[body("group_get", {"urn": g["urn"]}) for g in groups])
        r.measure(server, "peer: listMLModelGroups(count 100) + versions", backend, HEAVY_CONNS,
                  lines=[body("group_search", {})])
    return shapes


def ingest_scenarios(r: Runner, server: Server, backend: str, manifest: dict) -> None:
    env = {"BENCH_SOURCES": " ".join(manifest["sources"])}
    r.measure(server, "ingest: ingestProposalBatch, 200 per request", backend, 4,
              script="ingest.lua", env={**env, "BENCH_MODE": "batch", "BENCH_BATCH": "200"},
              aspects_per_request=200)
    # The SDK's ingestion sink (`datahub-rest`) defaults to ASYNC_BATCH: 15 threads, each
    # sending batches of 100 (acryl-datahub 1.7); 16 connections share the floor measured at 16.
    r.measure(server, "ingest: ingestProposalBatch, 100 per request, as the SDK sink sends", backend,
              16, script="ingest.lua", env={**env, "BENCH_MODE": "batch", "BENCH_BATCH": "100"},
              aspects_per_request=100)
    r.measure(server, "ingest: GraphQL upsertMLFeature", backend, 16,
              script="ingest.lua", env={**env, "BENCH_MODE": "graphql"},
              aspects_per_request=1)


def statements(args, url: str, backend: str) -> dict:
    cmd = [args.bench_bin, "statements", "--database-url", url,
           "--seconds", str(args.statements_seconds)]
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    if out.returncode != 0:
        FAILURES.append(f"statements ({backend}): {out.stderr[-500:]}")
        return {}
    log(out.stderr.strip())
    return json.loads(out.stdout)


def mlflow_peer(args, r: Runner, work: str, manifest: dict) -> dict | None:
    venv = os.path.join(work, "mlflow-venv")
    mlflow = os.path.join(venv, "bin", "mlflow")
    info: dict = {}
    if not os.path.exists(mlflow):
        log(f"installing MLflow into {venv} (pip install mlflow)")
        started = time.monotonic()
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
        subprocess.run([os.path.join(venv, "bin", "pip"), "install", "-q", "mlflow"], check=True)
        info["install_seconds"] = time.monotonic() - started
    version = subprocess.run([mlflow, "--version"], capture_output=True, text=True).stdout.strip()
    info["version"] = version
    groups = manifest["counts"]["groups"]
    models = manifest["counts"]["models"]
    per_group = manifest["counts"]["models_per_group"]
    db = os.path.join(work, f"mlflow-{args.mode}.db")
    marker = os.path.join(work, f"mlflow-{args.mode}.json")
    want = {"groups": groups, "models": models}
    loaded = False
    try:
        with open(marker) as f:
            loaded = json.load(f) == want and os.path.exists(db)
    except (OSError, ValueError):
        pass
    if not loaded and os.path.exists(db):
        os.remove(db)
    port = free_port()
    started = time.monotonic()
    server = Server("mlflow", [mlflow, "server", "--backend-store-uri", f"sqlite:///{db}",
                               "--default-artifact-root", os.path.join(work, "mlflow-artifacts"),
                               "--host", "127.0.0.1", "--port", str(port)], port,
                    os.path.join(work, "server-mlflow.log"), start_timeout=300)
    info["start_seconds"] = time.monotonic() - started
    try:
        if not loaded:
            log(f"loading MLflow with {groups} registered models and {models} versions (REST API)")
            t = time.monotonic()
            subprocess.run([sys.executable, os.path.join(HERE, "mlflow_load.py"), server.base,
                            str(groups), str(per_group)], check=True)
            info["load_seconds"] = time.monotonic() - t
            with open(marker, "w") as f:
                json.dump(want, f)
        names = [g["name"] for g in manifest["groups"]]
        status, answer = http(server.base + f"/api/2.0/mlflow/registered-models/get?name={names[0]}")
        if status != 200:
            raise RuntimeError(f"MLflow get: HTTP {status}: {answer[:300]!r}")
        status, answer = http(server.base + "/api/2.0/mlflow/registered-models/search?max_results=100")
        found = len(json.loads(answer).get("registered_models", []))
        if status != 200 or found != min(100, groups):
            raise RuntimeError(f"MLflow search: HTTP {status}, {found} models")
        for conns in (32, HEAVY_CONNS):
            r.measure(server, "floor: GET /health", "sqlite", conns, lines=["/health"],
                      method="GET", floor=True)
        r.measure(server, "peer: registered-models/get?name=", "sqlite", 32, method="GET",
                  lines=[f"/api/2.0/mlflow/registered-models/get?name={n}" for n in names])
        r.measure(server, "peer: registered-models/search max_results=100", "sqlite", HEAVY_CONNS,
                  method="GET", lines=["/api/2.0/mlflow/registered-models/search?max_results=100"])
    finally:
        server.stop()
    return info


# ---------------------------------------------------------------------------------------------
# Report


def machine() -> dict:
    cpu = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    mem_kb = 0
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemTotal:"):
                mem_kb = int(line.split()[1])
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout.split("\n")[0]
    return {"nproc": os.cpu_count(), "cpu": cpu, "memory_gib": round(mem_kb / 1024 / 1024, 1),
            "kernel": os.uname().release, "wrk": wrk_version.strip()}


def fmt(x, digits=1):
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def report(args, data: dict) -> str:
    m = data["machine"]
    out = []
    out.append(f"Run: `{data['command']}` — {data['started']} to {data['finished']}, "
               f"{data['runs']} runs of {data['duration']} s each after {data.get('warmup', 0):g} s "
               f"of warm-up not counted (median shown).")
    out.append("")
    out.append(f"Machine: {m['nproc']} cores ({m['cpu']}), {m['memory_gib']} GiB, Linux "
               f"{m['kernel']}; {m['wrk']}. Load average (1 min) at start {data['load_start']:.2f}, "
               f"at end {data['load_end']:.2f} (wrk shares the 2 cores with the server, so a run "
               f"keeps them busy; a load above 1 at the start means something else was running).")
    out.append("")
    for backend, gen in data["catalogs"].items():
        c = gen["counts"]
        g = gen["generated"]
        rel = ", ".join(f"{k} {v:,}" for k, v in c["by_relation"].items())
        out.append(f"Catalog ({backend}): {c['entities']:,} entities, {c['edges']:,} edges "
                   f"({rel}), {c['aspects']:,} aspect versions; generated through "
                   f"`Catalog::write` in {g['seconds']:.0f} s ({g['aspects_per_second']:,.0f} "
                   f"aspects/s, {g['concurrency']} writer(s)).")
        out.append("")
    out.append("| scenario | backend | server | conns | req/s | × /health floor | p50 ms | p99 ms | peak RSS MB | anon MB at end | notes |")
    out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    for x in data["results"]:
        ratio = "floor" if x["scenario"].startswith("floor") else fmt(x.get("ratio"), 3)
        notes = x["note"]
        if "aspects_per_s" in x:
            notes = f"**{x['aspects_per_s']:,.0f} aspects/s**" + (f"; {notes}" if notes else "")
        out.append(f"| {x['scenario']} | {x['backend']} | {x['server']} | {x['conns']} | "
                   f"{fmt(x['rps'])} | {ratio} | {fmt(x['p50_ms'], 2)} | {fmt(x['p99_ms'], 2)} | "
                   f"{fmt(x['peak_rss_mb'], 0)} | {fmt(x.get('anon_rss_mb'), 0)} | {notes} |")
    out.append("")
    if data.get("statements"):
        out.append("SQL statements per nested request (in-process, sea-orm metric callback):")
        out.append("")
        out.append("| backend | implementation | idle (5 requests) | under load (32 in flight) | requests under load |")
        out.append("|---|---|---|---:|---:|")
        for backend, s in data["statements"].items():
            for impl, v in s.items():
                out.append(f"| {backend} | {impl} | {v['idle']} | {v['under_load']:.2f} | {v['load_requests']} |")
        out.append("")
    if data.get("peer"):
        out.append(f"MLflow: {data['peer']}")
        out.append("")
    if data.get("skipped"):
        for s in data["skipped"]:
            out.append(f"Skipped: {s}")
        out.append("")
    out.append("Targets of issue 6:")
    out.append("")
    out.append("| target | measured | met |")
    out.append("|---|---|---|")
    for t in data["targets"]:
        out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
    return "\n".join(out)


def find(results, scenario_prefix, backend="sqlite", server_prefix="mlcat"):
    for x in results:
        if x["scenario"].startswith(scenario_prefix) and x["backend"] == backend \
                and x["server"].startswith(server_prefix):
            return x
    return None


def targets(data: dict) -> list:
    res = data["results"]
    out = []

    def yes(ok):
        return "yes" if ok else "**no**"

    s = find(res, "single")
    if s:
        out.append(("single entity ≥ 0.15 × /health floor, p99 < 10 ms at 32 connections",
                    f"{s['ratio']:.3f} ×, p99 {s['p99_ms']:.2f} ms",
                    yes(s["ratio"] >= 0.15 and s["p99_ms"] < 10)))
    st = data.get("statements", {}).get("sqlite", {}).get("mlcat")
    if st:
        idle = max(st["idle"])
        out.append(("nested: SQL statements per request ≤ depth + 1 when idle",
                    f"{idle} statements idle, {st['under_load']:.2f} under load; the query is 7 "
                    f"fields deep (listMLModels › entities › properties › features › properties › "
                    f"sources › urn) and crosses 3 entity levels",
                    yes(idle <= 8) + " (GraphQL depth 7 → ≤ 8)"))
    n = find(res, "nested")
    b = find(res, "nested", server_prefix="baseline")
    if n and b:
        d = find(res, "nested", server_prefix="default-loader")
        also = (f"; mlcat's own resolvers behind the default DataLoader: {d['rps']:.1f} req/s, "
                f"so batching alone gives {n['rps'] / d['rps']:.2f} ×") if d else ""
        out.append(("nested: throughput ≥ 2 × a straightforward async-graphql dataloader",
                    f"{n['rps']:.1f} vs {b['rps']:.1f} req/s = {n['rps'] / b['rps']:.2f} ×{also}",
                    yes(n["rps"] >= 2 * b["rps"])))
    for backend in ("sqlite", "postgres"):
        o = find(res, "lineage: depth 5 downstream, ordinary", backend)
        h = find(res, "lineage: depth 5 downstream, hub", backend)
        if o:
            out.append((f"lineage depth 5 from an ordinary node ≤ 10 ms ({backend})",
                        f"p50 {o['p50_ms']:.2f} ms, p99 {o['p99_ms']:.2f} ms", yes(o["p50_ms"] <= 10)))
        if h:
            out.append((f"lineage from a hub, budgeted, ≤ 100 ms ({backend})",
                        f"p50 {h['p50_ms']:.2f} ms, p99 {h['p99_ms']:.2f} ms", yes(h["p50_ms"] <= 100)))
    for prefix, how in (("ingest: ingestProposalBatch, 200", "200 per request, 4 connections"),
                        ("ingest: ingestProposalBatch, 100", "100 per request, 16 connections")):
        i = find(res, prefix)
        if i:
            out.append((f"ingest through the batch endpoint ≥ 20,000 aspects/s on SQLite ({how})",
                        f"{i['aspects_per_s']:,.0f} aspects/s", yes(i["aspects_per_s"] >= 20000)))
    for mine, theirs, what in (("peer: mlModelGroup", "peer: registered-models/get", "get-by-name"),
                               ("peer: listMLModelGroups", "peer: registered-models/search", "100-item search")):
        a = find(res, mine)
        z = find(res, theirs, server_prefix="mlflow")
        if a and z:
            out.append((f"≥ 50 × MLflow's throughput on {what}",
                        f"{a['rps']:.1f} vs {z['rps']:.1f} req/s = {a['rps'] / z['rps']:.1f} ×",
                        yes(a["rps"] >= 50 * z["rps"])))
    return out


def write_benchmarks_md(text: str) -> None:
    path = os.path.join(ROOT, "BENCHMARKS.md")
    begin, end = "<!-- BEGIN RESULTS (written by benches/run.sh) -->", "<!-- END RESULTS -->"
    try:
        with open(path) as f:
            doc = f.read()
    except OSError:
        doc = "# Benchmarks\n\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in doc and end in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip() + "\n\n" + block + "\n"
    with open(path, "w") as f:
        f.write(doc)


# ---------------------------------------------------------------------------------------------


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--mode", choices=["full", "smoke"], default="full")
    p.add_argument("--mlcat-bin", required=True)
    p.add_argument("--bench-bin", required=True)
    p.add_argument("--work", required=True)
    p.add_argument("--duration", type=float)
    p.add_argument("--runs", type=int)
    p.add_argument("--warmup", type=float, help="seconds of load before each scenario's runs, not counted")
    p.add_argument("--regen", action="store_true")
    p.add_argument("--no-postgres", action="store_true")
    p.add_argument("--peer", choices=["auto", "yes", "no"], default="auto")
    p.add_argument("--only", default="", help="comma-separated parts: sqlite,baseline,statements,ingest,postgres,peer")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--command", default="benches/run.sh")
    args = p.parse_args()
    smoke = args.mode == "smoke"
    args.duration = args.duration or (1 if smoke else 10)
    args.runs = args.runs or (1 if smoke else 3)
    args.warmup = args.warmup if args.warmup is not None else (0 if smoke else 2)
    args.statements_seconds = 1 if smoke else 5
    parts = set(args.only.split(",")) if args.only else \
        {"sqlite", "baseline", "statements", "ingest", "postgres", "peer"}
    if args.no_postgres:
        parts.discard("postgres")
    if args.peer == "no" or (args.peer == "auto" and smoke):
        parts.discard("peer")
    size = SIZES[args.mode]
    work = args.work
    os.makedirs(work, exist_ok=True)
    r = Runner(args, work)
    data = {"command": args.command, "mode": args.mode, "machine": machine(),
            "started": f"{datetime.datetime.now():%Y-%m-%d %H:%M}",
            "load_start": os.getloadavg()[0], "duration": args.duration, "runs": args.runs,
            "warmup": args.warmup,
            "catalogs": {}, "statements": {}, "skipped": []}
    if smoke and "peer" not in parts and args.peer != "no":
        data["skipped"].append("the MLflow peer in smoke mode: `pip install mlflow` took 182 s on "
                               "this machine, over the 2-minute budget of a smoke run "
                               "(`benches/run.sh --smoke --peer yes` runs it anyway)")
    log(f"{args.mode} run; machine {data['machine']}; load {data['load_start']:.2f}")

    url, manifest = sqlite_catalog(args, work, size)
    data["catalogs"]["sqlite"] = manifest
    try:
        if "sqlite" in parts:
            server = mlcat_server(args, work, url, "sqlite")
            try:
                read_scenarios(r, server, "sqlite", manifest, peer_queries=True)
            finally:
                server.stop()
        if "baseline" in parts:
            for name, command, note in (
                    ("baseline", "serve-baseline",
                     "baseline: a straightforward async-graphql implementation (sea-orm's default "
                     "connection and queries, JSON trees, default DataLoader: 1 ms, tokio::spawn)"),
                    ("default-loader", "serve-default-loader",
                     "mlcat's resolvers behind async-graphql's default DataLoader: batching alone")):
                port = free_port()
                server = Server(name, [args.bench_bin, command, "--database-url", url,
                                       "--bind", f"127.0.0.1:{port}"], port,
                                os.path.join(work, f"server-{name}.log"))
                try:
                    gql(server.base, body("nested", {"count": 100}))
                    r.measure(server, "floor: GET /health", "sqlite", HEAVY_CONNS, lines=["/health"],
                              method="GET", floor=True)
                    r.measure(server, "nested: 100 models × features × sources", "sqlite",
                              HEAVY_CONNS, lines=[body("nested", {"count": 100})], note=note)
                finally:
                    server.stop()
        if "statements" in parts:
            data["statements"]["sqlite"] = statements(args, url, "sqlite")
        if "ingest" in parts:
            server = mlcat_server(args, work, url, "sqlite-ingest")
            try:
                r.measure(server, "floor: GET /health", "sqlite", 4, lines=["/health"],
                          method="GET", floor=True)
                r.measure(server, "floor: GET /health", "sqlite", 16, lines=["/health"],
                          method="GET", floor=True)
                ingest_scenarios(r, server, "sqlite", manifest)
            finally:
                server.stop()
        if "postgres" in parts:
            pg = postgres_catalog(args, work, size)
            if pg is None:
                data["skipped"].append("PostgreSQL: not reachable")
            else:
                pg_url, pg_manifest = pg
                data["catalogs"]["postgres"] = pg_manifest
                server = mlcat_server(args, work, pg_url, "postgres")
                try:
                    read_scenarios(r, server, "postgres", pg_manifest, peer_queries=False)
                finally:
                    server.stop()
                data["statements"]["postgres"] = statements(args, pg_url, "postgres")
        if "peer" in parts:
            try:
                data["peer"] = mlflow_peer(args, r, work, manifest)
            except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
                FAILURES.append(f"MLflow peer: {e}")
    except RuntimeError as e:
        FAILURES.append(str(e))
    data["finished"] = f"{datetime.datetime.now():%Y-%m-%d %H:%M}"
    data["load_end"] = os.getloadavg()[0]
    data["results"] = r.results
    data["targets"] = targets(data)
    with open(os.path.join(work, f"results-{args.mode}.json"), "w") as f:
        json.dump(data, f, indent=2)
    text = report(args, data)
    with open(os.path.join(work, f"results-{args.mode}.md"), "w") as f:
        f.write(text + "\n")
    print()
    print(text)
    if args.mode == "full" and not args.only:
        write_benchmarks_md(text)
        log("results written to BENCHMARKS.md")
    if FAILURES:
        print()
        for f in FAILURES:
            print(f"FAILED: {f}")
        return 1
    print(f"\nbenchmark {args.mode} run: every scenario answered without errors")
    return 0


if __name__ == "__main__":
    sys.exit(main())
