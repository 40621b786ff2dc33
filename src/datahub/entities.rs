//! `POST /entities?action=...`: the Rest.li entity actions the SDK and the CLI call, in
//! DataHub's shapes (every answer wrapped in `{"value": ...}`, as Rest.li actions answer):
//!
//! - `delete` `{"urn"}`: a hard delete (`graph.hard_delete_entity`, `datahub delete --hard`),
//!   answering `{"urn", "rows", "timeseriesRows"}`; an unknown URN deletes 0 rows, as in GMS.
//! - `deleteReferences` `{"urn", "dryRun"}`: the references other entities' aspects hold to the
//!   URN, removed unless a dry run: `{"total", "relatedAspects": [{"relationship", "entity",
//!   "aspect"}]}`.
//! - `ingest` `{"entity": {"value": {"<snapshot FQN>": {"urn", "aspects": [{"<aspect FQN>":
//!   {...}}]}}}, "systemMetadata"}` (`graph.emit_mce`): each aspect an UPSERT, one transaction.
//! - `listUrns` `{"entity", "start", "count"}`: `{"entities", "start", "count", "total"}`.
//! - `search` `{"input", "entity", "start", "count", "filter": {"or": [{"and": [criterion]}]}}`
//!   (`graph.get_domain_urn_by_name`, `get_container_urns_by_filter`): `{"numEntities", "from",
//!   "pageSize", "entities": [{"entity", "matchedFields"}], "metadata"}`, from the catalog's
//!   search.

use std::collections::HashMap;
use std::sync::Arc;

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::proposal::{self, parse_urn};
use super::{json_body, registry, RestError};
use crate::auth::Access;
use crate::catalog::{
    Actor, AspectWrite, Condition, Error, FieldFilter, SearchField, SearchRequest,
};
use crate::shared::Shared;
use crate::urn::{EntityKind, Urn};

const DELETE_EXAMPLE: &str = r#"{"urn": "urn:li:mlFeature:(table,feature)"}"#;
const REFERENCES_EXAMPLE: &str = r#"{"urn": "urn:li:tag:pii", "dryRun": true}"#;
const INGEST_EXAMPLE: &str = r#"{"entity": {"value": {"com.linkedin.metadata.snapshot.DatasetSnapshot": {"urn": "urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)", "aspects": [{"com.linkedin.common.Status": {"removed": false}}]}}}}"#;
const LIST_EXAMPLE: &str = r#"{"entity": "mlModel", "start": 0, "count": 100}"#;
const SEARCH_EXAMPLE: &str = r#"{"input": "*", "entity": "domain", "start": 0, "count": 10, "filter": {"or": [{"and": [{"field": "name", "values": ["Marketing"], "condition": "EQUAL"}]}]}}"#;

/// The most URNs one `listUrns` page answers.
const MAX_LIST_COUNT: u64 = 10_000;
/// The most entities one `search` page answers.
const MAX_SEARCH_COUNT: u64 = 10_000;
/// The most related aspects a `deleteReferences` answer lists (its `total` counts them all).
const MAX_RELATED_SAMPLE: usize = 100;

/// `POST /entities?action=...`.
pub async fn entities_action(
    State(state): State<Arc<Shared>>,
    Extension(access): Extension<Access>,
    Query(query): Query<HashMap<String, String>>,
    body: Result<Bytes, BytesRejection>,
) -> Response {
    let actor = Actor::named(access.actor.clone());
    let result = match query.get("action").map(String::as_str) {
        Some("delete") => delete(&state, &actor, body).await,
        Some("deleteReferences") => delete_references(&state, &actor, body).await,
        Some("ingest") => ingest(&state, &access, body).await,
        Some("listUrns") => list_urns(&state, body).await,
        Some("search") => search(&state, body).await,
        Some(other) => Err(RestError::bad_request(format!(
            "action {other:?} is not supported; mlcat answers delete, deleteReferences, ingest, listUrns and search"
        ))),
        None => Err(RestError::bad_request(
            "the action is missing: POST /entities?action=delete (or deleteReferences, ingest, listUrns, search)",
        )),
    };
    match result {
        Ok(value) => Json(value).into_response(),
        Err(e) => e.into_response(),
    }
}

