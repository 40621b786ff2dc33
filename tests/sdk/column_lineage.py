"""Columns to features with DataHub's SDK, unchanged: the SDK emits two tables' schemas
(`SchemaMetadataClass`), column lineage between them (`UpstreamLineageClass` with
`FineGrainedLineageClass`), a feature whose `MLFeaturePropertiesClass(sources=...)` names a
column (`make_schema_field_urn`), a model consuming it, and a label column tagged through
`EditableSchemaMetadataClass`. mlcat stores the feature's column sources as sent (the SDK reads
them back), and GraphQL answers which columns reach the model and that the label reaches no
feature of it, with the paths."""

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter

from common import GMS, check, expect, gql, graph

RAW = builder.make_dataset_urn("s3", "column_sdk/events.json", "PROD")
TABLE = builder.make_dataset_urn("hive", "column_sdk.events", "PROD")
FEATURE = builder.make_ml_feature_urn("column_sdk_features", "clicks_7d")
MODEL = builder.make_ml_model_urn("mlflow", "column-sdk-ctr", "PROD")
LABEL_TAG = builder.make_tag_urn("Label")


def col(dataset: str, path: str) -> str:
    return builder.make_schema_field_urn(dataset, path)


def schema(dataset: str, platform: str, fields) -> models.SchemaMetadataClass:
    return models.SchemaMetadataClass(
        schemaName=dataset,
        platform=builder.make_data_platform_urn(platform),
        version=0,
        hash="",
        platformSchema=models.OtherSchemaClass(rawSchema=""),
        fields=[
            models.SchemaFieldClass(
                fieldPath=path,
                type=models.SchemaFieldDataTypeClass(type=kind()),
                nativeDataType=native,
                description=f"the {path} column",
            )
            for path, kind, native in fields
        ],
    )


FIELDS = [
    ("click", models.NumberTypeClass, "bigint"),
    ("ts", models.TimeTypeClass, "timestamp"),
    ("converted", models.BooleanTypeClass, "boolean"),
]

emitter = DatahubRestEmitter(gms_server=GMS)
emitter.emit_mcps([
    MetadataChangeProposalWrapper(entityUrn=RAW, aspect=schema(RAW, "s3", FIELDS)),
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=schema(TABLE, "hive", FIELDS)),
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.UpstreamLineageClass(
        upstreams=[models.UpstreamClass(dataset=RAW, type=models.DatasetLineageTypeClass.TRANSFORMED)],
        fineGrainedLineages=[
            models.FineGrainedLineageClass(
                upstreamType=models.FineGrainedLineageUpstreamTypeClass.FIELD_SET,
                upstreams=[col(RAW, path)],
                downstreamType=models.FineGrainedLineageDownstreamTypeClass.FIELD,
                downstreams=[col(TABLE, path)],
                transformOperation="COPY",
            )
            for path, _, _ in FIELDS
        ],
    )),
    MetadataChangeProposalWrapper(entityUrn=TABLE, aspect=models.EditableSchemaMetadataClass(
        editableSchemaFieldInfo=[models.EditableSchemaFieldInfoClass(
            fieldPath="converted",
            globalTags=models.GlobalTagsClass(tags=[models.TagAssociationClass(tag=LABEL_TAG)]),
        )],
    )),
    MetadataChangeProposalWrapper(entityUrn=FEATURE, aspect=models.MLFeaturePropertiesClass(
        description="Clicks over seven days", dataType="COUNT",
        sources=[TABLE, col(TABLE, "click"), col(TABLE, "ts")])),
    MetadataChangeProposalWrapper(entityUrn=MODEL, aspect=models.MLModelPropertiesClass(
        name="ctr", mlFeatures=[FEATURE])),
])
print(f"ok   emitted {RAW} -> {TABLE} columns -> {FEATURE} -> {MODEL}")

# The SDK reads the feature's sources back as it sent them.
props = graph().get_aspect(FEATURE, models.MLFeaturePropertiesClass)
expect("feature sources read back", props.sources, [TABLE, col(TABLE, "click"), col(TABLE, "ts")])
lineage = graph().get_aspect(TABLE, models.UpstreamLineageClass)
expect("column lineage read back", len(lineage.fineGrainedLineages), 3)

data = gql("""query($urn: String!, $feature: String!) {
  mlModel(urn: $urn) { upstreamColumns { total truncated columns { datasetUrn fieldPath degree feature { urn } } } }
  mlFeature(urn: $feature) { properties { sources { urn } sourceColumns { fieldPath } } }
}""", {"urn": MODEL, "feature": FEATURE})
cols = data["mlModel"]["upstreamColumns"]
expect("columns upstream of the model",
       sorted((c["datasetUrn"], c["fieldPath"], c["degree"]) for c in cols["columns"]),
       sorted([(TABLE, "click", 2), (TABLE, "ts", 2), (RAW, "click", 3), (RAW, "ts", 3)]))
check("each through the feature", all(c["feature"]["urn"] == FEATURE for c in cols["columns"]))
check("the walk was not cut", cols["truncated"] is False)
expect("sources: the dataset; sourceColumns: the columns",
       data["mlFeature"]["properties"],
       {"sources": [{"urn": TABLE}], "sourceColumns": [{"fieldPath": "click"}, {"fieldPath": "ts"}]})

reach = """query($column: String!, $model: String!) {
  columnReach(column: $column, model: $model) { reaches truncated feature { urn } path { source target relation } }
}"""
label = gql(reach, {"column": col(TABLE, "converted"), "model": MODEL})["columnReach"]
expect("the label column reaches no feature", label,
       {"reaches": False, "truncated": False, "feature": None, "path": []})
raw = gql(reach, {"column": col(RAW, "ts"), "model": MODEL})["columnReach"]
expect("a raw column reaches the model, with its path", raw["path"], [
    {"source": col(RAW, "ts"), "target": col(TABLE, "ts"), "relation": "DownstreamOf"},
    {"source": col(TABLE, "ts"), "target": FEATURE, "relation": "DerivedFrom"},
    {"source": FEATURE, "target": MODEL, "relation": "Consumes"},
])
tags = gql("""query($urn: String!) { entity(urn: $urn) { ... on SchemaFieldEntity {
  parent { urn } tags { tags { tag { urn } } } schemaField { type nativeDataType } } } }""",
           {"urn": col(TABLE, "converted")})["entity"]
expect("the label column as an entity", tags, {
    "parent": {"urn": TABLE}, "tags": {"tags": [{"tag": {"urn": LABEL_TAG}}]},
    "schemaField": {"type": "BOOLEAN", "nativeDataType": "boolean"}})
