//! Bad proposals to the DataHub front door: each is refused with a 4xx (never a 5xx) and a
//! message that says what is wrong, and nothing is written.

use axum::http::StatusCode;
use mlcat::config::Limits;
use serde_json::{json, Value};

use crate::datahub::{proposal, refused, row_counts, single, FEATURE, INGEST, MODEL};
use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Bad proposals: a 4xx that says what is wrong, and nothing written

/// Sends each body to ingestProposal and checks the refusal and that nothing was written.
async fn each_refused(cases: Vec<(String, StatusCode, &str)>) {
    let app = TestApp::new().await;
    for (body, status, needle) in cases {
        let answer = app.post_json(INGEST, body.clone()).await;
        assert_eq!(answer.0, status, "{body}\n{}", answer.1);
        refused(&answer, status, needle);
    }
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

fn good() -> Value {
    proposal(
        "mlFeature",
        FEATURE,
        "mlFeatureProperties",
        json!({"dataType": "TEXT"}),
    )
}

fn with(field: &str, value: Value) -> String {
    let mut p = good();
    p[field] = value;
    single(p)
}

fn without(field: &str) -> String {
    let mut p = good();
    p.as_object_mut().unwrap().remove(field);
    single(p)
}

#[tokio::test]
async fn requests_without_the_protocols_shape_are_400() {
    let bad = StatusCode::BAD_REQUEST;
    each_refused(vec![
        ("{\"proposal\": {".into(), bad, "the body is not JSON"),
        ("".into(), bad, "the body is empty"),
        ("[1, 2]".into(), bad, "the body must be a JSON object"),
        ("{\"proposals\": []}".into(), bad, "proposal is missing"),
        (
            json!({"proposal": "x"}).to_string(),
            bad,
            "a proposal must be a JSON object",
        ),
        (without("entityUrn"), bad, "entityUrn is missing"),
        (without("aspectName"), bad, "aspectName is missing"),
        (without("changeType"), bad, "changeType is missing"),
        (without("aspect"), bad, "aspect is missing"),
        (
            with("entityUrn", json!(42)),
            bad,
            "entityUrn must be a string",
        ),
        (with("aspect", json!("x")), bad, "aspect must be an object"),
        (
            with("aspect", json!({"contentType": "application/json"})),
            bad,
            "aspect.value is missing",
        ),
        (
            with(
                "aspect",
                json!({"value": "{not json", "contentType": "application/json"}),
            ),
            bad,
            "aspect.value is not JSON text",
        ),
        (
            with("systemMetadata", json!({"runId": 7})),
            bad,
            "systemMetadata.runId must be a string",
        ),
    ])
    .await;
}

#[tokio::test]
async fn a_body_that_is_not_utf8_is_400() {
    let app = TestApp::new().await;
    let mut body = single(good()).into_bytes();
    body.splice(20..20, [0xff, 0xfe]);
    let answer = app.post_json(INGEST, body).await;
    refused(
        &answer,
        StatusCode::BAD_REQUEST,
        "the body is not UTF-8 text (invalid bytes at offset 20)",
    );
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

#[tokio::test]
async fn refused_content_is_422() {
    let no = StatusCode::UNPROCESSABLE_ENTITY;
    let mut mismatch = good();
    mismatch["entityType"] = json!("mlModel");
    let mut patch = good();
    patch["changeType"] = json!("PATCH");
    patch["aspect"] = json!({"value": "[]", "contentType": "application/json-patch+json"});
    each_refused(vec![
        (
            with("entityType", json!("mlThing")),
            no,
            "entityType \"mlThing\" is not an entity type of DataHub's model",
        ),
        (
            with("entityUrn", json!("urn:li:mlFeature:(only-one-part)")),
            no,
            "invalid URN \"urn:li:mlFeature:(only-one-part)\": the key needs exactly two parts",
        ),
        (
            with("entityUrn", json!("mlFeature:(t,f)")),
            no,
            "must start with \"urn:li:\"",
        ),
        (
            single(mismatch),
            no,
            "entityType mlModel does not match the URN, which is of type mlFeature",
        ),
        (
            with("aspectName", json!("mlModelProperties")),
            no,
            "aspect \"mlModelProperties\" is not an aspect of a mlFeature entity",
        ),
        (
            with("aspectName", json!("noSuchAspect")),
            no,
            "is not an aspect of a mlFeature entity in DataHub's model; a mlFeature carries: ",
        ),
        (
            with(
                "aspect",
                json!({"value": "{\"dataType\": \"NOPE\"}", "contentType": "application/json"}),
            ),
            no,
            "aspect mlFeatureProperties is not valid: unknown variant `NOPE`, expected one of `USELESS`",
        ),
        (
            single(proposal(
                "mlPrimaryKey",
                "urn:li:mlPrimaryKey:(t,k)",
                "mlPrimaryKeyProperties",
                json!({"description": "no sources"}),
            )),
            no,
            "aspect mlPrimaryKeyProperties is not valid: missing field `sources`",
        ),
        (
            single(proposal(
                "mlModel",
                MODEL,
                "mlModelProperties",
                json!({"trainingMetrics": [{"value": "1.0"}]}),
            )),
            no,
            "missing field `name`",
        ),
        (
            single(proposal(
                "mlFeature",
                FEATURE,
                "mlFeatureProperties",
                json!({"sources": [MODEL]}),
            )),
            no,
            "sources[0]: expected a dataset or schemaField URN",
        ),
        (
            with("changeType", json!("RESTATE")),
            no,
            "changeType RESTATE is not supported: mlcat accepts UPSERT",
        ),
        (
            with("changeType", json!("MERGE")),
            no,
            "changeType \"MERGE\" is not one of UPSERT, CREATE",
        ),
        (single(patch), no, "PATCH of mlFeatureProperties: the PATCH has no operations"),
        (
            with(
                "aspect",
                json!({"value": "[1]", "contentType": "application/json"}),
            ),
            no,
            "aspect mlFeatureProperties must be a JSON object",
        ),
        (
            with(
                "aspect",
                json!({"value": "{}", "contentType": "application/xml"}),
            ),
            no,
            "aspect.contentType \"application/xml\" is not supported",
        ),
    ])
    .await;
}

#[tokio::test]
async fn an_unknown_action_is_400() {
    let app = TestApp::new().await;
    refused(
        &app.post_json("/aspects?action=ingest", single(good()))
            .await,
        StatusCode::BAD_REQUEST,
        "action \"ingest\" is not supported",
    );
    refused(
        &app.post_json("/aspects", single(good())).await,
        StatusCode::BAD_REQUEST,
        "the action is missing",
    );
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::with_limits(Limits {
        max_body_bytes: 1024,
        ..Limits::default()
    })
    .await;
    let big = proposal(
        "mlFeature",
        FEATURE,
        "mlFeatureProperties",
        json!({"description": "x".repeat(2048)}),
    );
    let answer = app.post_json(INGEST, single(big)).await;
    assert_eq!(answer.0, StatusCode::PAYLOAD_TOO_LARGE, "{}", answer.1);
    assert!(answer.1["message"]
        .as_str()
        .unwrap_or_default()
        .contains("larger than the limit of 1024 bytes"));
    assert_eq!(row_counts(&app).await, [0, 0, 0]);
}
