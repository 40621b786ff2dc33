//! What a request can make the server do (issue 16): only a POST with a JSON body writes,
//! whatever the method; with auth off only loopback host names (and those allowed) are
//! answered; a flood of directives or errors is not amplified; a lineage traversal is priced by
//! its budget and an answer is bounded in size; slow request heads are cut off; the playground
//! is served with headers that keep it from being framed or sniffed.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use mlcat::config::Limits;
use serde_json::{json, Value};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::process::Server;
use crate::support::{fresh_database, TestApp};

const FEATURE: &str = "urn:li:mlFeature:(hardening,written)";

fn write_mutation() -> String {
    format!(r#"mutation {{ upsertMLFeature(input: {{urn: "{FEATURE}"}}) {{ urn }} }}"#)
}

/// A JSON body holding the write mutation.
fn write_body() -> String {
    json!({ "query": write_mutation() }).to_string()
}

/// A DataHub proposal that writes an aspect of a new dataset.
fn proposal_body() -> String {
    json!({"proposal": {
        "entityType": "dataset",
        "entityUrn": "urn:li:dataset:(urn:li:dataPlatform:hive,written,PROD)",
        "changeType": "UPSERT",
        "aspectName": "status",
        "aspect": {"contentType": "application/json", "value": "{\"removed\":false}"}
    }})
    .to_string()
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    let mut request = Request::builder()
        .method(method)
        .uri(path)
        .header("content-length", body.len().to_string());
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let (status, bytes) = app
        .request(request.body(Body::from(body.to_string())).unwrap())
        .await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

// ---------------------------------------------------------------------------------------------
// Defect 5: only a POST with a JSON body writes

#[tokio::test]
async fn a_head_with_a_text_body_does_not_run_a_mutation() {
    let app = TestApp::new().await;
    let (status, _) = send(
        &app,
        "HEAD",
        "/api/graphql",
        Some("text/plain"),
        &write_body(),
    )
    .await;
    assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    assert_eq!(app.row_counts().await, [0, 0, 0], "nothing is written");
}

#[tokio::test]
async fn no_method_but_post_writes_through_graphql_whatever_its_body_says() {
    let app = TestApp::new().await;
    for path in ["/api/graphql", "/graphql"] {
        for method in ["HEAD", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            for content_type in [Some("application/json"), Some("text/plain"), None] {
                // Refused, or (a GET or HEAD with no query string) answered a GraphQL error
                // without running anything.
                let (status, answer) = send(&app, method, path, content_type, &write_body()).await;
                assert!(
                    status.is_client_error() || answer["data"].is_null(),
                    "{method} {path} ({content_type:?}) answered {status}: {answer}"
                );
                assert_eq!(
                    app.row_counts().await,
                    [0, 0, 0],
                    "{method} {path} ({content_type:?}) wrote"
                );
            }
        }
        // The mutation in the query string: a GET or a HEAD reads, and is told to POST.
        let query: String = write_mutation()
            .bytes()
            .map(|b| format!("%{b:02X}"))
            .collect();
        for method in ["GET", "HEAD"] {
            let (status, answer) =
                send(&app, method, &format!("{path}?query={query}"), None, "").await;
            assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED, "{method} {path}");
            if method == "GET" {
                assert!(answer["errors"][0]["message"]
                    .as_str()
                    .unwrap()
                    .contains("POST"));
            }
        }
    }
    assert_eq!(app.row_counts().await, [0, 0, 0], "nothing is written");
    // And a POST with JSON writes.
    let (status, answer) = send(
        &app,
        "POST",
        "/api/graphql",
        Some("application/json"),
        &write_body(),
    )
    .await;
    assert_eq!(status, StatusCode::OK, "{answer}");
    assert_eq!(answer["data"]["upsertMLFeature"]["urn"], FEATURE);
}

#[tokio::test]
async fn no_method_but_post_writes_through_the_datahub_routes() {
    let app = TestApp::new().await;
    let paths = [
        "/aspects?action=ingestProposal",
        "/openapi/v3/entity/dataset",
    ];
    for path in paths {
        for method in ["HEAD", "GET", "PUT", "PATCH", "DELETE", "OPTIONS"] {
            for content_type in [Some("application/json"), Some("text/plain")] {
                let (status, _) = send(&app, method, path, content_type, &proposal_body()).await;
                assert!(
                    status.is_client_error(),
                    "{method} {path} ({content_type:?}) answered {status}"
                );
            }
        }
        let (status, _) = send(&app, "POST", path, Some("text/plain"), &proposal_body()).await;
        assert_eq!(status, StatusCode::UNSUPPORTED_MEDIA_TYPE, "{path}");
    }
    assert_eq!(app.row_counts().await, [0, 0, 0], "nothing is written");
}

// ---------------------------------------------------------------------------------------------
// Defect 12: with auth off, only host names that cannot be rebound are answered

async fn with_host(app: &TestApp, path: &str, host: Option<&str>) -> (StatusCode, Value) {
    let mut request = Request::post(path).header("content-type", "application/json");
    if let Some(host) = host {
        request = request.header("host", host);
    }
    let body = json!({"query": "{ listMLFeatures { total } }"}).to_string();
    let (status, bytes) = app.request(request.body(Body::from(body)).unwrap()).await;
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

#[tokio::test]
async fn with_auth_off_a_rebinding_host_name_is_refused_and_loopback_names_are_answered() {
    let app = TestApp::new().await;
    for host in [
        "evil.example",
        "evil.example:8080",
        "localhost.evil.example",
        "127.0.0.1.nip.io:8080",
    ] {
        let (status, answer) = with_host(&app, "/api/graphql", Some(host)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}: {answer}");
        assert_eq!(answer["errors"][0]["extensions"]["code"], "FORBIDDEN");
        assert!(
            answer["errors"][0]["message"]
                .as_str()
                .unwrap()
                .contains("--allowed-host"),
            "{answer}"
        );
        // The REST door and the playground too.
        let (status, answer) = with_host(&app, "/aspects?action=ingestProposal", Some(host)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{host}");
        assert_eq!(answer["status"], 403);
        assert!(answer["message"]
            .as_str()
            .unwrap()
            .contains("--allowed-host"));
    }
    for host in [
        Some("localhost"),
        Some("LOCALHOST:8080"),
        Some("catalog.localhost:3000"),
        Some("127.0.0.1:8080"),
        Some("[::1]:8080"),
        Some("[::1]"),
        Some("127.0.0.1"),
        None,
    ] {
        let (status, answer) = with_host(&app, "/api/graphql", host).await;
        assert_eq!(status, StatusCode::OK, "{host:?}: {answer}");
        assert_eq!(answer["data"]["listMLFeatures"]["total"], 0, "{host:?}");
    }
}

#[tokio::test]
async fn with_auth_on_any_host_name_is_left_to_the_token_check() {
    let app = TestApp::with_auth().await;
    let (status, answer) = with_host(&app, "/api/graphql", Some("evil.example")).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "UNAUTHENTICATED");
}

/// One request on a new connection with the given `Host` line, as raw HTTP/1.1; answers the
/// status.
async fn status_for_host(addr: std::net::SocketAddr, host: &str) -> u16 {
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request =
        format!("GET /api/graphql?query=%7B__typename%7D HTTP/1.1\r\nhost: {host}\r\nconnection: close\r\n\r\n");
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut answer = Vec::new();
    stream.read_to_end(&mut answer).await.unwrap();
    let answer = String::from_utf8_lossy(&answer);
    answer
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no status in {answer:?}"))
}

#[tokio::test]
async fn allowed_host_names_the_host_names_a_server_with_auth_off_also_answers() {
    let (url, _dir) = fresh_database().await;
    let server = Server::start_with(
        &url,
        &[
            "--allowed-host",
            "catalog.internal",
            "--allowed-host",
            "Mlcat.Example.COM:8080",
        ],
    )
    .await;
    assert_eq!(
        status_for_host(server.addr, "catalog.internal:8080").await,
        200
    );
    assert_eq!(status_for_host(server.addr, "mlcat.example.com").await, 200);
    assert_eq!(status_for_host(server.addr, "localhost").await, 200);
    assert_eq!(status_for_host(server.addr, "other.internal").await, 403);
}

// ---------------------------------------------------------------------------------------------
// Defect 8: a flood of directives or errors is not amplified

/// The answer to a POSTed query, with its size in bytes.
async fn answer_of(app: &TestApp, query: &str) -> (Value, usize) {
    let body = json!({ "query": query }).to_string();
    let (status, bytes) = app
        .request(
            Request::post("/api/graphql")
                .header("content-type", "application/json")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    (serde_json::from_slice(&bytes).unwrap(), bytes.len())
}

#[tokio::test]
async fn a_flood_of_directives_is_refused_with_one_error_naming_the_token_limit() {
    let app = TestApp::new().await;
    let flood = format!(
        "{{ listMLFeatures {{ total {} }} }}",
        "@include(if: true) ".repeat(400_000)
    );
    assert!(flood.len() > 7_000_000);
    let (answer, size) = answer_of(&app, &flood).await;
    assert_eq!(answer["errors"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    assert!(
        answer["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--max-query-tokens"),
        "{answer}"
    );
    assert!(size < 1000, "the answer is {size} bytes");
}

#[tokio::test]
async fn directives_on_one_field_are_bounded_below_the_token_limit() {
    let app = TestApp::with_limits(Limits {
        max_query_tokens: 10_000_000,
        ..Limits::default()
    })
    .await;
    let flood = format!(
        "{{ listMLFeatures {{ total {} }} }}",
        "@include(if: true) ".repeat(10_000)
    );
    let (answer, _) = answer_of(&app, &flood).await;
    assert_eq!(answer["errors"].as_array().unwrap().len(), 1, "{answer}");
    assert_eq!(answer["errors"][0]["extensions"]["code"], "BAD_USER_INPUT");
    let message = answer["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("at most 8 directives"), "{message}");
    // Two are fine.
    let (answer, _) = answer_of(
        &app,
        "{ listMLFeatures { total @include(if: true) @skip(if: false) } }",
    )
    .await;
    assert_eq!(answer["data"]["listMLFeatures"]["total"], 0, "{answer}");
}

#[tokio::test]
async fn an_answer_reports_at_most_a_hundred_errors_and_how_many_more_there_were() {
    let app = TestApp::new().await;
    let fields: String = (0..500).map(|i| format!(" unknown{i}")).collect();
    let (answer, _) = answer_of(&app, &format!("{{ listMLFeatures {{{fields} }} }}")).await;
    let errors = answer["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 101, "{answer}");
    assert!(errors[0]["message"].as_str().unwrap().contains("unknown0"));
    let last = errors[100]["message"].as_str().unwrap();
    assert!(
        last.contains("400 more errors were left out") && last.contains("first 100"),
        "{last}"
    );
    assert_eq!(errors[100]["extensions"]["code"], "BAD_USER_INPUT");
}

// ---------------------------------------------------------------------------------------------
// Slow request heads and idle connections are closed

/// Reads until the server closes the connection; fails if it is still open after a minute.
async fn closed_by_the_server(stream: &mut tokio::net::TcpStream) -> Vec<u8> {
    let mut answer = Vec::new();
    let read = tokio::time::timeout(
        std::time::Duration::from_secs(60),
        stream.read_to_end(&mut answer),
    )
    .await;
    assert!(read.is_ok(), "the connection is still open after a minute");
    answer
}

#[tokio::test]
async fn a_connection_that_sends_half_a_head_or_idles_is_closed() {
    let (url, _dir) = fresh_database().await;
    let server = Server::start_with(&url, &["--header-read-timeout-secs", "1"]).await;
    // Half a head, then nothing.
    let mut half = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    half.write_all(b"POST /api/graphql HTTP/1.1\r\nhost: localhost\r\ncontent-ty")
        .await
        .unwrap();
    let answer = closed_by_the_server(&mut half).await;
    assert!(
        !String::from_utf8_lossy(&answer).contains("200 OK"),
        "{answer:?}"
    );
    // Nothing at all.
    let mut silent = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    closed_by_the_server(&mut silent).await;
    // A kept-alive connection, idle after its answer.
    let mut idle = tokio::net::TcpStream::connect(server.addr).await.unwrap();
    idle.write_all(b"GET /health HTTP/1.1\r\nhost: localhost\r\n\r\n")
        .await
        .unwrap();
    let answer = closed_by_the_server(&mut idle).await;
    assert!(
        String::from_utf8_lossy(&answer).starts_with("HTTP/1.1 200 OK"),
        "{answer:?}"
    );
    // The server still answers whole requests.
    assert_eq!(status_for_host(server.addr, "localhost").await, 200);
}

// ---------------------------------------------------------------------------------------------
// The playground's pages cannot be framed or run scripts from elsewhere; no answer is sniffed

async fn headers_of(app: &TestApp, path: &str) -> axum::http::HeaderMap {
    let response = tower::ServiceExt::oneshot(
        mlcat::app::router(app.db.clone(), &Limits::default(), mlcat::auth::Auth::Off),
        Request::get(path).body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    response.headers().clone()
}

#[tokio::test]
async fn playground_pages_carry_a_content_security_policy_and_refuse_framing() {
    let app = TestApp::new().await;
    for path in ["/playground", "/playground/", "/playground/lineage"] {
        let headers = headers_of(&app, path).await;
        let csp = headers["content-security-policy"].to_str().unwrap();
        for directive in [
            "default-src 'self'",
            "script-src 'self' 'wasm-unsafe-eval'",
            "frame-ancestors 'none'",
            "object-src 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp}");
        }
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{csp}");
        assert_eq!(headers["x-frame-options"], "DENY", "{path}");
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
    // The page runs no inline script: the policy would block it.
    let (_, page) = app.get("/playground").await;
    let page = String::from_utf8(page).unwrap();
    assert!(!page.contains("<script>"), "an inline script is left");
    assert!(page.contains(r#"<script src="/playground/assets/graphiql-page.js"></script>"#));
}

#[tokio::test]
async fn every_answer_says_nosniff() {
    let app = TestApp::new().await;
    for path in [
        "/health",
        "/api/graphql?query=%7B__typename%7D",
        "/playground/assets/lineage.js",
        "/playground/examples",
        "/config",
        "/nowhere",
    ] {
        let headers = headers_of(&app, path).await;
        assert_eq!(headers["x-content-type-options"], "nosniff", "{path}");
    }
}
