//! The DataHub endpoints besides `ingestProposal`: OpenAPI v3 upserts, `/config` for
//! `test_connection`, key aspects and `entitiesV2`, and aspect reads that find nothing (404) or
//! are malformed (400).

use axum::http::StatusCode;
use serde_json::json;

use crate::datahub::{
    aspect_path, encode, ingest, proposal, refused, DATASET, FEATURE, FEATURE2, TABLE,
};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// OpenAPI v3, config, key aspects and entitiesV2

#[tokio::test]
async fn openapi_v3_upserts_and_echoes() {
    let app = TestApp::new().await;
    let items = json!([
        {"urn": FEATURE, "mlFeatureProperties": {
            "value": {"customProperties": {}, "description": "probe feature", "dataType": "CONTINUOUS"},
            "systemMetadata": {"lastObserved": 1, "runId": "openapi-run"},
            "headers": {}}},
        {"urn": FEATURE2,
         "mlFeatureProperties": {"value": {"description": "two"}},
         "status": {"value": {"removed": false}}},
    ]);
    let (status, body) = app
        .post_json(
            "/openapi/v3/entity/mlFeature?async=false",
            items.to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body[0]["urn"], FEATURE);
    assert_eq!(
        body[0]["mlFeatureProperties"]["value"]["description"],
        "probe feature"
    );
    let (_, read) = app
        .get_json(&aspect_path(FEATURE2, "mlFeatureProperties", 0))
        .await;
    assert_eq!(
        read["aspect"]["com.linkedin.ml.metadata.MLFeatureProperties"],
        json!({"description": "two"})
    );
    assert_eq!(app.count_rows("aspect").await, 3);

    // GMS documents the path in lower case.
    let (status, _) = app
        .post_json(
            "/openapi/v3/entity/mlfeature",
            json!([{"urn": FEATURE, "status": {"value": {"removed": false}}}]).to_string(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);

    let answer = app
        .post_json(
            "/openapi/v3/entity/notAType",
            json!([{"urn": FEATURE}]).to_string(),
        )
        .await;
    refused(&answer, StatusCode::NOT_FOUND, "not an entity type");
    let answer = app
        .post_json(
            "/openapi/v3/entity/mlModel",
            json!([{"urn": FEATURE, "status": {"value": {}}}]).to_string(),
        )
        .await;
    refused(
        &answer,
        StatusCode::UNPROCESSABLE_ENTITY,
        "item 1 of 1 (urn:li:mlFeature:(my-feature-table,my-feature)): the URN is of type mlFeature, not mlModel",
    );
    let answer = app
        .post_json(
            "/openapi/v3/entity/mlFeature",
            json!([{"urn": FEATURE, "mlFeatureProperties": {"value": {"dataType": "NOPE"}}}])
                .to_string(),
        )
        .await;
    refused(&answer, StatusCode::UNPROCESSABLE_ENTITY, "NOPE");
}

#[tokio::test]
async fn config_satisfies_test_connection() {
    let app = TestApp::new().await;
    let (status, config) = app.get_json("/config").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(config["noCode"], "true");
    assert_eq!(config["datahub"]["serverEnv"], "core");
    // Parses as the SDK's version pattern, and is below 1.0.1: the SDK stays on Rest.li.
    assert_eq!(config["versions"]["acryldata/datahub"]["version"], "v1.0.0");
    assert_eq!(config["patchCapable"], true);
}

#[tokio::test]
async fn key_aspects_and_entities_v2() {
    let app = TestApp::new().await;
    ingest(
        &app,
        proposal(
            "mlFeature",
            FEATURE,
            "mlFeatureProperties",
            json!({"sources": [DATASET]}),
        ),
    )
    .await;
    let (status, key) = app.get_json(&aspect_path(FEATURE, "mlFeatureKey", 0)).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(
        key["aspect"]["com.linkedin.metadata.key.MLFeatureKey"],
        json!({"featureNamespace": "my-feature-table", "name": "my-feature"})
    );
    // The source dataset is only referenced: it does not exist for `graph.exists`.
    refused(
        &app.get_json(&aspect_path(DATASET, "datasetKey", 0)).await,
        StatusCode::NOT_FOUND,
        "has no aspect datasetKey",
    );

    let (status, entity) = app
        .get_json(&format!("/entitiesV2/{}", encode(FEATURE)))
        .await;
    assert_eq!(status, StatusCode::OK, "{entity}");
    assert_eq!(entity["urn"], FEATURE);
    assert_eq!(
        entity["aspects"]["mlFeatureProperties"]["value"],
        json!({"sources": [DATASET]})
    );
    assert_eq!(
        entity["aspects"]["mlFeatureKey"]["value"]["name"],
        "my-feature"
    );
    let (_, only) = app
        .get_json(&format!(
            "/entitiesV2/{}?aspects=List(mlFeatureKey)",
            encode(FEATURE)
        ))
        .await;
    assert_eq!(
        only["aspects"].as_object().map(|a| a.len()),
        Some(1),
        "{only}"
    );
    refused(
        &app.get_json(&format!("/entitiesV2/{}", encode(DATASET)))
            .await,
        StatusCode::NOT_FOUND,
        "no entity",
    );
}

// ---------------------------------------------------------------------------------------------
// Reads that find nothing, or are malformed

#[tokio::test]
async fn get_of_a_missing_aspect_is_404() {
    let app = TestApp::new().await;
    refused(
        &app.get_json(&aspect_path(TABLE, "mlFeatureTableProperties", 0))
            .await,
        StatusCode::NOT_FOUND,
        "has no aspect mlFeatureTableProperties",
    );
    ingest(
        &app,
        proposal(
            "mlFeatureTable",
            TABLE,
            "mlFeatureTableProperties",
            json!({}),
        ),
    )
    .await;
    refused(
        &app.get_json(&aspect_path(TABLE, "status", 0)).await,
        StatusCode::NOT_FOUND,
        "has no aspect status",
    );
    // What `graph.test_connection()` reads when telemetry is on.
    refused(
        &app.get_json(&aspect_path(
            "urn:li:telemetry:clientId",
            "telemetryClientId",
            0,
        ))
        .await,
        StatusCode::NOT_FOUND,
        "has no aspect",
    );
}

#[tokio::test]
async fn malformed_reads_are_400() {
    let app = TestApp::new().await;
    for (path, needle) in [
        (
            format!("/aspects/{}?aspect=status&version=-1", encode(FEATURE)),
            "version \"-1\" is not a whole number",
        ),
        (
            format!("/aspects/{}?aspect=status&version=latest", encode(FEATURE)),
            "is not a whole number",
        ),
        (
            format!("/aspects/{}?version=0", encode(FEATURE)),
            "the aspect is missing",
        ),
        (
            format!("/aspects/{}?aspect=status", encode("urn:li:mlFeature:nope")),
            "invalid URN",
        ),
        (
            format!("/aspects/{}?aspect=status", encode("not-a-urn")),
            "must start with \"urn:li:\"",
        ),
    ] {
        refused(&app.get_json(&path).await, StatusCode::BAD_REQUEST, needle);
    }
}
