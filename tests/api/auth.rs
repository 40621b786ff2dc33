//! Access tokens: with auth on, no token or a bad one is refused (401 / UNAUTHENTICATED), a
//! read token cannot write (403 / FORBIDDEN), and every write records its actor. `/health`
//! and the playground page stay open.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::auth::{self, Scope};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::{json, Value};

use crate::support::TestApp;

const QUERY: &str = r#"{ listMLModels { total } }"#;
const MUTATION: &str =
    r#"mutation { upsertMLModelGroup(input: {platform: "mlflow", name: "churn"}) { urn } }"#;

async fn graphql(app: &TestApp, token: Option<&str>, query: &str) -> (StatusCode, Value) {
    let mut request = Request::post("/api/graphql").header("content-type", "application/json");
    if let Some(token) = token {
        request = request.header("authorization", format!("Bearer {token}"));
    }
    let body = Body::from(json!({ "query": query }).to_string());
    let (status, bytes) = app.request(request.body(body).unwrap()).await;
    (status, serde_json::from_slice(&bytes).unwrap())
}

/// The actors recorded on the aspect versions, oldest first.
async fn actors(app: &TestApp) -> Vec<String> {
    let rows = app
        .db
        .query_all(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT actor FROM aspect ORDER BY id",
        ))
        .await
        .unwrap();
    rows.iter()
        .map(|r| r.try_get::<String>("", "actor").unwrap())
        .collect()
}

#[tokio::test]
async fn no_token_or_a_bad_one_is_unauthenticated() {
    let app = TestApp::with_auth().await;
    for token in [None, Some("mlcat_not-a-token"), Some("")] {
        let (status, answer) = graphql(&app, token, QUERY).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{token:?}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
    }
    let (status, body) = app
        .request(
            Request::post("/aspects?action=ingestProposal")
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    let body: Value = serde_json::from_slice(&body).unwrap();
    assert!(body["message"].as_str().unwrap().contains("Bearer"));
}

#[tokio::test]
async fn health_and_the_playground_page_stay_open() {
    let app = TestApp::with_auth().await;
    assert_eq!(app.get("/health").await.0, StatusCode::OK);
    assert_eq!(app.get("/playground").await.0, StatusCode::OK);
    assert_eq!(
        app.get("/playground/assets/graphiql.min.js").await.0,
        StatusCode::OK
    );
}

#[tokio::test]
async fn a_read_token_reads_but_cannot_write() {
    let app = TestApp::with_auth().await;
    let token = auth::create_token(&app.db, "dashboards", Scope::Read)
        .await
        .unwrap();
    let (status, answer) = graphql(&app, Some(&token), QUERY).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["data"]["listMLModels"]["total"], 0);

    let before = app.count_rows("aspect").await;
    let (status, answer) = graphql(&app, Some(&token), MUTATION).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
    assert_eq!(app.count_rows("aspect").await, before);

    let (status, _) = app
        .request(
            Request::post("/aspects?action=ingestProposal")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(app.count_rows("aspect").await, before);
}

#[tokio::test]
async fn a_write_token_writes_under_its_name() {
    let app = TestApp::with_auth().await;
    let token = auth::create_token(&app.db, "feature-pipeline", Scope::Write)
        .await
        .unwrap();
    let (status, answer) = graphql(&app, Some(&token), MUTATION).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert!(answer.get("errors").is_none(), "{answer:#}");
    assert_eq!(actors(&app).await, ["feature-pipeline"]);

    let listed = auth::list_tokens(&app.db).await.unwrap();
    assert_eq!(listed.len(), 1);
    assert_eq!(listed[0].name, "feature-pipeline");
    assert_eq!(listed[0].scope, Scope::Write);
    assert!(listed[0].last_used_at.is_some());
}

#[tokio::test]
async fn a_revoked_token_is_refused() {
    let app = TestApp::with_auth().await;
    let token = auth::create_token(&app.db, "old", Scope::Write)
        .await
        .unwrap();
    assert_eq!(graphql(&app, Some(&token), QUERY).await.0, StatusCode::OK);
    assert_eq!(auth::revoke_tokens(&app.db, "old").await.unwrap(), 1);
    assert_eq!(
        graphql(&app, Some(&token), QUERY).await.0,
        StatusCode::UNAUTHORIZED
    );
    assert!(auth::list_tokens(&app.db).await.unwrap()[0]
        .revoked_at
        .is_some());
}

#[tokio::test]
async fn with_auth_off_writes_are_anonymous() {
    let app = TestApp::new().await;
    let (status, answer) = graphql(&app, None, MUTATION).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    assert_eq!(actors(&app).await, ["anonymous"]);
}

#[tokio::test]
async fn an_ingested_aspect_is_recorded_under_the_token_not_the_claimed_actor() {
    let app = TestApp::with_auth().await;
    let token = auth::create_token(&app.db, "sdk-job", Scope::Write)
        .await
        .unwrap();
    let proposal = json!({"proposal": {
        "entityType": "mlModelGroup",
        "entityUrn": "urn:li:mlModelGroup:(urn:li:dataPlatform:science,g,PROD)",
        "changeType": "UPSERT",
        "aspectName": "mlModelGroupProperties",
        "aspect": {"value": "{\"description\": \"d\"}", "contentType": "application/json"},
        "systemMetadata": {"runId": "run-7", "aspectModified": {"time": 1, "actor": "urn:li:corpuser:someone-else"}}
    }});
    let (status, body) = app
        .request(
            Request::post("/aspects?action=ingestProposal")
                .header("authorization", format!("Bearer {token}"))
                .header("content-type", "application/json")
                .body(Body::from(proposal.to_string()))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    assert_eq!(actors(&app).await, ["sdk-job"]);
    let run: String = app
        .db
        .query_one(Statement::from_string(
            app.db.get_database_backend(),
            "SELECT run_id FROM aspect",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get("", "run_id")
        .unwrap();
    assert_eq!(run, "run-7");
}
