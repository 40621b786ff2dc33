//! Aspect history in GraphQL: every version of an entity's aspects, with when, by whom and in
//! which ingestion run it was written, so a UI can show what changed. The entity types expose
//! it as `aspectHistory` through [`aspect_history`]; versions load through the request's
//! dataloader, one statement per level of a query however many entities ask.

use std::collections::HashMap;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, Json, SimpleObject};
use serde_json::Value;

use super::loaders::{to_gql, CatalogLoader, LoadError, Loaders};
use super::scalars::Long;
use crate::catalog::history;
use crate::catalog::Error;
use crate::catalog::{EntityId, EntityRecord};
use crate::config::Limits;

/// Versions answered when the query gives no `limit`.
pub const DEFAULT_HISTORY_LIMIT: u64 = 100;

/// One version of one aspect: its value, and who wrote it, when and in which run.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "AspectVersion")]
pub struct AspectVersion {
    /// The aspect's name, such as `mlModelProperties`.
    pub aspect_name: String,
    /// 1 for the first write of the aspect, one more for each write that changed its value.
    /// (DataHub's REST API calls the latest version 0 and numbers older ones the same way.)
    pub version: Long,
    /// Whether this is the aspect's current value.
    pub is_latest: bool,
    /// When it was written, in milliseconds since the epoch.
    pub created_at: Long,
    /// Who wrote it: the actor of the request, or `anonymous`.
    pub actor: String,
    /// The ingestion run that wrote it (`systemMetadata.runId` of a DataHub proposal), if any.
    pub run_id: Option<String>,
    /// The aspect as written, in DataHub's JSON shape.
    pub value: Json<Value>,
}

impl From<history::AspectVersion> for AspectVersion {
    fn from(v: history::AspectVersion) -> AspectVersion {
        AspectVersion {
            aspect_name: v.aspect,
            version: Long(v.version),
            is_latest: v.is_latest,
            created_at: Long(v.created_at),
            actor: v.actor,
            run_id: v.run_id,
            value: Json(v.value),
        }
    }
}

/// Loads the history of one entity: its aspects' versions (of one aspect when `aspect` is
/// set), newest first, at most `limit`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct HistoryKey {
    pub entity: EntityId,
    pub aspect: Option<String>,
    pub limit: u64,
}

impl Loader<HistoryKey> for CatalogLoader {
    type Value = Vec<history::AspectVersion>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[HistoryKey],
    ) -> Result<HashMap<HistoryKey, Self::Value>, Self::Error> {
        // Keys asked with the same arguments (the usual case: one field over a list of
        // entities) share one statement.
        let mut groups: HashMap<(Option<&str>, u64), Vec<EntityId>> = HashMap::new();
        for key in keys {
            groups
                .entry((key.aspect.as_deref(), key.limit))
                .or_default()
                .push(key.entity);
        }
        // Every key gets an entry, an empty list for an entity without history, so a missing
        // key never reads as a failed load.
        let mut out: HashMap<HistoryKey, Self::Value> =
            keys.iter().map(|k| (k.clone(), Vec::new())).collect();
        for ((aspect, limit), ids) in groups {
            let rows = self
                .0
                .aspect_histories(&ids, aspect, limit)
                .await
                .map_err(std::sync::Arc::new)?;
            for row in rows {
                let key = HistoryKey {
                    entity: row.entity,
                    aspect: aspect.map(str::to_string),
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

/// The versions of an entity's aspects, newest first: the resolver behind each entity type's
/// `aspectHistory(aspectName, limit)` field.
pub async fn aspect_history(
    ctx: &Context<'_>,
    entity: &EntityRecord,
    aspect_name: Option<String>,
    limit: Option<i32>,
) -> async_graphql::Result<Vec<AspectVersion>> {
    let max = ctx.data_opt::<Limits>().map_or(1000, |l| l.max_page_size);
    let limit = match limit {
        None => DEFAULT_HISTORY_LIMIT.min(max),
        Some(n) if n >= 1 && (n as u64) <= max => n as u64,
        Some(n) => {
            return Err(
                Error::bad_input(format!("limit must be between 1 and {max}, got {n}")).into(),
            )
        }
    };
    if let Some(name) = &aspect_name {
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric()) {
            return Err(Error::bad_input(format!(
                "aspectName {name:?} must be an aspect name such as mlModelProperties"
            ))
            .into());
        }
    }
    let key = HistoryKey {
        entity: entity.id,
        aspect: aspect_name,
        limit,
    };
    let versions = ctx
        .data::<Loaders>()?
        .load_one(key)
        .await
        .map_err(to_gql)?
        .unwrap_or_default();
    Ok(versions.into_iter().map(Into::into).collect())
}
