//! DataHub's `browseV2`: the folders (and, as mlcat adds, the entities) at a browse path among
//! the entities of some types that match filters and words. The grouping is the catalog's
//! (`Catalog::browse`); this file translates DataHub's input to it and pages the answer.

use std::sync::Arc;

use async_graphql::{Context, InputObject, Result, SimpleObject};

use super::data_platform_instance::DataPlatformInstance;
use super::search_inputs::{filters, page, refuse_view, types, AndFilterInput, SearchFlags};
use super::Entity;
use crate::catalog::{BrowseRequest, Catalog, SearchRequest};
use crate::graphql::loaders;
use crate::graphql::scalars::{EntityType, Long};
use crate::urn::Urn;

/// Where to browse.
#[derive(InputObject, Clone, Debug)]
pub struct BrowseV2Input {
    /// One entity type; prefer `types`.
    #[graphql(name = "type")]
    pub entity_type: Option<EntityType>,
    /// The entity types to browse; all when unset and `type` is unset.
    pub types: Option<Vec<EntityType>>,
    /// The folders to descend, by the names `groups` answers; the top when unset or empty.
    pub path: Option<Vec<String>>,
    /// Index of the first group (and entity) to answer, from 0.
    pub start: Option<i32>,
    /// How many groups (and entities) to answer; at most the server's page-size cap.
    pub count: Option<i32>,
    /// Lists of conditions, any one of which must hold in full (a `platform` to browse one
    /// platform), as in `searchAcrossEntities`.
    pub or_filters: Option<Vec<AndFilterInput>>,
    /// A view to apply; mlcat has no views, so a view URN is BAD_USER_INPUT.
    pub view_urn: Option<String>,
    /// Words the entities must hold, as in `searchAcrossEntities`; `*` or empty for all.
    pub query: Option<String>,
    /// Options; `includeSoftDeleted` counts soft-deleted entities too.
    pub search_flags: Option<SearchFlags>,
}

/// What is at a browse path.
#[derive(SimpleObject)]
pub struct BrowseResultsV2 {
    /// The folders under the path, by name: a page of them.
    pub groups: Vec<BrowseResultGroupV2>,
    /// Index of the first group answered.
    pub start: i32,
    /// How many groups this page holds.
    pub count: i32,
    /// How many groups there are under the path.
    pub total: i32,
    /// The path and how many entities are under it.
    pub metadata: BrowseResultMetadata,
    /// mlcat: the entities whose browse path ends at the path (or, at the top, that have none),
    /// by name, the same page (`start`, `count`) as the groups. DataHub's clients list them with
    /// a search instead.
    pub entities: Vec<Entity>,
    /// mlcat: how many entities `entities` pages through.
    pub total_entities: i32,
}

/// A folder under a browse path.
#[derive(SimpleObject)]
pub struct BrowseResultGroupV2 {
    /// The folder's name: the id of its step in the browse paths, to put in `path` to descend.
    pub name: String,
    /// The entity the folder stands for (a container, a platform instance) when the browse
    /// paths name one mlcat knows; null otherwise.
    pub entity: Option<Entity>,
    /// How many matching entities are under it, at any depth.
    pub count: Long,
    /// Whether there are folders under it.
    pub has_sub_groups: bool,
}

/// The path browsed, and how many entities are under it.
#[derive(SimpleObject)]
pub struct BrowseResultMetadata {
    /// The path, as given.
    pub path: Vec<String>,
    /// How many matching entities are under the path, at any depth.
    pub total_num_entities: Long,
}

/// The page size a browse asks for, for pricing its complexity.
pub fn browse_page(count: Option<i32>) -> usize {
    count.map_or(20, |c| c.max(0) as usize)
}

/// `browseV2`.
pub async fn browse_v2(ctx: &Context<'_>, input: BrowseV2Input) -> Result<BrowseResultsV2> {
    let (start, count) = page(ctx, input.start, input.count)?;
    refuse_view(&input.view_urn)?;
    let flags = input.search_flags.unwrap_or_default();
    let mut asked = input.types.unwrap_or_default();
    asked.extend(input.entity_type);
    let path = input.path.unwrap_or_default();
    let request = BrowseRequest {
        search: SearchRequest {
            query: input.query.unwrap_or_default(),
            kinds: types(Some(asked)),
            any_of: filters(None, input.or_filters)?,
            include_removed: flags.include_soft_deleted.unwrap_or(false),
            ..SearchRequest::default()
        },
        path: path.clone(),
    };
    let level = ctx.data::<Catalog>()?.browse(&request).await?;
    let (start, count) = (start as usize, count as usize);
    let groups: Vec<_> = level.groups.iter().skip(start).take(count).collect();
    // The folders' entities, in one read.
    let urns: Vec<Urn> = groups
        .iter()
        .filter_map(|g| g.urn.as_deref().and_then(|u| Urn::parse(u).ok()))
        .collect();
    let rows = loaders::related(ctx, &urns).await?;
    let groups: Vec<BrowseResultGroupV2> = groups
        .into_iter()
        .map(|g| BrowseResultGroupV2 {
            entity: g.urn.as_deref().and_then(|u| {
                DataPlatformInstance::from_urn(u)
                    .map(Entity::DataPlatformInstance)
                    .or_else(|| {
                        rows.iter()
                            .find(|r| r.urn == u)
                            .and_then(|r| Entity::from_row(r.clone()))
                    })
            }),
            name: g.name.clone(),
            count: Long(g.count as i64),
            has_sub_groups: g.has_sub_groups,
        })
        .collect();
    let entities: Vec<Entity> = level
        .entities
        .iter()
        .skip(start)
        .take(count)
        .filter_map(|e| Entity::from_row(Arc::new(e.clone())))
        .collect();
    Ok(BrowseResultsV2 {
        start: start as i32,
        count: groups.len() as i32,
        total: level.groups.len() as i32,
        groups,
        metadata: BrowseResultMetadata {
            path,
            total_num_entities: Long(level.total_entities as i64),
        },
        entities,
        total_entities: level.entities.len() as i32,
    })
}
