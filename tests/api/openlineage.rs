//! OpenLineage intake on both paths (Marquez's `/api/v1/lineage`, DataHub's
//! `/openapi/openlineage/api/v1/lineage`): each event kind and each mapped facet, what a bad
//! event is told (400, the JSON path, nothing written), RUNNING after START, events out of
//! order; and Marquez's read API over what was written, with the ML nodes in it.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::datahub::{encode, ingest, proposal};
use crate::support::TestApp;

const MARQUEZ: &str = "/api/v1/lineage";
const DATAHUB: &str = "/openapi/openlineage/api/v1/lineage";
const PRODUCER: &str = "https://github.com/OpenLineage/OpenLineage/tree/1.54.0/client/python";
const RUN: &str = "0176a8c2-fe01-7439-87e6-56a1a1b4029f";
const RAW: &str = "urn:li:dataset:(urn:li:dataPlatform:postgres,shop.public.customers,PROD)";
const FEATURES: &str = "urn:li:dataset:(urn:li:dataPlatform:s3,lake/features/customers,PROD)";
/// DataHub's converter: the flow is the job name's first part, with the job namespace as its
/// cluster.
const JOB: &str =
    "urn:li:dataJob:(urn:li:dataFlow:(python,build_features,training),build_features)";
const FLOW: &str = "urn:li:dataFlow:(python,build_features,training)";

fn facet(mut body: Value) -> Value {
    body["_producer"] = json!(PRODUCER);
    body["_schemaURL"] = json!("https://openlineage.io/spec/facets/1-0-0/Facet.json");
    body
}

fn schema(fields: &[(&str, &str)]) -> Value {
    let fields: Vec<Value> = fields
        .iter()
        .map(|(n, t)| json!({"name": n, "type": t}))
        .collect();
    facet(json!({ "fields": fields }))
}

/// The feature-building step of a training pipeline: reads customers from PostgreSQL, writes
/// a feature table to S3, with schemas and column lineage.
fn features_event(kind: &str, time: &str, run: &str) -> Value {
    json!({
        "eventType": kind,
        "eventTime": time,
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": run, "facets": {
            "processing_engine": facet(json!({"name": "Python", "version": "3.11", "openlineageAdapterVersion": "1.54.0"})),
            "nominalTime": facet(json!({"nominalStartTime": "2026-01-31T12:00:00Z"})),
            "mlcat_test_run": facet(json!({"anything": [1, 2, 3]})),
        }},
        "job": {"namespace": "training", "name": "build_features", "facets": {
            "documentation": facet(json!({"description": "Builds the customer features"})),
            "sql": facet(json!({"query": "SELECT id, age, spend FROM customers"})),
            "sourceCode": facet(json!({"language": "python", "sourceCode": "print(1)"})),
            "ownership": facet(json!({"owners": [{"name": "user:ana", "type": "DEVELOPER"}]})),
        }},
        "inputs": [{
            "namespace": "postgres://db.internal:5432",
            "name": "shop.public.customers",
            "facets": {
                "schema": schema(&[("id", "int"), ("age", "int"), ("spend", "double"), ("churned", "boolean")]),
                "version": facet(json!({"datasetVersion": "v42"})),
            },
            "inputFacets": {"dataQualityMetrics": facet(json!({"rowCount": 1000}))},
        }],
        "outputs": [{
            "namespace": "s3://lake",
            "name": "features/customers",
            "facets": {
                "schema": schema(&[("customer_id", "int"), ("age_bucket", "string"), ("spend_30d", "double")]),
                "columnLineage": facet(json!({"fields": {
                    "customer_id": {"inputFields": [{"namespace": "postgres://db.internal:5432", "name": "shop.public.customers", "field": "id", "transformations": [{"type": "DIRECT", "subtype": "IDENTITY"}]}]},
                    "age_bucket": {"inputFields": [{"namespace": "postgres://db.internal:5432", "name": "shop.public.customers", "field": "age"}]},
                    "spend_30d": {"inputFields": [{"namespace": "postgres://db.internal:5432", "name": "shop.public.customers", "field": "spend"}]},
                }})),
                "documentation": facet(json!({"description": "Customer features"})),
                "ownership": facet(json!({"owners": [{"name": "team:ml"}]})),
                "custom_quality": facet(json!({"score": 0.97})),
            },
            "outputFacets": {"outputStatistics": facet(json!({"rowCount": 1000}))},
        }],
    })
}

