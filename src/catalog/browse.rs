//! Browsing (DataHub's `browseV2`): the entities a search matches (entity types, filters such
//! as the platform, words), arranged in the folders of their `browsePathsV2` aspect. At a path,
//! the next folder of every entity under it is a group, counted exactly; entities whose path
//! ends there are the path's own. An entity without a stored browse path sits at the top.
//!
//! The whole set under the path is read to count it: one search statement for the entities
//! and one read of their browse paths per chunk. That is exact, and costs in proportion to the
//! entities matched, so narrow a large catalog by type and platform first (as DataHub's UI
//! does, and as its own browse does with the same filters).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::records::{EntityId, EntityRecord};
use super::search::{SearchRequest, Sort, SortKey};
use super::{Catalog, Result};
use crate::store::CHUNK;

/// A browse: the entities a search matches, at a path.
#[derive(Clone, Debug, Default)]
pub struct BrowseRequest {
    /// Which entities: its `start`, `count`, `by_name` and `facets` are ignored.
    pub search: SearchRequest,
    /// The folders to descend, by their ids in the browse paths; empty for the top.
    pub path: Vec<String>,
}

/// A folder under a browse path.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BrowseGroup {
    /// The folder's id in the browse paths.
    pub name: String,
    /// The entity the folder stands for (a container, a platform instance), when the path
    /// names one.
    pub urn: Option<String>,
    /// How many matching entities are under it, at any depth.
    pub count: u64,
    /// Whether any of them is in a folder under it.
    pub has_sub_groups: bool,
}

/// What is at a browse path.
#[derive(Clone, Debug, Default)]
pub struct BrowseLevel {
    /// The folders, by name.
    pub groups: Vec<BrowseGroup>,
    /// The entities whose browse path ends at the path, by name.
    pub entities: Vec<EntityRecord>,
    /// How many matching entities are under the path, at any depth.
    pub total_entities: u64,
}

/// The stored `browsePathsV2` aspect.
#[derive(Deserialize)]
struct BrowsePaths {
    #[serde(default)]
    path: Vec<BrowseStep>,
}

#[derive(Deserialize)]
struct BrowseStep {
    id: String,
    #[serde(default)]
    urn: Option<String>,
}

impl Catalog {
    /// The folders and entities at `request.path` among the entities `request.search` matches,
    /// with exact counts.
    pub async fn browse(&self, request: &BrowseRequest) -> Result<BrowseLevel> {
        let all = SearchRequest {
            facets: Vec::new(),
            sort: Some(Sort {
                key: SortKey::Name,
                ascending: true,
            }),
            start: 0,
            // Every match: the store reads them in one statement, by name.
            count: i64::MAX as u64,
            ..request.search.clone()
        };
        let hits = self.search(&all).await?.hits;
        let mut level = BrowseLevel::default();
        let mut groups: BTreeMap<String, BrowseGroup> = BTreeMap::new();
        let depth = request.path.len();
        for chunk in hits.chunks(CHUNK) {
            let keys: Vec<(EntityId, &str)> = chunk
                .iter()
                .map(|h| (h.entity.id, "browsePathsV2"))
                .collect();
            let mut paths: BTreeMap<EntityId, Vec<BrowseStep>> = BTreeMap::new();
            for stored in self.latest_aspects(&keys).await? {
                if stored.aspect != "browsePathsV2" {
                    continue;
                }
                // A path stored unchecked that does not parse puts its entity at the top.
                if let Ok(parsed) = serde_json::from_str::<BrowsePaths>(&stored.value) {
                    paths.insert(stored.entity, parsed.path);
                }
            }
            for hit in chunk {
                let steps = paths.remove(&hit.entity.id).unwrap_or_default();
                let under = steps.len() >= depth
                    && steps.iter().zip(&request.path).all(|(s, p)| s.id == *p);
                if !under {
                    continue;
                }
                level.total_entities += 1;
                match steps.get(depth) {
                    None => level.entities.push(hit.entity.clone()),
                    Some(next) => {
                        let group = groups
                            .entry(next.id.clone())
                            .or_insert_with(|| BrowseGroup {
                                name: next.id.clone(),
                                urn: next.urn.clone(),
                                count: 0,
                                has_sub_groups: false,
                            });
                        group.count += 1;
                        group.has_sub_groups |= steps.len() > depth + 1;
                        if group.urn.is_none() {
                            group.urn.clone_from(&next.urn);
                        }
                    }
                }
            }
        }
        level.groups = groups.into_values().collect();
        Ok(level)
    }
}
