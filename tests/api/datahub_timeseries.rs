//! Timeseries aspects (`datasetProfile`, `operation`, `datahubIngestionCheckpoint`, ...) written
//! by `ingestProposal` and read back by `getTimeseriesAspectValues` and GraphQL's
//! `datasetProfiles` / `operations`; the OpenAPI reads `batchGet` and `relationships/v1`.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::datahub::{aspect_path, encode, ingest, proposal, refused, single, DATASET, INGEST};
use crate::support::TestApp;

const BATCH: &str = "/aspects?action=ingestProposalBatch";
const VALUES: &str = "/aspects?action=getTimeseriesAspectValues";
const JOB: &str = "urn:li:dataJob:(urn:li:dataFlow:(datahub,nightly,prod),stale_entity_removal)";
const UPSTREAM_A: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,raw_a,PROD)";
const UPSTREAM_B: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,raw_b,PROD)";
const UPSTREAM_C: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,raw_c,PROD)";
const TAG: &str = "urn:li:tag:pii";

fn profile(ts: i64, rows: i64) -> Value {
    json!({
        "timestampMillis": ts,
        "rowCount": rows,
        "columnCount": 2,
        "partitionSpec": {"type": "FULL_TABLE", "partition": "FULL_TABLE_SNAPSHOT"},
        "fieldProfiles": [{"fieldPath": "id", "uniqueCount": rows, "nullProportion": 0.0,
                           "quantiles": [{"quantile": "0.5", "value": "7"}]}],
    })
}

fn batch(ps: Vec<Value>) -> String {
    json!({"proposals": ps, "async": "false"}).to_string()
}

/// `getTimeseriesAspectValues` as the SDK's `get_timeseries_values` sends it.
async fn values(app: &TestApp, body: Value) -> (StatusCode, Value) {
    app.post_json(VALUES, body.to_string()).await
}

/// The events of an answer, parsed from the JSON text each one travels as.
fn events(answer: &Value) -> Vec<Value> {
    answer["value"]["values"]
        .as_array()
        .expect("values")
        .iter()
        .map(|v| {
            assert_eq!(v["aspect"]["contentType"], "application/json");
            serde_json::from_str(v["aspect"]["value"].as_str().expect("JSON text")).expect("JSON")
        })
        .collect()
}

fn stamps(events: &[Value]) -> Vec<i64> {
    events
        .iter()
        .map(|e| e["timestampMillis"].as_i64().expect("timestampMillis"))
        .collect()
}

fn query(aspect: &str, urn: &str, extra: Value) -> Value {
    let entity = if urn.starts_with("urn:li:dataJob") {
        "dataJob"
    } else {
        "dataset"
    };
    let mut q = json!({"urn": urn, "entity": entity, "aspect": aspect});
    for (k, v) in extra.as_object().expect("object") {
        q[k] = v.clone();
    }
    q
}

