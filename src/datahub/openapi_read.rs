//! OpenAPI reads the SDK's graph client makes:
//!
//! - `POST /openapi/v3/entity/{entityType}/batchGet[?systemMetadata=true]` (`graph.get_entities`):
//!   the body is `[{"urn": ..., "<aspectName>": {}, ...}]` (no aspect named: all of them); the
//!   answer is `[{"urn": ..., "<aspectName>": {"value": {...}, "systemMetadata": {...}}}]`, one
//!   item per entity that exists, with the aspects it has.
//! - `GET /openapi/relationships/v1/?urn=&relationshipTypes=&direction=&start=&count=`
//!   (`graph.get_related_entities`): `{"start", "count", "total", "entities":
//!   [{"relationshipType", "urn"}]}`. The SDK pages by `start` until a page is empty.

use std::collections::HashSet;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::{BytesRejection, PathRejection, QueryRejection};
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::proposal::parse_urn;
use super::registry;
use super::{json_body, RestError};
use crate::catalog::aspects::Relation;
use crate::catalog::{timeseries, SeriesQuery};
use crate::shared::Shared;

const BATCH_GET_EXAMPLE: &str =
    r#"[{"urn": "urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)", "datasetProperties": {}}]"#;

/// Most URNs one `batchGet` reads.
const MAX_BATCH_GET: usize = 1000;

/// The page size of the relationship API when the request names none, as GMS's.
const DEFAULT_RELATED_COUNT: u64 = 200;
/// The largest page it answers.
const MAX_RELATED_COUNT: u64 = 1000;