/// `delete`: erases the entity (see `Catalog::hard_delete`).
async fn delete(
    state: &Shared,
    actor: &Actor,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let body = object(json_body(body, state, DELETE_EXAMPLE)?, DELETE_EXAMPLE)?;
    let urn = urn_field(&body, "urn")?;
    if let Some(aspect) = body.get("aspectName").and_then(Value::as_str) {
        // The SDK sends an aspect name only to delete a timeseries aspect's rows.
        return Err(RestError::unprocessable(format!(
            "deleting one aspect ({aspect}) is not supported by /entities?action=delete; send only the urn to delete the whole entity"
        )));
    }
    let erased = state.catalog.hard_delete(actor, &urn).await?;
    Ok(
        json!({"value": {"urn": urn.as_str(), "rows": erased.versions, "timeseriesRows": erased.events}}),
    )
}

/// `deleteReferences`: the references to the URN, removed unless `dryRun`.
async fn delete_references(
    state: &Shared,
    actor: &Actor,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let body = object(
        json_body(body, state, REFERENCES_EXAMPLE)?,
        REFERENCES_EXAMPLE,
    )?;
    let urn = urn_field(&body, "urn")?;
    let dry_run = flag(&body, "dryRun", false)?;
    let found = state
        .catalog
        .delete_references(actor, &urn, dry_run)
        .await?;
    let related: Vec<Value> = found
        .iter()
        .take(MAX_RELATED_SAMPLE)
        .map(|r| {
            // In this order: the CLI prints the values under relationship, entity, aspect.
            json!({"relationship": r.relationship, "entity": r.entity, "aspect": r.aspect})
        })
        .collect();
    Ok(json!({"value": {"total": found.len(), "relatedAspects": related}}))
}

/// `ingest`: a MetadataChangeEvent's snapshot, each aspect an UPSERT, all in one transaction.
async fn ingest(
    state: &Shared,
    access: &Access,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let body = object(json_body(body, state, INGEST_EXAMPLE)?, INGEST_EXAMPLE)?;
    let snapshots = body
        .get("entity")
        .and_then(|e| e.get("value"))
        .and_then(Value::as_object)
        .ok_or_else(|| {
            RestError::bad_request(format!(
                "entity.value is missing; send JSON like {INGEST_EXAMPLE}"
            ))
        })?;
    let (snapshot_fqn, snapshot) = match snapshots.iter().next() {
        Some(one) if snapshots.len() == 1 => one,
        _ => {
            return Err(RestError::bad_request(
                "entity.value must hold exactly one snapshot, keyed by its name (com.linkedin.metadata.snapshot.DatasetSnapshot)",
            ))
        }
    };
    let urn_text = snapshot
        .get("urn")
        .and_then(Value::as_str)
        .ok_or_else(|| RestError::bad_request(format!("{snapshot_fqn}.urn is missing")))?;
    let urn = parse_urn(urn_text)?;
    let entity = registry::entity(urn.kind().as_str()).ok_or_else(|| {
        RestError::unprocessable(format!(
            "{} is not an entity type of DataHub's model: {urn}",
            urn.kind()
        ))
    })?;
    let aspects = snapshot
        .get("aspects")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            RestError::bad_request(format!("{snapshot_fqn}.aspects must be an array"))
        })?;
    let mut actor = proposal::actor_of(body.get("systemMetadata"), "systemMetadata")?;
    if access.authenticated {
        // A client with a token writes as the token's name, never as someone it names.
        actor.name = access.actor.clone();
    }
    let total = aspects.len();
    let mut writes = Vec::with_capacity(total);
    for (i, item) in aspects.iter().enumerate() {
        let place = format!("aspect {} of {total}", i + 1);
        let (fqn, value) = match item.as_object().map(|o| (o.len(), o.iter().next())) {
            Some((1, Some(one))) => one,
            _ => {
                return Err(RestError::bad_request(format!(
                    "{place}: each aspect must be an object with one key, the aspect's name (com.linkedin.common.Status)"
                )))
            }
        };
        let name = registry::aspect_by_fqn(fqn).ok_or_else(|| {
            RestError::unprocessable(format!(
                "{place}: {fqn} is not an aspect of DataHub's model"
            ))
        })?;
        if !entity.carries(name) {
            return Err(RestError::unprocessable(format!(
                "{place}: entity type {} does not carry the aspect {name}",
                entity.name
            )));
        }
        writes.push(AspectWrite::upsert(urn.clone(), name, value.clone()).by(actor.clone()));
    }
    match state.catalog.write(&actor, writes).await {
        Ok(_) => Ok(json!({})),
        Err(Error::InBatch(b)) => {
            let place = format!("aspect {} of {} ({})", b.index + 1, b.total, b.aspect);
            Err(RestError::from(b.cause).at(&place))
        }
        Err(e) => Err(e.into()),
    }
}

