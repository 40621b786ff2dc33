//! MLflow's registry API refusing: bad input answers MLflow's code and status with nothing
//! written, and the access tokens of the other front doors guard it.

use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::mlflow::{call, call_as, model_with_versions, ok, refused};
use crate::support::TestApp;

#[tokio::test]
async fn bad_input_answers_mlflow_codes_and_writes_nothing() {
    let app = TestApp::new().await;
    model_with_versions(&app, "m", 2).await;
    let bad = StatusCode::BAD_REQUEST;
    let missing = StatusCode::NOT_FOUND;
    let cases: Vec<(&str, &str, Value, StatusCode, &str)> = vec![
        (
            "POST",
            "registered-models/create",
            json!({"name": "m"}),
            bad,
            "RESOURCE_ALREADY_EXISTS",
        ),
        (
            "POST",
            "registered-models/create",
            json!({"name": ""}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/create",
            json!({"name": "a/b"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/create",
            json!({"name": 7}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/get",
            json!({"name": "nope"}),
            missing,
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            "POST",
            "model-versions/create",
            json!({"name": "nope", "source": "s3://x"}),
            missing,
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            "POST",
            "model-versions/create",
            json!({"name": "m"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "model-versions/get",
            json!({"name": "m", "version": "9"}),
            missing,
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            "GET",
            "model-versions/get",
            json!({"name": "m", "version": "one"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "model-versions/transition-stage",
            json!({"name": "m", "version": "1", "stage": "Shipped"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "model-versions/transition-stage",
            json!({"name": "m", "version": "1", "stage": "Archived", "archive_existing_versions": true}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"filter": "name = 'a' OR name = 'b'"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"filter": "name LIKE"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"filter": "run_id = 'x'"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"order_by": ["size"]}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"max_results": "5000"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/search",
            json!({"page_token": "junk"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "model-versions/search",
            json!({"filter": "version_number LIKE '1'"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/alias",
            json!({"name": "m", "alias": "champion", "version": "9"}),
            missing,
            "RESOURCE_DOES_NOT_EXIST",
        ),
        (
            "POST",
            "registered-models/alias",
            json!({"name": "m", "alias": "latest", "version": "1"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/alias",
            json!({"name": "m", "alias": "V2", "version": "1"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/alias",
            json!({"name": "m", "alias": "a b", "version": "1"}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "POST",
            "registered-models/rename",
            json!({"name": "m", "new_name": ""}),
            bad,
            "INVALID_PARAMETER_VALUE",
        ),
        (
            "GET",
            "registered-models/unknown",
            json!({}),
            missing,
            "ENDPOINT_NOT_FOUND",
        ),
    ];
    for (method, path, fields, status, code) in cases {
        refused(&app, method, path, fields, status, code).await;
    }
    // The versions kept their stage.
    let v = ok(
        &app,
        "GET",
        "model-versions/get",
        json!({"name": "m", "version": "1"}),
    )
    .await;
    assert_eq!(v["model_version"]["current_stage"], "None");
}

#[tokio::test]
async fn access_tokens_guard_the_registry_as_the_other_front_doors() {
    let app = TestApp::with_auth().await;
    let (status, body) = call(&app, "GET", "registered-models/search", json!({})).await;
    assert_eq!(
        (status, body["error_code"].as_str()),
        (StatusCode::UNAUTHORIZED, Some("UNAUTHENTICATED"))
    );
    let writer = app.write_tokens(1).await.remove(0);
    let (status, body) = call_as(
        &app,
        Some(&writer),
        "POST",
        "registered-models/create",
        json!({"name": "t"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = call_as(
        &app,
        Some(&writer),
        "GET",
        "registered-models/get",
        json!({"name": "t"}),
    )
    .await;
    assert_eq!(
        (status, body["registered_model"]["user_id"].as_str()),
        (StatusCode::OK, Some("writer-0"))
    );
    let reader = mlcat::auth::create_token(&app.db, "reader", mlcat::auth::Scope::Read)
        .await
        .unwrap();
    // A read token reads, also through the one POST that only reads, and writes nothing.
    let (status, _) = call_as(
        &app,
        Some(&reader),
        "POST",
        "registered-models/get-latest-versions",
        json!({"name": "t"}),
    )
    .await;
    assert_eq!(status, StatusCode::OK);
    let (status, _) = call_as(
        &app,
        Some(&reader),
        "POST",
        "registered-models/create",
        json!({"name": "u"}),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}
