//! Reads the front doors need: entities and latest aspects in batches (for dataloaders), and
//! filtered, paginated lists.

use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Value,
};

use super::records::{EntityId, EntityRecord};
use super::{Catalog, Result};
use crate::store::{aspect, entity};
use crate::urn::{EntityKind, Urn};

/// The latest version of one aspect of one entity, as stored.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestAspect {
    pub entity: EntityId,
    pub aspect: String,
    /// The value as JSON text: a reader decodes it straight into its typed aspect.
    pub value: String,
}

/// Filters of a list; all optional, combined with AND.
#[derive(Clone, Debug, Default)]
pub struct ListFilter {
    /// A platform name (`feast`) or platform URN (`urn:li:dataPlatform:feast`).
    pub platform: Option<String>,
    /// An environment (`PROD`).
    pub env: Option<String>,
    /// A case-insensitive substring of the name.
    pub query: Option<String>,
}

impl Catalog {
    /// The rows of the given URNs that exist, in no particular order.
    pub async fn entities_by_urn(&self, urns: &[&Urn]) -> Result<Vec<EntityRecord>> {
        self.entities_where(entity::Column::Urn, urns.iter().map(|u| u.as_str()))
            .await
    }

    /// The rows of the given ids that exist, in no particular order.
    pub async fn entities_by_id(&self, ids: &[EntityId]) -> Result<Vec<EntityRecord>> {
        self.entities_where(entity::Column::Id, ids.iter().map(|id| id.0))
            .await
    }

    /// The entity rows whose `column` is one of `values`, in one statement.
    async fn entities_where<V: Into<Value>>(
        &self,
        column: entity::Column,
        values: impl ExactSizeIterator<Item = V>,
    ) -> Result<Vec<EntityRecord>> {
        if values.len() == 0 {
            return Ok(Vec::new());
        }
        let q = entity::Model::select_where(self.db.get_database_backend(), column, values);
        let rows = entity::Model::fetch(&self.db, q).await?;
        Ok(rows.into_iter().map(EntityRecord::from).collect())
    }

    /// The latest value (JSON text) of each requested `(entity id, aspect name)` that exists,
    /// as `(entity id, aspect name, value)`, in one statement. Only those three columns are
    /// read: the loaders need no more, and every column read costs a copy per row.
    pub async fn latest_aspects(&self, keys: &[(EntityId, &str)]) -> Result<Vec<LatestAspect>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let q = aspect::Model::select_latest(
            self.db.get_database_backend(),
            "\"entity_id\", \"name\", \"value\"",
            keys.iter().map(|(id, name)| (id.0, *name)),
        );
        let rows = q.rows(&self.db).await?;
        Ok(rows
            .iter()
            .map(|row| {
                Ok(LatestAspect {
                    entity: EntityId(row.try_get_by_index(0)?),
                    aspect: row.try_get_by_index(1)?,
                    value: row.try_get_by_index(2)?,
                })
            })
            .collect::<std::result::Result<_, sea_orm::DbErr>>()?)
    }

    /// One page of the written entities of a type that are not soft-deleted, ordered by name then URN,
    /// and the total that match.
    pub async fn list(
        &self,
        kind: &EntityKind,
        filter: &ListFilter,
        start: u64,
        count: u64,
    ) -> Result<(Vec<EntityRecord>, u64)> {
        // Entities only referenced so far (a source dataset nobody described) are not listed.
        let mut cond = Condition::all()
            .add(entity::Column::EntityType.eq(kind.as_str()))
            .add(entity::Column::HasAspects.eq(true))
            .add(entity::Column::Removed.eq(false));
        if let Some(platform) = &filter.platform {
            let name = platform
                .strip_prefix("urn:li:dataPlatform:")
                .unwrap_or(platform);
            cond = cond.add(entity::Column::Platform.eq(name));
        }
        if let Some(env) = &filter.env {
            cond = cond.add(entity::Column::Env.eq(env.as_str()));
        }
        if let Some(q) = filter.query.as_deref().filter(|q| !q.is_empty()) {
            let escaped = q
                .to_lowercase()
                .replace('\\', "\\\\")
                .replace('%', "\\%")
                .replace('_', "\\_");
            cond = cond.add(
                Expr::col(entity::Column::SearchName)
                    .like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
            );
        }
        let total = entity::Entity::find()
            .filter(cond.clone())
            .count(&self.db)
            .await?;
        let rows = entity::Entity::find()
            .filter(cond)
            .order_by_asc(entity::Column::Name)
            .order_by_asc(entity::Column::Urn)
            .offset(start)
            .limit(count)
            .all(&self.db)
            .await?;
        Ok((rows.into_iter().map(EntityRecord::from).collect(), total))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }
}
