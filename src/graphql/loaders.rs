//! Dataloaders: every nested field that loads an entity or an aspect goes through here, so the
//! SQL statements of a request grow with the depth of the query, not with its size.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::catalog::Catalog;
use crate::error::Error;
use crate::store::entity;
use crate::urn::Urn;

/// The id of an entity row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct EntityId(pub i64);

/// Loads an entity row by URN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UrnKey(pub String);

/// Loads the latest version of one aspect of one entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AspectKey {
    pub entity: EntityId,
    pub aspect: &'static str,
}

/// The catalog's batch reads behind one `DataLoader`, made fresh for each request so a query
/// after a mutation in the same request reads what the mutation wrote.
pub struct CatalogLoader(pub Catalog);

pub type Loaders = DataLoader<CatalogLoader>;

/// A batch function's error: cloned to every waiting field.
pub type LoadError = Arc<Error>;

pub fn for_request(catalog: Catalog) -> Loaders {
    DataLoader::new(CatalogLoader(catalog), tokio::spawn).max_batch_size(10_000)
}

impl Loader<UrnKey> for CatalogLoader {
    type Value = Arc<entity::Model>;
    type Error = LoadError;

    async fn load(&self, keys: &[UrnKey]) -> Result<HashMap<UrnKey, Self::Value>, Self::Error> {
        let urns: Vec<String> = keys.iter().map(|k| k.0.clone()).collect();
        let rows = self.0.entities_by_urn(&urns).await.map_err(Arc::new)?;
        Ok(rows
            .into_iter()
            .map(|row| (UrnKey(row.urn.clone()), Arc::new(row)))
            .collect())
    }
}

impl Loader<AspectKey> for CatalogLoader {
    type Value = Arc<Value>;
    type Error = LoadError;

    async fn load(&self, keys: &[AspectKey]) -> Result<HashMap<AspectKey, Self::Value>, Self::Error> {
        let wanted: Vec<(i64, String)> = keys
            .iter()
            .map(|k| (k.entity.0, k.aspect.to_string()))
            .collect();
        let rows = self.0.latest_aspects(&wanted).await.map_err(Arc::new)?;
        let mut out = HashMap::with_capacity(keys.len());
        for key in keys {
            if let Some(row) = rows
                .iter()
                .find(|r| r.entity_id == key.entity.0 && r.name == key.aspect)
            {
                let value: Value = serde_json::from_str(&row.value)
                    .map_err(|e| Arc::new(Error::Internal(e.into())))?;
                out.insert(key.clone(), Arc::new(value));
            }
        }
        Ok(out)
    }
}

fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

pub fn to_gql(e: LoadError) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(err) => err.into(),
        Err(shared) => match &*shared {
            Error::BadInput(m) => Error::BadInput(m.clone()).into(),
            Error::NotFound(m) => Error::NotFound(m.clone()).into(),
            Error::Conflict(m) => Error::Conflict(m.clone()).into(),
            Error::Internal(inner) => Error::Internal(anyhow::anyhow!("{inner:#}")).into(),
        },
    }
}

/// The latest value of an aspect, decoded into its typed struct.
pub async fn aspect<T: DeserializeOwned>(
    ctx: &Context<'_>,
    entity: &entity::Model,
    aspect: &'static str,
) -> async_graphql::Result<Option<T>> {
    let key = AspectKey {
        entity: EntityId(entity.id),
        aspect,
    };
    let Some(value) = loaders(ctx)?.load_one(key).await.map_err(to_gql)? else {
        return Ok(None);
    };
    let typed = serde_json::from_value(Value::clone(&value)).map_err(|e| {
        Error::Internal(anyhow::anyhow!("stored {aspect} of {} does not decode: {e}", entity.urn))
    })?;
    Ok(Some(typed))
}

/// One entity row by URN.
pub async fn entity(ctx: &Context<'_>, urn: &str) -> async_graphql::Result<Option<Arc<entity::Model>>> {
    loaders(ctx)?
        .load_one(UrnKey(urn.to_string()))
        .await
        .map_err(to_gql)
}

/// The rows of related entities in the order given, leaving out soft-deleted ones.
pub async fn related(ctx: &Context<'_>, urns: &[Urn]) -> async_graphql::Result<Vec<Arc<entity::Model>>> {
    let found = loaders(ctx)?
        .load_many(urns.iter().map(|u| UrnKey(u.as_str().to_string())))
        .await
        .map_err(to_gql)?;
    Ok(urns
        .iter()
        .filter_map(|u| found.get(&UrnKey(u.as_str().to_string())))
        .filter(|row| !row.removed)
        .cloned()
        .collect())
}
