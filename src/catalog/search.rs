//! Search: what an entity is found by (its index row, rebuilt by the write path inside the
//! write's transaction whenever an aspect it is made from changes), and the one search
//! interface the front doors ask (words, filters, facets → a ranked page of entities, the
//! total and exact facet counts). The two engines (SQLite FTS5, PostgreSQL `tsvector`) are in
//! `store::search`.
//!
//! Words are split and folded here, for both the index and the query: a word is a run of
//! letters and digits (`customer_churn-v2` is `customer`, `churn`, `v2`), lower-cased with
//! Unicode's rules. Anything else in a query (quotes, `*`, `:`, parentheses, `-`, `NEAR`'s
//! syntax) separates words and is otherwise ignored, so no query reaches an engine's syntax.

use std::collections::HashMap;

use sea_orm::{ConnectionTrait, TransactionTrait};
use serde_json::Value;

use super::records::{EntityId, EntityRecord};
use super::text::refuse_nul;
use super::{Catalog, Error, Result};
use crate::store::search::{self as index, Compare, Document, Predicate};
use crate::store::{aspect, entity, CHUNK};
use crate::urn::{EntityKind, Urn};

/// The longest query text, in characters.
pub const MAX_SEARCH_QUERY_CHARS: usize = 1_000;

/// The aspects an entity's index row is made from: a write that changes one of them rebuilds
/// the row.
pub const INDEXED_ASPECTS: [&str; 28] = [
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

/// The words of a text: runs of letters and digits, lower-cased.
pub fn words(text: &str) -> impl Iterator<Item = String> + '_ {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
}

/// A field search results can be filtered and faceted on, named as DataHub names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SearchField {
    /// `_entityType`: the entity type, as spelled in URNs (`mlModel`).
    EntityType,
    /// `platform`: the platform URN.
    Platform,
    /// `origin` (also `env`): the environment (`PROD`).
    Origin,
    /// `tags`: tag URNs.
    Tags,
    /// `glossaryTerms`: glossary term URNs.
    GlossaryTerms,
    /// `owners`: owner URNs (users and groups).
    Owners,
    /// `domains`: domain URNs.
    Domains,
    /// `removed`: `true` for soft-deleted entities; filters only.
    Removed,
}

impl SearchField {
    /// The fields facets are counted on.
    pub const FACETED: [SearchField; 7] = [
        SearchField::EntityType,
        SearchField::Platform,
        SearchField::Origin,
        SearchField::Tags,
        SearchField::GlossaryTerms,
        SearchField::Owners,
        SearchField::Domains,
    ];

    /// The field of a DataHub filter field name; `None` for a field mlcat does not filter on.
    pub fn parse(name: &str) -> Option<SearchField> {
        Some(match name {
            "_entityType" | "entityType" => SearchField::EntityType,
            "platform" => SearchField::Platform,
            "origin" | "env" => SearchField::Origin,
            "tags" => SearchField::Tags,
            "glossaryTerms" => SearchField::GlossaryTerms,
            "owners" => SearchField::Owners,
            "domains" => SearchField::Domains,
            "removed" => SearchField::Removed,
            _ => return None,
        })
    }

    /// DataHub's name of the field.
    pub fn as_str(self) -> &'static str {
        match self {
            SearchField::EntityType => "_entityType",
            SearchField::Platform => "platform",
            SearchField::Origin => "origin",
            SearchField::Tags => "tags",
            SearchField::GlossaryTerms => "glossaryTerms",
            SearchField::Owners => "owners",
            SearchField::Domains => "domains",
            SearchField::Removed => "removed",
        }
    }

    /// The name to show for the field.
    pub fn display_name(self) -> &'static str {
        match self {
            SearchField::EntityType => "Type",
            SearchField::Platform => "Platform",
            SearchField::Origin => "Environment",
            SearchField::Tags => "Tags",
            SearchField::GlossaryTerms => "Glossary Terms",
            SearchField::Owners => "Owners",
            SearchField::Domains => "Domain",
            SearchField::Removed => "Soft Deleted",
        }
    }

    /// The names of the filter fields, for error messages.
    pub const NAMES: &'static str =
        "_entityType, platform, origin (or env), tags, glossaryTerms, owners, domains, removed";
}

