//! Entities by URN: the loader behind every field that names entities by URN (a lookup, the
//! URN lists of an aspect), one statement per level of a query.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::EntityRecord;
use crate::urn::Urn;

/// Loads an entity by URN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UrnKey(pub Urn);

impl Loader<UrnKey> for CatalogLoader {
    type Value = Arc<EntityRecord>;
    type Error = LoadError;

    async fn load(&self, keys: &[UrnKey]) -> Result<HashMap<UrnKey, Self::Value>, Self::Error> {
        let urns: Vec<&Urn> = keys.iter().map(|k| &k.0).collect();
        let rows = self.0.entities_by_urn(&urns).await.map_err(Arc::new)?;
        let by_text: HashMap<&str, &UrnKey> = keys.iter().map(|k| (k.0.as_str(), k)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| Some(((*by_text.get(row.urn.as_str())?).clone(), Arc::new(row))))
            .collect())
    }
}

/// One entity by URN.
pub async fn entity(
    ctx: &Context<'_>,
    urn: &Urn,
) -> async_graphql::Result<Option<Arc<EntityRecord>>> {
    loaders(ctx)?
        .load_one(UrnKey(urn.clone()))
        .await
        .map_err(to_gql)
}

/// Related entities in the order given, leaving out soft-deleted ones.
pub async fn related(
    ctx: &Context<'_>,
    urns: &[Urn],
) -> async_graphql::Result<Vec<Arc<EntityRecord>>> {
    let found = loaders(ctx)?
        .load_many(urns.iter().map(|u| UrnKey(u.clone())))
        .await
        .map_err(to_gql)?;
    let by_text: HashMap<&str, &Arc<EntityRecord>> =
        found.iter().map(|(k, v)| (k.0.as_str(), v)).collect();
    Ok(urns
        .iter()
        .filter_map(|u| by_text.get(u.as_str()).copied())
        .filter(|row| !row.removed)
        .cloned()
        .collect())
}
