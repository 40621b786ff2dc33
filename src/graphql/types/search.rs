//! DataHub's search shapes: `search`, `searchAcrossEntities`, `autoComplete` and
//! `autoCompleteForMultiple` (their inputs, filters and sorts), and `SearchResults` with its
//! results, matched fields and facets, which `Domain.entities` answers too. The search itself is
//! the catalog's (`Catalog::search`); this file translates DataHub's inputs to it and its page
//! back.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Result, SimpleObject};

use super::{DataPlatform, Entity};
use crate::catalog::{
    Catalog, Condition, Error, FieldFilter, SearchField, SearchPage, SearchRequest, Sort, SortKey,
};
use crate::config::Limits;
use crate::graphql::scalars::{EntityType, Long};
use crate::urn::{EntityKind, Urn};

/// One page of entities.
#[derive(SimpleObject)]
pub struct SearchResults {
    /// Index of the first result.
    pub start: i32,
    /// How many results this page holds.
    pub count: i32,
    /// How many entities match the query and filters in all.
    pub total: i32,
    /// The results: best match first (an exact name, then a name starting with the query, then
    /// a name holding its words, then the rest), or in the order the query asks.
    pub search_results: Vec<SearchResult>,
    /// Exact counts of the values of `_entityType`, `platform`, `origin`, `tags`,
    /// `glossaryTerms`, `owners` and `domains` among all the entities that match; empty when
    /// `searchFlags.skipAggregates` is set, and in `Domain.entities`.
    pub facets: Option<Vec<FacetMetadata>>,
}

/// One entity of a page of results.
#[derive(SimpleObject)]
pub struct SearchResult {
    /// The entity.
    pub entity: Entity,
    /// Why it matched: `name` when the query's words are in its name; empty when they are in
    /// other fields (mlcat does not yet say which), for every entity of a query without words
    /// (`*`), in a scroll, and in `Domain.entities`.
    pub matched_fields: Vec<MatchedField>,
    /// Extra properties DataHub's UI renders beside a result; always empty in mlcat.
    pub extra_properties: Option<Vec<ExtraProperty>>,
}

/// A property DataHub's UI renders beside a search result.
#[derive(SimpleObject)]
pub struct ExtraProperty {
    /// The property's name.
    pub name: String,
    /// The property's value.
    pub value: String,
}

/// A field of an entity that a query matched.
#[derive(SimpleObject)]
pub struct MatchedField {
    /// The field's name.
    pub name: String,
    /// The field's value.
    pub value: String,
    /// The entity the value names, when it is a URN; always null in mlcat (values are names).
    pub entity: Option<Entity>,
}

/// The values of one field among the entities that match, with how many have each.
#[derive(SimpleObject)]
pub struct FacetMetadata {
    /// The field, as a filter names it (`_entityType`, `platform`, `origin`, `tags`, ...).
    pub field: String,
    /// The name to show for the field.
    pub display_name: Option<String>,
    /// The entity the facet stands for; always null (facets are fields, not entities).
    pub entity: Option<Entity>,
    /// The values, most frequent first, at most `searchFlags.maxAggValues` (20 by default).
    pub aggregations: Vec<AggregationMetadata>,
}

/// One value of a facet.
#[derive(SimpleObject)]
pub struct AggregationMetadata {
    /// The value, as a filter on the field takes it: an entity type (`MLMODEL`), a platform,
    /// tag, term, owner or domain URN, an environment (`PROD`).
    pub value: String,
    /// How many matching entities have it.
    pub count: Long,
    /// The entity the value names (a platform, tag, term, owner or domain); null for entity
    /// types and environments.
    pub entity: Option<Entity>,
    /// The value to show: the id part of a URN (`pii` of `urn:li:tag:pii`), the entity type as
    /// spelled in URNs (`mlModel`), or the value itself.
    pub display_name: Option<String>,
}

