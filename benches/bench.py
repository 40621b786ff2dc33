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
import concurrent.futures
import contextlib
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
import types
import urllib.error
import urllib.parse
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
# scenarios (single entity, get by name, the floor) run at 32; the issue's single-entity
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
                floor: bool = False, aspects_per_request: int = 0, note: str = "",
                min_seconds: float = 0) -> dict:
        env = dict(env or {})
        # A scenario whose requests queue behind each other longer than a smoke run's second
        # (16 batches behind one writer) needs that long to complete one.
        duration = max(self.args.duration, min_seconds)
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
            r = wrk(server.base, script, env, conns, duration)
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


@contextlib.contextmanager
def catalog_copy(args, what: str):
    """A fresh copy of the PostgreSQL catalog (`CREATE DATABASE ... TEMPLATE`) for scenarios
    that write, so the catalog the other scenarios read stays as made; yields its URL and drops
    it afterwards."""
    copy = f"{args.pg_prefix}_{what}_{args.mode}"
    drop = f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'
    psql(args.pg_url, drop)
    psql(args.pg_url, f'CREATE DATABASE "{copy}" TEMPLATE "{args.pg_prefix}_{args.mode}"')
    try:
        yield f"{args.pg_url.rsplit('/', 1)[0]}/{copy}"
    finally:
        psql(args.pg_url, drop)


def postgres_catalog(args, work: str, size: dict) -> tuple[str, dict] | None:
    admin = args.pg_url
    try:
        psql(admin, "SELECT 1")
    except (OSError, subprocess.CalledProcessError) as e:
        log(f"PostgreSQL at {admin} does not answer ({e}); skipping the PostgreSQL scenarios")
        return None
    name = f"{args.pg_prefix}_{args.mode}"
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
    column_scenarios(r, server, backend, manifest)
    if peer_queries:
        groups = manifest["groups"]
        gql(base, body("group_get", {"urn": groups[0]["urn"]}))
        gql(base, body("group_search", {}))
        r.measure(server, "peer: mlModelGroup(urn) + versions", backend, 32,
                  lines=[body("group_get", {"urn": g["urn"]}) for g in groups])
        r.measure(server, "peer: listMLModelGroups(count 100) + versions", backend, HEAVY_CONNS,
                  lines=[body("group_search", {})])
    return shapes


def replica_scenarios(args, r: Runner, work: str, url: str, manifest: dict) -> dict:
    """Read throughput of one mlcat process, then of two on the same PostgreSQL database: the
    same single-model reads, 32 connections in all (two processes get 16 each, from two wrk
    processes at once, their rates added)."""
    lines = [body("single", {"urn": u}) for u in manifest["models"]]
    env = {"BENCH_REQUESTS": r.requests_file("replicas-single", lines), "BENCH_METHOD": "POST"}
    name = "replicas: mlModel(urn) with properties"
    first = mlcat_server(args, work, url, "postgres-replica-a")
    second = None
    try:
        gql(first.base, lines[0])
        one = r.measure(first, f"{name}, one process", "postgres", 32, lines=lines,
                        note="the one-process side of the replicas comparison")
        second = mlcat_server(args, work, url, "postgres-replica-b")
        gql(second.base, lines[0])
        both = (first, second)

        def together(duration: float) -> list[dict]:
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                runs = [pool.submit(wrk, s.base, "requests.lua", env, 16, duration) for s in both]
                return [f.result() for f in runs]

        if args.warmup > 0:
            together(args.warmup)
        totals, p50s, p99s = [], [], []
        for _ in range(args.runs):
            pair = together(args.duration)
            for s, x in zip(both, pair):
                bad = x["non2xx"] + x["connect_errors"] + x["read_errors"] + x["write_errors"] \
                    + x["timeouts"] + x["gql_errors"]
                if bad or x["requests"] == 0:
                    FAILURES.append(f"{name}, two processes ({s.name}): {x['requests']} requests, "
                                    f"{bad} failed; first bad answer: {x['sample'][:200]}")
            totals.append(sum(x["rps"] for x in pair))
            p50s.append(max(x["p50_us"] for x in pair))
            p99s.append(max(x["p99_us"] for x in pair))
        two = {
            "scenario": f"{name}, two processes", "backend": "postgres",
            "server": "mlcat-postgres-replica-a + b", "conns": 32, "runs": len(totals),
            "rps": statistics.median(totals), "rps_runs": [round(t, 1) for t in totals],
            "p50_ms": statistics.median(p50s) / 1000, "p99_ms": statistics.median(p99s) / 1000,
            "peak_rss_mb": round(first.peak_mb() + second.peak_mb(), 1),
            "anon_rss_mb": round(first.anon_mb() + second.anon_mb(), 1),
            "peak_is_per_scenario": False, "ratio": None, "load": os.getloadavg()[0],
            "note": "16 connections to each process; rates added, latencies the slower one's",
        }
        r.results.append(two)
        log(f"{two['scenario']:<34} postgres c=32  {two['rps']:9.1f} req/s  "
            f"({two['rps'] / one['rps'] if one['rps'] else 0:.2f} × one process)  runs {two['rps_runs']}")
    finally:
        first.stop()
        if second:
            second.stop()
    return {"one": one["rps"], "two": two["rps"]}


def column_scenarios(r: Runner, server: Server, backend: str, manifest: dict) -> None:
    """Column-level traversals of depth 5: the columns upstream of a model (raw column →
    staging → intermediate → mart column → feature → model), and the walk down from a raw
    column to the models."""
    base = server.base
    models = manifest.get("column_models")
    starts = manifest.get("columns")
    if not models or not starts:
        log("the catalog predates columns: run with --regen for the column-level scenarios")
        return
    answers = [gql(base, body("columns", {"urn": u, "budget": 1000}))["mlModel"]["upstreamColumns"]
               for u in models]
    deepest = max((c["degree"] for a in answers for c in a["columns"]), default=0)
    if deepest < 5:
        raise RuntimeError(f"no column 5 hops up from the column scenario's models (deepest {deepest})")
    totals = sorted(a["total"] for a in answers)
    r.measure(server, "lineage: column level, upstream columns of a model, depth 5", backend, 1,
              lines=[body("columns", {"urn": u, "budget": 1000}) for u in models],
              note=f"{len(models)} models cycled; median {statistics.median(totals)} columns answered "
                   f"(max {totals[-1]}), {sum(1 for a in answers if a['truncated'])} truncated")
    walks = [gql(base, body("lineage", {"urn": c, "budget": 1000}))["lineageGraph"] for c in starts]
    reached = sorted(len(w["nodes"]) for w in walks)
    if not any(n["type"] == "MLMODEL" for w in walks for n in w["nodes"]):
        raise RuntimeError("no walk down from a raw column reached a model")
    r.measure(server, "lineage: column level, depth 5 downstream from a raw column", backend, 1,
              lines=[body("lineage", {"urn": c, "budget": 1000}) for c in starts],
              note=f"{len(starts)} raw columns cycled; median {statistics.median(reached)} entities "
                   f"answered (max {reached[-1]})")


