//! Hard deletion: an entity erased with everything of it (every aspect version, every edge
//! that touches it, its index rows and soft-deletion intervals, its row), and the removal of
//! the references other entities' aspects hold to a URN, by editing those aspects through the
//! write path so their history records it. Soft deletion is the `status` aspect, written like
//! any other.

use sea_orm::DatabaseTransaction;
use serde_json::Value;

use super::aspects;
use super::write::{Patched, WriteOp};
use super::{Actor, AspectWrite, Catalog, Result};
use crate::store::{aspect, edge, entity, feed, removal, search, timeseries, version_member};
use crate::urn::Urn;

/// The most aspects one `deleteReferences` edits; a URN referenced more often is cleaned up by
/// calling it again.
pub const MAX_REFERENCES: u64 = 10_000;

/// One aspect of another entity that refers to a URN.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// The entity holding the reference.
    pub entity: String,
    pub aspect: String,
    /// The relation the reference makes (`TaggedWith`, `DownstreamOf`), or `References` for
    /// one that makes no edge.
    pub relationship: String,
}

impl Catalog {
    /// Erases an entity: every version of its aspects, every edge to or from it (removed ones
    /// too, so no lineage as of the past goes through it), its index rows, its soft-deletion
    /// intervals, the events of its timeseries aspects and its row; one transaction. Answers
    /// how many aspect versions and events went, none for a URN the catalog does not hold.
    /// Other entities' aspects that name it keep naming it (see
    /// [`Catalog::delete_references`]).
    ///
    /// A version of a version set leaves it in the same transaction: the aliases it held are
    /// removed (in the alias history) and the latest version moves to the one that stays.
    pub async fn hard_delete(&self, actor: &Actor, urn: &Urn) -> Result<Erased> {
        let erased = self
            .erase_versions(actor, std::slice::from_ref(urn))
            .await?;
        Ok(erased.into_iter().next().unwrap_or_default())
    }

    /// Erases several entities as [`Catalog::hard_delete`] does, in one transaction: all go or
    /// none does. A URN the catalog does not hold is skipped.
    pub async fn hard_delete_many(&self, actor: &Actor, urns: &[Urn]) -> Result<Vec<Erased>> {
        self.erase_versions(actor, urns).await
    }

    /// The aspects of other entities that refer to `urn` (at most [`MAX_REFERENCES`]), and,
    /// unless `dry_run`, their references removed: an element of a list that is the URN, or a
    /// record holding it (a tag association, an owner, an upstream), is taken out of the list;
    /// an aspect that refers to it otherwise (a single-valued field) is removed whole. All in
    /// one transaction through the write path.
    pub async fn delete_references(
        &self,
        actor: &Actor,
        urn: &Urn,
        dry_run: bool,
    ) -> Result<Vec<Reference>> {
        let except = entity::by_urn(&self.db, urn.as_str())
            .await?
            .map_or(-1, |row| row.id);
        let needle = Value::String(urn.as_str().to_string()).to_string();
        let rows = aspect::latest_containing(&self.db, &needle, except, MAX_REFERENCES).await?;
        let mut ids: Vec<i64> = rows.iter().map(|r| r.entity_id).collect();
        ids.sort_unstable();
        ids.dedup();
        let owners: std::collections::HashMap<i64, String> = entity::by_ids(&self.db, &ids)
            .await?
            .into_iter()
            .map(|row| (row.id, row.urn))
            .collect();
        let mut found = Vec::new();
        let mut writes = Vec::new();
        for row in rows {
            let Some(owner) = owners.get(&row.entity_id) else {
                continue;
            };
            let Ok(owner) = Urn::parse(owner) else {
                continue;
            };
            let Ok(value) = serde_json::from_str::<Value>(&row.value) else {
                continue;
            };
            // The text search also finds the URN inside a string that is not a reference
            // (a description quoting it whole): only values equal to it count.
            if !holds(&value, urn.as_str()) {
                continue;
            }
            let relationship = aspects::validate(&owner, &row.name, &value)
                .ok()
                .and_then(|declared| {
                    declared
                        .edges
                        .iter()
                        .find(|e| e.upstream == *urn || e.downstream == *urn)
                        .map(|e| e.relation.as_str().to_string())
                })
                .unwrap_or_else(|| "References".to_string());
            found.push(Reference {
                entity: owner.as_str().to_string(),
                aspect: row.name.clone(),
                relationship,
            });
            let mut stripped = value.clone();
            strip(&mut stripped, urn.as_str());
            if holds(&stripped, urn.as_str()) {
                // Unless someone rewrote it since it was read.
                writes.push(AspectWrite::delete_if(owner, &row.name, value));
            } else {
                let target = urn.as_str().to_string();
                let mut write = AspectWrite::upsert(owner, &row.name, Value::Null);
                // Against the aspect as it is when the transaction reaches it, so an edit made
                // since the scan is kept.
                write.op = WriteOp::Patch(Box::new(move |current| {
                    Ok(match current {
                        Some(mut value) => {
                            let before = value.clone();
                            strip(&mut value, &target);
                            Patched {
                                changed: value != before,
                                value,
                            }
                        }
                        None => Patched {
                            value: Value::Null,
                            changed: false,
                        },
                    })
                }));
                writes.push(write.existing());
            }
        }
        if !dry_run && !writes.is_empty() {
            self.write(actor, writes).await?;
        }
        Ok(found)
    }
}

