"""OpenLineage's Python client (`openlineage-python`, pinned in run.sh) against mlcat, unchanged:
its `OpenLineageClient` with the HTTP transport emits a training pipeline (extract -> features
-> train -> deploy), each step a START and a COMPLETE RunEvent with schema and column-lineage
facets, on Marquez's path (the client's default) and on DataHub's; then mlcat's GraphQL answers
the lineage of the deployment's output back to the source table, column lineage included, and
Marquez's read API answers the same pipeline as namespaces, jobs, runs and a lineage graph. A
spec-invalid event gets a 400 the client raises at once (no retries)."""

import json
import sys
import urllib.parse
import urllib.request
import uuid
from datetime import datetime, timedelta, timezone

import requests
from openlineage.client import OpenLineageClient
from openlineage.client.event_v2 import InputDataset, Job, OutputDataset, Run, RunEvent, RunState
from openlineage.client.facet_v2 import (
    column_lineage_dataset,
    documentation_job,
    parent_run,
    schema_dataset,
    sql_job,
)
from openlineage.client.transport.http import HttpConfig, HttpTransport

from common import GMS, check, expect, gql

NS = "churn-pipeline"
PG = "postgres://warehouse.internal:5432"
LAKE = "s3://ml-lake"
KAFKA = "kafka://broker:9092"


def client(endpoint: str) -> OpenLineageClient:
    return OpenLineageClient(transport=HttpTransport(HttpConfig(url=GMS, endpoint=endpoint, timeout=30)))


marquez = client("api/v1/lineage")
datahub = client("openapi/openlineage/api/v1/lineage")


def schema(*fields):
    return schema_dataset.SchemaDatasetFacet(
        fields=[schema_dataset.SchemaDatasetFacetFields(name=n, type=t) for n, t in fields]
    )


def lineage(mapping):
    """{output field: [(namespace, name, input field)]} as a columnLineage facet."""
    return column_lineage_dataset.ColumnLineageDatasetFacet(
        fields={
            out: column_lineage_dataset.Fields(
                inputFields=[
                    column_lineage_dataset.InputField(namespace=ns, name=name, field=f)
                    for ns, name, f in sources
                ]
            )
            for out, sources in mapping.items()
        }
    )


CUSTOMERS = InputDataset(PG, "shop.public.customers", facets={
    "schema": schema(("id", "int"), ("age", "int"), ("spend", "double"), ("churned", "boolean")),
})
RAW = (LAKE, "raw/customers")
RAW_SCHEMA = schema(("id", "int"), ("age", "int"), ("spend", "double"), ("churned", "boolean"))
FEATURES = (LAKE, "features/customers")
FEATURES_SCHEMA = schema(("customer_id", "int"), ("age_bucket", "string"), ("spend_30d", "double"), ("label", "boolean"))
MODEL = (LAKE, "models/churn")
PREDICTIONS = (KAFKA, "churn.predictions")

steps = [
    ("extract", "SELECT * FROM customers", [CUSTOMERS],
     [OutputDataset(*RAW, facets={"schema": RAW_SCHEMA, "columnLineage": lineage({
         f: [(PG, "shop.public.customers", f)] for f in ("id", "age", "spend", "churned")})})]),
    ("features", None, [InputDataset(*RAW)],
     [OutputDataset(*FEATURES, facets={"schema": FEATURES_SCHEMA, "columnLineage": lineage({
         "customer_id": [(*RAW, "id")], "age_bucket": [(*RAW, "age")],
         "spend_30d": [(*RAW, "spend")], "label": [(*RAW, "churned")]})})]),
    ("train", None, [InputDataset(*FEATURES)],
     [OutputDataset(*MODEL, facets={"schema": schema(("weights", "binary"))})]),
    ("deploy", None, [InputDataset(*MODEL)],
     [OutputDataset(*PREDICTIONS, facets={"schema": schema(("customer_id", "int"), ("score", "double")),
                                          "columnLineage": lineage({"customer_id": [(*FEATURES, "customer_id")]})})]),
]

pipeline_run = str(uuid.uuid4())
t0 = datetime.now(timezone.utc) - timedelta(hours=1)
runs = {}
for i, (name, sql, inputs, outputs) in enumerate(steps):
    run_id = str(uuid.uuid4())
    runs[name] = run_id
    job_facets = {"documentation": documentation_job.DocumentationJobFacet(description=f"The {name} step")}
    if sql:
        job_facets["sql"] = sql_job.SQLJobFacet(query=sql)
    run_facets = {"parent": parent_run.ParentRunFacet(
        run=parent_run.Run(runId=pipeline_run), job=parent_run.Job(namespace=NS, name="pipeline"))}
    job = Job(namespace=NS, name=name, facets=job_facets)
    # The last step goes through DataHub's path, the others through Marquez's.
    emitter = datahub if name == "deploy" else marquez
    for state, minutes in ((RunState.START, 0), (RunState.COMPLETE, 5)):
        emitter.emit(RunEvent(
            eventType=state,
            eventTime=(t0 + timedelta(minutes=10 * i + minutes)).isoformat(),
            run=Run(runId=run_id, facets=run_facets),
            job=job,
            inputs=inputs,
            outputs=outputs,
        ))
print(f"ok   emitted {2 * len(steps)} events of the pipeline run {pipeline_run}")

