//! Applying a batch of writes inside a transaction, set-wise: a handful of statements for the
//! whole batch rather than a handful per aspect. Entity rows, latest versions and current edges
//! are read for all writes at once, and new versions and edges are written in bulk. SQLite's
//! group commit applies several batches the same way, set-wise across them (`group`).

mod group;

use std::collections::{BTreeSet, HashMap, HashSet};

use sea_orm::DatabaseTransaction;
use serde_json::Value;

use super::{Actor, AspectWrite, WriteOp, Written};
use crate::catalog::aspects::{self, Declared};
use crate::catalog::records::EntityId;
use crate::catalog::search;
use crate::catalog::timeseries as series;
use crate::catalog::{Error, Result};
use crate::store::{aspect, edge, entity, feed, removal, timeseries, CHUNK};
use crate::urn::Urn;
use group::Journal;

pub(super) use group::{apply_group, groupable, GroupBatch};

const VERSION_PROPERTIES: &str = <aspects::VersionProperties as aspects::AspectSpec>::NAME;

/// The state of one aspect of one entity while a batch is applied.
#[derive(Clone)]
struct Current {
    value: Option<Value>,
    version: i64,
    /// The row marked latest before the batch, to unmark when a new version comes.
    stored_latest: Option<i64>,
}

/// An aspect of an entity: `(entity id, aspect name)`.
type AspectKey = (i64, String);

/// Edges as `(source id, destination id, relation)`.
type EdgeSet = BTreeSet<(i64, i64, &'static str)>;

/// A version to insert.
struct NewVersion {
    entity_id: i64,
    aspect: String,
    version: i64,
    value: Value,
    actor: Actor,
}

pub(super) async fn apply_all(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: i64,
    writes: Vec<AspectWrite>,
) -> Result<Vec<Written>> {
    let mut state = Applying::read(txn, &targets(&writes), now).await?;
    let out = state.apply(actor, writes, None)?;
    state.written = out.clone();
    state.store(txn, now).await?;
    Ok(out)
}

/// What the read before applying needs of a write: its entity, its aspect, and whether it may
/// create its entity. (A write itself is not `Sync`, its patch being a closure: the read, which
/// awaits, holds these instead.)
type Target<'a> = (&'a Urn, &'a str, bool);

fn targets(writes: &[AspectWrite]) -> Vec<Target<'_>> {
    writes
        .iter()
        .map(|w| (&w.urn, w.aspect.as_str(), !w.must_exist))
        .collect()
}

/// The state of a transaction's writes while they are applied: the rows and latest versions
/// read for all of them, and what the writes applied so far make of them.
struct Applying {
    owners: HashMap<String, entity::Model>,
    feed_key: i64,
    current: HashMap<AspectKey, Current>,
    frozen: super::frozen::Frozen,
    /// Entities that exist for `must_be_new`: written before, or by an earlier write.
    existing: HashSet<i64>,
    /// Entity rows made by the read for URNs nobody had written or referenced.
    created: Vec<String>,
    versions: Vec<NewVersion>,
    /// In the order of writing; a later write of the same aspect replaces an earlier one.
    declared: Vec<(AspectKey, Declared)>,
    declared_at: HashMap<AspectKey, usize>,
    removed: HashMap<i64, bool>,
    /// Aspects removed (a later write may bring one back).
    deleted: HashSet<AspectKey>,
    /// Who removed each, in the order removed: the change feed's tombstones.
    removals: Vec<(AspectKey, Actor)>,
    /// Events of timeseries aspects: stored as a series, not as versions (see `series`).
    events: Vec<timeseries::NewEvent>,
    /// Entities a write changed what they are found by (their index rows are rebuilt). A
    /// batch of a group that fails leaves its entities here: rebuilding a row that did not
    /// change costs time, not correctness.
    found_by_changed: HashSet<i64>,
    /// The outcomes of the writes that stand.
    written: Vec<Written>,
}

