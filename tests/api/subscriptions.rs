//! GraphQL subscriptions over a real WebSocket (`graphql-transport-ws`) against the real
//! server on a port: `entityChanged(filter:)` delivers the changes written through GraphQL that
//! its filter matches, in commit order; the socket's request passes the auth layer; a page of
//! another origin may not open one.

use std::time::Duration;

use futures_util::{SinkExt, StreamExt};
use mlcat::auth::Scope;
use serde_json::{json, Value};
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Message;

use crate::support::TestApp;

const MODEL: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,churn,PROD)";
const DATASET: &str = "urn:li:dataset:(urn:li:dataPlatform:hive,users,PROD)";
/// Written until every subscription has seen it: then each is live.
const MARKER: &str = "urn:li:mlModel:(urn:li:dataPlatform:sagemaker,marker,PROD)";

pub(crate) type Socket =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Serves the app on a free port of the loopback address; answers the address.
async fn serve(app: &TestApp) -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let router = app.router();
    tokio::spawn(async move {
        mlcat::app::serve(listener, router, &mlcat::config::Limits::default())
            .await
            .unwrap();
    });
    addr
}

/// The upgrade request, with the subprotocol and the given extra headers.
fn socket_request(
    addr: std::net::SocketAddr,
    headers: &[(&'static str, String)],
) -> tokio_tungstenite::tungstenite::handshake::client::Request {
    let mut request = format!("ws://{addr}/api/graphql/ws")
        .into_client_request()
        .unwrap();
    request.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "graphql-transport-ws".parse().unwrap(),
    );
    for (name, value) in headers {
        request.headers_mut().insert(*name, value.parse().unwrap());
    }
    request
}

/// Opens a socket and initializes the protocol.
pub(crate) async fn open(addr: std::net::SocketAddr, headers: &[(&'static str, String)]) -> Socket {
    let (mut socket, response) = tokio_tungstenite::connect_async(socket_request(addr, headers))
        .await
        .unwrap();
    assert_eq!(
        response.headers()["sec-websocket-protocol"],
        "graphql-transport-ws"
    );
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": {}}),
    )
    .await;
    let ack = receive(&mut socket).await;
    assert_eq!(ack["type"], "connection_ack", "{ack}");
    socket
}

pub(crate) async fn send(socket: &mut Socket, message: Value) {
    socket
        .send(Message::Text(message.to_string().into()))
        .await
        .unwrap();
}

/// The next protocol message (pings answered on the way).
pub(crate) async fn receive(socket: &mut Socket) -> Value {
    loop {
        let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
            .await
            .expect("a message within 30 s")
            .expect("the socket open")
            .unwrap();
        if let Message::Text(text) = message {
            let value: Value = serde_json::from_str(&text).unwrap();
            if value["type"] == "ping" {
                send(socket, json!({"type": "pong"})).await;
                continue;
            }
            return value;
        }
    }
}

pub(crate) async fn subscribe(socket: &mut Socket, id: &str, filter: Value) {
    send(
        socket,
        json!({"id": id, "type": "subscribe", "payload": {
            "query": "subscription($filter: ChangeFilter) {
                entityChanged(filter: $filter) { cursor urn type aspect version kind actor } }",
            "variables": {"filter": filter},
        }}),
    )
    .await;
}

async fn replace(app: &TestApp, urn: &str, aspect: &str, value: Value) {
    app.data_vars(
        "mutation($urn: String!, $aspect: String!, $value: JSON!) {
            replaceAspect(input: {urn: $urn, aspectName: $aspect, value: $value}) { version } }",
        json!({"urn": urn, "aspect": aspect, "value": value}),
    )
    .await;
}

