//! The current edges of an entity by entity id: the loader behind the relation fields
//! (`features`, `models`, `trainingDatasets`, ...) and one-hop `lineage` and `relationships`.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::{Direction, Edge, EntityId, EntityRecord};

/// All current edges touching one entity, in both directions, with both ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EdgeKey {
    pub entity: EntityId,
    /// The graph as of this time (milliseconds); now when `None`.
    pub as_of: Option<i64>,
}

impl Loader<EdgeKey> for CatalogLoader {
    type Value = Arc<Vec<Edge>>;
    type Error = LoadError;

    async fn load(&self, keys: &[EdgeKey]) -> Result<HashMap<EdgeKey, Self::Value>, Self::Error> {
        // Requests of one time share a statement; almost always there is one time: now.
        let mut by_time: HashMap<Option<i64>, Vec<EntityId>> = HashMap::new();
        for key in keys {
            by_time.entry(key.as_of).or_default().push(key.entity);
        }
        let mut out: HashMap<EdgeKey, Vec<Edge>> = keys.iter().map(|k| (*k, Vec::new())).collect();
        for (as_of, ids) in by_time {
            let rows = self
                .0
                .edges_of(&ids, Direction::Both, None, as_of)
                .await
                .map_err(Arc::new)?;
            for row in rows {
                for end in [row.edge.source, row.edge.destination] {
                    if let Some(list) = out.get_mut(&EdgeKey { entity: end, as_of }) {
                        list.push(row.clone());
                    }
                }
            }
        }
        // Every requested key gets an entry, empty when the entity has no edges.
        Ok(out.into_iter().map(|(k, v)| (k, Arc::new(v))).collect())
    }
}

/// The edges of an entity, now or as of a time.
pub async fn edges(
    ctx: &Context<'_>,
    row: &EntityRecord,
    as_of: Option<i64>,
) -> async_graphql::Result<Arc<Vec<Edge>>> {
    let key = EdgeKey {
        entity: row.id,
        as_of,
    };
    Ok(loaders(ctx)?
        .load_one(key)
        .await
        .map_err(to_gql)?
        .unwrap_or_default())
}