impl Applying {
    /// Reads what the writes need, in a few statements for all of them.
    async fn read(txn: &DatabaseTransaction, writes: &[Target<'_>], now: i64) -> Result<Applying> {
        let writes = || writes.iter();
        // Entity rows of every owner: created where a write may create its entity, then read
        // (and on PostgreSQL locked, in id order, so concurrent batches take turns per entity).
        // New rows are made in the order the writes name them, so ids, and with them the order
        // of answers, follow the order of writing; their ids come with the rows read next.
        let creatable = first_seen(writes().filter(|w| w.2).map(|w| w.0));
        let mut created = Vec::new();
        for chunk in creatable.chunks(CHUNK) {
            created.extend(entity::insert_missing(txn, &new_rows(chunk), now).await?);
        }
        let (owners, feed_key) = lock_rows(txn, &first_seen(writes().map(|w| w.0))).await?;

        // The latest version of every aspect the writes write, in one read. Only entities
        // written before can have versions (`has_aspects` is never cleared), so a batch of new
        // entities asks nothing.
        let had_aspects = written_before(&owners);
        let mut pairs: Vec<(i64, &str)> = writes()
            .filter_map(|w| owners.get(w.0.as_str()).map(|o| (o.id, w.1)))
            .filter(|(id, _)| had_aspects.contains(id))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        let mut current: HashMap<AspectKey, Current> = HashMap::new();
        for row in aspect::latest_for_write(txn, &pairs).await? {
            let value = serde_json::from_str(&row.value).map_err(|e| anyhow::anyhow!(e))?;
            current.insert(
                (row.entity_id, row.name),
                Current {
                    value: Some(value),
                    version: row.version,
                    stored_latest: Some(row.id),
                },
            );
        }

        // An aspect with no latest version may have been removed (`WriteOp::Delete`): its next
        // version continues after the old ones.
        let missing: HashSet<(i64, &str)> = pairs
            .iter()
            .copied()
            .filter(|(id, name)| !current.contains_key(&(*id, name.to_string())))
            .collect();
        if !missing.is_empty() {
            let asked: Vec<(i64, &str)> = missing.iter().copied().collect();
            for (id, name, max) in aspect::max_versions(txn, &asked).await? {
                if missing.contains(&(id, name.as_str())) {
                    current.insert(
                        (id, name),
                        Current {
                            value: None,
                            version: max,
                            stored_latest: None,
                        },
                    );
                }
            }
        }

        // The publications of the feature tables whose properties are written (one read, only
        // when such properties are written): a published table's feature list is frozen.
        let tables = super::frozen::Frozen::tables(writes().map(|w| (w.0, w.1)), &owners);
        let frozen = super::frozen::Frozen::read(txn, tables).await?;

        Ok(Applying {
            owners,
            feed_key,
            current,
            frozen,
            existing: had_aspects,
            created,
            versions: Vec::new(),
            declared: Vec::new(),
            declared_at: HashMap::new(),
            removed: HashMap::new(),
            deleted: HashSet::new(),
            removals: Vec::new(),
            events: Vec::new(),
            found_by_changed: HashSet::new(),
            written: Vec::new(),
        })
    }

    /// Replaces what the aspect `key` declares.
    fn declare(&mut self, key: AspectKey, found: Declared, journal: &mut Option<&mut Journal>) {
        match self.declared_at.get(&key) {
            Some(&i) => {
                let old = std::mem::replace(&mut self.declared[i].1, found);
                if let Some(j) = journal.as_deref_mut() {
                    if i < j.declared {
                        j.replaced.push((i, old));
                    }
                }
            }
            None => {
                self.declared_at.insert(key.clone(), self.declared.len());
                self.declared.push((key, found));
            }
        }
    }

    /// Applies one batch's writes, in order, against the state the writes before left; with a
    /// journal, records what it changes (a batch that fails is then undone with
    /// [`Applying::undo`]; without one, the caller drops the state).
    fn apply(
        &mut self,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        mut journal: Option<&mut Journal>,
    ) -> Result<Vec<Written>> {
        let total = writes.len();
        if let Some(j) = journal.as_deref_mut() {
            j.versions = self.versions.len();
            j.events = self.events.len();
            j.declared = self.declared.len();
        }
        let mut first_touch: HashSet<AspectKey> = HashSet::new();
        for (i, w) in writes.iter().enumerate() {
            if !self.owners.contains_key(w.urn.as_str()) {
                let e = Error::NotFound(format!("no entity with URN {}", w.urn));
                return Err(e.in_batch(i, total, w.urn.as_str(), &w.aspect));
            }
        }
        let mut out = Vec::with_capacity(total);
        for (i, w) in writes.into_iter().enumerate() {
            let AspectWrite {
                urn,
                aspect,
                op,
                must_exist,
                must_be_new,
                actor: own_actor,
                force,
            } = w;
            let owner_id = self.owners[urn.as_str()].id;
            if must_be_new && self.existing.contains(&owner_id) {
                let e = Error::BadInput(format!(
                    "Cannot perform CREATE_ENTITY: the entity {urn} already exists; use UPSERT to change it"
                ));
                return Err(e.in_batch(i, total, urn.as_str(), &aspect));
            }
            if series::is_timeseries(&aspect) {
                let WriteOp::Upsert(value) = op else {
                    let e = Error::bad_input(format!(
                        "{aspect} is a timeseries aspect: write whole events, it cannot be edited in place"
                    ));
                    return Err(e.in_batch(i, total, urn.as_str(), &aspect));
                };
                let (timestamp_millis, event_key) = series::event_place(&aspect, &value)
                    .map_err(|e| e.in_batch(i, total, urn.as_str(), &aspect))?;
                let actor = own_actor.unwrap_or_else(|| actor.clone());
                self.events.push(timeseries::NewEvent {
                    entity_id: owner_id,
                    name: aspect.clone(),
                    timestamp_millis,
                    event_key,
                    value: value.to_string(),
                    actor: actor.name,
                    run_id: actor.run_id,
                });
                out.push(Written {
                    entity: EntityId(owner_id),
                    urn,
                    aspect,
                    version: 0,
                    changed: true,
                });
                continue;
            }
            let key = (owner_id, aspect.clone());
            if let Some(j) = journal.as_deref_mut() {
                if first_touch.insert(key.clone()) {
                    j.current
                        .push((key.clone(), self.current.get(&key).cloned()));
                }
            }
            let state = self.current.entry(key.clone()).or_insert(Current {
                value: None,
                version: 0,
                stored_latest: None,
            });
            if let WriteOp::Delete | WriteOp::DeleteIf(_) = &op {
                let kept = match &op {
                    WriteOp::DeleteIf(expected) => state.value.as_ref() != Some(expected),
                    _ => false,
                };
                if state.value.is_none() || kept {
                    out.push(Written {
                        entity: EntityId(owner_id),
                        urn,
                        aspect,
                        version: state.version,
                        changed: false,
                    });
                    continue;
                }
                self.frozen
                    .check(
                        owner_id,
                        (urn.as_str(), &aspect, force),
                        state.value.as_ref(),
                        None,
                    )
                    .map_err(|e| e.in_batch(i, total, urn.as_str(), &aspect))?;
                self.frozen.note(owner_id, &aspect, None);
                if aspect == <aspects::Status as aspects::AspectSpec>::NAME {
                    self.removed.insert(owner_id, false);
                }
                if search::is_indexed(&aspect) {
                    self.found_by_changed.insert(owner_id);
                }
                state.value = None;
                let version = state.version;
                self.deleted.insert(key.clone());
                self.removals.push((
                    key.clone(),
                    own_actor.clone().unwrap_or_else(|| actor.clone()),
                ));
                // An aspect that is gone declares no edge.
                self.declare(key, Declared::default(), &mut journal);
                out.push(Written {
                    entity: EntityId(owner_id),
                    urn,
                    aspect,
                    version,
                    changed: true,
                });
                continue;
            }
            let value = match op {
                WriteOp::Delete | WriteOp::DeleteIf(_) => None,
                WriteOp::Upsert(v) => Some(v),
                WriteOp::Patch(edit) => {
                    let patched = edit(state.value.clone())
                        .map_err(|e| e.in_batch(i, total, urn.as_str(), &aspect))?;
                    // Nothing to change: leave the aspect (or its absence) as it is. Only a
                    // patch that may create its entity writes an unchanged first version, to
                    // create it.
                    (patched.changed || (state.value.is_none() && !must_exist))
                        .then_some(patched.value)
                }
            };
            let Some(value) = value.filter(|v| state.value.as_ref() != Some(v)) else {
                out.push(Written {
                    entity: EntityId(owner_id),
                    urn,
                    aspect,
                    version: state.version,
                    changed: false,
                });
                continue;
            };
            self.frozen
                .check(
                    owner_id,
                    (urn.as_str(), &aspect, force),
                    state.value.as_ref(),
                    Some(&value),
                )
                .map_err(|e| e.in_batch(i, total, urn.as_str(), &aspect))?;
            let found = aspects::validate(&urn, &aspect, &value)
                .map_err(|e| e.in_batch(i, total, urn.as_str(), &aspect))?;
            self.frozen.note(owner_id, &aspect, Some(&value));
            if aspect == <aspects::Status as aspects::AspectSpec>::NAME {
                let flag = value
                    .get("removed")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                self.removed.insert(owner_id, flag);
            }
            if search::is_indexed(&aspect)
                && search::changes_document(&aspect, state.value.as_ref(), Some(&value))
            {
                self.found_by_changed.insert(owner_id);
            }
            state.version += 1;
            state.value = Some(value.clone());
            let version = state.version;
            self.deleted.remove(&key);
            if self.existing.insert(owner_id) {
                if let Some(j) = journal.as_deref_mut() {
                    j.existing.push(owner_id);
                }
            }
            self.versions.push(NewVersion {
                entity_id: owner_id,
                aspect: aspect.clone(),
                version,
                value,
                actor: own_actor.unwrap_or_else(|| actor.clone()),
            });
            self.declare(key, found, &mut journal);
            out.push(Written {
                entity: EntityId(owner_id),
                urn,
                aspect,
                version,
                changed: true,
            });
        }
        Ok(out)
    }

    /// Writes what the applied writes made: new versions, tombstones, edges, the entities'
    /// marks and their search rows.
    async fn store(self, txn: &DatabaseTransaction, now: i64) -> Result<()> {
        let Applying {
            owners,
            feed_key,
            current,
            versions,
            declared,
            removed,
            deleted,
            removals,
            events,
            found_by_changed,
            written: out,
            ..
        } = self;
        timeseries::upsert(txn, series::dedup_last(events), now).await?;
        if versions.is_empty() && deleted.is_empty() {
            return Ok(());
        }

        store_versions(txn, &current, versions, &deleted, now, feed_key).await?;
        record_tombstones(txn, &owners, &current, &deleted, removals, now, feed_key).await?;
        sync_edges(txn, &owners, declared, now).await?;
        // The version index, after the edges gave every set a row.
        let mut versioned: Vec<(i64, Option<&Value>)> = Vec::new();
        for w in out
            .iter()
            .filter(|w| w.changed && w.aspect == VERSION_PROPERTIES)
        {
            let id = owners[w.urn.as_str()].id;
            if !versioned.iter().any(|(seen, _)| *seen == id) {
                let value = current
                    .get(&(id, w.aspect.clone()))
                    .and_then(|c| c.value.as_ref());
                versioned.push((id, value));
            }
        }
        crate::catalog::version_index::sync(txn, &versioned).await?;

        // An event of a time series does not make its entity one that was written (as in
        // DataHub, where it writes no key aspect); its row is there for the series to hang from.
        let mut touched: Vec<i64> = out
            .iter()
            .filter(|w| w.changed && !series::is_timeseries(&w.aspect))
            .map(|w| owners[w.urn.as_str()].id)
            .collect();
        touched.sort_unstable();
        touched.dedup();
        entity::mark_written(txn, &touched, now, feed_key).await?;
        // The search index, in the same transaction: the rows of entities written for the
        // first time, or whose words, tags, owners, terms, domains or status changed.
        let mut reindexed: Vec<&entity::Model> = owners
            .values()
            .filter(|o| {
                found_by_changed.contains(&o.id)
                    || (!o.has_aspects && touched.binary_search(&o.id).is_ok())
            })
            .collect();
        reindexed.sort_unstable_by_key(|o| o.id);
        search::reindex(txn, &reindexed).await?;
        // A renamed tag, term, domain, user or group: the entities carrying it are found by
        // the new name from this commit on.
        let mut renamed: Vec<&str> = out
            .iter()
            .filter(|w| w.changed && search::NAMING_ASPECTS.contains(&w.aspect.as_str()))
            .map(|w| w.urn.as_str())
            .collect();
        renamed.sort_unstable();
        renamed.dedup();
        let done: Vec<i64> = reindexed.iter().map(|o| o.id).collect();
        search::reindex_carriers(txn, &renamed, &done).await?;
        // Soft deletes and restores are rare; one statement each is fine.
        for owner in owners.values() {
            if let Some(&flag) = removed.get(&owner.id) {
                entity::set_removed(txn, owner.id, flag).await?;
                record_removal(txn, owner, flag, now).await?;
            }
        }
        Ok(())
    }
}

/// The entity rows of `urns`, by URN; on PostgreSQL locked for the transaction, in id order
/// so that two batches sharing entities lock them in the same order. With them, the feed key
/// of the transaction's versions (see `store::feed`).
async fn lock_rows(
    txn: &DatabaseTransaction,
    urns: &[&Urn],
) -> Result<(HashMap<String, entity::Model>, i64)> {
    let mut rows = HashMap::with_capacity(urns.len());
    let mut feed_key = 0;
    for chunk in urns.chunks(CHUNK) {
        let chunk: Vec<&str> = chunk.iter().map(|u| u.as_str()).collect();
        let (locked, key) = entity::lock_by_urns(txn, &chunk).await?;
        feed_key = feed_key.max(key);
        rows.extend(locked.into_iter().map(|r| (r.urn.clone(), r)));
    }
    Ok((rows, feed_key))
}

/// The change feed's record of the aspects the batch removed (and did not bring back), in the
/// order removed, each with its last version: a removal leaves no version behind.
async fn record_tombstones(
    txn: &DatabaseTransaction,
    owners: &HashMap<String, entity::Model>,
    current: &HashMap<(i64, String), Current>,
    deleted: &HashSet<AspectKey>,
    removals: Vec<(AspectKey, Actor)>,
    now: i64,
    feed_key: i64,
) -> Result<()> {
    if deleted.is_empty() {
        return Ok(());
    }
    let by_id: HashMap<i64, &entity::Model> = owners.values().map(|o| (o.id, o)).collect();
    let mut seen = HashSet::new();
    let mut rows = Vec::new();
    // The last removal of an aspect stands for it.
    for (key, actor) in removals.into_iter().rev() {
        if !deleted.contains(&key) || !seen.insert(key.clone()) {
            continue;
        }
        let Some(owner) = by_id.get(&key.0) else {
            continue;
        };
        rows.push(feed::NewTombstone {
            urn: owner.urn.clone(),
            entity_type: owner.entity_type.clone(),
            version: current.get(&key).map(|c| c.version),
            aspect: Some(key.1),
            kind: feed::DELETE,
            actor: actor.name,
            run_id: actor.run_id,
        });
    }
    rows.reverse();
    Ok(feed::insert_tombstones(txn, rows, feed_key, now).await?)
}

/// Inserts the new versions, the last of each aspect marked latest, and unmarks the versions
/// they replace.
async fn store_versions(
    txn: &DatabaseTransaction,
    current: &HashMap<(i64, String), Current>,
    versions: Vec<NewVersion>,
    deleted: &HashSet<AspectKey>,
    now: i64,
    feed_key: i64,
) -> Result<()> {
    let mut replaced: Vec<i64> = Vec::new();
    let mut seen: HashSet<(i64, &str)> = HashSet::new();
    let touched = versions
        .iter()
        .map(|v| (v.entity_id, v.aspect.as_str()))
        .chain(deleted.iter().map(|(id, name)| (*id, name.as_str())));
    for (entity_id, aspect) in touched {
        if seen.insert((entity_id, aspect)) {
            if let Some(id) = current[&(entity_id, aspect.to_string())].stored_latest {
                replaced.push(id);
            }
        }
    }
    aspect::unmark_latest(txn, &replaced).await?;
    let rows = versions
        .into_iter()
        .map(|v| {
            // The last version of an aspect the batch then removed is not current.
            let state = &current[&(v.entity_id, v.aspect.clone())];
            let is_latest = state.version == v.version && state.value.is_some();
            aspect::NewVersion {
                entity_id: v.entity_id,
                name: v.aspect,
                version: v.version,
                is_latest,
                value: v.value.to_string(),
                actor: v.actor.name,
                run_id: v.actor.run_id,
            }
        })
        .collect();
    Ok(aspect::insert_versions(txn, rows, now, feed_key).await?)
}

/// Keeps the soft-deletion intervals in step with the `status` aspect, so lineage as of a past
/// time knows what was deleted then.
async fn record_removal(
    txn: &DatabaseTransaction,
    owner: &entity::Model,
    removed: bool,
    now: i64,
) -> Result<()> {
    match (owner.removed, removed) {
        (false, true) => removal::open(txn, owner.id, now).await?,
        (true, false) => removal::close(txn, owner.id, now).await?,
        _ => {}
    }
    Ok(())
}

/// Makes the edge table agree with what the written aspects now declare: new edges are
/// inserted, edges an aspect no longer declares get `removed_at` (kept for lineage as of a
/// time). One read of the current edges for the whole batch, then bulk writes.
async fn sync_edges(
    txn: &DatabaseTransaction,
    owners: &HashMap<String, entity::Model>,
    declared: Vec<((i64, String), Declared)>,
    now: i64,
) -> Result<()> {
    let owner_urns: HashMap<i64, &str> = owners.values().map(|o| (o.id, o.urn.as_str())).collect();
    let others = first_seen(
        declared
            .iter()
            .flat_map(|(_, d)| {
                d.edges
                    .iter()
                    .flat_map(|e| [&e.upstream, &e.downstream])
                    .chain(d.references.iter())
            })
            .filter(|u| !owners.contains_key(u.as_str())),
    );
    let mut ids = ensure_entities(txn, &others, now).await?;
    ids.extend(owners.values().map(|o| (o.urn.clone(), o.id)));

    // What each written aspect declares, as (source, destination, relation).
    // Per written aspect, in the order of writing.
    let mut desired: Vec<(AspectKey, EdgeSet)> = Vec::new();
    for ((owner, aspect), d) in &declared {
        let mut set = BTreeSet::new();
        for e in &d.edges {
            let (Some(&src), Some(&dst)) =
                (ids.get(e.upstream.as_str()), ids.get(e.downstream.as_str()))
            else {
                let owner = owner_urns.get(owner).copied().unwrap_or_default();
                return Err(
                    anyhow::anyhow!("edge endpoint without a row: {e:?} of {owner}").into(),
                );
            };
            set.insert((src, dst, e.relation.as_str()));
        }
        desired.push(((*owner, aspect.clone()), set));
    }

    let slot: HashMap<(i64, String), usize> = desired
        .iter()
        .enumerate()
        .map(|(i, (k, _))| (k.clone(), i))
        .collect();
    // Only entities written before can declare edges already (`has_aspects` is never cleared):
    // the aspects of new ones ask nothing.
    let had_aspects = written_before(owners);
    let keys: Vec<(i64, String)> = desired
        .iter()
        .map(|(k, _)| k.clone())
        .filter(|k| had_aspects.contains(&k.0))
        .collect();
    let mut stale = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let mut owner_ids: Vec<i64> = chunk.iter().map(|k| k.0).collect();
        owner_ids.sort_unstable();
        owner_ids.dedup();
        let mut names: Vec<&str> = chunk.iter().map(|k| k.1.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let current = edge::declared(txn, &owner_ids, &names).await?;
        for e in current {
            let Some(&i) = slot.get(&(e.declared_by, e.aspect.clone())) else {
                continue; // another aspect of the same entities, not written now
            };
            let set = &mut desired[i].1;
            let relation = aspects::Relation::parse(&e.relation).map(aspects::Relation::as_str);
            let kept = relation.is_some_and(|r| set.remove(&(e.source_id, e.destination_id, r)));
            if !kept {
                stale.push(e.id);
            }
        }
    }
    edge::mark_removed(txn, &stale, now).await?;
    let mut fresh = Vec::new();
    for ((owner, aspect), set) in &desired {
        for &(source_id, destination_id, relation) in set {
            fresh.push(edge::NewEdge {
                source_id,
                destination_id,
                relation,
                declared_by: *owner,
                aspect,
            });
        }
    }
    Ok(edge::insert(txn, fresh, now).await?)
}

/// Each URN once, in the order first seen.
fn first_seen<'a>(urns: impl Iterator<Item = &'a Urn>) -> Vec<&'a Urn> {
    let mut seen = HashSet::new();
    urns.filter(|u| seen.insert(u.as_str())).collect()
}

