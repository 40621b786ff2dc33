//! Reads the front doors need: entities and latest aspects in batches (for dataloaders), and
//! filtered, paginated lists.

use super::aspects::Relation;
use super::records::{EntityId, EntityRecord};
use super::text::{refuse_longer, refuse_nul, MAX_PLATFORM_CHARS, MAX_QUERY_CHARS};
use super::{Catalog, Result};
use crate::store::{self, aspect, entity};
use crate::urn::{EntityKind, Urn};
use futures_util::FutureExt;

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

impl ListFilter {
    /// Refuses filters no backend should be asked for: a NUL, or text longer than any stored
    /// value (a long `query` also makes SQLite's LIKE give up).
    fn check(&self) -> Result<()> {
        let fields = [
            ("platform", &self.platform, MAX_PLATFORM_CHARS),
            ("origin", &self.env, MAX_PLATFORM_CHARS),
            ("query", &self.query, MAX_QUERY_CHARS),
        ];
        for (field, text, max) in fields {
            if let Some(text) = text {
                refuse_nul(field, text)?;
                refuse_longer(field, text, max)?;
            }
        }
        Ok(())
    }
}

impl Catalog {
    /// The entity of a URN, if any.
    pub async fn entity(&self, urn: &Urn) -> Result<Option<EntityRecord>> {
        Ok(self
            .read(|db| entity::by_urn(db, urn.as_str()).boxed())
            .await?
            .map(EntityRecord::from))
    }

    /// The entities of the given URNs that exist, in no particular order; one statement.
    pub async fn entities_by_urn(&self, urns: &[&Urn]) -> Result<Vec<EntityRecord>> {
        let urns: Vec<&str> = urns.iter().map(|u| u.as_str()).collect();
        let rows = self.read(|db| entity::by_urns(db, &urns).boxed()).await?;
        Ok(rows.into_iter().map(EntityRecord::from).collect())
    }

    /// The entities of the given ids that exist, in no particular order; one statement.
    pub async fn entities_by_id(&self, ids: &[EntityId]) -> Result<Vec<EntityRecord>> {
        let ids: Vec<i64> = ids.iter().map(|id| id.0).collect();
        let rows = self.read(|db| entity::by_ids(db, &ids).boxed()).await?;
        Ok(rows.into_iter().map(EntityRecord::from).collect())
    }

    /// The latest value (JSON text) of each requested `(entity, aspect name)` that exists, in
    /// one statement. The answer may hold pairs nobody asked for; callers pick theirs.
    pub async fn latest_aspects(&self, keys: &[(EntityId, &str)]) -> Result<Vec<LatestAspect>> {
        let pairs: Vec<(i64, &str)> = keys.iter().map(|(id, name)| (id.0, *name)).collect();
        let rows = self
            .read(|db| aspect::latest_values(db, &pairs).boxed())
            .await?;
        Ok(rows
            .into_iter()
            .map(|row| LatestAspect {
                entity: EntityId(row.entity_id),
                aspect: row.name,
                value: row.value,
            })
            .collect())
    }

    /// One page of the written entities of a type that are not soft-deleted, ordered by name
    /// then URN, and the total that match. A filter with a NUL or over its length
    /// ([`MAX_QUERY_CHARS`] for `query`) is refused.
    pub async fn list(
        &self,
        kind: &EntityKind,
        filter: &ListFilter,
        start: u64,
        count: u64,
    ) -> Result<(Vec<EntityRecord>, u64)> {
        filter.check()?;
        let query = entity::ListQuery {
            entity_type: kind.as_str(),
            platform: filter
                .platform
                .as_deref()
                .map(|p| p.strip_prefix("urn:li:dataPlatform:").unwrap_or(p)),
            env: filter.env.as_deref(),
            name_contains: filter.query.as_deref(),
            offset: start,
            limit: count,
        };
        let (rows, total) = self.read(|db| entity::list(db, &query).boxed()).await?;
        Ok((rows.into_iter().map(EntityRecord::from).collect(), total))
    }

    /// The written, not soft-deleted entities of `kind` on `platform` whose name, the URN's or
    /// the `name` field of their latest `aspect`, matches the SQL LIKE `pattern` (`%`, `_`; no
    /// escape) compared without regard to case: a superset of the case-sensitive matches, for
    /// the caller to narrow. One statement, which reads only the matching entities' rows.
    pub async fn named_like(
        &self,
        kind: &EntityKind,
        platform: &str,
        aspect: &str,
        pattern: &str,
    ) -> Result<Vec<EntityRecord>> {
        refuse_nul("filter", pattern)?;
        refuse_longer("filter", pattern, MAX_QUERY_CHARS)?;
        let query = entity::NamedLike {
            entity_type: kind.as_str(),
            platform,
            aspect,
            pattern,
        };
        Ok(self
            .read(|db| entity::named_like(db, &query).boxed())
            .await?
            .into_iter()
            .map(EntityRecord::from)
            .collect())
    }

    /// One page of the entities, not soft-deleted, in `domain` (an `AssociatedWith` edge from
    /// their `domains` aspect), of the URN entity types `kinds` when given, ordered by URN, and
    /// how many there are in all.
    pub async fn in_domain(
        &self,
        domain: &Urn,
        kinds: Option<&[&str]>,
        start: u64,
        count: u64,
    ) -> Result<(Vec<EntityRecord>, u64)> {
        let relation = Relation::AssociatedWith.as_str();
        let (rows, total) = self
            .read(|db| {
                entity::with_edge_to(db, domain.as_str(), relation, kinds, start, count).boxed()
            })
            .await?;
        Ok((rows.into_iter().map(EntityRecord::from).collect(), total))
    }

    /// One page of the URNs of the written entities of a type (soft-deleted ones included,
    /// as DataHub's `listUrns` answers them), in the order the catalog first saw them, and how
    /// many there are.
    pub async fn list_urns(
        &self,
        kind: &EntityKind,
        offset: u64,
        limit: u64,
    ) -> Result<(Vec<String>, u64)> {
        Ok(self
            .read(|db| entity::urns_of_type(db, kind.as_str(), offset, limit).boxed())
            .await?)
    }

    /// The names an entity goes by: the name part of its URN and the `name` of each of its
    /// latest aspects that has one (`domainProperties`, `tagProperties`, `datasetProperties`).
    pub async fn display_names(&self, entity: &EntityRecord) -> Result<Vec<String>> {
        let mut names = vec![entity.name.clone()];
        for row in self
            .read(|db| aspect::latest_of_entity(db, entity.id.0).boxed())
            .await?
        {
            let value: serde_json::Value = match serde_json::from_str(&row.value) {
                Ok(v) => v,
                Err(_) => continue,
            };
            if let Some(name) = value.get("name").and_then(serde_json::Value::as_str) {
                names.push(name.to_string());
            }
        }
        Ok(names)
    }

    /// Whether the database answers.
    pub async fn ping(&self) -> Result<()> {
        Ok(self.db.ping().await?)
    }

    /// How many of this binary's migrations the database has not applied (0: the schema is
    /// current).
    pub async fn pending_migrations(&self) -> Result<usize> {
        Ok(store::pending_migrations(&self.db).await?)
    }

    /// The connection pool now: connections open, of them idle, and the most it may open.
    pub fn pool_state(&self) -> (u32, usize, u32) {
        store::pool_state(&self.db)
    }
}
