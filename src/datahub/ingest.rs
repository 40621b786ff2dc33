//! Ingestion: Rest.li `ingestProposal` and `ingestProposalBatch`, and OpenAPI v3 entity upserts
//! and patches.
//! Every proposal of a request is checked before anything is written, then all of them go to
//! the write path as one transaction: all land or none does, and an error names the proposal.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection};
use axum::extract::{Path, Query, State};
use axum::http::Method;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::proposal::{self, Change, Proposal};
use super::registry;
use super::{json_body, RestError};
use crate::auth::Access;
use crate::catalog::{Actor, AspectWrite, Deadline, Error, Patched, WriteOp};
use crate::shared::Shared;
use crate::urn::Urn;

const SINGLE_EXAMPLE: &str = r#"{"proposal": {"entityType": "mlFeature", "entityUrn": "urn:li:mlFeature:(table,feature)", "changeType": "UPSERT", "aspectName": "mlFeatureProperties", "aspect": {"value": "{\"description\": \"...\"}", "contentType": "application/json"}}}"#;
const BATCH_EXAMPLE: &str = r#"{"proposals": [{"entityType": ..., "entityUrn": ..., "changeType": "UPSERT", "aspectName": ..., "aspect": {...}}]}"#;
const OPENAPI_EXAMPLE: &str = r#"[{"urn": "urn:li:mlFeature:(table,feature)", "mlFeatureProperties": {"value": {"description": "..."}}}]"#;

/// `POST /aspects?action=...`: Rest.li actions on aspects.
pub async fn aspects_action(
    State(state): State<Arc<Shared>>,
    Extension(access): Extension<Access>,
    deadline: Option<Extension<Deadline>>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let writer = Writer {
        state: &state,
        access: &access,
        deadline: deadline.as_ref().map(|d| &d.0),
    };
    let result = match query.get("action").map(String::as_str) {
        Some("ingestProposal") => ingest_one(writer, body).await,
        Some("ingestProposalBatch") => ingest_batch(writer, body).await,
        Some("getTimeseriesAspectValues") => return super::timeseries::get_values(&state, body).await,
        Some(other) => Err(RestError::bad_request(format!(
            "action {other:?} is not supported; mlcat answers ingestProposal, ingestProposalBatch and getTimeseriesAspectValues"
        ))),
        None => Err(RestError::bad_request(
            "the action is missing: POST /aspects?action=ingestProposal or ?action=ingestProposalBatch",
        )),
    };
    match result {
        // GMS answers this; the SDK ignores the body.
        Ok(()) => Json(json!({"value": "success"})).into_response(),
        Err(e) => e.into_response(),
    }
}

/// Who writes, and until when: what every ingestion hands to [`write`].
#[derive(Clone, Copy)]
struct Writer<'a> {
    state: &'a Shared,
    access: &'a Access,
    /// The request's deadline (see `Catalog::write_within`).
    deadline: Option<&'a Deadline>,
}

async fn ingest_one(
    writer: Writer<'_>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), RestError> {
    let body = json_body(body, writer.state, SINGLE_EXAMPLE)?;
    let raw = envelope_field(&body, "proposal", SINGLE_EXAMPLE)?;
    let p = proposal::from_restli(raw)?;
    write(writer, vec![p], "proposal").await
}

async fn ingest_batch(
    writer: Writer<'_>,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), RestError> {
    let body = json_body(body, writer.state, BATCH_EXAMPLE)?;
    let raw = envelope_field(&body, "proposals", BATCH_EXAMPLE)?
        .as_array()
        .ok_or_else(|| RestError::bad_request("proposals must be an array of proposals"))?;
    let total = raw.len();
    let mut proposals = Vec::with_capacity(total);
    for (i, p) in raw.iter().enumerate() {
        let parsed = proposal::from_restli(p)
            .map_err(|e| e.at(&place("proposal", i, total, raw_label(p))))?;
        proposals.push(parsed);
    }
    write(writer, proposals, "proposal").await
}

