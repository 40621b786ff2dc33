//! `POST /aspects?action=getTimeseriesAspectValues`: the events of a timeseries aspect, as
//! `graph.get_timeseries_values` and `graph.get_latest_timeseries_value` ask for them (the
//! stateful-ingestion checkpoint provider reads its last checkpoint this way). Answers
//! `{"value": {"entityName", "aspectName", "limit", "values": [{"aspect": {"value": "<JSON
//! text>", "contentType"}, "systemMetadata"}]}}`, newest first, as GMS does.

use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value};

use super::proposal::parse_urn;
use super::registry;
use super::{json_body, RestError};
use crate::catalog::timeseries::MAX_SERIES_LIMIT;
use crate::catalog::{SeriesCondition, SeriesCriterion, SeriesQuery};
use crate::shared::Shared;

const EXAMPLE: &str = r#"{"urn": "urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)", "entity": "dataset", "aspect": "datasetProfile", "startTimeMillis": 0, "endTimeMillis": 1700000000000, "limit": 10, "filter": {"or": [{"and": [{"field": "partitionSpec.partition", "values": ["FULL_TABLE_SNAPSHOT"], "condition": "EQUAL"}]}]}}"#;

/// What GMS answers when the request names no limit.
const DEFAULT_LIMIT: usize = MAX_SERIES_LIMIT;

