//! SQLite's group commit, applied set-wise: one read for all the batches of a group (see
//! `queue`), each batch applied in memory in its turn against the state the batches before it
//! left (one that fails is undone alone, from a [`Journal`] of what it changed), one write for
//! those that succeeded. Statements are then paid once per group instead of once per batch.

use std::collections::{HashMap, HashSet};

use sea_orm::DatabaseTransaction;

use super::{targets, Applying, AspectKey, Current, Target, VERSION_PROPERTIES};
use crate::catalog::aspects::{self, Declared, VersionProperties};
use crate::catalog::version_index;
use crate::catalog::write::deadline::{Claim, Deadline};
use crate::catalog::write::{frozen, Actor, AspectWrite, WriteOp, Written};
use crate::catalog::{Error, Result};
use crate::store::{entity, version_member};

/// Whether [`apply_group`] may apply these batches together: none removes an aspect, writes
/// `status` (a soft delete opens or closes an interval per write) or a feature table's
/// publication (it freezes what later writes may change). Those are rare; such a group is
/// written batch by batch. (A `versionProperties` whose label another version holds is refused
/// batch by batch inside the group, before the group is stored: see
/// [`Applying::label_taken`].)
pub(in crate::catalog::write) fn groupable<'a>(
    mut batches: impl Iterator<Item = &'a [AspectWrite]>,
) -> bool {
    batches.all(|writes| {
        writes.iter().all(|w| {
            matches!(w.op, WriteOp::Upsert(_) | WriteOp::Patch(_))
                && w.aspect != <aspects::Status as aspects::AspectSpec>::NAME
                && w.aspect != frozen::PUBLICATION
        })
    })
}

/// A batch of a group: who writes, what, and by when.
pub(in crate::catalog::write) struct GroupBatch {
    pub actor: Actor,
    pub writes: Vec<AspectWrite>,
    pub deadline: Option<Deadline>,
}

/// Applies the batches of a group (see [`groupable`]) in one pass: each batch's outcome, and
/// the writer's claim on each that succeeded (see [`Deadline::claim`]). A batch that fails, or
/// whose deadline passed, leaves nothing behind and answers its error. The outer error means
/// the shared reads or writes failed: nothing of the group may be committed.
pub(in crate::catalog::write) async fn apply_group(
    txn: &DatabaseTransaction,
    now: i64,
    batches: Vec<GroupBatch>,
) -> Result<Vec<(Result<Vec<Written>>, Option<Claim>)>> {
    let all: Vec<Target> = batches.iter().flat_map(|b| targets(&b.writes)).collect();
    let mut state = Applying::read(txn, &all, now).await?;
    drop(all);
    let mut outcomes = Vec::with_capacity(batches.len());
    for b in batches {
        let mut journal = Journal::default();
        let applied = match state.apply(&b.actor, b.writes, Some(&mut journal)) {
            Ok(out) => match state.label_taken(txn, &out).await? {
                Some(taken) => Err(taken),
                None => Ok(out),
            },
            Err(e) => Err(e),
        };
        let applied = applied.and_then(|out| {
            let claim = b.deadline.as_ref().map(Deadline::claim).transpose()?;
            Ok((out, claim))
        });
        match applied {
            Ok((out, claim)) => {
                state.written.extend(out.iter().cloned());
                outcomes.push((Ok(out), claim));
            }
            Err(e) => {
                state.undo(journal);
                outcomes.push((Err(e), None));
            }
        }
    }
    state.forget_unwritten(txn).await?;
    state.store(txn, now).await?;
    Ok(outcomes)
}

/// What a batch changed in the shared state, to undo it when the batch fails: recorded by
/// [`Applying::apply`], read by [`Applying::undo`].
#[derive(Default)]
pub(super) struct Journal {
    pub(super) versions: usize,
    pub(super) events: usize,
    pub(super) declared: usize,
    /// Each aspect's state before the batch first touched it (`None`: it had none).
    pub(super) current: Vec<(AspectKey, Option<Current>)>,
    /// Entries of `declared` from before the batch that it replaced, with their old value.
    pub(super) replaced: Vec<(usize, Declared)>,
    /// Entities the batch made existing.
    pub(super) existing: Vec<i64>,
}

impl Applying {
    /// Undoes what a failed batch changed (see [`Journal`]).
    fn undo(&mut self, journal: Journal) {
        self.versions.truncate(journal.versions);
        self.events.truncate(journal.events);
        for (key, _) in self.declared.drain(journal.declared..) {
            self.declared_at.remove(&key);
        }
        for (i, old) in journal.replaced.into_iter().rev() {
            self.declared[i].1 = old;
        }
        for (key, old) in journal.current.into_iter().rev() {
            match old {
                Some(c) => self.current.insert(key, c),
                None => self.current.remove(&key),
            };
        }
        for id in journal.existing {
            self.existing.remove(&id);
        }
    }

