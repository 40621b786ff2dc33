//! Bad input outside mutations: malformed or mistyped URNs in lookups, GraphQL syntax errors,
//! the depth limit, oversized and non-JSON bodies. Each is refused with a clear error code, and a
//! refused request writes nothing. Bad mutation input is in errors_mutations.rs, which shares
//! these helpers.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::config::Limits;
use serde_json::{json, Value};

use crate::support::TestApp;

// ---------------------------------------------------------------------------------------------
// Helpers

pub(crate) const FEATURE: &str = "urn:li:mlFeature:(uc01_preprocess,FREQUENCY)";
pub(crate) const KEY: &str = "urn:li:mlPrimaryKey:(uc01_preprocess,O_CUSTOMER_SK)";
pub(crate) const TABLE: &str =
    "urn:li:mlFeatureTable:(urn:li:dataPlatform:snowflake,uc01_preprocess)";
pub(crate) const MODEL: &str =
    "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,PROD)";
pub(crate) const GROUP: &str =
    "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,customer_segmentation,PROD)";
pub(crate) const DATASET: &str =
    "urn:li:dataset:(urn:li:dataPlatform:snowflake,tpcxai_sf0001.public.orders,PROD)";

/// Each lookup field with a URN of its type that the demo catalog holds.
const LOOKUPS: [(&str, &str); 6] = [
    ("mlFeature", FEATURE),
    ("mlPrimaryKey", KEY),
    ("mlFeatureTable", TABLE),
    ("mlModel", MODEL),
    ("mlModelGroup", GROUP),
    ("dataset", DATASET),
];

/// Row counts of the three tables.
pub(crate) async fn row_counts(app: &TestApp) -> [i64; 3] {
    [
        app.count_rows("entity").await,
        app.count_rows("aspect").await,
        app.count_rows("edge").await,
    ]
}

/// The first error of an answer that must have failed.
fn first_error(answer: &Value) -> &Value {
    let error = &answer["errors"][0];
    assert!(error.is_object(), "expected an error: {answer:#}");
    error
}

fn code_of(answer: &Value) -> &str {
    first_error(answer)["extensions"]["code"]
        .as_str()
        .unwrap_or_else(|| panic!("expected an error with a code: {answer:#}"))
}

fn message_of(answer: &Value) -> &str {
    first_error(answer)["message"].as_str().expect("message")
}

/// Sends a request (with variables) that must be refused with `BAD_USER_INPUT` and write
/// nothing; answers the error message.
pub(crate) async fn refused(app: &TestApp, query: &str, variables: Value) -> String {
    let before = row_counts(app).await;
    let answer = app.gql_vars(query, variables.clone()).await;
    assert_eq!(
        code_of(&answer),
        "BAD_USER_INPUT",
        "{query} {variables}: {answer:#}"
    );
    assert_eq!(
        row_counts(app).await,
        before,
        "a refused request wrote rows: {query} {variables}"
    );
    message_of(&answer).to_string()
}

async fn post_raw(app: &TestApp, body: Vec<u8>, content_length: bool) -> (StatusCode, Vec<u8>) {
    let mut request = Request::post("/api/graphql").header("content-type", "application/json");
    if content_length {
        request = request.header("content-length", body.len());
    }
    app.request(request.body(Body::from(body)).expect("request"))
        .await
}

/// A GraphQL request body of about `size` bytes: a mutation padded with a long description.
fn padded_mutation(size: usize) -> Vec<u8> {
    let description = "x".repeat(size);
    json!({
        "query": "mutation($d: String!) { upsertMLModel(input: {platform: \"p\", name: \"big\", description: $d}) { urn } }",
        "variables": {"d": description},
    })
    .to_string()
    .into_bytes()
}

// ---------------------------------------------------------------------------------------------
// Lookups

