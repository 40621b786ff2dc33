//! The records the catalog hands out: an entity, an edge with its two ends, and the plain ids
//! they are keyed by. Storage rows stay in `store`; these are what the front doors see.

use std::sync::Arc;

use super::aspects::Relation;
use super::error::{Error, Result};
use crate::store::{edge, entity};
use crate::urn::EntityKind;

/// The id of an entity in the catalog.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EntityId(pub i64);

/// One entity: its URN and the key parts parsed out of it, and what the catalog knows of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityRecord {
    pub id: EntityId,
    /// The URN as written; it parsed before it was stored.
    pub urn: String,
    pub kind: EntityKind,
    /// The name part of the URN.
    pub name: String,
    pub platform: Option<String>,
    pub env: Option<String>,
    pub namespace: Option<String>,
    /// False for a URN that is only referenced so far (a feature's source dataset nobody
    /// described).
    pub exists: bool,
    /// Soft-deleted: the latest `status` aspect says `removed`.
    pub removed: bool,
    /// Milliseconds since the epoch.
    pub created_at: i64,
    /// When an aspect of it was last written, in milliseconds since the epoch.
    pub updated_at: i64,
}

impl From<entity::Model> for EntityRecord {
    fn from(row: entity::Model) -> EntityRecord {
        EntityRecord {
            id: EntityId(row.id),
            kind: EntityKind::parse(&row.entity_type),
            urn: row.urn,
            name: row.name,
            platform: row.platform,
            env: row.env,
            namespace: row.namespace,
            exists: row.has_aspects,
            removed: row.removed,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// One relationship, from upstream (`source`) to downstream (`destination`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EdgeRecord {
    pub id: i64,
    pub source: EntityId,
    pub destination: EntityId,
    pub relation: Relation,
    /// The entity whose aspect declares the edge.
    pub declared_by: EntityId,
    /// The aspect that declares it.
    pub aspect: String,
    pub created_at: i64,
    /// When its aspect stopped declaring it; `None` while it is current.
    pub removed_at: Option<i64>,
}

impl TryFrom<edge::Model> for EdgeRecord {
    type Error = Error;

    fn try_from(row: edge::Model) -> Result<EdgeRecord> {
        let relation = Relation::parse(&row.relation).ok_or_else(|| {
            Error::Internal(anyhow::anyhow!(
                "edge {} has the unknown relation {:?}",
                row.id,
                row.relation
            ))
        })?;
        Ok(EdgeRecord {
            id: row.id,
            source: EntityId(row.source_id),
            destination: EntityId(row.destination_id),
            relation,
            declared_by: EntityId(row.declared_by),
            aspect: row.aspect,
            created_at: row.created_at,
            removed_at: row.removed_at,
        })
    }
}

/// An edge with both of its ends.
#[derive(Clone, Debug)]
pub struct Edge {
    pub edge: EdgeRecord,
    /// The upstream end.
    pub source: Arc<EntityRecord>,
    /// The downstream end.
    pub destination: Arc<EntityRecord>,
}

impl Edge {
    /// The other end, seen from `id`, and whether it lies upstream of `id`.
    pub fn other_end(&self, id: EntityId) -> (&Arc<EntityRecord>, bool) {
        if self.edge.destination == id {
            (&self.source, true)
        } else {
            (&self.destination, false)
        }
    }
}
