//! Reads of aspect history: the latest version or a given version of one aspect, and the
//! versions of entities' aspects, newest first, with who wrote each, when, and in which run.
//!
//! Versions are numbered as the write path numbers them: 1 for the first write of an aspect,
//! one more for each write that changed its value; `is_latest` marks the current one.

use sea_orm::sea_query::{Alias, Expr, Order, Query, WindowStatement};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
};
use serde_json::Value;

use super::records::{EntityId, EntityRecord};
use super::{Catalog, Error, Result};
use crate::store::{aspect, entity};
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
    /// The row of a URN, if any.
    pub async fn entity(&self, urn: &Urn) -> Result<Option<EntityRecord>> {
        Ok(entity::Entity::find()
            .filter(entity::Column::Urn.eq(urn.as_str()))
            .one(&self.db)
            .await?
            .map(EntityRecord::from))
    }

    /// One version of one aspect of an entity, in one statement.
    pub async fn aspect_version(
        &self,
        urn: &Urn,
        aspect_name: &str,
        version: Version,
    ) -> Result<Option<AspectVersion>> {
        let owner = Query::select()
            .column(entity::Column::Id)
            .from(entity::Entity)
            .and_where(entity::Column::Urn.eq(urn.as_str()))
            .to_owned();
        let mut find = aspect::Entity::find()
            .filter(aspect::Column::EntityId.in_subquery(owner))
            .filter(aspect::Column::Name.eq(aspect_name));
        find = match version {
            Version::Latest => find.filter(aspect::Column::IsLatest.eq(true)),
            Version::Number(n) => find.filter(aspect::Column::Version.eq(n)),
        };
        find.one(&self.db).await?.map(TryInto::try_into).transpose()
    }

    /// The latest version of every aspect of an entity, by aspect name.
    pub async fn latest_aspects_of(&self, entity: EntityId) -> Result<Vec<AspectVersion>> {
        aspect::Entity::find()
            .filter(aspect::Column::EntityId.eq(entity.0))
            .filter(aspect::Column::IsLatest.eq(true))
            .order_by_asc(aspect::Column::Name)
            .all(&self.db)
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
        if entities.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = entities.iter().map(|e| e.0).collect();
        ids.sort_unstable();
        ids.dedup();
        // Newest first: later transactions first, and within one transaction the later write.
        let newest_first = WindowStatement::partition_by(aspect::Column::EntityId)
            .order_by(aspect::Column::CreatedAt, Order::Desc)
            .order_by(aspect::Column::Id, Order::Desc)
            .to_owned();
        let rank = Alias::new("rank_in_entity");
        let mut ranked = Query::select();
        ranked
            .columns([
                aspect::Column::Id,
                aspect::Column::EntityId,
                aspect::Column::Name,
                aspect::Column::Version,
                aspect::Column::IsLatest,
                aspect::Column::Value,
                aspect::Column::CreatedAt,
                aspect::Column::Actor,
                aspect::Column::RunId,
            ])
            .expr_window_as(Expr::cust("ROW_NUMBER()"), newest_first, rank.clone())
            .from(aspect::Entity)
            .and_where(aspect::Column::EntityId.is_in(ids));
        if let Some(name) = aspect_name {
            ranked.and_where(aspect::Column::Name.eq(name));
        }
        let history = Alias::new("history");
        let statement = Query::select()
            .column((history.clone(), Alias::new("id")))
            .columns(
                [
                    "entity_id",
                    "name",
                    "version",
                    "is_latest",
                    "value",
                    "created_at",
                    "actor",
                    "run_id",
                ]
                .map(|c| (history.clone(), Alias::new(c))),
            )
            .from_subquery(ranked, history.clone())
            .and_where(Expr::col((history.clone(), rank)).lte(limit))
            .order_by((history.clone(), Alias::new("entity_id")), Order::Asc)
            .order_by((history.clone(), Alias::new("created_at")), Order::Desc)
            .order_by((history, Alias::new("id")), Order::Desc)
            .to_owned();
        let backend = self.db.get_database_backend();
        aspect::Model::find_by_statement(backend.build(&statement))
            .all(&self.db)
            .await?
            .into_iter()
            .map(TryInto::try_into)
            .collect()
    }
}
