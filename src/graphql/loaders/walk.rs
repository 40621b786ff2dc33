//! Walks of the lineage graph by `(entity id, direction, depth, budget, time)`: the loader
//! behind an entity's `lineage` field deeper than one hop, so a list of entities walks together,
//! one statement per level.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::{Direction, EntityId, EntityRecord, Traversal, TraversalSpec};
use crate::urn::Urn;

/// A walk of the lineage graph from one entity, for the per-entity `lineage` field.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct WalkKey {
    pub entity: EntityId,
    pub direction: Direction,
    pub depth: u32,
    pub budget: usize,
    pub as_of: Option<i64>,
}

impl Loader<WalkKey> for CatalogLoader {
    type Value = Arc<Traversal>;
    type Error = LoadError;

    async fn load(&self, keys: &[WalkKey]) -> Result<HashMap<WalkKey, Self::Value>, Self::Error> {
        // Walks of one shape go together: one statement per level for all their roots.
        let mut shapes: HashMap<(Direction, u32, usize, Option<i64>), Vec<EntityId>> =
            HashMap::new();
        for k in keys {
            shapes
                .entry((k.direction, k.depth, k.budget, k.as_of))
                .or_default()
                .push(k.entity);
        }
        let mut out = HashMap::with_capacity(keys.len());
        for ((direction, depth, budget, as_of), ids) in shapes {
            let roots: Vec<Arc<EntityRecord>> = self
                .catalog
                .entities_by_id(&ids)
                .await
                .map_err(Arc::new)?
                .into_iter()
                .map(Arc::new)
                .collect();
            let Some(first) = roots.first() else {
                continue;
            };
            let spec = TraversalSpec {
                start: Urn::parse(&first.urn).map_err(|e| Arc::new(e.into()))?,
                direction,
                depth,
                budget,
                relations: None,
                as_of,
            };
            let walks = self
                .catalog
                .traverse_many(&roots, &spec)
                .await
                .map_err(Arc::new)?;
            for walk in walks {
                let key = WalkKey {
                    entity: walk.root.id,
                    direction,
                    depth,
                    budget,
                    as_of,
                };
                out.insert(key, Arc::new(walk));
            }
        }
        Ok(out)
    }
}

/// The walk a key asks for; `None` when its entity is gone.
pub async fn walk(
    ctx: &Context<'_>,
    key: WalkKey,
) -> async_graphql::Result<Option<Arc<Traversal>>> {
    loaders(ctx, 1)?.load_one(key).await.map_err(to_gql)
}
