//! SQLite's group commit, applied set-wise: one read for all the batches of a group (see
//! `queue`), each batch applied in memory in its turn against the state the batches before it
//! left (one that fails is undone alone, from a [`Journal`] of what it changed), one write for
//! those that succeeded. Statements are then paid once per group instead of once per batch.

use std::collections::HashSet;

use sea_orm::DatabaseTransaction;

use super::{targets, Applying, AspectKey, Current, Target, VERSION_PROPERTIES};
use crate::catalog::aspects::{self, Declared};
use crate::catalog::write::deadline::{Claim, Deadline};
use crate::catalog::write::{frozen, Actor, AspectWrite, WriteOp, Written};
use crate::catalog::Result;
use crate::store::entity;

/// Whether [`apply_group`] may apply these batches together: none removes an aspect, writes
/// `status` (a soft delete opens or closes an interval per write), a feature table's
/// publication (it freezes what later writes may change) or `versionProperties` (the version
/// index may refuse its label when the group is stored, which would fail the whole group rather
/// than that batch). Those are rare; such a group is written batch by batch.
pub(in crate::catalog::write) fn groupable<'a>(
    mut batches: impl Iterator<Item = &'a [AspectWrite]>,
) -> bool {
    batches.all(|writes| {
        writes.iter().all(|w| {
            matches!(w.op, WriteOp::Upsert(_) | WriteOp::Patch(_))
                && w.aspect != <aspects::Status as aspects::AspectSpec>::NAME
                && w.aspect != frozen::PUBLICATION
                && w.aspect != VERSION_PROPERTIES
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
        let applied = state
            .apply(&b.actor, b.writes, Some(&mut journal))
            .and_then(|out| {
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