/// `listUrns`: one page of the URNs of an entity type, in the order the catalog first saw them.
async fn list_urns(
    state: &Shared,
    body: Result<Bytes, BytesRejection>,
) -> Result<Value, RestError> {
    let body = object(json_body(body, state, LIST_EXAMPLE)?, LIST_EXAMPLE)?;
    let entity = entity_field(&body)?;
    let start = number(&body, "start", 0)?;
    let count = number(&body, "count", 100)?.min(MAX_LIST_COUNT);
    let (urns, total) = state.catalog.list_urns(&entity, start, count).await?;
    Ok(json!({"value": {
        "entities": urns,
        "start": start,
        "count": urns.len(),
        "total": total,
    }}))
}

/// `search`: the catalog's search, with DataHub's filter.
async fn search(state: &Shared, body: Result<Bytes, BytesRejection>) -> Result<Value, RestError> {
    let body = object(json_body(body, state, SEARCH_EXAMPLE)?, SEARCH_EXAMPLE)?;
    let entity = entity_field(&body)?;
    let input = match body.get("input") {
        None | Some(Value::Null) => "*".to_string(),
        Some(Value::String(s)) => s.clone(),
        Some(_) => return Err(RestError::bad_request("input must be a string")),
    };
    let start = number(&body, "start", 0)?;
    let count = number(&body, "count", 10)?.min(MAX_SEARCH_COUNT);
    let filter = parse_filter(body.get("filter"))?;

    let mut request = SearchRequest {
        query: input.clone(),
        kinds: vec![entity],
        any_of: filter.any_of,
        start,
        count,
        ..Default::default()
    };
    // mlcat's index has no exact-name field: a name filter searches the name's words, then
    // keeps the entities whose name is that exactly. The page is cut after that filter.
    let page = if filter.matches_nothing {
        (Vec::new(), 0)
    } else if filter.names.is_empty() {
        let page = state.catalog.search(&request).await?;
        let urns: Vec<String> = page.hits.into_iter().map(|h| h.entity.urn).collect();
        (urns, page.total)
    } else {
        if input.trim().is_empty() || input.trim() == "*" {
            request.query = filter.names.join(" ");
        }
        request.start = 0;
        request.count = MAX_SEARCH_COUNT;
        let page = state.catalog.search(&request).await?;
        let mut named = Vec::new();
        for hit in page.hits {
            let names = state.catalog.display_names(&hit.entity).await?;
            if names.iter().any(|n| filter.names.contains(n)) {
                named.push(hit.entity.urn);
            }
        }
        let total = named.len() as u64;
        let urns = named
            .into_iter()
            .skip(start as usize)
            .take(count as usize)
            .collect();
        (urns, total)
    };
    let (urns, total) = page;
    let entities: Vec<Value> = urns
        .iter()
        .map(|u| json!({"entity": u, "matchedFields": []}))
        .collect();
    Ok(json!({"value": {
        "numEntities": total,
        "from": start,
        "pageSize": count,
        "entities": entities,
        "metadata": {"aggregations": []},
    }}))
}

/// A search filter: the lists of conditions, and the exact names asked for.
#[derive(Debug, Default)]
struct Filter {
    any_of: Vec<Vec<FieldFilter>>,
    names: Vec<String>,
    /// Every list of conditions names a field no entity has.
    matches_nothing: bool,
}