def ingest_scenarios(r: Runner, server: Server, backend: str, manifest: dict) -> None:
    env = {"BENCH_SOURCES": " ".join(manifest["sources"])}
    batch_ingest_scenarios(r, server, backend, manifest)
    r.measure(server, "ingest: GraphQL upsertMLFeature", backend, 16,
              script="ingest.lua", env={**env, "BENCH_MODE": "graphql"},
              aspects_per_request=1)
    # Issue 21: OpenLineage RunEvents with 5 inputs, 2 outputs, schema and column-lineage facets,
    # one per request as openlineage-python's HTTP transport sends them (req/s = events/s).
    r.measure(server, "ingest: OpenLineage RunEvent, 5 in, 2 out, schema + column lineage", backend,
              16, script="ingest.lua", env={**env, "BENCH_MODE": "openlineage"})


def batch_ingest_scenarios(r: Runner, server: Server, backend: str, manifest: dict) -> None:
    """The two `ingestProposalBatch` scenarios (issue 22: ≥ 15,000 aspects/s on PostgreSQL, ≥ 20,000
    on SQLite)."""
    env = {"BENCH_SOURCES": " ".join(manifest["sources"])}
    r.measure(server, "ingest: ingestProposalBatch, 200 per request", backend, 4,
              script="ingest.lua", env={**env, "BENCH_MODE": "batch", "BENCH_BATCH": "200"},
              aspects_per_request=200)
    # The SDK's ingestion sink (`datahub-rest`) defaults to ASYNC_BATCH: 15 threads, each
    # sending batches of 100 (acryl-datahub 1.7); 16 connections share the floor measured at 16.
    r.measure(server, "ingest: ingestProposalBatch, 100 per request, as the SDK sink sends", backend,
              16, script="ingest.lua", env={**env, "BENCH_MODE": "batch", "BENCH_BATCH": "100"},
              aspects_per_request=100, min_seconds=5)


# ---------------------------------------------------------------------------------------------
# Search (issue 18)

# Words a person might type, with the share of the 200,000-entity catalog each matches (see
# BENCHMARKS.md): "registered" (groups and models, 3 %), "xgboost" (models, 2.5 %), "endpoint"
# (deployments, 1.3 %), "predictions" (prediction datasets, 0.5 %). The suite cycles them for the
# word search; "feature" (features and feature tables, 26 %) is the broad word, measured apart.
SEARCH_WORDS = ["registered", "xgboost", "endpoint", "predictions"]
BROAD_WORD = "feature"
# Type-ahead: what a person has typed after 2 to 4 letters, narrow and wide.
PREFIXES = ["gr", "grou", "reg", "xgb", "end", "endp", "pred", "fea", "tab", "tabl", "hub", "l1"]


def search_total(base: str, word: str) -> int:
    return gql(base, body("search", {"query": word}))["searchAcrossEntities"]["total"]


def one_at_a_time(base: str, bodies: list[str], n: int) -> dict:
    """p50 and max of n requests of each body sent one at a time (no other load), in ms: which
    queries are slow, apart from queueing."""
    out = {}
    for b in bodies:
        times = []
        for _ in range(n):
            t = time.perf_counter()
            status, answer = http(base + "/api/graphql", b.encode())
            times.append((time.perf_counter() - t) * 1000)
            if status != 200 or b'"errors":' in answer:
                raise RuntimeError(f"HTTP {status}: {answer[:300]!r}")
        out[json.loads(b)["variables"]["query"]] = {
            "p50_ms": round(statistics.median(times), 2), "max_ms": round(max(times), 2)}
    return out


def group_prefixes(groups: int) -> list[str]:
    """Registered-model name prefixes, each matching up to 100 groups (`group_001`: 100 to 199)."""
    return sorted({f"group_{g:05d}"[:9] for g in range(groups)})


def search_scenarios(args, r: Runner, server: Server, backend: str, manifest: dict) -> dict:
    """Word search with facets, the broad word, type-ahead, a 100-result page beside the
    100-model list, the registered-model name search beside MLflow's, write-then-search."""
    base = server.base
    entities = manifest["counts"]["entities"]
    shares = {w: search_total(base, w) for w in SEARCH_WORDS + [BROAD_WORD]}
    for w, n in shares.items():
        if n == 0:
            raise RuntimeError(f"search ({backend}): {w!r} matches nothing")
    words_note = ", ".join(f"{w} {n:,} ({100 * n / entities:.1f} %)" for w, n in shares.items()
                           if w != BROAD_WORD)
    completions = {}
    for p in PREFIXES:
        a = gql(base, body("autocomplete", {"query": p}))["autoComplete"]
        completions[p] = {"suggestions": len(a["suggestions"]), "matches": search_total(base, p)}
    log(f"search ({backend}): matches {shares}; type-ahead {completions}")
    info = {"matches": shares, "entities": entities, "prefixes": completions}
    quiet = 3 if args.mode == "smoke" else 20
    info["one_at_a_time"] = {
        "search": one_at_a_time(base, [body("search", {"query": w}) for w in SEARCH_WORDS + [BROAD_WORD]], quiet),
        "autoComplete": one_at_a_time(base, [body("autocomplete", {"query": p}) for p in PREFIXES], quiet),
    }
    log(f"one at a time ({backend}): {info['one_at_a_time']}")

    r.measure(server, "floor: GET /health", backend, HEAVY_CONNS, lines=["/health"], method="GET",
              floor=True)
    r.measure(server, "search: a word, 10 results + facets", backend, HEAVY_CONNS,
              lines=[body("search", {"query": w}) for w in SEARCH_WORDS],
              note=f"searchAcrossEntities, words cycled: {words_note} of {entities:,} entities; "
                   f"7 facets counted")
    r.measure(server, "search: the broad word, 10 results + facets", backend, HEAVY_CONNS,
              lines=[body("search", {"query": BROAD_WORD})],
              note=f"{BROAD_WORD!r}: {shares[BROAD_WORD]:,} matches "
                   f"({100 * shares[BROAD_WORD] / entities:.0f} %)")
    r.measure(server, "autoComplete: 2-4 letter prefix", backend, HEAVY_CONNS,
              lines=[body("autocomplete", {"query": p}) for p in PREFIXES],
              note="prefixes cycled: " + ", ".join(
                  f"{p} ({c['matches']:,})" for p, c in completions.items()))

    # A 100-result page beside listMLModels(count: 100), the same fields per model.
    models = manifest["counts"]["models"]
    page_word = "xgboost"
    got = gql(base, body("search_page", {"query": page_word, "start": 0, "skipAggregates": False}))
    if len(got["searchAcrossEntities"]["searchResults"]) != min(100, models):
        raise RuntimeError(f"search page ({backend}): {len(got['searchAcrossEntities']['searchResults'])} results")
    starts = list(range(0, max(models - 100, 0) + 1, 100))[:20]
    r.measure(server, "floor: GET /health", backend, LIST_CONNS, lines=["/health"], method="GET",
              floor=True)
    if not find(r.results, "list: 100 models", backend):
        r.measure(server, "list: 100 models with properties", backend, LIST_CONNS,
                  lines=[body("list", {"start": s}) for s in starts])
    for skip, label in ((False, "search: 100-result page, facets"),
                        (True, "search: 100-result page, skipAggregates")):
        r.measure(server, label, backend, LIST_CONNS,
                  lines=[body("search_page", {"query": page_word, "start": s, "skipAggregates": skip})
                         for s in starts],
                  note=f"{page_word!r} among models, the list's fields per model")

    # The registered-model name search, as MLflow's search_registered_models is asked below.
    prefixes = group_prefixes(manifest["counts"]["groups"])
    for p in prefixes[:1]:
        n = gql(base, body("group_name_search", {"query": p}))["searchAcrossEntities"]["total"]
        want = sum(1 for g in range(manifest["counts"]["groups"]) if f"group_{g:05d}".startswith(p))
        if n != want:
            raise RuntimeError(f"group name search ({backend}) {p!r}: {n} groups, not {want}")
    r.measure(server, "peer: search groups by name, 100 + versions", backend, HEAVY_CONNS,
              lines=[body("group_name_search", {"query": p}) for p in prefixes],
              note=f"searchAcrossEntities(types: [MLMODEL_GROUP]), {len(prefixes)} name prefixes "
                   f"cycled ({prefixes[0]}, ...), up to 100 groups each")
    return info