/// `POST /openapi/v3/entity/{entityType}/batchGet`.
pub async fn batch_get(
    State(state): State<Arc<Shared>>,
    entity_type: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    match read_batch(&state, entity_type, query, body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_batch(
    state: &Shared,
    entity_type: Result<Path<String>, PathRejection>,
    query: Result<Query<Pairs>, QueryRejection>,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let Path(entity_type) = entity_type.map_err(|e| RestError::bad_request(e.body_text()))?;
    let entity = registry::entity_ignore_case(&entity_type).ok_or_else(|| {
        RestError::not_found(format!(
            "{entity_type:?} is not an entity type of DataHub's model (such as mlFeature, mlModel, dataset)"
        ))
    })?;
    let params = query_pairs(query)?;
    let with_meta = match params.iter().find(|(k, _)| k == "systemMetadata") {
        None => false,
        Some((_, v)) => parse_bool("systemMetadata", v)?,
    };
    let body = json_body(body, state, BATCH_GET_EXAMPLE)?;
    let items = body.as_array().ok_or_else(|| {
        RestError::bad_request(format!(
            "the body must be an array of items like {BATCH_GET_EXAMPLE}"
        ))
    })?;
    if items.len() > MAX_BATCH_GET {
        return Err(RestError::bad_request(format!(
            "{} items; ask for at most {MAX_BATCH_GET} entities at a time",
            items.len()
        )));
    }
    let mut out = Vec::with_capacity(items.len());
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let place = format!("item {} of {}", i + 1, items.len());
        let item = item.as_object().ok_or_else(|| {
            RestError::bad_request(format!(
                "{place}: an item must be an object like {BATCH_GET_EXAMPLE}"
            ))
        })?;
        let urn = match item.get("urn") {
            Some(Value::String(u)) => parse_urn(u).map_err(|e| e.at(&place))?,
            _ => {
                return Err(RestError::bad_request(format!(
                    "{place}: urn is missing or not a string"
                )))
            }
        };
        if urn.kind().as_str() != entity.name {
            return Err(RestError::bad_request(format!(
                "{place}: the URN is of type {}, not {}: {urn}",
                urn.kind(),
                entity.name
            )));
        }
        let wanted: Vec<&str> = item
            .keys()
            .map(String::as_str)
            .filter(|k| *k != "urn")
            .collect();
        for aspect in &wanted {
            if !entity.carries(aspect) {
                return Err(RestError::bad_request(format!(
                    "{place}: {aspect:?} is not an aspect of a {} entity in DataHub's model",
                    entity.name
                )));
            }
        }
        if !seen.insert(urn.as_str().to_string()) {
            continue;
        }
        let row = match state.catalog.entity(&urn).await? {
            Some(row) if row.exists => row,
            // GMS answers only the entities it holds.
            _ => continue,
        };
        let mut answer = Map::new();
        answer.insert("urn".into(), json!(urn.as_str()));
        let asked = |name: &str| wanted.is_empty() || wanted.contains(&name);
        if let Some((key_name, key)) = registry::key_aspect_of(&urn) {
            if asked(key_name) {
                answer.insert(key_name.into(), aspect_answer(key, None, with_meta));
            }
        }
        for a in state.catalog.latest_aspects_of(row.id).await? {
            if asked(&a.aspect) {
                let meta = system_metadata(a.created_at, a.run_id.as_deref());
                answer.insert(
                    a.aspect.clone(),
                    aspect_answer(a.value, Some(meta), with_meta),
                );
            }
        }
        // A timeseries aspect answers its latest event when asked for by name.
        for aspect in wanted.iter().filter(|a| timeseries::is_timeseries(a)) {
            let latest = SeriesQuery {
                limit: 1,
                ..SeriesQuery::default()
            };
            if let Some(e) = state.catalog.timeseries(&urn, aspect, &latest).await?.pop() {
                let meta = system_metadata(e.stored_at, e.run_id.as_deref());
                answer.insert(
                    (*aspect).into(),
                    aspect_answer(e.value, Some(meta), with_meta),
                );
            }
        }
        out.push(Value::Object(answer));
    }
    Ok(Value::Array(out))
}

fn system_metadata(last_observed: i64, run_id: Option<&str>) -> Value {
    let mut meta = json!({"lastObserved": last_observed});
    if let Some(run) = run_id {
        meta["runId"] = json!(run);
    }
    meta
}

fn aspect_answer(value: Value, meta: Option<Value>, with_meta: bool) -> Value {
    match meta.filter(|_| with_meta) {
        Some(meta) => json!({"value": value, "systemMetadata": meta}),
        None => json!({ "value": value }),
    }
}

/// `GET /openapi/relationships/v1/`.
pub async fn relationships(
    State(state): State<Arc<Shared>>,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Response {
    match read_relationships(&state, query).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn read_relationships(
    state: &Shared,
    query: Result<Query<Pairs>, QueryRejection>,
) -> Result<Value, RestError> {
    let params = query_pairs(query)?;
    let one = |name: &str| {
        params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    };
    let urn = one("urn").filter(|u| !u.is_empty()).ok_or_else(|| {
        RestError::bad_request(
            "urn is missing: GET /openapi/relationships/v1/?urn=...&relationshipTypes=DownstreamOf&direction=OUTGOING",
        )
    })?;
    let urn = parse_urn(urn).map_err(|e| RestError::bad_request(e.message))?;
    let outgoing = match one("direction") {
        Some("OUTGOING") => true,
        Some("INCOMING") => false,
        Some(other) => {
            return Err(RestError::bad_request(format!(
                "direction {other:?} is not INCOMING or OUTGOING"
            )))
        }
        None => {
            return Err(RestError::bad_request(
                "direction is missing: give INCOMING or OUTGOING",
            ))
        }
    };
    let named: Vec<&str> = params
        .iter()
        .filter(|(k, _)| k == "relationshipTypes")
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    if named.is_empty() {
        return Err(RestError::bad_request(
            "relationshipTypes is missing: name the relationship types to follow, such as DownstreamOf or TaggedWith",
        ));
    }
    // A type DataHub knows but mlcat derives no edges of has no relationships here.
    let mut relations: Vec<Relation> = named.iter().filter_map(|t| Relation::parse(t)).collect();
    relations.sort_by_key(|r| r.as_str());
    relations.dedup();
    let start = number(one("start"), "start", 0, u64::MAX)?;
    let count = number(
        one("count"),
        "count",
        DEFAULT_RELATED_COUNT,
        MAX_RELATED_COUNT,
    )?;
    let (total, entities) = match state.catalog.entity(&urn).await? {
        Some(row) => {
            let (total, page) = state
                .catalog
                .related(row.id, &relations, outgoing, start, count)
                .await?;
            let entities: Vec<Value> = page
                .iter()
                .map(|e| {
                    json!({
                        "relationshipType": e.edge.relation.as_str(),
                        "urn": e.other_end(row.id).0.urn,
                    })
                })
                .collect();
            (total, entities)
        }
        None => (0, Vec::new()),
    };
    Ok(json!({
        "start": start,
        "count": entities.len(),
        "total": total,
        "entities": entities,
    }))
}

/// A query string as its pairs: `relationshipTypes` repeats (`requests` sends a list as one
/// pair per item), so queries are read as pairs, not as a map.
type Pairs = Vec<(String, String)>;

fn query_pairs(query: Result<Query<Pairs>, QueryRejection>) -> Result<Pairs, RestError> {
    query
        .map(|Query(pairs)| pairs)
        .map_err(|e| RestError::bad_request(e.body_text()))
}

fn number(text: Option<&str>, name: &str, default: u64, max: u64) -> Result<u64, RestError> {
    match text {
        None => Ok(default),
        Some(t) => t.parse::<u64>().ok().filter(|n| *n <= max).ok_or_else(|| {
            RestError::bad_request(format!("{name} must be a whole number from 0 to {max}"))
        }),
    }
}

fn parse_bool(name: &str, text: &str) -> Result<bool, RestError> {
    match text {
        "true" => Ok(true),
        "false" => Ok(false),
        other => Err(RestError::bad_request(format!(
            "{name} must be true or false, not {other:?}"
        ))),
    }
}