/// How a filter compares a field's values with its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Condition {
    /// The field has one of the values.
    Equal,
    /// The field has one of the values (the same as `Equal` with several values).
    In,
    /// A value of the field holds one of the values.
    Contain,
    /// A value of the field starts with one of the values.
    StartWith,
    /// A value of the field ends with one of the values.
    EndWith,
    /// The field has a value at all.
    Exists,
}

/// One condition on a field.
#[derive(Clone, Debug)]
pub struct FieldFilter {
    pub field: SearchField,
    pub condition: Condition,
    pub values: Vec<String>,
    pub negated: bool,
}

/// A search.
#[derive(Clone, Debug, Default)]
pub struct SearchRequest {
    /// What a person typed; empty or `*` for every entity.
    pub query: String,
    /// Entity types to search; empty for all.
    pub kinds: Vec<EntityKind>,
    /// Any one of these lists of conditions, all of each; empty for no filter.
    pub any_of: Vec<Vec<FieldFilter>>,
    /// The fields to count facets on.
    pub facets: Vec<SearchField>,
    /// `Some(true)` by name A to Z, `Some(false)` Z to A; `None` best first.
    pub by_name: Option<bool>,
    /// Soft-deleted entities too (as when a filter names `removed`).
    pub include_removed: bool,
    /// Only these entities, when set (a lineage search: the entities a walk reached): list `i`
    /// restricts `any_of[i]`, so each list of conditions can have its own; a single list when
    /// `any_of` is empty.
    pub within: Option<Vec<Vec<EntityId>>>,
    pub start: u64,
    pub count: u64,
}

/// One entity a search found.
#[derive(Clone, Debug)]
pub struct SearchHit {
    pub entity: EntityRecord,
    /// Whether the query's words are in the entity's name (rather than elsewhere).
    pub name_matched: bool,
}

/// The values of one facet field among all the entities a search matches.
#[derive(Clone, Debug)]
pub struct Facet {
    pub field: SearchField,
    /// `(value, how many entities have it)`, most frequent first.
    pub values: Vec<(String, u64)>,
}

/// One page of a search.
#[derive(Clone, Debug)]
pub struct SearchPage {
    pub hits: Vec<SearchHit>,
    /// How many entities match in all.
    pub total: u64,
    pub facets: Vec<Facet>,
}

/// The facet value of a filter value: a platform name becomes its URN, an entity type is spelled
/// as in URNs whatever its case.
fn stored_value(field: SearchField, value: &str) -> String {
    match field {
        SearchField::Platform if !value.starts_with("urn:li:dataPlatform:") => {
            format!("urn:li:dataPlatform:{value}")
        }
        SearchField::EntityType => {
            let folded: String = value
                .chars()
                .filter(|c| *c != '_')
                .flat_map(char::to_lowercase)
                .collect();
            KINDS
                .iter()
                .find(|k| k.as_str().to_lowercase() == folded)
                .map_or_else(|| value.to_string(), |k| k.as_str().to_string())
        }
        _ => value.to_string(),
    }
}

/// The entity types the index knows by name.
const KINDS: [EntityKind; 15] = [
    EntityKind::Dataset,
    EntityKind::DataPlatform,
    EntityKind::MlFeature,
    EntityKind::MlFeatureTable,
    EntityKind::MlPrimaryKey,
    EntityKind::MlModel,
    EntityKind::MlModelGroup,
    EntityKind::MlModelDeployment,
    EntityKind::Tag,
    EntityKind::GlossaryTerm,
    EntityKind::GlossaryNode,
    EntityKind::Domain,
    EntityKind::CorpUser,
    EntityKind::CorpGroup,
    EntityKind::OwnershipType,
];

