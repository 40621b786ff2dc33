//! Training runs (`dataProcessInstance`): written by GraphQL (`upsertDataProcessInstance`,
//! `reportDataProcessRunEvent`) and by DataHub proposals, read in DataHub's shape, with inputs
//! and outputs as lineage so that walks go dataset → run → model; bad input refused whole.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::{proposal, single, INGEST};
use crate::support::TestApp;

const DATA: &str = "urn:li:dataset:(urn:li:dataPlatform:s3,churn/train.parquet,PROD)";
const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:mlflow,churn,PROD)";
const SCORES: &str = "urn:li:dataset:(urn:li:dataPlatform:s3,churn/scores.parquet,PROD)";
const RUN: &str = "urn:li:dataProcessInstance:churn-run-1";
const SCORING: &str = "urn:li:dataProcessInstance:churn-scoring-1";

const UPSERT: &str = "mutation($input: UpsertDataProcessInstanceInput!) {
  upsertDataProcessInstance(input: $input) { urn type properties { name } }
}";

const EVENT: &str = "mutation($input: DataProcessRunEventInput!) {
  reportDataProcessRunEvent(input: $input) { urn }
}";

const READ: &str = "query($urn: String!) {
  dataProcessInstance(urn: $urn) {
    urn type name externalUrl
    properties { name externalUrl customProperties { key value } created { time actor } }
    mlTrainingRunProperties {
      id outputUrls hyperParams { name value } trainingMetrics { name value }
    }
    state { status result { resultType nativeResultType } durationMillis timestampMillis attempt }
    inputs { urn type }
    outputs { urn type }
    upstreamInstances { urn }
    parentInstance { urn }
    relationships(input: {types: [\"Consumes\"], direction: OUTGOING}) { total }
  }
}";

/// A training run: reads `DATA`, writes `MODEL`, started at 1000 and done at 5000 (its
/// COMPLETE event does not say how long it took: the server works it out).
async fn train(app: &TestApp) {
    let input = json!({
        "id": "churn-run-1",
        "name": "churn training",
        "type": "BATCH_AD_HOC",
        "externalUrl": "https://mlflow.example.com/runs/1",
        "customProperties": [{"key": "seed", "value": "7"}],
        "trainingRun": {
            "id": "mlflow-1",
            "outputUrls": ["s3://models/churn/1"],
            "hyperParams": [{"name": "depth", "value": "6"}],
            "trainingMetrics": [{"name": "auc", "value": "0.91"}],
        },
        "inputs": [DATA],
        "outputs": [MODEL],
    });
    let d = app.data_vars(UPSERT, json!({ "input": input })).await;
    assert_eq!(d["upsertDataProcessInstance"]["urn"], RUN);
    assert_eq!(
        d["upsertDataProcessInstance"]["type"],
        "DATA_PROCESS_INSTANCE"
    );
    for (status, at, result) in [
        ("STARTED", 1000, Value::Null),
        ("COMPLETE", 5000, json!("SUCCESS")),
    ] {
        let mut event = json!({"urn": RUN, "status": status, "timestampMillis": at});
        if !result.is_null() {
            event["result"] = result;
        }
        app.data_vars(EVENT, json!({ "input": event })).await;
    }
}

#[tokio::test]
async fn a_run_written_by_graphql_reads_in_datahubs_shape() {
    let app = TestApp::new().await;
    train(&app).await;
    let d = app.data_vars(READ, json!({"urn": RUN})).await;
    let run = &d["dataProcessInstance"];
    assert_eq!(run["name"], "churn training");
    assert_eq!(run["externalUrl"], "https://mlflow.example.com/runs/1");
    assert_eq!(
        run["properties"]["customProperties"],
        json!([{"key": "seed", "value": "7"}])
    );
    assert_eq!(
        run["properties"]["created"]["actor"],
        "urn:li:corpuser:anonymous"
    );
    assert_eq!(
        run["mlTrainingRunProperties"],
        json!({"id": "mlflow-1", "outputUrls": ["s3://models/churn/1"],
               "hyperParams": [{"name": "depth", "value": "6"}],
               "trainingMetrics": [{"name": "auc", "value": "0.91"}]})
    );
    // Newest first.
    assert_eq!(
        run["state"],
        json!([
            {"status": "COMPLETE", "result": {"resultType": "SUCCESS", "nativeResultType": "mlcat"},
             "durationMillis": 4000, "timestampMillis": 5000, "attempt": null},
            {"status": "STARTED", "result": null, "durationMillis": null, "timestampMillis": 1000,
             "attempt": null},
        ])
    );
    assert_eq!(run["inputs"], json!([{"urn": DATA, "type": "DATASET"}]));
    assert_eq!(run["outputs"], json!([{"urn": MODEL, "type": "MLMODEL"}]));
    assert_eq!(run["relationships"]["total"], 1);

    // The model knows the run that trained it.
    let d = app.data_vars(
        "query($urn: String!) { mlModel(urn: $urn) { trainedBy { urn type } downstreamJobs { urn } } }",
        json!({"urn": MODEL}),
    )
    .await;
    assert_eq!(
        d["mlModel"]["trainedBy"],
        json!([{"urn": RUN, "type": "DATA_PROCESS_INSTANCE"}])
    );
    assert_eq!(d["mlModel"]["downstreamJobs"], json!([]));

    // A second upsert changes what it names and keeps the rest.
    let d = app.data_vars(
        UPSERT,
        json!({"input": {"urn": RUN, "trainingRun": {"trainingMetrics": [{"name": "auc", "value": "0.93"}]}}}),
    )
    .await;
    assert_eq!(
        d["upsertDataProcessInstance"]["properties"]["name"],
        "churn training"
    );
    let d = app.data_vars(READ, json!({"urn": RUN})).await;
    let t = &d["dataProcessInstance"]["mlTrainingRunProperties"];
    assert_eq!(t["id"], "mlflow-1");
    assert_eq!(
        t["trainingMetrics"],
        json!([{"name": "auc", "value": "0.93"}])
    );
    assert_eq!(d["dataProcessInstance"]["inputs"][0]["urn"], DATA);
}

#[tokio::test]
async fn lineage_walks_from_the_data_through_the_run_to_the_model() {
    let app = TestApp::new().await;
    // Search finds written entities: the model is written, not only named by the run.
    app.data_vars(
        "mutation($urn: String!) { upsertMLModel(input: {urn: $urn, description: \"churn\"}) { urn } }",
        json!({"urn": MODEL}),
    )
    .await;
    train(&app).await;
    // A scoring run reads the model and writes scores, after the training run.
    let scoring = json!({"id": "churn-scoring-1", "inputs": [MODEL], "outputs": [SCORES],
                         "upstreamInstances": [RUN]});
    app.data_vars(UPSERT, json!({ "input": scoring })).await;

    let graph = &app
        .data_vars(
            "query($input: LineageGraphInput!) { lineageGraph(input: $input) {
            nodes { urn degree } edges { source target relation } } }",
            json!({"input": {"urn": DATA, "direction": "DOWNSTREAM", "depth": 4}}),
        )
        .await;
    let nodes: Vec<(String, i64)> = graph["lineageGraph"]["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| {
            (
                n["urn"].as_str().unwrap().into(),
                n["degree"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        nodes,
        [
            (DATA.to_string(), 0),
            (RUN.to_string(), 1),
            (MODEL.to_string(), 2),
            (SCORING.to_string(), 2),
            (SCORES.to_string(), 3),
        ],
        "{graph:#}"
    );
    let edges = graph["lineageGraph"]["edges"].as_array().unwrap();
    let has = |s: &str, t: &str, r: &str| {
        edges
            .iter()
            .any(|e| e["source"] == s && e["target"] == t && e["relation"] == r)
    };
    assert!(has(DATA, RUN, "Consumes"), "{edges:?}");
    assert!(has(RUN, MODEL, "TrainedBy"), "{edges:?}");
    assert!(has(MODEL, SCORING, "Consumes"), "{edges:?}");
    assert!(has(RUN, SCORING, "UpstreamOf"), "{edges:?}");
    assert!(has(SCORING, SCORES, "Produces"), "{edges:?}");

    // searchAcrossLineage finds the model two hops from its training data.
    let found = &app
        .data_vars(
            "query($input: SearchAcrossLineageInput!) { searchAcrossLineage(input: $input) {
            searchResults { entity { urn } degree } } }",
            json!({"input": {"urn": DATA, "direction": "DOWNSTREAM", "query": "*"}}),
        )
        .await;
    let results = found["searchAcrossLineage"]["searchResults"]
        .as_array()
        .unwrap();
    let model = results
        .iter()
        .find(|r| r["entity"]["urn"] == MODEL)
        .unwrap_or_else(|| panic!("{found:#}"));
    assert_eq!(model["degree"], 2);

    // Upstream from the scores: the model and its training data, through both runs.
    let d = &app
        .data_vars(
            "query($urn: String!) { mlModel(urn: $urn) { downstreamJobs { urn } } }",
            json!({"urn": MODEL}),
        )
        .await;
    assert_eq!(d["mlModel"]["downstreamJobs"], json!([{"urn": SCORING}]));
    let d = app.data_vars(READ, json!({"urn": SCORING})).await;
    assert_eq!(
        d["dataProcessInstance"]["upstreamInstances"],
        json!([{"urn": RUN}])
    );
}

