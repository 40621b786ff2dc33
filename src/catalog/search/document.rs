//! What an entity is found by: its index row (words, name, facet values), made from its latest
//! aspects and rebuilt by the write path inside the write's transaction.

use std::collections::HashMap;

use sea_orm::ConnectionTrait;
use serde_json::Value;

use super::{words, SearchField};
use crate::catalog::Result;
use crate::store::search::{self as index, Document, EntityFacet};
use crate::store::{aspect, entity, CHUNK};
use crate::urn::Urn;

/// The aspects an entity's index row is made from: a write that changes one of them rebuilds
/// the row.
pub const INDEXED_ASPECTS: [&str; 29] = [
    "mlFeatureProperties",
    "mlPrimaryKeyProperties",
    "mlFeatureTableProperties",
    "mlModelProperties",
    "mlModelGroupProperties",
    "datasetProperties",
    "mlModelDeploymentProperties",
    "dataPlatformInfo",
    "editableMlFeatureProperties",
    "editableMlFeatureTableProperties",
    "editableMlModelProperties",
    "editableMlModelGroupProperties",
    "editableMlPrimaryKeyProperties",
    "editableDatasetProperties",
    "editableMlModelDeploymentProperties",
    "globalTags",
    "glossaryTerms",
    "ownership",
    "domains",
    "status",
    "deprecation",
    "tagProperties",
    "glossaryTermInfo",
    "glossaryNodeInfo",
    "domainProperties",
    "corpUserInfo",
    "corpUserEditableInfo",
    "corpGroupInfo",
    "ownershipTypeInfo",
];

/// Whether a write of `aspect` changes what its entity is found by.
pub fn is_indexed(aspect: &str) -> bool {
    INDEXED_ASPECTS.contains(&aspect)
}

/// The fields of a properties aspect that name its entity.
const NAME_KEYS: [&str; 3] = ["name", "displayName", "fullName"];
/// The fields of a properties aspect whose words it is found by, besides its description.
const TEXT_KEYS: [&str; 4] = ["dataType", "type", "title", "email"];
/// The fields of an edited-properties aspect that its entity is found by.
const EDITED_KEYS: [&str; 2] = ["description", "displayName"];

/// Whether an indexed aspect going from `old` to `new` changes what [`document`] reads of it.
/// A change only in fields it does not read (a properties aspect's `lastModified` stamp, which
/// every MLflow version creation moves on its registered model) leaves the index row as it
/// is. Tags, terms, owners, domains and status are taken as changed whenever they change.
pub fn changes_document(aspect: &str, old: Option<&Value>, new: Option<&Value>) -> bool {
    let (Some(old), Some(new)) = (old, new) else {
        return true;
    };
    let read = |keys: &[&str]| keys.iter().any(|k| old.get(k) != new.get(k));
    match aspect {
        "globalTags" | "glossaryTerms" | "ownership" | "domains" | "status" => true,
        "deprecation" => read(&["deprecated"]),
        a if is_edited(a) => read(&EDITED_KEYS),
        _ => read(&NAME_KEYS) || read(&TEXT_KEYS) || read(&["description", "customProperties"]),
    }
}

/// Whether `aspect` holds what a person edited in the UI.
fn is_edited(aspect: &str) -> bool {
    aspect.starts_with("editable") || aspect == "corpUserEditableInfo"
}

/// The aspects that name a tag, glossary term, domain, user or group: a write of one of them
/// changes the words of every entity carrying it, so the write path reindexes the carriers.
pub const NAMING_ASPECTS: [&str; 6] = [
    "tagProperties",
    "glossaryTermInfo",
    "domainProperties",
    "corpUserInfo",
    "corpUserEditableInfo",
    "corpGroupInfo",
];

/// The facet fields whose values are URNs of named entities.
const NAMED_FIELDS: [&str; 4] = ["tags", "glossaryTerms", "owners", "domains"];

