//! The OpenLineage front door: events in, on Marquez's path (`POST /api/v1/lineage`, answered
//! 201 as Marquez does) and on DataHub's (`POST /openapi/openlineage/api/v1/lineage`, answered
//! 200), one event per request as `openlineage-python`'s HTTP transport posts it (JSON,
//! `Content-Type: application/json`; the client has no batch path). Each event is decoded and
//! checked against the spec (`event.rs`), mapped to DataHub's entities (`naming.rs`,
//! `mapping.rs`) and written in one `Catalog::write`: all of it or nothing. And Marquez's read
//! API over the catalog's graph (`marquez/`), for Marquez's web UI and scripts.
//!
//! Errors are `{"message", "status", "code"}`. A body that is not an event, or an event the
//! spec refuses, is a 400 whose message starts with the JSON path of the problem
//! (`run.runId: "x" is not a UUID`); the client retries only 5xx, and a spec-valid event never
//! gets one from its content.

pub mod event;
pub mod mapping;
mod marquez;
pub mod naming;

use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Extension, Json, Router};
use serde_json::json;
use tower_http::decompression::RequestDecompressionLayer;

use crate::auth::Access;
use crate::catalog::{Actor, Deadline, Error};
use crate::shared::Shared;
use event::Refusal;
use mapping::{Failure, Setting};

/// Marquez's path for events.
pub const MARQUEZ_LINEAGE: &str = "/api/v1/lineage";
/// DataHub's path for events.
pub const DATAHUB_LINEAGE: &str = "/openapi/openlineage/api/v1/lineage";

/// The OpenLineage routes, to merge into the application's router.
///
/// Events may come gzipped (`Content-Encoding: gzip`, as openlineage-python's HTTP transport
/// sends them when configured with compression): the body is inflated on its way to the
/// handler, so the body limit applies to the inflated size, and a body that does not inflate is
/// a 400. Other encodings pass through to [`body_bytes`], which refuses them with a 415 in this
/// door's error shape.
pub fn routes() -> Router<Arc<Shared>> {
    let gzip = RequestDecompressionLayer::new()
        .gzip(true)
        .no_deflate()
        .no_br()
        .no_zstd()
        .pass_through_unaccepted(true);
    Router::new()
        .route(MARQUEZ_LINEAGE, post(marquez_intake).get(marquez::lineage))
        .route(DATAHUB_LINEAGE, post(datahub_intake))
        .route_layer(gzip)
        .merge(marquez::routes())
}

/// An error answer of the OpenLineage front door.
#[derive(Debug)]
pub struct OlError {
    pub status: StatusCode,
    pub message: String,
}

impl OlError {
    pub fn bad_request(message: impl Into<String>) -> OlError {
        OlError {
            status: StatusCode::BAD_REQUEST,
            message: message.into(),
        }
    }

    pub fn not_found(message: impl Into<String>) -> OlError {
        OlError {
            status: StatusCode::NOT_FOUND,
            message: message.into(),
        }
    }

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

/// The status of a catalog error; a batch's error takes its cause's. What an event's content
/// makes the catalog refuse is the client's to fix: 400.
fn status_of(e: &Error) -> StatusCode {
    match e {
        Error::BadInput(_) | Error::Invalid { .. } => StatusCode::BAD_REQUEST,
        Error::NotFound(_) => StatusCode::NOT_FOUND,
        Error::Conflict(_) => StatusCode::CONFLICT,
        Error::Forbidden(_) => StatusCode::FORBIDDEN,
        Error::Timeout(_) => StatusCode::REQUEST_TIMEOUT,
        Error::Unavailable(_) => StatusCode::SERVICE_UNAVAILABLE,
        Error::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        Error::InBatch(b) => status_of(&b.cause),
    }
}

impl From<Error> for OlError {
    fn from(e: Error) -> OlError {
        if let Some(inner) = e.internal() {
            tracing::error!(error = format!("{inner:#}"), "internal error");
        }
        OlError {
            status: status_of(&e),
            message: e.public_message(),
        }
    }
}

impl From<Refusal> for OlError {
    fn from(r: Refusal) -> OlError {
        OlError::bad_request(r.to_string())
    }
}

impl From<Failure> for OlError {
    fn from(f: Failure) -> OlError {
        match f {
            Failure::Refused(r) => r.into(),
            Failure::Catalog(e) => e.into(),
        }
    }
}

impl IntoResponse for OlError {
    fn into_response(self) -> Response {
        let body = json!({
            "message": self.message,
            "status": self.status.as_u16(),
            "code": self.code(),
        });
        (self.status, Json(body)).into_response()
    }
}

/// The body of a request, or what is wrong with it.
fn body_bytes(
    body: Result<Bytes, BytesRejection>,
    headers: &HeaderMap,
    state: &Shared,
) -> Result<Bytes, OlError> {
    if let Some(coding) = headers.get(axum::http::header::CONTENT_ENCODING) {
        let coding = coding.to_str().unwrap_or_default().trim();
        if !coding.eq_ignore_ascii_case("identity") {
            return Err(OlError {
                status: StatusCode::UNSUPPORTED_MEDIA_TYPE,
                message: format!(
                    "the body is sent with Content-Encoding {coding:?}; mlcat takes events uncompressed or gzipped (`Content-Encoding: gzip`)"
                ),
            });
        }
    }
    match body {
        Ok(bytes) if bytes.is_empty() => Err(OlError::bad_request(
            "the body is empty; send one OpenLineage event as JSON",
        )),
        Ok(bytes) => Ok(bytes),
        Err(r) if r.status() == StatusCode::PAYLOAD_TOO_LARGE => Err(OlError {
            status: StatusCode::PAYLOAD_TOO_LARGE,
            message: format!(
                "the body is larger than the limit of {} bytes",
                state.limits.max_body_bytes
            ),
        }),
        Err(r) => Err(OlError::bad_request(r.body_text())),
    }
}

/// Decodes, maps and writes one event, in one transaction.
async fn intake(
    state: &Shared,
    access: Option<Access>,
    deadline: Option<Deadline>,
    headers: &HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<(), OlError> {
    let bytes = body_bytes(body, headers, state)?;
    let event = event::decode(&bytes)?;
    let access = access.unwrap_or_else(Access::anonymous);
    let setting = Setting {
        env: &state.limits.openlineage_env,
        actor: &access.actor,
    };
    let writes = mapping::writes(&state.catalog, &event, &setting).await?;
    let actor = Actor::named(access.actor.clone());
    state
        .catalog
        .write_within(&actor, writes, deadline.as_ref())
        .await?;
    Ok(())
}

/// `POST /api/v1/lineage`: 201, as Marquez answers.
async fn marquez_intake(
    State(state): State<Arc<Shared>>,
    access: Option<Extension<Access>>,
    deadline: Option<Extension<Deadline>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, OlError> {
    intake(
        &state,
        access.map(|a| a.0),
        deadline.map(|d| d.0),
        &headers,
        body,
    )
    .await?;
    Ok(StatusCode::CREATED)
}

/// `POST /openapi/openlineage/api/v1/lineage`: 200, as DataHub answers.
async fn datahub_intake(
    State(state): State<Arc<Shared>>,
    access: Option<Extension<Access>>,
    deadline: Option<Extension<Deadline>>,
    headers: HeaderMap,
    body: Result<Bytes, BytesRejection>,
) -> Result<StatusCode, OlError> {
    intake(
        &state,
        access.map(|a| a.0),
        deadline.map(|d| d.0),
        &headers,
        body,
    )
    .await?;
    Ok(StatusCode::OK)
}