/// A comparison a filter makes.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FilterOperator {
    /// A value of the field contains one of the values (case-sensitive).
    Contain,
    /// The field has one of the values; the default.
    Equal,
    /// The field equals a value ignoring case; not supported by mlcat (BAD_USER_INPUT).
    Iequal,
    /// The field has one of the values.
    In,
    /// The field has a value at all.
    Exists,
    /// Greater than one value: on the times `lastModifiedAt` and `createdAt` (milliseconds
    /// since the epoch) only; BAD_USER_INPUT on other fields.
    GreaterThan,
    /// Greater than or equal to one value; times only, as GREATER_THAN.
    GreaterThanOrEqualTo,
    /// Less than one value; times only, as GREATER_THAN.
    LessThan,
    /// Less than or equal to one value; times only, as GREATER_THAN.
    LessThanOrEqualTo,
    /// A value of the field starts with one of the values.
    StartWith,
    /// A value of the field ends with one of the values.
    EndWith,
    /// A URN or its descendants; not supported by mlcat (BAD_USER_INPUT).
    DescendantsIncl,
    /// A URN or its ancestors; not supported by mlcat (BAD_USER_INPUT).
    AncestorsIncl,
    /// A URN, its ancestors or descendants; not supported by mlcat (BAD_USER_INPUT).
    RelatedIncl,
}

/// A condition on one field of the entities searched.
#[derive(InputObject, Clone, Debug)]
pub struct FacetFilterInput {
    /// The field: `_entityType`, `platform`, `origin` (or `env`), `tags`, `glossaryTerms`,
    /// `owners`, `domains`, `removed`, `deprecated`, `hasDescription` (`true` or `false`),
    /// `customProperties` (values `key=value`), `urn`, `lastModifiedAt` or `createdAt`
    /// (milliseconds since the epoch). A `.keyword` suffix names the same field.
    pub field: String,
    /// One value; prefer `values`.
    #[graphql(deprecation = "Prefer `values` for single elements")]
    pub value: Option<String>,
    /// The values, any one of which the field should match.
    pub values: Option<Vec<String>>,
    /// Whether the condition must not hold instead.
    pub negated: Option<bool>,
    /// How to compare; EQUAL when unset.
    pub condition: Option<FilterOperator>,
}

/// Conditions that must all hold.
#[derive(InputObject, Clone, Debug)]
pub struct AndFilterInput {
    /// The conditions, all of which must hold.
    pub and: Option<Vec<FacetFilterInput>>,
}

/// Options of a search.
#[derive(InputObject, Clone, Debug, Default)]
pub struct SearchFlags {
    /// Accepted and ignored: mlcat keeps no search cache.
    pub skip_cache: Option<bool>,
    /// The most values a facet answers; 20 when unset.
    pub max_agg_values: Option<i32>,
    /// Accepted and ignored: every search is a full-text search.
    pub fulltext: Option<bool>,
    /// Accepted and ignored: mlcat does not highlight.
    pub skip_highlighting: Option<bool>,
    /// Answer no facets.
    pub skip_aggregates: Option<bool>,
    /// Accepted and ignored: mlcat makes no suggestions.
    pub get_suggestions: Option<bool>,
    /// Include soft-deleted entities.
    pub include_soft_deleted: Option<bool>,
    /// Accepted and ignored: mlcat restricts no entity.
    pub include_restricted: Option<bool>,
    /// Accepted and ignored: mlcat does not highlight.
    pub custom_highlighting_fields: Option<Vec<String>>,
    /// Accepted and ignored: mlcat has no structured properties.
    pub include_structured_property_facets: Option<bool>,
    /// Accepted and ignored: mlcat keeps no entity versions.
    pub filter_non_latest_versions: Option<bool>,
}

/// A sort order.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum SortOrder {
    /// A to Z.
    Ascending,
    /// Z to A.
    Descending,
}

/// A field to sort results by.
#[derive(InputObject, Clone, Debug)]
pub struct SortCriterion {
    /// The field: `name`, `lastModifiedAt`, `createdAt`, or `_score` for the best match first
    /// (the default). A scroll sorts by `name` (the default) or `createdAt` only.
    pub field: String,
    /// The order.
    pub sort_order: SortOrder,
}

