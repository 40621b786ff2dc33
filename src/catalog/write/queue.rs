//! SQLite's writers: batches that arrive while another is being written share the next
//! transaction (group commit), each in a savepoint of its own, and every caller is answered
//! after the commit.

use std::collections::VecDeque;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex as StdMutex;

use futures_util::FutureExt;
use sea_orm::{DatabaseConnection, DatabaseTransaction, TransactionTrait};
use tokio::sync::oneshot;

use super::apply::{apply_all, apply_group, groupable, GroupBatch};
use super::deadline::Claim;
use super::health::refused_by_storage;
use super::{Actor, AspectWrite, Deadline, Written};
use crate::catalog::{Catalog, Error, Result};
use crate::store::{self, now_millis};

impl Catalog {
    /// One SQLite transaction for `batches`, each in a savepoint of its own when there are
    /// several, so a batch that fails is rolled back alone; every caller is answered after the
    /// commit.
    ///
    /// A batch whose deadline passes before the writer decides to commit it is rolled back
    /// (its savepoint, or the transaction when it is alone) and answers `Timeout`; once the
    /// writer has claimed it (see [`Deadline::claim`]), it is committed with the group and its
    /// caller hears the commit's outcome.
    async fn write_group(&self, batches: Vec<Batch>) {
        // Batches whose time ran out while they waited are not begun.
        let batches: Vec<Batch> = batches
            .into_iter()
            .filter_map(|b| match &b.deadline {
                Some(deadline) if deadline.expired() => {
                    let _ = b.done.send(Err(deadline.timeout()));
                    None
                }
                _ => Some(b),
            })
            .collect();
        if batches.is_empty() {
            return;
        }
        let alone = batches.len() == 1;
        let mut dones = Vec::with_capacity(batches.len());
        let mut work = Vec::with_capacity(batches.len());
        for b in batches {
            dones.push(b.done);
            work.push((b.actor, b.writes, b.deadline));
        }
        let txn = match self.begin_writing().await {
            Ok(txn) => txn,
            Err(e) => {
                let e = refused_by_storage(e);
                return answer_all(dones, || e.duplicate());
            }
        };
        let mut outs = Vec::with_capacity(work.len());
        let mut claims = Vec::with_capacity(work.len());
        // Batches of plain writes are applied set-wise across the group: a few statements for
        // all of them instead of a few per batch (see `apply_group`); the others each in a
        // savepoint of their own.
        if !alone && groupable(work.iter().map(|(_, writes, _)| writes.as_slice())) {
            let batches = work
                .into_iter()
                .map(|(actor, writes, deadline)| GroupBatch {
                    actor,
                    writes,
                    deadline,
                })
                .collect();
            match apply_group(&txn, now_millis(), batches).await {
                Ok(outcomes) => {
                    for (out, claim) in outcomes {
                        outs.push(out);
                        claims.push(claim);
                    }
                }
                Err(e) => {
                    // The shared reads or writes failed: nothing of the group is committed.
                    let _ = txn.rollback().await;
                    let e = refused_by_storage(e);
                    return answer_all(dones, || e.duplicate());
                }
            }
            return self.finish_group(txn, dones, outs, claims).await;
        }
        for (actor, writes, deadline) in work {
            let (out, claim) = if alone {
                match apply_all(&txn, &actor, now_millis(), writes).await {
                    Ok(out) => match deadline.as_ref().map(Deadline::claim).transpose() {
                        Ok(claim) => (Ok(out), claim),
                        // Alone in the transaction: it is rolled back below.
                        Err(timeout) => (Err(timeout), None),
                    },
                    Err(e) => (Err(refused_by_storage(e)), None),
                }
            } else {
                match in_savepoint(&txn, &actor, writes, deadline.as_ref()).await {
                    Ok(done) => done,
                    Err(broken) => {
                        // A savepoint that cannot be released or rolled back may leave part of
                        // a batch in the transaction: nothing of the group is committed.
                        let _ = txn.rollback().await;
                        end_all(claims, false);
                        tracing::error!(error = ?broken, "a savepoint of a write group failed");
                        let broken = refused_by_storage(broken);
                        let message = format!(
                            "the write could not be isolated from the others written with it, so nothing of it was written: {}",
                            broken.public_message()
                        );
                        return answer_all(dones, || match &broken {
                            Error::Unavailable(_) => broken.duplicate(),
                            _ => Error::Internal(anyhow::anyhow!("{message}")),
                        });
                    }
                }
            };
            outs.push(out);
            claims.push(claim);
        }
        self.finish_group(txn, dones, outs, claims).await;
    }

