//! Input both backends must refuse alike, before the database sees it (issue 16, defects 2, 3
//! and 4, and the token names): a NUL character, which PostgreSQL cannot store in text; a value
//! over a column's width, which PostgreSQL refuses and SQLite stores; a list filter long enough
//! to make SQLite's LIKE give up. Each is refused with a 4xx (GraphQL: `BAD_USER_INPUT`) that
//! names the field and the limit, and nothing is written.

use axum::http::StatusCode;
use mlcat::auth::{create_token, list_tokens, revoke_tokens, Scope};
use mlcat::catalog::Error;
use serde_json::{json, Value};

use crate::support::TestApp;

const INGEST: &str = "/aspects?action=ingestProposal";
const BATCH: &str = "/aspects?action=ingestProposalBatch";
const OPENAPI_FEATURE: &str = "/openapi/v3/entity/mlFeature";
const FEATURE: &str = "urn:li:mlFeature:(hardening,f)";
const OTHER_FEATURE: &str = "urn:li:mlFeature:(hardening,g)";

const REPLACE: &str = "mutation($urn: String!, $aspect: String!, $value: JSON!) {
    replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version } }";

/// A Rest.li proposal of `mlFeatureProperties` for `urn` with this system metadata.
fn proposal(urn: &str, system_metadata: Value) -> Value {
    json!({
        "entityType": "mlFeature",
        "entityUrn": urn,
        "changeType": "UPSERT",
        "aspectName": "mlFeatureProperties",
        "aspect": {"value": "{\"description\": \"d\"}", "contentType": "application/json"},
        "systemMetadata": system_metadata,
    })
}

/// Asserts a REST refusal: a 4xx with `BAD_USER_INPUT`, a message holding each of `needles`,
/// and no row written.
async fn assert_refused(app: &TestApp, status: StatusCode, body: &Value, needles: &[&str]) {
    assert_refused_over(app, [0, 0, 0], status, body, needles).await;
}

