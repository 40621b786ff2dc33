//! What one OpenLineage event costs the database: the statements it runs do not grow with its
//! datasets, and what the catalog holds already (a job's inputs, run after run) is not written
//! again. The events are the benchmark's (`benches/lua/ingest.lua`): inputs with a schema of four
//! fields, two outputs with a schema and column lineage from the inputs.

use axum::http::StatusCode;
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::support::TestApp;

const FIELDS: [&str; 4] = ["id", "a", "b", "c"];

fn facet(mut body: Value) -> Value {
    body["_producer"] = json!("https://example.com/bench");
    body["_schemaURL"] = json!("https://openlineage.io/spec/facets/1-0-0/Facet.json");
    body
}

fn schema() -> Value {
    let fields: Vec<Value> = FIELDS
        .iter()
        .map(|f| json!({"name": f, "type": "int"}))
        .collect();
    facet(json!({ "fields": fields }))
}

/// A COMPLETE event of job `job`, run `run`, reading `inputs` tables of a pool and writing two
/// new tables whose columns come from them.
fn event(job: &str, run: u32, inputs: usize) -> Value {
    let names: Vec<String> = (0..inputs).map(|k| format!("bench.src_{k}")).collect();
    let ins: Vec<Value> = names
        .iter()
        .map(|n| json!({"namespace": "postgres://bench:5432", "name": n, "facets": {"schema": schema()}}))
        .collect();
    let outs: Vec<Value> = (0..2)
        .map(|o| {
            let mut fields = serde_json::Map::new();
            for (i, f) in FIELDS.iter().enumerate() {
                let from = |k: usize| {
                    json!({"namespace": "postgres://bench:5432", "name": names[k % inputs], "field": f})
                };
                fields.insert(
                    (*f).to_string(),
                    json!({"inputFields": [from(i + o), from(i + o + 1)]}),
                );
            }
            json!({
                "namespace": "s3://bench",
                "name": format!("{job}/out_{o}"),
                "facets": {"schema": schema(), "columnLineage": facet(json!({"fields": fields}))},
            })
        })
        .collect();
    json!({
        "eventType": "COMPLETE",
        "eventTime": "2026-01-31T12:00:00Z",
        "producer": "https://example.com/bench",
        "schemaURL": "https://openlineage.io/spec/2-0-2/OpenLineage.json#/$defs/RunEvent",
        "run": {"runId": format!("00000000-0000-4000-8000-{run:012}")},
        "job": {"namespace": "bench", "name": job},
        "inputs": ins,
        "outputs": outs,
    })
}

/// Sends an event that must be taken; answers the statements it ran on the app's connections.
async fn statements_of(app: &TestApp, event: &Value) -> usize {
    let before = app.statements();
    let (status, body) = app.post_json("/api/v1/lineage", event.to_string()).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    app.statements() - before
}

/// The version of an aspect's latest value.
async fn version(app: &TestApp, urn: &str, aspect: &str) -> i64 {
    let catalog = app.catalog();
    let entity = catalog
        .entity(&Urn::parse(urn).unwrap())
        .await
        .unwrap()
        .unwrap();
    let history = catalog
        .aspect_histories(&[entity.id], Some(aspect), 10)
        .await
        .unwrap();
    history.iter().map(|v| v.version).max().expect("a version")
}

#[tokio::test]
async fn an_event_runs_as_many_statements_with_fifteen_inputs_as_with_five() {
    let app = TestApp::new().await;
    // The pool's tables, written once.
    statements_of(&app, &event("first", 1, 15)).await;
    let five = statements_of(&app, &event("five", 2, 5)).await;
    let fifteen = statements_of(&app, &event("fifteen", 3, 15)).await;
    assert_eq!(five, fifteen, "statements grew with the datasets");
    if std::env::var("TEST_DATABASE_URL").is_err() {
        // On SQLite the writer has a connection of its own; the app's connections ran what
        // the front door read before the write: nothing, the event giving every schema its
        // column lineage names.
        assert_eq!(five, 0);
    }
}

#[tokio::test]
async fn inputs_a_run_repeats_are_not_written_again_and_what_changed_is() {
    let app = TestApp::new().await;
    let input = "urn:li:dataset:(urn:li:dataPlatform:postgres,bench.src_1,PROD)";
    statements_of(&app, &event("first", 1, 5)).await;
    for aspect in ["schemaMetadata", "openLineageDataset"] {
        assert_eq!(version(&app, input, aspect).await, 1, "{aspect}");
    }
    statements_of(&app, &event("second", 2, 5)).await;
    for aspect in ["schemaMetadata", "openLineageDataset"] {
        assert_eq!(
            version(&app, input, aspect).await,
            1,
            "{aspect} written again"
        );
    }
    // A later event with another schema for the input replaces it.
    let mut later = event("third", 3, 5);
    later["eventTime"] = json!("2026-02-01T12:00:00Z");
    later["inputs"][1]["facets"]["schema"]["fields"] =
        json!([{"name": "id", "type": "int"}, {"name": "a", "type": "string"}]);
    // Its column lineage names fields the new schema lacks: take them out of it.
    for o in 0..2 {
        later["outputs"][o]["facets"]["columnLineage"]["fields"] = json!({
            "id": {"inputFields": [{"namespace": "postgres://bench:5432", "name": "bench.src_1", "field": "id"}]},
        });
    }
    statements_of(&app, &later).await;
    assert_eq!(version(&app, input, "schemaMetadata").await, 2);
    assert_eq!(version(&app, input, "openLineageDataset").await, 2);
    // The job and run of every event are there, each with its outputs.
    for (job, run) in [("first", 1), ("second", 2), ("third", 3)] {
        let urn = format!("urn:li:dataJob:(urn:li:dataFlow:(bench,{job},bench),{job})");
        assert!(
            version(&app, &urn, "dataJobInputOutput").await >= 1,
            "{urn}"
        );
        let run = format!("urn:li:dataProcessInstance:00000000-0000-4000-8000-{run:012}");
        assert_eq!(version(&app, &run, "openLineageRun").await, 1, "{run}");
    }
}
