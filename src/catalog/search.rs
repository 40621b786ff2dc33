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
use crate::store::search::{
    self as index, After, Bound, Compare, Document, Order, Predicate, TimeColumn,
};
use crate::store::{aspect, entity, CHUNK};
use crate::urn::{EntityKind, Urn};

/// The longest query text, in characters.
pub const MAX_SEARCH_QUERY_CHARS: usize = 1_000;

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
    /// `deprecated`: `true` when its `deprecation` aspect says so, else `false`.
    Deprecated,
    /// `hasDescription`: `true` when it has a description (ingested or edited), else `false`.
    HasDescription,
    /// `customProperties`: `key=value` of each custom property.
    CustomProperties,
    /// `urn`: the entity's URN; filters only.
    Urn,
    /// `lastModifiedAt`: when an aspect of it was last written (milliseconds since the
    /// epoch); filters and sorts only.
    LastModifiedAt,
    /// `createdAt`: when the catalog first saw its URN (milliseconds since the epoch);
    /// filters and sorts only.
    CreatedAt,
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

    /// The fields a facet can be counted on (`aggregateAcrossEntities` asks for any of them).
    pub const FACETABLE: [SearchField; 10] = [
        SearchField::EntityType,
        SearchField::Platform,
        SearchField::Origin,
        SearchField::Tags,
        SearchField::GlossaryTerms,
        SearchField::Owners,
        SearchField::Domains,
        SearchField::Deprecated,
        SearchField::HasDescription,
        SearchField::CustomProperties,
    ];

    /// The field of a DataHub filter field name (DataHub's `.keyword` suffix, which names the
    /// same field's exact values, is accepted); `None` for a field mlcat does not filter on.
    pub fn parse(name: &str) -> Option<SearchField> {
        let name = name.strip_suffix(".keyword").unwrap_or(name);
        Some(match name {
            "_entityType" | "entityType" => SearchField::EntityType,
            "platform" => SearchField::Platform,
            "origin" | "env" => SearchField::Origin,
            "tags" => SearchField::Tags,
            "glossaryTerms" => SearchField::GlossaryTerms,
            "owners" => SearchField::Owners,
            "domains" => SearchField::Domains,
            "removed" => SearchField::Removed,
            "deprecated" => SearchField::Deprecated,
            "hasDescription" => SearchField::HasDescription,
            "customProperties" => SearchField::CustomProperties,
            "urn" => SearchField::Urn,
            "lastModifiedAt" => SearchField::LastModifiedAt,
            "createdAt" => SearchField::CreatedAt,
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
            SearchField::Deprecated => "deprecated",
            SearchField::HasDescription => "hasDescription",
            SearchField::CustomProperties => "customProperties",
            SearchField::Urn => "urn",
            SearchField::LastModifiedAt => "lastModifiedAt",
            SearchField::CreatedAt => "createdAt",
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
            SearchField::Deprecated => "Deprecated",
            SearchField::HasDescription => "Has Description",
            SearchField::CustomProperties => "Custom Properties",
            SearchField::Urn => "URN",
            SearchField::LastModifiedAt => "Last Modified",
            SearchField::CreatedAt => "Created",
        }
    }

    /// Whether the field holds `true` or `false`.
    fn is_flag(self) -> bool {
        matches!(
            self,
            SearchField::Removed | SearchField::Deprecated | SearchField::HasDescription
        )
    }

    /// The names of the filter fields, for error messages.
    pub const NAMES: &'static str = "_entityType, platform, origin (or env), tags, \
        glossaryTerms, owners, domains, removed, deprecated, hasDescription, customProperties \
        (key=value), urn, lastModifiedAt, createdAt";

    /// The names of the facet fields, for error messages.
    pub const FACET_NAMES: &'static str = "_entityType, platform, origin, tags, glossaryTerms, \
        owners, domains, deprecated, hasDescription, customProperties";
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
    /// The field is greater than the value (times only).
    GreaterThan,
    /// The field is greater than or equal to the value (times only).
    GreaterThanOrEqualTo,
    /// The field is less than the value (times only).
    LessThan,
    /// The field is less than or equal to the value (times only).
    LessThanOrEqualTo,
}

impl Condition {
    /// DataHub's name of the condition (`GREATER_THAN`).
    pub fn as_str(self) -> &'static str {
        match self {
            Condition::Equal => "EQUAL",
            Condition::In => "IN",
            Condition::Contain => "CONTAIN",
            Condition::StartWith => "START_WITH",
            Condition::EndWith => "END_WITH",
            Condition::Exists => "EXISTS",
            Condition::GreaterThan => "GREATER_THAN",
            Condition::GreaterThanOrEqualTo => "GREATER_THAN_OR_EQUAL_TO",
            Condition::LessThan => "LESS_THAN",
            Condition::LessThanOrEqualTo => "LESS_THAN_OR_EQUAL_TO",
        }
    }
}