class Conn:
    """A kept-alive HTTP connection to the server, for the write-then-search loop."""

    def __init__(self, base: str):
        import http.client
        host, port = base.split("//", 1)[1].split(":")
        self.c = http.client.HTTPConnection(host, int(port), timeout=60)

    def post(self, path: str, payload: dict) -> tuple[int, dict | None, float]:
        data = json.dumps(payload)
        t = time.perf_counter()
        self.c.request("POST", path, body=data, headers={"Content-Type": "application/json"})
        response = self.c.getresponse()
        raw = response.read()
        ms = (time.perf_counter() - t) * 1000
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = {"raw": raw[:300].decode(errors="replace")}
        return response.status, parsed, ms


def write_then_search(args, base: str, backend: str) -> dict:
    """Writes an entity with a name no other entity has, and as soon as the write is answered
    searches for that name on another connection: does the search find it? REST
    `ingestProposal` tries (10,000 in the full run) and GraphQL `upsertMLFeature` tries (1,000),
    from 4 threads at once, so other writes land between a write and its search."""
    import threading
    rest_tries = 200 if args.mode == "smoke" else 10_000
    gql_tries = 50 if args.mode == "smoke" else 1_000
    threads = 4
    run = f"{int(time.time()) % 100000}{backend[0]}"
    lock = threading.Lock()
    stats = {"rest": {"tries": 0, "found": 0}, "graphql": {"tries": 0, "found": 0}}
    write_ms, search_ms, misses, errors = [], [], [], []
    search_q = query("write_search")

    def worker(t: int) -> None:
        writer, reader = Conn(base), Conn(base)
        my_rest = range(t, rest_tries, threads)
        my_gql = range(t, gql_tries, threads)
        plan = [("rest", i) for i in my_rest] + [("graphql", i) for i in my_gql]
        for kind, i in plan:
            token = f"wts{run}t{t}{kind[0]}{i}"
            try:
                if kind == "rest":
                    urn = f"urn:li:mlModel:(urn:li:dataPlatform:mlflow,probe_{token},PROD)"
                    value = json.dumps({"description": "write-then-search probe",
                                        "customProperties": {"try": str(i)}})
                    status, answer, wms = writer.post("/aspects?action=ingestProposal", {
                        "proposal": {"entityType": "mlModel", "entityUrn": urn,
                                     "changeType": "UPSERT", "aspectName": "mlModelProperties",
                                     "aspect": {"value": value, "contentType": "application/json"},
                                     "systemMetadata": {"lastObserved": 0, "runId": f"wts-{run}"}},
                        "async": "false"})
                    if status != 200:
                        raise RuntimeError(f"ingestProposal: HTTP {status} {answer}")
                else:
                    status, answer, wms = writer.post("/api/graphql", {
                        "query": query("upsert_feature"),
                        "variables": {"input": {"featureNamespace": f"probe_{token}", "name": "f",
                                                "description": "write-then-search probe",
                                                "dataType": "CONTINUOUS"}}})
                    if status != 200 or not answer or answer.get("errors"):
                        raise RuntimeError(f"upsertMLFeature: HTTP {status} {answer}")
                    urn = answer["data"]["upsertMLFeature"]["urn"]
                status, answer, sms = reader.post("/api/graphql", {
                    "query": search_q, "variables": {"query": token}})
                if status != 200 or not answer or answer.get("errors"):
                    raise RuntimeError(f"search: HTTP {status} {answer}")
                found = any(h["entity"]["urn"] == urn
                            for h in answer["data"]["searchAcrossEntities"]["searchResults"])
            except (RuntimeError, OSError, KeyError, TypeError) as e:
                with lock:
                    errors.append(f"{kind} {token}: {e}"[:300])
                writer, reader = Conn(base), Conn(base)
                continue
            with lock:
                stats[kind]["tries"] += 1
                stats[kind]["found"] += int(found)
                write_ms.append(wms)
                search_ms.append(sms)
                if not found:
                    misses.append(f"{kind} {urn}")

    started = time.monotonic()
    pool = [threading.Thread(target=worker, args=(t,)) for t in range(threads)]
    for p in pool:
        p.start()
    for p in pool:
        p.join()
    seconds = time.monotonic() - started

    def pct(xs, q):
        xs = sorted(xs)
        return round(xs[min(len(xs) - 1, int(q * len(xs)))], 2) if xs else None

    out = {"backend": backend, "threads": threads, "seconds": round(seconds, 1), **stats,
           "misses": misses[:10], "miss_count": len(misses), "errors": errors[:5],
           "error_count": len(errors),
           "write_p50_ms": pct(write_ms, 0.5), "write_p99_ms": pct(write_ms, 0.99),
           "search_p50_ms": pct(search_ms, 0.5), "search_p99_ms": pct(search_ms, 0.99)}
    log(f"write-then-search ({backend}): {out}")
    if misses or errors or stats["rest"]["tries"] != rest_tries or stats["graphql"]["tries"] != gql_tries:
        FAILURES.append(f"write-then-search ({backend}): {len(misses)} searches missed the entity "
                        f"just written, {len(errors)} errors (first: {(misses + errors)[:3]})")
    return out


