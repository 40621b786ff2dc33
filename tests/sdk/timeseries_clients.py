"""Timeseries aspects, stateful ingestion and the graph client's OpenAPI reads, against mlcat,
with the SDK unchanged: the emitter writes dataset profiles and operations; `get_timeseries_values`
and `get_latest_timeseries_value` read them back, newest first, filtered; `get_entities` (OpenAPI
v3 batchGet) and `get_related_entities` (OpenAPI relationships v1, both directions) answer what
was written; and the CLI runs a recipe with `pipeline_name` and stateful ingestion twice (the
`json-schema` source, which reads local files and removes stale entities): the second run finds
the first run's checkpoint and soft-deletes the dataset whose file is gone."""

import os
import subprocess
import sys
import tempfile

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.ingestion.graph.openapi import RelationshipDirection

from common import GMS, check, expect, graph

TABLE = builder.make_dataset_urn("hive", "timeseries_clients.orders", "PROD")
RAW = builder.make_dataset_urn("hive", "timeseries_clients.raw_orders", "PROD")
RAW2 = builder.make_dataset_urn("hive", "timeseries_clients.raw_refunds", "PROD")
TAG = builder.make_tag_urn("timeseries_clients_pii")

g = graph()
emitter = DatahubRestEmitter(gms_server=GMS)


def profile(ts: int, rows: int, partition: str = "FULL_TABLE_SNAPSHOT") -> models.DatasetProfileClass:
    return models.DatasetProfileClass(
        timestampMillis=ts,
        rowCount=rows,
        columnCount=3,
        partitionSpec=models.PartitionSpecClass(partition=partition),
        fieldProfiles=[models.DatasetFieldProfileClass(fieldPath="id", uniqueCount=rows)],
    )


# --- Timeseries aspects: one batch mixing them with versioned aspects.
emitter.emit_mcps([
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.DatasetPropertiesClass(name="orders")),
    *[MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=profile(ts, ts // 1000))
      for ts in (1_000_000, 3_000_000, 2_000_000)],
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.OperationClass(
        timestampMillis=2_500_000, lastUpdatedTimestamp=2_400_000,
        operationType=models.OperationTypeClass.INSERT, numAffectedRows=12)),
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.UpstreamLineageClass(upstreams=[
        models.UpstreamClass(dataset=RAW, type=models.DatasetLineageTypeClass.TRANSFORMED),
        models.UpstreamClass(dataset=RAW2, type=models.DatasetLineageTypeClass.TRANSFORMED),
    ])),
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.GlobalTagsClass(
        tags=[models.TagAssociationClass(tag=TAG)])),
])
# The same time and partition again replaces the event.
emitter.emit(MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=profile(3_000_000, 3001)))
print("ok   emitted profiles, an operation, lineage and a tag")

got = g.get_timeseries_values(TABLE, models.DatasetProfileClass, filter={}, limit=10)
expect("get_timeseries_values: newest first, an equal time replaced",
       [(p.timestampMillis, p.rowCount) for p in got],
       [(3_000_000, 3001), (2_000_000, 2000), (1_000_000, 1000)])
expect("get_timeseries_values: a profile reads back typed", got[1].fieldProfiles[0].uniqueCount, 2000)
got = g.get_timeseries_values(TABLE, models.DatasetProfileClass, filter={}, limit=2)
expect("get_timeseries_values: limit", [p.timestampMillis for p in got], [3_000_000, 2_000_000])
latest = g.get_latest_timeseries_value(TABLE, models.DatasetProfileClass,
                                       {"partitionSpec.partition": "FULL_TABLE_SNAPSHOT"})
expect("get_latest_timeseries_value", (latest.timestampMillis, latest.rowCount), (3_000_000, 3001))
expect("get_latest_timeseries_value, no match",
       g.get_latest_timeseries_value(TABLE, models.DatasetProfileClass,
                                     {"partitionSpec.partition": "2026-01-01"}), None)
op = g.get_latest_timeseries_value(TABLE, models.OperationClass, {})
expect("get_latest_timeseries_value of an operation",
       (op.operationType, op.numAffectedRows), ("INSERT", 12))

# --- OpenAPI v3 batchGet.
entities = g.get_entities("dataset", [TABLE, RAW], ["datasetProperties", "globalTags"])
expect("get_entities: the entities that have the aspects", sorted(entities), [TABLE])
props, _ = entities[TABLE]["datasetProperties"]
expect("get_entities: typed aspects", (props.name, entities[TABLE]["globalTags"][0].tags[0].tag),
       ("orders", TAG))