/// What results can be sorted by.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum SortKey {
    /// The name, case-folded.
    Name,
    /// When an aspect was last written.
    LastModified,
    /// When the catalog first saw the URN.
    Created,
}

/// An order of results other than best first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub ascending: bool,
}

/// Where a scroll goes on: after the entity with this sort value and URN. Made by the catalog
/// from the last entity of a page ([`ScrollPage::next`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Cursor {
    /// The folded name and URN of the last entity seen.
    Name(String, String),
    /// The creation time and URN of the last entity seen.
    Created(i64, String),
}

/// One page of a scroll.
#[derive(Clone, Debug)]
pub struct ScrollPage {
    pub page: SearchPage,
    /// Where the next page starts; `None` after the last page.
    pub next: Option<Cursor>,
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
    /// The order of the results; `None` best first.
    pub sort: Option<Sort>,
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
    let refuse = |what: &str| Error::Invalid {
        field: format!("{at}.condition"),
        message: format!(
            "{at}: condition {} does not apply to {}; use {what}",
            f.condition.as_str(),
            f.field.as_str()
        ),
    };
    let ordered = matches!(
        f.condition,
        Condition::GreaterThan
            | Condition::GreaterThanOrEqualTo
            | Condition::LessThan
            | Condition::LessThanOrEqualTo
    );
    if let SearchField::LastModifiedAt | SearchField::CreatedAt = f.field {
        let mut times = Vec::with_capacity(f.values.len());
        for v in &f.values {
            times.push(v.trim().parse::<i64>().map_err(|_| Error::Invalid {
                field: format!("{at}.values"),
                message: format!(
                    "{at}: {} is a time in milliseconds since the epoch, not {v:?}",
                    f.field.as_str()
                ),
            })?);
        }
        if ordered && times.len() != 1 {
            return Err(Error::Invalid {
                field: format!("{at}.values"),
                message: format!(
                    "{at}: {} compares with exactly one value",
                    f.condition.as_str()
                ),
            });
        }
        let one = times.first().copied().unwrap_or_default();
        let compare = match f.condition {
            Condition::Equal | Condition::In => Bound::In(times),
            Condition::GreaterThan => Bound::Above(one),
            Condition::GreaterThanOrEqualTo => Bound::AtLeast(one),
            Condition::LessThan => Bound::Below(one),
            Condition::LessThanOrEqualTo => Bound::AtMost(one),
            Condition::Exists => Bound::Exists,
            _ => {
                return Err(refuse(
                    "EQUAL, IN, GREATER_THAN(_OR_EQUAL_TO), LESS_THAN(_OR_EQUAL_TO) or EXISTS",
                ))
            }
        };
        let column = if f.field == SearchField::CreatedAt {
            TimeColumn::Created
        } else {
            TimeColumn::Modified
        };
        return Ok(Predicate::Time {
            column,
            compare,
            negated: f.negated,
        });
    }
    if ordered {
        return Err(refuse(
            "EQUAL, IN, CONTAIN, START_WITH, END_WITH or EXISTS (only lastModifiedAt and \
             createdAt are compared by order)",
        ));
    }
    if f.field.is_flag() {
        if !matches!(
            f.condition,
            Condition::Equal | Condition::In | Condition::Exists
        ) {
            return Err(refuse("EQUAL, IN or EXISTS"));
        }
        let mut flags = Vec::new();
        for v in &f.values {
            flags.push(match v.to_ascii_lowercase().as_str() {
                "true" => true,
                "false" => false,
                _ => {
                    return Err(Error::Invalid {
                        field: format!("{at}.values"),
                        message: format!("{at}: {} is true or false, not {v:?}", f.field.as_str()),
                    })
                }
            });
        }
        if f.condition == Condition::Exists {
            // Every entity has the flag.
            flags = vec![true, false];
        }
        return Ok(match f.field {
            SearchField::Removed => Predicate::Removed(flags, f.negated),
            field => Predicate::Facet {
                field: field.as_str(),
                compare: Compare::In(flags.iter().map(|b| b.to_string()).collect()),
                negated: f.negated,
            },
        });
    }
    let values: Vec<String> = f.values.iter().map(|v| stored_value(f.field, v)).collect();
    let compare = match f.condition {
        Condition::Equal | Condition::In => Compare::In(values),
        Condition::Contain => Compare::Contain(f.values.clone()),
        Condition::StartWith => Compare::StartWith(f.values.clone()),
        Condition::EndWith => Compare::EndWith(f.values.clone()),
        _ => Compare::Exists,
    };
    Ok(match f.field {
        SearchField::Urn => Predicate::Urn {
            compare,
            negated: f.negated,
        },
        field => Predicate::Facet {
            field: field.as_str(),
            compare,
            negated: f.negated,
        },
    })
}

