//! Aspect history by `(entity id, aspect name, limit)`: the loader behind every entity's
//! `aspectHistory` field, one statement per level of a query however many entities ask.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::history::AspectVersion;
use crate::catalog::text::check_aspect_name;
use crate::catalog::{EntityId, Error};

/// The name of an aspect asked for by a client, such as `mlModelProperties`: checked once
/// where it enters, so a key never holds arbitrary text.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AspectName(String);

impl AspectName {
    /// Accepts what an aspect name can be: 1 to 128 ASCII letters and digits.
    pub fn parse(name: String) -> Result<AspectName, Error> {
        check_aspect_name("aspectName", &name)?;
        Ok(AspectName(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Loads the history of one entity: its aspects' versions (of one aspect when `aspect` is
/// set), newest first, at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryKey {
    pub entity: EntityId,
    pub aspect: Option<AspectName>,
    pub limit: u64,
}

impl Loader<HistoryKey> for CatalogLoader {
    type Value = Vec<AspectVersion>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[HistoryKey],
    ) -> Result<HashMap<HistoryKey, Self::Value>, Self::Error> {
        // Keys asked with the same arguments (the usual case: one field over a list of
        // entities) share one statement.
        let mut groups: HashMap<(Option<&AspectName>, u64), Vec<EntityId>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.aspect.as_ref(), key.limit))
                .or_default()
                .push(key.entity);
        }
        // Every key gets an entry, an empty list for an entity without history, so a missing
        // key never reads as a failed load.
        let mut out: HashMap<HistoryKey, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((aspect, limit), ids) in groups {
            let rows = self
                .catalog
                .aspect_histories(&ids, aspect.map(AspectName::as_str), limit)
                .await
                .map_err(Arc::new)?;
            for row in rows {
                let key = HistoryKey {
                    entity: row.entity,
                    aspect: aspect.cloned(),
                    limit,
                };
                if let Some(list) = out.get_mut(&key) {
                    list.push(row);
                }
            }
        }
        Ok(out)
    }
}

/// The versions a key asks for, newest first; empty for an entity without history.
pub async fn history(
    ctx: &Context<'_>,
    key: HistoryKey,
) -> async_graphql::Result<Vec<AspectVersion>> {
    Ok(loaders(ctx, 1)?
        .load_one(key)
        .await
        .map_err(to_gql)?
        .unwrap_or_default())
}
