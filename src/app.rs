//! The HTTP application: routes, shared state, layers, and serving with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use async_graphql_axum::GraphQLResponse;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::StatusCode;
use axum::http::{Method, Uri};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::Extension;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::trace::TraceLayer;

use crate::auth::{self, Access, Auth, AuthState};
use crate::catalog::{Actor, Catalog};
use crate::config::Limits;
use crate::graphql::{self, loaders, MlcatSchema};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Catalog,
    pub schema: MlcatSchema,
    pub max_body_bytes: usize,
    pub limits: Limits,
    pub parsed: Arc<graphql::QueryCache>,
}

/// Builds the router over a migrated database.
pub fn router(db: DatabaseConnection, limits: &Limits, auth: Auth) -> Router {
    let auth_state = Arc::new(AuthState {
        db: db.clone(),
        auth,
    });
    let state = AppState {
        catalog: Catalog::new(db),
        schema: graphql::build_schema(limits),
        max_body_bytes: limits.max_body_bytes,
        limits: limits.clone(),
        parsed: Arc::default(),
    };
    Router::new()
        .route("/api/graphql", get(graphql_handler).post(graphql_handler))
        .route("/graphql", get(graphql_handler).post(graphql_handler))
        .route("/health", get(health))
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .merge(crate::playground::routes())
        .merge(crate::datahub::routes())
        .with_state(Arc::new(state))
        .layer(middleware::from_fn(require_write_for_rest))
        .layer(middleware::from_fn(require_json_body))
        .layer(middleware::from_fn_with_state(
            Duration::from_secs(limits.request_timeout_secs),
            time_limit,
        ))
        .layer(middleware::from_fn_with_state(auth_state, auth::layer))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
}

/// `GET` with the request in the query string, or `POST` with it as JSON. The body is read
/// here rather than by async-graphql's extractor so that a body over the size limit answers 413
/// whether or not it announced its length.
async fn graphql_handler(
    State(state): State<Arc<AppState>>,
    Extension(access): Extension<Access>,
    method: Method,
    uri: Uri,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let parsed = if method == Method::GET {
        let request = async_graphql::http::parse_query_string(uri.query().unwrap_or_default())
            .map_err(|e| e.to_string());
        // A link or an image can make a browser send a GET: it may only read.
        if let Ok(request) = &request {
            if is_mutation(&request.query) {
                return refused(
                    StatusCode::METHOD_NOT_ALLOWED,
                    "mutations must be sent with POST".to_string(),
                );
            }
        }
        request
    } else {
        match body {
            Ok(bytes) => {
                serde_json::from_slice::<async_graphql::Request>(&bytes).map_err(|e| e.to_string())
            }
            Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
                return refused(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!(
                        "the body is larger than the limit of {} bytes",
                        state.max_body_bytes
                    ),
                );
            }
            Err(rejection) => Err(rejection.body_text()),
        }
    };
    let mut request = match parsed {
        Ok(request) => request,
        Err(why) => {
            return refused(
                StatusCode::BAD_REQUEST,
                format!(
                    "the body is not a GraphQL request ({why}); send JSON like {{\"query\": \"{{ ... }}\", \"variables\": {{}}}}"
                ),
            )
        }
    };
    if let Some(refusal) = graphql::refuse_over_limits(&mut request, &state.limits, &state.parsed) {
        return GraphQLResponse::from(refusal).into_response();
    }
    let (loaders, batches) = loaders::for_request(state.catalog.clone());
    let request = request
        .data(state.catalog.clone())
        .data(loaders)
        .data(Actor::named(access.actor.clone()))
        .data(access);
    let mut response = loaders::drive(batches, state.schema.execute(request)).await;
    graphql::ensure_error_codes(&mut response, &state.limits);
    GraphQLResponse::from(response).into_response()
}

/// Bodies are JSON, sent as JSON. Refusing other content types keeps a cross-site form (which
/// can only send `text/plain`, a form encoding or multipart) from writing to the catalog.
async fn require_json_body(request: Request, next: Next) -> Response {
    let sends_body = matches!(
        *request.method(),
        Method::POST | Method::PUT | Method::PATCH
    );
    let json = request
        .headers()
        .get(axum::http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            let media = v
                .split(';')
                .next()
                .unwrap_or_default()
                .trim()
                .to_ascii_lowercase();
            media == "application/json" || media.ends_with("+json")
        });
    if sends_body && !json {
        let message = "send the body as JSON, with `Content-Type: application/json`".to_string();
        return if is_graphql_path(request.uri().path()) {
            refused(StatusCode::UNSUPPORTED_MEDIA_TYPE, message)
        } else {
            (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                Json(json!({"message": message, "status": 415, "code": "BAD_USER_INPUT"})),
            )
                .into_response()
        };
    }
    next.run(request).await
}

