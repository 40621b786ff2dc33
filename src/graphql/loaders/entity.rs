//! Entities by URN: the loader behind every field that names entities by URN (a lookup, the
//! URN lists of an aspect), one statement per level of a query.

use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};
use crate::catalog::EntityRecord;
use crate::urn::Urn;

/// Loads an entity by URN. Hashed and compared by the URN's text alone (the rest of a `Urn`
/// follows from it): the dataloader hashes every key several times, and the nested benchmark
/// query looks up thousands. It borrows as that text, so a map of answers is read with a `&str`.
#[derive(Clone, Debug)]
pub struct UrnKey(pub Urn);

impl PartialEq for UrnKey {
    fn eq(&self, other: &UrnKey) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Eq for UrnKey {}

impl Hash for UrnKey {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.0.as_str().hash(state);
    }
}

impl Borrow<str> for UrnKey {
    fn borrow(&self) -> &str {
        self.0.as_str()
    }
}

impl Loader<UrnKey> for CatalogLoader {
    type Value = Arc<EntityRecord>;
    type Error = LoadError;

    async fn load(&self, keys: &[UrnKey]) -> Result<HashMap<UrnKey, Self::Value>, Self::Error> {
        let urns: Vec<&Urn> = keys.iter().map(|k| &k.0).collect();
        let rows = self
            .catalog
            .entities_by_urn(&urns)
            .await
            .map_err(Arc::new)?;
        // Which key each row answers. This map lives for one batch, so it uses a fast hasher
        // instead of the DoS-resistant default: the nested benchmark query looks up thousands
        // of URNs (BENCHMARKS.md).
        let by_text: HashMap<&str, &UrnKey, foldhash::fast::RandomState> =
            keys.iter().map(|k| (k.0.as_str(), k)).collect();
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
    loaders(ctx, 1)?
        .load_one(UrnKey(urn.clone()))
        .await
        .map_err(to_gql)
}

/// The entities of `urns` in the order given, `None` where the catalog has none: one batch.
pub async fn entities(
    ctx: &Context<'_>,
    urns: &[Urn],
) -> async_graphql::Result<Vec<Option<Arc<EntityRecord>>>> {
    let found = loaders(ctx, urns.len())?
        .load_many(urns.iter().map(|u| UrnKey(u.clone())))
        .await
        .map_err(to_gql)?;
    Ok(urns
        .iter()
        .map(|u| found.get(u.as_str()).cloned())
        .collect())
}

/// Related entities in the order given, leaving out soft-deleted ones.
pub async fn related(
    ctx: &Context<'_>,
    urns: &[Urn],
) -> async_graphql::Result<Vec<Arc<EntityRecord>>> {
    let found = loaders(ctx, urns.len())?
        .load_many(urns.iter().map(|u| UrnKey(u.clone())))
        .await
        .map_err(to_gql)?;
    Ok(urns
        .iter()
        .filter_map(|u| found.get(u.as_str()))
        .filter(|row| !row.removed)
        .cloned()
        .collect())
}
