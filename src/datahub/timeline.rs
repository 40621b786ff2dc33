//! `GET /openapi/v2/timeline/v1/{urn}?categories=TAG,OWNERSHIP&startTime=&endTime=&raw=`:
//! DataHub's timeline, the change transactions of an entity, as `datahub timeline` asks for
//! it and prints it. It is computed from mlcat's aspect history: each version of an aspect is
//! compared with the one before, element by element (tags by tag, owners by owner and type,
//! upstreams by dataset, ...), and the changes one write made at one instant form a
//! transaction. Versions follow DataHub's computed semantic versions: every transaction bumps
//! the minor version, one that removes part of the schema the major version.
//!
//! A removed aspect (changeType DELETE) leaves no version behind, so its removal is not a
//! change here; the versions it had still are.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::proposal::parse_urn;
use super::RestError;
use crate::catalog::history::AspectVersion;
use crate::shared::Shared;
use crate::urn::Urn;

/// The most versions of an entity's aspects a timeline reads (the newest ones).
const MAX_VERSIONS: u64 = 10_000;

/// DataHub's change categories the CLI may ask for (`OWNER` is `OWNERSHIP`'s older name).
const CATEGORIES: [&str; 14] = [
    "TAG",
    "OWNERSHIP",
    "OWNER",
    "GLOSSARY_TERM",
    "TECHNICAL_SCHEMA",
    "DOCUMENTATION",
    "DOMAIN",
    "LINEAGE",
    "DEPRECATION",
    "STRUCTURED_PROPERTY",
    "APPLICATION",
    "ASSET_MEMBERSHIP",
    "VERSIONING",
    "LIFECYCLE",
];