/// How to sort results.
#[derive(InputObject, Clone, Debug)]
pub struct SearchSortInput {
    /// One criterion; prefer `sortCriteria`.
    #[graphql(deprecation = "Use sortCriteria instead")]
    pub sort_criterion: Option<SortCriterion>,
    /// The criteria; mlcat sorts by the first.
    pub sort_criteria: Option<Vec<SortCriterion>>,
}

/// A search of one entity type.
#[derive(InputObject, Clone, Debug)]
pub struct SearchInput {
    /// The entity type to search.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The words to find (all of them, the last as a prefix, case-insensitive); `*` or empty
    /// for every entity. Other characters separate words; at most 1,000 characters.
    pub query: String,
    /// Index of the first result, from 0.
    pub start: Option<i32>,
    /// How many results to answer; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Conditions that must all hold; prefer `orFilters`.
    #[graphql(deprecation = "Use `orFilters`- they are more expressive")]
    pub filters: Option<Vec<FacetFilterInput>>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// Options.
    pub search_flags: Option<SearchFlags>,
    /// The order of results; best match first when unset.
    pub sort_input: Option<SearchSortInput>,
}

/// A search of several entity types.
#[derive(InputObject, Clone, Debug)]
pub struct SearchAcrossEntitiesInput {
    /// The entity types to search; all when unset or empty.
    pub types: Option<Vec<EntityType>>,
    /// The words to find (all of them, the last as a prefix, case-insensitive); `*` or empty
    /// for every entity. Other characters separate words; at most 1,000 characters.
    pub query: String,
    /// Index of the first result, from 0.
    pub start: Option<i32>,
    /// How many results to answer; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Conditions that must all hold; prefer `orFilters`.
    #[graphql(deprecation = "Use `orFilters`- they are more expressive")]
    pub filters: Option<Vec<FacetFilterInput>>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// A view to apply; mlcat has no views, so a view URN is BAD_USER_INPUT.
    pub view_urn: Option<String>,
    /// Options.
    pub search_flags: Option<SearchFlags>,
    /// The order of results; best match first when unset.
    pub sort_input: Option<SearchSortInput>,
}

/// Completions of what a person is typing, over one entity type.
#[derive(InputObject, Clone, Debug)]
pub struct AutoCompleteInput {
    /// The entity type; all when unset.
    #[graphql(name = "type")]
    pub entity_type: Option<EntityType>,
    /// What was typed so far.
    pub query: String,
    /// A field to complete on; only the name (unset, or `name`) is supported.
    pub field: Option<String>,
    /// The most completions to answer; 10 when unset.
    pub limit: Option<i32>,
    /// Conditions that must all hold.
    pub filters: Option<Vec<FacetFilterInput>>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
}

/// Completions of what a person is typing, over several entity types.
#[derive(InputObject, Clone, Debug)]
pub struct AutoCompleteMultipleInput {
    /// The entity types; all when unset or empty.
    pub types: Option<Vec<EntityType>>,
    /// What was typed so far.
    pub query: String,
    /// A field to complete on; only the name (unset, or `name`) is supported.
    pub field: Option<String>,
    /// The most completions to answer per entity type; 10 when unset.
    pub limit: Option<i32>,
    /// Conditions that must all hold.
    pub filters: Option<Vec<FacetFilterInput>>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// A view to apply; mlcat has no views, so a view URN is BAD_USER_INPUT.
    pub view_urn: Option<String>,
}

/// Completions over one entity type.
#[derive(SimpleObject)]
pub struct AutoCompleteResults {
    /// What was typed.
    pub query: String,
    /// The names of the entities found, best first.
    pub suggestions: Vec<String>,
    /// The entities found, best first.
    pub entities: Vec<Entity>,
}

/// Completions of one entity type, among several.
#[derive(SimpleObject)]
pub struct AutoCompleteResultForEntity {
    /// The entity type.
    #[graphql(name = "type")]
    pub entity_type: EntityType,
    /// The names of the entities found, best first.
    pub suggestions: Vec<String>,
    /// The entities found, best first.
    pub entities: Vec<Entity>,
}

