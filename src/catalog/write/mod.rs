//! The one write path: validate ► store the aspect as a new version ► derive edges, all in one
//! transaction, so lineage is never behind the aspects it comes from. What a write is lives
//! here; `apply` applies a batch inside a transaction, `queue` groups SQLite's writers.

mod apply;
mod check;
mod deadline;
mod frozen;
mod health;
mod queue;

use sea_orm::TransactionTrait;
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use super::records::EntityId;
use super::{Catalog, Error, Result};
use crate::store::now_millis;
use crate::urn::Urn;

pub use deadline::Deadline;
pub(super) use health::WriteHealth;
pub use health::{Writability, WriteMode};
pub(super) use queue::WriteQueue;

/// Who writes: recorded with every aspect version.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    pub run_id: Option<String>,
}

impl Actor {
    pub fn named(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            run_id: None,
        }
    }
}

/// The outcome of a patch: the new value, and whether the edit changed anything.
pub struct Patched {
    pub value: Value,
    pub changed: bool,
}

pub type PatchFn = Box<dyn FnOnce(Option<Value>) -> Result<Patched> + Send>;

pub enum WriteOp {
    /// Replace the whole aspect.
    Upsert(Value),
    /// Compute the new aspect from the current one, inside the transaction, so concurrent
    /// patches of different fields never lose each other.
    Patch(PatchFn),
    /// Remove the aspect: it stops being current (no version is latest), its edges are marked
    /// removed, and its versions stay in history. Removing an absent aspect writes nothing.
    Delete,
    /// Remove the aspect as [`WriteOp::Delete`] does, only if its current value is this one
    /// (compare and delete: a value someone wrote since it was read is kept).
    DeleteIf(Value),
}

/// One aspect write.
pub struct AspectWrite {
    pub urn: Urn,
    pub aspect: String,
    pub op: WriteOp,
    /// Refuse with `NOT_FOUND` instead of creating the entity.
    pub must_exist: bool,
    /// Refuse with `BAD_USER_INPUT` when the entity exists already (it has an aspect, before
    /// the batch or from an earlier write of it): DataHub's `CREATE_ENTITY`.
    pub must_be_new: bool,
    /// Who writes this one, when not the batch's actor (proposals of one DataHub batch may
    /// name different actors and runs).
    pub actor: Option<Actor>,
    /// Writes a published feature table's feature list or primary keys anyway (see
    /// `frozen`): without it, such a write is refused with `Conflict`.
    pub force: bool,
}

impl AspectWrite {
    pub fn upsert(urn: Urn, aspect: &str, value: Value) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Upsert(value),
            must_exist: false,
            must_be_new: false,
            actor: None,
            force: false,
        }
    }

    /// Edits a typed aspect in place; an absent aspect starts from `T::default()`. An edit that
    /// changes nothing writes nothing, compared as typed values (so a stored aspect that spells
    /// a default differently, say with `"customProperties": {}`, is not rewritten), except
    /// that a new entity's first patch is written, to create it.
    pub fn patch<T, F>(urn: Urn, aspect: &str, edit: F) -> AspectWrite
    where
        T: Serialize + DeserializeOwned + Default + Clone + PartialEq,
        F: FnOnce(&mut T) -> Result<()> + Send + 'static,
    {
        let name = aspect.to_string();
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Patch(Box::new(move |current| {
                let mut typed: T = match current {
                    Some(v) => serde_json::from_value(v).map_err(|e| {
                        Error::Conflict(format!(
                            "the stored {name} aspect cannot be edited field by field ({e}); replace it whole with replaceAspect"
                        ))
                    })?,
                    None => T::default(),
                };
                let before = typed.clone();
                edit(&mut typed)?;
                Ok(Patched {
                    changed: typed != before,
                    value: serde_json::to_value(typed).map_err(|e| Error::Internal(e.into()))?,
                })
            })),
            must_exist: false,
            must_be_new: false,
            actor: None,
            force: false,
        }
    }

    /// Writes `value` only if the entity has no version of this aspect at all; an aspect that
    /// exists, whoever wrote it and whatever it holds, is left as it is. The demo catalog loads
    /// this way, so that loading it again never undoes a person's edits.
    pub fn add_if_missing(urn: Urn, aspect: &str, value: Value) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Patch(Box::new(move |current| {
                Ok(match current {
                    Some(current) => Patched {
                        value: current,
                        changed: false,
                    },
                    None => Patched {
                        value,
                        changed: true,
                    },
                })
            })),
            must_exist: false,
            must_be_new: false,
            actor: None,
            force: false,
        }
    }

    /// Writes `value` as the first version of the aspect; an entity that has the aspect already
    /// is refused with `Conflict` (`what` names it in the message), inside the transaction, so
    /// of two concurrent creations one wins and the other is told.
    pub fn create(urn: Urn, aspect: &str, value: Value, what: String) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Patch(Box::new(move |current| match current {
                Some(_) => Err(Error::Conflict(format!("{what} already exists"))),
                None => Ok(Patched {
                    value,
                    changed: true,
                }),
            })),
            must_exist: false,
            must_be_new: false,
            actor: None,
            force: false,
        }
    }

    /// Removes the aspect (see [`WriteOp::Delete`]).
    pub fn delete(urn: Urn, aspect: &str) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Delete,
            must_exist: true,
            must_be_new: false,
            actor: None,
            force: false,
        }
    }

    /// Removes the aspect only if its current value is `expected` (see [`WriteOp::DeleteIf`]).
    pub fn delete_if(urn: Urn, aspect: &str, expected: Value) -> AspectWrite {
        AspectWrite {
            op: WriteOp::DeleteIf(expected),
            ..AspectWrite::delete(urn, aspect)
        }
    }

    /// Refuses the write when the entity exists already (see `must_be_new`).
    pub fn new_entity(mut self) -> AspectWrite {
        self.must_be_new = true;
        self
    }

    pub fn existing(mut self) -> AspectWrite {
        self.must_exist = true;
        self
    }

    /// Overrides the freeze of a published feature table (see `force`).
    pub fn forced(mut self, force: bool) -> AspectWrite {
        self.force = force;
        self
    }

    /// Records `actor` for this write instead of the batch's.
    pub fn by(mut self, actor: Actor) -> AspectWrite {
        self.actor = Some(actor);
        self
    }
}