/// Whether `value` holds the string `urn` anywhere (a key does not count).
fn holds(value: &Value, urn: &str) -> bool {
    match value {
        Value::String(s) => s == urn,
        Value::Array(items) => items.iter().any(|v| holds(v, urn)),
        Value::Object(fields) => fields.values().any(|v| holds(v, urn)),
        _ => false,
    }
}

/// Takes out of every list in `value` the elements that are `urn`, or records one of whose
/// fields is `urn` (`{"tag": urn}`, `{"owner": urn, "type": ...}`, `{"dataset": urn}`).
fn strip(value: &mut Value, urn: &str) {
    match value {
        Value::Array(items) => {
            items.retain(|item| match item {
                Value::String(s) => s != urn,
                Value::Object(fields) => !fields.values().any(|v| v.as_str() == Some(urn)),
                _ => true,
            });
            for item in items {
                strip(item, urn);
            }
        }
        Value::Object(fields) => {
            for v in fields.values_mut() {
                strip(v, urn);
            }
        }
        _ => {}
    }
}

/// What erasing an entity removed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Erased {
    /// Aspect versions.
    pub versions: u64,
    /// Events of its timeseries aspects.
    pub events: u64,
}

/// Erases one entity inside `txn` (see [`Catalog::hard_delete`]): what went, nothing when it
/// has no row. The change feed keeps a tombstone of it, since its versions go.
pub(super) async fn erase(
    txn: &DatabaseTransaction,
    actor: &Actor,
    urn: &Urn,
    now: i64,
) -> Result<Erased> {
    // Locked (on PostgreSQL) like any write of it, so a write in progress finishes first.
    let (mut rows, feed_key) = entity::lock_by_urns(txn, &[urn.as_str()]).await?;
    let Some(row) = rows.pop() else {
        return Ok(Erased::default());
    };
    feed::insert_tombstones(
        txn,
        vec![feed::NewTombstone {
            urn: row.urn.clone(),
            entity_type: row.entity_type.clone(),
            aspect: None,
            version: None,
            kind: feed::HARD_DELETE,
            actor: actor.name.clone(),
            run_id: actor.run_id.clone(),
        }],
        feed_key,
        now,
    )
    .await?;
    let events = timeseries::delete_of_entity(txn, row.id).await?;
    search::delete_of_entity(txn, row.id).await?;
    removal::delete_of_entity(txn, row.id).await?;
    edge::delete_touching(txn, row.id).await?;
    version_member::delete_touching(txn, row.id).await?;
    let versions = aspect::delete_of_entity(txn, row.id).await?;
    entity::delete(txn, row.id).await?;
    Ok(Erased { versions, events })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    const TAG: &str = "urn:li:tag:pii";

    #[test]
    fn strip_takes_references_out_of_lists_and_records() {
        let mut tags = json!({"tags": [{"tag": TAG}, {"tag": "urn:li:tag:keep"}]});
        strip(&mut tags, TAG);
        assert_eq!(tags, json!({"tags": [{"tag": "urn:li:tag:keep"}]}));

        let mut domains = json!({"domains": [TAG, "urn:li:domain:x"]});
        strip(&mut domains, TAG);
        assert_eq!(domains, json!({"domains": ["urn:li:domain:x"]}));

        let mut nested =
            json!({"fields": [{"fieldPath": "a", "globalTags": {"tags": [{"tag": TAG}]}}]});
        strip(&mut nested, TAG);
        assert_eq!(
            nested,
            json!({"fields": [{"fieldPath": "a", "globalTags": {"tags": []}}]})
        );
    }

    #[test]
    fn a_single_valued_reference_is_still_held_after_strip() {
        let mut container = json!({"container": TAG});
        strip(&mut container, TAG);
        assert!(holds(&container, TAG));
        assert!(!holds(&json!({"description": format!("see {TAG}")}), TAG));
    }
}
