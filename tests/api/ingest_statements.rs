//! What one batch of the benchmark's ingestion costs in SQL statements: the batch the suite's
//! `benches/lua/ingest.lua` sends (200 proposals: 182 new features derived from three existing
//! datasets, and every tenth proposal a new feature table listing the ten features before it).
//! The write path applies a batch set-wise, so the count is fixed by the tables a batch writes,
//! not by the number of rows; this pins it, so a statement per row (or per chunk of rows)
//! coming back shows here first.

use std::sync::atomic::{AtomicUsize, Ordering};

use axum::http::StatusCode;
use mlcat::auth::Auth;
use mlcat::catalog::{Actor, AspectWrite};
use mlcat::config::Limits;
use mlcat::urn::Urn;
use sea_orm::{ConnectionTrait, DbBackend};
use serde_json::{json, Value};

use crate::datahub::proposal;
use crate::support::TestApp;

const BATCH: &str = "/aspects?action=ingestProposalBatch";

fn source(i: usize) -> String {
    format!("urn:li:dataset:(urn:li:dataPlatform:hive,s{i},PROD)")
}

/// The proposals of `ingest.lua`'s batch number `n` of 200.
fn bench_batch(n: usize) -> Vec<Value> {
    let feature = |i: usize| format!("urn:li:mlFeature:(ingest_t0_r{n},f{i})");
    let mut out = Vec::new();
    let mut i = 0;
    while out.len() < 200 {
        out.push(proposal(
            "mlFeature",
            &feature(i),
            "mlFeatureProperties",
            json!({
                "customProperties": {"i": i.to_string()},
                "description": format!("feature {i}"),
                "dataType": "CONTINUOUS",
                "sources": [source((n + i) % 3)],
            }),
        ));
        if i % 10 == 9 && out.len() < 200 {
            let members: Vec<String> = (i - 9..=i).map(feature).collect();
            out.push(proposal(
                "mlFeatureTable",
                &format!(
                    "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,ingest_t0_r{n}_{})",
                    i / 10
                ),
                "mlFeatureTableProperties",
                json!({"customProperties": {}, "mlFeatures": members}),
            ));
        }
        i += 1;
    }
    out
}

async fn post(app: &TestApp, proposals: Vec<Value>) {
    let body = json!({"proposals": proposals, "async": "false"}).to_string();
    let (status, answer) = app.post_json(BATCH, body).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
}

/// An empty catalog whose statements are all counted: on SQLite a named in-memory database,
/// which the write path writes through the pool (a SQLite file gets a writer connection of its
/// own, `store::writer_connection`, which the test's counter does not see); the statements are
/// the same.
async fn counted_app() -> TestApp {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| !u.is_empty()) {
        return TestApp::new().await;
    }
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let url = format!(
        "sqlite:file:ingest_statements_{}_{}?mode=memory&cache=shared",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    TestApp::over(url, None, Limits::default(), Auth::Off).await
}

#[tokio::test]
async fn a_batch_of_two_hundred_new_entities_runs_a_fixed_number_of_statements() {
    let app = counted_app().await;
    let sources: Vec<Value> = (0..3)
        .map(|i| {
            proposal(
                "dataset",
                &source(i),
                "datasetProperties",
                json!({"name": format!("s{i}")}),
            )
        })
        .collect();
    post(&app, sources).await;
    // The first batch, then a second one: the second writes into a catalog that holds rows,
    // versions, edges and index rows already, as every batch of the benchmark but its first.
    post(&app, bench_batch(1)).await;
    let before = app.statements();
    post(&app, bench_batch(2)).await;
    let ran = app.statements() - before;

    // PostgreSQL: the entity rows inserted (their URNs returned), locked and read, the
    // versions, the edges' far ends looked up, the edges, the entities marked written, their
    // indexed aspects read back, the search documents, the facets: one statement each,
    // whatever the batch's size. SQLite inserts 50 rows per statement (4 for the versions, 8
    // for the edges) and replaces the index 100 entities at a time.
    let expected = match app.db.get_database_backend() {
        DbBackend::Postgres => 9,
        _ => 31,
    };
    assert_eq!(ran, expected, "statements of one 200-proposal batch");

    // And it wrote what it should: 3 sources and their platform + 2 × 200 entities and
    // their platform (feast), 2 × (182 + 180) edges.
    assert_eq!(app.count_rows("entity").await, 405);
    assert_eq!(app.count_rows("edge").await, 2 * 362);
    assert_eq!(app.count_rows("aspect").await, 403);
}

/// A write that moves only a registered model's `lastModified` stamp (what every MLflow version
/// creation does to its model) leaves its index row alone; one that changes its description
/// rebuilds it. Either way a search finds it by what it says now.
#[tokio::test]
async fn a_stamp_only_change_leaves_the_index_row_alone() {
    let app = counted_app().await;
    let catalog = app.catalog();
    let group = Urn::parse("urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,churn,PROD)").unwrap();
    let props = |description: &str, modified: i64| {
        vec![AspectWrite::upsert(
            group.clone(),
            "mlModelGroupProperties",
            json!({"name": "churn", "description": description,
                   "lastModified": {"time": modified}}),
        )]
    };
    let actor = Actor::named("mlflow");
    catalog
        .write(&actor, props("weekly retention", 1))
        .await
        .unwrap();
    let before = app.statements();
    catalog
        .write(&actor, props("weekly retention", 2))
        .await
        .unwrap();
    let stamp_only = app.statements() - before;
    let before = app.statements();
    catalog
        .write(&actor, props("monthly retention", 3))
        .await
        .unwrap();
    let described = app.statements() - before;
    // The index row's rebuild: the entity's indexed aspects read, its old row and facets
    // removed, the new ones written (PostgreSQL replaces the row in one statement).
    let rebuild = match app.db.get_database_backend() {
        DbBackend::Postgres => 3,
        _ => 5,
    };
    assert_eq!(
        described - stamp_only,
        rebuild,
        "{stamp_only} then {described}"
    );
    let found = |query: &'static str| {
        let app = &app;
        async move {
            crate::search::urns(app, json!({"types": ["MLMODEL_GROUP"], "query": query})).await
        }
    };
    assert_eq!(found("monthly").await, [group.as_str()]);
    assert!(found("weekly").await.is_empty());
    assert_eq!(found("churn").await, [group.as_str()]);
}
