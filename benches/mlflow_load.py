"""Loads an MLflow tracking server with the registered models and versions of an mlcat catalog.

mlcat's generated catalog has G model groups of V models each (`group_00000` holds
`group_00000_v1` .. `_v5`); MLflow gets G registered models of the same names with V versions
each, through its REST API, with a description and tags comparable to mlcat's properties, and
the alias `champion` on each model's first version. The same script loads mlcat's MLflow API
(issue 20's registry scenarios); with BIG, one more model, `big_model`, gets BIG versions with
the aliases `champion` (the last) and `challenger` (the one before). Standard library only.

    python3 benches/mlflow_load.py http://127.0.0.1:5000 GROUPS VERSIONS_PER_GROUP [BIG]
"""

import concurrent.futures
import json
import sys
import time
import urllib.request

API = "/api/2.0/mlflow"


def post(base: str, path: str, body: dict) -> dict:
    request = urllib.request.Request(
        base + API + path,
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    for attempt in range(5):
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as e:
            answer = e.read()
            if b"RESOURCE_ALREADY_EXISTS" in answer:
                return {}
            if e.code < 500 or attempt == 4:
                raise SystemExit(f"{path}: HTTP {e.code}: {answer[:300]!r}")
        except OSError:
            if attempt == 4:
                raise
        time.sleep(0.5 * (attempt + 1))
    return {}


def load_group(base: str, g: int, versions: int) -> int:
    name = f"group_{g:05d}"
    post(base, "/registered-models/create", {
        "name": name,
        "description": f"Registered model {g}: every version of one model",
        "tags": [{"key": "team", "value": f"team_{g % 17}"}],
    })
    for v in range(1, versions + 1):
        post(base, "/model-versions/create", {
            "name": name,
            "source": f"s3://bench-models/{name}/{v}",
            "description": f"Version {v} of registered model {g}",
            "tags": [{"key": "framework", "value": "xgboost"}],
        })
    if versions:
        post(base, "/registered-models/alias", {"name": name, "alias": "champion", "version": "1"})
    return versions


def load_big(base: str, versions: int) -> None:
    """One registered model with many versions, made one after the other (mlcat's link of a
    version reads the set's versions, so creators of one model at once retry each other out:
    at a thousand versions, 4 at once on the debug build ran into the 30 s time limit), and two
    aliases."""
    name = "big_model"
    post(base, "/registered-models/create", {"name": name, "description": "many versions"})
    for v in range(versions):
        post(base, "/model-versions/create", {"name": name, "source": f"s3://bench-models/{name}/{v}"})
    post(base, "/registered-models/alias", {"name": name, "alias": "champion", "version": str(versions)})
    post(base, "/registered-models/alias", {"name": name, "alias": "challenger",
                                            "version": str(max(versions - 1, 1))})


def main() -> None:
    base, groups, versions = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    started = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        made = sum(pool.map(lambda g: load_group(base, g, versions), range(groups)))
    print(f"MLflow registry loaded: {groups} registered models, {made} versions in "
          f"{time.monotonic() - started:.1f} s")
    if len(sys.argv) > 4 and int(sys.argv[4]) > 0:
        started = time.monotonic()
        load_big(base, int(sys.argv[4]))
        print(f"big_model: {sys.argv[4]} versions in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