    /// Commits a group's transaction (or rolls it back when no batch of it succeeded) and
    /// answers each caller: its batch's outcome, or the commit's failure.
    async fn finish_group(
        &self,
        txn: DatabaseTransaction,
        dones: Vec<Done>,
        outs: Vec<Result<Vec<Written>>>,
        claims: Vec<Option<Claim>>,
    ) {
        let committed = if outs.iter().any(Result::is_ok) {
            txn.commit().await
        } else {
            txn.rollback().await
        };
        end_all(claims, committed.is_ok());
        let failure = committed.err().map(|e| refused_by_storage(e.into()));
        for (done, out) in dones.into_iter().zip(outs) {
            let answer = match (&failure, out) {
                (None, out) | (Some(_), out @ Err(_)) => out,
                (Some(e @ Error::Unavailable(_)), Ok(_)) => Err(e.duplicate()),
                (Some(e), Ok(_)) => Err(Error::Internal(anyhow::anyhow!(
                    "the transaction did not commit, so nothing of the batch was written: {}",
                    e.internal().map(|e| format!("{e:#}")).unwrap_or_default()
                ))),
            };
            let _ = done.send(answer);
        }
    }

    /// The connection small writes outside the write path go through (a webhook's lease and
    /// cursor): on SQLite the writer's own, where they wait their turn in line with the
    /// queue's groups (its pool hands the one connection out in order) instead of retrying
    /// for the file lock, which a busy writer kept winning for seconds; the pool elsewhere.
    pub(in crate::catalog) fn writing_db(&self) -> &DatabaseConnection {
        self.writer.as_ref().unwrap_or(&self.db)
    }

    /// Opens a transaction that already holds SQLite's write lock.
    pub(super) async fn begin_writing(&self) -> Result<DatabaseTransaction> {
        let txn = self.writing_db().begin().await?;
        // Waits its turn rather than failing when another connection (a token's last-use
        // update, another process) wrote since the transaction began.
        store::take_write_lock(&txn).await?;
        Ok(txn)
    }
}

/// Ends the writer's claims on batches once their group's commit ended.
fn end_all(claims: Vec<Option<Claim>>, committed: bool) {
    for claim in claims.into_iter().flatten() {
        claim.end(committed);
    }
}

