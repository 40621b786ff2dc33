//! The version index (`store::version_member`): its upkeep by the write path and the reads that
//! use it. The write path calls [`sync`] with every `versionProperties` a batch changed, in
//! the batch's transaction, whoever wrote it (GraphQL, the MLflow API, the DataHub SDK): a
//! label another version of the set holds is refused there with `Conflict`, so labels stay
//! unique however they are written.
//!
//! The reads answer what the registry asks of a set without reading all its versions:
//!
//! - [`Catalog::latest_version`]`(set)`: the version that sorts last (not soft-deleted);
//! - [`Catalog::latest_by_tag_of_sets`]`(sets, tags)`: of each set, the latest carrying each
//!   tag and the latest carrying none of them (MLflow's latest version per stage);
//! - in `versions.rs`, a link's checks (is the label taken, the highest number, the latest) and
//!   a version's own record ([`Catalog::version_of`]).

use futures_util::FutureExt;
use sea_orm::{DatabaseTransaction, SqlErr};
use serde_json::Value;

use super::aspects::{AspectSpec, Relation, VersionProperties, VersionSetAliases};
use super::records::EntityId;
use super::versions::VersionRecord;
use super::{Catalog, Error, Result};
use crate::store::entity;
use crate::store::version_member::{self, Member};
use crate::urn::Urn;

/// A number label's value (`"12"` → 12).
pub(super) fn number(label: &str) -> Option<u64> {
    (!label.is_empty() && label.bytes().all(|b| b.is_ascii_digit()))
        .then(|| label.parse().ok())
        .flatten()
}

/// Brings the index in step with these `versionProperties` (by entity id; `None` when the
/// aspect was removed). Refuses, with `Conflict`, a label that another version of the same
/// set holds, in the index or in this batch.
pub(super) async fn sync(
    txn: &DatabaseTransaction,
    changed: &[(i64, Option<&Value>)],
) -> Result<()> {
    if changed.is_empty() {
        return Ok(());
    }
    let mut gone = Vec::new();
    let mut wanted: Vec<(i64, VersionProperties)> = Vec::new();
    for (id, value) in changed {
        match value {
            // The aspect was validated on its way in; one that does not decode indexes nothing.
            Some(v) => match serde_json::from_value::<VersionProperties>((*v).clone()) {
                Ok(p) if !p.label().is_empty() => wanted.push((*id, p)),
                _ => gone.push(*id),
            },
            None => gone.push(*id),
        }
    }
    version_member::delete(txn, &gone).await?;
    if wanted.is_empty() {
        return Ok(());
    }
    let sets: Vec<&str> = wanted.iter().map(|(_, p)| p.version_set.as_str()).collect();
    let set_ids: std::collections::HashMap<String, i64> =
        entity::ids_by_urn(txn, &sets).await?.into_iter().collect();
    let mut rows: Vec<version_member::Model> = Vec::with_capacity(wanted.len());
    for (id, p) in &wanted {
        let set = p.version_set.as_str();
        let Some(&set_id) = set_ids.get(set) else {
            return Err(Error::Internal(anyhow::anyhow!(
                "the version set {set} has no row after its VersionOf edge was written"
            )));
        };
        let label = p.label().to_string();
        if let Some(other) = rows.iter().find(|r| r.set_id == set_id && r.label == label) {
            return Err(taken(set, &label, other.entity_id, None));
        }
        rows.push(version_member::Model {
            entity_id: *id,
            set_id,
            number: number(&label).and_then(|n| i64::try_from(n).ok()),
            sort_id: p.sort_key(),
            label,
        });
    }
    let asked: Vec<(i64, &str)> = rows.iter().map(|r| (r.set_id, r.label.as_str())).collect();
    // A holder that is itself given a new place here leaves the label (its row is replaced);
    // its old row goes first, so that the labels stay unique row by row.
    let mut moving = Vec::new();
    for (set_id, label, holder) in version_member::holders(txn, &asked).await? {
        let mine = rows
            .iter()
            .any(|r| r.set_id == set_id && r.label == label && r.entity_id == holder);
        if !mine && rows.iter().any(|r| r.entity_id == holder) {
            moving.push(holder);
        } else if !mine {
            let set = wanted
                .iter()
                .find(|(_, p)| set_ids.get(p.version_set.as_str()) == Some(&set_id))
                .map(|(_, p)| p.version_set.to_string())
                .unwrap_or_default();
            let urn = entity::by_ids(txn, &[holder])
                .await?
                .into_iter()
                .next()
                .map(|e| e.urn);
            return Err(taken(&set, &label, holder, urn));
        }
    }
    version_member::delete(txn, &moving).await?;
    // On PostgreSQL a concurrent transaction may have given the label to another version
    // after the read above: its unique index refuses the row when that one commits.
    version_member::upsert(txn, &rows)
        .await
        .map_err(|e| match e.sql_err() {
            Some(SqlErr::UniqueConstraintViolation(_)) => {
                let labels: Vec<&str> = rows.iter().map(|r| r.label.as_str()).collect();
                Error::Conflict(format!(
                    "another version of the set took the label {} meanwhile; \
                 choose another label or try again",
                    labels.join(", ")
                ))
            }
            _ => e.into(),
        })?;
    Ok(())
}

/// The refusal of a label another version of the set holds.
pub(super) fn taken(set: &str, label: &str, holder: i64, urn: Option<String>) -> Error {
    let who = urn.unwrap_or_else(|| format!("entity {holder}"));
    Error::Conflict(format!(
        "the version set {set} has a version labelled {label:?} already ({who}); \
         choose another label or unlink that version first"
    ))
}