/// Completions over several entity types.
#[derive(SimpleObject)]
pub struct AutoCompleteMultipleResults {
    /// What was typed.
    pub query: String,
    /// The completions, by entity type, for the types that have any.
    pub suggestions: Vec<AutoCompleteResultForEntity>,
}

/// The page size a search input asks for, for pricing its complexity.
pub fn search_page(count: Option<i32>) -> usize {
    count.map_or(10, |c| c.max(0) as usize)
}

/// The entity types the schema names, with the URN type each stands for.
fn kinds() -> impl Iterator<Item = (EntityKind, EntityType)> {
    [
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
    ]
    .into_iter()
    .filter_map(|k| EntityType::from_kind(&k).map(|t| (k, t)))
}

fn kind_of(t: EntityType) -> Option<EntityKind> {
    kinds().find(|(_, e)| *e == t).map(|(k, _)| k)
}

/// The GraphQL name of an entity type (`MLMODEL`).
fn type_name(t: EntityType) -> &'static str {
    <EntityType as async_graphql::resolver_utils::EnumType>::items()
        .iter()
        .find(|i| i.value == t)
        .map_or("", |i| i.name)
}

/// An `_entityType` filter value as the catalog spells it: DataHub's GraphQL name (`MLMODEL`)
/// or the URN's spelling (`mlModel`).
fn entity_type_value(value: &str) -> String {
    <EntityType as async_graphql::resolver_utils::EnumType>::items()
        .iter()
        .find(|i| i.name.eq_ignore_ascii_case(value))
        .and_then(|i| kind_of(i.value))
        .map_or_else(|| value.to_string(), |k| k.as_str().to_string())
}

/// The catalog's filters of DataHub's `filters` (all of them) and `orFilters` (any list).
pub(crate) fn filters(
    and: Option<Vec<FacetFilterInput>>,
    or: Option<Vec<AndFilterInput>>,
) -> Result<Vec<Vec<FieldFilter>>, Error> {
    let mut out = Vec::new();
    if let Some(or) = or {
        for (i, all) in or.into_iter().enumerate() {
            let mut list = Vec::new();
            for (j, f) in all.and.unwrap_or_default().into_iter().enumerate() {
                list.push(filter(&format!("orFilters[{i}].and[{j}]"), f)?);
            }
            out.push(list);
        }
    }
    if let Some(and) = and.filter(|a| !a.is_empty()) {
        let mut list = Vec::new();
        for (j, f) in and.into_iter().enumerate() {
            list.push(filter(&format!("filters[{j}]"), f)?);
        }
        if out.is_empty() {
            out.push(list);
        } else {
            // Both given: each list of orFilters and all of filters.
            for l in &mut out {
                l.extend(list.iter().cloned());
            }
        }
    }
    Ok(out)
}

pub(crate) fn filter(at: &str, f: FacetFilterInput) -> Result<FieldFilter, Error> {
    let field = SearchField::parse(&f.field).ok_or_else(|| Error::Invalid {
        field: format!("{at}.field"),
        message: format!(
            "{at}.field: mlcat cannot filter on {:?}; the fields are {}",
            f.field,
            SearchField::NAMES
        ),
    })?;
    let condition = match f.condition.unwrap_or(FilterOperator::Equal) {
        FilterOperator::Equal => Condition::Equal,
        FilterOperator::In => Condition::In,
        FilterOperator::Contain => Condition::Contain,
        FilterOperator::StartWith => Condition::StartWith,
        FilterOperator::EndWith => Condition::EndWith,
        FilterOperator::Exists => Condition::Exists,
        FilterOperator::GreaterThan => Condition::GreaterThan,
        FilterOperator::GreaterThanOrEqualTo => Condition::GreaterThanOrEqualTo,
        FilterOperator::LessThan => Condition::LessThan,
        FilterOperator::LessThanOrEqualTo => Condition::LessThanOrEqualTo,
        other => {
            let name = <FilterOperator as async_graphql::resolver_utils::EnumType>::items()
                .iter()
                .find(|i| i.value == other)
                .map_or("", |i| i.name);
            return Err(Error::Invalid {
                field: format!("{at}.condition"),
                message: format!(
                    "{at}.condition: mlcat does not support {name}; use EQUAL, IN, CONTAIN, \
                     START_WITH, END_WITH, EXISTS, or on times GREATER_THAN, LESS_THAN and \
                     their _OR_EQUAL_TO forms"
                ),
            });
        }
    };
    let mut values = f.values.unwrap_or_default();
    if let Some(v) = f.value {
        values.push(v);
    }
    if field == SearchField::EntityType {
        values = values.iter().map(|v| entity_type_value(v)).collect();
    }
    Ok(FieldFilter {
        field,
        condition,
        values,
        negated: f.negated.unwrap_or(false),
    })
}