/// One batch inside a group's transaction: kept when it succeeds and its deadline has not
/// passed (with the writer's claim on it), rolled back alone when not (the inner result). The
/// outer error means the savepoint itself failed, and with it the isolation of the batch from
/// the others.
async fn in_savepoint(
    txn: &DatabaseTransaction,
    actor: &Actor,
    writes: Vec<AspectWrite>,
    deadline: Option<&Deadline>,
) -> Result<(Result<Vec<Written>>, Option<Claim>)> {
    let savepoint = txn.begin().await?;
    let out = apply_all(&savepoint, actor, now_millis(), writes)
        .await
        .map_err(refused_by_storage);
    let claimed = out.and_then(|out| {
        let claim = deadline.map(Deadline::claim).transpose()?;
        Ok((out, claim))
    });
    match claimed {
        Ok((out, claim)) => {
            if let Err(e) = savepoint.commit().await {
                if let Some(claim) = claim {
                    claim.end(false);
                }
                return Err(e.into());
            }
            Ok((Ok(out), claim))
        }
        Err(e) => {
            savepoint.rollback().await?;
            Ok((Err(e), None))
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
pub(in crate::catalog) struct WriteQueue {
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
    pub(super) fn push(&self, batch: Batch) -> bool {
        let mut state = self.state();
        state.waiting.push_back(batch);
        crate::metrics::write_queue_depth(state.waiting.len());
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
        crate::metrics::write_queue_depth(state.waiting.len());
        if group.is_empty() {
            state.writing = false;
            return None;
        }
        crate::metrics::write_group(group.len());
        Some(group)
    }

    /// The writer: writes groups until nothing waits. A group that panics answers its callers
    /// with an error (their answer channels are dropped) and the writer goes on with the next.
    pub(super) async fn drain(&self, catalog: &Catalog) {
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
pub(super) struct Batch {
    pub(super) actor: Actor,
    pub(super) writes: Vec<AspectWrite>,
    /// When the caller's time is up, if it has a limit.
    pub(super) deadline: Option<Deadline>,
    pub(super) done: Done,
}

/// Answers every caller of a group with the same failure.
fn answer_all(dones: Vec<Done>, error: impl Fn() -> Error) {
    for done in dones {
        let _ = done.send(Err(error()));
    }
}

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::*;
    use crate::urn::Urn;

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
                deadline: None,
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
    async fn a_group_applied_together_keeps_each_batch_whole_or_leaves_it_out() {
        use migration::MigratorTrait;
        use serde_json::json;
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("catalog.db").display());
        let db = crate::store::connect(&url).await.unwrap();
        migration::Migrator::up(&db, None).await.unwrap();
        let catalog = Catalog::new(db);
        let feature = |name: &str| Urn::parse(&format!("urn:li:mlFeature:(t,{name})")).unwrap();
        let described = |name: &str, text: &str| {
            AspectWrite::upsert(
                feature(name),
                "mlFeatureProperties",
                json!({"description": text, "customProperties": {}, "sources": [
                    format!("urn:li:dataset:(urn:li:dataPlatform:hive,{name}_source,PROD)")]}),
            )
        };
        let queued = |writes: Vec<AspectWrite>| {
            let (done, answer) = oneshot::channel();
            let actor = Actor::named("test");
            let deadline = None;
            (
                Batch {
                    actor,
                    writes,
                    deadline,
                    done,
                },
                answer,
            )
        };
        // The second batch's second write is refused (a description must be text): its first
        // write, its new entities and its edges must not land; the batches around it must.
        let (first, first_answer) = queued(vec![described("a", "one")]);
        let bad_value = AspectWrite::upsert(
            feature("c"),
            "mlFeatureProperties",
            json!({"description": 5}),
        );
        let (bad, bad_answer) = queued(vec![described("b", "never"), bad_value]);
        let patch = AspectWrite::patch(
            feature("a"),
            "mlFeatureProperties",
            |v: &mut serde_json::Map<String, Value>| {
                // Sees what the first batch of the group wrote.
                assert_eq!(v["description"], "one");
                v.insert("description".into(), json!("two"));
                Ok(())
            },
        );
        let (third, third_answer) = queued(vec![patch, described("d", "four")]);
        catalog.write_group(vec![first, bad, third]).await;

        assert!(first_answer.await.unwrap().is_ok());
        assert!(bad_answer.await.unwrap().is_err());
        let third = third_answer.await.unwrap().unwrap();
        assert_eq!(third[0].version, 2);
        for (name, there) in [("a", true), ("b", false), ("c", false), ("d", true)] {
            let row = catalog.entity(&feature(name)).await.unwrap();
            assert_eq!(row.is_some(), there, "{name}");
        }
        let source = |name: &str| {
            Urn::parse(&format!(
                "urn:li:dataset:(urn:li:dataPlatform:hive,{name}_source,PROD)"
            ))
            .unwrap()
        };
        assert!(catalog.entity(&source("b")).await.unwrap().is_none());
        assert!(catalog.entity(&source("d")).await.unwrap().is_some());
        let a = catalog.entity(&feature("a")).await.unwrap().unwrap();
        let latest = catalog
            .latest_aspects(&[(a.id, "mlFeatureProperties")])
            .await
            .unwrap();
        assert!(latest[0].value.contains("\"two\""), "{}", latest[0].value);
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