    /// Removes the entity rows the read made for URNs that no write that stands wrote (those
    /// of failed batches), as the batch's own rollback would have: nothing else saw them. A
    /// URN an edge of a write that stands points at gets its row again from the edges' writer.
    async fn forget_unwritten(&mut self, txn: &DatabaseTransaction) -> Result<()> {
        if self.created.is_empty() {
            return Ok(());
        }
        let kept: HashSet<&str> = self.written.iter().map(|w| w.urn.as_str()).collect();
        let gone: Vec<String> = self
            .created
            .iter()
            .filter(|u| !kept.contains(u.as_str()))
            .cloned()
            .collect();
        if gone.is_empty() {
            return Ok(());
        }
        let ids: Vec<i64> = gone
            .iter()
            .filter_map(|u| self.owners.remove(u.as_str()))
            .map(|o| o.id)
            .collect();
        entity::delete_unwritten(txn, &ids).await?;
        Ok(())
    }
}

/// A version's place in its set: the set's URN and the label.
type Place = (String, String);

impl Applying {
    /// The place an entity's `versionProperties` gives it in the group's state: `None` when the
    /// state does not hold that aspect (it is as the database has it), `Some(None)` when the
    /// aspect is absent or has no label.
    fn place_in_state(&self, entity: i64) -> Option<Option<Place>> {
        let current = self
            .current
            .get(&(entity, VERSION_PROPERTIES.to_string()))?;
        Some(current.value.as_ref().and_then(|v| {
            let p = serde_json::from_value::<VersionProperties>(v.clone()).ok()?;
            (!p.label().is_empty()).then(|| (p.version_set.to_string(), p.label().to_string()))
        }))
    }

    /// The refusal of a batch of a group (just applied, its outcomes `out`) whose
    /// `versionProperties` give a version a label another version of the same set holds: one
    /// the group wrote, or one the index has that the group has not moved off that label. The
    /// version index would refuse it when the group is stored, failing every batch; found
    /// here, the batch fails alone. One read when the batch writes a label, none otherwise; the
    /// error is the database's, which fails the group.
    async fn label_taken(
        &self,
        txn: &DatabaseTransaction,
        out: &[Written],
    ) -> Result<Option<Error>> {
        let id_of = |w: &Written| self.owners.get(w.urn.as_str()).map(|o| o.id);
        let claims: Vec<(i64, Place)> = out
            .iter()
            .filter(|w| w.changed && w.aspect == VERSION_PROPERTIES)
            .filter_map(|w| {
                let id = id_of(w)?;
                Some((id, self.place_in_state(id)??))
            })
            .collect();
        if claims.is_empty() {
            return Ok(None);
        }
        // In the group: the versions its batches so far (this one too) wrote.
        let mut written: Vec<i64> = self
            .written
            .iter()
            .chain(out)
            .filter(|w| w.aspect == VERSION_PROPERTIES)
            .filter_map(id_of)
            .collect();
        written.sort_unstable();
        written.dedup();
        for (id, place) in &claims {
            let holder = written.iter().find(|&&other| {
                other != *id && self.place_in_state(other).flatten().as_ref() == Some(place)
            });
            if let Some(&holder) = holder {
                return Ok(Some(self.taken(txn, place, holder).await?));
            }
        }
        // In the index, as the group found it.
        let mut sets: HashMap<&str, i64> = HashMap::new();
        let mut unknown: Vec<&str> = Vec::new();
        for (_, (set, _)) in &claims {
            match self.owners.get(set.as_str()) {
                Some(row) => {
                    sets.insert(set, row.id);
                }
                None => unknown.push(set),
            }
        }
        if !unknown.is_empty() {
            for (urn, id) in entity::ids_by_urn(txn, &unknown).await? {
                if let Some(set) = unknown.iter().find(|u| **u == urn) {
                    sets.insert(set, id);
                }
            }
        }
        let asked: Vec<(i64, &str)> = claims
            .iter()
            .filter_map(|(_, (set, label))| Some((*sets.get(set.as_str())?, label.as_str())))
            .collect();
        for (set_id, label, holder) in version_member::holders(txn, &asked).await? {
            let claim = claims
                .iter()
                .find(|(_, (set, l))| sets.get(set.as_str()) == Some(&set_id) && *l == label);
            let Some((id, place)) = claim else { continue };
            // A version the group moved off the label holds it no more.
            let moved = self
                .place_in_state(holder)
                .is_some_and(|now| now.as_ref() != Some(place));
            if holder != *id && !moved {
                return Ok(Some(self.taken(txn, place, holder).await?));
            }
        }
        Ok(None)
    }

    /// The refusal of a label `holder` holds, naming it by its URN.
    async fn taken(&self, txn: &DatabaseTransaction, place: &Place, holder: i64) -> Result<Error> {
        let urn = match self.owners.values().find(|o| o.id == holder) {
            Some(row) => Some(row.urn.clone()),
            None => entity::by_ids(txn, &[holder])
                .await?
                .into_iter()
                .next()
                .map(|e| e.urn),
        };
        Ok(version_index::taken(&place.0, &place.1, holder, urn))
    }
}
