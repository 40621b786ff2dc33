"""DataHub's lineage clients against mlcat, unchanged: the SDK writes a small lineage (a dataset,
a feature derived from it, a model consuming the feature, the model's deployment) with
DatahubRestEmitter; then `DataHubClient(...).lineage.get_lineage(...)` (which pages through
`scrollAcrossLineage` with DataHub's `degree` filter) and the CLI's `datahub lineage --urn ...`
(table and JSON) answer the entities and hops a user expects, upstream and downstream."""

import json
import os
import subprocess
import sys

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.sdk.main_client import DataHubClient

from common import GMS, check, expect, graph

RAW = builder.make_dataset_urn("hive", "lineage_clients.raw_clicks", "PROD")
FEATURE = builder.make_ml_feature_urn("lineage_clients_table", "clicks_7d")
MODEL = builder.make_ml_model_urn("mlflow", "lineage-clients-ctr", "PROD")
DEPLOYMENT = builder.make_ml_model_deployment_urn("sagemaker", "lineage-clients-ctr-endpoint", "PROD")

emitter = DatahubRestEmitter(gms_server=GMS)
emitter.emit_mcps([
    MetadataChangeProposalWrapper(entityUrn=RAW, aspect=models.DatasetPropertiesClass(
        name="raw_clicks", description="Clicks as logged")),
    MetadataChangeProposalWrapper(entityUrn=FEATURE, aspect=models.MLFeaturePropertiesClass(
        description="Clicks over seven days", dataType="COUNT", sources=[RAW])),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.MLModelPropertiesClass(
        name="ctr", description="Click-through rate", mlFeatures=[FEATURE], deployments=[DEPLOYMENT])),
    MetadataChangeProposalWrapper(entityUrn=DEPLOYMENT, aspect=models.MLModelDeploymentPropertiesClass(
        description="Serves the CTR model")),
])
print(f"ok   emitted {RAW} -> {FEATURE} -> {MODEL} -> {DEPLOYMENT}")

client = DataHubClient(graph=graph())


def hops(results) -> dict:
    return {r.urn: r.hops for r in results}


# --- The SDK's lineage client.
down = client.lineage.get_lineage(source_urn=RAW, direction="downstream", max_hops=3)
expect("get_lineage downstream, 3 hops", hops(down), {FEATURE: 1, MODEL: 2, DEPLOYMENT: 3})
expect("get_lineage types", sorted(r.type for r in down),
       ["MLFEATURE", "MLMODEL", "MLMODEL_DEPLOYMENT"])
check("get_lineage answers direction", all(r.direction == "downstream" for r in down))
expect("get_lineage downstream, 1 hop",
       hops(client.lineage.get_lineage(source_urn=RAW, direction="downstream", max_hops=1)),
       {FEATURE: 1})
expect("get_lineage upstream, 2 hops",
       hops(client.lineage.get_lineage(source_urn=DEPLOYMENT, direction="upstream", max_hops=2)),
       {MODEL: 1, FEATURE: 2})
expect("get_lineage upstream, default (1 hop)",
       hops(client.lineage.get_lineage(source_urn=MODEL)), {FEATURE: 1})
# A page of one: the client follows nextScrollId to the end.
expect("get_lineage pages through scrollAcrossLineage",
       hops(client.lineage.get_lineage(source_urn=RAW, direction="downstream", max_hops=3, count=1)),
       {FEATURE: 1, MODEL: 2, DEPLOYMENT: 3})

# --- The CLI, as a person runs it.
cli = os.path.join(os.path.dirname(sys.executable), "datahub")
env = dict(os.environ, DATAHUB_GMS_URL=GMS)


def run(*args: str) -> str:
    done = subprocess.run([cli, *args], env=env, capture_output=True, text=True, timeout=120)
    if done.returncode != 0:
        sys.exit(f"FAIL datahub {' '.join(args)} exited {done.returncode}:\n{done.stdout}\n{done.stderr}")
    return done.stdout


answer = json.loads(run("lineage", "--urn", RAW, "--direction", "downstream", "--hops", "3",
                        "--format", "json"))
expect("datahub lineage --format json results",
       {r["urn"]: r["hops"] for r in answer["results"]}, {FEATURE: 1, MODEL: 2, DEPLOYMENT: 3})
expect("datahub lineage --format json metadata",
       {k: answer["metadata"][k] for k in ("direction", "max_hops_found", "count")},
       {"direction": "downstream", "max_hops_found": 3, "count": 3})
table = run("lineage", "--urn", DEPLOYMENT, "--direction", "upstream")
check("datahub lineage table summary", "Upstream lineage: 3 entities, up to 3 hops" in table, table)
rows = [line.split() for line in table.splitlines() if line.rstrip().endswith((RAW, FEATURE, MODEL))]
expect("datahub lineage table rows (hop, urn)",
       sorted((r[0], r[-1]) for r in rows), sorted([("1", MODEL), ("2", FEATURE), ("3", RAW)]))