/// The outcome of one aspect write.
#[derive(Clone, Debug)]
pub struct Written {
    /// The row of the entity written.
    pub entity: EntityId,
    pub urn: Urn,
    pub aspect: String,
    pub version: i64,
    /// False when the new value equalled the latest one: no new version was made.
    pub changed: bool,
}

impl Catalog {
    /// Applies all writes in one transaction: all of them land, or none does and the error
    /// says which failed. The batch is applied set-wise, a handful of statements for the whole
    /// batch rather than a handful per aspect: entity rows, latest versions and current edges
    /// are read for all writes at once, and new versions and edges are written in bulk.
    ///
    /// On SQLite, batches that arrive while another is being written share the next
    /// transaction (see [`WriteQueue`]); each still lands whole or not at all, and its caller
    /// hears of it only once it is committed.
    pub async fn write(&self, actor: &Actor, writes: Vec<AspectWrite>) -> Result<Vec<Written>> {
        self.write_within(actor, writes, None).await
    }

    /// [`Catalog::write`] for a request with a deadline: a write not committed by then is
    /// rolled back and answers `Timeout`; a write the writer decided to commit in time answers
    /// the commit's outcome, even if that comes a little after the deadline, and keeps the
    /// request from being cut off (see [`Deadline`]).
    ///
    /// A write the database refuses for a reason of its own (a full disk, a read-only file or
    /// server) answers `Unavailable`, and the catalog reports writes as failing until one
    /// succeeds again ([`Catalog::writability`]).
    pub async fn write_within(
        &self,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        deadline: Option<&Deadline>,
    ) -> Result<Vec<Written>> {
        // Before the database sees anything: both backends refuse the same input alike.
        check::check_writes(actor, &writes)?;
        if let Some(refusal) = self.health.refusal() {
            return Err(refusal);
        }
        let result = match &self.write_queue {
            Some(queue) => self.write_queued(queue, actor, writes, deadline).await,
            None => self.write_alone(actor, writes, deadline).await,
        };
        match &result {
            Ok(out) => {
                self.commit_seen();
                self.health.succeeded();
                let changed = out.iter().filter(|w| w.changed).count();
                super::tally::record(&actor.name, changed);
                crate::metrics::aspects_written(changed);
            }
            Err(e) => {
                crate::metrics::write_refused(e.code());
                if let Error::Unavailable(why) = e {
                    self.health.failed(why);
                }
            }
        }
        result
    }