#[tokio::test]
async fn a_batch_mixing_kinds_stores_events_as_a_series_read_newest_first() {
    let app = TestApp::new().await;
    let mut ps: Vec<Value> = [3000, 1000, 5000, 2000, 4000]
        .into_iter()
        .map(|ts| proposal("dataset", DATASET, "datasetProfile", profile(ts, ts / 10)))
        .collect();
    ps.insert(
        2,
        proposal(
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "users", "customProperties": {}}),
        ),
    );
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // A series, not versions: one aspect row (the properties), five events.
    assert_eq!(app.count_rows("aspect").await, 1);
    assert_eq!(app.count_rows("timeseries_aspect").await, 5);

    let (status, all) = values(&app, query("datasetProfile", DATASET, json!({"limit": 10}))).await;
    assert_eq!(status, StatusCode::OK, "{all}");
    assert_eq!(all["value"]["limit"], 10);
    assert_eq!(all["value"]["aspectName"], "datasetProfile");
    assert_eq!(all["value"]["entityName"], "dataset");
    let got = events(&all);
    assert_eq!(stamps(&got), vec![5000, 4000, 3000, 2000, 1000]);
    // Each event reads back as it was sent.
    assert_eq!(got[4], profile(1000, 100));

    let (_, ranged) = values(
        &app,
        query(
            "datasetProfile",
            DATASET,
            json!({"startTimeMillis": 2000, "endTimeMillis": 4000, "limit": 10}),
        ),
    )
    .await;
    assert_eq!(stamps(&events(&ranged)), vec![4000, 3000, 2000]);

    let (_, limited) = values(&app, query("datasetProfile", DATASET, json!({"limit": 2}))).await;
    assert_eq!(stamps(&events(&limited)), vec![5000, 4000]);

    // The aspect's versioned read knows no such aspect (the SDK refuses it client-side).
    let (status, _) = app
        .get_json(&aspect_path(DATASET, "datasetProfile", 0))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // An entity the catalog never heard of has an empty series.
    let (status, none) = values(
        &app,
        query(
            "datasetProfile",
            "urn:li:dataset:(urn:li:dataPlatform:hive,nobody,PROD)",
            json!({}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(none["value"]["values"], json!([]));
}

#[tokio::test]
async fn an_event_with_the_same_time_and_partition_replaces_the_stored_one() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal("dataset", DATASET, "datasetProfile", profile(1000, 10)),
    )
    .await;
    ingest(
        &app,
        proposal("dataset", DATASET, "datasetProfile", profile(1000, 11)),
    )
    .await;
    // The same time in another partition is another event.
    let mut other = profile(1000, 12);
    other["partitionSpec"]["partition"] = json!("2026-12-01");
    ingest(
        &app,
        proposal("dataset", DATASET, "datasetProfile", other.clone()),
    )
    .await;
    // Within one batch, the last event of a time wins.
    let (status, body) = app
        .post_json(
            BATCH,
            batch(vec![
                proposal("dataset", DATASET, "datasetProfile", profile(2000, 20)),
                proposal("dataset", DATASET, "datasetProfile", profile(2000, 21)),
            ]),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(app.count_rows("timeseries_aspect").await, 3);

    let (_, all) = values(&app, query("datasetProfile", DATASET, json!({"limit": 10}))).await;
    let got = events(&all);
    let rows: Vec<i64> = got
        .iter()
        .map(|e| e["rowCount"].as_i64().unwrap())
        .collect();
    assert_eq!(stamps(&got), vec![2000, 1000, 1000]);
    assert_eq!(rows[0], 21);
    let mut at_1000 = vec![rows[1], rows[2]];
    at_1000.sort_unstable();
    assert_eq!(at_1000, vec![11, 12]);
}

fn checkpoint(ts: i64, pipeline: &str) -> Value {
    json!({
        "timestampMillis": ts,
        "pipelineName": pipeline,
        "platformInstanceId": "",
        "config": "",
        "state": {"formatVersion": "1.0", "serde": "base85-bz2-json", "payload": format!("state at {ts}")},
        "runId": format!("run-{ts}"),
        "partitionSpec": {"type": "FULL_TABLE", "partition": "FULL_TABLE_SNAPSHOT"},
    })
}

#[tokio::test]
async fn filters_pick_events_by_their_fields_and_the_latest_is_the_newest_match() {
    let app = TestApp::new().await;
    let ps = vec![
        proposal(
            "dataJob",
            JOB,
            "datahubIngestionCheckpoint",
            checkpoint(1000, "nightly"),
        ),
        proposal(
            "dataJob",
            JOB,
            "datahubIngestionCheckpoint",
            checkpoint(2000, "nightly"),
        ),
        proposal(
            "dataJob",
            JOB,
            "datahubIngestionCheckpoint",
            checkpoint(3000, "hourly"),
        ),
    ];
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    // What `get_latest_timeseries_value(..., {"pipelineName": "nightly"})` sends.
    let latest = json!({"or": [{"and": [
        {"field": "pipelineName", "values": ["nightly"], "condition": "EQUAL"}
    ]}]});
    let (status, answer) = values(
        &app,
        query(
            "datahubIngestionCheckpoint",
            JOB,
            json!({"limit": 1, "filter": latest}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let got = events(&answer);
    assert_eq!(got, vec![checkpoint(2000, "nightly")]);

    // Any group of the `or` may match; a negated criterion excludes.
    let either = json!({"or": [
        {"and": [{"field": "runId", "values": ["run-1000"], "condition": "EQUAL"}]},
        {"and": [{"field": "pipelineName", "values": ["nightly"], "condition": "EQUAL", "negated": true}]},
    ]});
    let (_, answer) = values(
        &app,
        query("datahubIngestionCheckpoint", JOB, json!({"filter": either})),
    )
    .await;
    assert_eq!(stamps(&events(&answer)), vec![3000, 1000]);

    // A dotted path reads into the event; `runId` falls back to the run that wrote it.
    let op = json!({"timestampMillis": 10, "operationType": "INSERT", "lastUpdatedTimestamp": 9});
    let mut p = proposal("dataset", DATASET, "operation", op);
    p["systemMetadata"]["runId"] = json!("load-42");
    ingest(&app, p).await;
    let by_run = json!({"or": [{"and": [{"field": "runId", "values": ["load-42"]}]}]});
    let (_, answer) = values(&app, query("operation", DATASET, json!({"filter": by_run}))).await;
    assert_eq!(stamps(&events(&answer)), vec![10]);
    assert_eq!(
        answer["value"]["values"][0]["systemMetadata"]["runId"],
        "load-42"
    );
    let by_state = json!({"criteria": [{"field": "state.payload", "value": "state at 3000"}]});
    let (_, answer) = values(
        &app,
        query(
            "datahubIngestionCheckpoint",
            JOB,
            json!({"filter": by_state}),
        ),
    )
    .await;
    assert_eq!(stamps(&events(&answer)), vec![3000]);
}

#[tokio::test]
async fn bad_requests_are_400s_and_a_bad_event_writes_nothing() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal("dataset", DATASET, "datasetProfile", profile(1000, 1)),
    )
    .await;

    let inverted = values(
        &app,
        query(
            "datasetProfile",
            DATASET,
            json!({"startTimeMillis": 5000, "endTimeMillis": 1000}),
        ),
    )
    .await;
    refused(&inverted, StatusCode::BAD_REQUEST, "is after endTimeMillis");
    refused(
        &values(&app, query("datasetProperties", DATASET, json!({}))).await,
        StatusCode::BAD_REQUEST,
        "is not a timeseries aspect",
    );
    refused(
        &values(&app, query("datasetProfile", DATASET, json!({"limit": 0}))).await,
        StatusCode::BAD_REQUEST,
        "limit must be",
    );
    let odd =
        json!({"or": [{"and": [{"field": "rowCount", "values": ["1"], "condition": "NEAR"}]}]});
    refused(
        &values(
            &app,
            query("datasetProfile", DATASET, json!({"filter": odd})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "NEAR",
    );
    refused(
        &values(
            &app,
            json!({"entity": "dataset", "aspect": "datasetProfile"}),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "urn is missing",
    );
    refused(
        &values(
            &app,
            query("datasetProfile", DATASET, json!({"entity": "dataJob"})),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "does not match the URN",
    );

    // An event without its time fails its batch: nothing of the batch is written.
    let before = (
        app.count_rows("timeseries_aspect").await,
        app.count_rows("aspect").await,
        app.count_rows("entity").await,
    );
    let other = "urn:li:dataset:(urn:li:dataPlatform:hive,other,PROD)";
    let answer = app
        .post_json(
            BATCH,
            batch(vec![
                proposal("dataset", other, "datasetProfile", profile(7000, 7)),
                proposal("dataset", other, "status", json!({"removed": false})),
                proposal("dataset", other, "datasetProfile", json!({"rowCount": 3})),
            ]),
        )
        .await;
    assert_eq!(answer.0, StatusCode::UNPROCESSABLE_ENTITY, "{}", answer.1);
    let message = answer.1["message"].as_str().unwrap_or_default();
    assert!(message.contains("proposal 3 of 3"), "{message}");
    assert!(message.contains("timestampMillis"), "{message}");
    let after = (
        app.count_rows("timeseries_aspect").await,
        app.count_rows("aspect").await,
        app.count_rows("entity").await,
    );
    assert_eq!(before, after);
}

#[tokio::test]
async fn graphql_reads_a_datasets_profiles_and_operations() {
    let app = TestApp::new().await;
    let mut ps: Vec<Value> = (1..=3)
        .map(|i| {
            proposal(
                "dataset",
                DATASET,
                "datasetProfile",
                profile(i * 1000, i * 100),
            )
        })
        .collect();
    ps.push(proposal(
        "dataset",
        DATASET,
        "operation",
        json!({
            "timestampMillis": 1500,
            "lastUpdatedTimestamp": 1400,
            "operationType": "INSERT",
            "actor": "urn:li:corpuser:etl",
            "sourceType": "DATA_PROCESS",
            "numAffectedRows": 42,
            "customProperties": {"job": "load"},
        }),
    ));
    ps.push(proposal(
        "dataset",
        DATASET,
        "operation",
        json!({"timestampMillis": 2500, "lastUpdatedTimestamp": 2500, "operationType": "CUSTOM",
               "customOperationType": "VACUUM"}),
    ));
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let data = app
        .data(&format!(
            r#"{{ dataset(urn: "{DATASET}") {{
                datasetProfiles(startTimeMillis: 1500, limit: 5) {{
                    timestampMillis rowCount columnCount sizeInBytes
                    partitionSpec {{ type partition }}
                    fieldProfiles {{ fieldPath uniqueCount nullProportion quantiles {{ quantile value }} }}
                }}
                latest: datasetProfiles(limit: 1) {{ timestampMillis }}
                operations {{
                    timestampMillis lastUpdatedTimestamp operationType customOperationType
                    actor sourceType numAffectedRows customProperties {{ key value }}
                }}
            }} }}"#
        ))
        .await;
    let d = &data["dataset"];
    assert_eq!(
        d["datasetProfiles"],
        json!([
            {"timestampMillis": 3000, "rowCount": 300, "columnCount": 2, "sizeInBytes": null,
             "partitionSpec": {"type": "FULL_TABLE", "partition": "FULL_TABLE_SNAPSHOT"},
             "fieldProfiles": [{"fieldPath": "id", "uniqueCount": 300, "nullProportion": 0.0,
                                "quantiles": [{"quantile": "0.5", "value": "7"}]}]},
            {"timestampMillis": 2000, "rowCount": 200, "columnCount": 2, "sizeInBytes": null,
             "partitionSpec": {"type": "FULL_TABLE", "partition": "FULL_TABLE_SNAPSHOT"},
             "fieldProfiles": [{"fieldPath": "id", "uniqueCount": 200, "nullProportion": 0.0,
                                "quantiles": [{"quantile": "0.5", "value": "7"}]}]},
        ])
    );
    assert_eq!(d["latest"], json!([{"timestampMillis": 3000}]));
    assert_eq!(
        d["operations"],
        json!([
            {"timestampMillis": 2500, "lastUpdatedTimestamp": 2500, "operationType": "CUSTOM",
             "customOperationType": "VACUUM", "actor": null, "sourceType": null,
             "numAffectedRows": null, "customProperties": null},
            {"timestampMillis": 1500, "lastUpdatedTimestamp": 1400, "operationType": "INSERT",
             "customOperationType": null, "actor": "urn:li:corpuser:etl",
             "sourceType": "DATA_PROCESS", "numAffectedRows": 42,
             "customProperties": [{"key": "job", "value": "load"}]},
        ])
    );
    let code = app
        .error_code(&format!(
            r#"{{ dataset(urn: "{DATASET}") {{ datasetProfiles(startTimeMillis: 5, endTimeMillis: 1) {{ timestampMillis }} }} }}"#
        ))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn batch_get_answers_the_entities_that_exist_with_the_aspects_asked_for() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "dataset",
            DATASET,
            "datasetProperties",
            json!({"name": "users", "customProperties": {}}),
        ),
    )
    .await;
    let mut p = proposal("dataset", DATASET, "status", json!({"removed": false}));
    p["systemMetadata"]["runId"] = json!("load-7");
    ingest(&app, p).await;
    ingest(
        &app,
        proposal("dataset", DATASET, "datasetProfile", profile(1000, 5)),
    )
    .await;
    let missing = "urn:li:dataset:(urn:li:dataPlatform:hive,missing,PROD)";

    let path = "/openapi/v3/entity/dataset/batchGet";
    let body = json!([{"urn": DATASET, "status": {}, "datasetProfile": {}}, {"urn": missing, "status": {}}]);
    let (status, answer) = app.post_json(path, body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer,
        json!([{"urn": DATASET, "status": {"value": {"removed": false}},
                "datasetProfile": {"value": profile(1000, 5)}}])
    );

    // Every aspect, with system metadata.
    let (status, answer) = app
        .post_json(
            &format!("{path}?systemMetadata=true"),
            json!([{"urn": DATASET}]).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    let item = &answer[0];
    assert_eq!(item["datasetProperties"]["value"]["name"], "users");
    assert_eq!(item["status"]["systemMetadata"]["runId"], "load-7");
    assert_eq!(
        item["datasetKey"]["value"],
        json!({"platform": "urn:li:dataPlatform:hive", "name": "fct_users_deleted", "origin": "PROD"})
    );

    refused(
        &app.post_json("/openapi/v3/entity/notAType/batchGet", "[]")
            .await,
        StatusCode::NOT_FOUND,
        "not an entity type",
    );
    refused(
        &app.post_json(path, json!([{"urn": JOB}]).to_string()).await,
        StatusCode::BAD_REQUEST,
        "not dataset",
    );
    refused(
        &app.post_json(
            path,
            json!([{"urn": DATASET, "mlModelProperties": {}}]).to_string(),
        )
        .await,
        StatusCode::BAD_REQUEST,
        "mlModelProperties",
    );
    refused(
        &app.post_json(path, json!({"urn": DATASET}).to_string())
            .await,
        StatusCode::BAD_REQUEST,
        "must be an array",
    );
}

fn related_path(urn: &str, types: &[&str], direction: &str, start: u64, count: u64) -> String {
    let mut path = format!(
        "/openapi/relationships/v1/?urn={}&direction={direction}&start={start}&count={count}",
        encode(urn)
    );
    for t in types {
        path.push_str(&format!("&relationshipTypes={t}"));
    }
    path
}

fn related(answer: &Value) -> Vec<(String, String)> {
    answer["entities"]
        .as_array()
        .expect("entities")
        .iter()
        .map(|e| {
            (
                e["relationshipType"].as_str().unwrap().to_string(),
                e["urn"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn relationships_are_paged_in_either_direction() {
    let app = TestApp::new().await;
    let upstreams: Vec<Value> = [UPSTREAM_A, UPSTREAM_B, UPSTREAM_C]
        .iter()
        .map(|u| json!({"dataset": u, "type": "TRANSFORMED", "auditStamp": {"time": 0, "actor": "urn:li:corpuser:x"}}))
        .collect();
    ingest(
        &app,
        proposal(
            "dataset",
            DATASET,
            "upstreamLineage",
            json!({"upstreams": upstreams}),
        ),
    )
    .await;
    ingest(
        &app,
        proposal(
            "dataset",
            DATASET,
            "globalTags",
            json!({"tags": [{"tag": TAG}]}),
        ),
    )
    .await;

    // Outgoing: what the dataset's own aspects declare, a page at a time, then an empty page
    // (where the SDK stops).
    let mut seen = Vec::new();
    for start in [0, 2, 3] {
        let (status, page) = app
            .get_json(&related_path(
                DATASET,
                &["DownstreamOf"],
                "OUTGOING",
                start,
                2,
            ))
            .await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert_eq!(page["start"], start);
        assert_eq!(page["total"], 3);
        assert_eq!(page["count"], related(&page).len());
        seen.extend(related(&page));
    }
    let mut want: Vec<(String, String)> = [UPSTREAM_A, UPSTREAM_B, UPSTREAM_C]
        .iter()
        .map(|u| ("DownstreamOf".to_string(), u.to_string()))
        .collect();
    seen.sort();
    want.sort();
    assert_eq!(seen, want);

    // Incoming: what other entities declare towards this one.
    let (_, page) = app
        .get_json(&related_path(
            UPSTREAM_B,
            &["DownstreamOf"],
            "INCOMING",
            0,
            10,
        ))
        .await;
    assert_eq!(
        related(&page),
        vec![("DownstreamOf".into(), DATASET.into())]
    );
    let (_, page) = app
        .get_json(&related_path(
            UPSTREAM_B,
            &["DownstreamOf"],
            "OUTGOING",
            0,
            10,
        ))
        .await;
    assert_eq!(page["total"], 0);

    // Several types at once, governance among them; a type mlcat derives no edges of is none.
    let (_, page) = app
        .get_json(&related_path(
            DATASET,
            &["TaggedWith", "DownstreamOf", "Produces_Unknown"],
            "OUTGOING",
            0,
            10,
        ))
        .await;
    assert_eq!(page["total"], 4);
    assert!(related(&page).contains(&("TaggedWith".into(), TAG.into())));
    let (_, page) = app
        .get_json(&related_path(TAG, &["TaggedWith"], "INCOMING", 0, 10))
        .await;
    assert_eq!(related(&page), vec![("TaggedWith".into(), DATASET.into())]);

    refused(
        &app.get_json(&format!(
            "/openapi/relationships/v1/?urn={}&relationshipTypes=DownstreamOf",
            encode(DATASET)
        ))
        .await,
        StatusCode::BAD_REQUEST,
        "direction is missing",
    );
    refused(
        &app.get_json(&related_path(DATASET, &["DownstreamOf"], "SIDEWAYS", 0, 10))
            .await,
        StatusCode::BAD_REQUEST,
        "SIDEWAYS",
    );
    refused(
        &app.get_json(&related_path(DATASET, &[], "OUTGOING", 0, 10))
            .await,
        StatusCode::BAD_REQUEST,
        "relationshipTypes is missing",
    );
}

#[tokio::test]
async fn config_says_stateful_ingestion_is_served() {
    let app = TestApp::new().await;
    let (_, config) = app.get_json("/config").await;
    assert_eq!(config["statefulIngestionCapable"], true);
    // The checkpoint provider's whole round trip: the job's status and its checkpoint in one
    // request each, then the latest checkpoint of the pipeline.
    ingest(
        &app,
        proposal("dataJob", JOB, "status", json!({"removed": true, "lifecycleLastUpdated": {"time": 5, "actor": "urn:li:corpuser:__datahub_system"}})),
    )
    .await;
    let (status, body) = app
        .post_json(
            INGEST,
            single(proposal(
                "dataJob",
                JOB,
                "datahubIngestionCheckpoint",
                checkpoint(9000, "nightly"),
            )),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let filter = json!({"or": [{"and": [{"field": "pipelineName", "values": ["nightly"], "condition": "EQUAL"}]}]});
    let (_, answer) = values(
        &app,
        query(
            "datahubIngestionCheckpoint",
            JOB,
            json!({"limit": 1, "filter": filter}),
        ),
    )
    .await;
    assert_eq!(events(&answer), vec![checkpoint(9000, "nightly")]);
}

/// `n` datasets with three profiles and an operation each, and a query asking each for its
/// latest profile and operation (as DataHub's search cards do): the statements it ran.
async fn statements_for_datasets(n: usize) -> (usize, Value) {
    let app = TestApp::new().await;
    let urns: Vec<String> = (0..n)
        .map(|i| format!("urn:li:dataset:(urn:li:dataPlatform:hive,t{i},PROD)"))
        .collect();
    let mut ps = Vec::new();
    for (i, urn) in urns.iter().enumerate() {
        for ts in 1..=3 {
            ps.push(proposal(
                "dataset",
                urn,
                "datasetProfile",
                profile(ts * 1000, i as i64),
            ));
        }
        ps.push(proposal(
            "dataset",
            urn,
            "operation",
            json!({"timestampMillis": 10, "lastUpdatedTimestamp": 10, "operationType": "UPDATE"}),
        ));
    }
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let fields: String = urns
        .iter()
        .enumerate()
        .map(|(i, u)| {
            format!(
                r#"d{i}: dataset(urn: "{u}") {{ lastProfile: datasetProfiles(limit: 1) {{ timestampMillis rowCount }} lastOperation: operations(limit: 1) {{ operationType }} }} "#
            )
        })
        .collect();
    let before = app.statements();
    let data = app.data(&format!("{{ {fields} }}")).await;
    (app.statements() - before, data)
}

#[tokio::test]
async fn a_list_of_datasets_reads_its_series_in_as_many_statements_for_twenty_as_for_two() {
    let (few, small) = statements_for_datasets(2).await;
    let (many, large) = statements_for_datasets(20).await;
    assert_eq!(
        small["d1"],
        json!({"lastProfile": [{"timestampMillis": 3000, "rowCount": 1}],
               "lastOperation": [{"operationType": "UPDATE"}]})
    );
    assert_eq!(
        large["d19"]["lastProfile"],
        json!([{"timestampMillis": 3000, "rowCount": 19}])
    );
    assert_eq!(few, many, "statements grew with the number of datasets");
}

#[tokio::test]
async fn a_hard_delete_erases_the_events_of_the_entity_and_counts_them() {
    let app = TestApp::new().await;
    let mut ps: Vec<Value> = [1000, 2000]
        .into_iter()
        .map(|ts| proposal("dataset", DATASET, "datasetProfile", profile(ts, 5)))
        .collect();
    ps.push(proposal(
        "dataset",
        DATASET,
        "datasetProperties",
        json!({"name": "users"}),
    ));
    ps.push(proposal(
        "dataset",
        UPSTREAM_A,
        "datasetProfile",
        profile(1000, 7),
    ));
    let (status, body) = app.post_json(BATCH, batch(ps)).await;
    assert_eq!(status, StatusCode::OK, "{body}");

    let (status, answer) = app
        .post_json(
            "/entities?action=delete",
            json!({"urn": DATASET}).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(
        answer["value"],
        json!({"urn": DATASET, "rows": 1, "timeseriesRows": 2})
    );
    let (status, left) = values(&app, query("datasetProfile", DATASET, json!({}))).await;
    assert_eq!(status, StatusCode::OK, "{left}");
    assert!(events(&left).is_empty(), "{left}");
    // Another entity's events stay.
    assert_eq!(app.count_rows("timeseries_aspect").await, 1);
}