full = g.get_entities("dataset", [TABLE], with_system_metadata=True)[TABLE]
check("get_entities: every aspect, with system metadata",
      {"datasetProperties", "upstreamLineage", "globalTags", "datasetKey"} <= set(full)
      and full["datasetProperties"][1] is not None, sorted(full))

# --- OpenAPI relationships v1, both directions.
out = g.get_related_entities(TABLE, ["DownstreamOf"], RelationshipDirection.OUTGOING)
expect("get_related_entities OUTGOING", sorted((r.urn, r.relationship_type) for r in out),
       [(RAW, "DownstreamOf"), (RAW2, "DownstreamOf")])
inc = g.get_related_entities(RAW, ["DownstreamOf"], RelationshipDirection.INCOMING)
expect("get_related_entities INCOMING", [(r.urn, r.relationship_type) for r in inc],
       [(TABLE, "DownstreamOf")])
tagged = g.get_related_entities(TAG, ["TaggedWith"], RelationshipDirection.INCOMING)
expect("get_related_entities of a tag", [r.urn for r in tagged], [TABLE])

# --- Stateful ingestion with the CLI: two runs of one pipeline.
cli = os.path.join(os.path.dirname(sys.executable), "datahub")
env = dict(os.environ, DATAHUB_GMS_URL=GMS, DATAHUB_TELEMETRY_ENABLED="false")
work = tempfile.mkdtemp()
schemas = os.path.join(work, "schemas")
os.makedirs(schemas)
for name in ("tsc_orders", "tsc_customers"):
    with open(os.path.join(schemas, f"{name}.json"), "w") as f:
        f.write('{"$schema": "http://json-schema.org/draft-07/schema#", '
                f'"$id": "http://example.com/{name}.json", "title": "{name}", "type": "object", '
                '"properties": {"id": {"type": "integer"}}}')
recipe = os.path.join(work, "recipe.yml")
with open(recipe, "w") as f:
    f.write(f"""pipeline_name: mlcat_timeseries_clients
source:
  type: json-schema
  config:
    path: {schemas}
    platform: schemaregistry
    stateful_ingestion:
      enabled: true
      remove_stale_metadata: true
sink:
  type: datahub-rest
  config:
    server: {GMS}
""")

ORDERS = builder.make_dataset_urn("schemaregistry", "http://example.com/tsc_orders")
CUSTOMERS = builder.make_dataset_urn("schemaregistry", "http://example.com/tsc_customers")
JOB = ("urn:li:dataJob:(urn:li:dataFlow:(datahub,mlcat_timeseries_clients,prod),"
       "schemaregistry_stale_entity_removal)")


def ingest() -> str:
    done = subprocess.run([cli, "ingest", "-c", recipe], env=env, capture_output=True, text=True,
                          timeout=240)
    if done.returncode != 0:
        sys.exit(f"FAIL datahub ingest exited {done.returncode}:\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}")
    return done.stdout + done.stderr


ingest()
expect("first run: both datasets live",
       [g.get_aspect(u, models.StatusClass).removed for u in (ORDERS, CUSTOMERS)], [False, False])
first = g.get_latest_timeseries_value(JOB, models.DatahubIngestionCheckpointClass,
                                      {"pipelineName": "mlcat_timeseries_clients"})
check("first run: its checkpoint is served", first is not None and first.state.payload is not None)

os.remove(os.path.join(schemas, "tsc_customers.json"))
log = ingest()
check("second run: the first run's checkpoint was found",
      "Successfully constructed last checkpoint state" in log, log[-3000:])
check("second run: the stale dataset is soft-deleted by the run",
      "soft_deleted_stale_entities" in log and CUSTOMERS in log, log[-3000:])
expect("second run: status of the datasets",
       [g.get_aspect(u, models.StatusClass).removed for u in (ORDERS, CUSTOMERS)], [False, True])
second = g.get_latest_timeseries_value(JOB, models.DatahubIngestionCheckpointClass,
                                       {"pipelineName": "mlcat_timeseries_clients"})
check("second run: a newer checkpoint is the latest",
      second.timestampMillis > first.timestampMillis, (first.timestampMillis, second.timestampMillis))
expect("checkpoints are a series",
       len(g.get_timeseries_values(JOB, models.DatahubIngestionCheckpointClass, filter={}, limit=10)), 2)