def index_on_off(args, work: str, backend: str, source: str, manifest: dict) -> dict:
    """Ingestion with the search index on and off (issue 18): the same 200-proposal batches at
    4 connections against `mlcat` and against the same tree built with benches/index_off.patch
    (the index's writes taken out), each run on a fresh copy of the catalog, the two alternated.
    `source` is the golden SQLite file or the PostgreSQL catalog's database name."""
    bins = [("on", args.mlcat_bin), ("off", args.mlcat_off_bin)]
    rounds = 1 if args.mode == "smoke" else args.index_rounds
    env = {"BENCH_SOURCES": " ".join(manifest["sources"]), "BENCH_MODE": "batch",
           "BENCH_BATCH": "200"}
    per: dict[str, list[float]] = {"on": [], "off": []}
    for i in range(rounds):
        for label, binary in (bins if i % 2 == 0 else bins[::-1]):
            if backend == "sqlite":
                db = os.path.join(work, f"index-{args.mode}.db")
                for suffix in ("", "-wal", "-shm"):
                    if os.path.exists(db + suffix):
                        os.remove(db + suffix)
                shutil.copyfile(source, db)
                url = f"sqlite://{db}"
            else:
                name = f"{args.pg_prefix}_index_{args.mode}"
                psql(args.pg_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                psql(args.pg_url, f'CREATE DATABASE "{name}" TEMPLATE "{source}"')
                url = f"{args.pg_url.rsplit('/', 1)[0]}/{name}"
            port = free_port()
            server = Server(f"mlcat-index-{label}", [binary, "serve", "--database-url", url,
                                                     "--bind", f"127.0.0.1:{port}"], port,
                            os.path.join(work, f"server-index-{label}.log"), env={"RUST_LOG": "info"})
            try:
                if args.warmup > 0:
                    wrk(server.base, "ingest.lua", {**env, "BENCH_RUN": f"{int(time.time())}w"},
                        4, args.warmup)
                res = wrk(server.base, "ingest.lua", {**env, "BENCH_RUN": f"{int(time.time())}{i}"},
                          4, args.duration)
            finally:
                server.stop()
            bad = res["non2xx"] + res["gql_errors"] + res["timeouts"] + res["connect_errors"] \
                + res["read_errors"] + res["write_errors"]
            if bad or res["requests"] == 0:
                FAILURES.append(f"ingest, index {label} ({backend}): {res['requests']} requests, "
                                f"{bad} bad; first bad answer: {res['sample'][:200]}")
            per[label].append(round(res["rps"] * 200))
            log(f"ingest, index {label:<3} ({backend}) round {i + 1}: {res['rps'] * 200:,.0f} aspects/s "
                f"(p50 {res['p50_us'] / 1000:.1f} ms, p99 {res['p99_us'] / 1000:.1f} ms)")
    if backend != "sqlite":
        psql(args.pg_url, f'DROP DATABASE IF EXISTS "{args.pg_prefix}_index_{args.mode}" WITH (FORCE)')
    on, off = statistics.median(per["on"]), statistics.median(per["off"])
    out = {"backend": backend, "on": per["on"], "off": per["off"], "median_on": on,
           "median_off": off, "ratio": on / off if off else None, "rounds": rounds}
    log(f"ingest, index on/off ({backend}): {out}")
    return out


def live_scenarios(args, work: str, backend: str, url: str, manifest: dict) -> dict:
    """Issue 22: a committed write's way to a webhook receiver and a WebSocket subscriber,
    alone and under the ingestion load (`ingestProposalBatch` of 200 at 4 connections), and the
    ingestion throughput with and without those consumers attached, alternated round by round
    (the feed itself adds no statement to a write: see src/store/feed.rs, so it cannot be
    switched off; what a consumer costs is the polling and delivery it makes the server do).
    See benches/live.py for the pieces and how a latency is bounded."""
    import threading
    import live
    port = free_port()
    server = Server(f"mlcat-live-{backend}", [args.mlcat_bin, "serve", "--database-url", url,
                                              "--bind", f"127.0.0.1:{port}",
                                              "--webhook-allow-private-targets"], port,
                    os.path.join(work, f"server-live-{backend}.log"), env={"RUST_LOG": "info"})
    env = {"BENCH_SOURCES": " ".join(manifest["sources"]), "BENCH_MODE": "batch",
           "BENCH_BATCH": "200"}
    secret = "bench-live-secret-0123456789"
    receiver = live.Receiver(secret)
    run = f"{int(time.time()) % 100000}{backend[0]}"
    probe_gap = 0.05
    settle = 5.0
    out: dict = {"backend": backend, "without": [], "with": [], "probe_gap_ms": probe_gap * 1000}
    hook_ids: list[int] = []
    loaded_urns: list[str] = []
    sub_errors: list[str] = []
    # Every probe's times and every subscriber's arrivals, for the latencies over all rounds.
    all_probes = types.SimpleNamespace(sent={}, answered={})
    all_sub: dict[str, float] = {}

    def attach(prober: "live.Prober") -> "live.Subscriber":
        """A webhook and a subscriber, live: probes written until both have seen one."""
        data = gql(server.base, json.dumps({
            "query": "mutation($input: CreateWebhookInput!) { createWebhook(input: $input) { id } }",
            "variables": {"input": {"url": receiver.url, "secret": secret,
                                    "filter": {"entityTypes": ["MLMODEL"]}}}}))
        hook_ids.append(data["createWebhook"]["id"])
        sub = live.Subscriber(server.base)
        deadline = time.monotonic() + 20
        while True:
            urn = prober.write()
            wait = time.monotonic() + 1
            while time.monotonic() < wait and not (urn in sub.arrivals and urn in receiver.arrivals):
                time.sleep(0.01)
            if urn in sub.arrivals and urn in receiver.arrivals:
                return sub
            if time.monotonic() > deadline:
                raise RuntimeError(f"live ({backend}): the webhook and the subscriber never went "
                                   f"live ({sub.errors[:2]}, receiver {receiver.bad[:2]})")

    def detach(sub: "live.Subscriber") -> None:
        sub_errors.extend(sub.errors)
        all_sub.update(sub.arrivals)
        sub.stop()
        gql(server.base, json.dumps({"query": "mutation($id: Int!) { deleteWebhook(id: $id) }",
                                     "variables": {"id": hook_ids[-1]}}))

    def wait_for(urns: list[str], sub: "live.Subscriber") -> None:
        deadline = time.monotonic() + settle
        while time.monotonic() < deadline and not all(
                u in sub.arrivals and u in receiver.arrivals for u in urns):
            time.sleep(0.05)

    try:
        # Alone: one probe at a time, each waited for.
        prober = live.Prober(server.base, f"{run}i")
        sub = attach(prober)
        idle = []
        for _ in range(5 if args.duration < 5 else 50):
            urn = prober.write()
            idle.append(urn)
            wait_for([urn], sub)
            time.sleep(probe_gap)
        out["idle"] = {"webhook": live.latencies(idle, prober, receiver.arrivals),
                       "subscription": live.latencies(idle, prober, sub.arrivals)}
        detach(sub)
        for i in range(args.runs):
            for label in (("without", "with") if i % 2 == 0 else ("with", "without")):
                wrk_env = {**env, "BENCH_RUN": f"{int(time.time())}l{i}{label[1]}"}
                if label == "without":
                    res = wrk(server.base, "ingest.lua", wrk_env, 4, args.duration)
                else:
                    prober = live.Prober(server.base, f"{run}r{i}")
                    sub = attach(prober)
                    stop = threading.Event()
                    urns: list[str] = []
                    errors: list[str] = []

                    def probe_loop() -> None:
                        while not stop.is_set():
                            try:
                                urns.append(prober.write())
                            except (RuntimeError, OSError) as e:
                                errors.append(str(e)[:300])
                                return
                            time.sleep(probe_gap)

                    t = threading.Thread(target=probe_loop)
                    t.start()
                    try:
                        res = wrk(server.base, "ingest.lua", wrk_env, 4, args.duration)
                    finally:
                        stop.set()
                        t.join()
                    wait_for(urns, sub)
                    loaded_urns.extend(urns)
                    out.setdefault("loaded", {"webhook": [], "subscription": []})
                    out["loaded"]["webhook"].append(live.latencies(urns, prober, receiver.arrivals))
                    out["loaded"]["subscription"].append(live.latencies(urns, prober, sub.arrivals))
                    all_probes.sent.update(prober.sent)
                    all_probes.answered.update(prober.answered)
                    detach(sub)
                    if errors:
                        FAILURES.append(f"live ({backend}): a probe write failed: {errors[0]}")
                bad = res["non2xx"] + res["gql_errors"] + res["timeouts"] + res["connect_errors"] \
                    + res["read_errors"] + res["write_errors"]
                if bad or res["requests"] == 0:
                    FAILURES.append(f"live, ingest {label} consumers ({backend}): {res['requests']} "
                                    f"requests, {bad} bad; first bad answer: {res['sample'][:200]}")
                out[label].append(round(res["rps"] * 200))
                log(f"live ({backend}) round {i + 1}, {label} consumers: {res['rps'] * 200:,.0f} "
                    f"aspects/s (p50 {res['p50_us'] / 1000:.1f} ms, p99 {res['p99_us'] / 1000:.1f} ms)")
    except (RuntimeError, OSError, KeyError) as e:
        FAILURES.append(f"live ({backend}): {e}")
    finally:
        receiver.stop()
        server.stop()
    # Every loaded probe's latency together, over all rounds.
    if loaded_urns:
        out["loaded_all"] = {
            "webhook": live.latencies(loaded_urns, all_probes, receiver.arrivals),
            "subscription": live.latencies(loaded_urns, all_probes, all_sub),
        }
    if out["without"] and out["with"]:
        a, b = statistics.median(out["without"]), statistics.median(out["with"])
        out["median_without"], out["median_with"] = a, b
        out["ratio"] = b / a if a else None
    out["receiver"] = {"deliveries": receiver.deliveries, "duplicates": receiver.duplicates,
                       "bad": receiver.bad[:3]}
    out["subscriber_errors"] = sub_errors[:3]
    if receiver.bad or sub_errors:
        FAILURES.append(f"live ({backend}): receiver {receiver.bad[:2]}, subscriber {sub_errors[:2]}")
    for kind in ("webhook", "subscription"):
        missing = sum(x["missing"] for x in out.get("loaded", {}).get(kind, []))
        missing += out.get("idle", {}).get(kind, {}).get("missing", 0)
        if missing:
            FAILURES.append(f"live ({backend}): {missing} probes never reached the {kind} "
                            f"within {settle:g} s")
    log(f"live ({backend}): {json.dumps(out)}")
    return out


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
        # search_registered_models with a name filter: the same prefixes, the same groups, as
        # mlcat's "peer: search groups by name" (issue 18).
        prefixes = group_prefixes(groups)
        paths = ["/api/2.0/mlflow/registered-models/search?max_results=100&filter="
                 + urllib.parse.quote(f"name LIKE '{p}%'") for p in prefixes]
        status, answer = http(server.base + paths[0])
        found = len(json.loads(answer).get("registered_models", [])) if status == 200 else -1
        want = sum(1 for g in range(groups) if f"group_{g:05d}".startswith(prefixes[0]))
        if found != min(100, want):
            raise RuntimeError(f"MLflow name search: HTTP {status}, {found} models, not {want}")
        r.measure(server, "peer: registered-models/search name LIKE, max_results=100", "sqlite",
                  HEAVY_CONNS, method="GET", lines=paths,
                  note=f"filter name LIKE '{prefixes[0]}%' and the other {len(prefixes) - 1} prefixes, cycled")
        registry_requests(r, server, "peer", names, prefixes)
    finally:
        server.stop()
    return info


# The registered models of issue 20's registry scenarios with many versions.
BIG_VERSIONS = {"full": 5000, "smoke": 100}


def registry_requests(r: Runner, server: Server, who: str, names: list[str],
                      prefixes: list[str]) -> None:
    """Issue 20's registry scenarios, the same requests to MLflow's server (`who` = peer) and to
    mlcat's MLflow API (`who` = mlflow-api): a registered model with its latest versions, a
    version by alias, 100 registered models with a name filter, a new version."""
    api = "/api/2.0/mlflow"
    r.measure(server, f"{who}: registry get model + latest versions", "sqlite", 32, method="GET",
              lines=[f"{api}/registered-models/get?name={n}" for n in names])
    r.measure(server, f"{who}: registry version by alias", "sqlite", 32, method="GET",
              lines=[f"{api}/registered-models/alias?name={n}&alias=champion" for n in names])
    r.measure(server, f"{who}: registry search 100 by name LIKE", "sqlite", HEAVY_CONNS,
              method="GET",
              lines=[f"{api}/registered-models/search?max_results=100&filter="
                     + urllib.parse.quote(f"name LIKE '{p}%'") for p in prefixes])
    r.measure(server, f"{who}: registry create version", "sqlite", HEAVY_CONNS,
              env={"BENCH_PATH": f"{api}/model-versions/create"},
              lines=[json.dumps({"name": n, "source": f"s3://bench-models/{n}/new"})
                     for n in names])


def registry_scenarios(args, r: Runner, work: str, manifest: dict) -> dict:
    """Issue 20: mlcat's MLflow API, loaded through that API with the registry MLflow gets
    (`mlflow_load.py`), asked what MLflow's server is asked (`registry_requests`), and a
    registered model of BIG_VERSIONS versions with two aliases read by name and by alias."""
    groups = manifest["counts"]["groups"]
    per_group = manifest["counts"]["models_per_group"]
    big = BIG_VERSIONS[args.mode]
    db = os.path.join(work, f"registry-{args.mode}.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    server = mlcat_server(args, work, f"sqlite://{db}", "registry")
    info: dict = {"big_versions": big}
    try:
        t = time.monotonic()
        subprocess.run([sys.executable, os.path.join(HERE, "mlflow_load.py"), server.base,
                        str(groups), str(per_group), str(big)], check=True)
        info["load_seconds"] = time.monotonic() - t
        names = [g["name"] for g in manifest["groups"]]
        prefixes = group_prefixes(groups)
        api = server.base + "/api/2.0/mlflow"
        status, answer = http(f"{api}/registered-models/alias?name=big_model&alias=champion")
        got = json.loads(answer).get("model_version", {}).get("version") if status == 200 else None
        if got != str(big):
            raise RuntimeError(f"mlcat's MLflow API: big_model's champion is {got!r}, not {big}")
        status, answer = http(f"{api}/registered-models/search?max_results=100&filter="
                              + urllib.parse.quote(f"name LIKE '{prefixes[0]}%'"))
        found = len(json.loads(answer).get("registered_models", [])) if status == 200 else -1
        want = sum(1 for g in range(groups) if f"group_{g:05d}".startswith(prefixes[0]))
        if found != min(100, want):
            raise RuntimeError(f"mlcat's MLflow API name search: HTTP {status}, {found} models, not {want}")
        for conns in (32, HEAVY_CONNS):
            r.measure(server, "floor: GET /health", "sqlite", conns, lines=["/health"],
                      method="GET", floor=True)
        registry_requests(r, server, "mlflow-api", names, prefixes)
        r.measure(server, f"mlflow-api: {big:,}-version model, get + latest versions", "sqlite",
                  HEAVY_CONNS, method="GET",
                  lines=["/api/2.0/mlflow/registered-models/get?name=big_model"])
        r.measure(server, f"mlflow-api: {big:,}-version model, version by alias", "sqlite",
                  HEAVY_CONNS, method="GET",
                  lines=[f"/api/2.0/mlflow/registered-models/alias?name=big_model&alias={a}"
                         for a in ("champion", "challenger")])
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
    for backend, s in data.get("search", {}).items():
        out.append(f"Search ({backend}): what each query matches, and its latency sent alone "
                   f"(one at a time, no other load; p50 and max of "
                   f"{3 if data['mode'] == 'smoke' else 20} requests):")
        out.append("")
        out.append("| query | text | matches | share of the catalog | p50 ms alone | max ms alone |")
        out.append("|---|---|---:|---:|---:|---:|")
        alone = s["one_at_a_time"]
        for w, n in s["matches"].items():
            a = alone["search"].get(w, {})
            out.append(f"| searchAcrossEntities, 10 + facets | `{w}` | {n:,} | "
                       f"{100 * n / s['entities']:.2f} % | {fmt(a.get('p50_ms'), 2)} | "
                       f"{fmt(a.get('max_ms'), 2)} |")
        for pfx, c in s["prefixes"].items():
            a = alone["autoComplete"].get(pfx, {})
            out.append(f"| autoComplete, limit 10 ({c['suggestions']} names complete it) | `{pfx}` | {c['matches']:,} | "
                       f"{100 * c['matches'] / s['entities']:.2f} % | {fmt(a.get('p50_ms'), 2)} | "
                       f"{fmt(a.get('max_ms'), 2)} |")
        out.append("")
    if data.get("write_then_search"):
        out.append("Write-then-search: an entity with a name no other has is written, and as soon "
                   "as the write is answered a search for the name is sent on another connection; "
                   "4 threads at once:")
        out.append("")
        out.append("| backend | REST `ingestProposal`: found / tries | GraphQL `upsertMLFeature`: found / tries | write p50 / p99 ms | search p50 / p99 ms | errors | seconds |")
        out.append("|---|---:|---:|---:|---:|---:|---:|")
        for backend, w in data["write_then_search"].items():
            cells = []
            for kind in ("rest", "graphql"):
                k = w[kind]
                share = 100 * k["found"] / k["tries"] if k["tries"] else 0
                cells.append(f"{k['found']:,} / {k['tries']:,} ({share:.2f} %)")
            out.append(f"| {backend} | {cells[0]} | {cells[1]} | "
                       f"{w['write_p50_ms']} / {w['write_p99_ms']} | "
                       f"{w['search_p50_ms']} / {w['search_p99_ms']} | {w['error_count']} | "
                       f"{w['seconds']} |")
        out.append("")
    if data.get("index"):
        out.append("Ingestion with the search index on and off: `ingestProposalBatch` of 200, "
                   "4 connections, a fresh copy of the catalog per run, on and off alternated; "
                   "off is this tree with `benches/index_off.patch` (the index's writes taken out):")
        out.append("")
        out.append("| backend | on (aspects/s per run) | off (aspects/s per run) | median on | median off | on / off |")
        out.append("|---|---|---|---:|---:|---:|")
        for backend, x in data["index"].items():
            out.append(f"| {backend} | {', '.join(f'{v:,}' for v in x['on'])} | "
                       f"{', '.join(f'{v:,}' for v in x['off'])} | {x['median_on']:,.0f} | "
                       f"{x['median_off']:,.0f} | {100 * x['ratio']:.1f} % |")
        out.append("")
    if data.get("live"):
        out.append("Live delivery (issue 22): one `mlModel` aspect written through `ingestProposal` "
                   "every 50 ms (a probe), a webhook receiver and a `graphql-transport-ws` "
                   "subscriber filtered to `MLMODEL`; alone (each probe waited for), then while "
                   "`ingestProposalBatch` of 200 runs at 4 connections. Latency from the write's "
                   "answer (the commit is before it: a lower bound) and from its sending (an "
                   "upper bound), in ms:")
        out.append("")
        out.append("| backend | consumer | load | probes | missing | p50 from answer | p99 from answer | max from answer | p50 from send | p99 from send |")
        out.append("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        for backend, x in data["live"].items():
            for load, key in (("none", "idle"), ("ingestion", "loaded_all")):
                for kind in ("webhook", "subscription"):
                    lat = x.get(key, {}).get(kind)
                    if lat:
                        out.append(f"| {backend} | {kind} | {load} | {lat['probes']} | {lat['missing']} | "
                                   f"{fmt(lat['from_answer_p50_ms'])} | {fmt(lat['from_answer_p99_ms'])} | "
                                   f"{fmt(lat['from_answer_max_ms'])} | {fmt(lat['from_send_p50_ms'])} | "
                                   f"{fmt(lat['from_send_p99_ms'])} |")
        out.append("")
        out.append("Ingestion (`ingestProposalBatch` of 200, 4 connections) with and without the "
                   "webhook, the subscriber and the probes attached, alternated round by round:")
        out.append("")
        out.append("| backend | without (aspects/s per run) | with (aspects/s per run) | median without | median with | with / without | webhook deliveries (redelivered changes) |")
        out.append("|---|---|---|---:|---:|---:|---:|")
        for backend, x in data["live"].items():
            if x.get("ratio"):
                out.append(f"| {backend} | {', '.join(f'{v:,}' for v in x['without'])} | "
                           f"{', '.join(f'{v:,}' for v in x['with'])} | {x['median_without']:,.0f} | "
                           f"{x['median_with']:,.0f} | {100 * x['ratio']:.1f} % | "
                           f"{x['receiver']['deliveries']} ({x['receiver']['duplicates']}) |")
        out.append("")
    t22 = targets_22(data)
    if t22:
        out.append("Targets of issue 22:")
        out.append("")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for t in t22:
            out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
        out.append("")
    t20 = targets_20(data)
    if t20:
        out.append("Targets of issue 20 (the MLflow registry API):")
        out.append("")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for t in t20:
            out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
        out.append("")
    t22 = targets_22_replicas(data)
    if t22:
        out.append("Targets of issue 22 (replicas):")
        out.append("")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for t in t22:
            out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
        out.append("")
    t18 = targets_18(data)
    if t18:
        out.append("Targets of issue 18:")
        out.append("")
        out.append("| target | measured | met |")
        out.append("|---|---|---|")
        for t in t18:
            out.append(f"| {t[0]} | {t[1]} | {t[2]} |")
        out.append("")
    if data["targets"]:
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
    # A scenario that completed no request is a failure already (FAILURES); no ratio for it.
    if n and b and b["rps"]:
        d = find(res, "nested", server_prefix="default-loader")
        also = (f"; mlcat's own resolvers behind the default DataLoader: {d['rps']:.1f} req/s, "
                f"so batching alone gives {n['rps'] / d['rps']:.2f} ×") if d and d["rps"] else ""
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
        for backend, name, goal in (("sqlite", "SQLite", 20000), ("postgres", "PostgreSQL", 15000)):
            i = find(res, prefix, backend)
            if i:
                out.append((f"ingest through the batch endpoint ≥ {goal:,} aspects/s on {name} ({how})",
                            f"{i['aspects_per_s']:,.0f} aspects/s", yes(i["aspects_per_s"] >= goal)))
    for mine, theirs, what in (("peer: mlModelGroup", "peer: registered-models/get", "get-by-name"),
                               ("peer: listMLModelGroups", "peer: registered-models/search", "100-item search")):
        a = find(res, mine)
        z = find(res, theirs, server_prefix="mlflow")
        if a and z and z["rps"]:
            out.append((f"≥ 50 × MLflow's throughput on {what}",
                        f"{a['rps']:.1f} vs {z['rps']:.1f} req/s = {a['rps'] / z['rps']:.1f} ×",
                        yes(a["rps"] >= 50 * z["rps"])))
    return out


def targets_22_replicas(data: dict) -> list:
    """Issue 22's replica target, from the replicas part."""
    res = data["results"]
    out = []

    def yes(ok):
        return "yes" if ok else "**no**"

    one = find(res, "replicas: mlModel(urn) with properties, one", "postgres")
    two = find(res, "replicas: mlModel(urn) with properties, two", "postgres")
    if one and two and one["rps"]:
        out.append(("two mlcat processes on one PostgreSQL serve ≥ 1.7 × the reads of one "
                    f"({data['machine']['nproc']} cores shared by both, PostgreSQL and wrk)",
                    f"{two['rps']:.1f} vs {one['rps']:.1f} req/s = {two['rps'] / one['rps']:.2f} ×",
                    yes(two["rps"] >= 1.7 * one["rps"])))
    return out


def targets_18(data: dict) -> list:
    res = data["results"]
    out = []

    def yes(ok):
        return "yes" if ok else "**no**"

    def miss(value, limit):
        return "" if value <= limit else f" ({value / limit:.1f} × the target)"

    for backend in ("sqlite", "postgres"):
        s = find(res, "search: a word", backend)
        if s:
            out.append((f"searchAcrossEntities, a word, 10 results + facets, 4 connections: p50 ≤ 10 ms, "
                        f"p99 ≤ 50 ms ({backend})",
                        f"p50 {s['p50_ms']:.2f} ms{miss(s['p50_ms'], 10)}, "
                        f"p99 {s['p99_ms']:.2f} ms{miss(s['p99_ms'], 50)}",
                        yes(s["p50_ms"] <= 10 and s["p99_ms"] <= 50)))
        a = find(res, "autoComplete", backend)
        if a:
            out.append((f"autoComplete, 2 to 4 letters: p99 ≤ 10 ms ({backend})",
                        f"p99 {a['p99_ms']:.2f} ms{miss(a['p99_ms'], 10)} (p50 {a['p50_ms']:.2f} ms)",
                        yes(a["p99_ms"] <= 10)))
        lst = find(res, "list: 100 models", backend)
        pg = find(res, "search: 100-result page, facets", backend)
        pn = find(res, "search: 100-result page, skipAggregates", backend)
        if lst and pg and lst["rps"] and pg["rps"] and (pn is None or pn["rps"]):
            per = lambda x: 1e6 / (x["rps"] * 100)  # noqa: E731 (µs of the run per result)
            also = f"; without facets {per(pn):.0f} µs" if pn else ""
            out.append((f"a 100-result search page costs no more per result than listMLModels(count: 100) "
                        f"per model, 8 connections ({backend})",
                        f"{per(pg):.0f} µs per result vs {per(lst):.0f} µs per model "
                        f"({pg['rps']:.1f} vs {lst['rps']:.1f} req/s){also}",
                        yes(per(pg) <= per(lst))))
        w = data.get("write_then_search", {}).get(backend)
        if w:
            rest = w["rest"]
            out.append((f"write-then-search: an ingestProposal's entity found by the next search in 100 % "
                        f"of tries ({backend})",
                        f"{rest['found']:,} of {rest['tries']:,} (GraphQL upsert: {w['graphql']['found']:,} "
                        f"of {w['graphql']['tries']:,}), {w['error_count']} errors",
                        yes(rest["tries"] > 0 and rest["found"] == rest["tries"]
                            and w["graphql"]["found"] == w["graphql"]["tries"] and not w["error_count"])))
        x = data.get("index", {}).get(backend)
        if x:
            out.append((f"ingestion with the index on ≥ 85 % of off ({backend})",
                        f"{x['median_on']:,.0f} vs {x['median_off']:,.0f} aspects/s = {100 * x['ratio']:.1f} %",
                        yes(x["ratio"] >= 0.85)))
    m = find(res, "peer: search groups by name")
    z = find(res, "peer: registered-models/search name LIKE", server_prefix="mlflow")
    if m and z and z["rps"]:
        out.append(("beside MLflow's search_registered_models with a name filter (100 models a page)",
                    f"{m['rps']:.1f} vs {z['rps']:.1f} req/s = {m['rps'] / z['rps']:.1f} ×; "
                    f"p50 {m['p50_ms']:.1f} vs {z['p50_ms']:.1f} ms", "(no target)"))
    return out


def targets_22(data: dict) -> list:
    """Issue 22's speed targets, from the live part."""
    out = []

    def yes(ok):
        return "yes" if ok else "**no**"

    for backend, x in data.get("live", {}).items():
        loaded = x.get("loaded_all", {})
        w, s = loaded.get("webhook"), loaded.get("subscription")
        if w and w["from_answer_p99_ms"] is not None:
            out.append((f"webhook delivery p99 ≤ 1 s from commit, under the ingestion load ({backend})",
                        f"p99 {w['from_answer_p99_ms']:.0f} ms from the answer, "
                        f"{w['from_send_p99_ms']:.0f} ms from the sending; {w['missing']} of "
                        f"{w['probes']} missing",
                        yes(w["from_answer_p99_ms"] <= 1000 and not w["missing"])))
        if s and s["from_answer_p99_ms"] is not None:
            out.append((f"subscription ≤ 200 ms from commit, under the ingestion load ({backend})",
                        f"p99 {s['from_answer_p99_ms']:.0f} ms from the answer, "
                        f"{s['from_send_p99_ms']:.0f} ms from the sending (p50 "
                        f"{s['from_answer_p50_ms']:.0f} ms); {s['missing']} of {s['probes']} missing",
                        yes(s["from_answer_p99_ms"] <= 200 and not s["missing"])))
        if x.get("ratio"):
            out.append((f"the feed's consumers cost ≤ 10 % of ingestion throughput ({backend})",
                        f"{x['median_with']:,.0f} vs {x['median_without']:,.0f} aspects/s = "
                        f"{100 * x['ratio']:.1f} % (the feed adds no statement to a write)",
                        yes(x["ratio"] >= 0.9)))
    return out


def targets_20(data: dict) -> list:
    """Issue 20: mlcat's MLflow API beside MLflow's server, the same client requests."""
    res = data["results"]
    out = []

    def yes(ok):
        return "yes" if ok else "**no**"

    for what, times in (("registry get model + latest versions", 20),
                        ("registry version by alias", 20),
                        ("registry search 100 by name LIKE", 10),
                        ("registry create version", 5)):
        a = find(res, f"mlflow-api: {what}")
        z = find(res, f"peer: {what}", server_prefix="mlflow")
        if a and z and z["rps"]:
            out.append((f"{what}: ≥ {times} × MLflow's throughput",
                        f"{a['rps']:.1f} vs {z['rps']:.1f} req/s = {a['rps'] / z['rps']:.1f} ×",
                        yes(a["rps"] >= times * z["rps"])))
        elif a:
            out.append((f"{what}: ≥ {times} × MLflow's throughput",
                        f"{a['rps']:.1f} req/s, p99 {a['p99_ms']:.2f} ms (MLflow not run)", "—"))
    big = (data.get("registry") or {}).get("big_versions")
    for what in ("get + latest versions", "version by alias"):
        b = find(res, f"mlflow-api: {big:,}-version model, {what}") if big else None
        if b:
            out.append((f"a registered model of {big:,} versions with aliases, {what}: p99 < 20 ms",
                        f"p99 {b['p99_ms']:.2f} ms (p50 {b['p50_ms']:.2f} ms)",
                        yes(b["p99_ms"] < 20) if big >= 5000 else "(smoke size)"))
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
    p.add_argument("--only", default="", help="comma-separated parts: sqlite,baseline,statements,"
                   "search,ingest,index,live,postgres,replicas,registry,peer (search, index and "
                   "live run on PostgreSQL too unless --no-postgres); columns: the column-level "
                   "traversals alone, which the sqlite part also runs")
    p.add_argument("--mlcat-off-bin", help="mlcat built with benches/index_off.patch "
                   "(benches/index_off.sh), for the index part: ingestion with the index on and off")
    p.add_argument("--index-rounds", type=int, default=4,
                   help="rounds of the index part (each runs on and off once, alternated)")
    p.add_argument("--pg-url", default=os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    p.add_argument("--pg-prefix", default="mlcat_bench",
                   help="the PostgreSQL databases' names start with it (two suites on one server)")
    p.add_argument("--command", default="benches/run.sh")
    args = p.parse_args()
    smoke = args.mode == "smoke"
    args.duration = args.duration or (1 if smoke else 10)
    args.runs = args.runs or (1 if smoke else 3)
    args.warmup = args.warmup if args.warmup is not None else (0 if smoke else 2)
    args.statements_seconds = 1 if smoke else 5
    parts = set(args.only.split(",")) if args.only else \
        {"sqlite", "baseline", "statements", "search", "ingest", "index", "live", "postgres",
         "registry", "peer", "replicas"}
    if args.no_postgres:
        parts.discard("postgres")
    if "index" in parts and not args.mlcat_off_bin:
        parts.discard("index")
        if "index" in args.only.split(","):
            FAILURES.append("the index part needs --mlcat-off-bin (benches/index_off.sh builds it)")
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
            "catalogs": {}, "statements": {}, "skipped": [], "search": {},
            "write_then_search": {}, "index": {}, "live": {}}
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
        if "columns" in parts and "sqlite" not in parts:
            # Issue 21's column-level traversals alone (the sqlite part runs them with the rest).
            server = mlcat_server(args, work, url, "sqlite-columns")
            try:
                r.measure(server, "floor: GET /health", "sqlite", 1, lines=["/health"],
                          method="GET", floor=True)
                column_scenarios(r, server, "sqlite", manifest)
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
        if "search" in parts:
            server = mlcat_server(args, work, url, "sqlite-search")
            try:
                data["search"]["sqlite"] = search_scenarios(args, r, server, "sqlite", manifest)
                data["write_then_search"]["sqlite"] = write_then_search(args, server.base, "sqlite")
            finally:
                server.stop()
        if "index" in parts:
            data["index"]["sqlite"] = index_on_off(args, work, "sqlite",
                                                   os.path.join(work, f"catalog-{args.mode}.db"),
                                                   manifest)
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
        if "live" in parts:
            data["live"]["sqlite"] = live_scenarios(args, work, "sqlite", url, manifest)
        pg_parts = {"postgres", "search", "index", "live", "replicas"} & parts \
            if not args.no_postgres else set()
        if pg_parts:
            pg = postgres_catalog(args, work, size)
            if pg is None:
                data["skipped"].append("PostgreSQL: not reachable")
            else:
                pg_url, pg_manifest = pg
                data["catalogs"]["postgres"] = pg_manifest
                if "postgres" in parts:
                    server = mlcat_server(args, work, pg_url, "postgres")
                    try:
                        read_scenarios(r, server, "postgres", pg_manifest, peer_queries=False)
                    finally:
                        server.stop()
                    data["statements"]["postgres"] = statements(args, pg_url, "postgres")
                    # Ingestion (issue 22).
                    with catalog_copy(args, "ingest") as copy_url:
                        server = mlcat_server(args, work, copy_url, "postgres-ingest")
                        try:
                            batch_ingest_scenarios(r, server, "postgres", pg_manifest)
                        finally:
                            server.stop()
                if "search" in parts:
                    server = mlcat_server(args, work, pg_url, "postgres-search")
                    try:
                        data["search"]["postgres"] = search_scenarios(args, r, server, "postgres",
                                                                      pg_manifest)
                    finally:
                        server.stop()
                    with catalog_copy(args, "wts") as copy_url:
                        server = mlcat_server(args, work, copy_url, "postgres-wts")
                        try:
                            data["write_then_search"]["postgres"] = write_then_search(
                                args, server.base, "postgres")
                        finally:
                            server.stop()
                if "replicas" in parts:
                    data["replicas"] = replica_scenarios(args, r, work, pg_url, pg_manifest)
                if "live" in parts:
                    with catalog_copy(args, "live") as copy_url:
                        data["live"]["postgres"] = live_scenarios(
                            args, work, "postgres", copy_url, pg_manifest)
                if "index" in parts:
                    data["index"]["postgres"] = index_on_off(args, work, "postgres",
                                                             f"{args.pg_prefix}_{args.mode}", pg_manifest)
        if "registry" in parts:
            try:
                data["registry"] = registry_scenarios(args, r, work, manifest)
            except (RuntimeError, subprocess.CalledProcessError, OSError) as e:
                FAILURES.append(f"registry: {e}")
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
