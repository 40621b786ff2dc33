"""emit_mcps: 1,000 aspects of five entity types in one call (the SDK sends them to
ingestProposalBatch in chunks of 200), then GraphQL sees all of them and the edges they declare,
and an aspect mlcat does not model (globalTags) reads back unchanged."""

import time

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter

from common import GMS, expect, gql, graph

FEATURES, TABLES, MODELS, GROUPS = 600, 6, 194, 100


def feature(i: int) -> str:
    return builder.make_ml_feature_urn(f"batch-table-{i // 100}", f"batch-f-{i:03d}")


def table(t: int) -> str:
    return builder.make_ml_feature_table_urn("feast", f"batch-table-{t}")


def model(m: int) -> str:
    return builder.make_ml_model_urn("science", f"batch-model-{m:03d}", "PROD")


def group(g: int) -> str:
    return builder.make_ml_model_group_urn("science", f"batch-group-{g:03d}", "PROD")


mcps = []
for i in range(FEATURES):
    mcps.append(MetadataChangeProposalWrapper(
        entityUrn=feature(i),
        aspect=models.MLFeaturePropertiesClass(
            description=f"batch feature {i}",
            dataType="CONTINUOUS",
            sources=[builder.make_dataset_urn("hive", f"batch_source_{i % 10}", "PROD")],
        ),
    ))
for t in range(TABLES):
    mcps.append(MetadataChangeProposalWrapper(
        entityUrn=table(t),
        aspect=models.MLFeatureTablePropertiesClass(mlFeatures=[feature(t * 100 + k) for k in range(100)]),
    ))
for m in range(MODELS):
    mcps.append(MetadataChangeProposalWrapper(
        entityUrn=model(m),
        aspect=models.MLModelPropertiesClass(
            mlFeatures=[feature((m * 3 + k) % FEATURES) for k in range(3)],
            groups=[group(m % GROUPS)],
            hyperParameters={"lr": 0.01 * (m + 1), "optimizer": "adam"},
        ),
    ))
for m in range(GROUPS):
    mcps.append(MetadataChangeProposalWrapper(
        entityUrn=model(m),
        aspect=models.GlobalTagsClass(tags=[models.TagAssociationClass(tag=builder.make_tag_urn("batch"))]),
    ))
for g in range(GROUPS):
    mcps.append(MetadataChangeProposalWrapper(
        entityUrn=group(g),
        aspect=models.MLModelGroupPropertiesClass(description=f"batch group {g}"),
    ))
assert len(mcps) == 1000, len(mcps)

emitter = DatahubRestEmitter(gms_server=GMS)
started = time.monotonic()
emitter.emit_mcps(mcps)
elapsed = time.monotonic() - started
print(f"emit_mcps: 1000 aspects in {elapsed:.2f} s ({1000 / elapsed:.0f} aspects/s, SDK and server)")

counts = gql("""{
  features: listMLFeatures(input: {query: "batch-f-", count: 1}) { total }
  tables: listMLFeatureTables(input: {query: "batch-table-", count: 1}) { total }
  models: listMLModels(input: {query: "batch-model-", count: 1}) { total }
  groups: listMLModelGroups(input: {query: "batch-group-", count: 1}) { total }
}""")
expect("every entity of the batch is listed", {k: v["total"] for k, v in counts.items()},
       {"features": FEATURES, "tables": TABLES, "models": MODELS, "groups": GROUPS})

answer = gql("""query($f: String!, $t: String!, $m: String!) {
  feature: mlFeature(urn: $f) { description dataType properties { sources { name } } featureTables { urn } models { urn } }
  table: mlFeatureTable(urn: $t) { properties { mlFeatures { name } } }
  model: mlModel(urn: $m) { properties { groups { name } } }
}""", {"f": feature(5), "t": table(5), "m": model(1)})
# Model m consumes features 3m, 3m+1 and 3m+2: feature 5 is consumed by model 1 only.
expect("a feature's properties and edges", answer["feature"], {
    "description": "batch feature 5",
    "dataType": "CONTINUOUS",
    "properties": {"sources": [{"name": "batch_source_5"}]},
    "featureTables": [{"urn": table(0)}],
    "models": [{"urn": model(1)}],
})
expect("a table lists its 100 features in order",
       [f["name"] for f in answer["table"]["properties"]["mlFeatures"]],
       [f"batch-f-{500 + k:03d}" for k in range(100)])
expect("a model's group", answer["model"]["properties"]["groups"], [{"name": "batch-group-001"}])

tags = graph().get_aspect(model(7), models.GlobalTagsClass)
expect("an aspect mlcat does not model reads back unchanged", [t.tag for t in tags.tags], ["urn:li:tag:batch"])
params = graph().get_aspect(model(7), models.MLModelPropertiesClass).hyperParameters
expect("tagged unions read back unchanged", params, {"lr": 0.08, "optimizer": "adam"})