/// How a category reads an aspect's value.
#[derive(Clone, Copy)]
enum Extract {
    /// The elements of an array field, identified by one of their fields (`None`: the
    /// element itself, a URN), with an optional second field that tells them apart further
    /// (an owner's type).
    Set {
        field: &'static str,
        id: Option<&'static str>,
        qualifier: Option<&'static str>,
        noun: &'static str,
    },
    /// One field's value (a description, a data type, whether deprecated).
    Text {
        field: &'static str,
        noun: &'static str,
    },
    /// The elements of an array inside each schema field of a list of fields (a field's tags
    /// in `editableSchemaFieldInfo[].globalTags.tags[].tag`): the change's target is the
    /// schema field.
    FieldSet {
        fields: &'static str,
        path: [&'static str; 2],
        id: &'static str,
        noun: &'static str,
    },
}

/// What each category watches: `(category, aspect, how)`. `OWNER` reads as `OWNERSHIP`.
const WATCHED: &[(&str, &str, Extract)] = &[
    ("TAG", "globalTags", set("tags", Some("tag"), None, "Tag")),
    (
        "TAG",
        "editableSchemaMetadata",
        field_set(
            "editableSchemaFieldInfo",
            ["globalTags", "tags"],
            "tag",
            "Tag",
        ),
    ),
    (
        "TAG",
        "schemaMetadata",
        field_set("fields", ["globalTags", "tags"], "tag", "Tag"),
    ),
    (
        "GLOSSARY_TERM",
        "editableSchemaMetadata",
        field_set(
            "editableSchemaFieldInfo",
            ["glossaryTerms", "terms"],
            "urn",
            "Term",
        ),
    ),
    (
        "GLOSSARY_TERM",
        "schemaMetadata",
        field_set("fields", ["glossaryTerms", "terms"], "urn", "Term"),
    ),
    (
        "OWNERSHIP",
        "ownership",
        set("owners", Some("owner"), Some("type"), "Owner"),
    ),
    (
        "GLOSSARY_TERM",
        "glossaryTerms",
        set("terms", Some("urn"), None, "Term"),
    ),
    ("DOMAIN", "domains", set("domains", None, None, "Domain")),
    (
        "STRUCTURED_PROPERTY",
        "structuredProperties",
        set(
            "properties",
            Some("propertyUrn"),
            None,
            "Structured property",
        ),
    ),
    (
        "DEPRECATION",
        "deprecation",
        text("deprecated", "Deprecation status"),
    ),
    (
        "DOCUMENTATION",
        "datasetProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "editableDatasetProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlModelProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlModelGroupProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlFeatureProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlFeatureTableProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlPrimaryKeyProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "mlModelDeploymentProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "editableMlModelProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "editableMlFeatureTableProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "editableMlFeatureProperties",
        text("description", "Description"),
    ),
    (
        "DOCUMENTATION",
        "institutionalMemory",
        set("elements", Some("url"), None, "Link"),
    ),
    (
        "TECHNICAL_SCHEMA",
        "schemaMetadata",
        set("fields", Some("fieldPath"), None, "Field"),
    ),
    (
        "TECHNICAL_SCHEMA",
        "mlFeatureTableProperties",
        set("mlFeatures", None, None, "Feature"),
    ),
    (
        "TECHNICAL_SCHEMA",
        "mlFeatureTableProperties",
        set("mlPrimaryKeys", None, None, "Primary key"),
    ),
    (
        "TECHNICAL_SCHEMA",
        "mlFeatureProperties",
        text("dataType", "Data type"),
    ),
    (
        "TECHNICAL_SCHEMA",
        "mlPrimaryKeyProperties",
        text("dataType", "Data type"),
    ),
    (
        "LINEAGE",
        "upstreamLineage",
        set("upstreams", Some("dataset"), None, "Upstream"),
    ),
    (
        "LINEAGE",
        "mlFeatureProperties",
        set("sources", None, None, "Source"),
    ),
    (
        "LINEAGE",
        "mlPrimaryKeyProperties",
        set("sources", None, None, "Source"),
    ),
    (
        "LINEAGE",
        "mlModelProperties",
        set("mlFeatures", None, None, "Feature"),
    ),
    (
        "LINEAGE",
        "mlModelProperties",
        set("groups", None, None, "Model group"),
    ),
    (
        "LINEAGE",
        "mlModelProperties",
        set("deployments", None, None, "Deployment"),
    ),
    (
        "LINEAGE",
        "mlModelTrainingData",
        set("trainingData", Some("dataset"), None, "Training dataset"),
    ),
];

const fn set(
    field: &'static str,
    id: Option<&'static str>,
    qualifier: Option<&'static str>,
    noun: &'static str,
) -> Extract {
    Extract::Set {
        field,
        id,
        qualifier,
        noun,
    }
}

const fn text(field: &'static str, noun: &'static str) -> Extract {
    Extract::Text { field, noun }
}

const fn field_set(
    fields: &'static str,
    path: [&'static str; 2],
    id: &'static str,
    noun: &'static str,
) -> Extract {
    Extract::FieldSet {
        fields,
        path,
        id,
        noun,
    }
}

/// One change of one element.
struct Event {
    operation: &'static str,
    category: String,
    element: Option<String>,
    /// What changed when not the entity itself (a schema field).
    target: Option<String>,
    description: String,
    /// Removing part of the schema breaks readers: a major change.
    major: bool,
}

/// `GET /openapi/v2/timeline/v1/{urn}`.
pub async fn get_timeline(
    State(state): State<Arc<Shared>>,
    urn: Result<Path<String>, PathRejection>,
    Query(query): Query<HashMap<String, String>>,
) -> Response {
    match timeline(&state, urn, &query).await {
        Ok(answer) => Json(answer).into_response(),
        Err(e) => e.into_response(),
    }
}

async fn timeline(
    state: &Shared,
    urn: Result<Path<String>, PathRejection>,
    query: &HashMap<String, String>,
) -> Result<Value, RestError> {
    let Path(text) = urn.map_err(|e| RestError::bad_request(e.body_text()))?;
    let urn = parse_urn(&text).map_err(|e| RestError::bad_request(e.message))?;
    let categories = categories(query.get("categories"))?;
    let start = time_param(query, "startTime")?.filter(|t| *t > 0);
    let end = time_param(query, "endTime")?.filter(|t| *t > 0);
    let Some(entity) = state.catalog.entity(&urn).await? else {
        return Ok(json!([]));
    };
    let mut history = state
        .catalog
        .aspect_histories(&[entity.id], None, MAX_VERSIONS)
        .await?;
    // When the history was cut, its oldest version is only the baseline of the next.
    let cut = history.len() as u64 >= MAX_VERSIONS;
    history.sort_by_key(|v| (v.created_at, v.version));
    Ok(Value::Array(transactions(
        &urn,
        &categories,
        &history,
        cut,
        start,
        end,
    )))
}

/// The categories asked for, upper-cased as the CLI sends them; unknown ones are refused.
fn categories(given: Option<&String>) -> Result<Vec<String>, RestError> {
    let given = given.map(String::as_str).unwrap_or_default();
    let asked: Vec<String> = given
        .split(',')
        .map(|c| c.trim().to_uppercase())
        .filter(|c| !c.is_empty())
        .collect();
    if asked.is_empty() {
        return Err(RestError::bad_request(format!(
            "categories is missing: give one or more of {}",
            CATEGORIES.join(", ")
        )));
    }
    if let Some(bad) = asked.iter().find(|c| !CATEGORIES.contains(&c.as_str())) {
        return Err(RestError::bad_request(format!(
            "category {bad} is not one of {}",
            CATEGORIES.join(", ")
        )));
    }
    Ok(asked)
}

fn time_param(query: &HashMap<String, String>, name: &str) -> Result<Option<i64>, RestError> {
    query
        .get(name)
        .filter(|t| !t.is_empty())
        .map(|t| {
            t.parse::<i64>().map_err(|_| {
                RestError::bad_request(format!("{name} {t:?} is not milliseconds since the epoch"))
            })
        })
        .transpose()
}

/// The change transactions of `history` (every version, oldest first) for `categories`,
/// with their semantic versions, those between `start` and `end` (milliseconds, inclusive).
fn transactions(
    urn: &Urn,
    categories: &[String],
    history: &[AspectVersion],
    cut: bool,
    start: Option<i64>,
    end: Option<i64>,
) -> Vec<Value> {
    // (time, actor) → the versions written then, and their events.
    let mut by_instant: BTreeMap<(i64, String), (Vec<String>, Vec<Event>)> = BTreeMap::new();
    let mut previous: HashMap<&str, Option<&Value>> = HashMap::new();
    for v in history {
        let before = previous.insert(v.aspect.as_str(), Some(&v.value));
        let baseline_only = cut && before.is_none();
        let before = before.flatten();
        let mut events = Vec::new();
        for category in categories {
            let watched = if category == "OWNER" {
                "OWNERSHIP"
            } else {
                category.as_str()
            };
            for (c, aspect, how) in WATCHED {
                if *c == watched && *aspect == v.aspect {
                    events.extend(diff(urn, category, *how, before, &v.value));
                }
            }
        }
        if baseline_only || events.is_empty() {
            continue;
        }
        let slot = by_instant
            .entry((v.created_at, v.actor.clone()))
            .or_default();
        slot.0.push(format!("{}:{}", v.aspect, v.version));
        slot.1.extend(events);
    }
    let (mut major, mut minor) = (0u64, 0u64);
    let mut out = Vec::new();
    for ((time, actor), (stamps, events)) in by_instant {
        let is_major = events.iter().any(|e| e.major);
        if is_major {
            major += 1;
            minor = 0;
        } else {
            minor += 1;
        }
        if start.is_some_and(|s| time < s) || end.is_some_and(|e| time > e) {
            continue;
        }
        let level = if is_major { "MAJOR" } else { "MINOR" };
        let change_events: Vec<Value> = events
            .into_iter()
            .map(|e| {
                json!({
                    "changeType": e.operation,
                    "operation": e.operation,
                    "semVerChange": if e.major { "MAJOR" } else { "MINOR" },
                    "category": e.category,
                    "entityUrn": urn.as_str(),
                    "target": e.target.as_deref().unwrap_or(urn.as_str()),
                    "elementId": e.element,
                    "modifier": e.element,
                    "description": e.description,
                    "auditStamp": {"time": time, "actor": actor},
                })
            })
            .collect();
        out.push(json!({
            "timestamp": time,
            "actor": actor,
            "semVer": format!("{major}.{minor}.0-computed"),
            "semVerChange": level,
            "versionStamp": stamps.join(";"),
            "changeEvents": change_events,
        }));
    }
    out
}

/// The events between two values of an aspect for one category.
fn diff(
    urn: &Urn,
    category: &str,
    how: Extract,
    before: Option<&Value>,
    after: &Value,
) -> Vec<Event> {
    match how {
        Extract::Set {
            field,
            id,
            qualifier,
            noun,
        } => {
            let old = elements(before, field, id, qualifier);
            let new = elements(Some(after), field, id, qualifier);
            let mut events = Vec::new();
            for (key, (element, qual)) in &new {
                if !old.contains_key(key) {
                    let as_what = qual
                        .as_ref()
                        .map(|q| format!(" as {q}"))
                        .unwrap_or_default();
                    events.push(Event {
                        operation: "ADD",
                        category: category.to_string(),
                        element: Some(element.clone()),
                        target: None,
                        description: format!("{noun} '{element}' added{as_what} to '{urn}'."),
                        major: false,
                    });
                }
            }
            for (key, (element, qual)) in &old {
                if !new.contains_key(key) {
                    let as_what = qual
                        .as_ref()
                        .map(|q| format!(" as {q}"))
                        .unwrap_or_default();
                    events.push(Event {
                        operation: "REMOVE",
                        category: category.to_string(),
                        element: Some(element.clone()),
                        target: None,
                        description: format!("{noun} '{element}'{as_what} removed from '{urn}'."),
                        major: category == "TECHNICAL_SCHEMA",
                    });
                }
            }
            events
        }
        Extract::Text { field, noun } => {
            let old = before.and_then(|b| b.get(field)).filter(|v| !v.is_null());
            let new = after.get(field).filter(|v| !v.is_null());
            let shown = |v: &Value| match v {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            let (operation, description) = match (old, new) {
                (None, Some(n)) => ("ADD", format!("{noun} '{}' added to '{urn}'.", shown(n))),
                (Some(o), None) => (
                    "REMOVE",
                    format!("{noun} '{}' removed from '{urn}'.", shown(o)),
                ),
                (Some(o), Some(n)) if o != n => (
                    "MODIFY",
                    format!(
                        "{noun} of '{urn}' changed from '{}' to '{}'.",
                        shown(o),
                        shown(n)
                    ),
                ),
                _ => return Vec::new(),
            };
            vec![Event {
                operation,
                category: category.to_string(),
                element: None,
                target: None,
                description,
                major: false,
            }]
        }
        Extract::FieldSet {
            fields,
            path,
            id,
            noun,
        } => {
            let old = field_elements(before, fields, path, id);
            let new = field_elements(Some(after), fields, path, id);
            let event = |operation: &'static str, (field, element): &(String, String)| {
                let target = format!("urn:li:schemaField:({urn},{field})");
                let description = if operation == "ADD" {
                    format!("{noun} '{element}' added to field '{field}' of '{urn}'.")
                } else {
                    format!("{noun} '{element}' removed from field '{field}' of '{urn}'.")
                };
                Event {
                    operation,
                    category: category.to_string(),
                    element: Some(element.clone()),
                    target: Some(target),
                    description,
                    major: false,
                }
            };
            let added = new
                .iter()
                .filter(|k| !old.contains(k))
                .map(|k| event("ADD", k));
            let removed = old
                .iter()
                .filter(|k| !new.contains(k))
                .map(|k| event("REMOVE", k));
            added.chain(removed).collect()
        }
    }
}

/// `(field path, element)` of every element under every schema field.
fn field_elements(
    value: Option<&Value>,
    fields: &str,
    path: [&str; 2],
    id: &str,
) -> std::collections::BTreeSet<(String, String)> {
    let mut out = std::collections::BTreeSet::new();
    let Some(list) = value.and_then(|v| v.get(fields)).and_then(Value::as_array) else {
        return out;
    };
    for field in list {
        let Some(field_path) = field.get("fieldPath").and_then(Value::as_str) else {
            continue;
        };
        let items = field
            .get(path[0])
            .and_then(|v| v.get(path[1]))
            .and_then(Value::as_array);
        for item in items.into_iter().flatten() {
            if let Some(element) = item.get(id).and_then(Value::as_str) {
                out.insert((field_path.to_string(), element.to_string()));
            }
        }
    }
    out
}

/// The elements of an array field, by their identity (and qualifier), in order.
fn elements(
    value: Option<&Value>,
    field: &str,
    id: Option<&str>,
    qualifier: Option<&str>,
) -> BTreeMap<(String, String), (String, Option<String>)> {
    let mut out = BTreeMap::new();
    let Some(items) = value.and_then(|v| v.get(field)).and_then(Value::as_array) else {
        return out;
    };
    for item in items {
        let element = match id {
            Some(id) => item.get(id),
            None => Some(item),
        };
        let Some(element) = element.and_then(Value::as_str) else {
            continue;
        };
        let qual = qualifier
            .and_then(|q| item.get(q))
            .and_then(Value::as_str)
            .map(str::to_string);
        out.insert(
            (element.to_string(), qual.clone().unwrap_or_default()),
            (element.to_string(), qual),
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::EntityId;

    fn version(aspect: &str, n: i64, at: i64, value: Value) -> AspectVersion {
        AspectVersion {
            entity: EntityId(1),
            aspect: aspect.to_string(),
            version: n,
            is_latest: false,
            value,
            created_at: at,
            actor: "urn:li:corpuser:ana".to_string(),
            run_id: None,
        }
    }

    #[test]
    fn tags_added_and_removed_make_minor_versions() {
        let urn = Urn::parse("urn:li:mlModel:(urn:li:dataPlatform:mlflow,m,PROD)").unwrap();
        let history = vec![
            version(
                "globalTags",
                1,
                10,
                json!({"tags": [{"tag": "urn:li:tag:a"}]}),
            ),
            version("mlModelProperties", 1, 10, json!({"description": "first"})),
            version(
                "globalTags",
                2,
                20,
                json!({"tags": [{"tag": "urn:li:tag:b"}]}),
            ),
        ];
        let cats = vec!["TAG".to_string()];
        let out = transactions(&urn, &cats, &history, false, None, None);
        assert_eq!(out.len(), 2);
        assert_eq!(out[0]["semVer"], "0.1.0-computed");
        assert_eq!(out[0]["changeEvents"][0]["changeType"], "ADD");
        assert_eq!(out[1]["semVer"], "0.2.0-computed");
        let ops: Vec<&str> = out[1]["changeEvents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["changeType"].as_str().unwrap())
            .collect();
        assert_eq!(ops, ["ADD", "REMOVE"]);
        let docs = transactions(&urn, &["DOCUMENTATION".into()], &history, false, None, None);
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0]["changeEvents"][0]["category"], "DOCUMENTATION");
        let later = transactions(&urn, &cats, &history, false, Some(15), None);
        assert_eq!(later.len(), 1);
        assert_eq!(later[0]["semVer"], "0.2.0-computed");
    }

    #[test]
    fn a_schema_fields_tags_target_the_field() {
        let urn = Urn::parse("urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD)").unwrap();
        let history = vec![version(
            "editableSchemaMetadata",
            1,
            10,
            json!({"editableSchemaFieldInfo": [{"fieldPath": "email", "globalTags": {"tags": [{"tag": "urn:li:tag:pii"}]}}]}),
        )];
        let out = transactions(&urn, &["TAG".into()], &history, false, None, None);
        let event = &out[0]["changeEvents"][0];
        assert_eq!(event["modifier"], "urn:li:tag:pii");
        assert_eq!(
            event["target"],
            "urn:li:schemaField:(urn:li:dataset:(urn:li:dataPlatform:hive,t,PROD),email)"
        );
    }

    #[test]
    fn unknown_category_names_the_valid_ones() {
        let e = categories(Some(&"TAG,NOPE".to_string())).unwrap_err();
        assert!(e.message.contains("NOPE is not one of TAG, OWNERSHIP"));
    }
}