/// A filter as the store runs it; refuses what cannot be run, naming it.
fn predicate(at: &str, f: &FieldFilter) -> Result<Predicate> {
    for v in &f.values {
        refuse_nul(&format!("{at}.values"), v)?;
    }
    if f.condition != Condition::Exists && f.values.is_empty() {
        return Err(Error::Invalid {
            field: format!("{at}.values"),
            message: format!(
                "{at}.values: a filter on {} with this condition needs at least one value",
                f.field.as_str()
            ),
        });
    }
    if f.field == SearchField::Removed {
        let mut flags = Vec::new();
        for v in &f.values {
            flags.push(match v.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(Error::Invalid {
                        field: format!("{at}.values"),
                        message: format!("{at}: removed is true or false, not {v:?}"),
                    })
                }
            });
        }
        return Ok(match f.condition {
            Condition::Equal | Condition::In => Predicate::Removed(flags, f.negated),
            // Every entity has the flag.
            Condition::Exists => Predicate::Removed(vec![true, false], f.negated),
            other => {
                return Err(Error::Invalid {
                    field: format!("{at}.condition"),
                    message: format!(
                        "{at}: condition {other:?} does not apply to removed; use EQUAL"
                    ),
                })
            }
        });
    }
    let values: Vec<String> = f.values.iter().map(|v| stored_value(f.field, v)).collect();
    let compare = match f.condition {
        Condition::Equal | Condition::In => Compare::In(values),
        Condition::Contain => Compare::Contain(f.values.clone()),
        Condition::StartWith => Compare::StartWith(f.values.clone()),
        Condition::EndWith => Compare::EndWith(f.values.clone()),
        Condition::Exists => Compare::Exists,
    };
    Ok(Predicate::Facet {
        field: f.field.as_str(),
        compare,
        negated: f.negated,
    })
}

impl Catalog {
    /// One page of the entities a search matches, best first, how many match in all, and the
    /// counts of the asked facets among all of them. Soft-deleted entities are left out unless
    /// a filter names `removed`.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage> {
        refuse_nul("query", &request.query)?;
        super::text::refuse_longer("query", &request.query, MAX_SEARCH_QUERY_CHARS)?;
        let trimmed = request.query.trim();
        let words: Vec<String> = words(trimmed).collect();
        let phrase = trimmed.to_lowercase();
        let mut any_of = Vec::with_capacity(request.any_of.len());
        let mut with_removed = request.include_removed;
        for (i, all) in request.any_of.iter().enumerate() {
            let mut preds = Vec::with_capacity(all.len());
            for (j, f) in all.iter().enumerate() {
                with_removed |= f.field == SearchField::Removed;
                preds.push(predicate(&format!("orFilters[{i}].and[{j}]"), f)?);
            }
            any_of.push(preds);
        }
        let kinds: Vec<&str> = request.kinds.iter().map(EntityKind::as_str).collect();
        let within: Option<Vec<Vec<i64>>> = request.within.as_ref().map(|lists| {
            lists
                .iter()
                .map(|l| l.iter().map(|id| id.0).collect())
                .collect()
        });
        if let Some(lists) = &within {
            if lists.len() != any_of.len().max(1) {
                return Err(Error::Internal(anyhow::anyhow!(
                    "a search restricted by {} lists of entities has {} lists of conditions",
                    lists.len(),
                    any_of.len()
                )));
            }
        }
        let query = index::Query {
            words: (!words.is_empty()).then_some(words.as_slice()),
            phrase: &phrase,
            kinds: &kinds,
            any_of: &any_of,
            with_removed,
            by_name: request.by_name,
            within: within.as_deref(),
        };
        let (hits, total) = index::search(&self.db, &query, request.start, request.count).await?;
        let fields: Vec<&'static str> = request.facets.iter().map(|f| f.as_str()).collect();
        let mut facets: Vec<Facet> = request
            .facets
            .iter()
            .map(|&field| Facet {
                field,
                values: Vec::new(),
            })
            .collect();
        for (field, value, count) in index::facets(&self.db, &query, &fields).await? {
            if let Some(facet) = facets.iter_mut().find(|f| f.field.as_str() == field) {
                facet.values.push((value, count.max(0) as u64));
            }
        }
        Ok(SearchPage {
            hits: hits
                .into_iter()
                .map(|h| SearchHit {
                    name_matched: h.class < 3,
                    entity: EntityRecord::from(h.entity),
                })
                .collect(),
            total,
            facets,
        })
    }

    /// Writes the index rows of entities written before the index existed (a catalog made by
    /// an older mlcat), in batches; answers how many. Run at start-up, after the migrations.
    pub async fn index_missing(&self) -> Result<u64> {
        let mut done = 0;
        loop {
            let rows = index::unindexed(&self.db, CHUNK as u64).await?;
            if rows.is_empty() {
                return Ok(done);
            }
            done += rows.len() as u64;
            let refs: Vec<&entity::Model> = rows.iter().collect();
            let txn = self.db.begin().await?;
            reindex(&txn, &refs).await?;
            txn.commit().await?;
        }
    }
}

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
        for row in chunk {
            docs.push(document(
                row,
                values.get(&row.id).map_or(&[][..], Vec::as_slice),
            ));
        }
    }
    Ok(index::replace(db, &docs).await?)
}