/// Rebuilds the index rows of `rows` from their latest aspects: called by the write path inside
/// the write's transaction, after the batch's versions are stored.
pub(crate) async fn reindex(db: &impl ConnectionTrait, rows: &[&entity::Model]) -> Result<()> {
    let mut docs = Vec::with_capacity(rows.len());
    // One read per CHUNK entities: the statement lists the ids and the aspect names once each.
    for chunk in rows.chunks(CHUNK) {
        let pairs: Vec<(i64, &str)> = chunk
            .iter()
            .flat_map(|r| INDEXED_ASPECTS.iter().map(move |a| (r.id, *a)))
            .collect();
        let mut values: HashMap<i64, Vec<(String, Value)>> = HashMap::new();
        for v in aspect::latest_values(db, &pairs).await? {
            let value = serde_json::from_str(&v.value).map_err(|e| anyhow::anyhow!(e))?;
            values.entry(v.entity_id).or_default().push((v.name, value));
        }
        let names = names_of(db, &values).await?;
        for row in chunk {
            docs.push(document(
                row,
                values.get(&row.id).map_or(&[][..], Vec::as_slice),
                &names,
            ));
        }
    }
    Ok(index::replace(db, &docs).await?)
}

/// The names (tag name, term name, domain name, a person's or group's display name) of the
/// tags, terms, owners and domains the aspects point at, by URN: two statements.
async fn names_of(
    db: &impl ConnectionTrait,
    values: &HashMap<i64, Vec<(String, Value)>>,
) -> Result<HashMap<String, String>> {
    let mut urns: Vec<&str> = values
        .values()
        .flatten()
        .flat_map(|(aspect, value)| governance_urns(aspect, value))
        .collect();
    urns.sort_unstable();
    urns.dedup();
    let mut names = HashMap::new();
    if urns.is_empty() {
        return Ok(names);
    }
    let mut by_id: HashMap<i64, String> = HashMap::new();
    for chunk in urns.chunks(CHUNK) {
        for row in entity::by_urns(db, chunk).await? {
            by_id.insert(row.id, row.urn);
        }
    }
    let ids: Vec<i64> = by_id.keys().copied().collect();
    for chunk in ids.chunks(CHUNK / NAMING_ASPECTS.len()) {
        let pairs: Vec<(i64, &str)> = chunk
            .iter()
            .flat_map(|id| NAMING_ASPECTS.iter().map(move |a| (*id, *a)))
            .collect();
        for v in aspect::latest_values(db, &pairs).await? {
            let Some(urn) = by_id.get(&v.entity_id) else {
                continue;
            };
            if !NAMING_ASPECTS.contains(&v.name.as_str()) {
                continue;
            }
            let value: Value = serde_json::from_str(&v.value).map_err(|e| anyhow::anyhow!(e))?;
            for key in ["name", "displayName", "fullName"] {
                if let Some(n) = value.get(key).and_then(Value::as_str) {
                    let entry: &mut String = names.entry(urn.clone()).or_default();
                    entry.push(' ');
                    entry.push_str(n);
                }
            }
        }
    }
    Ok(names)
}

