//! Reads of aspect history: the latest version or a given version of one aspect, and the
//! versions of entities' aspects, newest first, with who wrote each, when, and in which run.
//!
//! Versions are numbered as the write path numbers them: 1 for the first write of an aspect,
//! one more for each write that changed its value; `is_latest` marks the current one.

use futures_util::FutureExt;
use serde_json::Value;

use super::records::EntityId;
use super::text::check_aspect_name;
use super::{Catalog, Error, Result};
use crate::store::aspect;
use crate::urn::Urn;

/// One stored version of one aspect.
#[derive(Clone, Debug, PartialEq)]
pub struct AspectVersion {
    pub entity: EntityId,
    pub aspect: String,
    pub version: i64,
    pub is_latest: bool,
    pub value: Value,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

impl TryFrom<aspect::Model> for AspectVersion {
    type Error = Error;

    fn try_from(row: aspect::Model) -> Result<AspectVersion> {
        let value = serde_json::from_str(&row.value).map_err(|e| {
            Error::Internal(anyhow::anyhow!(
                "stored aspect row {} ({}) is not JSON: {e}",
                row.id,
                row.name
            ))
        })?;
        Ok(AspectVersion {
            entity: EntityId(row.entity_id),
            aspect: row.name,
            version: row.version,
            is_latest: row.is_latest,
            value,
            created_at: row.created_at,
            actor: row.actor,
            run_id: row.run_id,
        })
    }
}

/// Which version of an aspect to read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Version {
    Latest,
    /// The n-th version (1 is the first write).
    Number(i64),
}

impl Catalog {
    /// One version of one aspect of an entity, in one statement.
    pub async fn aspect_version(
        &self,
        urn: &Urn,
        aspect_name: &str,
        version: Version,
    ) -> Result<Option<AspectVersion>> {
        check_aspect_name("aspect", aspect_name)?;
        let number = match version {
            Version::Latest => None,
            Version::Number(n) => Some(n),
        };
        self.read(|db| aspect::version_of(db, urn.as_str(), aspect_name, number).boxed())
            .await?
            .map(TryInto::try_into)
            .transpose()
    }

    /// The latest version of every aspect of an entity, by aspect name.
    pub async fn latest_aspects_of(&self, entity: EntityId) -> Result<Vec<AspectVersion>> {
        self.read(|db| aspect::latest_of_entity(db, entity.0).boxed())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }

    /// The versions of the given entities' aspects (of one aspect when `aspect_name` is given),
    /// at most `limit` per entity, each entity's newest first; one statement for all entities.
    pub async fn aspect_histories(
        &self,
        entities: &[EntityId],
        aspect_name: Option<&str>,
        limit: u64,
    ) -> Result<Vec<AspectVersion>> {
        if let Some(name) = aspect_name {
            check_aspect_name("aspectName", name)?;
        }
        if entities.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = entities.iter().map(|e| e.0).collect();
        ids.sort_unstable();
        ids.dedup();
        self.read(|db| aspect::histories(db, &ids, aspect_name, limit).boxed())
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }
}
