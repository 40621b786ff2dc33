//! The HTTP application: routes, shared state, layers, and serving with graceful shutdown.

use std::sync::Arc;
use std::time::Duration;

use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::serve::ListenerExt;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;

use crate::auth::{self, Access, Auth, AuthState};
use crate::catalog::{Catalog, Deadline, Writability, WriteMode};
use crate::config::Limits;
use crate::graphql::http::refused;
use crate::shared::{is_graphql_path, Shared};

/// Builds the router over a migrated database: each front door's routes over the state they
/// share, and the layers every request passes.
pub fn router(db: DatabaseConnection, limits: &Limits, auth: Auth) -> Router {
    router_with(db, limits, auth, WriteMode::ReadWrite)
}

/// [`router`] for a catalog that takes writes, or (read-only) answers every write 503 /
/// `UNAVAILABLE` and only queries.
pub fn router_with(db: DatabaseConnection, limits: &Limits, auth: Auth, mode: WriteMode) -> Router {
    let auth_state = Arc::new(AuthState {
        db: db.clone(),
        auth,
    });
    let shared = Shared {
        catalog: Catalog::with_mode(db, mode),
        limits: limits.clone(),
    };
    Router::new()
        .route("/health", get(health).with_state(shared.catalog.clone()))
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .merge(crate::graphql::http::routes(shared.clone()))
        .merge(crate::playground::routes())
        .merge(crate::datahub::routes().with_state(Arc::new(shared)))
        .layer(middleware::from_fn(require_write_for_rest))
        .layer(middleware::from_fn(require_json_body))
        .layer(middleware::from_fn_with_state(
            limits.request_timeout(),
            time_limit,
        ))
        .layer(middleware::from_fn_with_state(auth_state, auth::layer))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(middleware::from_fn(crate::logging::request_log))
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

/// Cuts off a request that runs longer than the limit, unless a write of it was committed or
/// is being committed. The request carries its [`Deadline`] (an extension the front doors give
/// to the catalog's writes), and the deadline decides, under one lock, between the writer
/// committing a write and this layer cutting the request off: a request answered 408 wrote
/// nothing, since no write of it commits after it was cut off (on SQLite the queued write is
/// rolled back by the writer, on PostgreSQL the dropped transaction rolls back), and a write
/// that commits is answered with its outcome, even a little after the limit. Writes a request
/// makes after the limit answer `TIMEOUT` themselves.
async fn time_limit(State(limit): State<Duration>, mut request: Request, next: Next) -> Response {
    let graphql = is_graphql_path(request.uri().path());
    let deadline = Deadline::after(limit);
    request.extensions_mut().insert(deadline.clone());
    let mut answer = std::pin::pin!(next.run(request));
    match tokio::time::timeout_at(deadline.at(), answer.as_mut()).await {
        Ok(response) => response,
        // A write of the request committed or is committing: its answer says what it wrote.
        Err(_) if !deadline.cut_off() => answer.await,
        Err(_) => {
            let message = format!(
                "the request ran longer than the limit of {} (--request-timeout-secs); nothing of it was written",
                deadline.limit_text()
            );
            let body = if graphql {
                json!({"errors": [{"message": message, "extensions": {"code": "TIMEOUT"}}]})
            } else {
                json!({"message": message, "status": 408, "code": "TIMEOUT"})
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
    if !reads && !is_graphql_path(path) {
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

/// `200 {"status": "ok", "writes": "working"}` when the database answers and takes writes;
/// `200 {"status": "ok", "writes": "off", "message"}` on a server started read-only;
/// `200 {"status": "degraded", "writes": "failing", "message", "since"}` when the database
/// refused the last write for a reason of its own (a full disk, a read-only file or server:
/// queries still work, writes answer 503 / `UNAVAILABLE` until one succeeds again);
/// `503 {"status": "unavailable"}` when the database does not answer at all.
async fn health(State(catalog): State<Catalog>) -> Response {
    if let Err(e) = catalog.ping().await {
        tracing::error!(error = ?e, "health check failed");
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(json!({"status": "unavailable", "message": "the database does not answer"})),
        )
            .into_response();
    }
    let body = match catalog.writability() {
        Writability::Working => json!({"status": "ok", "writes": "working"}),
        Writability::Off => json!({
            "status": "ok",
            "writes": "off",
            "message": "this server is read-only (started with --read-only): queries work, writes answer 503",
        }),
        Writability::Failing { message, since } => json!({
            "status": "degraded",
            "writes": "failing",
            "message": message,
            "since": since,
        }),
    };
    Json(body).into_response()
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
    tracing::info!("shutting down: no new connections; waiting for requests in flight");
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