# --- A spec-invalid event: 400 at once, and the client's HTTP transport raises it.
bad = RunEvent(eventType=RunState.START, eventTime=datetime.now(timezone.utc).isoformat(),
               run=Run(runId=str(uuid.uuid4())), job=Job(namespace=NS, name="broken"),
               outputs=[OutputDataset(*FEATURES, facets={"columnLineage": lineage({"no_such_column": [(*RAW, "id")]})})])
try:
    marquez.emit(bad)
    sys.exit("FAIL a column-lineage facet naming a field the schema lacks was accepted")
except requests.HTTPError as e:
    expect("the refusal's status", e.response.status_code, 400)
    message = e.response.json()["message"]
    check("the refusal names the field's JSON path",
          message.startswith("outputs[0].facets.columnLineage.fields.no_such_column: "), message)
print("ok   a spec-invalid event is refused with 400 and its JSON path")


def dataset_urn(platform, name):
    return f"urn:li:dataset:(urn:li:dataPlatform:{platform},{name},PROD)"


SOURCE = dataset_urn("postgres", "shop.public.customers")
OUT = dataset_urn("kafka", "churn.predictions")
FEATURES_URN = dataset_urn("s3", "ml-lake/features/customers")

# --- mlcat's GraphQL: the predictions' upstream lineage reaches the source table.
answer = gql("""query($urn: String!) {
  lineageGraph(input: {urn: $urn, direction: UPSTREAM, depth: 8}) { nodes { urn type } truncated }
}""", {"urn": OUT})
reached = {n["urn"] for n in answer["lineageGraph"]["nodes"]}
for want in (SOURCE, FEATURES_URN, f"urn:li:dataJob:(urn:li:dataFlow:(python,deploy,{NS}),deploy)",
             f"urn:li:dataJob:(urn:li:dataFlow:(python,extract,{NS}),extract)"):
    check(f"the predictions' upstream lineage reaches {want}", want in reached, sorted(reached))
print(f"ok   GraphQL: the predictions' lineage reaches the source table ({len(reached)} nodes)")

# Column lineage: the prediction's customer_id comes, column by column, from customers.id.
field = lambda d, f: f"urn:li:schemaField:({d},{f})"
answer = gql("""query($urn: String!) {
  lineageGraph(input: {urn: $urn, direction: UPSTREAM, depth: 5}) { nodes { urn } }
}""", {"urn": field(OUT, "customer_id")})
columns = {n["urn"] for n in answer["lineageGraph"]["nodes"]}
check("customer_id of the predictions comes from customers.id",
      field(SOURCE, "id") in columns, sorted(columns))
check("and not from customers.churned", field(SOURCE, "churned") not in columns, sorted(columns))

# The run, in DataHub's shape: complete, with its parent run and its facets kept.
answer = gql("""query($urn: String!) { dataProcessInstance(urn: $urn) {
  state { status result { resultType } } parentInstance { urn } inputs { urn }
  aspects(input: {aspectNames: ["openLineageRun"]}) { payload } } }""",
             {"urn": f"urn:li:dataProcessInstance:{runs['features']}"})
run = answer["dataProcessInstance"]
expect("the features run's last state", run["state"][0], {"status": "COMPLETE", "result": {"resultType": "SUCCESS"}})
expect("the features run's parent", run["parentInstance"], {"urn": f"urn:li:dataProcessInstance:{pipeline_run}"})
stored = json.loads(run["aspects"][0]["payload"])
parent = stored["facets"]["parent"]["job"]
expect("the stored parent facet's job", (parent["namespace"], parent["name"]), (NS, "pipeline"))
print("ok   GraphQL: column lineage and the runs")


# --- Marquez's read API.
def get(path):
    with urllib.request.urlopen(GMS + path, timeout=30) as r:
        return json.loads(r.read())


q = urllib.parse.quote
names = [n["name"] for n in get("/api/v1/namespaces")["namespaces"]]
for ns in (NS, PG, LAKE, KAFKA):
    check(f"namespace {ns} is listed", ns in names, names)
jobs = get(f"/api/v1/namespaces/{q(NS, safe='')}/jobs")
expect("the pipeline's jobs", sorted(j["name"] for j in jobs["jobs"]), ["deploy", "extract", "features", "train"])
train = get(f"/api/v1/namespaces/{q(NS, safe='')}/jobs/train")
expect("train's inputs", train["inputs"], [{"namespace": LAKE, "name": "features/customers"}])
expect("train's latest run", (train["latestRun"]["id"], train["latestRun"]["state"]), (runs["train"], "COMPLETED"))
run = get(f"/api/v1/jobs/runs/{runs['deploy']}")
expect("the deploy run's duration", run["durationMs"], 300_000)
ds = get(f"/api/v1/namespaces/{q(LAKE, safe='')}/datasets/{q('features/customers', safe='')}")
expect("the features' fields", [f["name"] for f in ds["fields"]], ["customer_id", "age_bucket", "spend_30d", "label"])
graph = get("/api/v1/lineage?" + urllib.parse.urlencode({"nodeId": f"dataset:{PG}:shop.public.customers", "depth": 10}))
ids = {n["id"] for n in graph["graph"]}
for want in (f"job:{NS}:extract", f"job:{NS}:deploy", f"dataset:{LAKE}:models/churn", f"dataset:{KAFKA}:churn.predictions"):
    check(f"Marquez's lineage graph from the source holds {want}", want in ids, sorted(ids))
print(f"ok   Marquez API: namespaces, jobs, runs, datasets and a {len(ids)}-node lineage graph")
