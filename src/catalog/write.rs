//! The one write path: validate ► store the aspect as a new version ► derive edges, all in one
//! transaction, so lineage is never behind the aspects it comes from.

use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::panic::AssertUnwindSafe;
use std::sync::Mutex as StdMutex;

use futures_util::FutureExt;

use sea_orm::sea_query::Expr;
use sea_orm::Value as SqlValue;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait,
    IdenStatic, QueryFilter, TransactionTrait,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::oneshot;

use super::aspects::{self, Declared};
use super::Catalog;
use crate::catalog::{Error, Result};
use crate::store::sql::{self, Sql};
use crate::store::{aspect, edge, entity, now_millis, removal};
use crate::urn::Urn;

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
}

/// One aspect write.
pub struct AspectWrite {
    pub urn: Urn,
    pub aspect: String,
    pub op: WriteOp,
    /// Refuse with `NOT_FOUND` instead of creating the entity.
    pub must_exist: bool,
    /// Who writes this one, when not the batch's actor (proposals of one DataHub batch may
    /// name different actors and runs).
    pub actor: Option<Actor>,
}

impl AspectWrite {
    pub fn upsert(urn: Urn, aspect: &str, value: Value) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Upsert(value),
            must_exist: false,
            actor: None,
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
            actor: None,
        }
    }

    pub fn existing(mut self) -> AspectWrite {
        self.must_exist = true;
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
    pub urn: Urn,
    pub aspect: String,
    pub version: i64,
    /// False when the new value equalled the latest one: no new version was made.
    pub changed: bool,
}

/// SQLite's limit on bound parameters is far above this; it keeps statements reasonable.
const CHUNK: usize = 500;

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
        let Some(queue) = &self.write_queue else {
            // PostgreSQL: writers lock the rows they change; each batch is its own transaction.
            let txn = self.db.begin().await?;
            let out = apply_all(&txn, actor, now_millis(), writes).await?;
            txn.commit().await?;
            return Ok(out);
        };
        let (done, answer) = oneshot::channel();
        let batch = Batch {
            actor: actor.clone(),
            writes,
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

    /// One SQLite transaction for `batches`, each in a savepoint of its own when there are
    /// several, so a batch that fails is rolled back alone; every caller is answered after the
    /// commit.
    async fn write_group(&self, batches: Vec<Batch>) {
        let alone = batches.len() == 1;
        let (dones, work): (Vec<_>, Vec<_>) = batches
            .into_iter()
            .map(|b| (b.done, (b.actor, b.writes)))
            .unzip();
        let txn = match self.begin_writing().await {
            Ok(txn) => txn,
            Err(e) => return answer_all(dones, || e.duplicate()),
        };
        let mut outs = Vec::with_capacity(work.len());
        for (actor, writes) in work {
            let out = if alone {
                apply_all(&txn, &actor, now_millis(), writes).await
            } else {
                match in_savepoint(&txn, &actor, writes).await {
                    Ok(out) => out,
                    Err(broken) => {
                        // A savepoint that cannot be released or rolled back may leave part of
                        // a batch in the transaction: nothing of the group is committed.
                        let _ = txn.rollback().await;
                        tracing::error!(error = ?broken, "a savepoint of a write group failed");
                        let message = format!(
                            "the write could not be isolated from the others written with it, so nothing of it was written: {}",
                            broken.public_message()
                        );
                        return answer_all(dones, || Error::Internal(anyhow::anyhow!("{message}")));
                    }
                }
            };
            outs.push(out);
        }
        let committed = if outs.iter().any(Result::is_ok) {
            txn.commit().await
        } else {
            txn.rollback().await
        };
        for (done, out) in dones.into_iter().zip(outs) {
            let answer = match (&committed, out) {
                (Ok(()), out) | (Err(_), out @ Err(_)) => out,
                (Err(e), Ok(_)) => Err(Error::Internal(anyhow::anyhow!(
                    "the transaction did not commit, so nothing of the batch was written: {e}"
                ))),
            };
            let _ = done.send(answer);
        }
    }

    /// Opens a transaction that already holds SQLite's write lock.
    async fn begin_writing(&self) -> Result<DatabaseTransaction> {
        let txn = self.writer.as_ref().unwrap_or(&self.db).begin().await?;
        // SQLite starts a transaction as a reader and makes it a writer at its first write;
        // if another connection (a token's last-use update, another process) wrote in
        // between, that upgrade fails at once instead of waiting. Taking the write lock with
        // the first statement makes the transaction wait its turn (busy timeout) instead.
        txn.execute_unprepared("UPDATE entity SET id = id WHERE id < 0")
            .await?;
        Ok(txn)
    }
}

