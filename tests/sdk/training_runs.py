"""Training runs and frozen feature tables through DataHub's SDK, unchanged: the SDK's
`DataProcessInstance` helpers (`emit_process_start` with inlets and outlets, `emit_process_end`)
write a training run that reads a dataset and writes a model, the v2 SDK's `MLModel` names the
run among its training jobs, and GraphQL answers the run, its state and its inputs and outputs;
the lineage client walks dataset -> run -> model. A feature table published through GraphQL
refuses the SDK's proposal that changes its features (409, at once, nothing written)."""

import time

import datahub.emitter.mce_builder as builder
import datahub.metadata.schema_classes as models
from datahub.api.entities.dataprocess.dataprocess_instance import (
    DataProcessInstance,
    InstanceRunResult,
)
from datahub.emitter.mcp import MetadataChangeProposalWrapper
from datahub.emitter.rest_emitter import DatahubRestEmitter
from datahub.metadata.urns import DatasetUrn, MlModelUrn
from datahub.sdk.main_client import DataHubClient
from datahub.sdk.mlmodel import MLModel

from common import GMS, check, expect, gql, graph

DATA = builder.make_dataset_urn("s3", "training_runs/churn_train.parquet", "PROD")
MODEL = builder.make_ml_model_urn("mlflow", "training-runs-churn", "PROD")
TABLE = "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,training_runs_customers)"
AGE = "urn:li:mlFeature:(training_runs_customers,age)"
SPEND = "urn:li:mlFeature:(training_runs_customers,spend)"

emitter = DatahubRestEmitter(gms_server=GMS)
emitter.emit(MetadataChangeProposalWrapper(
    entityUrn=DATA, aspect=models.DatasetPropertiesClass(name="churn_train")))

# --- The SDK's run helpers.
run = DataProcessInstance(
    id="training-runs-churn-42",
    orchestrator="mlflow",
    inlets=[DatasetUrn.from_string(DATA)],
    outlets=[MlModelUrn.from_string(MODEL)],
    subtype="ML Training Run",
    properties={"seed": "7"},
)
RUN = str(run.urn)
start = int(time.time() * 1000) - 60_000
run.emit_process_start(emitter, start_timestamp_millis=start, attempt=1)
emitter.emit(MetadataChangeProposalWrapper(
    entityUrn=RUN,
    aspect=models.MLTrainingRunPropertiesClass(
        id="mlflow-run-42",
        outputUrls=["s3://models/churn/42"],
        hyperParams=[models.MLHyperParamClass(name="depth", value="6")],
        trainingMetrics=[models.MLMetricClass(name="auc", value="0.91")],
    ),
))
run.emit_process_end(emitter, end_timestamp_millis=start + 60_000,
                     result=InstanceRunResult.SUCCESS, start_timestamp_millis=start)
print(f"ok   emitted the run {RUN}")

# --- The v2 SDK's model names the run among its training jobs.
client = DataHubClient(graph=graph())
client.entities.upsert(MLModel(id="training-runs-churn", platform="mlflow",
                               name="churn", training_jobs=[RUN]))

answer = gql("""query($urn: String!) {
  dataProcessInstance(urn: $urn) {
    properties { name customProperties { key value } }
    mlTrainingRunProperties { id outputUrls hyperParams { name value } trainingMetrics { name value } }
    state { status result { resultType } durationMillis }
    subTypes { typeNames }
    inputs { urn }
    outputs { urn }
  }
}""", {"urn": RUN})["dataProcessInstance"]
expect("run properties", answer["properties"],
       {"name": "training-runs-churn-42", "customProperties": [{"key": "seed", "value": "7"}]})
expect("training-run properties", answer["mlTrainingRunProperties"], {
    "id": "mlflow-run-42", "outputUrls": ["s3://models/churn/42"],
    "hyperParams": [{"name": "depth", "value": "6"}],
    "trainingMetrics": [{"name": "auc", "value": "0.91"}]})
expect("run state, newest first", answer["state"], [
    {"status": "COMPLETE", "result": {"resultType": "SUCCESS"}, "durationMillis": 60000},
    {"status": "STARTED", "result": None, "durationMillis": None}])
expect("run sub-type", answer["subTypes"], {"typeNames": ["ML Training Run"]})
expect("run inputs", answer["inputs"], [{"urn": DATA}])
expect("run outputs", answer["outputs"], [{"urn": MODEL}])
model = gql("""query($urn: String!) { mlModel(urn: $urn) {
  trainedBy { urn } properties { mlModelLineageInfo { trainingJobs } } } }""",
            {"urn": MODEL})["mlModel"]
expect("model trainedBy", model["trainedBy"], [{"urn": RUN}])
expect("model lineage info", model["properties"]["mlModelLineageInfo"], {"trainingJobs": [RUN]})

# --- The lineage client walks through the run.
down = client.lineage.get_lineage(source_urn=DATA, direction="downstream", max_hops=3)
hops = {r.urn: r.hops for r in down}
expect("get_lineage dataset -> run -> model", hops, {RUN: 1, MODEL: 2})
up = client.lineage.get_lineage(source_urn=MODEL, direction="upstream", max_hops=3)
expect("get_lineage model upstream", {r.urn: r.hops for r in up}, {RUN: 1, DATA: 2})

# --- A published feature table refuses the SDK's proposal that changes its features.
emitter.emit(MetadataChangeProposalWrapper(
    entityUrn=TABLE, aspect=models.MLFeatureTablePropertiesClass(mlFeatures=[AGE])))
gql("""mutation($urn: String!) { publishFeatureTable(urn: $urn, version: "v1") { urn } }""",
    {"urn": TABLE})
before = graph().get_aspect(TABLE, models.MLFeatureTablePropertiesClass)
started = time.monotonic()
try:
    emitter.emit(MetadataChangeProposalWrapper(
        entityUrn=TABLE, aspect=models.MLFeatureTablePropertiesClass(mlFeatures=[AGE, SPEND])))
    refused = None
except Exception as e:  # the emitter raises on a 4xx
    refused = str(e)
check("the SDK's edit of a published table is refused", refused is not None)
check("the refusal says how to override", "force" in refused and "v1" in refused, refused)
check("refused at once (no retries)", time.monotonic() - started < 5)
expect("nothing was written", graph().get_aspect(TABLE, models.MLFeatureTablePropertiesClass),
       before)
emitter.emit(MetadataChangeProposalWrapper(
    entityUrn=TABLE,
    aspect=models.MLFeatureTablePropertiesClass(mlFeatures=[AGE], description="same features")))
print("ok   a proposal that keeps the features is accepted")
