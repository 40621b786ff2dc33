//! Reads the front doors need: entities and latest aspects in batches (for dataloaders), and
//! filtered, paginated lists.

use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{
    ColumnTrait, Condition, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};

use super::Catalog;
use crate::error::Result;
use crate::store::{aspect, entity};
use crate::urn::EntityKind;

/// `(entity id, aspect name, value as JSON text)`.
pub type LatestAspect = (i64, String, String);

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
    pub async fn entities_by_urn(&self, urns: &[String]) -> Result<Vec<entity::Model>> {
        if urns.is_empty() {
            return Ok(Vec::new());
        }
        Ok(entity::Entity::find()
            .filter(entity::Column::Urn.is_in(urns.iter().map(String::as_str)))
            .all(&self.db)
            .await?)
    }

    /// The rows of the given ids that exist, in no particular order.
    pub async fn entities_by_id(&self, ids: &[i64]) -> Result<Vec<entity::Model>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        Ok(entity::Entity::find()
            .filter(entity::Column::Id.is_in(ids.iter().copied()))
            .all(&self.db)
            .await?)
    }

    /// The latest value (JSON text) of each requested `(entity id, aspect name)` that exists,
    /// as `(entity id, aspect name, value)`, in one statement. Only those three columns are
    /// read: the loaders need no more, and every column read costs a copy per row.
    pub async fn latest_aspects(&self, keys: &[(i64, String)]) -> Result<Vec<LatestAspect>> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let mut ids: Vec<i64> = keys.iter().map(|k| k.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut names: Vec<&str> = keys.iter().map(|k| k.1.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        // The cross product of ids and names may hold pairs nobody asked for; the caller keeps
        // what it asked for. One statement either way.
        Ok(aspect::Entity::find()
            .select_only()
            .columns([
                aspect::Column::EntityId,
                aspect::Column::Name,
                aspect::Column::Value,
            ])
            .filter(aspect::Column::EntityId.is_in(ids))
            .filter(aspect::Column::Name.is_in(names))
            .filter(aspect::Column::IsLatest.eq(true))
            .into_tuple()
            .all(&self.db)
            .await?)
    }

    /// One page of the written entities of a type that are not soft-deleted, ordered by name then URN,
    /// and the total that match.
    pub async fn list(
        &self,
        kind: &EntityKind,
        filter: &ListFilter,
        start: u64,
        count: u64,
    ) -> Result<(Vec<entity::Model>, u64)> {
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
        Ok((rows, total))
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }
}