/// `start` and `count` checked against the page-size cap.
pub(crate) fn page(
    ctx: &Context<'_>,
    start: Option<i32>,
    count: Option<i32>,
) -> Result<(u64, u64)> {
    let limits = ctx.data::<Limits>()?;
    let start = start.unwrap_or(0);
    let count = count.unwrap_or(limits.default_page_size.min(limits.max_page_size) as i32);
    if start < 0 {
        return Err(Error::Invalid {
            field: "input.start".into(),
            message: "input.start must not be negative".into(),
        }
        .into());
    }
    if count < 0 || count as u64 > limits.max_page_size {
        return Err(Error::Invalid {
            field: "input.count".into(),
            message: format!(
                "input.count must be between 0 and the page-size cap of {}",
                limits.max_page_size
            ),
        }
        .into());
    }
    Ok((start as u64, count as u64))
}

pub(crate) fn refuse_view(view: &Option<String>) -> Result<(), Error> {
    match view {
        Some(_) => Err(Error::Invalid {
            field: "input.viewUrn".into(),
            message: "input.viewUrn: mlcat has no views; leave viewUrn out".into(),
        }),
        None => Ok(()),
    }
}

/// The order a sort input asks for; `None` best first.
pub(crate) fn sort(input: Option<SearchSortInput>) -> Result<Option<Sort>, Error> {
    let Some(input) = input else { return Ok(None) };
    let first = input
        .sort_criteria
        .and_then(|c| c.into_iter().next())
        .or(input.sort_criterion);
    let Some(c) = first else { return Ok(None) };
    let key = match c.field.as_str() {
        "_score" => return Ok(None),
        "name" | "_name" | "name.keyword" => SortKey::Name,
        "lastModifiedAt" | "lastModified" => SortKey::LastModified,
        "createdAt" | "created" => SortKey::Created,
        other => {
            return Err(Error::Invalid {
                field: "input.sortInput".into(),
                message: format!(
                    "input.sortInput: mlcat cannot sort by {other:?}; sort by name, \
                     lastModifiedAt, createdAt or _score"
                ),
            })
        }
    };
    Ok(Some(Sort {
        key,
        ascending: c.sort_order == SortOrder::Ascending,
    }))
}

/// Runs a search and answers it in DataHub's shape.
async fn run(
    ctx: &Context<'_>,
    request: SearchRequest,
    max_agg_values: Option<i32>,
) -> Result<SearchResults> {
    let start = request.start;
    let page = ctx.data::<Catalog>()?.search(&request).await?;
    crate::graphql::loaders::charge(ctx, page.hits.len())?;
    Ok(results(
        start,
        page,
        max_agg_values.map_or(20, |m| m.max(0) as usize),
    ))
}

