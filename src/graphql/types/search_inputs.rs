//! DataHub's search inputs (`SearchInput`, `SearchAcrossEntitiesInput`, the autocomplete
//! inputs, `FacetFilterInput` and `AndFilterInput`, `SearchFlags`, `SearchSortInput`) and their
//! translation into the catalog's `SearchRequest`: filters, page, sort, entity types, facets.

use async_graphql::{Context, Enum, InputObject, Result};

use crate::catalog::{Condition, Error, FieldFilter, SearchField, Sort, SortKey, SEARCHED_KINDS};
use crate::config::Limits;
use crate::graphql::scalars::EntityType;
use crate::urn::EntityKind;

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

impl SearchFlags {
    /// The most values a facet answers: `maxAggValues`, 20 when unset.
    pub(crate) fn max_values(&self) -> usize {
        self.max_agg_values.map_or(20, |m| m.max(0) as usize)
    }
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

/// The page size a search input asks for, for pricing its complexity.
pub fn search_page(count: Option<i32>) -> usize {
    count.map_or(10, |c| c.max(0) as usize)
}

/// The entity types the schema names, with the URN type each stands for.
fn kinds() -> impl Iterator<Item = (EntityKind, EntityType)> {
    SEARCHED_KINDS
        .into_iter()
        .filter_map(|k| EntityType::from_kind(&k).map(|t| (k, t)))
}

pub(crate) fn kind_of(t: EntityType) -> Option<EntityKind> {
    kinds().find(|(_, e)| *e == t).map(|(k, _)| k)
}

/// The GraphQL name of an entity type (`MLMODEL`).
pub(crate) fn type_name(t: EntityType) -> &'static str {
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

/// The fields whose facets a search counts: none when `searchFlags.skipAggregates` is set or
/// the query does not select `facets` (counting them reads every match, not only the page).
pub(crate) fn facet_fields(ctx: &Context<'_>, flags: &SearchFlags) -> Vec<SearchField> {
    if flags.skip_aggregates.unwrap_or(false) || !ctx.look_ahead().field("facets").exists() {
        Vec::new()
    } else {
        SearchField::FACETED.to_vec()
    }
}