/// What an entity is found by: the words of its name (the URN's name, and a `name` or
/// `displayName` of its properties), the words of the rest (URN parts, the description a
/// person edited or else the ingested one, custom property values, a feature's data type, the
/// ids of its tags, terms, owners and domains), and its facet values.
fn document(row: &entity::Model, aspects: &[(String, Value)]) -> Document {
    let mut name: Vec<String> = words(&row.name).collect();
    let mut body: Vec<String> = Vec::new();
    let mut facets: Vec<(&'static str, String)> = Vec::new();
    facets.push((SearchField::EntityType.as_str(), row.entity_type.clone()));
    if let Some(platform) = &row.platform {
        facets.push((
            SearchField::Platform.as_str(),
            format!("urn:li:dataPlatform:{platform}"),
        ));
        body.extend(words(platform));
    }
    if let Some(env) = &row.env {
        facets.push((SearchField::Origin.as_str(), env.clone()));
        body.extend(words(env));
    }
    if let Some(namespace) = &row.namespace {
        body.extend(words(namespace));
    }
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).map(str::to_string);
    let mut ingested: Option<String> = None;
    let mut edited: Option<String> = None;
    let mut urn_ids = |field: SearchField, urns: Vec<String>, body: &mut Vec<String>| {
        for u in urns {
            if let Ok(parsed) = Urn::parse(&u) {
                body.extend(words(parsed.name()));
            }
            facets.push((field.as_str(), u));
        }
    };
    let list = |v: &Value, key: &str, inner: Option<&str>| -> Vec<String> {
        v.get(key)
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|i| match inner {
                        Some(k) => i.get(k).and_then(Value::as_str),
                        None => i.as_str(),
                    })
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    for (aspect, value) in aspects {
        match aspect.as_str() {
            "globalTags" => urn_ids(
                SearchField::Tags,
                list(value, "tags", Some("tag")),
                &mut body,
            ),
            "glossaryTerms" => urn_ids(
                SearchField::GlossaryTerms,
                list(value, "terms", Some("urn")),
                &mut body,
            ),
            "ownership" => urn_ids(
                SearchField::Owners,
                list(value, "owners", Some("owner")),
                &mut body,
            ),
            "domains" => urn_ids(
                SearchField::Domains,
                list(value, "domains", None),
                &mut body,
            ),
            "status" => {}
            a if a.starts_with("editable") || a == "corpUserEditableInfo" => {
                if let Some(d) = text(value, "description").filter(|d| !d.is_empty()) {
                    edited = Some(d);
                }
                if let Some(n) = text(value, "displayName") {
                    name.extend(words(&n));
                }
            }
            _ => {
                if let Some(d) = text(value, "description") {
                    ingested = Some(d);
                }
                for key in ["name", "displayName", "fullName"] {
                    if let Some(n) = text(value, key) {
                        name.extend(words(&n));
                    }
                }
                for key in ["dataType", "type", "title", "email"] {
                    if let Some(t) = text(value, key) {
                        body.extend(words(&t));
                    }
                }
                if let Some(props) = value.get("customProperties").and_then(Value::as_object) {
                    for v in props.values().filter_map(Value::as_str) {
                        body.extend(words(v));
                    }
                }
            }
        }
    }
    if let Some(d) = edited.or(ingested) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_are_letters_and_digits_folded() {
        let got: Vec<String> = words("Customer_Churn-v2 \"NEAR\"(x:*) ÄRGER").collect();
        assert_eq!(
            got,
            ["customer", "churn", "v2", "near", "x", "ärger"].map(String::from)
        );
    }

    #[test]
    fn entity_types_are_found_whatever_their_spelling() {
        assert_eq!(
            stored_value(SearchField::EntityType, "MLMODEL_GROUP"),
            "mlModelGroup"
        );
        assert_eq!(stored_value(SearchField::EntityType, "mlModel"), "mlModel");
        assert_eq!(
            stored_value(SearchField::Platform, "feast"),
            "urn:li:dataPlatform:feast"
        );
    }
}