/// A page in DataHub's shape, each facet cut to `max_values` values.
pub(crate) fn results(start: u64, page: SearchPage, max_values: usize) -> SearchResults {
    let search_results: Vec<SearchResult> = page
        .hits
        .into_iter()
        .filter_map(|hit| {
            let matched_fields = if hit.name_matched {
                vec![MatchedField {
                    name: "name".into(),
                    value: hit.entity.name.clone(),
                    entity: None,
                }]
            } else {
                Vec::new()
            };
            Entity::from_row(Arc::new(hit.entity)).map(|entity| SearchResult {
                entity,
                matched_fields,
                extra_properties: Some(Vec::new()),
            })
        })
        .collect();
    let facets = page
        .facets
        .into_iter()
        .map(|facet| FacetMetadata {
            field: facet.field.as_str().to_string(),
            display_name: Some(facet.field.display_name().to_string()),
            entity: None,
            aggregations: facet
                .values
                .into_iter()
                .take(max_values)
                .map(|(value, count)| aggregation(facet.field, value, count))
                .collect(),
        })
        .collect();
    SearchResults {
        start: i32::try_from(start).unwrap_or(i32::MAX),
        count: search_results.len() as i32,
        total: i32::try_from(page.total).unwrap_or(i32::MAX),
        search_results,
        facets: Some(facets),
    }
}

pub(crate) fn aggregation(field: SearchField, value: String, count: u64) -> AggregationMetadata {
    let display_name = match field {
        SearchField::EntityType => value.clone(),
        _ => Urn::parse(&value).map_or_else(|_| value.clone(), |u| u.name().to_string()),
    };
    let (value, entity) = match field {
        SearchField::EntityType => {
            let kind = EntityKind::parse(&value);
            match EntityType::from_kind(&kind) {
                Some(t) => (type_name(t).to_string(), None),
                None => (value, None),
            }
        }
        SearchField::Platform => {
            let entity = Urn::parse(&value)
                .ok()
                .map(|u| Entity::DataPlatform(DataPlatform::from_urn(&u)));
            (value, entity)
        }
        SearchField::Origin | SearchField::Removed => (value, None),
        _ => {
            let entity = Urn::parse(&value).ok().and_then(Entity::named);
            (value, entity)
        }
    };
    AggregationMetadata {
        value,
        count: Long(count as i64),
        entity,
        display_name: Some(display_name),
    }
}

/// `search`.
pub async fn search(ctx: &Context<'_>, input: SearchInput) -> Result<SearchResults> {
    let (start, count) = page(ctx, input.start, input.count)?;
    let flags = input.search_flags.unwrap_or_default();
    let kinds = kind_of(input.entity_type).into_iter().collect();
    let request = SearchRequest {
        query: input.query,
        kinds,
        any_of: filters(input.filters, input.or_filters)?,
        facets: facet_fields(&flags),
        sort: sort(input.sort_input)?,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start,
        count,
        ..SearchRequest::default()
    };
    run(ctx, request, flags.max_agg_values).await
}

/// `searchAcrossEntities`.
pub async fn search_across_entities(
    ctx: &Context<'_>,
    input: SearchAcrossEntitiesInput,
) -> Result<SearchResults> {
    let (start, count) = page(ctx, input.start, input.count)?;
    refuse_view(&input.view_urn)?;
    let flags = input.search_flags.unwrap_or_default();
    let request = SearchRequest {
        query: input.query,
        kinds: types(input.types),
        any_of: filters(input.filters, input.or_filters)?,
        facets: facet_fields(&flags),
        sort: sort(input.sort_input)?,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start,
        count,
        ..SearchRequest::default()
    };
    run(ctx, request, flags.max_agg_values).await
}

/// The entity kinds of `types`; none (every kind) when no type is asked. A type mlcat has no
/// entity of (`DATA_JOB`) stays in the list under its URN spelling (`dataJob`), so asking only
/// for it finds what the catalog holds of it, not everything; a type that is no entity
/// (`FORM`) keeps its GraphQL name, which no entity has.
pub(crate) fn types(types: Option<Vec<EntityType>>) -> Vec<EntityKind> {
    types
        .unwrap_or_default()
        .into_iter()
        .map(|t| {
            kind_of(t).unwrap_or_else(|| EntityKind::parse(t.urn_type().unwrap_or(type_name(t))))
        })
        .collect()
}

pub(crate) fn facet_fields(flags: &SearchFlags) -> Vec<SearchField> {
    if flags.skip_aggregates.unwrap_or(false) {
        Vec::new()
    } else {
        SearchField::FACETED.to_vec()
    }
}

/// The most completions an autocomplete answers per entity type.
const MAX_COMPLETIONS: i32 = 100;