/// The longest a scroll may stay open, in milliseconds (a day).
pub const MAX_KEEP_ALIVE_MS: i64 = 24 * 60 * 60 * 1000;

impl Catalog {
    /// One page of the entities a search matches, best first, how many match in all, and the
    /// counts of the asked facets among all of them. Soft-deleted entities are left out unless
    /// a filter names `removed`.
    pub async fn search(&self, request: &SearchRequest) -> Result<SearchPage> {
        Ok(self.run(request, None).await?.0)
    }

    /// One page of a scroll through the entities a search matches: `after` the entity a
    /// previous page ended with (from the start when `None`), and where the next page starts.
    ///
    /// Pages are keyset pages on a total order of keys that never change: the folded name (the
    /// URN's own name part) or the creation time, then the URN. So an entity that matches for
    /// the whole scroll is on exactly one page however others write meanwhile: its key is
    /// either before the cursor (seen already) or after it (still to come), and the cursor only
    /// moves forward. Best-first and last-modified orders are refused here: an edit moves an
    /// entity within them, which could show it twice or never.
    pub async fn scroll(
        &self,
        request: &SearchRequest,
        after: Option<&Cursor>,
    ) -> Result<ScrollPage> {
        let ascending = match request.sort {
            None => true,
            Some(Sort {
                key: SortKey::Name | SortKey::Created,
                ascending,
            }) => ascending,
            Some(Sort {
                key: SortKey::LastModified,
                ..
            }) => {
                return Err(Error::Invalid {
                    field: "input.sortInput".into(),
                    message: "input.sortInput: a scroll cannot sort by lastModifiedAt (an edit \
                              moves an entity in that order, so a scroll could show it twice); \
                              sort by name or createdAt, or use searchAcrossEntities"
                        .into(),
                })
            }
        };
        let key = request.sort.map_or(SortKey::Name, |s| s.key);
        match (key, after) {
            (_, None) | (SortKey::Name, Some(Cursor::Name(..))) => {}
            (SortKey::Created, Some(Cursor::Created(..))) => {}
            _ => {
                return Err(Error::Invalid {
                    field: "input.scrollId".into(),
                    message: "input.scrollId was issued for another order; start again \
                              without scrollId"
                        .into(),
                })
            }
        }
        let mut request = request.clone();
        request.sort = Some(Sort { key, ascending });
        // One more than asked, to know whether another page follows.
        let count = request.count;
        request.count = count.saturating_add(1);
        let after = after.map(|c| match c {
            Cursor::Name(name, urn) => After::Name(name.clone(), urn.clone()),
            Cursor::Created(at, urn) => After::Time(*at, urn.clone()),
        });
        let (mut page, mut keys) = self.run(&request, after.as_ref()).await?;
        let more = page.hits.len() as u64 > count;
        page.hits.truncate(count as usize);
        keys.truncate(count as usize);
        let next = match (more, keys.pop()) {
            (true, Some((name, created, urn))) => Some(match key {
                SortKey::Created => Cursor::Created(created, urn),
                _ => Cursor::Name(name, urn),
            }),
            _ => None,
        };
        Ok(ScrollPage { page, next })
    }

    /// Runs a search; answers the page and, for each hit, its folded name, creation time and
    /// URN (the keys a scroll goes on from).
    async fn run(
        &self,
        request: &SearchRequest,
        after: Option<&After>,
    ) -> Result<(SearchPage, Vec<(String, i64, String)>)> {
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
        let order = match request.sort {
            None => Order::Rank,
            Some(Sort { key, ascending }) => match key {
                SortKey::Name => Order::Name(ascending),
                SortKey::LastModified => Order::Modified(ascending),
                SortKey::Created => Order::Created(ascending),
            },
        };
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
            order,
            after,
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
        if !fields.is_empty() {
            // Facets count every match, wherever the page starts.
            for (field, value, count) in index::facets(&self.db, &query, &fields).await? {
                if let Some(facet) = facets.iter_mut().find(|f| f.field.as_str() == field) {
                    facet.values.push((value, count.max(0) as u64));
                }
            }
        }
        let keys = hits
            .iter()
            .map(|h| {
                (
                    h.entity.search_name.clone(),
                    h.entity.created_at,
                    h.entity.urn.clone(),
                )
            })
            .collect();
        let page = SearchPage {
            hits: hits
                .into_iter()
                .map(|h| SearchHit {
                    name_matched: h.class < 3,
                    entity: EntityRecord::from(h.entity),
                })
                .collect(),
            total,
            facets,
        };
        Ok((page, keys))
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