/// The handler of the action (called from `ingest::aspects_action`).
pub async fn get_values(state: &Shared, body: Result<Bytes, BytesRejection>) -> Response {
    match values(state, body).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn values(state: &Shared, body: Result<Bytes, BytesRejection>) -> Result<Value, RestError> {
    let body = json_body(body, state, EXAMPLE)?;
    let body = body.as_object().ok_or_else(|| {
        RestError::bad_request(format!("the body must be a JSON object like {EXAMPLE}"))
    })?;
    let urn_text = match body.get("urn") {
        Some(Value::String(s)) => s,
        Some(_) => return Err(RestError::bad_request("urn must be a string")),
        None => {
            return Err(RestError::bad_request(format!(
                "urn is missing; send JSON like {EXAMPLE}"
            )))
        }
    };
    let urn = parse_urn(urn_text)?;
    match body.get("entity") {
        None | Some(Value::Null) => {}
        Some(Value::String(e)) if e == urn.kind().as_str() => {}
        Some(Value::String(e)) => {
            return Err(RestError::bad_request(format!(
                "entity {e:?} does not match the URN, which is of type {}",
                urn.kind()
            )))
        }
        Some(_) => return Err(RestError::bad_request("entity must be a string")),
    }
    let aspect = match body.get("aspect") {
        Some(Value::String(a)) => a.as_str(),
        Some(_) => return Err(RestError::bad_request("aspect must be a string")),
        None => {
            return Err(RestError::bad_request(format!(
                "aspect is missing; send JSON like {EXAMPLE}"
            )))
        }
    };
    if !registry::aspect(aspect).is_some_and(|a| a.timeseries) {
        let known: Vec<&str> = crate::catalog::timeseries::TIMESERIES_ASPECTS.to_vec();
        return Err(RestError::bad_request(format!(
            "{aspect:?} is not a timeseries aspect; the timeseries aspects are {}",
            known.join(", ")
        )));
    }
    let start_millis = millis(body, "startTimeMillis")?;
    let end_millis = millis(body, "endTimeMillis")?;
    if let (Some(start), Some(end)) = (start_millis, end_millis) {
        if start > end {
            return Err(RestError::bad_request(format!(
                "startTimeMillis {start} is after endTimeMillis {end}; give a range with start <= end"
            )));
        }
    }
    let limit = match body.get("limit") {
        None | Some(Value::Null) => DEFAULT_LIMIT,
        Some(v) => v
            .as_u64()
            .filter(|n| (1..=MAX_SERIES_LIMIT as u64).contains(n))
            .ok_or_else(|| {
                RestError::bad_request(format!(
                    "limit must be a whole number from 1 to {MAX_SERIES_LIMIT}"
                ))
            })? as usize,
    };
    let any_of = match body.get("filter") {
        None | Some(Value::Null) => Vec::new(),
        Some(f) => filter(f)?,
    };
    let query = SeriesQuery {
        start_millis,
        end_millis,
        limit,
        any_of,
    };
    let events = state.catalog.timeseries(&urn, aspect, &query).await?;
    let values: Vec<Value> = events
        .into_iter()
        .map(|e| {
            let mut meta = json!({"lastObserved": e.stored_at});
            if let Some(run) = &e.run_id {
                meta["runId"] = json!(run);
            }
            json!({
                "aspect": {"value": e.value.to_string(), "contentType": "application/json"},
                "systemMetadata": meta,
            })
        })
        .collect();
    let mut answer = Map::new();
    answer.insert("entityName".into(), json!(urn.kind().as_str()));
    answer.insert("aspectName".into(), json!(aspect));
    if let Some(start) = start_millis {
        answer.insert("startTimeMillis".into(), json!(start));
    }
    if let Some(end) = end_millis {
        answer.insert("endTimeMillis".into(), json!(end));
    }
    answer.insert("limit".into(), json!(limit));
    answer.insert("values".into(), Value::Array(values));
    Ok(json!({ "value": answer }))
}

/// An optional whole number of milliseconds.
fn millis(body: &Map<String, Value>, name: &str) -> Result<Option<i64>, RestError> {
    match body.get(name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v.as_i64().map(Some).ok_or_else(|| {
            RestError::bad_request(format!(
                "{name} must be a whole number of milliseconds since the epoch"
            ))
        }),
    }
}

/// DataHub's `Filter`: `{"or": [{"and": [criterion, ...]}, ...]}`, or the older
/// `{"criteria": [criterion, ...]}` (one group).
fn filter(f: &Value) -> Result<Vec<Vec<SeriesCriterion>>, RestError> {
    let bad = || {
        RestError::bad_request(
            "filter must be {\"or\": [{\"and\": [{\"field\": ..., \"values\": [...], \"condition\": \"EQUAL\"}]}]}",
        )
    };
    let f = f.as_object().ok_or_else(bad)?;
    let mut groups = Vec::new();
    if let Some(or) = f.get("or").filter(|v| !v.is_null()) {
        for group in or.as_array().ok_or_else(bad)? {
            let and = group.get("and").and_then(Value::as_array).ok_or_else(bad)?;
            groups.push(and.iter().map(criterion).collect::<Result<Vec<_>, _>>()?);
        }
    }
    if let Some(criteria) = f.get("criteria").filter(|v| !v.is_null()) {
        let criteria = criteria.as_array().ok_or_else(bad)?;
        groups.push(
            criteria
                .iter()
                .map(criterion)
                .collect::<Result<Vec<_>, _>>()?,
        );
    }
    Ok(groups)
}

/// `{"field", "values": [...] (or "value"), "condition": "EQUAL", "negated": false}`.
fn criterion(c: &Value) -> Result<SeriesCriterion, RestError> {
    let field = c
        .get("field")
        .and_then(Value::as_str)
        .filter(|f| !f.is_empty())
        .ok_or_else(|| RestError::bad_request("each filter criterion needs a field"))?;
    let mut values: Vec<String> = match c.get("values") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str().map(str::to_string).ok_or_else(|| {
                    RestError::bad_request(format!(
                        "the values of the criterion on {field} must be strings"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(RestError::bad_request(format!(
                "the values of the criterion on {field} must be a list of strings"
            )))
        }
    };
    match c.get("value") {
        Some(Value::String(v)) if values.is_empty() => values.push(v.clone()),
        None | Some(Value::Null) | Some(Value::String(_)) => {}
        Some(_) => {
            return Err(RestError::bad_request(format!(
                "the value of the criterion on {field} must be a string"
            )))
        }
    }
    let condition = match c.get("condition").and_then(Value::as_str).unwrap_or("EQUAL") {
        "EQUAL" | "IN" => SeriesCondition::Equal,
        "CONTAIN" => SeriesCondition::Contain,
        "START_WITH" => SeriesCondition::StartWith,
        "END_WITH" => SeriesCondition::EndWith,
        "EXISTS" => SeriesCondition::Exists,
        "IS_NULL" => SeriesCondition::IsNull,
        "GREATER_THAN" => SeriesCondition::GreaterThan,
        "GREATER_THAN_OR_EQUAL_TO" => SeriesCondition::GreaterThanOrEqualTo,
        "LESS_THAN" => SeriesCondition::LessThan,
        "LESS_THAN_OR_EQUAL_TO" => SeriesCondition::LessThanOrEqualTo,
        other => {
            return Err(RestError::bad_request(format!(
                "condition {other:?} of the criterion on {field} is not supported; use EQUAL, IN, CONTAIN, START_WITH, END_WITH, EXISTS, IS_NULL, GREATER_THAN, GREATER_THAN_OR_EQUAL_TO, LESS_THAN or LESS_THAN_OR_EQUAL_TO"
            )))
        }
    };
    let needs_values = !matches!(condition, SeriesCondition::Exists | SeriesCondition::IsNull);
    if needs_values && values.is_empty() {
        return Err(RestError::bad_request(format!(
            "the criterion on {field} has no values to compare with"
        )));
    }
    let negated = c.get("negated").and_then(Value::as_bool).unwrap_or(false);
    Ok(SeriesCriterion {
        field: field.to_string(),
        values,
        condition,
        negated,
    })
}

#[cfg(test)]
mod tests {
    use crate::catalog::timeseries::TIMESERIES_ASPECTS;
    use crate::datahub::aspect_table::ASPECTS;

    /// The catalog's list of timeseries aspects is the registry's, generated from the SDK.
    #[test]
    fn the_catalog_keeps_as_series_what_the_registry_types_timeseries() {
        let registry: Vec<&str> = ASPECTS
            .iter()
            .filter(|a| a.timeseries)
            .map(|a| a.name)
            .collect();
        assert_eq!(registry, TIMESERIES_ASPECTS.to_vec());
    }
}