fn is_graphql_path(path: &str) -> bool {
    path == "/api/graphql" || path == "/graphql"
}

/// Cuts off a request that runs longer than the limit. Dropping it drops any open transaction,
/// which rolls back: a cut-off write leaves nothing behind.
async fn time_limit(State(limit): State<Duration>, request: Request, next: Next) -> Response {
    let graphql = matches!(request.uri().path(), "/api/graphql" | "/graphql");
    match tokio::time::timeout(limit, next.run(request)).await {
        Ok(response) => response,
        Err(_) => {
            let message = format!(
                "the request ran longer than the limit of {} s (--request-timeout-secs)",
                limit.as_secs()
            );
            let body = if graphql {
                json!({"errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]})
            } else {
                json!({"message": message, "status": 408})
            };
            (StatusCode::REQUEST_TIMEOUT, Json(body)).into_response()
        }
    }
}

/// Writes through the REST front doors (any method but GET and HEAD) need write scope; GraphQL
/// mutations check it themselves, since a POST there may be a query.
async fn require_write_for_rest(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let reads = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !reads && path != "/api/graphql" && path != "/graphql" {
        if let Some(access) = request.extensions().get::<Access>() {
            if let Err(e) = access.require_write() {
                return (
                    StatusCode::FORBIDDEN,
                    Json(json!({"message": e.public_message(), "status": 403})),
                )
                    .into_response();
            }
        }
    }
    next.run(request).await
}

fn is_mutation(query: &str) -> bool {
    use async_graphql::parser::types::{DocumentOperations, OperationType};
    match async_graphql::parser::parse_query(query) {
        Ok(doc) => match doc.operations {
            DocumentOperations::Single(op) => op.node.ty == OperationType::Mutation,
            DocumentOperations::Multiple(ops) => {
                ops.values().any(|op| op.node.ty == OperationType::Mutation)
            }
        },
        Err(_) => false,
    }
}

/// A request refused before GraphQL sees it, in the GraphQL error shape so clients show it.
fn refused(status: StatusCode, message: String) -> Response {
    (
        status,
        Json(json!({"errors": [{"message": message, "extensions": {"code": "BAD_USER_INPUT"}}]})),
    )
        .into_response()
}

async fn health(State(state): State<Arc<AppState>>) -> Response {
    match state.catalog.ping().await {
        Ok(()) => Json(json!({"status": "ok"})).into_response(),
        Err(e) => {
            tracing::error!(error = ?e, "health check failed");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(json!({"status": "unavailable", "message": "the database does not answer"})),
            )
                .into_response()
        }
    }
}

/// Serves until Ctrl-C or SIGTERM, then lets in-flight requests finish.
///
/// Every connection gets `TCP_NODELAY`: with Nagle's algorithm on, the last, partly filled
/// segment of an answer larger than one segment waits until the client acknowledges the ones
/// before it, and a client may delay that acknowledgement by up to 40 ms.
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!("could not set TCP_NODELAY on a connection: {e}");
        }
    });
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown_signal())
        .await?;
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use http_body_util::BodyExt;
    use tower::ServiceExt;

    use super::*;

    async fn slow() -> &'static str {
        tokio::time::sleep(Duration::from_secs(5)).await;
        "done"
    }

    #[tokio::test]
    async fn a_request_over_the_time_limit_is_cut_off_with_a_coded_error() {
        let app =
            Router::new()
                .route("/api/graphql", get(slow))
                .layer(middleware::from_fn_with_state(
                    Duration::from_millis(50),
                    time_limit,
                ));
        let response = app
            .oneshot(Request::get("/api/graphql").body(Body::empty()).unwrap())
            .await
            .unwrap();
        assert_eq!(response.status(), StatusCode::REQUEST_TIMEOUT);
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["errors"][0]["extensions"]["code"], "TIMEOUT");
        assert!(body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--request-timeout-secs"));
    }
}
