//! The change feed's REST front door: `GET /changes?since=<cursor>&limit=&entityType=&urn=&aspect=&upstreamOf=&hops=`
//! answers the committed changes after a cursor, in commit order, and `GET /changes/head` the
//! cursor of the newest one. Each filter parameter may be repeated (any of the values
//! matches); the parts given must all match. Errors are `{"message", "status", "code"}`, bad
//! input 400.

use std::sync::Arc;

use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::catalog::feed::{entity_type, Change};
use crate::catalog::{ChangeFilter, Error, FeedCursor};
use crate::shared::Shared;
use crate::urn::Urn;

/// The feed's routes.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/changes", get(changes))
        .route("/changes/head", get(head))
}

/// A page of changes when the request gives no `limit`.
const DEFAULT_LIMIT: u64 = 100;

/// The parameters `/changes` knows.
const PARAMETERS: &[&str] = &[
    "since",
    "limit",
    "entityType",
    "urn",
    "aspect",
    "upstreamOf",
    "hops",
];

async fn changes(
    State(state): State<Arc<Shared>>,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Response {
    match read_changes(&state, query).await {
        Ok(body) => Json(body).into_response(),
        Err(e) => refusal(e),
    }
}

async fn read_changes(
    state: &Shared,
    query: Result<Query<Vec<(String, String)>>, QueryRejection>,
) -> Result<Value, Error> {
    let Query(pairs) = query.map_err(|e| Error::bad_input(e.body_text()))?;
    let limits = &state.limits;
    let mut since = None;
    let mut limit = DEFAULT_LIMIT.min(limits.max_page_size);
    let mut filter = ChangeFilter::default();
    for (name, value) in pairs {
        match name.as_str() {
            "since" => since = Some(FeedCursor::parse(&value)?),
            "limit" => {
                limit = value
                    .parse::<u64>()
                    .ok()
                    .filter(|n| *n <= limits.max_page_size)
                    .ok_or_else(|| {
                        Error::bad_input(format!(
                            "limit must be a whole number from 0 to the page-size cap of {}, not {value:?}",
                            limits.max_page_size
                        ))
                    })?;
            }
            "entityType" => filter.entity_types.push(entity_type(&value)?),
            "urn" => filter.urns.push(Urn::parse(&value)?),
            "aspect" => filter.aspects.push(value),
            "upstreamOf" => filter.upstream_of = Some(Urn::parse(&value)?),
            "hops" => {
                filter.hops = Some(value.parse::<u32>().map_err(|_| {
                    Error::bad_input(format!("hops must be a whole number, not {value:?}"))
                })?)
            }
            other => {
                return Err(Error::bad_input(format!(
                    "unknown parameter {other:?}; /changes takes {}",
                    PARAMETERS.join(", ")
                )))
            }
        }
    }
    let catalog = &state.catalog;
    let scope = catalog
        .change_scope(
            &filter,
            limits.default_lineage_depth,
            limits.max_lineage_depth,
            limits.max_lineage_budget,
        )
        .await?;
    let page = catalog.changes(since, limit, &scope).await?;
    Ok(json!({
        "changes": page.changes.iter().map(change_json).collect::<Vec<_>>(),
        "cursor": page.cursor.to_string(),
        "hasMore": page.has_more,
    }))
}

/// A change as the REST answer spells it.
pub fn change_json(c: &Change) -> Value {
    json!({
        "cursor": c.cursor.to_string(),
        "urn": c.urn,
        "entityType": c.entity_type,
        "aspect": c.aspect,
        "version": c.version,
        "kind": c.kind.as_str(),
        "actor": c.actor,
        "time": c.time,
        "runId": c.run_id,
    })
}

async fn head(State(state): State<Arc<Shared>>) -> Response {
    match state.catalog.change_head().await {
        Ok(cursor) => Json(json!({"cursor": cursor.to_string()})).into_response(),
        Err(e) => refusal(e),
    }
}

/// A catalog error in the REST shape: bad input 400.
fn refusal(e: Error) -> Response {
    if let Some(inner) = e.internal() {
        tracing::error!(error = format!("{inner:#}"), "internal error");
    }
    let status = match &e {
        Error::BadInput(_) | Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    };
    let body = json!({"message": e.public_message(), "status": status.as_u16(), "code": e.code()});
    (status, Json(body)).into_response()
}
