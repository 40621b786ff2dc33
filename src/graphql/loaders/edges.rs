//! The current edges of an entity by entity id and set of relations: the loader behind the
//! relation fields (`features`, `models`, `trainingDatasets`, ...) and one-hop `lineage`, which
//! ask for the lineage relations, and `relationships`, which asks for the relations it names.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::aspects::RelationSet;
use crate::catalog::{Direction, Edge, EntityId, EntityRecord};

/// The current edges of some relations touching one entity, in both directions, with both
/// ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EdgeKey {
    pub entity: EntityId,
    /// Only edges of these relations.
    pub relations: RelationSet,
    /// The graph as of this time (milliseconds); now when `None`.
    pub as_of: Option<i64>,
}

impl Loader<EdgeKey> for CatalogLoader {
    type Value = Arc<Vec<Edge>>;
    type Error = LoadError;

    async fn load(&self, keys: &[EdgeKey]) -> Result<HashMap<EdgeKey, Self::Value>, Self::Error> {
        // Requests of one time and set share a statement; almost always there is one of each:
        // now, and the lineage relations.
        let mut by_shape: HashMap<(Option<i64>, RelationSet), Vec<EntityId>> = HashMap::new();
        for key in keys {
            by_shape
                .entry((key.as_of, key.relations))
                .or_default()
                .push(key.entity);
        }
        let mut out: HashMap<EdgeKey, Vec<Edge>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((as_of, relations), ids) in by_shape {
            let rows = self
                .catalog
                .edges_of(&ids, Direction::Both, relations, as_of)
                .await
                .map_err(Arc::new)?;
            for row in rows {
                for entity in [row.edge.source, row.edge.destination] {
                    let key = EdgeKey {
                        entity,
                        relations,
                        as_of,
                    };
                    if let Some(list) = out.get_mut(&key) {
                        list.push(row.clone());
                    }
                }
            }
        }
        // Every requested key gets an entry, empty when the entity has no edges.
        Ok(out.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The edges of `relations` of an entity, now or as of a time.
pub async fn edges(
    ctx: &Context<'_>,
    row: &EntityRecord,
    relations: RelationSet,
    as_of: Option<i64>,
) -> async_graphql::Result<Arc<Vec<Edge>>> {
    let key = EdgeKey {
        entity: row.id,
        relations,
        as_of,
    };
    Ok(loaders(ctx, 1)?
        .load_one(key)
        .await
        .map_err(to_gql)?
        .unwrap_or_default())
}
