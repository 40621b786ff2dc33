//! Reads: `GET /aspects/{urn}` (one version of one aspect), `GET /entitiesV2/{urn}` (every
//! latest aspect of an entity) and `GET /config` (what the SDK's `test_connection()` checks).
//!
//! Version numbers. DataHub's REST protocol calls the latest value of an aspect version 0, and
//! keeps older values as versions 1, 2, ... from the oldest: GMS copies the previous latest to
//! version max+1 on each write, so its version n holds the n-th write. mlcat numbers the rows
//! of an aspect 1, 2, ... K from the first write, K being the latest (`is_latest`). So
//! `version=0` reads mlcat's latest row, and `version=n` (n >= 1) reads mlcat's row n, which is
//! the value GMS keeps as its version n. GMS answers version K only as 0; mlcat also answers it
//! as K, which no client that asks GMS's question can tell from GMS.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::proposal::parse_urn;
use super::registry;
use super::RestError;
use crate::catalog::history::{AspectVersion, Version};
use crate::shared::Shared;
use crate::urn::Urn;

/// The DataHub core version `/config` reports. Below 1.0.1, so that every SDK entry point
/// (DataHubClient v2 included) stays on the Rest.li endpoints, which are mlcat's main path.
const REPORTED_DATAHUB_VERSION: &str = "v1.0.0";

/// `GET /aspects/{urn}?aspect=NAME&version=N`: `{"urn", "version", "aspect": {"<FQN>": {...}}}`
/// or 404.
pub async fn get_aspect(
    State(state): State<Arc<Shared>>,
    urn: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match read_aspect(&state, urn, &query).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_aspect(
    state: &Shared,
    urn: Result<Path<String>, PathRejection>,
    query: &HashMap<String, String>,
) -> Result<Value, RestError> {
    let urn = path_urn(urn)?;
    let aspect = query
        .get("aspect")
        .filter(|a| !a.is_empty())
        .ok_or_else(|| {
            RestError::bad_request(
                "the aspect is missing: GET /aspects/{urn}?aspect=NAME&version=0",
            )
        })?;
    let number = match query.get("version") {
        None => 0,
        Some(v) => v.parse::<i64>().ok().filter(|n| *n >= 0).ok_or_else(|| {
            RestError::bad_request(format!(
                "version {v:?} is not a whole number >= 0 (0 is the latest, 1 the oldest)"
            ))
        })?,
    };
    let version = if number == 0 {
        Version::Latest
    } else {
        Version::Number(number)
    };
    let value = match state.catalog.aspect_version(&urn, aspect, version).await? {
        Some(found) => found.value,
        None => match derived_key(state, &urn, aspect, version).await? {
            Some(key) => key,
            None if number == 0 => {
                return Err(RestError::not_found(format!(
                    "{urn} has no aspect {aspect}"
                )))
            }
            None => {
                return Err(RestError::not_found(format!(
                    "{urn} has no version {number} of aspect {aspect}"
                )))
            }
        },
    };
    Ok(json!({
        "urn": urn.as_str(),
        "version": number,
        "aspect": {registry::fqn(aspect): value},
    }))
}

/// `GET /aspects/`: an aspect read needs a URN.
pub async fn aspect_without_urn() -> Response {
    RestError::not_found("the URN is missing: GET /aspects/{urn}?aspect=NAME&version=0")
        .into_response()
}

/// The key aspect of an entity that has been written: GMS stores it with the first write, and
/// `graph.exists(urn)` reads it; mlcat derives it from the URN.
async fn derived_key(
    state: &Shared,
    urn: &Urn,
    aspect: &str,
    version: Version,
) -> Result<Option<Value>, RestError> {
    let Some((key_name, key)) = registry::key_aspect_of(urn) else {
        return Ok(None);
    };
    if key_name != aspect || version != Version::Latest {
        return Ok(None);
    }
    let exists = state
        .catalog
        .entity(urn)
        .await?
        .is_some_and(|row| row.exists);
    Ok(exists.then_some(key))
}

/// `GET /entitiesV2/{urn}[?aspects=List(a,b)]`: `{"urn", "aspects": {"<name>": {"name",
/// "version": 0, "value", "systemMetadata"}}}` with the latest of each aspect, or 404 for an
/// entity that was never written.
pub async fn get_entity(
    State(state): State<Arc<Shared>>,
    urn: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match read_entity(&state, urn, &query).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_entity(
    state: &Shared,
    urn: Result<Path<String>, PathRejection>,
    query: &HashMap<String, String>,
) -> Result<Value, RestError> {
    let urn = path_urn(urn)?;
    let wanted: Option<Vec<&str>> = query.get("aspects").map(|list| {
        let inner = list
            .strip_prefix("List(")
            .and_then(|l| l.strip_suffix(')'))
            .unwrap_or(list);
        inner
            .split(',')
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .collect()
    });
    let row = match state.catalog.entity(&urn).await? {
        Some(row) if row.exists => row,
        _ => return Err(RestError::not_found(format!("no entity {urn}"))),
    };
    let mut latest: Vec<AspectVersion> = state.catalog.latest_aspects_of(row.id).await?;
    let mut aspects = Map::new();
    if let Some((key_name, key)) = registry::key_aspect_of(&urn) {
        if !latest.iter().any(|a| a.aspect == key_name) {
            aspects.insert(
                key_name.to_string(),
                json!({"name": key_name, "version": 0, "value": key}),
            );
        }
    }
    for a in latest.drain(..) {
        let mut meta = json!({"lastObserved": a.created_at});
        if let Some(run) = &a.run_id {
            meta["runId"] = json!(run);
        }
        aspects.insert(
            a.aspect.clone(),
            json!({"name": a.aspect, "version": 0, "value": a.value, "systemMetadata": meta}),
        );
    }
    if let Some(wanted) = wanted {
        aspects.retain(|name, _| wanted.contains(&name.as_str()));
    }
    Ok(json!({"urn": urn.as_str(), "aspects": aspects}))
}

/// `GET /config`: the fields the SDK checks (`noCode` must be the string "true"; the version
/// must parse; `serverEnv` "core" means not DataHub Cloud).
pub async fn config() -> Response {
    Json(json!({
        "noCode": "true",
        "versions": {
            "acryldata/datahub": {
                "version": REPORTED_DATAHUB_VERSION,
                "commit": concat!("mlcat-", env!("CARGO_PKG_VERSION")),
            },
            "mlcat": {"version": env!("CARGO_PKG_VERSION")},
        },
        "datahub": {"serverType": "mlcat", "serverEnv": "core"},
        // PATCH proposals are applied (see `patch/`).
        "patchCapable": true,
        "statefulIngestionCapable": true,
        "supportsImpactAnalysis": false,
        "telemetry": {"enabledCli": false, "enabledIngestion": false},
        "managedIngestion": {"enabled": false},
    }))
    .into_response()
}

/// The URN of a path, percent-decoded by the router; a malformed one is a bad request.
fn path_urn(urn: Result<Path<String>, PathRejection>) -> Result<Urn, RestError> {
    let Path(text) = urn.map_err(|e| RestError::bad_request(e.body_text()))?;
    parse_urn(&text).map_err(|e| RestError::bad_request(e.message))
}