impl Catalog {
    /// The row id of a set, if it has one.
    pub(super) async fn set_id(&self, set: &Urn) -> Result<Option<i64>> {
        Ok(self.entity(set).await?.map(|e| e.id.0))
    }

    /// The version of the set that sorts last, leaving out soft-deleted ones and `except`.
    pub(super) async fn indexed_latest(
        &self,
        set_id: i64,
        except: &[i64],
    ) -> Result<Option<Member>> {
        Ok(self
            .read(|db| version_member::latest(db, set_id, except).boxed())
            .await?)
    }

    /// The version of the set labelled `label`, if any (soft-deleted or not).
    pub(super) async fn indexed_label(&self, set_id: i64, label: &str) -> Result<Option<Member>> {
        Ok(self
            .read(|db| version_member::by_label(db, set_id, label).boxed())
            .await?)
    }

    /// The highest number label the set has, if any.
    pub(super) async fn indexed_highest(&self, set_id: i64) -> Result<Option<u64>> {
        Ok(self
            .read(|db| version_member::highest_number(db, set_id).boxed())
            .await?
            .and_then(|n| u64::try_from(n).ok()))
    }

    /// The set's latest version (the one that sorts last, not soft-deleted), with its aliases;
    /// four statements however many versions the set has.
    pub async fn latest_version(&self, set: &Urn) -> Result<Option<VersionRecord>> {
        super::versions::check_set(set)?;
        let Some(set_id) = self.set_id(set).await? else {
            return Ok(None);
        };
        let Some(latest) = self.indexed_latest(set_id, &[]).await? else {
            return Ok(None);
        };
        let urn = Urn::parse(&latest.urn).map_err(|e| Error::Internal(e.into()))?;
        self.version_record(set, set_id, &urn, latest.entity_id, true)
            .await
    }

    /// The latest version of each of these sets (as [`Catalog::latest_version`] picks it), as
    /// `(set URN, version URN)`; a set with no live version is left out. One statement for
    /// them all: what a page of versions of several sets asks to mark the latest.
    pub async fn latest_of_sets(&self, sets: &[&str]) -> Result<Vec<(String, String)>> {
        Ok(self
            .read(|db| version_member::latest_of_sets(db, sets).boxed())
            .await?)
    }

    /// How many versions the set has (soft-deleted ones too); one statement.
    pub async fn version_count(&self, set: &Urn) -> Result<u64> {
        super::versions::check_set(set)?;
        let n = self
            .read(|db| version_member::count(db, set.as_str()).boxed())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    /// For each of these sets, the versions that are latest among those carrying each of
    /// `tags` (by `TaggedWith`), and the latest carrying none of them (MLflow's latest version
    /// per stage): one statement for all the sets, each answer a read backwards from the end
    /// of its set that stops at the first version that qualifies, whatever the number of
    /// versions. A set with no version in the index at all is left out.
    pub async fn latest_by_tag_of_sets(
        &self,
        sets: &[Urn],
        tags: &[Urn],
    ) -> Result<Vec<SetLatest>> {
        for set in sets {
            super::versions::check_set(set)?;
        }
        let set_urns: Vec<&str> = sets.iter().map(Urn::as_str).collect();
        let tag_urns: Vec<&str> = tags.iter().map(Urn::as_str).collect();
        let rows = self
            .read(|db| {
                version_member::latest_by_tag_of_sets(
                    db,
                    &set_urns,
                    Relation::TaggedWith.as_str(),
                    &tag_urns,
                )
                .boxed()
            })
            .await?;
        let mut out = Vec::with_capacity(rows.len());
        for row in rows {
            let mut latest: Vec<Urn> = Vec::new();
            for urn in row.tagged.into_iter().chain([row.untagged]).flatten() {
                let urn = Urn::parse(&urn).map_err(|e| Error::Internal(e.into()))?;
                if !latest.contains(&urn) {
                    latest.push(urn);
                }
            }
            out.push(SetLatest {
                set_id: EntityId(row.set_id),
                set: row.set_urn,
                latest,
            });
        }
        Ok(out)
    }

    /// `entity` (row `entity_id`) as a version of `set` (row `set_id`), with the aliases it holds
    /// from the set's alias map; `None` when its `versionProperties` names another set.
    pub(super) async fn version_record(
        &self,
        set: &Urn,
        set_id: i64,
        entity: &Urn,
        entity_id: i64,
        is_latest: bool,
    ) -> Result<Option<VersionRecord>> {
        let keys = [
            (EntityId(entity_id), VersionProperties::NAME),
            (EntityId(set_id), VersionSetAliases::NAME),
        ];
        let mut props = None;
        let mut aliases = Vec::new();
        for found in self.latest_aspects(&keys).await? {
            match found.aspect.as_str() {
                VersionProperties::NAME if found.entity.0 == entity_id => {
                    props = serde_json::from_str::<VersionProperties>(&found.value).ok();
                }
                VersionSetAliases::NAME if found.entity.0 == set_id => {
                    let map: VersionSetAliases =
                        serde_json::from_str(&found.value).unwrap_or_default();
                    aliases = super::versions::held_by(map, entity);
                }
                _ => {}
            }
        }
        Ok(props.filter(|p| p.version_set == *set).map(|p| {
            super::versions::record(
                set,
                EntityId(entity_id),
                entity.clone(),
                p,
                aliases,
                is_latest,
            )
        }))
    }
}

/// What [`Catalog::latest_by_tag_of_sets`] answers of one set: its row and URN, and its
/// latest version of each tag asked and of none of them, each once.
#[derive(Debug)]
pub struct SetLatest {
    pub set_id: EntityId,
    pub set: String,
    pub latest: Vec<Urn>,
}
