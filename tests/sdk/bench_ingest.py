"""Ingest rate of POST /aspects?action=ingestProposalBatch, in aspects per second.

Sends N proposals (default 10,000) in batches of 200 (the SDK's chunk size), shaped as the SDK
shapes them: mlFeatureProperties with a source dataset, and every tenth a feature table listing
its ten features, so edges are derived as in real ingestion. Only the server's time is
measured: the bodies are built before the clock starts, and one keep-alive connection sends
them in turn. Standard library only.

    python3 tests/sdk/bench_ingest.py http://127.0.0.1:8080 [N]
"""

import http.client
import json
import sys
import time
from urllib.parse import urlsplit

BATCH = 200


def proposal(entity_type: str, urn: str, aspect: str, value: dict) -> dict:
    return {
        "entityType": entity_type,
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": aspect,
        "aspect": {"value": json.dumps(value), "contentType": "application/json"},
        "systemMetadata": {"lastObserved": 0, "runId": "bench", "properties": {"clientId": "bench"}},
    }


def proposals(n: int, run: str):
    out = []
    i = 0
    while len(out) < n:
        table = i // 10
        feature = f"urn:li:mlFeature:(bench-{run}-{table},f{i})"
        out.append(proposal("mlFeature", feature, "mlFeatureProperties", {
            "customProperties": {"i": str(i)},
            "description": f"feature {i}",
            "dataType": "CONTINUOUS",
            "sources": [f"urn:li:dataset:(urn:li:dataPlatform:hive,bench_{run}_{table % 50},PROD)"],
        }))
        if i % 10 == 9 and len(out) < n:
            out.append(proposal(
                "mlFeatureTable",
                f"urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,bench-{run}-{table})",
                "mlFeatureTableProperties",
                {"customProperties": {}, "mlFeatures": [
                    f"urn:li:mlFeature:(bench-{run}-{table},f{j})" for j in range(i - 9, i + 1)
                ]},
            ))
        i += 1
    return out


def main() -> None:
    base = urlsplit(sys.argv[1])
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    run = str(int(time.time()))
    ps = proposals(n, run)
    bodies = [
        json.dumps({"proposals": ps[k:k + BATCH], "async": "false"}).encode()
        for k in range(0, len(ps), BATCH)
    ]
    conn = http.client.HTTPConnection(base.hostname, base.port, timeout=300)
    headers = {"Content-Type": "application/json"}
    started = time.monotonic()
    for body in bodies:
        conn.request("POST", "/aspects?action=ingestProposalBatch", body, headers)
        response = conn.getresponse()
        answer = response.read()
        if response.status != 200:
            sys.exit(f"HTTP {response.status}: {answer[:500]!r}")
    elapsed = time.monotonic() - started
    print(f"{len(ps)} aspects in {len(bodies)} batches of {BATCH}: {elapsed:.2f} s, "
          f"{len(ps) / elapsed:.0f} aspects/s")


if __name__ == "__main__":
    main()