/// Gives every URN a row (a URN referenced before it is written still gets one, so every edge
/// has two ends) and returns their ids by URN.
async fn ensure_entities(
    txn: &DatabaseTransaction,
    urns: &[&Urn],
    now: i64,
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::with_capacity(urns.len());
    for chunk in urns.chunks(CHUNK) {
        let (found, created) = create_missing(txn, chunk, now).await?;
        ids.extend(found);
        if !created.is_empty() {
            ids.extend(find_ids(txn, &created).await?);
        }
    }
    Ok(ids)
}

/// Inserts a row for each of `urns` that has none (at most [`CHUNK`] of them). Returns the ids
/// of those that had one, and the URNs it made rows for.
async fn create_missing<'a>(
    txn: &DatabaseTransaction,
    urns: &[&'a Urn],
    now: i64,
) -> Result<(HashMap<String, i64>, Vec<&'a Urn>)> {
    let found = find_ids(txn, urns).await?;
    let missing: Vec<&Urn> = urns
        .iter()
        .copied()
        .filter(|u| !found.contains_key(u.as_str()))
        .collect();
    entity::insert_missing(txn, &new_rows(&missing), now).await?;
    Ok((found, missing))
}

/// The ids of the entities among `owners` written before this batch: only they can have
/// aspect versions or edges already (`has_aspects` is never cleared).
fn written_before(owners: &HashMap<String, entity::Model>) -> HashSet<i64> {
    owners
        .values()
        .filter(|o| o.has_aspects)
        .map(|o| o.id)
        .collect()
}

/// The rows to create for `urns`: their key parts, as the URN parser found them.
fn new_rows<'a>(urns: &[&'a Urn]) -> Vec<entity::NewEntity<'a>> {
    urns.iter()
        .map(|u| entity::NewEntity {
            urn: u.as_str(),
            entity_type: u.kind().as_str(),
            name: u.name(),
            platform: u.platform(),
            env: u.env(),
            namespace: u.namespace(),
        })
        .collect()
}

/// The ids of those of `urns` that have a row.
async fn find_ids(txn: &DatabaseTransaction, urns: &[&Urn]) -> Result<HashMap<String, i64>> {
    let urns: Vec<&str> = urns.iter().map(|u| u.as_str()).collect();
    Ok(entity::ids_by_urn(txn, &urns).await?.into_iter().collect())
}