async fn send(app: &TestApp, path: &str, event: &Value) -> (StatusCode, Value) {
    app.post_json(path, event.to_string()).await
}

async fn accepted(app: &TestApp, event: &Value) {
    let (status, body) = send(app, MARQUEZ, event).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
}

/// The latest stored value of an aspect, through the catalog's reads.
async fn aspect(app: &TestApp, urn: &str, name: &str) -> Option<Value> {
    let catalog = app.catalog();
    let record = catalog.entity(&Urn::parse(urn).unwrap()).await.unwrap()?;
    let found = catalog.latest_aspects(&[(record.id, name)]).await.unwrap();
    found
        .into_iter()
        .find(|a| a.aspect == name)
        .map(|a| serde_json::from_str(&a.value).unwrap())
}

fn run_urn(run: &str) -> String {
    format!("urn:li:dataProcessInstance:{run}")
}

#[tokio::test]
async fn a_run_event_makes_the_job_its_flow_the_run_and_the_datasets_with_lineage() {
    let app = TestApp::new().await;
    accepted(&app, &features_event("START", "2026-01-31T12:00:00Z", RUN)).await;

    let info = aspect(&app, JOB, "dataJobInfo").await.unwrap();
    assert_eq!(info["name"], "build_features");
    assert_eq!(info["description"], "Builds the customer features");
    assert_eq!(info["flowUrn"], FLOW);
    assert_eq!(
        aspect(&app, FLOW, "dataFlowInfo").await.unwrap()["name"],
        "build_features"
    );
    let io = aspect(&app, JOB, "dataJobInputOutput").await.unwrap();
    assert_eq!(io["inputDatasets"], json!([RAW]));
    assert_eq!(io["outputDatasets"], json!([FEATURES]));
    assert_eq!(
        aspect(&app, JOB, "ownership").await.unwrap()["owners"][0]["owner"],
        "urn:li:corpuser:ana"
    );

    // The run, in DataHub's shape, through GraphQL.
    let answer = app
        .data_vars(
            "query($urn: String!) { dataProcessInstance(urn: $urn) {
                properties { name customProperties { key value } }
                state { status }
                inputs { urn } outputs { urn }
                aspects(input: {aspectNames: [\"openLineageRun\"]}) { aspectName payload }
            } }",
            json!({"urn": run_urn(RUN)}),
        )
        .await;
    let run = &answer["dataProcessInstance"];
    assert_eq!(run["properties"]["name"], RUN);
    assert!(run["properties"]["customProperties"]
        .as_array()
        .unwrap()
        .contains(&json!({"key": "processingEngine", "value": "Python"})));
    assert_eq!(run["state"][0]["status"], "STARTED");
    assert_eq!(run["inputs"], json!([{"urn": RAW}]));
    assert_eq!(run["outputs"], json!([{"urn": FEATURES}]));
    let stored: Value =
        serde_json::from_str(run["aspects"][0]["payload"].as_str().unwrap()).unwrap();
    // A facet mlcat does not model is kept as sent; the input's version is kept with the run.
    assert_eq!(
        stored["facets"]["mlcat_test_run"]["anything"],
        json!([1, 2, 3])
    );
    assert_eq!(stored["inputs"][RAW]["version"], "v42");
    assert_eq!(
        stored["inputs"][RAW]["facets"]["dataQualityMetrics"]["rowCount"],
        1000
    );

    // Lineage: the output's upstream walk reaches the job and the input.
    let answer = app
        .data_vars(
            "query($urn: String!) { lineageGraph(input: {urn: $urn, direction: UPSTREAM, depth: 2}) { nodes { urn } } }",
            json!({"urn": FEATURES}),
        )
        .await;
    let reached: Vec<&str> = answer["lineageGraph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["urn"].as_str().unwrap())
        .collect();
    assert!(reached.contains(&JOB), "{reached:?}");
    assert!(reached.contains(&RAW), "{reached:?}");
}

#[tokio::test]
async fn dataset_facets_become_schema_column_lineage_description_and_owners() {
    let app = TestApp::new().await;
    let (status, body) = send(
        &app,
        DATAHUB,
        &features_event("COMPLETE", "2026-01-31T12:05:00Z", RUN),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let schema = aspect(&app, FEATURES, "schemaMetadata").await.unwrap();
    let paths: Vec<&str> = schema["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["fieldPath"].as_str().unwrap())
        .collect();
    assert_eq!(paths, ["customer_id", "age_bucket", "spend_30d"]);
    assert_eq!(schema["fields"][2]["nativeDataType"], "double");
    assert_eq!(
        schema["fields"][2]["type"],
        json!({"type": {"com.linkedin.schema.NumberType": {}}})
    );

    let field = |d: &str, f: &str| format!("urn:li:schemaField:({d},{f})");
    let lineage = aspect(&app, FEATURES, "upstreamLineage").await.unwrap();
    assert_eq!(lineage["upstreams"][0]["dataset"], RAW);
    let fine = lineage["fineGrainedLineages"].as_array().unwrap();
    assert_eq!(fine.len(), 3);
    assert_eq!(fine[0]["upstreams"], json!([field(RAW, "id")]));
    assert_eq!(
        fine[0]["downstreams"],
        json!([field(FEATURES, "customer_id")])
    );
    assert_eq!(fine[0]["transformOperation"], "DIRECT:IDENTITY");
    // The job carries the same column lineage.
    let io = aspect(&app, JOB, "dataJobInputOutput").await.unwrap();
    assert_eq!(io["fineGrainedLineages"].as_array().unwrap().len(), 3);

    // Column to column is lineage: the age bucket comes from the age column.
    let answer = app
        .data_vars(
            "query($urn: String!) { lineageGraph(input: {urn: $urn, direction: UPSTREAM, depth: 1}) { nodes { urn } } }",
            json!({"urn": field(FEATURES, "age_bucket")}),
        )
        .await;
    assert_eq!(
        answer["lineageGraph"]["nodes"],
        json!([{"urn": field(FEATURES, "age_bucket")}, {"urn": field(RAW, "age")}])
    );

    let props = aspect(&app, FEATURES, "datasetProperties").await.unwrap();
    assert_eq!(props["description"], "Customer features");
    let owners = aspect(&app, FEATURES, "ownership").await.unwrap();
    assert_eq!(owners["owners"][0]["owner"], "urn:li:corpGroup:ml");
    let kept = aspect(&app, FEATURES, "openLineageDataset").await.unwrap();
    assert_eq!(kept["namespace"], "s3://lake");
    assert_eq!(kept["facets"]["custom_quality"]["score"], 0.97);

    // The run ended with success.
    let answer = app
        .data_vars(
            "query($urn: String!) { dataProcessInstance(urn: $urn) { state { status result { resultType nativeResultType } } } }",
            json!({"urn": run_urn(RUN)}),
        )
        .await;
    assert_eq!(
        answer["dataProcessInstance"]["state"][0],
        json!({"status": "COMPLETE", "result": {"resultType": "SUCCESS", "nativeResultType": "COMPLETE"}})
    );
}

#[tokio::test]
async fn bad_events_are_refused_with_the_json_path_and_nothing_is_written() {
    let app = TestApp::new().await;
    let good = features_event("START", "2026-01-31T12:00:00Z", RUN);
    let before = app.row_counts().await;
    let mut cases: Vec<(Value, &str)> = Vec::new();
    let mut e = good.clone();
    e["run"]["runId"] = json!("x");
    cases.push((e, "run.runId: \"x\" is not a UUID"));
    let mut e = good.clone();
    e["eventType"] = json!("FINISHED");
    cases.push((e, "eventType: \"FINISHED\" is not one of START"));
    let mut e = good.clone();
    e["eventTime"] = json!("yesterday");
    cases.push((e, "eventTime: \"yesterday\" is not an RFC 3339 date-time"));
    let mut e = good.clone();
    e["producer"] = json!("my producer");
    cases.push((e, "producer: \"my producer\" is not a URI"));
    let mut e = good.clone();
    e.as_object_mut().unwrap().remove("schemaURL");
    cases.push((e, "schemaURL: is required"));
    let mut e = good.clone();
    e["inputs"][0].as_object_mut().unwrap().remove("namespace");
    cases.push((e, "inputs[0].namespace: is required"));
    let mut e = good.clone();
    e["job"]["name"] = json!(7);
    cases.push((e, "job.name: must be a string, not a number"));
    let mut e = good.clone();
    e["outputs"][0]["facets"]["columnLineage"]["fields"]["churn_label"] = json!({"inputFields": [{"namespace": "postgres://db.internal:5432", "name": "shop.public.customers", "field": "churned"}]});
    cases.push((
        e,
        "outputs[0].facets.columnLineage.fields.churn_label: the schema of s3://lake features/customers has no field \"churn_label\"",
    ));
    let mut e = good.clone();
    e["outputs"][0]["facets"]["columnLineage"]["fields"]["age_bucket"]["inputFields"][0]["field"] =
        json!("birthday");
    cases.push((
        e,
        "outputs[0].facets.columnLineage.fields.age_bucket.inputFields[0].field: the schema of postgres://db.internal:5432 shop.public.customers has no field \"birthday\"",
    ));
    let mut e = good.clone();
    e["outputs"][0]["facets"]["documentation"] = json!({"contentType": "text/markdown"});
    cases.push((
        e,
        "outputs[0].facets.documentation.description: is required",
    ));
    let mut e = good.clone();
    e["run"]["facets"]["errorMessage"] = facet(json!({"message": "boom"}));
    cases.push((
        e,
        "run.facets.errorMessage.programmingLanguage: is required",
    ));
    cases.push((
        json!([good.clone()]),
        "an event is a JSON object, not an array",
    ));
    cases.push((
        json!({"eventTime": "2026-01-31T12:00:00Z", "producer": PRODUCER, "schemaURL": PRODUCER}),
        "the event is none of the spec's kinds",
    ));
    for path in [MARQUEZ, DATAHUB] {
        for (event, message) in &cases {
            let (status, body) = send(&app, path, event).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{path} {body}");
            assert_eq!(body["code"], "BAD_USER_INPUT");
            let got = body["message"].as_str().unwrap();
            assert!(
                got.starts_with(message),
                "{got:?} does not start with {message:?}"
            );
        }
        let (status, body) = app.post_json(path, "{not json").await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
        assert!(body["message"]
            .as_str()
            .unwrap()
            .starts_with("the body is not JSON"));
    }
    // A gzipped body that does not inflate is the client's to fix; an encoding mlcat does not
    // take is a 415 in this door's shape.
    let (status, body) = encoded(&app, MARQUEZ, "gzip", vec![0x1f, 0x8b, 0, 0]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(body["code"], "BAD_USER_INPUT");
    let (status, body) = encoded(&app, DATAHUB, "br", b"{}".to_vec()).await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{body}");
    assert!(
        body["message"].as_str().unwrap().contains("\"br\""),
        "{body}"
    );
    assert_eq!(app.row_counts().await, before);
}

/// Posts `body` with `Content-Encoding: coding`; the answer's status and JSON.
async fn encoded(app: &TestApp, path: &str, coding: &str, body: Vec<u8>) -> (StatusCode, Value) {
    let (status, bytes) = app
        .request(
            Request::post(path)
                .header("content-type", "application/json")
                .header("content-encoding", coding)
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes).unwrap();
    z.finish().unwrap()
}

#[tokio::test]
async fn a_gzipped_event_is_taken_on_both_paths_and_the_limit_counts_what_it_inflates_to() {
    let limit = 16 * 1024;
    let app = TestApp::with_limits(mlcat::config::Limits {
        max_body_bytes: limit,
        ..mlcat::config::Limits::default()
    })
    .await;
    let event = features_event("START", "2026-01-31T12:00:00Z", RUN);
    let (status, body) = encoded(&app, MARQUEZ, "gzip", gzip(event.to_string().as_bytes())).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    let info = aspect(&app, JOB, "dataJobInfo").await.unwrap();
    assert_eq!(info["name"], "build_features");
    let complete = features_event("COMPLETE", "2026-01-31T12:05:00Z", RUN);
    let (status, body) =
        encoded(&app, DATAHUB, "gzip", gzip(complete.to_string().as_bytes())).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (_, run) = app.get_json(&format!("/api/v1/jobs/runs/{RUN}")).await;
    assert_eq!(run["state"], "COMPLETED", "{run}");

    // Spaces compress to almost nothing: the gzipped body is far under the limit, what it
    // inflates to is over it.
    let before = app.row_counts().await;
    let mut padded = features_event(
        "START",
        "2026-01-31T12:00:00Z",
        "0176a8c2-fe01-7439-87e6-56a1a1b40300",
    )
    .to_string();
    padded.insert_str(1, &" ".repeat(limit * 4));
    let small = gzip(padded.as_bytes());
    assert!(small.len() < limit / 4, "{}", small.len());
    let (status, body) = encoded(&app, MARQUEZ, "gzip", small).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{body}");
    assert_eq!(body["code"], "BAD_USER_INPUT");
    assert_eq!(app.row_counts().await, before);
}

#[tokio::test]
async fn a_running_event_after_start_updates_the_run_and_keeps_its_edges() {
    let app = TestApp::new().await;
    accepted(&app, &features_event("START", "2026-01-31T12:00:00Z", RUN)).await;
    let edges = app.count_rows("edge").await;
    // A RUNNING event with no inputs or outputs (as many integrations send it).
    let mut running = features_event("RUNNING", "2026-01-31T12:01:00Z", RUN);
    running.as_object_mut().unwrap().remove("inputs");
    running.as_object_mut().unwrap().remove("outputs");
    accepted(&app, &running).await;
    assert_eq!(app.count_rows("edge").await, edges);
    let io = aspect(&app, JOB, "dataJobInputOutput").await.unwrap();
    assert_eq!(io["inputDatasets"], json!([RAW]));
    let (_, run) = app.get_json(&format!("/api/v1/jobs/runs/{RUN}")).await;
    assert_eq!(run["state"], "RUNNING");
    assert_eq!(run["startedAt"], "2026-01-31T12:00:00.000Z");
    assert_eq!(
        run["inputDatasetVersions"][0]["datasetVersionId"]["version"],
        "v42"
    );
    // The same RUNNING event again writes no new version of anything.
    let aspects = app.count_rows("aspect").await;
    accepted(&app, &running).await;
    assert_eq!(app.count_rows("aspect").await, aspects);
    assert_eq!(app.count_rows("edge").await, edges);
    // One run entity, one job.
    let answer = app
        .data("{ listDatasets(input: {start: 0, count: 10}) { total } }")
        .await;
    assert_eq!(answer["listDatasets"]["total"], 2);
}

/// The Marquez run and the stored run state after `events`, sent in that order.
async fn run_after(events: &[(&str, &str)], run: &str) -> (Value, Value) {
    let app = TestApp::new().await;
    for (kind, time) in events {
        accepted(&app, &features_event(kind, time, run)).await;
    }
    let (status, marquez) = app.get_json(&format!("/api/v1/jobs/runs/{run}")).await;
    assert_eq!(status, StatusCode::OK, "{marquez}");
    let mut stored = aspect(&app, &run_urn(run), "openLineageRun").await.unwrap();
    stored["facetTimes"] = Value::Null;
    (marquez, stored)
}

#[tokio::test]
async fn events_out_of_order_end_in_the_same_state_as_in_order() {
    let start = ("START", "2026-01-31T12:00:00Z");
    let running = ("RUNNING", "2026-01-31T12:01:00Z");
    let complete = ("COMPLETE", "2026-01-31T12:05:00Z");
    let (in_order, stored) = run_after(&[start, running, complete], RUN).await;
    assert_eq!(in_order["state"], "COMPLETED");
    assert_eq!(in_order["startedAt"], "2026-01-31T12:00:00.000Z");
    assert_eq!(in_order["endedAt"], "2026-01-31T12:05:00.000Z");
    assert_eq!(in_order["durationMs"], 300_000);
    for order in [[complete, start, running], [running, complete, start]] {
        let (marquez, s) = run_after(&order, RUN).await;
        let mut a = marquez.clone();
        let mut b = in_order.clone();
        // When the catalog first and last heard of it is the events' times: equal too.
        for v in [&mut a, &mut b] {
            v["facets"] = Value::Null;
        }
        assert_eq!(a, b, "{order:?}");
        assert_eq!(s, stored, "{order:?}");
    }
    // A failure is not undone by a START that arrives after it.
    let (failed, _) = run_after(&[("FAIL", "2026-01-31T12:05:00Z"), start], RUN).await;
    assert_eq!(failed["state"], "FAILED");
    assert_eq!(failed["startedAt"], "2026-01-31T12:00:00.000Z");
}

#[tokio::test]
async fn job_and_dataset_events_write_without_a_run() {
    let app = TestApp::new().await;
    let base = json!({
        "eventTime": "2026-01-31T12:00:00+01:00",
        "producer": PRODUCER,
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/JobEvent",
    });
    let mut job = base.clone();
    job["job"] = json!({"namespace": "training", "name": "train.fit", "facets": {
        "documentation": facet(json!({"description": "Fits the model"}))}});
    job["inputs"] = json!([{"namespace": "s3://lake", "name": "features/customers"}]);
    job["outputs"] = json!([{"namespace": "s3://lake", "name": "models/churn"}]);
    let (status, body) = send(&app, DATAHUB, &job).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // A dotted job name: its flow is the part before the first dot (an Airflow DAG of tasks).
    let fit = "urn:li:dataJob:(urn:li:dataFlow:(python,train,training),train.fit)";
    let info = aspect(&app, fit, "dataJobInfo").await.unwrap();
    assert_eq!(info["name"], "fit");
    assert_eq!(
        aspect(&app, fit, "dataJobInputOutput").await.unwrap()["inputDatasets"],
        json!([FEATURES])
    );
    assert_eq!(app.count_rows("timeseries_aspect").await, 0);

    let mut dataset = base.clone();
    dataset["dataset"] = json!({"namespace": "bigquery", "name": "proj.ds.scores", "facets": {
        "schema": schema(&[("customer_id", "INTEGER"), ("score", "FLOAT")]),
        "documentation": facet(json!({"description": "Churn scores"})),
    }});
    accepted(&app, &dataset).await;
    let (status, got) = app
        .get_json("/api/v1/namespaces/bigquery/datasets/proj.ds.scores")
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    assert_eq!(
        got["id"],
        json!({"namespace": "bigquery", "name": "proj.ds.scores"})
    );
    assert_eq!(got["description"], "Churn scores");
    assert_eq!(
        got["fields"][1],
        json!({"name": "score", "type": "FLOAT", "tags": [], "description": null})
    );
    assert_eq!(
        got["facets"]["mlcat"]["urn"],
        "urn:li:dataset:(urn:li:dataPlatform:bigquery,proj.ds.scores,PROD)"
    );
}

#[tokio::test]
async fn marquez_s_read_api_answers_the_graph_with_its_ml_nodes() {
    let app = TestApp::new().await;
    accepted(&app, &features_event("START", "2026-01-31T12:00:00Z", RUN)).await;
    accepted(
        &app,
        &features_event("COMPLETE", "2026-01-31T12:05:00Z", RUN),
    )
    .await;
    // A model trained on the features, written through DataHub's REST API.
    let model = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
    ingest(
        &app,
        proposal(
            "mlModel",
            model,
            "mlModelTrainingData",
            json!({"trainingData": [{"dataset": FEATURES}]}),
        ),
    )
    .await;

    let (status, got) = app.get_json("/api/v1/namespaces").await;
    assert_eq!(status, StatusCode::OK, "{got}");
    let names: Vec<&str> = got["namespaces"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        [
            "mlcat",
            "postgres://db.internal:5432",
            "s3://lake",
            "training"
        ]
    );

    let (_, jobs) = app.get_json("/api/v1/namespaces/training/jobs").await;
    assert_eq!(jobs["totalCount"], 1);
    let job = &jobs["jobs"][0];
    assert_eq!(
        job["id"],
        json!({"namespace": "training", "name": "build_features"})
    );
    assert_eq!(
        job["inputs"],
        json!([{"namespace": "postgres://db.internal:5432", "name": "shop.public.customers"}])
    );
    assert_eq!(
        job["outputs"],
        json!([{"namespace": "s3://lake", "name": "features/customers"}])
    );
    assert_eq!(job["latestRun"]["id"], RUN);
    assert_eq!(job["latestRun"]["state"], "COMPLETED");
    assert_eq!(
        job["facets"]["sql"]["query"],
        "SELECT id, age, spend FROM customers"
    );
    assert_eq!(job["description"], "Builds the customer features");

    let ns = encode("s3://lake");
    let (_, datasets) = app
        .get_json(&format!("/api/v1/namespaces/{ns}/datasets"))
        .await;
    assert_eq!(datasets["totalCount"], 1);
    assert_eq!(datasets["datasets"][0]["name"], "features/customers");
    let (status, one) = app
        .get_json(&format!(
            "/api/v1/namespaces/{ns}/datasets/{}",
            encode("features/customers")
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{one}");
    assert_eq!(one["fields"][0]["name"], "customer_id");
    let (status, _) = app
        .get_json(&format!("/api/v1/namespaces/{ns}/datasets/nope"))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    let (_, runs) = app
        .get_json("/api/v1/namespaces/training/jobs/build_features/runs")
        .await;
    assert_eq!(runs["runs"][0]["id"], RUN);
    let (status, _) = app.get_json("/api/v1/jobs/runs/not-a-uuid").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);

    // The graph around the input, both ways: input → job → features → model.
    let node = "dataset:postgres://db.internal:5432:shop.public.customers";
    let (status, got) = app
        .get_json(&format!("/api/v1/lineage?nodeId={}&depth=5", encode(node)))
        .await;
    assert_eq!(status, StatusCode::OK, "{got}");
    let graph = got["graph"].as_array().unwrap();
    let ids: Vec<&str> = graph.iter().map(|n| n["id"].as_str().unwrap()).collect();
    let model_node = format!("dataset:mlcat:{model}");
    for want in [
        node,
        "job:training:build_features",
        "dataset:s3://lake:features/customers",
        model_node.as_str(),
    ] {
        assert!(ids.contains(&want), "{want} not in {ids:?}");
    }
    // The run stands for its job: no run node, and the job's edges are the run's too.
    assert_eq!(ids.len(), 4, "{ids:?}");
    let job = graph
        .iter()
        .find(|n| n["id"] == "job:training:build_features")
        .unwrap();
    assert_eq!(job["type"], "JOB");
    assert_eq!(
        job["inEdges"],
        json!([{"origin": node, "destination": "job:training:build_features"}])
    );
    assert_eq!(
        job["outEdges"],
        json!([{"origin": "job:training:build_features", "destination": "dataset:s3://lake:features/customers"}])
    );
    let (status, _) = app
        .get_json("/api/v1/lineage?nodeId=dataset:nowhere:nothing")
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn column_lineage_is_checked_against_a_stored_schema_and_a_stored_schema_is_replaced() {
    let app = TestApp::new().await;
    let orders = "urn:li:dataset:(urn:li:dataPlatform:hive,db.orders,PROD)";
    // A schema written through DataHub's REST API, as another tool would.
    ingest(
        &app,
        proposal(
            "dataset",
            orders,
            "schemaMetadata",
            json!({
                "schemaName": "db.orders", "platform": "urn:li:dataPlatform:hive", "version": 0,
                "hash": null, "platformSchema": {"com.linkedin.schema.OtherSchema": {"rawSchema": ""}},
                "fields": [
                    {"fieldPath": "id", "nativeDataType": "int", "type": {"type": {"com.linkedin.schema.NumberType": {}}}},
                    {"fieldPath": "total", "nativeDataType": "double", "type": {"type": {"com.linkedin.schema.NumberType": {}}}},
                ],
            }),
        ),
    )
    .await;
    let event = |field: &str| {
        json!({
            "eventTime": "2026-01-31T12:00:00Z",
            "producer": PRODUCER,
            "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/DatasetEvent",
            "dataset": {"namespace": "hive", "name": "db.revenue", "facets": {
                "columnLineage": facet(json!({"fields": {"revenue": {"inputFields": [
                    {"namespace": "hive", "name": "db.orders", "field": field}]}}}))}},
        })
    };
    let before = app.row_counts().await;
    let (status, body) = send(&app, MARQUEZ, &event("amount")).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
    assert_eq!(
        body["message"],
        "dataset.facets.columnLineage.fields.revenue.inputFields[0].field: the schema of hive db.orders has no field \"amount\""
    );
    assert_eq!(app.row_counts().await, before);
    accepted(&app, &event("total")).await;
    let lineage = aspect(
        &app,
        "urn:li:dataset:(urn:li:dataPlatform:hive,db.revenue,PROD)",
        "upstreamLineage",
    )
    .await
    .unwrap();
    assert_eq!(lineage["upstreams"][0]["dataset"], orders);

    // An OpenLineage schema replaces the stored one, whoever wrote it.
    let mut update = event("total");
    update["dataset"] = json!({"namespace": "hive", "name": "db.orders", "facets": {
        "schema": schema(&[("id", "int"), ("total", "double"), ("currency", "string")])}});
    accepted(&app, &update).await;
    let stored = aspect(&app, orders, "schemaMetadata").await.unwrap();
    assert_eq!(stored["fields"].as_array().unwrap().len(), 3);
    assert_eq!(stored["hash"], "");
}
