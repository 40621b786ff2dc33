//! GraphQL subscriptions over WebSocket: `/api/graphql/ws`, speaking `graphql-transport-ws`
//! (and the older `graphql-ws`), as GraphiQL and the common clients do. The request that opens
//! the socket passes the same layers as any other; when the server requires tokens, the token
//! comes either as the upgrade's `Authorization` header or, since a browser cannot set one on a
//! WebSocket, in `connection_init`'s payload, checked before anything is served (a missing or
//! bad one closes the socket with 4403, as the protocol says). A socket that sends no
//! `connection_init` within [`INIT_WAIT`] is closed with 4408, as the protocol says, so an idle
//! socket cannot be held open for nothing. The socket serves a schema of its own with the
//! subscription root and no mutations, so nothing is written through it.

use std::sync::atomic::{AtomicBool, AtomicU16, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_graphql::http::ALL_WEBSOCKET_PROTOCOLS;
use async_graphql::{Context, EmptyMutation, Object, Result, Schema};
use async_graphql_axum::{GraphQLProtocol, GraphQLWebSocket};
use axum::extract::ws::{CloseFrame, Message, WebSocketUpgrade};
use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use futures_util::{SinkExt, StreamExt};
use serde_json::json;

use super::changes::Subscription;
use crate::auth::{Access, SocketRefusal, SocketToken};
use crate::catalog::Catalog;
use crate::config::Limits;
use crate::shared::Shared;

/// Where subscriptions are served.
pub const PATH: &str = "/api/graphql/ws";

/// The schema a socket serves.
pub type SocketSchema = Schema<SocketQuery, EmptyMutation, Subscription>;

/// The query root of a socket: what a subscriber may ask before it subscribes.
pub struct SocketQuery;

/// Queries over the socket; everything else is asked over HTTP at `/api/graphql`.
#[Object(name = "Query")]
impl SocketQuery {
    /// The cursor of the newest committed change (as `changeFeedHead` over HTTP).
    async fn change_feed_head(&self, ctx: &Context<'_>) -> Result<String> {
        let catalog = ctx.data::<Catalog>()?;
        Ok(catalog.change_head().await?.to_string())
    }
}

struct SocketState {
    shared: Shared,
    schema: SocketSchema,
}

/// The subscription route over the shared state.
pub fn routes(shared: Shared) -> Router {
    let state = Arc::new(SocketState {
        schema: build(&shared.limits),
        shared,
    });
    Router::new().route(PATH, get(open)).with_state(state)
}

fn build(limits: &Limits) -> SocketSchema {
    Schema::build(SocketQuery, EmptyMutation, Subscription)
        .limit_directives(super::MAX_DIRECTIVES_PER_FIELD)
        .limit_depth(limits.max_query_depth)
        .limit_complexity(limits.max_query_complexity)
        .data(limits.clone())
        .finish()
}

/// Opens a socket. A browser page of another site may open a WebSocket to this server (no
/// CORS rule stops it), so a request with an `Origin` must come from the server's own origin.
async fn open(
    State(state): State<Arc<SocketState>>,
    Extension(access): Extension<Access>,
    token: Option<Extension<SocketToken>>,
    headers: HeaderMap,
    protocol: Result<GraphQLProtocol, StatusCode>,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Response {
    if let Some(refusal) = foreign_origin(&headers) {
        return refuse(StatusCode::FORBIDDEN, refusal);
    }
    let (Ok(protocol), Ok(upgrade)) = (protocol, upgrade) else {
        return refuse(
            StatusCode::BAD_REQUEST,
            format!(
                "{PATH} serves GraphQL subscriptions over WebSocket: open a WebSocket with the \
                 subprotocol graphql-transport-ws; queries and mutations go to /api/graphql"
            ),
        );
    };
    let schema = state.schema.clone();
    let catalog = state.shared.catalog.clone();
    upgrade
        .protocols(ALL_WEBSOCKET_PROTOCOLS)
        .on_upgrade(move |socket| async move {
            let mut data = async_graphql::Data::default();
            data.insert(catalog);
            data.insert(access);
            // async-graphql closes a socket whose `connection_init` it refused with 1002; the
            // code this refusal needs is set here and put on that close frame on its way out.
            let refusal = Arc::new(AtomicU16::new(0));
            let initialised = Arc::new(AtomicBool::new(false));
            let (sink, stream) = socket.split();
            let sink = sink.with({
                let refusal = refusal.clone();
                move |message: Message| {
                    let code = refusal.load(Ordering::Relaxed);
                    let message = match message {
                        Message::Close(Some(frame)) if code != 0 && frame.code == 1002 => {
                            Message::Close(Some(CloseFrame {
                                code,
                                reason: if code == INIT_TIMEOUT {
                                    "Connection initialisation timeout".into()
                                } else {
                                    frame.reason
                                },
                            }))
                        }
                        other => other,
                    };
                    std::future::ready(Ok::<_, axum::Error>(message))
                }
            });
            // No `connection_init` in time: a message that is not the protocol's is put in the
            // client's stream, which async-graphql answers by closing with 1002, and the sink
            // above turns that close into 4408.
            let overdue = futures_util::stream::once({
                let (refusal, initialised) = (refusal.clone(), initialised.clone());
                async move {
                    tokio::time::sleep(INIT_WAIT).await;
                    if initialised.load(Ordering::Relaxed) {
                        return None;
                    }
                    refusal.store(INIT_TIMEOUT, Ordering::Relaxed);
                    Some(Ok(Message::Text("no connection_init in time".into())))
                }
            })
            .filter_map(std::future::ready);
            let stream = futures_util::stream::select(stream, overdue);
            let socket = GraphQLWebSocket::new_with_pair(sink, stream, schema, protocol)
                .with_data(data)
                .on_connection_init(move |payload| async move {
                    initialised.store(true, Ordering::Relaxed);
                    let mut data = async_graphql::Data::default();
                    let Some(Extension(token)) = token else {
                        return Ok(data);
                    };
                    match token.check(&payload).await {
                        Ok(access) => {
                            data.insert(access);
                            Ok(data)
                        }
                        Err(SocketRefusal::Forbidden(why)) => {
                            refusal.store(FORBIDDEN, Ordering::Relaxed);
                            Err(async_graphql::Error::new(why))
                        }
                        Err(SocketRefusal::Unavailable) => {
                            refusal.store(UNAVAILABLE, Ordering::Relaxed);
                            Err(async_graphql::Error::new("the database does not answer"))
                        }
                    }
                });
            socket.serve().await
        })
}

/// The close code of a refused `connection_init` (graphql-transport-ws: Forbidden).
const FORBIDDEN: u16 = 4403;

/// How long a socket may stay open without `connection_init` (graphql-ws's default wait is 3 s).
pub const INIT_WAIT: Duration = Duration::from_secs(5);

/// The close code of a socket that sent no `connection_init` in time (graphql-transport-ws:
/// Connection initialisation timeout).
const INIT_TIMEOUT: u16 = 4408;

/// The close code when the token could not be checked (WebSocket: internal error).
const UNAVAILABLE: u16 = 1011;

/// Why a request's `Origin` is not this server's (its `Host`), if it is not.
fn foreign_origin(headers: &HeaderMap) -> Option<String> {
    let origin = headers.get(header::ORIGIN)?.to_str().unwrap_or("\u{fffd}");
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let authority = origin
        .split_once("://")
        .map_or("", |(_, rest)| rest.trim_end_matches('/'));
    (authority.is_empty() || !authority.eq_ignore_ascii_case(host)).then(|| {
        format!(
            "a WebSocket to this server must be opened by a page of its own origin, not {origin:?}"
        )
    })
}

fn refuse(status: StatusCode, message: String) -> Response {
    let code = if status == StatusCode::FORBIDDEN {
        "FORBIDDEN"
    } else {
        "BAD_USER_INPUT"
    };
    let body = json!({"errors": [{"message": message, "extensions": {"code": code}}]});
    (status, Json(body)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(origin: Option<&str>, host: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::HOST,
            host.parse().unwrap_or_else(|_| unreachable!()),
        );
        if let Some(o) = origin {
            h.insert(header::ORIGIN, o.parse().unwrap_or_else(|_| unreachable!()));
        }
        h
    }

    #[test]
    fn only_the_servers_own_origin_may_open_a_socket() {
        assert!(foreign_origin(&headers(None, "127.0.0.1:8080")).is_none());
        assert!(
            foreign_origin(&headers(Some("http://127.0.0.1:8080"), "127.0.0.1:8080")).is_none()
        );
        assert!(foreign_origin(&headers(Some("https://evil.example"), "127.0.0.1:8080")).is_some());
        assert!(foreign_origin(&headers(Some("null"), "127.0.0.1:8080")).is_some());
    }
}