fn completions(limit: Option<i32>, field: &Option<String>) -> Result<u64, Error> {
    if let Some(f) = field.as_deref().filter(|f| *f != "name") {
        return Err(Error::Invalid {
            field: "input.field".into(),
            message: format!("input.field: mlcat completes names only, not {f:?}; leave it out"),
        });
    }
    let limit = limit.unwrap_or(10);
    if !(0..=MAX_COMPLETIONS).contains(&limit) {
        return Err(Error::Invalid {
            field: "input.limit".into(),
            message: format!("input.limit must be between 0 and {MAX_COMPLETIONS}"),
        });
    }
    Ok(limit as u64)
}

/// The names and entities of a page of hits.
fn completed(page: SearchPage) -> (Vec<String>, Vec<Entity>) {
    page.hits
        .into_iter()
        .filter_map(|h| {
            let name = h.entity.name.clone();
            Entity::from_row(Arc::new(h.entity)).map(|e| (name, e))
        })
        .unzip()
}

/// `autoComplete`.
pub async fn auto_complete(
    ctx: &Context<'_>,
    input: AutoCompleteInput,
) -> Result<AutoCompleteResults> {
    let limit = completions(input.limit, &input.field)?;
    let request = SearchRequest {
        query: input.query.clone(),
        kinds: input.entity_type.and_then(kind_of).into_iter().collect(),
        any_of: filters(input.filters, input.or_filters)?,
        count: limit,
        ..SearchRequest::default()
    };
    let page = ctx.data::<Catalog>()?.search(&request).await?;
    crate::graphql::loaders::charge(ctx, page.hits.len())?;
    let (suggestions, entities) = completed(page);
    Ok(AutoCompleteResults {
        query: input.query,
        suggestions,
        entities,
    })
}

/// `autoCompleteForMultiple`: one search per entity type asked for, or one search over all
/// types, its hits grouped by type.
pub async fn auto_complete_for_multiple(
    ctx: &Context<'_>,
    input: AutoCompleteMultipleInput,
) -> Result<AutoCompleteMultipleResults> {
    let limit = completions(input.limit, &input.field)?;
    refuse_view(&input.view_urn)?;
    let any_of = filters(input.filters, input.or_filters)?;
    let catalog = ctx.data::<Catalog>()?;
    let asked = types(input.types);
    let mut groups: BTreeMap<String, (EntityType, Vec<String>, Vec<Entity>)> = BTreeMap::new();
    let searches: Vec<Vec<EntityKind>> = if asked.is_empty() {
        vec![Vec::new()]
    } else {
        asked.into_iter().map(|k| vec![k]).collect()
    };
    let per_search = if searches.len() == 1 && searches[0].is_empty() {
        limit * 4
    } else {
        limit
    };
    let mut order = Vec::new();
    for kinds in searches {
        let request = SearchRequest {
            query: input.query.clone(),
            kinds,
            any_of: any_of.clone(),
            count: per_search,
            ..SearchRequest::default()
        };
        let hits = catalog.search(&request).await?.hits;
        crate::graphql::loaders::charge(ctx, hits.len())?;
        for hit in hits {
            let Some(t) = EntityType::from_kind(&hit.entity.kind) else {
                continue;
            };
            let key = type_name(t).to_string();
            if !groups.contains_key(&key) {
                order.push(key.clone());
            }
            let group = groups
                .entry(key)
                .or_insert_with(|| (t, Vec::new(), Vec::new()));
            if group.1.len() as u64 >= limit {
                continue;
            }
            let name = hit.entity.name.clone();
            if let Some(e) = Entity::from_row(Arc::new(hit.entity)) {
                group.1.push(name);
                group.2.push(e);
            }
        }
    }
    Ok(AutoCompleteMultipleResults {
        query: input.query,
        suggestions: order
            .into_iter()
            .filter_map(|k| groups.remove(&k))
            .map(
                |(entity_type, suggestions, entities)| AutoCompleteResultForEntity {
                    entity_type,
                    suggestions,
                    entities,
                },
            )
            .collect(),
    })
}
