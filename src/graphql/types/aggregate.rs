//! `aggregateAcrossEntities` in DataHub's shape: the facet counts of a search, without its
//! results.

use async_graphql::{Context, InputObject, Result, SimpleObject};

use super::search::{results, FacetMetadata};
use super::search_inputs::{filters, refuse_view, types, AndFilterInput, SearchFlags};
use crate::catalog::{Catalog, Error, SearchField, SearchRequest};
use crate::graphql::scalars::EntityType;

/// The facets of a search of several entity types.
#[derive(InputObject, Clone, Debug)]
pub struct AggregateAcrossEntitiesInput {
    /// The entity types to search; all when unset or empty.
    pub types: Option<Vec<EntityType>>,
    /// The words to find, as in `searchAcrossEntities`; `*` or empty for every entity.
    pub query: String,
    /// The fields to count values of: any of `_entityType`, `platform`, `origin`, `tags`,
    /// `glossaryTerms`, `owners`, `domains`, `deprecated`, `hasDescription`,
    /// `customProperties`; when unset or empty, the first seven. mlcat has no sub-aggregations
    /// (`a␞b` is BAD_USER_INPUT).
    pub facets: Option<Vec<Option<String>>>,
    /// Lists of conditions, any one of which must hold in full.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// A view to apply; mlcat has no views, so a view URN is BAD_USER_INPUT.
    pub view_urn: Option<String>,
    /// Options (`maxAggValues`, `includeSoftDeleted`).
    pub search_flags: Option<SearchFlags>,
}

/// The facets of a search.
#[derive(SimpleObject)]
pub struct AggregateResults {
    /// Exact counts of the asked fields' values among all the entities that match, in the
    /// order asked, each most frequent first.
    pub facets: Option<Vec<FacetMetadata>>,
}

/// The facet fields asked for, refused naming the first unknown one.
fn facet_fields(asked: Option<Vec<Option<String>>>) -> Result<Vec<SearchField>, Error> {
    let asked: Vec<String> = asked.unwrap_or_default().into_iter().flatten().collect();
    if asked.is_empty() {
        return Ok(SearchField::FACETED.to_vec());
    }
    let mut fields = Vec::with_capacity(asked.len());
    for (i, name) in asked.iter().enumerate() {
        let field = SearchField::parse(name)
            .filter(|f| SearchField::FACETABLE.contains(f))
            .ok_or_else(|| Error::Invalid {
                field: format!("input.facets[{i}]"),
                message: format!(
                    "input.facets[{i}]: mlcat cannot count values of {:?}; the facets are {}",
                    name.chars().take(100).collect::<String>(),
                    SearchField::FACET_NAMES
                ),
            })?;
        if !fields.contains(&field) {
            fields.push(field);
        }
    }
    Ok(fields)
}

/// `aggregateAcrossEntities`.
pub async fn aggregate_across_entities(
    ctx: &Context<'_>,
    input: AggregateAcrossEntitiesInput,
) -> Result<AggregateResults> {
    refuse_view(&input.view_urn)?;
    let flags = input.search_flags.unwrap_or_default();
    let request = SearchRequest {
        query: input.query,
        kinds: types(input.types),
        any_of: filters(None, input.or_filters)?,
        facets: facet_fields(input.facets)?,
        sort: None,
        include_removed: flags.include_soft_deleted.unwrap_or(false),
        start: 0,
        count: 0,
        within: None,
    };
    let page = ctx.data::<Catalog>()?.search(&request).await?;
    let answer = results(0, page, flags.max_values());
    Ok(AggregateResults {
        facets: answer.facets,
    })
}