/// `POST /openapi/v3/entity/{entityType}`: an array of `{"urn", "<aspectName>": {"value"}}`,
/// answered back as GMS does. `PATCH` on the same path carries the same array, each aspect's
/// value a patch `{"patch": [...], "arrayPrimaryKeys": {...}}` (the SDK's OpenAPI mode sends
/// PATCH so).
pub async fn openapi_entity(
    State(state): State<Arc<Shared>>,
    Extension(access): Extension<Access>,
    deadline: Option<Extension<Deadline>>,
    method: Method,
    entity_type: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let writer = Writer {
        state: &state,
        access: &access,
        deadline: deadline.as_ref().map(|d| &d.0),
    };
    match openapi(writer, entity_type, body, method == Method::PATCH).await {
        Ok(echo) => Json(echo).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn openapi(
    writer: Writer<'_>,
    entity_type: Result<Path<String>, PathRejection>,
    body: Result<Bytes, BytesRejection>,
    patch: bool,
) -> Result<Value, RestError> {
    let Path(entity_type) = entity_type.map_err(|e| RestError::bad_request(e.body_text()))?;
    let entity = registry::entity_ignore_case(&entity_type).ok_or_else(|| {
        RestError::not_found(format!(
            "{entity_type:?} is not an entity type of DataHub's model (such as mlFeature, mlModel, dataset)"
        ))
    })?;
    let body = json_body(body, writer.state, OPENAPI_EXAMPLE)?;
    let items = body.as_array().ok_or_else(|| {
        RestError::bad_request(format!(
            "the body must be an array of items like {OPENAPI_EXAMPLE}"
        ))
    })?;
    let total = items.len();
    let mut proposals = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let label = item.get("urn").and_then(Value::as_str).map(str::to_string);
        let parsed = proposal::from_openapi(entity, item, patch)
            .map_err(|e| e.at(&place("item", i, total, label)))?;
        proposals.extend(parsed);
    }
    let echo: Vec<Value> = items
        .iter()
        .filter_map(Value::as_object)
        .map(|item| {
            let mut out = Map::new();
            for (k, v) in item {
                if k == "urn" {
                    out.insert(k.clone(), v.clone());
                } else {
                    out.insert(
                        k.clone(),
                        json!({"value": v.get("value"), "systemMetadata": v.get("systemMetadata")}),
                    );
                }
            }
            Value::Object(out)
        })
        .collect();
    write(writer, proposals, "aspect").await?;
    Ok(Value::Array(echo))
}

/// Writes the proposals in one transaction; a failing one is named by its place in the batch.
///
/// Each proposal is recorded with its own actor and run id: with auth on, the token's name
/// (a client cannot write as someone else) and the proposal's run id; with auth off, the actor
/// the proposal's system metadata names, else `anonymous`.
async fn write(writer: Writer<'_>, proposals: Vec<Proposal>, noun: &str) -> Result<(), RestError> {
    let Writer {
        state,
        access,
        deadline,
    } = writer;
    if proposals.is_empty() {
        return Ok(());
    }
    let writes = proposals
        .into_iter()
        .map(|p| {
            let actor = if access.authenticated {
                Actor {
                    name: access.actor.clone(),
                    run_id: p.actor.run_id,
                }
            } else {
                p.actor
            };
            aspect_write(p.urn, &p.aspect, p.change).by(actor)
        })
        .collect::<Vec<_>>();
    // Aliases listed by versions written whole move in their sets' alias maps, in the same
    // transaction, so an alias keeps one holder however it was written.
    let mut writes = writes;
    let moves = state
        .catalog
        .alias_writes_for(&writes)
        .await
        .map_err(RestError::from)?;
    writes.extend(moves);
    match state
        .catalog
        .write_within(&Actor::named(access.actor.clone()), writes, deadline)
        .await
    {
        Ok(_) => Ok(()),
        // The write path says which write of the batch failed; here it is the i-th proposal.
        Err(Error::InBatch(b)) => {
            let label = format!("{} {}", b.urn, b.aspect);
            let place = place(noun, b.index, b.total, Some(label));
            Err(RestError::from(b.cause).at(&place))
        }
        Err(e) => Err(RestError::from(e)),
    }
}

/// The write of one proposal. CREATE's and PATCH's checks run inside the write transaction,
/// against the latest value, so they hold however many clients write at once.
fn aspect_write(urn: Urn, aspect: &str, change: Change) -> AspectWrite {
    match change {
        Change::Upsert(value) => AspectWrite::upsert(urn, aspect, value),
        Change::CreateEntity(value) => AspectWrite::upsert(urn, aspect, value).new_entity(),
        Change::Delete => AspectWrite::delete(urn, aspect),
        Change::Create(value) => {
            let what = format!("{urn} has the aspect {aspect} already");
            let mut write = AspectWrite::upsert(urn, aspect, Value::Null);
            write.op = WriteOp::Patch(Box::new(move |current| match current {
                Some(_) => Err(Error::BadInput(format!(
                    "Cannot perform CREATE: {what}; use UPSERT to replace it"
                ))),
                None => Ok(Patched {
                    value,
                    changed: true,
                }),
            }));
            write
        }
        Change::Patch(patch) => {
            let mut write = AspectWrite::upsert(urn, aspect, Value::Null);
            write.op = WriteOp::Patch(Box::new(move |current| {
                let value = patch.apply(current.clone()).map_err(Error::BadInput)?;
                Ok(Patched {
                    changed: current.as_ref() != Some(&value),
                    value,
                })
            }));
            write
        }
    }
}

/// `proposal 3 of 5 (urn aspect)`.
fn place(noun: &str, i: usize, total: usize, label: Option<String>) -> String {
    match label {
        Some(label) => format!("{noun} {} of {total} ({label})", i + 1),
        None => format!("{noun} {} of {total}", i + 1),
    }
}

/// `urn aspect` of a proposal that may not parse, from whatever of it is there.
fn raw_label(p: &Value) -> Option<String> {
    let urn = p.get("entityUrn").and_then(Value::as_str);
    let aspect = p.get("aspectName").and_then(Value::as_str);
    match (urn, aspect) {
        (Some(u), Some(a)) => Some(format!("{} {a}", proposal::unescape_unicode(u))),
        (Some(u), None) => Some(proposal::unescape_unicode(u).into_owned()),
        (None, Some(a)) => Some(a.to_string()),
        (None, None) => None,
    }
}

fn envelope_field<'a>(body: &'a Value, field: &str, example: &str) -> Result<&'a Value, RestError> {
    let obj = body.as_object().ok_or_else(|| {
        RestError::bad_request(format!("the body must be a JSON object like {example}"))
    })?;
    obj.get(field).filter(|v| !v.is_null()).ok_or_else(|| {
        RestError::bad_request(format!("{field} is missing; send JSON like {example}"))
    })
}
