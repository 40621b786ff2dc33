//! The DataHub REST front door: the endpoints the DataHub Python SDK (`acryl-datahub`) calls,
//! translated to the catalog's one write path and its reads. The contract is what the SDK sends
//! and accepts (see the protocol notes in `tests/sdk/README.md`):
//!
//! - `POST /aspects?action=ingestProposal` and `?action=ingestProposalBatch` (Rest.li, the SDK's
//!   default), and `POST /openapi/v3/entity/{entityType}` (its OpenAPI mode): UPSERT replaces
//!   the whole aspect; CREATE and CREATE_ENTITY refuse an existing aspect or entity; PATCH
//!   applies a JSON Patch to the latest value (`patch/`; over OpenAPI, HTTP PATCH); DELETE
//!   removes the aspect; a batch is one transaction. `POST /aspects/?action=...` (what
//!   `datahub put` sends) is the same.
//! - `GET /aspects/{urn}?aspect=NAME&version=N`: the aspect wrapped under its Rest.li FQN, 404
//!   when absent (the SDK then returns `None`).
//! - `GET /entitiesV2/{urn}`: every latest aspect of an entity.
//! - `GET /config`: what `test_connection()` checks.
//! - `POST /entities?action=delete|deleteReferences|ingest|listUrns|search` (`entities.rs`):
//!   hard deletes, removing references, MetadataChangeEvents, listing and searching URNs.
//! - `POST /runs?action=list|describe|rollback` (`runs.rs`): ingestion runs and their rollback.
//! - `GET /openapi/v2/timeline/v1/{urn}`: the change transactions `datahub timeline` prints,
//!   computed from the aspect history (`timeline.rs`).
//! - `POST /aspects?action=getTimeseriesAspectValues`: a timeseries aspect's events
//!   (`timeseries.rs`).
//! - `POST /openapi/v3/entity/{entityType}/batchGet` and `GET /openapi/relationships/v1/`:
//!   the graph client's OpenAPI reads (`openapi_read.rs`).
//!
//! Errors are `{"message", "status", "code"}` with a 4xx status for anything the client can fix,
//! never a 5xx (the SDK retries a 5xx for half a minute): 400 when the request does not have
//! the protocol's shape (not UTF-8, not JSON, an envelope field missing or of the wrong JSON
//! type), 422 when it has the shape but its content is refused (a malformed URN, an unknown
//! entity type, an aspect the entity type does not carry, an unsupported change type, an aspect
//! that fails validation, a patch that cannot apply, a CREATE of what exists, as GMS answers
//! validation failures), 413 for a body over the limit.

mod aspect_table;
mod entities;
mod ingest;
mod openapi_read;
pub mod patch;
pub mod proposal;
mod read;
pub mod registry;
mod runs;
mod timeline;
mod timeseries;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{json, Value};

use crate::catalog::Error;
use crate::shared::Shared;

pub use proposal::unescape_unicode;

/// The DataHub REST routes, to merge into the application's router.
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/aspects", post(ingest::aspects_action))
        // `datahub put` posts to `/aspects/?action=ingestProposal`.
        .route(
            "/aspects/",
            post(ingest::aspects_action).get(read::aspect_without_urn),
        )
        .route("/aspects/{*urn}", get(read::get_aspect))
        .route("/entitiesV2/{*urn}", get(read::get_entity))
        .route("/config", get(read::config))
        .route("/entities", post(entities::entities_action))
        .route("/runs", post(runs::runs_action))
        .route(
            "/openapi/v2/timeline/v1/{*urn}",
            get(timeline::get_timeline),
        )
        .route(
            "/openapi/v3/entity/{entity_type}",
            post(ingest::openapi_entity).patch(ingest::openapi_entity),
        )
        .route(
            "/openapi/v3/entity/{entity_type}/batchGet",
            post(openapi_read::batch_get),
        )
        .route(
            "/openapi/relationships/v1/",
            get(openapi_read::relationships),
        )
}

/// An error answer of the REST front door.
#[derive(Debug)]
pub struct RestError {
    pub status: StatusCode,
    pub message: String,
}

impl RestError {
    pub fn bad_request(message: impl Into<String>) -> RestError {
        RestError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn unprocessable(message: impl Into<String>) -> RestError {
        RestError {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> RestError {
        RestError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

    /// Names where in a request the error is, e.g. `proposal 3 of 5 (urn aspect)`.
    pub fn at(mut self, place: &str) -> RestError {
        self.message = format!("{place}: {}", self.message);
        self
    }

    /// The stable code, the same as GraphQL's `extensions.code`.
    fn code(&self) -> &'static str {
        match self.status {
            StatusCode::NOT_FOUND => "NOT_FOUND",
            StatusCode::CONFLICT => "CONFLICT",
            StatusCode::FORBIDDEN => "FORBIDDEN",
            StatusCode::REQUEST_TIMEOUT => "TIMEOUT",
            StatusCode::SERVICE_UNAVAILABLE => "UNAVAILABLE",
            s if s.is_server_error() => "INTERNAL_SERVER_ERROR",
            _ => "BAD_USER_INPUT",
        }
    }
}

/// The status of a catalog error; a batch's error takes its cause's.
fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::BadInput(_) | Error::Invalid { .. } => StatusCode::UNPROCESSABLE_ENTITY,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::InBatch(b) => status_of(&b.cause),
    }
}

impl From<Error> for RestError {
    fn from(e: Error) -> RestError {
        if let Some(inner) = e.internal() {
            tracing::error!(error = format!("{inner:#}"), "internal error");
        }
        RestError {
            status: status_of(&e),
            message: e.public_message(),
        }
    }
}

impl IntoResponse for RestError {
    fn into_response(self) -> Response {
        let body = json!({
            "message": self.message,
            "status": self.status.as_u16(),
            "code": self.code(),
        });
        (self.status, Json(body)).into_response()
    }
}

/// Reads a JSON request body, answering what is wrong with it in the error shape above.
fn json_body(
    body: Result<Bytes, BytesRejection>,
    state: &Shared,
    example: &str,
) -> Result<Value, RestError> {
    let bytes = match body {
        Ok(bytes) => bytes,
        Err(rejection) if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE => {
            return Err(RestError {
                status: StatusCode::PAYLOAD_TOO_LARGE,
                message: format!(
                    "the body is larger than the limit of {} bytes; send smaller batches",
                    state.limits.max_body_bytes
                ),
            })
        }
        Err(rejection) => return Err(RestError::bad_request(rejection.body_text())),
    };
    if bytes.is_empty() {
        return Err(RestError::bad_request(format!(
            "the body is empty; send JSON like {example}"
        )));
    }
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        RestError::bad_request(format!(
            "the body is not UTF-8 text (invalid bytes at offset {})",
            e.valid_up_to()
        ))
    })?;
    serde_json::from_str(text).map_err(|e| {
        RestError::bad_request(format!(
            "the body is not JSON ({e}); send JSON like {example}"
        ))
    })
}