/// [`assert_refused`] in a catalog holding `rows` (entity, aspect and edge rows) before.
async fn assert_refused_over(
    app: &TestApp,
    rows: [i64; 3],
    status: StatusCode,
    body: &Value,
    needles: &[&str],
) {
    assert!(status.is_client_error(), "{status}: {body:#}");
    assert_eq!(body["code"], "BAD_USER_INPUT", "{body:#}");
    assert_eq!(body["status"], status.as_u16(), "{body:#}");
    let message = body["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    assert_eq!(app.row_counts().await, rows, "something was written");
}

/// Asserts a GraphQL refusal: `BAD_USER_INPUT`, a message holding each of `needles`, and no
/// row written.
async fn assert_gql_refused(app: &TestApp, answer: &Value, needles: &[&str]) {
    assert_gql_refused_over(app, [0, 0, 0], answer, needles).await;
}

/// [`assert_gql_refused`] in a catalog holding `rows` (entity, aspect and edge rows) before.
async fn assert_gql_refused_over(app: &TestApp, rows: [i64; 3], answer: &Value, needles: &[&str]) {
    let error = &answer["errors"][0];
    assert_eq!(error["extensions"]["code"], "BAD_USER_INPUT", "{answer:#}");
    let message = error["message"].as_str().unwrap_or_default();
    for needle in needles {
        assert!(message.contains(needle), "{needle:?} not in {message:?}");
    }
    assert_eq!(app.row_counts().await, rows, "something was written");
}

// Defect 2: a NUL character.

#[tokio::test]
async fn a_nul_in_a_proposals_run_id_or_actor_is_refused_naming_the_field() {
    let app = TestApp::new().await;
    // A NUL as JSON sends it, and as the SDK's `\u0000` escape, which mlcat unescapes.
    for run_id in ["run\u{0}1", "run\\u00001"] {
        let body = json!({"proposal": proposal(FEATURE, json!({"runId": run_id}))});
        let (status, answer) = app.post_json(INGEST, body.to_string()).await;
        assert_refused(&app, status, &answer, &["runId", "NUL"]).await;
    }
    let actor = json!({"aspectModified": {"time": 0, "actor": "urn:li:corpuser:a\u{0}b"}});
    let body = json!({"proposal": proposal(FEATURE, actor)});
    let (status, answer) = app.post_json(INGEST, body.to_string()).await;
    assert_refused(&app, status, &answer, &["actor", "NUL"]).await;
}

/// The actor and run id are stored with every version: bounded, in characters, though their
/// columns are not.
#[tokio::test]
async fn a_run_id_or_actor_over_1024_characters_is_refused_naming_the_limit() {
    let app = TestApp::new().await;
    let long = "é".repeat(1025);
    let actor = json!({"aspectCreated": {"time": 0, "actor": long}});
    for (meta, field) in [(json!({"runId": long}), "runId"), (actor, "actor")] {
        let body = json!({"proposal": proposal(FEATURE, meta)});
        let (status, answer) = app.post_json(INGEST, body.to_string()).await;
        assert_refused(&app, status, &answer, &[field, "1024 characters"]).await;
    }
    let longest = "é".repeat(1024);
    let meta = json!({"runId": longest, "aspectCreated": {"time": 0, "actor": longest}});
    let body = json!({"proposal": proposal(FEATURE, meta)});
    let (status, answer) = app.post_json(INGEST, body.to_string()).await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    let read = app
        .data(&format!(
            "{{ mlFeature(urn: \"{FEATURE}\") {{ aspectHistory {{ actor runId }} }} }}"
        ))
        .await;
    let version = &read["mlFeature"]["aspectHistory"][0];
    assert_eq!(version["actor"], longest.as_str());
    assert_eq!(version["runId"], longest.as_str());
}

#[tokio::test]
async fn a_nul_in_one_proposal_of_a_batch_refuses_the_batch_and_names_the_proposal() {
    let app = TestApp::new().await;
    let body = json!({"proposals": [
        proposal(FEATURE, json!({"runId": "fine"})),
        proposal(OTHER_FEATURE, json!({"runId": "bad\u{0}"})),
    ]});
    let (status, answer) = app.post_json(BATCH, body.to_string()).await;
    assert_refused(&app, status, &answer, &["proposal 2 of 2", "runId", "NUL"]).await;

    let item = json!([{"urn": FEATURE, "mlFeatureProperties": {
        "value": {"description": "d"},
        "systemMetadata": {"runId": "bad\u{0}"},
    }}]);
    let (status, answer) = app.post_json(OPENAPI_FEATURE, item.to_string()).await;
    assert_refused(&app, status, &answer, &["runId", "NUL"]).await;
}

#[tokio::test]
async fn a_nul_in_a_run_id_is_refused_with_auth_on_too() {
    let app = TestApp::with_auth().await;
    let token = app.write_tokens(1).await.remove(0);
    let body = json!({"proposal": proposal(FEATURE, json!({"runId": "r\u{0}"}))});
    let request = axum::http::Request::post(INGEST)
        .header("content-type", "application/json")
        .header("authorization", format!("Bearer {token}"))
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let (status, bytes) = app.request(request).await;
    let answer: Value = serde_json::from_slice(&bytes).unwrap();
    assert_refused(&app, status, &answer, &["runId", "NUL"]).await;
}

#[tokio::test]
async fn a_nul_in_an_aspect_name_or_a_list_filter_is_refused() {
    let app = TestApp::new().await;
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": FEATURE, "aspect": "mlFeature\u{0}Properties", "value": {}}),
        )
        .await;
    assert_gql_refused(&app, &answer, &["aspectName"]).await;

    for filter in ["query", "platform"] {
        let answer = app
            .gql_vars(
                "query($input: ListInput) { listMLModels(input: $input) { total } }",
                json!({"input": {filter: "a\u{0}b"}}),
            )
            .await;
        assert_gql_refused(&app, &answer, &[filter, "NUL"]).await;
    }

    let (status, answer) = app
        .get_json(&format!("/aspects/{FEATURE}?aspect=status%00"))
        .await;
    assert_refused(&app, status, &answer, &["aspect"]).await;
}