#[tokio::test]
async fn entity_changed_delivers_what_each_filter_matches_in_commit_order() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let mut socket = open(addr, &[]).await;
    subscribe(&mut socket, "models", json!({"entityTypes": ["MLMODEL"]})).await;
    subscribe(&mut socket, "tags", json!({"aspects": ["globalTags"]})).await;

    // A subscription starts at the feed's head when the server runs it: write the marker
    // (which both match) until both have seen it, so both are live for what follows.
    let mut live = std::collections::HashSet::new();
    let mut n = 0;
    while live.len() < 2 {
        n += 1;
        replace(
            &app,
            MARKER,
            "globalTags",
            json!({"tags": [{"tag": format!("urn:li:tag:t{n}")}]}),
        )
        .await;
        let deadline = tokio::time::Instant::now() + Duration::from_millis(500);
        while let Ok(message) = tokio::time::timeout_at(deadline, receive(&mut socket)).await {
            assert_eq!(message["type"], "next", "{message}");
            live.insert(message["id"].as_str().unwrap().to_string());
        }
        assert!(n < 40, "the subscriptions never went live");
    }

    replace(
        &app,
        DATASET,
        "datasetProperties",
        json!({"description": "neither"}),
    )
    .await;
    replace(
        &app,
        MODEL,
        "mlModelProperties",
        json!({"description": "models only"}),
    )
    .await;
    replace(&app, DATASET, "globalTags", json!({"tags": []})).await;
    replace(&app, MODEL, "globalTags", json!({"tags": []})).await;

    let mut got: std::collections::HashMap<String, Vec<(String, String, i64)>> = Default::default();
    while got.get("models").map_or(0, Vec::len) < 2 || got.get("tags").map_or(0, Vec::len) < 2 {
        let message = receive(&mut socket).await;
        assert_eq!(message["type"], "next", "{message}");
        let change = &message["payload"]["data"]["entityChanged"];
        if change["urn"] == MARKER {
            continue;
        }
        assert_eq!(change["kind"], "UPSERT");
        assert_eq!(change["actor"], "anonymous");
        got.entry(message["id"].as_str().unwrap().to_string())
            .or_default()
            .push((
                change["urn"].as_str().unwrap().to_string(),
                change["aspect"].as_str().unwrap().to_string(),
                change["version"].as_i64().unwrap(),
            ));
    }
    assert_eq!(
        got["models"],
        vec![
            (MODEL.to_string(), "mlModelProperties".to_string(), 1),
            (MODEL.to_string(), "globalTags".to_string(), 1),
        ]
    );
    assert_eq!(
        got["tags"],
        vec![
            (DATASET.to_string(), "globalTags".to_string(), 1),
            (MODEL.to_string(), "globalTags".to_string(), 1),
        ]
    );

    // One subscription ended by the client; the other goes on.
    send(&mut socket, json!({"id": "models", "type": "complete"})).await;
    replace(
        &app,
        MODEL,
        "globalTags",
        json!({"tags": [{"tag": "urn:li:tag:last"}]}),
    )
    .await;
    loop {
        let message = receive(&mut socket).await;
        if message["id"] == "tags" {
            assert_eq!(message["payload"]["data"]["entityChanged"]["version"], 2);
            break;
        }
    }
}

#[tokio::test]
async fn a_bad_filter_is_an_error_on_the_subscription() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let mut socket = open(addr, &[]).await;
    subscribe(&mut socket, "bad", json!({"hops": 2})).await;
    let message = receive(&mut socket).await;
    assert_eq!(message["id"], "bad", "{message}");
    assert_eq!(message["type"], "next", "{message}");
    assert_eq!(
        message["payload"]["errors"][0]["extensions"]["code"], "BAD_USER_INPUT",
        "{message}"
    );
    let message = receive(&mut socket).await;
    assert_eq!(message, json!({"type": "complete", "id": "bad"}));
    // Mutations are not served over the socket.
    send(
        &mut socket,
        json!({"id": "write", "type": "subscribe", "payload": {
            "query": "mutation { softDeleteEntity(urn: \"urn:li:tag:x\") }"}}),
    )
    .await;
    let message = receive(&mut socket).await;
    assert_eq!(message["id"], "write", "{message}");
    assert!(message["payload"].to_string().contains("rror"), "{message}");
}

