//! `POST /runs?action=...`: ingestion runs as the CLI's `datahub ingest list-runs`, `show` and
//! `rollback` call them, in DataHub's shapes:
//!
//! - `list` `{"pageOffset", "pageSize", "includeSoft"}`: `{"value": [{"runId", "rows",
//!   "timestamp", ...}]}`, the latest run first.
//! - `describe` `{"runId", "start", "count", "includeSoft", "includeAspect"}`: `{"value":
//!   [AspectRowSummary]}`, the aspects the run wrote.
//! - `rollback` `{"runId", "dryRun", "safe"}` (or the older `hardDelete`): `{"value":
//!   {"entitiesAffected", "entitiesDeleted", "aspectsReverted", "aspectsAffected",
//!   "unsafeEntitiesCount", "unsafeEntities", "aspectRowSummaries"}}`. An unknown run rolls back
//!   nothing and says so with zeros, as GMS does; the reserved `no-run-id-provided` is a 422.

use std::collections::{BTreeSet, HashMap};
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::entities::{flag, number, object};
use super::{json_body, registry, RestError};
use crate::auth::Access;
use crate::catalog::{Actor, RunAspect};
use crate::shared::Shared;

const LIST_EXAMPLE: &str = r#"{"pageOffset": 0, "pageSize": 100, "includeSoft": false}"#;
const DESCRIBE_EXAMPLE: &str = r#"{"runId": "my-run", "start": 0, "count": 100}"#;
const ROLLBACK_EXAMPLE: &str = r#"{"runId": "my-run", "dryRun": true, "safe": true}"#;

/// The most runs or aspect rows one page answers.
const MAX_PAGE: u64 = 10_000;
/// The most aspect rows a rollback's answer lists, as GMS.
const MAX_ROW_SUMMARIES: usize = 100;

/// `POST /runs?action=...`.
pub async fn runs_action(
    State(state): State<Arc<Shared>>,
    Extension(access): Extension<Access>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let result = match query.get("action").map(String::as_str) {
        Some("list") => list(&state, body).await,
        Some("describe") => describe(&state, body).await,
        Some("rollback") => rollback(&state, &access, body).await,
        Some(other) => Err(RestError::bad_request(format!(
            "action {other:?} is not supported; mlcat answers list, describe and rollback"
        ))),
        None => Err(RestError::bad_request(
            "the action is missing: POST /runs?action=list (or describe, rollback)",
        )),
    };
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn list(state: &Shared, body: Result<Bytes, BytesRejection>) -> Result<Value, RestError> {
    let body = object(json_body(body, state, LIST_EXAMPLE)?, LIST_EXAMPLE)?;
    let offset = number(&body, "pageOffset", 0)?;
    let size = number(&body, "pageSize", 100)?.min(MAX_PAGE);
    let include_soft = flag(&body, "includeSoft", false)?;
    let runs = state.catalog.runs(offset, size, include_soft).await?;
    let rows: Vec<Value> = runs
        .into_iter()
        .map(|r| {
            json!({
                "runId": r.run_id,
                "rows": r.rows,
                "timestamp": r.last_written_at,
                "aspectsWritten": r.written,
                "actor": r.actor,
            })
        })
        .collect();
    Ok(json!({"value": rows}))
}

async fn describe(state: &Shared, body: Result<Bytes, BytesRejection>) -> Result<Value, RestError> {
    let body = object(json_body(body, state, DESCRIBE_EXAMPLE)?, DESCRIBE_EXAMPLE)?;
    let run_id = run_id(&body)?;
    let start = number(&body, "start", 0)?;
    let count = number(&body, "count", 100)?.min(MAX_PAGE);
    let include_soft = flag(&body, "includeSoft", false)?;
    let include_aspect = flag(&body, "includeAspect", false)?;
    let rows = state
        .catalog
        .run_aspects(&run_id, include_soft, start, count)
        .await?;
    let rows: Vec<Value> = rows
        .iter()
        .map(|r| row_summary(r, include_aspect))
        .collect();
    Ok(json!({"value": rows}))
}

async fn rollback(
    state: &Shared,
    access: &Access,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let body = object(json_body(body, state, ROLLBACK_EXAMPLE)?, ROLLBACK_EXAMPLE)?;
    let run_id = run_id(&body)?;
    let dry_run = flag(&body, "dryRun", false)?;
    // As GMS: `safe` decides when given; else the deprecated `hardDelete`; else safe.
    let safe = match body.get("safe").filter(|v| !v.is_null()) {
        Some(_) => flag(&body, "safe", true)?,
        None => !flag(&body, "hardDelete", false)?,
    };
    let actor = Actor::named(access.actor.clone());
    let done = state
        .catalog
        .rollback(&actor, &run_id, dry_run, safe)
        .await?;
    let entities: BTreeSet<&str> = done.reverted.iter().map(|r| r.urn.as_str()).collect();
    let rows: Vec<Value> = done
        .reverted
        .iter()
        .take(MAX_ROW_SUMMARIES)
        .map(|r| row_summary(r, false))
        .collect();
    let unsafe_entities: Vec<Value> = done
        .unsafe_entities
        .iter()
        .map(|u| json!({"urn": u}))
        .collect();
    Ok(json!({"value": {
        "entitiesAffected": entities.len(),
        "entitiesDeleted": done.created.len(),
        "aspectsReverted": done.reverted.len(),
        "aspectsAffected": done.unsafe_aspects,
        "unsafeEntitiesCount": done.unsafe_entities.len(),
        "unsafeEntities": unsafe_entities,
        "aspectRowSummaries": rows,
    }}))
}

/// DataHub's `AspectRowSummary` of one aspect version a run wrote.
fn row_summary(r: &RunAspect, include_aspect: bool) -> Value {
    let v = &r.version;
    let mut row = json!({
        "runId": v.run_id,
        "aspectName": v.aspect,
        "urn": r.urn,
        "timestamp": v.created_at,
        "version": v.version,
        "keyAspect": false,
        "actor": v.actor,
    });
    if include_aspect {
        if let Some(obj) = row.as_object_mut() {
            obj.insert(
                "aspect".into(),
                json!({ registry::fqn(&v.aspect): v.value.clone() }),
            );
        }
    }
    row
}

fn run_id(body: &Map<String, Value>) -> Result<String, RestError> {
    match body.get("runId") {
        Some(Value::String(s)) if !s.is_empty() => Ok(s.clone()),
        None | Some(Value::Null) => Err(RestError::bad_request("runId is missing")),
        Some(_) => Err(RestError::bad_request("runId must be a non-empty string")),
    }
}
