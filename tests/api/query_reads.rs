//! `--max-query-reads`: the bound a request's run keeps on what the data behind its lists makes
//! of it. The complexity limit prices page sizes before a query runs; how many entities a
//! relation answers is only known while it runs.

use mlcat::catalog::{Actor, AspectWrite};
use mlcat::config::Limits;
use mlcat::urn::Urn;
use serde_json::{json, Value};

use crate::support::TestApp;

/// `tables` feature tables that each hold the same `features` features.
async fn fan_out(limits: Limits, tables: usize, features: usize) -> TestApp {
    let app = TestApp::with_limits(limits).await;
    let feature = |i: usize| format!("urn:li:mlFeature:(fan,f{i})");
    let mut writes: Vec<AspectWrite> = (0..features)
        .map(|i| {
            AspectWrite::upsert(
                Urn::parse(&feature(i)).unwrap(),
                "mlFeatureProperties",
                json!({"dataType": "CONTINUOUS", "description": format!("feature {i}")}),
            )
        })
        .collect();
    for t in 0..tables {
        writes.push(AspectWrite::upsert(
            Urn::parse(&format!(
                "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t{t})"
            ))
            .unwrap(),
            "mlFeatureTableProperties",
            json!({"mlFeatures": (0..features).map(feature).collect::<Vec<_>>()}),
        ));
    }
    app.catalog()
        .write(&Actor::named("test"), writes)
        .await
        .unwrap();
    app
}

/// Every table, each with its features and their properties: 2 reads per table (its row, its
/// properties) and 2 per feature of each table (the entity, its properties).
const TABLES_AND_FEATURES: &str = "{ listMLFeatureTables(input: {count: 100}) { total entities {
    urn properties { mlFeatures { urn featureProperties { dataType description } } } } } }";

fn reads_limits(max_query_reads: usize) -> Limits {
    Limits {
        max_query_reads,
        ..Limits::default()
    }
}

fn assert_refused_for_reads(answer: &Value, max: usize) {
    let errors = answer["errors"].as_array().expect("errors");
    assert_eq!(errors.len(), 1, "one error, not one per field: {answer:#}");
    assert_eq!(errors[0]["extensions"]["code"], "BAD_USER_INPUT");
    let message = errors[0]["message"].as_str().unwrap();
    assert!(
        message.contains(&format!("more than {max} ")) && message.contains("--max-query-reads"),
        "{message}"
    );
}

#[tokio::test]
async fn a_query_whose_data_fans_out_past_its_reads_is_stopped_with_one_error() {
    // 10 tables × 10 features read 2 × 10 + 2 × 100 = 220 times.
    let app = fan_out(reads_limits(150), 10, 10).await;
    let answer = app.gql(TABLES_AND_FEATURES).await;
    assert_refused_for_reads(&answer, 150);
    assert!(answer["data"].is_null(), "no half-built answer: {answer:#}");
}

#[tokio::test]
async fn the_same_query_within_its_reads_answers_every_entity() {
    let app = fan_out(reads_limits(220), 10, 10).await;
    let answer = app.gql(TABLES_AND_FEATURES).await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    let tables = answer["data"]["listMLFeatureTables"]["entities"]
        .as_array()
        .unwrap();
    assert_eq!(tables.len(), 10);
    for table in tables {
        let features = table["properties"]["mlFeatures"].as_array().unwrap();
        assert_eq!(features.len(), 10, "{table:#}");
        assert_eq!(features[3]["featureProperties"]["description"], "feature 3");
    }
    // The count is the request's own: the next one starts from nothing.
    let again = app.gql(TABLES_AND_FEATURES).await;
    assert!(again.get("errors").is_none(), "{again:#}");
}

#[tokio::test]
async fn one_more_read_than_the_limit_is_refused() {
    let app = fan_out(reads_limits(219), 10, 10).await;
    assert_refused_for_reads(&app.gql(TABLES_AND_FEATURES).await, 219);
}

#[tokio::test]
async fn a_list_pays_for_its_rows() {
    let app = fan_out(reads_limits(5), 10, 1).await;
    let answer = app
        .gql("{ listMLFeatureTables(input: {count: 10}) { total entities { urn } } }")
        .await;
    assert_refused_for_reads(&answer, 5);
    let answer = app
        .gql("{ listMLFeatureTables(input: {count: 5}) { total entities { urn } } }")
        .await;
    assert!(answer.get("errors").is_none(), "{answer:#}");
    assert_eq!(answer["data"]["listMLFeatureTables"]["total"], 10);
}

#[tokio::test]
async fn a_mutation_over_its_reads_keeps_its_write_and_says_so() {
    // The mutation reads its entity back (1), its properties (1), then runs out.
    let app = TestApp::with_limits(reads_limits(2)).await;
    let answer = app
        .gql(
            r#"mutation { upsertMLFeature(input: {featureNamespace: "reads", name: "kept",
                 description: "written"}) {
                 urn properties { description } featureProperties { description } } }"#,
        )
        .await;
    let feature = &answer["data"]["upsertMLFeature"];
    assert_eq!(
        feature["urn"], "urn:li:mlFeature:(reads,kept)",
        "{answer:#}"
    );
    assert_eq!(
        feature["properties"]["description"], "written",
        "{answer:#}"
    );
    assert!(feature["featureProperties"].is_null(), "{answer:#}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert_eq!(
        answer["errors"][0]["path"],
        json!(["upsertMLFeature", "featureProperties"])
    );
    let read = app
        .gql(
            r#"{ mlFeature(urn: "urn:li:mlFeature:(reads,kept)") { properties { description } } }"#,
        )
        .await;
    assert_eq!(
        read["data"]["mlFeature"]["properties"]["description"],
        "written"
    );
}

#[tokio::test]
async fn the_limit_must_be_at_least_one() {
    let problems = reads_limits(0).check().unwrap_err();
    assert!(problems.contains("--max-query-reads is 0"), "{problems}");
}
