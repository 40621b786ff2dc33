//! Events of a timeseries aspect by `(entity id, aspect, range, limit)`: the loader behind
//! `datasetProfiles`, `operations` and a run's `state`, one statement for a list of entities
//! (DataHub's search cards ask each dataset for its latest profile and operation).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::{EntityId, SeriesQuery, TimeseriesEvent};

/// The newest events of one timeseries aspect of one entity within a range, at most `limit`.
/// Built by a field from checked arguments: `aspect` is one of the catalog's timeseries aspects.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SeriesKey {
    pub entity: EntityId,
    pub aspect: &'static str,
    pub start_millis: Option<i64>,
    pub end_millis: Option<i64>,
    pub limit: usize,
}

/// The arguments keys share: keys that differ only in their entity load together.
type Shared = (&'static str, Option<i64>, Option<i64>, usize);

impl Loader<SeriesKey> for CatalogLoader {
    type Value = Vec<TimeseriesEvent>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[SeriesKey],
    ) -> Result<HashMap<SeriesKey, Self::Value>, Self::Error> {
        let mut groups: HashMap<Shared, Vec<EntityId>> = HashMap::new();
        for k in keys {
            groups
                .entry((k.aspect, k.start_millis, k.end_millis, k.limit))
                .or_default()
                .push(k.entity);
        }
        // Every key gets an entry, an empty list for an entity without events.
        let mut out: HashMap<SeriesKey, Self::Value> =
            keys.iter().map(|k| (*k, Vec::new())).collect();
        for ((aspect, start_millis, end_millis, limit), ids) in groups {
            let query = SeriesQuery {
                start_millis,
                end_millis,
                limit,
                any_of: Vec::new(),
            };
            let found = self
                .catalog
                .series_of(&ids, aspect, &query)
                .await
                .map_err(Arc::new)?;
            for (entity, event) in found {
                let key = SeriesKey {
                    entity,
                    aspect,
                    start_millis,
                    end_millis,
                    limit,
                };
                if let Some(list) = out.get_mut(&key) {
                    list.push(event);
                }
            }
        }
        Ok(out)
    }
}

/// The events a key asks for, newest first; empty for an entity without events.
pub async fn series(
    ctx: &Context<'_>,
    key: SeriesKey,
) -> async_graphql::Result<Vec<TimeseriesEvent>> {
    Ok(loaders(ctx, 1)?
        .load_one(key)
        .await
        .map_err(to_gql)?
        .unwrap_or_default())
}
