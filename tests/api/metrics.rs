//! `/metrics` (Prometheus's text format) and `/ready`: what an operator's scraper and load
//! balancer see. In-process tests share one recorder with every other test of the binary, so
//! they assert on labels only they use (an operation name) or on lower bounds; the real
//! process, which has the recorder to itself, is asserted exactly.

use axum::http::StatusCode;
use migration::{Migrator, MigratorTrait};
use mlcat::auth::Auth;
use mlcat::config::Limits;

use crate::process::{Http, Server};
use crate::support::{fresh_database, TestApp};

/// The value of the sample whose name and labels are `series` exactly (`name{a="b",...}`),
/// `None` when the scrape has no such sample.
fn sample(scrape: &str, series: &str) -> Option<f64> {
    scrape.lines().find_map(|line| {
        let (name, value) = line.rsplit_once(' ')?;
        (name == series).then(|| value.parse().ok()).flatten()
    })
}

async fn scrape(app: &TestApp) -> String {
    let (status, body) = app.get("/metrics").await;
    assert_eq!(status, StatusCode::OK);
    String::from_utf8(body).unwrap()
}

#[tokio::test]
async fn metrics_count_requests_operations_and_writes() {
    let app = TestApp::new().await;
    for _ in 0..3 {
        app.data("query MetricsProbeRead { listMLModels(input: {start: 0, count: 1}) { total } }")
            .await;
    }
    app.gql("query MetricsProbeBroken { noSuchField }").await;
    app.data(
        r#"mutation MetricsProbeWrite { upsertMLModel(input: {platform: "science", name: "metrics_probe"}) { urn } }"#,
    )
    .await;
    let text = scrape(&app).await;
    assert_eq!(
        sample(
            &text,
            r#"mlcat_graphql_operations_total{operation="MetricsProbeRead",kind="query",outcome="ok"}"#
        ),
        Some(3.0),
        "{text}"
    );
    assert_eq!(
        sample(
            &text,
            r#"mlcat_graphql_operations_total{operation="MetricsProbeBroken",kind="query",outcome="error"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"mlcat_graphql_operation_duration_seconds_count{operation="MetricsProbeWrite"}"#
        ),
        Some(1.0)
    );
    let requests = sample(
        &text,
        r#"mlcat_http_requests_total{route="/api/graphql",method="POST",status="200"}"#,
    )
    .unwrap();
    assert!(requests >= 5.0, "{requests}");
    assert!(sample(&text, "mlcat_aspects_written_total").unwrap() >= 1.0);
    assert!(text.contains("# TYPE mlcat_http_request_duration_seconds histogram"));
    assert!(text.contains(r#"mlcat_db_pool_connections{state="max"}"#));
}

#[tokio::test]
async fn ready_says_whether_every_migration_is_applied() {
    let app = TestApp::new().await;
    let (status, body) = app.get_json("/ready").await;
    assert_eq!(
        (status, body["status"].as_str()),
        (StatusCode::OK, Some("ready"))
    );

    // A database one migration behind this binary (an older server migrated it).
    let (url, dir) = fresh_database().await;
    let db = mlcat::store::connect(&url).await.unwrap();
    Migrator::up(&db, None).await.unwrap();
    Migrator::down(&db, Some(1)).await.unwrap();
    let behind = mlcat::app::router(db, &Limits::default(), Auth::Off);
    let (status, body) = crate::support::send(&behind, "GET", "/ready", String::new()).await;
    assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(body["status"], "not ready");
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("1 migration(s) of this binary are not applied"),
        "{body}"
    );
    drop(dir);
}

#[tokio::test]
async fn metrics_and_ready_need_no_token_and_refusals_are_counted() {
    let app = TestApp::with_auth().await;
    assert_eq!(app.get("/ready").await.0, StatusCode::OK);
    let before = sample(
        &scrape(&app).await,
        r#"mlcat_auth_failures_total{reason="missing"}"#,
    )
    .unwrap_or(0.0);
    let (status, _) = app
        .post_json("/api/graphql", r#"{"query": "{ __typename }"}"#)
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let after = sample(
        &scrape(&app).await,
        r#"mlcat_auth_failures_total{reason="missing"}"#,
    )
    .unwrap();
    assert!(after > before, "{before} -> {after}");
}

/// The real binary: statements, writes (the demo's), the write queue and traversals, exactly
/// as one process counts them.
#[tokio::test]
async fn a_server_process_reports_its_statements_writes_and_traversals() {
    let (url, _dir) = fresh_database().await;
    let server = Server::start_with(&url, &["--demo"]).await;
    let mut http = Http::new(server.addr);
    let query = r#"{"query": "{ lineageGraph(input: {urn: \"urn:li:mlModel:(urn:li:dataPlatform:science,scienceModel,PROD)\", direction: UPSTREAM}) { truncated } }"}"#;
    let (status, body) = http
        .send("POST", "/api/graphql", query.as_bytes())
        .await
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (status, body) = http.send("GET", "/metrics", b"").await.unwrap();
    assert_eq!(status, 200);
    let text = String::from_utf8(body).unwrap();
    assert!(
        sample(&text, r#"mlcat_sql_statements_total{outcome="ok"}"#).unwrap() > 10.0,
        "{text}"
    );
    assert!(sample(&text, "mlcat_aspects_written_total").unwrap() > 10.0);
    assert_eq!(
        sample(&text, "mlcat_lineage_traversal_entities_count"),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"mlcat_http_requests_total{route="/api/graphql",method="POST",status="200"}"#
        ),
        Some(1.0)
    );
    assert_eq!(
        sample(
            &text,
            r#"mlcat_graphql_operations_total{operation="anonymous",kind="query",outcome="ok"}"#
        ),
        Some(1.0)
    );
}

/// The statements of writes are counted whichever connection runs them: on a SQLite file the
/// write path has a connection of its own (`store::writer_connection`), whose statements
/// `/metrics` once left out.
#[tokio::test]
async fn a_server_process_counts_the_statements_of_its_writes() {
    let (url, _dir) = fresh_database().await;
    let server = Server::start(&url).await;
    let mut http = Http::new(server.addr);
    let statements = |text: &str| sample(text, r#"mlcat_sql_statements_total{outcome="ok"}"#);
    let (_, body) = http.send("GET", "/metrics", b"").await.unwrap();
    let before = statements(&String::from_utf8(body).unwrap()).unwrap_or(0.0);
    let value = serde_json::json!({"name": "counted"}).to_string();
    let batch = serde_json::json!({"proposals": [{
        "entityType": "dataset",
        "entityUrn": "urn:li:dataset:(urn:li:dataPlatform:hive,counted,PROD)",
        "changeType": "UPSERT", "aspectName": "datasetProperties",
        "aspect": {"value": value, "contentType": "application/json"}}], "async": "false"})
    .to_string();
    let (status, body) = http
        .send(
            "POST",
            "/aspects?action=ingestProposalBatch",
            batch.as_bytes(),
        )
        .await
        .unwrap();
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    let (_, body) = http.send("GET", "/metrics", b"").await.unwrap();
    let text = String::from_utf8(body).unwrap();
    let after = statements(&text).unwrap();
    // The write's own: its entity row made and read, its version, its search rows.
    assert!(after - before >= 5.0, "{before} -> {after}\n{text}");
}
