//! The latest version of an aspect by `(entity id, aspect name)`: the loader behind every field
//! that reads an aspect (properties, status, editable properties, training data).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;
use serde::de::DeserializeOwned;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::{EntityId, EntityRecord, Error};

/// Loads the latest version of one aspect of one entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AspectKey {
    pub entity: EntityId,
    /// An aspect name the schema knows (`AspectSpec::NAME`), such as `mlModelProperties`.
    pub aspect: &'static str,
}

impl Loader<AspectKey> for CatalogLoader {
    /// The stored JSON text: each field decodes it straight into its typed aspect, with no
    /// generic JSON tree in between.
    type Value = Arc<str>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[AspectKey],
    ) -> Result<HashMap<AspectKey, Self::Value>, Self::Error> {
        let wanted: Vec<(EntityId, &str)> = keys.iter().map(|k| (k.entity, k.aspect)).collect();
        let rows = self
            .catalog
            .latest_aspects(&wanted)
            .await
            .map_err(Arc::new)?;
        let mut by_key: HashMap<(EntityId, &str), &str> = HashMap::with_capacity(rows.len());
        for row in &rows {
            by_key.insert((row.entity, row.aspect.as_str()), row.value.as_str());
        }
        Ok(keys
            .iter()
            .filter_map(|key| {
                let text = by_key.get(&(key.entity, key.aspect))?;
                Some((key.clone(), Arc::from(*text)))
            })
            .collect())
    }
}

/// The latest value of an aspect, decoded into its typed struct.
pub async fn aspect<T: DeserializeOwned>(
    ctx: &Context<'_>,
    entity: &EntityRecord,
    aspect: &'static str,
) -> async_graphql::Result<Option<T>> {
    let key = AspectKey {
        entity: entity.id,
        aspect,
    };
    let Some(text) = loaders(ctx, 1)?.load_one(key).await.map_err(to_gql)? else {
        return Ok(None);
    };
    let typed = serde_json::from_str(&text).map_err(|e| {
        Error::Internal(anyhow::anyhow!(
            "stored {aspect} of {} does not decode: {e}",
            entity.urn
        ))
    })?;
    Ok(Some(typed))
}

/// Two aspects of one entity, loaded in the same batch.
pub async fn aspect_pair<A: DeserializeOwned, B: DeserializeOwned>(
    ctx: &Context<'_>,
    entity: &EntityRecord,
    first: &'static str,
    second: &'static str,
) -> async_graphql::Result<(Option<A>, Option<B>)> {
    let (a, b) = futures_util::future::try_join(
        aspect::<A>(ctx, entity, first),
        aspect::<B>(ctx, entity, second),
    )
    .await?;
    Ok((a, b))
}