#[tokio::test]
async fn sdk_proposals_declare_the_same_edges() {
    let app = TestApp::new().await;
    let run = "urn:li:dataProcessInstance:sdk-run";
    for (aspect, value) in [
        (
            "dataProcessInstanceProperties",
            json!({"name": "sdk run", "created": {"time": 1, "actor": "urn:li:corpuser:datahub"},
                   "type": "BATCH_SCHEDULED", "customProperties": {}}),
        ),
        ("dataProcessInstanceInput", json!({"inputs": [DATA]})),
        (
            "dataProcessInstanceOutput",
            json!({"outputs": [], "outputEdges": [{"destinationUrn": SCORES}]}),
        ),
        (
            "dataProcessInstanceRunEvent",
            json!({"timestampMillis": 10, "status": "STARTED"}),
        ),
    ] {
        let (status, body) = app
            .post_json(
                INGEST,
                single(proposal("dataProcessInstance", run, aspect, value)),
            )
            .await;
        assert_eq!(status, StatusCode::OK, "{aspect}: {body}");
    }
    // A model that names the run among its training jobs (the SDK's `add_training_job`).
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "mlModel",
                MODEL,
                "mlModelProperties",
                json!({"trainingJobs": [run], "customProperties": {}, "tags": []}),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let d = app.data_vars(READ, json!({"urn": run})).await;
    let r = &d["dataProcessInstance"];
    assert_eq!(r["inputs"], json!([{"urn": DATA, "type": "DATASET"}]));
    // The model that names the run among its training jobs is an output of the run too.
    assert_eq!(
        r["outputs"],
        json!([{"urn": MODEL, "type": "MLMODEL"}, {"urn": SCORES, "type": "DATASET"}])
    );
    assert_eq!(r["state"][0]["status"], "STARTED");
    let d = app.data_vars(
        "query($urn: String!) { mlModel(urn: $urn) {
            trainedBy { urn } properties { mlModelLineageInfo { trainingJobs downstreamJobs } } } }",
        json!({"urn": MODEL}),
    )
    .await;
    assert_eq!(d["mlModel"]["trainedBy"], json!([{"urn": run}]));
    assert_eq!(
        d["mlModel"]["properties"]["mlModelLineageInfo"],
        json!({"trainingJobs": [run], "downstreamJobs": null})
    );
}

