//! DataHub's search queries `search`, `searchAcrossEntities`, `autoComplete` and
//! `autoCompleteForMultiple`, and `SearchResults` with its results, matched fields and facets,
//! which `Domain.entities` answers too. The search itself is the catalog's (`Catalog::search`);
//! the inputs and their translation into it are in `search_inputs.rs`; this file runs it and
//! answers its page in DataHub's shape.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_graphql::{Context, Result, SimpleObject};

use super::search_inputs::{
    facet_fields, filters, kind_of, page, refuse_view, sort, type_name, types, AutoCompleteInput,
    AutoCompleteMultipleInput, SearchAcrossEntitiesInput, SearchFlags, SearchInput,
};
use super::{DataPlatform, Entity};
use crate::catalog::{Catalog, EntityRecord, Error, Facet, SearchField, SearchPage, SearchRequest};
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

/// Runs a search and answers it in DataHub's shape.
async fn run(
    ctx: &Context<'_>,
    request: SearchRequest,
    flags: &SearchFlags,
) -> Result<SearchResults> {
    let start = request.start;
    let page = ctx.data::<Catalog>()?.search(&request).await?;
    crate::graphql::loaders::charge(ctx, page.hits.len())?;
    Ok(results(start, page, flags.max_values()))
}

/// A page in DataHub's shape, each facet cut to `max_values` values.
pub(crate) fn results(start: u64, page: SearchPage, max_values: usize) -> SearchResults {
    let search_results: Vec<SearchResult> = page
        .hits
        .into_iter()
        .filter_map(|hit| {
            let matched_fields = matched_name(hit.name_matched, &hit.entity.name);
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
        .map(|facet| facet_metadata(facet, max_values))
        .collect();
    SearchResults {
        start: i32::try_from(start).unwrap_or(i32::MAX),
        count: search_results.len() as i32,
        total: i32::try_from(page.total).unwrap_or(i32::MAX),
        search_results,
        facets: Some(facets),
    }
}

/// Why a result matched, in DataHub's shape: `name` when the query's words are in its name.
pub(crate) fn matched_name(name_matched: bool, name: &str) -> Vec<MatchedField> {
    if name_matched {
        vec![MatchedField {
            name: "name".into(),
            value: name.to_string(),
            entity: None,
        }]
    } else {
        Vec::new()
    }
}

/// A facet of the catalog's in DataHub's shape, cut to `max_values` values.
pub(crate) fn facet_metadata(facet: Facet, max_values: usize) -> FacetMetadata {
    FacetMetadata {
        field: facet.field.as_str().to_string(),
        display_name: Some(facet.field.display_name().to_string()),
        entity: None,
        aggregations: facet
            .values
            .into_iter()
            .take(max_values)
            .map(|(value, count)| aggregation(facet.field, value, count))
            .collect(),
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
        facets: facet_fields(ctx, &flags),
        sort: sort(input.sort_input)?,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start,
        count,
        ..SearchRequest::default()
    };
    run(ctx, request, &flags).await
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
        facets: facet_fields(ctx, &flags),
        sort: sort(input.sort_input)?,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start,
        count,
        ..SearchRequest::default()
    };
    run(ctx, request, &flags).await
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

/// The names and entities of completions.
fn completed(found: Vec<EntityRecord>) -> (Vec<String>, Vec<Entity>) {
    found
        .into_iter()
        .filter_map(|record| {
            let name = record.name.clone();
            Entity::from_row(Arc::new(record)).map(|e| (name, e))
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
    let found = ctx.data::<Catalog>()?.complete(&request).await?;
    crate::graphql::loaders::charge(ctx, found.len())?;
    let (suggestions, entities) = completed(found);
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
        let found = catalog.complete(&request).await?;
        crate::graphql::loaders::charge(ctx, found.len())?;
        for record in found {
            let Some(t) = EntityType::from_kind(&record.kind) else {
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
            let name = record.name.clone();
            if let Some(e) = Entity::from_row(Arc::new(record)) {
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