/// One batch inside a group's transaction: kept when it succeeds, rolled back alone when not
/// (the inner result). The outer error means the savepoint itself failed, and with it the
/// isolation of the batch from the others.
async fn in_savepoint(
    txn: &DatabaseTransaction,
    actor: &Actor,
    writes: Vec<AspectWrite>,
) -> Result<Result<Vec<Written>>> {
    let savepoint = txn.begin().await?;
    match apply_all(&savepoint, actor, now_millis(), writes).await {
        Ok(out) => {
            savepoint.commit().await?;
            Ok(Ok(out))
        }
        Err(e) => {
            savepoint.rollback().await?;
            Ok(Err(e))
        }
    }
}

/// SQLite allows one writer at a time. Batches queue here instead of racing for the file lock,
/// and one writer task writes them: every batch waiting when it is ready for the next
/// transaction goes into that transaction, in the order they came (a group takes another batch
/// only while it holds fewer than [`GROUP_WRITES`] aspect writes). Under a stream of batches from several clients, the cost of a transaction
/// (taking the lock, the commit, and the log checkpoint a commit sometimes runs) is paid once
/// per group instead of once per batch. A lone batch is written at once.
///
/// Callers wait only for their own answer, never for a turn: the writer answers each batch
/// after its group commits.
#[derive(Default)]
pub(super) struct WriteQueue {
    state: StdMutex<QueueState>,
}

#[derive(Default)]
struct QueueState {
    waiting: VecDeque<Batch>,
    /// A writer task is running; it takes whatever is waiting before it stops.
    writing: bool,
}

/// A group stops growing at the batch that brings it to this many aspect writes, so one
/// transaction stays bounded however long the queue gets.
const GROUP_WRITES: usize = 5_000;

impl WriteQueue {
    fn state(&self) -> std::sync::MutexGuard<'_, QueueState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Queues `batch`; true when no writer is running and the caller must start one.
    fn push(&self, batch: Batch) -> bool {
        let mut state = self.state();
        state.waiting.push_back(batch);
        !std::mem::replace(&mut state.writing, true)
    }

    /// The next group, or `None` (and the writer stops) when nothing waits.
    fn next_group(&self) -> Option<Vec<Batch>> {
        let mut state = self.state();
        let mut group = Vec::new();
        let mut size = 0;
        while size < GROUP_WRITES {
            let Some(batch) = state.waiting.pop_front() else {
                break;
            };
            size += batch.writes.len();
            group.push(batch);
        }
        if group.is_empty() {
            state.writing = false;
            return None;
        }
        Some(group)
    }

    /// The writer: writes groups until nothing waits. A group that panics answers its callers
    /// with an error (their answer channels are dropped) and the writer goes on with the next.
    async fn drain(&self, catalog: &Catalog) {
        let mut stop = StopWriting {
            queue: self,
            stopped: false,
        };
        while let Some(group) = self.next_group() {
            let written = AssertUnwindSafe(catalog.write_group(group)).catch_unwind();
            if written.await.is_err() {
                tracing::error!(
                    "writing a group of batches panicked; its batches were not written"
                );
            }
        }
        stop.stopped = true;
    }
}

/// Marks the queue as having no writer if the writer task is dropped before it ran out of work
/// (its runtime shutting down), so that the next batch starts a new writer, which takes along
/// whatever was left waiting, instead of waiting forever.
struct StopWriting<'a> {
    queue: &'a WriteQueue,
    /// The writer stopped the normal way: `next_group` already cleared the flag, and a new
    /// writer may have set it since.
    stopped: bool,
}

impl Drop for StopWriting<'_> {
    fn drop(&mut self) {
        if !self.stopped {
            self.queue.state().writing = false;
        }
    }
}

/// Where a batch's answer goes.
type Done = oneshot::Sender<Result<Vec<Written>>>;

/// A batch waiting for the writer, and where its answer goes.
struct Batch {
    actor: Actor,
    writes: Vec<AspectWrite>,
    done: Done,
}

/// Answers every caller of a group with the same failure.
fn answer_all(dones: Vec<Done>, error: impl Fn() -> Error) {
    for done in dones {
        let _ = done.send(Err(error()));
    }
}