    /// PostgreSQL: writers lock the rows they change; each batch is its own transaction, run
    /// on a task of its own. A request's future is dropped when its client goes away; dropped
    /// between `BEGIN` being sent and answered, sqlx 0.8 can hand the connection back to the
    /// pool inside an open transaction (sqlx#4393), whose locks and snapshot then stall other
    /// writers and the change feed's gate. On its own task the batch commits or rolls back whole.
    async fn write_alone(
        &self,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        deadline: Option<&Deadline>,
    ) -> Result<Vec<Written>> {
        let (catalog, actor, deadline) = (self.clone(), actor.clone(), deadline.cloned());
        tokio::spawn(async move {
            catalog
                .write_transaction(&actor, writes, deadline.as_ref())
                .await
        })
        .await
        .map_err(|e| Error::Internal(anyhow::anyhow!("the write's task ended: {e}")))?
    }

    async fn write_transaction(
        &self,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        deadline: Option<&Deadline>,
    ) -> Result<Vec<Written>> {
        let txn = self.db.begin().await.map_err(storage)?;
        let out = apply::apply_all(&txn, actor, now_millis(), writes)
            .await
            .map_err(health::refused_by_storage)?;
        let claim = match deadline.map(Deadline::claim).transpose() {
            Ok(claim) => claim,
            Err(timeout) => {
                let _ = txn.rollback().await;
                return Err(timeout);
            }
        };
        let committed = txn.commit().await;
        if let Some(claim) = claim {
            claim.end(committed.is_ok());
        }
        committed.map_err(storage)?;
        self.committed().await;
        Ok(out)
    }

    /// SQLite: the batch joins the queue, and its caller waits for the writer's answer.
    async fn write_queued(
        &self,
        queue: &std::sync::Arc<WriteQueue>,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        deadline: Option<&Deadline>,
    ) -> Result<Vec<Written>> {
        let (done, answer) = oneshot::channel();
        let batch = queue::Batch {
            actor: actor.clone(),
            writes,
            deadline: deadline.cloned(),
            done,
        };
        if queue.push(batch) {
            // Nobody is writing: this caller starts the writer. It runs on its own task, so
            // that a caller who goes away (a client that disconnects drops its request) cannot
            // cancel the batches of the others.
            let catalog = self.clone();
            let queue = queue.clone();
            tokio::spawn(async move { queue.drain(&catalog).await });
        }
        answer.await.unwrap_or_else(|_| {
            Err(Error::Internal(anyhow::anyhow!(
                "the write was abandoned before it committed; nothing of it was written"
            )))
        })
    }
}

impl Catalog {
    /// Applies `writes`, then erases the entities `erase` entirely (see
    /// [`Catalog::hard_delete`]), in one transaction: all of it lands or none does. Answers
    /// the writes' outcomes and, for each entity erased, what went with it (nothing for a URN
    /// the catalog does not hold).
    ///
    /// On SQLite it takes the writer's connection and the write lock, so it waits for the
    /// queue's group in progress rather than racing it.
    pub(in crate::catalog) async fn write_then_erase(
        &self,
        actor: &Actor,
        writes: Vec<AspectWrite>,
        erase: &[Urn],
    ) -> Result<(Vec<Written>, Vec<super::removal::Erased>)> {
        check::check_writes(actor, &writes)?;
        if let Some(refusal) = self.health.refusal() {
            return Err(refusal);
        }
        let txn = match &self.write_queue {
            Some(_) => self.begin_writing().await?,
            None => self.db.begin().await.map_err(storage)?,
        };
        let now = now_millis();
        let applied = async {
            let out = apply::apply_all(&txn, actor, now, writes).await?;
            let mut erased = Vec::with_capacity(erase.len());
            for urn in erase {
                erased.push(super::removal::erase(&txn, actor, urn, now).await?);
            }
            Ok::<_, Error>((out, erased))
        }
        .await
        .map_err(health::refused_by_storage);
        let result = match applied {
            Ok(done) => txn.commit().await.map(|()| done).map_err(storage),
            Err(e) => {
                let _ = txn.rollback().await;
                Err(e)
            }
        };
        match &result {
            Ok((out, erased)) => {
                self.committed().await;
                self.commit_seen();
                self.health.succeeded();
                let changed = out.iter().filter(|w| w.changed).count();
                super::tally::record(&actor.name, changed + erased.len());
                crate::metrics::aspects_written(changed);
            }
            Err(Error::Unavailable(why)) => self.health.failed(why),
            Err(_) => {}
        }
        result
    }
}

/// A database error of the write path, as the catalog's error.
fn storage(e: sea_orm::DbErr) -> Error {
    health::refused_by_storage(e.into())
}