/// Aspect values are stored as JSON text, where a NUL is the escape `\u0000`: both backends
/// keep it, in a string and in a key, and give it back as sent.
#[tokio::test]
async fn a_nul_inside_an_aspect_value_is_kept_as_sent() {
    let app = TestApp::new().await;
    let value = json!({"description": "a\u{0}b", "customProperties": {"k\u{0}": "v\u{0}"}});
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": FEATURE, "aspect": "mlFeatureProperties", "value": value}),
        )
        .await;
    assert_eq!(answer["data"]["replaceAspect"]["version"], 1, "{answer:#}");
    let read = app
        .data(&format!(
            "{{ mlFeature(urn: \"{FEATURE}\") {{ aspectHistory {{ value }} }} }}"
        ))
        .await;
    assert_eq!(read["mlFeature"]["aspectHistory"][0]["value"], value);

    // Through the DataHub door, as the SDK sends it: JSON text inside the proposal.
    let mut ingest = proposal(OTHER_FEATURE, Value::Null);
    ingest["aspect"]["value"] = json!(value.to_string());
    let (status, answer) = app
        .post_json(INGEST, json!({"proposal": ingest}).to_string())
        .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    let (status, answer) = app
        .get_json(&format!(
            "/aspects/{OTHER_FEATURE}?aspect=mlFeatureProperties"
        ))
        .await;
    assert_eq!(status, StatusCode::OK, "{answer:#}");
    let stored = &answer["aspect"]["com.linkedin.ml.metadata.MLFeatureProperties"];
    assert_eq!(*stored, value, "{answer:#}");
}

// Defect 3: the column widths, checked before the database sees a value.

#[tokio::test]
async fn an_aspect_name_over_128_characters_is_refused_naming_the_limit() {
    let app = TestApp::new().await;
    let long = "a".repeat(129);
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": FEATURE, "aspect": long, "value": {}}),
        )
        .await;
    assert_gql_refused(&app, &answer, &["aspectName", "128"]).await;

    let longest = "a".repeat(128);
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": FEATURE, "aspect": longest, "value": {}}),
        )
        .await;
    assert_eq!(answer["data"]["replaceAspect"]["version"], 1, "{answer:#}");
}

#[tokio::test]
async fn an_entity_type_over_64_characters_is_refused_naming_the_limit() {
    let app = TestApp::new().await;
    let urn = format!("urn:li:{}:key", "t".repeat(65));
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": urn, "aspect": "status", "value": {}}),
        )
        .await;
    assert_gql_refused(&app, &answer, &["entity type", "64"]).await;

    // As a relationship target, which the edit would create.
    let answer = app
        .gql_vars(
            "mutation($input: RelationshipEditInput!) { addRelationships(input: $input) { version } }",
            json!({"input": {"urn": "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t)",
                "field": "FEATURE_TABLE_FEATURES", "targets": [urn]}}),
        )
        .await;
    assert_gql_refused(&app, &answer, &["entity type", "64"]).await;

    let longest = format!("urn:li:{}:key", "t".repeat(64));
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": longest, "aspect": "status", "value": {"removed": false}}),
        )
        .await;
    assert_eq!(answer["data"]["replaceAspect"]["version"], 1, "{answer:#}");
}

// Defect 4: the list filter's length.

#[tokio::test]
async fn a_list_query_over_the_limit_is_refused_naming_it() {
    let app = TestApp::new().await;
    // SQLite gives up on a long LIKE pattern only once it compares it with a row.
    let answer = app
        .gql_vars(
            REPLACE,
            json!({"urn": FEATURE, "aspect": "mlFeatureProperties", "value": {"description": "d"}}),
        )
        .await;
    assert_eq!(answer["data"]["replaceAspect"]["version"], 1, "{answer:#}");
    let rows = app.row_counts().await;
    let list = "query($input: ListInput) { listMLFeatures(input: $input) { total } }";
    let answer = app
        .gql_vars(list, json!({"input": {"query": "a".repeat(50_000)}}))
        .await;
    assert_gql_refused_over(&app, rows, &answer, &["query", "256 characters"]).await;
    let answer = app
        .gql_vars(list, json!({"input": {"platform": "p".repeat(50_000)}}))
        .await;
    assert_gql_refused_over(&app, rows, &answer, &["platform", "1024"]).await;

    // At the limit, of the characters LIKE escapes and of four-byte ones: an answer.
    for text in ["%".repeat(256), "_\\".repeat(128), "😀".repeat(256)] {
        let answer = app.gql_vars(list, json!({"input": {"query": text}})).await;
        assert_eq!(answer["data"]["listMLFeatures"]["total"], 0, "{answer:#}");
    }
}

// Token names.

