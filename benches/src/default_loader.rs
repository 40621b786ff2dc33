//! A comparison beside the nested-query target: mlcat's own schema, resolvers and batch loaders
//! (`mlcat::graphql::loaders::CatalogLoader`), but behind async-graphql's default
//! `DataLoader::new(loader, tokio::spawn)`: a batch waits 1 ms for more keys on a spawned task
//! and holds at most 1,000 keys. mlcat instead runs each batch inside the request's task as
//! soon as the request cannot go on without it (`loaders::for_request` + `drive`). The two
//! differ in their batching only, so this measures what that batching is worth; the target's
//! baseline, an implementation that shares none of mlcat's reading code, is `baseline.rs`.
//!
//! The loader is made per request, as mlcat's is, so both answer from the same statements and
//! neither shares batches across requests. The router has only the GraphQL route and
//! `/health`: none of mlcat's auth, time-limit, tracing or panic layers, which if anything
//! favours this server.

use std::sync::Arc;

use anyhow::{Context, Result};
use async_graphql::dataloader::DataLoader;
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mlcat::auth::{Access, Scope};
use mlcat::catalog::{Actor, Catalog};
use mlcat::config::Limits;
use mlcat::graphql::loaders::CatalogLoader;
use mlcat::graphql::{build_schema, MlcatSchema};
use sea_orm::DatabaseConnection;

use crate::serve;

struct DefaultLoader {
    catalog: Catalog,
    schema: MlcatSchema,
    limits: Limits,
}

/// The router over an open database.
pub fn router(db: DatabaseConnection) -> Router {
    let limits = Limits::default();
    let state = Arc::new(DefaultLoader {
        catalog: Catalog::new(db),
        schema: build_schema(&limits),
        limits,
    });
    Router::new()
        .route("/api/graphql", post(graphql))
        .route("/health", get(health))
        .with_state(state)
}

async fn graphql(State(state): State<Arc<DefaultLoader>>, body: Bytes) -> Response {
    serve::answer(&body, |request| async move {
        // async-graphql's defaults: a 1 ms window, batches of at most 1,000, run on tokio::spawn.
        let loaders = DataLoader::new(
            CatalogLoader::new(state.catalog.clone(), state.limits.max_query_reads),
            tokio::spawn,
        );
        let request = request
            .data(state.catalog.clone())
            .data(loaders)
            .data(Actor::named("anonymous"))
            .data(Access {
                actor: "anonymous".into(),
                scope: Scope::Write,
                authenticated: false,
            });
        let mut response = state.schema.execute(request).await;
        mlcat::graphql::ensure_error_codes(&mut response, &state.limits);
        Json(response).into_response()
    })
    .await
}

async fn health(State(state): State<Arc<DefaultLoader>>) -> Response {
    serve::health(state.catalog.ping().await)
}

pub async fn run(args: serve::Args) -> Result<()> {
    let db = mlcat::store::connect(&args.database_url)
        .await
        .with_context(|| format!("opening {}", args.database_url))?;
    let what = "mlcat's resolvers behind the default DataLoader,";
    serve::serve(&args, what, router(db)).await
}
