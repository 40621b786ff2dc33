//! The HTTP application: routes, shared state, layers, and serving with graceful shutdown.

use std::sync::Arc;

use async_graphql::ParseRequestError;
use async_graphql_axum::rejection::GraphQLRejection;
use async_graphql_axum::{GraphQLRequest, GraphQLResponse};
use axum::extract::{DefaultBodyLimit, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::{Json, Router};
use sea_orm::DatabaseConnection;
use serde_json::json;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::trace::TraceLayer;

use crate::catalog::Catalog;
use crate::config::Limits;
use crate::graphql::{self, loaders, MlcatSchema};

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub catalog: Catalog,
    pub schema: MlcatSchema,
}

/// Builds the router over a migrated database.
pub fn router(db: DatabaseConnection, limits: &Limits) -> Router {
    let state = AppState {
        catalog: Catalog::new(db),
        schema: graphql::build_schema(limits),
    };
    Router::new()
        .route("/api/graphql", get(graphql_handler).post(graphql_handler))
        .route("/graphql", get(graphql_handler).post(graphql_handler))
        .route("/health", get(health))
        .route("/", get(|| async { Redirect::temporary("/playground") }))
        .merge(crate::playground::routes())
        .with_state(Arc::new(state))
        .layer(DefaultBodyLimit::max(limits.max_body_bytes))
        .layer(RequestBodyLimitLayer::new(limits.max_body_bytes))
        .layer(CatchPanicLayer::new())
        .layer(TraceLayer::new_for_http())
}

async fn graphql_handler(
    State(state): State<Arc<AppState>>,
    request: Result<GraphQLRequest, GraphQLRejection>,
) -> Response {
    let request = match request {
        Ok(request) => request,
        Err(rejection) => return unreadable_request(rejection),
    };
    let (loaders, batches) = loaders::for_request(state.catalog.clone());
    let request = request
        .into_inner()
        .data(state.catalog.clone())
        .data(loaders);
    let mut response = loaders::drive(batches, state.schema.execute(request)).await;
    graphql::ensure_error_codes(&mut response);
    GraphQLResponse::from(response).into_response()
}

/// A body that is not a GraphQL request at all: 400 (413 when too large), answered in the
/// GraphQL error shape so clients show the message.
fn unreadable_request(rejection: GraphQLRejection) -> Response {
    let status = match rejection.0 {
        ParseRequestError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        _ => StatusCode::BAD_REQUEST,
    };
    let message = format!(
        "the body is not a GraphQL request ({}); send JSON like {{\"query\": \"{{ ... }}\", \"variables\": {{}}}}",
        rejection.0
    );
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
pub async fn serve(listener: tokio::net::TcpListener, app: Router) -> anyhow::Result<()> {
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