/// The URNs of the tags, terms, owners and domains an aspect value points at.
fn governance_urns<'a>(aspect: &str, value: &'a Value) -> Vec<&'a str> {
    let (key, inner) = match aspect {
        "globalTags" => ("tags", Some("tag")),
        "glossaryTerms" => ("terms", Some("urn")),
        "ownership" => ("owners", Some("owner")),
        "domains" => ("domains", None),
        _ => return Vec::new(),
    };
    value
        .get(key)
        .and_then(Value::as_array)
        .map(|items| {
            items
                .iter()
                .filter_map(|i| match inner {
                    Some(k) => i.get(k).and_then(Value::as_str),
                    None => i.as_str(),
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Rebuilds the index rows of the entities carrying one of `renamed` (tags, terms, domains,
/// users, groups whose name changed) as a tag, term, owner or domain, except those in `done`:
/// called by the write path inside the write's transaction, so the new name finds them the
/// moment the rename commits. The carriers are found through the index's own facet rows (one
/// statement per chunk of names) and rebuilt CHUNK at a time, so memory stays bounded however
/// many carry a popular tag; the time grows with their number, as a rename is rare.
pub(crate) async fn reindex_carriers(
    db: &impl ConnectionTrait,
    renamed: &[&str],
    done: &[i64],
) -> Result<()> {
    if renamed.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = index::carriers(db, &NAMED_FIELDS, renamed)
        .await?
        .into_iter()
        .filter(|id| done.binary_search(id).is_err())
        .collect();
    for chunk in ids.chunks(CHUNK) {
        let mut rows = entity::by_ids(db, chunk).await?;
        rows.sort_unstable_by_key(|r| r.id);
        let refs: Vec<&entity::Model> = rows.iter().collect();
        reindex(db, &refs).await?;
    }
    Ok(())
}

/// What an entity is found by: the words of its name (the URN's name, and a `name` or
/// `displayName` of its properties), the words of the rest (URN parts, the description a
/// person edited or else the ingested one, custom property values, a feature's data type, the
/// ids and names of its tags, terms, owners and domains), and its facet values (among them
/// `hasDescription`, `deprecated` and `customProperties` as `key=value`).
fn document(
    row: &entity::Model,
    aspects: &[(String, Value)],
    names: &HashMap<String, String>,
) -> Document {
    let mut name: Vec<String> = words(&row.name).collect();
    let mut body: Vec<String> = Vec::new();
    let mut facets: Vec<(&'static str, String)> = Vec::new();
    // The facets the entity row holds, written as the facet count reads them from the row.
    for (field, facet) in [
        (SearchField::EntityType, EntityFacet::Type),
        (SearchField::Platform, EntityFacet::Platform),
        (SearchField::Origin, EntityFacet::Env),
    ] {
        if let Some(value) = facet.value(row) {
            facets.push((field.as_str(), value));
        }
    }
    if let Some(platform) = &row.platform {
        body.extend(words(platform));
    }
    if let Some(env) = &row.env {
        body.extend(words(env));
    }
    if let Some(namespace) = &row.namespace {
        body.extend(words(namespace));
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let mut ingested: Option<String> = None;
    let mut edited: Option<String> = None;
    let mut deprecated = false;
    let urn_ids = |field: SearchField,
                   urns: Vec<&str>,
                   body: &mut Vec<String>,
                   facets: &mut Vec<(&'static str, String)>| {
        for u in urns {
            if let Ok(parsed) = Urn::parse(u) {
                body.extend(words(parsed.name()));
            }
            if let Some(n) = names.get(u) {
                body.extend(words(n));
            }
            facets.push((field.as_str(), u.to_string()));
        }
    };
    for (aspect, value) in aspects {
        match aspect.as_str() {
            "globalTags" => urn_ids(
                SearchField::Tags,
                governance_urns(aspect, value),
                &mut body,
                &mut facets,
            ),
            "glossaryTerms" => urn_ids(
                SearchField::GlossaryTerms,
                governance_urns(aspect, value),
                &mut body,
                &mut facets,
            ),
            "ownership" => urn_ids(
                SearchField::Owners,
                governance_urns(aspect, value),
                &mut body,
                &mut facets,
            ),
            "domains" => urn_ids(
                SearchField::Domains,
                governance_urns(aspect, value),
                &mut body,
                &mut facets,
            ),
            "status" => {}
            "deprecation" => {
                deprecated = value
                    .get("deprecated")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
            }
            a if is_edited(a) => {
                let [description, display] = EDITED_KEYS;
                if let Some(d) = text(value, description).filter(|d| !d.is_empty()) {
                    edited = Some(d);
                }
                if let Some(n) = text(value, display) {
                    name.extend(words(&n));
                }
            }
            _ => {
                if let Some(d) = text(value, "description") {
                    ingested = Some(d);
                }
                for key in NAME_KEYS {
                    if let Some(n) = text(value, key) {
                        name.extend(words(&n));
                    }
                }
                for key in TEXT_KEYS {
                    if let Some(t) = text(value, key) {
                        body.extend(words(&t));
                    }
                }
                if let Some(props) = value.get("customProperties").and_then(Value::as_object) {
                    for (k, v) in props {
                        if let Some(v) = v.as_str() {
                            body.extend(words(v));
                            // PostgreSQL cannot store a NUL in text; a filter value cannot
                            // hold one either, so such a pair could never be asked for.
                            if !k.contains('\0') && !v.contains('\0') {
                                facets.push((
                                    SearchField::CustomProperties.as_str(),
                                    format!("{k}={v}"),
                                ));
                            }
                        }
                    }
                }
            }
        }
    }
    let description = edited.or(ingested).filter(|d| !d.trim().is_empty());
    facets.push((
        SearchField::HasDescription.as_str(),
        description.is_some().to_string(),
    ));
    facets.push((SearchField::Deprecated.as_str(), deprecated.to_string()));
    if let Some(d) = description {
        body.extend(words(&d));
    }
    name.dedup();
    facets.sort();
    facets.dedup();
    Document {
        entity_id: row.id,
        name: name.join(" "),
        body: body.join(" "),
        facets,
    }
}