/// Names the failing write of a batch: `change 3 of 10 (urn aspect): ...`.
fn in_batch(e: Error, i: usize, total: usize, label: &str) -> Error {
    if total == 1 {
        return e;
    }
    let at = format!("change {} of {total} ({label})", i + 1);
    match e {
        Error::BadInput(m) => Error::BadInput(format!("{at}: {m}")),
        Error::NotFound(m) => Error::NotFound(format!("{at}: {m}")),
        Error::Conflict(m) => Error::Conflict(format!("{at}: {m}")),
        Error::Forbidden(m) => Error::Forbidden(m),
        Error::Internal(err) => Error::Internal(err.context(at)),
    }
}

/// The state of one aspect of one entity while a batch is applied.
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

async fn apply_all(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: i64,
    writes: Vec<AspectWrite>,
) -> Result<Vec<Written>> {
    let total = writes.len();

    // Entity rows of every owner: created where a write may create its entity, then read
    // (and on PostgreSQL locked, in id order, so concurrent batches take turns per entity).
    // New rows are made in the order the batch names them, so ids, and with them the order
    // of answers, follow the order of writing; their ids come with the rows read next.
    let creatable = first_seen(writes.iter().filter(|w| !w.must_exist).map(|w| &w.urn));
    for chunk in creatable.chunks(CHUNK) {
        create_missing(txn, chunk, now).await?;
    }
    let owners = lock_rows(txn, &first_seen(writes.iter().map(|w| &w.urn))).await?;
    for (i, w) in writes.iter().enumerate() {
        if !owners.contains_key(w.urn.as_str()) {
            let e = Error::NotFound(format!("no entity with URN {}", w.urn));
            return Err(in_batch(e, i, total, &format!("{} {}", w.urn, w.aspect)));
        }
    }

    // The latest version of every aspect the batch writes, in one read.
    let mut pairs: Vec<(i64, &str)> = writes
        .iter()
        .map(|w| (owners[w.urn.as_str()].id, w.aspect.as_str()))
        .collect();
    pairs.sort_unstable();
    pairs.dedup();
    let mut current: HashMap<(i64, String), Current> = HashMap::new();
    for row in latest_rows(txn, &pairs).await? {
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

    // Each write in order, against the state the earlier writes of the batch left.
    let mut out = Vec::with_capacity(total);
    let mut versions: Vec<NewVersion> = Vec::new();
    // In the order of writing; a later write of the same aspect replaces an earlier one.
    let mut declared: Vec<((i64, String), Declared)> = Vec::new();
    let mut removed: HashMap<i64, bool> = HashMap::new();
    for (i, w) in writes.into_iter().enumerate() {
        let AspectWrite {
            urn,
            aspect,
            op,
            must_exist,
            actor: own_actor,
        } = w;
        let at = format!("{urn} {aspect}");
        let owner_id = owners[urn.as_str()].id;
        let key = (owner_id, aspect.clone());
        let state = current.entry(key.clone()).or_insert(Current {
            value: None,
            version: 0,
            stored_latest: None,
        });
        let value = match op {
            WriteOp::Upsert(v) => Some(v),
            WriteOp::Patch(edit) => {
                let patched = edit(state.value.clone()).map_err(|e| in_batch(e, i, total, &at))?;
                // Nothing to change: leave the aspect (or its absence) as it is. Only a patch
                // that may create its entity writes an unchanged first version, to create it.
                (patched.changed || (state.value.is_none() && !must_exist)).then_some(patched.value)
            }
        };
        let Some(value) = value.filter(|v| state.value.as_ref() != Some(v)) else {
            out.push(Written {
                urn,
                aspect,
                version: state.version,
                changed: false,
            });
            continue;
        };
        let found = aspects::validate(&urn, &aspect, &value)
            .map_err(|m| in_batch(Error::BadInput(m), i, total, &at))?;
        if aspect == <aspects::Status as aspects::AspectSpec>::NAME {
            let flag = value
                .get("removed")
                .and_then(Value::as_bool)
                .unwrap_or(false);
            removed.insert(owner_id, flag);
        }
        state.version += 1;
        state.value = Some(value.clone());
        versions.push(NewVersion {
            entity_id: owner_id,
            aspect: aspect.clone(),
            version: state.version,
            value,
            actor: own_actor.unwrap_or_else(|| actor.clone()),
        });
        match declared.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = found,
            None => declared.push((key, found)),
        }
        out.push(Written {
            urn,
            aspect,
            version: state.version,
            changed: true,
        });
    }
    if versions.is_empty() {
        return Ok(out);
    }

    store_versions(txn, &current, versions, now).await?;
    sync_edges(txn, &owners, declared, now).await?;

    let mut touched: Vec<i64> = out
        .iter()
        .filter(|w| w.changed)
        .map(|w| owners[w.urn.as_str()].id)
        .collect();
    touched.sort_unstable();
    touched.dedup();
    for chunk in touched.chunks(CHUNK) {
        entity::Entity::update_many()
            .col_expr(entity::Column::UpdatedAt, Expr::value(now))
            .col_expr(entity::Column::HasAspects, Expr::value(true))
            .filter(entity::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    // Soft deletes and restores are rare; one statement each is fine.
    for owner in owners.values() {
        if let Some(&flag) = removed.get(&owner.id) {
            entity::Entity::update_many()
                .col_expr(entity::Column::Removed, Expr::value(flag))
                .filter(entity::Column::Id.eq(owner.id))
                .exec(txn)
                .await?;
            record_removal(txn, owner, flag, now).await?;
        }
    }
    Ok(out)
}

/// The entity rows of `urns`, by URN; on PostgreSQL locked for the transaction, in id order
/// so that two batches sharing entities lock them in the same order.
async fn lock_rows(
    txn: &DatabaseTransaction,
    urns: &[&Urn],
) -> Result<HashMap<String, entity::Model>> {
    let mut rows = HashMap::with_capacity(urns.len());
    let backend = txn.get_database_backend();
    for chunk in urns.chunks(CHUNK) {
        let mut q = entity::Model::select_where(
            backend,
            entity::Column::Urn,
            chunk.iter().map(|u| u.as_str()),
        );
        q.push(" ORDER BY \"entity\".\"id\"");
        if backend == DbBackend::Postgres {
            q.push(" FOR UPDATE");
        }
        rows.extend(
            entity::Model::fetch(txn, q)
                .await?
                .into_iter()
                .map(|r| (r.urn.clone(), r)),
        );
    }
    Ok(rows)
}

/// The latest stored version of an aspect: what a write compares with and replaces.
struct LatestRow {
    id: i64,
    entity_id: i64,
    name: String,
    version: i64,
    value: String,
}

/// The latest version of each `(entity id, aspect name)` pair that has one.
async fn latest_rows(txn: &DatabaseTransaction, pairs: &[(i64, &str)]) -> Result<Vec<LatestRow>> {
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let q = aspect::Model::select_latest(
            txn.get_database_backend(),
            "\"id\", \"entity_id\", \"name\", \"version\", \"value\"",
            chunk.iter().copied(),
        );
        for row in q.rows(txn).await? {
            let row = LatestRow {
                id: row.try_get_by_index(0)?,
                entity_id: row.try_get_by_index(1)?,
                name: row.try_get_by_index(2)?,
                version: row.try_get_by_index(3)?,
                value: row.try_get_by_index(4)?,
            };
            // The id × name product may hold pairs nobody asked for.
            if chunk.contains(&(row.entity_id, row.name.as_str())) {
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// Inserts the new versions, the last of each aspect marked latest, and unmarks the versions
/// they replace.
async fn store_versions(
    txn: &DatabaseTransaction,
    current: &HashMap<(i64, String), Current>,
    versions: Vec<NewVersion>,
    now: i64,
) -> Result<()> {
    let mut replaced: Vec<i64> = Vec::new();
    let mut seen: HashSet<(i64, &str)> = HashSet::new();
    for v in &versions {
        if seen.insert((v.entity_id, v.aspect.as_str())) {
            if let Some(id) = current[&(v.entity_id, v.aspect.clone())].stored_latest {
                replaced.push(id);
            }
        }
    }
    for chunk in replaced.chunks(CHUNK) {
        aspect::Entity::update_many()
            .col_expr(aspect::Column::IsLatest, Expr::value(false))
            .filter(aspect::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    use aspect::Column as A;
    let columns = [
        A::EntityId,
        A::Name,
        A::Version,
        A::IsLatest,
        A::Value,
        A::CreatedAt,
        A::Actor,
        A::RunId,
    ];
    let rows = versions
        .into_iter()
        .map(|v| {
            let latest = current[&(v.entity_id, v.aspect.clone())].version == v.version;
            vec![
                v.entity_id.into(),
                v.aspect.into(),
                v.version.into(),
                latest.into(),
                v.value.to_string().into(),
                now.into(),
                v.actor.name.into(),
                v.actor.run_id.into(),
            ]
        })
        .collect();
    insert_chunked(txn, "aspect", &columns, rows).await
}

/// Inserts `rows` (values in the order of `columns`) a tenth of [`CHUNK`] rows per statement.
async fn insert_chunked<C: IdenStatic>(
    txn: &DatabaseTransaction,
    table: &str,
    columns: &[C],
    rows: Vec<Vec<SqlValue>>,
) -> Result<()> {
    let backend = txn.get_database_backend();
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<Vec<SqlValue>> = rows.by_ref().take(CHUNK / 10).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        sql::insert(backend, table, columns, chunk)
            .execute(txn)
            .await?;
    }
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
        (false, true) => {
            removal::Entity::insert(removal::ActiveModel {
                entity_id: Set(owner.id),
                removed_at: Set(now),
                restored_at: Set(None),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await?;
        }
        (true, false) => {
            removal::Entity::update_many()
                .col_expr(removal::Column::RestoredAt, Expr::value(now))
                .filter(removal::Column::EntityId.eq(owner.id))
                .filter(removal::Column::RestoredAt.is_null())
                .exec(txn)
                .await?;
        }
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
    let keys: Vec<(i64, String)> = desired.iter().map(|(k, _)| k.clone()).collect();
    let mut stale = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let mut owner_ids: Vec<i64> = chunk.iter().map(|k| k.0).collect();
        owner_ids.sort_unstable();
        owner_ids.dedup();
        let mut names: Vec<&str> = chunk.iter().map(|k| k.1.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let current = edge::Entity::find()
            .filter(edge::Column::DeclaredBy.is_in(owner_ids))
            .filter(edge::Column::Aspect.is_in(names))
            .filter(edge::Column::RemovedAt.is_null())
            .all(txn)
            .await?;
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
    for chunk in stale.chunks(CHUNK) {
        edge::Entity::update_many()
            .col_expr(edge::Column::RemovedAt, Expr::value(now))
            .filter(edge::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    use edge::Column as E;
    let columns = [
        E::SourceId,
        E::DestinationId,
        E::Relation,
        E::DeclaredBy,
        E::Aspect,
        E::CreatedAt,
    ];
    let mut fresh = Vec::new();
    for ((owner, aspect), set) in desired {
        for (src, dst, relation) in set {
            fresh.push(vec![
                src.into(),
                dst.into(),
                relation.into(),
                owner.into(),
                aspect.as_str().into(),
                now.into(),
            ]);
        }
    }
    insert_chunked(txn, "edge", &columns, fresh).await
}

/// Each URN once, in the order first seen.
fn first_seen<'a>(urns: impl Iterator<Item = &'a Urn>) -> Vec<&'a Urn> {
    let mut seen = HashSet::new();
    urns.filter(|u| seen.insert(u.as_str())).collect()
}

/// Gives every URN a row (a URN referenced before it is written still gets one, so every edge
/// has two ends) and returns their ids by URN.
async fn ensure_entities(
    txn: &impl ConnectionTrait,
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
    txn: &impl ConnectionTrait,
    urns: &[&'a Urn],
    now: i64,
) -> Result<(HashMap<String, i64>, Vec<&'a Urn>)> {
    let found = find_ids(txn, urns).await?;
    let missing: Vec<&Urn> = urns
        .iter()
        .copied()
        .filter(|u| !found.contains_key(u.as_str()))
        .collect();
    if !missing.is_empty() {
        use entity::Column as C;
        let columns = [
            C::Urn,
            C::EntityType,
            C::Name,
            C::SearchName,
            C::Platform,
            C::Env,
            C::Namespace,
            C::HasAspects,
            C::Removed,
            C::CreatedAt,
            C::UpdatedAt,
        ];
        let rows = missing.iter().map(|u| new_row(u, now));
        let mut q = sql::insert(txn.get_database_backend(), "entity", &columns, rows);
        q.push(" ON CONFLICT (\"urn\") DO NOTHING");
        q.execute(txn).await?;
    }
    Ok((found, missing))
}

/// The ids of those of `urns` that have a row (two columns read, not the whole row).
async fn find_ids(txn: &impl ConnectionTrait, urns: &[&Urn]) -> Result<HashMap<String, i64>> {
    let mut q = Sql::new(
        txn.get_database_backend(),
        "SELECT \"urn\", \"id\" FROM \"entity\" WHERE \"urn\" IN ",
    );
    q.list(urns.iter().map(|u| u.as_str()));
    q.rows(txn)
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// A new entity row's values, in the order of `create_missing`'s columns.
fn new_row(urn: &Urn, now: i64) -> Vec<SqlValue> {
    vec![
        urn.as_str().into(),
        urn.kind().as_str().into(),
        urn.name().into(),
        urn.name().to_lowercase().into(),
        urn.platform().into(),
        urn.env().into(),
        urn.namespace().into(),
        false.into(),
        false.into(),
        now.into(),
        now.into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn batch(writes: usize) -> (Batch, oneshot::Receiver<Result<Vec<Written>>>) {
        let (done, answer) = oneshot::channel();
        let urn = Urn::parse("urn:li:mlFeature:(t,f)").unwrap();
        let writes = (0..writes)
            .map(|_| AspectWrite::upsert(urn.clone(), "mlFeatureProperties", Value::Null))
            .collect();
        let actor = Actor::named("test");
        (
            Batch {
                actor,
                writes,
                done,
            },
            answer,
        )
    }

    /// Writes through the queue's own connection, then reads through the pool.
    async fn write_then_read(url: &str) {
        use migration::MigratorTrait;
        let db = crate::store::connect(url).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        let catalog = Catalog::new(db);
        let urn = Urn::parse("urn:li:mlFeature:(t,f)").unwrap();
        let value =
            serde_json::json!({"description": "written by the writer", "customProperties": {}});
        catalog
            .write(
                &Actor::named("test"),
                vec![AspectWrite::upsert(
                    urn.clone(),
                    "mlFeatureProperties",
                    value,
                )],
            )
            .await
            .unwrap();
        let row = catalog.entity(&urn).await.unwrap();
        assert!(
            row.is_some(),
            "the pool does not see what the writer wrote ({url})"
        );
    }

    #[tokio::test]
    async fn what_the_writer_writes_to_a_file_the_readers_see() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
        write_then_read(&url).await;
    }

    #[tokio::test]
    async fn an_in_memory_catalog_writes_into_the_database_it_reads() {
        // In memory the database lives in its connections: writes must land where reads look.
        write_then_read("sqlite::memory:").await;
    }

    #[test]
    fn batches_that_wait_together_are_taken_as_one_group_in_their_order() {
        let queue = WriteQueue::default();
        let (first, _a) = batch(1);
        let (second, _b) = batch(2);
        let (third, _c) = batch(3);
        assert!(queue.push(first), "the first batch starts the writer");
        assert!(
            !queue.push(second),
            "a writer is running: the batch waits for it"
        );
        assert!(!queue.push(third));

        let group = queue.next_group().expect("three batches wait");
        let sizes: Vec<usize> = group.iter().map(|b| b.writes.len()).collect();
        assert_eq!(sizes, [1, 2, 3]);

        assert!(
            queue.next_group().is_none(),
            "nothing waits: the writer stops"
        );
        let (fourth, _d) = batch(1);
        assert!(
            queue.push(fourth),
            "with the writer stopped, the next batch starts one"
        );
    }

    #[test]
    fn a_writer_dropped_before_it_ran_out_of_work_lets_the_next_batch_start_one() {
        let queue = WriteQueue::default();
        let (first, _a) = batch(1);
        assert!(queue.push(first));
        // The writer's task is dropped mid-way, as a runtime that shuts down drops its tasks.
        drop(StopWriting {
            queue: &queue,
            stopped: false,
        });
        let (second, _b) = batch(1);
        assert!(
            queue.push(second),
            "no writer runs any more: this batch starts one"
        );

        // A writer that stopped the normal way leaves the flag to the writer started after it.
        assert!(queue.next_group().is_some());
        assert!(queue.next_group().is_none());
        let (third, _c) = batch(1);
        assert!(queue.push(third), "a new writer starts");
        drop(StopWriting {
            queue: &queue,
            stopped: true,
        });
        let (fourth, _d) = batch(1);
        assert!(!queue.push(fourth), "the new writer is still running");
    }

    #[test]
    fn a_group_stops_at_the_batch_that_reaches_the_write_limit() {
        let queue = WriteQueue::default();
        let mut answers = Vec::new();
        for writes in [GROUP_WRITES - 1, 1, 1] {
            let (b, answer) = batch(writes);
            queue.push(b);
            answers.push(answer);
        }
        let sizes = |g: Vec<Batch>| g.iter().map(|b| b.writes.len()).collect::<Vec<_>>();
        assert_eq!(sizes(queue.next_group().unwrap()), [GROUP_WRITES - 1, 1]);
        assert_eq!(sizes(queue.next_group().unwrap()), [1]);
        assert!(queue.next_group().is_none());
    }
}