/// DataHub's `Filter`: `{"or": [{"and": [criterion]}]}`, or the older `{"criteria": [...]}`
/// (one list). A criterion is `{"field", "values" (or "value"), "condition", "negated"}`. A
/// list with a condition on a field mlcat does not index (`typeNames`) matches nothing, as no
/// entity has the field; such a list is left out.
fn parse_filter(filter: Option<&Value>) -> Result<Filter, RestError> {
    let Some(filter) = filter.filter(|f| !f.is_null()) else {
        return Ok(Filter::default());
    };
    let lists: Vec<&Value> = if let Some(or) = filter.get("or").and_then(Value::as_array) {
        or.iter()
            .map(|c| c.get("and").unwrap_or(&Value::Null))
            .collect()
    } else if let Some(criteria) = filter.get("criteria") {
        vec![criteria]
    } else {
        return Err(RestError::bad_request(
            "filter must be {\"or\": [{\"and\": [{\"field\", \"values\", \"condition\"}]}]}",
        ));
    };
    let mut out = Filter::default();
    let mut unmatched_lists = 0;
    for list in &lists {
        let criteria = list.as_array().ok_or_else(|| {
            RestError::bad_request("each entry of filter.or must be {\"and\": [criterion, ...]}")
        })?;
        let mut conditions = Vec::new();
        let mut matches_nothing = false;
        for c in criteria {
            let field = c
                .get("field")
                .and_then(Value::as_str)
                .ok_or_else(|| RestError::bad_request("a filter criterion must name its field"))?;
            let mut values: Vec<String> = match c.get("values").and_then(Value::as_array) {
                Some(vs) => vs
                    .iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect(),
                None => Vec::new(),
            };
            if values.is_empty() {
                if let Some(v) = c.get("value").and_then(Value::as_str) {
                    values.push(v.to_string());
                }
            }
            let negated = c.get("negated").and_then(Value::as_bool).unwrap_or(false);
            let condition = c
                .get("condition")
                .and_then(Value::as_str)
                .unwrap_or("EQUAL");
            let name_field = field.strip_suffix(".keyword").unwrap_or(field) == "name";
            if name_field && !negated && condition == "EQUAL" {
                out.names.extend(values);
                continue;
            }
            let Some(field) = SearchField::parse(field) else {
                if !negated {
                    matches_nothing = true;
                }
                continue;
            };
            conditions.push(FieldFilter {
                field,
                condition: parse_condition(condition)?,
                values,
                negated,
            });
        }
        if matches_nothing {
            unmatched_lists += 1;
        } else if !conditions.is_empty() {
            out.any_of.push(conditions);
        }
    }
    // Every list asks for a field no entity has: nothing matches.
    out.matches_nothing = unmatched_lists == lists.len() && !lists.is_empty();
    Ok(out)
}

fn parse_condition(name: &str) -> Result<Condition, RestError> {
    Ok(match name {
        "EQUAL" => Condition::Equal,
        "IN" => Condition::In,
        "CONTAIN" => Condition::Contain,
        "START_WITH" => Condition::StartWith,
        "END_WITH" => Condition::EndWith,
        "EXISTS" => Condition::Exists,
        "GREATER_THAN" => Condition::GreaterThan,
        "GREATER_THAN_OR_EQUAL_TO" => Condition::GreaterThanOrEqualTo,
        "LESS_THAN" => Condition::LessThan,
        "LESS_THAN_OR_EQUAL_TO" => Condition::LessThanOrEqualTo,
        other => {
            return Err(RestError::unprocessable(format!(
                "condition {other:?} is not supported; use EQUAL, IN, CONTAIN, START_WITH, END_WITH, EXISTS, GREATER_THAN, GREATER_THAN_OR_EQUAL_TO, LESS_THAN or LESS_THAN_OR_EQUAL_TO"
            )))
        }
    })
}

pub(super) fn object(body: Value, example: &str) -> Result<Map<String, Value>, RestError> {
    match body {
        Value::Object(map) => Ok(map),
        _ => Err(RestError::bad_request(format!(
            "the body must be a JSON object like {example}"
        ))),
    }
}

fn urn_field(body: &Map<String, Value>, field: &str) -> Result<Urn, RestError> {
    match body.get(field) {
        Some(Value::String(s)) => parse_urn(s),
        None | Some(Value::Null) => Err(RestError::bad_request(format!("{field} is missing"))),
        Some(_) => Err(RestError::bad_request(format!("{field} must be a string"))),
    }
}

/// The `entity` field: an entity type of DataHub's model.
fn entity_field(body: &Map<String, Value>) -> Result<EntityKind, RestError> {
    let name = match body.get("entity") {
        Some(Value::String(s)) => s,
        None | Some(Value::Null) => return Err(RestError::bad_request("entity is missing")),
        Some(_) => return Err(RestError::bad_request("entity must be a string")),
    };
    let info = registry::entity(name).ok_or_else(|| {
        RestError::bad_request(format!(
            "entity {name:?} is not an entity type of DataHub's model (such as dataset, mlModel, domain)"
        ))
    })?;
    Ok(EntityKind::parse(info.name))
}

pub(super) fn number(
    body: &Map<String, Value>,
    field: &str,
    default: u64,
) -> Result<u64, RestError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(v) => v.as_u64().ok_or_else(|| {
            RestError::bad_request(format!("{field} must be a whole number of 0 or more"))
        }),
    }
}

pub(super) fn flag(
    body: &Map<String, Value>,
    field: &str,
    default: bool,
) -> Result<bool, RestError> {
    match body.get(field) {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Bool(b)) => Ok(*b),
        // Rest.li clients may send booleans as strings.
        Some(Value::String(s)) if s == "true" || s == "false" => Ok(s == "true"),
        Some(_) => Err(RestError::bad_request(format!(
            "{field} must be true or false"
        ))),
    }
}