/// Opens a socket with `headers` and sends `connection_init` with `payload`: the server's first
/// answer, `Ok` with the socket when it acknowledged, `Err` with the close frame's code and
/// reason when it closed the socket.
async fn init(
    addr: std::net::SocketAddr,
    headers: &[(&'static str, String)],
    payload: Value,
) -> Result<Socket, (u16, String)> {
    let (mut socket, _) = tokio_tungstenite::connect_async(socket_request(addr, headers))
        .await
        .unwrap();
    send(
        &mut socket,
        json!({"type": "connection_init", "payload": payload}),
    )
    .await;
    let message = tokio::time::timeout(Duration::from_secs(30), socket.next())
        .await
        .expect("an answer within 30 s")
        .expect("a message or a close");
    match message {
        Ok(Message::Text(text)) => {
            let value: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(value["type"], "connection_ack", "{value}");
            Ok(socket)
        }
        Ok(Message::Close(Some(frame))) => Err((u16::from(frame.code), frame.reason.to_string())),
        Ok(other) => panic!("unexpected {other:?}"),
        Err(e) => panic!("the socket failed: {e}"),
    }
}

#[tokio::test]
async fn with_tokens_required_the_socket_takes_the_token_in_connection_init() {
    let app = TestApp::with_auth().await;
    let addr = serve(&app).await;
    let token = mlcat::auth::create_token(&app.db, "reader", Scope::Read)
        .await
        .unwrap();
    let revoked = mlcat::auth::create_token(&app.db, "gone", Scope::Read)
        .await
        .unwrap();
    mlcat::auth::revoke_tokens(&app.db, "gone").await.unwrap();
    let writer = app.write_tokens(1).await.remove(0);

    // A browser cannot set a header on a WebSocket: the upgrade goes through, and the first
    // message must carry the token; without one, or with a bad one, the socket closes with
    // 4403 (Forbidden) and serves nothing.
    for payload in [
        json!({}),
        json!(null),
        json!({"Authorization": "Bearer mlcat_not_a_token"}),
        json!({"Authorization": format!("Bearer {revoked}")}),
        json!({"token": ""}),
        json!({"Authorization": 42}),
    ] {
        match init(addr, &[], payload.clone()).await {
            Err((code, reason)) => {
                assert_eq!(code, 4403, "{payload}: {reason}");
                assert!(reason.contains("token"), "{payload}: {reason}");
            }
            Ok(_) => panic!("{payload} was acknowledged"),
        }
    }

    // A subscribe before (or without) an acknowledged init is not served.
    let (mut socket, _) = tokio_tungstenite::connect_async(socket_request(addr, &[]))
        .await
        .unwrap();
    subscribe(&mut socket, "early", json!(null)).await;
    match tokio::time::timeout(Duration::from_secs(30), socket.next())
        .await
        .unwrap()
    {
        Some(Ok(Message::Close(Some(frame)))) => assert_ne!(u16::from(frame.code), 1000),
        other => panic!("expected a close, got {other:?}"),
    }

    // The token as clients send it: `Authorization` with `Bearer`, `authorization`, `token`.
    for payload in [
        json!({"Authorization": format!("Bearer {token}")}),
        json!({"authorization": format!("Bearer {token}")}),
        json!({"token": token}),
    ] {
        let mut socket = init(addr, &[], payload.clone())
            .await
            .unwrap_or_else(|e| panic!("{payload}: {e:?}"));
        subscribe(&mut socket, "models", json!({"entityTypes": ["MLMODEL"]})).await;
        // Live: the subscription answers what is written from now on (written by a writer's
        // token over HTTP).
        let mut n = 0;
        loop {
            n += 1;
            let body = json!({
                "query": "mutation($urn: String!, $value: JSON!) { replaceAspect(input: \
                          {urn: $urn, aspectName: \"mlModelProperties\", value: $value}) { version } }",
                "variables": {"urn": MODEL, "value": {"description": format!("v{n}")}},
            });
            let (status, answer) = app
                .request(
                    axum::http::Request::post("/api/graphql")
                        .header("content-type", "application/json")
                        .header("authorization", format!("Bearer {writer}"))
                        .body(axum::body::Body::from(body.to_string()))
                        .unwrap(),
                )
                .await;
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            assert!(!String::from_utf8_lossy(&answer).contains("errors"));
            let got = tokio::time::timeout(Duration::from_millis(500), receive(&mut socket)).await;
            if let Ok(message) = got {
                assert_eq!(message["type"], "next", "{message}");
                assert_eq!(message["payload"]["data"]["entityChanged"]["urn"], MODEL);
                break;
            }
            assert!(n < 40, "{payload}: the subscription never delivered");
        }
    }
}

#[tokio::test]
async fn the_socket_passes_the_auth_layer_and_refuses_other_origins() {
    let app = TestApp::with_auth().await;
    let addr = serve(&app).await;

    // A bad token in the upgrade's header: refused before any upgrade.
    let refused = tokio_tungstenite::connect_async(socket_request(
        addr,
        &[("Authorization", "Bearer mlcat_not_a_token".to_string())],
    ))
    .await;
    match refused {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 401)
        }
        other => panic!("expected 401, got {other:?}"),
    }

    // A read token in the header is enough to subscribe, with an empty connection_init.
    let token = mlcat::auth::create_token(&app.db, "reader", Scope::Read)
        .await
        .unwrap();
    let mut socket = open(addr, &[("Authorization", format!("Bearer {token}"))]).await;
    subscribe(&mut socket, "all", json!(null)).await;
    send(&mut socket, json!({"id": "all", "type": "complete"})).await;

    // A page of another site may not open a socket, even with the token.
    let foreign = tokio_tungstenite::connect_async(socket_request(
        addr,
        &[
            ("Authorization", format!("Bearer {token}")),
            ("Origin", "https://evil.example".to_string()),
        ],
    ))
    .await;
    match foreign {
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            assert_eq!(response.status(), 403)
        }
        other => panic!("expected 403, got {other:?}"),
    }
}

/// A socket that sends no `connection_init` is closed with 4408 (Connection initialisation
/// timeout) once `INIT_WAIT` has passed, so an idle socket holds nothing open; one that sent it
/// is still served after that time.
#[tokio::test]
async fn a_socket_without_connection_init_is_closed_with_4408() {
    let app = TestApp::new().await;
    let addr = serve(&app).await;
    let (mut idle, _) = tokio_tungstenite::connect_async(socket_request(addr, &[]))
        .await
        .unwrap();
    let mut initialised = open(addr, &[]).await;
    let wait = mlcat::graphql::ws::INIT_WAIT + Duration::from_secs(20);
    match tokio::time::timeout(wait, idle.next()).await {
        Ok(Some(Ok(Message::Close(Some(frame))))) => {
            assert_eq!(u16::from(frame.code), 4408, "{}", frame.reason);
            assert_eq!(frame.reason, "Connection initialisation timeout");
        }
        other => panic!("expected a close with 4408, got {other:?}"),
    }
    send(&mut initialised, json!({"type": "ping"})).await;
    assert_eq!(receive(&mut initialised).await, json!({"type": "pong"}));
}
