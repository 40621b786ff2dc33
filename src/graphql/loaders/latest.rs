//! The latest version of a version set by the set's URN: the loader behind `isLatest`, one
//! statement for every set a level of a query names (a group's page of versions names one).

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use async_graphql::Context;

use super::{loaders, to_gql, CatalogLoader, LoadError};

/// A version set's URN, whose latest version is wanted.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LatestKey(pub String);

impl Loader<LatestKey> for CatalogLoader {
    /// The latest version's URN; no entry for a set without a live version.
    type Value = String;
    type Error = LoadError;

    async fn load(&self, keys: &[LatestKey]) -> Result<HashMap<LatestKey, String>, LoadError> {
        let sets: Vec<&str> = keys.iter().map(|k| k.0.as_str()).collect();
        let found = self.catalog.latest_of_sets(&sets).await.map_err(Arc::new)?;
        Ok(found
            .into_iter()
            .map(|(set, latest)| (LatestKey(set), latest))
            .collect())
    }
}

/// The URN of the set's latest version (the one that sorts last, not soft-deleted), from the
/// version index; `None` when the set has none.
pub async fn latest_version(ctx: &Context<'_>, set: &str) -> async_graphql::Result<Option<String>> {
    loaders(ctx, 1)?
        .load_one(LatestKey(set.to_string()))
        .await
        .map_err(to_gql)
}