#[tokio::test]
async fn bad_runs_are_refused_whole() {
    let app = TestApp::new().await;
    train(&app).await;
    let before = app.row_counts().await;
    let events = app.count_rows("timeseries_aspect").await;

    // An output of a type a run cannot write: nothing of the upsert lands.
    let (code, message) = &app
        .refusal(
            UPSERT,
            json!({"input": {"urn": RUN, "name": "renamed", "outputs": ["urn:li:tag:pii"]}}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(
        message.contains("dataProcessInstanceOutput.outputs[0]") || message.contains("outputs[0]"),
        "{message}"
    );
    let d = app.data_vars(READ, json!({"urn": RUN})).await;
    assert_eq!(d["dataProcessInstance"]["name"], "churn training");
    // A run URN of the wrong type, a parent run that is not a run.
    let (code, _) = app.refusal(UPSERT, json!({"input": {"urn": MODEL}})).await;
    assert_eq!(code, "BAD_USER_INPUT");
    let (code, message) = &app
        .refusal(
            UPSERT,
            json!({"input": {"urn": RUN, "parentInstance": DATA}}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("parentInstance"), "{message}");
    let (code, _) = &app
        .refusal(UPSERT, json!({"input": {"name": "no id"}}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");

    // Run events: a status the enum does not have, a result on a start, a run nobody wrote.
    let answer = app
        .gql_vars(EVENT, json!({"input": {"urn": RUN, "status": "RUNNING"}}))
        .await;
    assert!(answer["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("RUNNING"));
    let (code, message) = &app
        .refusal(
            EVENT,
            json!({"input": {"urn": RUN, "status": "STARTED", "result": "FAILURE"}}),
        )
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
    assert!(message.contains("COMPLETE"), "{message}");
    let (code, _) = &app
        .refusal(
            EVENT,
            json!({"input": {"urn": "urn:li:dataProcessInstance:nobody", "status": "STARTED"}}),
        )
        .await;
    assert_eq!(code, "NOT_FOUND");
    let (code, _) = &app
        .refusal(EVENT, json!({"input": {"urn": MODEL, "status": "STARTED"}}))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");

    // Through DataHub's REST door: an unknown status, an input of the wrong type.
    for (aspect, value, field) in [
        (
            "dataProcessInstanceRunEvent",
            json!({"timestampMillis": 9, "status": "RUNNING"}),
            "status",
        ),
        (
            "dataProcessInstanceRunEvent",
            json!({"timestampMillis": 9, "status": "COMPLETE", "result": {"type": "MAYBE", "nativeResultType": "x"}}),
            "result.type",
        ),
        (
            "dataProcessInstanceInput",
            json!({"inputs": ["urn:li:corpuser:ana"]}),
            "inputs[0]",
        ),
    ] {
        let (status, body) = app
            .post_json(
                INGEST,
                single(proposal("dataProcessInstance", RUN, aspect, value)),
            )
            .await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(body["message"].as_str().unwrap().contains(field), "{body}");
    }
    assert_eq!(app.row_counts().await, before);
    assert_eq!(app.count_rows("timeseries_aspect").await, events);

    // Reading a run by a URN of another type.
    let (code, _) = app.refusal(READ, json!({"urn": MODEL})).await;
    assert_eq!(code, "BAD_USER_INPUT");
}
