//! `browsePathV2`: where an entity sits in DataHub's browse tree, from its stored
//! `browsePathsV2` aspect (written by DataHub's SDK and ingestion).

use async_graphql::{Context, Result, SimpleObject};
use serde::Deserialize;

use super::data_platform_instance::DataPlatformInstance;
use super::Entity;
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::urn::Urn;

/// The stored `browsePathsV2` aspect.
#[derive(Deserialize)]
struct BrowsePathsV2Aspect {
    #[serde(default)]
    path: Vec<BrowsePathEntryAspect>,
}

#[derive(Deserialize)]
struct BrowsePathEntryAspect {
    id: String,
    #[serde(default)]
    urn: Option<String>,
}

/// The path to an entity in the browse tree, from the top.
#[derive(SimpleObject)]
#[graphql(name = "BrowsePathV2")]
pub struct BrowsePathV2 {
    /// The steps, from the top of the tree down to the entity's parent.
    pub path: Vec<BrowsePathEntry>,
}

/// One step of a browse path.
#[derive(SimpleObject)]
#[graphql(name = "BrowsePathEntry")]
pub struct BrowsePathEntry {
    /// The step's name (its id in the stored path).
    pub name: String,
    /// The entity the step stands for (a platform instance, a container), when the stored
    /// path names one that mlcat knows; null otherwise.
    pub entity: Option<Entity>,
}

/// `browsePathV2`: the stored path, its entities resolved in one batch; null when none was
/// written.
pub async fn browse_path_v2(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<BrowsePathV2>> {
    let stored: Option<BrowsePathsV2Aspect> = aspect(ctx, row, "browsePathsV2").await?;
    let Some(stored) = stored else {
        return Ok(None);
    };
    // Steps name entities by URN; ones stored unchecked may not parse, and are then plain names.
    let urns: Vec<Urn> = stored
        .path
        .iter()
        .filter_map(|e| e.urn.as_deref().and_then(|u| Urn::parse(u).ok()))
        .collect();
    let rows = loaders::related(ctx, &urns).await?;
    let path = stored
        .path
        .into_iter()
        .map(|step| {
            let entity = step.urn.as_deref().and_then(|u| {
                DataPlatformInstance::from_urn(u)
                    .map(Entity::DataPlatformInstance)
                    .or_else(|| {
                        rows.iter()
                            .find(|r| r.urn == u)
                            .and_then(|r| Entity::from_row(r.clone()))
                    })
            });
            BrowsePathEntry {
                name: step.id,
                entity,
            }
        })
        .collect();
    Ok(Some(BrowsePathV2 { path }))
}