#[tokio::test]
async fn malformed_urns_in_lookups_are_bad_input() {
    let app = TestApp::with_demo().await;
    let malformed = [
        "nope",
        "",
        "urn:li:mlModel",
        "urn:li:mlModel:(urn:li:dataPlatform:snowflake,m)",
        "urn:li:mlModel:(urn:li:dataPlatform:snowflake,m,NOPE)",
        "urn:li:mlModel:(urn:li:dataPlatform:snowflake,m,prod)",
        "urn:li:mlModel:(snowflake,m,PROD)",
        "urn:li:mlModel:urn:li:dataPlatform:snowflake,m,PROD",
        "urn:li:mlFeature:(a,b,c)",
        "urn:li:mlFeature:(a)",
        "urn:li:mlFeature:(a,)",
        "urn:li:mlPrimaryKey:(a,b,c)",
        "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast)",
        "urn:li:dataset:(urn:li:dataPlatform:snowflake,t,PROD",
        "urn:li:mlFeature:(a,b\n)",
    ];
    let too_long = format!("urn:li:mlFeature:(ns,{})", "n".repeat(2000));
    for (field, _) in LOOKUPS {
        for urn in malformed.iter().copied().chain([too_long.as_str()]) {
            let query = format!("query($urn: String!) {{ {field}(urn: $urn) {{ urn }} }}");
            let answer = app.gql_vars(&query, json!({ "urn": urn })).await;
            assert_eq!(
                code_of(&answer),
                "BAD_USER_INPUT",
                "{field}({urn:?}): {answer:#}"
            );
            assert!(
                answer["data"][field].is_null(),
                "{field}({urn:?}): {answer:#}"
            );
        }
    }
    for field in ["entity", "dataPlatform"] {
        let code = app
            .error_code(&format!(r#"{{ {field}(urn: "nope") {{ urn }} }}"#))
            .await;
        assert_eq!(code, "BAD_USER_INPUT", "{field}");
    }
}

#[tokio::test]
async fn the_message_names_the_malformed_urn() {
    let app = TestApp::new().await;
    let urn = "urn:li:mlModel:(urn:li:dataPlatform:x,m,NOPE)";
    let message = refused(
        &app,
        "query($u: String!) { mlModel(urn: $u) { urn } }",
        json!({ "u": urn }),
    )
    .await;
    assert!(message.contains(urn), "{message}");
}

#[tokio::test]
async fn a_urn_of_another_type_in_a_lookup_is_bad_input() {
    let app = TestApp::with_demo().await;
    for (field, own) in LOOKUPS {
        for (_, other) in LOOKUPS.iter().filter(|(_, urn)| *urn != own) {
            let query = format!("query($urn: String!) {{ {field}(urn: $urn) {{ urn }} }}");
            let answer = app.gql_vars(&query, json!({ "urn": other })).await;
            assert_eq!(
                code_of(&answer),
                "BAD_USER_INPUT",
                "{field}({other}): {answer:#}"
            );
            assert!(
                answer["data"][field].is_null(),
                "{field}({other}): {answer:#}"
            );
        }
    }
    let code = app
        .error_code(&format!(r#"{{ dataPlatform(urn: "{MODEL}") {{ urn }} }}"#))
        .await;
    assert_eq!(code, "BAD_USER_INPUT");
}

#[tokio::test]
async fn a_well_formed_unknown_urn_is_null() {
    let app = TestApp::with_demo().await;
    let counts = row_counts(&app).await;
    let unknown = [
        ("mlFeature", "urn:li:mlFeature:(ns,unknown)"),
        ("mlPrimaryKey", "urn:li:mlPrimaryKey:(ns,unknown)"),
        (
            "mlFeatureTable",
            "urn:li:mlFeatureTable:(urn:li:dataPlatform:feast,unknown)",
        ),
        (
            "mlModel",
            "urn:li:mlModel:(urn:li:dataPlatform:snowflake,unknown,PROD)",
        ),
        (
            "mlModelGroup",
            "urn:li:mlModelGroup:(urn:li:dataPlatform:snowflake,unknown,PROD)",
        ),
        (
            "dataset",
            "urn:li:dataset:(urn:li:dataPlatform:snowflake,unknown,PROD)",
        ),
        ("dataPlatform", "urn:li:dataPlatform:unknown"),
        ("entity", "urn:li:corpuser:unknown"),
    ];
    for (field, urn) in unknown {
        let query = format!("query($urn: String!) {{ {field}(urn: $urn) {{ urn }} }}");
        let answer = app.gql_vars(&query, json!({ "urn": urn })).await;
        assert_eq!(answer, json!({"data": { field: null }}), "{field}({urn})");
    }
    // A model known in PROD is unknown in DEV.
    let answer = app
        .gql(r#"{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:snowflake,customer_segmentation_v1,DEV)") { urn } }"#)
        .await;
    assert_eq!(answer, json!({"data": {"mlModel": null}}));
    assert_eq!(row_counts(&app).await, counts, "a lookup wrote rows");
}

// ---------------------------------------------------------------------------------------------
// GraphQL documents

#[tokio::test]
async fn syntax_errors_and_unknown_fields_are_bad_user_input() {
    let app = TestApp::with_demo().await;
    let documents = [
        "{ mlModel(urn: ",
        "this is not graphql",
        "",
        "{ nope }",
        "{ listMLModels { entities { nope } } }",
        "{ mlModel { urn } }",
        r#"{ mlModel(urn: "x", colour: "red") { urn } }"#,
        r#"{ mlModel(urn: 5) { urn } }"#,
        "{ listMLModels }",
        r#"mutation { upsertMLModel(input: {platform: "p", name: "m", colour: "red"}) { urn } }"#,
        r#"mutation { upsertMLModel(input: {platform: "p", name: "m"}) }"#,
        r#"mutation { nope(input: {}) }"#,
        "query($u: String!) { mlModel(urn: $u) { urn } }",
        "query Twice { listMLModels { total } } query Twice { listMLModels { total } }",
    ];
    for document in documents {
        refused(&app, document, json!({})).await;
    }
    // A variable of the wrong type.
    refused(
        &app,
        "mutation($input: UpsertMLModelInput!) { upsertMLModel(input: $input) { urn } }",
        json!({"input": {"platform": "p", "name": "m", "tags": "not a list", "hyperParams": 5}}),
    )
    .await;
}

#[tokio::test]
async fn a_query_deeper_than_the_limit_is_refused() {
    let app = TestApp::with_limits(Limits {
        max_query_depth: 3,
        ..Limits::default()
    })
    .await;
    mlcat::demo::load(&app.catalog()).await.expect("load demo");

    // Three levels are within the limit.
    let shallow = app
        .data(r#"{ listMLModels(input: {count: 1}) { entities { name } } }"#)
        .await;
    assert_eq!(
        shallow,
        json!({"listMLModels": {"entities": [{"name": "customer_segmentation_v1"}]}})
    );

    let deep = format!(
        r#"{{ mlModel(urn: "{MODEL}") {{ properties {{ groups {{ properties {{ name }} }} }} }} }}"#
    );
    let answer = app.gql(&deep).await;
    assert_eq!(code_of(&answer), "BAD_USER_INPUT", "{answer:#}");
    assert!(answer["data"].is_null(), "{answer:#}");

    // A deep mutation is refused before it runs: nothing is written.
    refused(
        &app,
        r#"mutation { upsertMLModel(input: {platform: "p", name: "deep"}) { properties { groups { name } } } }"#,
        json!({}),
    )
    .await;
    let read = app
        .data(r#"{ mlModel(urn: "urn:li:mlModel:(urn:li:dataPlatform:p,deep,PROD)") { urn } }"#)
        .await;
    assert_eq!(read, json!({"mlModel": null}));
}

// ---------------------------------------------------------------------------------------------
// HTTP bodies

#[tokio::test]
async fn a_body_over_the_limit_is_413() {
    let app = TestApp::with_limits(Limits {
        max_body_bytes: 2048,
        ..Limits::default()
    })
    .await;
    // A body under the limit is served.
    let (status, body) = post_raw(&app, padded_mutation(100), true).await;
    assert_eq!(status, StatusCode::OK, "{}", String::from_utf8_lossy(&body));
    let counts = row_counts(&app).await;

    for content_length in [true, false] {
        let (status, body) = post_raw(&app, padded_mutation(10_000), content_length).await;
        assert_eq!(
            status,
            StatusCode::PAYLOAD_TOO_LARGE,
            "content-length sent: {content_length}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    assert_eq!(
        row_counts(&app).await,
        counts,
        "an oversized request wrote rows"
    );
}

#[tokio::test]
async fn a_body_that_is_not_a_graphql_request_is_a_client_error() {
    let app = TestApp::with_demo().await;
    let counts = row_counts(&app).await;
    let bodies: [&[u8]; 5] = [
        b"{not json",
        b"",
        b"[1, 2",
        b"\"just a string\"",
        b"{\"query\": 5}",
    ];
    for body in bodies {
        let (status, answer) = post_raw(&app, body.to_vec(), true).await;
        assert!(
            status.is_client_error(),
            "{:?} answered {status}: {}",
            String::from_utf8_lossy(body),
            String::from_utf8_lossy(&answer)
        );
    }
    // Not JSON at all, with another content type.
    let (status, _) = app
        .request(
            Request::post("/api/graphql")
                .header("content-type", "text/plain")
                .body(Body::from("{not json"))
                .expect("request"),
        )
        .await;
    assert!(status.is_client_error(), "text/plain answered {status}");
    // Well-formed JSON, or a GET, without a query: refused as a client error or with a
    // BAD_USER_INPUT error, never a server error.
    for (status, body) in [
        post_raw(&app, b"{\"variables\": {}}".to_vec(), true).await,
        app.get("/api/graphql").await,
    ] {
        let text = String::from_utf8_lossy(&body);
        if status != StatusCode::OK {
            assert!(status.is_client_error(), "answered {status}: {text}");
            continue;
        }
        let answer: Value = serde_json::from_slice(&body).expect("JSON answer");
        assert_eq!(code_of(&answer), "BAD_USER_INPUT", "{text}");
    }
    assert_eq!(row_counts(&app).await, counts);
}