#[tokio::test]
async fn a_token_name_with_a_control_character_is_refused() {
    let app = TestApp::new().await;
    for name in [
        "ci\u{0}",
        "ci\nrevoked 2026-01-01",
        "\u{1b}[31mci",
        "c\u{85}i",
        "c\u{7f}i",
    ] {
        let e = create_token(&app.db, name, Scope::Write).await.unwrap_err();
        assert_eq!(e.code(), "BAD_USER_INPUT", "{name:?}");
        assert!(e.public_message().contains("control"), "{e:?}");
    }
    assert_eq!(app.count_rows("access_token").await, 0);
}

#[tokio::test]
async fn a_token_name_limit_counts_characters() {
    let app = TestApp::new().await;
    create_token(&app.db, &"é".repeat(200), Scope::Read)
        .await
        .unwrap();
    let e = create_token(&app.db, &"é".repeat(201), Scope::Read)
        .await
        .unwrap_err();
    assert!(
        matches!(&e, Error::BadInput(m) if m.contains("200 characters")),
        "{e:?}"
    );
    let tokens = list_tokens(&app.db).await.unwrap();
    assert_eq!(tokens.len(), 1);
    assert_eq!(tokens[0].name.chars().count(), 200);
}

#[tokio::test]
async fn revoke_trims_the_name_as_create_does() {
    let app = TestApp::new().await;
    create_token(&app.db, "  dashboards  ", Scope::Read)
        .await
        .unwrap();
    assert_eq!(list_tokens(&app.db).await.unwrap()[0].name, "dashboards");
    assert_eq!(revoke_tokens(&app.db, " dashboards ").await.unwrap(), 1);
    assert!(list_tokens(&app.db).await.unwrap()[0].revoked_at.is_some());
    // A name no token can have is refused, not looked up.
    let e = revoke_tokens(&app.db, "a\u{0}").await.unwrap_err();
    assert_eq!(e.code(), "BAD_USER_INPUT");
}

/// Every GraphQL mutation input that ends in a URN (key parts, relationship targets) refuses a
/// NUL; free text (descriptions, tags, custom properties) is aspect content, kept as sent.
#[tokio::test]
async fn mutation_inputs_with_a_nul_are_refused_in_urns_and_kept_in_text() {
    let app = TestApp::new().await;
    let upsert = "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }";
    for input in [
        json!({"platform": "mlflow", "name": "m\u{0}"}),
        json!({"platform": "ml\u{0}flow", "name": "m"}),
        json!({"platform": "mlflow", "name": "m", "groups": ["urn:li:mlModelGroup:(urn:li:dataPlatform:mlflow,g\u{0},PROD)"]}),
    ] {
        let answer = app.gql_vars(upsert, json!({"input": input})).await;
        assert_gql_refused(&app, &answer, &["control"]).await;
    }
    let answer = app
        .gql_vars(
            "mutation($input: RelationshipEditInput!) { addRelationships(input: $input) { version } }",
            json!({"input": {"urn": "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,t)",
                "field": "FEATURE_TABLE_FEATURES", "targets": ["urn:li:mlFeature:(t,f\u{0})"]}}),
        )
        .await;
    assert_gql_refused(&app, &answer, &["control"]).await;

    let text = "a\u{0}b";
    let input = json!({"platform": "mlflow", "name": "m", "description": text,
        "tags": [text], "customProperties": [{"key": text, "value": text}]});
    let answer = app.gql_vars(upsert, json!({"input": input})).await;
    let urn = answer["data"]["upsertMLModel"]["urn"]
        .as_str()
        .unwrap_or_else(|| panic!("{answer:#}"))
        .to_string();
    let answer = app
        .gql_vars(
            "mutation($urn: String!, $d: String!) {
                updateDescription(input: {resourceUrn: $urn, description: $d}) }",
            json!({"urn": urn, "d": text}),
        )
        .await;
    assert_eq!(answer["data"]["updateDescription"], true, "{answer:#}");
    let read = app
        .data(&format!(
            "{{ mlModel(urn: \"{urn}\") {{ description properties {{ description tags customProperties {{ key value }} }} }} }}"
        ))
        .await;
    let model = &read["mlModel"];
    assert_eq!(model["description"], text, "{read:#}");
    assert_eq!(model["properties"]["description"], text, "{read:#}");
    assert_eq!(model["properties"]["tags"], json!([text]), "{read:#}");
    assert_eq!(
        model["properties"]["customProperties"],
        json!([{"key": text, "value": text}]),
        "{read:#}"
    );
}
