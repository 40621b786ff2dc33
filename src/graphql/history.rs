//! Aspect history in GraphQL: every version of an entity's aspects, with when, by whom and in
//! which ingestion run it was written, so a UI can show what changed. The entity types expose
//! it as `aspectHistory` through [`aspect_history`]; versions load through the history loader
//! (`loaders/history.rs`), one statement per level of a query however many entities ask.

use async_graphql::{Context, Json, SimpleObject};
use serde_json::Value;

use super::loaders::{self, AspectName, HistoryKey};
use super::scalars::Long;
use crate::catalog::history;
use crate::catalog::EntityRecord;
use crate::catalog::Error;
use crate::config::Limits;

/// Versions answered when the query gives no `limit`.
pub const DEFAULT_HISTORY_LIMIT: u64 = 100;

/// How many versions `aspectHistory(limit)` may answer, for pricing its complexity.
pub fn priced_limit(limit: Option<i32>) -> usize {
    limit.map_or(DEFAULT_HISTORY_LIMIT as usize, |n| n.max(0) as usize)
}

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
    let aspect = aspect_name.map(AspectName::parse).transpose()?;
    let key = HistoryKey {
        entity: entity.id,
        aspect,
        limit,
    };
    let versions = loaders::history(ctx, key).await?;
    Ok(versions.into_iter().map(Into::into).collect())
}
