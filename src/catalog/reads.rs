//! Where the catalog's reads go: to the primary, or to a PostgreSQL read replica
//! (`--read-database-url`) once it has replayed every write this process committed, so that a
//! writer always reads its own writes. The one place that chooses a connection for a read.
//!
//! After each commit the process notes the primary's WAL insert position. A read uses the
//! replica when the replica's replay position, as last seen, has reached the noted one; replay
//! only moves forward, so a position once seen stays a lower bound while it suffices (the replica
//! is still asked once per [`ALIVE_EVERY`], to notice one that stopped answering: reads then go
//! to the primary until it answers again; a read the replica fails is run again on the primary
//! at once, so a replica that stops fails no read). Otherwise the replica's position is asked again, at most once per
//! [`RECHECK_AFTER`] (the read meanwhile goes to the primary), so a busy writer costs one small
//! statement on the replica per interval rather than one per read.
//!
//! What this does not give: a write committed by another process may not yet be on the replica
//! when this one reads (replicas of mlcat see each other's writes at once only without a read
//! replica), and the statements of one request may be answered partly by the replica and partly
//! by the primary.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use futures_util::future::BoxFuture;
use sea_orm::{ConnectionTrait, DatabaseConnection, DbBackend, DbErr, Statement};

use super::Catalog;

/// How long a replay position that is behind this process's writes is trusted before the
/// replica is asked again.
pub const RECHECK_AFTER: Duration = Duration::from_millis(10);

/// How often a replica that is caught up is asked anyway, to notice that it stopped answering.
pub const ALIVE_EVERY: Duration = Duration::from_secs(1);

/// After the replica failed to answer, how long reads stay on the primary before it is asked
/// again.
pub const BACK_OFF: Duration = Duration::from_secs(1);

/// How long the read that asks the replica waits for its answer.
const ASK_WITHIN: Duration = Duration::from_secs(1);

/// A noted position that could not be read: every read goes to the primary until a later
/// commit's position is noted.
const UNKNOWN: u64 = u64::MAX;

/// What `/ready` says of the read replica.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReplicaState {
    /// It holds this process's writes: reads go to it.
    CaughtUp,
    /// It answers but has not replayed this process's latest write: reads go to the primary.
    Behind,
    /// It did not answer: reads go to the primary until it does.
    NotAnswering,
}

impl ReplicaState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReplicaState::CaughtUp => "caught up",
            ReplicaState::Behind => "behind",
            ReplicaState::NotAnswering => "not answering",
        }
    }
}

/// Where one read goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Route {
    Replica,
    Primary,
    /// Ask the replica how far it has replayed, then decide again.
    Check,
}

/// What is known when a read comes.
#[derive(Debug, Clone, Copy)]
pub struct Known {
    /// The primary's position after this process's latest commit (0 before any).
    pub written: u64,
    /// The replica's replay position as last seen.
    pub replayed: u64,
    /// How long ago the replica was last asked.
    pub asked_ago: Duration,
    /// Whether it failed to answer then.
    pub failed: bool,
}

/// The decision: the replica when it is known to hold this process's writes and answered
/// lately; the primary while a fresh answer says it is behind or down; else ask it.
pub fn route(known: Known) -> Route {
    let caught_up = known.written != UNKNOWN && known.written <= known.replayed;
    let fresh_for = if known.failed {
        BACK_OFF
    } else if caught_up {
        ALIVE_EVERY
    } else {
        RECHECK_AFTER
    };
    if known.asked_ago >= fresh_for {
        Route::Check
    } else if caught_up && !known.failed {
        Route::Replica
    } else {
        Route::Primary
    }
}

/// The read replica and what is known of the positions.
pub(super) struct ReadReplica {
    db: DatabaseConnection,
    /// The primary's WAL insert position after this process's latest commit (0: none yet).
    written: AtomicU64,
    /// The replica's replay position last seen.
    replayed: AtomicU64,
    /// When it was last asked, in microseconds since `epoch`.
    asked_at: AtomicU64,
    /// Whether it failed to answer then.
    failed: AtomicBool,
    /// Whether a read is asking the replica now (the others go to the primary meanwhile).
    checking: AtomicBool,
    epoch: Instant,
}

/// The WAL position, as a number, that the server at the other end of `db` guarantees: on a
/// standby how far it has replayed, on a primary (a read URL that names the primary itself)
/// the end of what it has written.
const REPLAYED: &str = "SELECT (CASE WHEN pg_is_in_recovery() THEN pg_last_wal_replay_lsn() \
                        ELSE pg_current_wal_insert_lsn() END - '0/0'::pg_lsn)::bigint";

/// The primary's WAL insert position: past the commit record of every transaction committed
/// before it is read (the write position could trail it with asynchronous commit).
const INSERTED: &str = "SELECT (pg_current_wal_insert_lsn() - '0/0'::pg_lsn)::bigint";

async fn position(db: &DatabaseConnection, sql: &str) -> Result<u64, sea_orm::DbErr> {
    let row = db
        .query_one(Statement::from_string(DbBackend::Postgres, sql))
        .await?
        .ok_or_else(|| sea_orm::DbErr::RecordNotFound("no WAL position".into()))?;
    // NULL on a standby that has replayed nothing yet.
    let lsn: Option<i64> = row.try_get_by_index(0)?;
    Ok(lsn.map_or(0, |n| n.max(0) as u64))
}

impl ReadReplica {
    pub(super) fn new(db: DatabaseConnection) -> ReadReplica {
        ReadReplica {
            db,
            written: AtomicU64::new(0),
            replayed: AtomicU64::new(0),
            asked_at: AtomicU64::new(0),
            failed: AtomicBool::new(false),
            checking: AtomicBool::new(false),
            epoch: Instant::now(),
        }
    }

    fn now_micros(&self) -> u64 {
        self.epoch.elapsed().as_micros() as u64
    }

    fn decide(&self) -> Route {
        let asked_at = self.asked_at.load(Ordering::Acquire);
        route(Known {
            written: self.written.load(Ordering::Acquire),
            replayed: self.replayed.load(Ordering::Acquire),
            asked_ago: Duration::from_micros(self.now_micros().saturating_sub(asked_at)),
            failed: self.failed.load(Ordering::Acquire),
        })
    }

    /// Notes the primary's position after a commit of this process.
    async fn note_commit(&self, primary: &DatabaseConnection) {
        match position(primary, INSERTED).await {
            Ok(lsn) => {
                // Positions only grow; an UNKNOWN left by a failed note is replaced, as this
                // position was read after that commit too.
                let _ = self
                    .written
                    .fetch_update(Ordering::AcqRel, Ordering::Acquire, |was| {
                        (was == UNKNOWN || was < lsn).then_some(lsn)
                    });
            }
            Err(e) => {
                tracing::warn!(error = %e, "could not read the primary's WAL position after a commit; reads go to the primary until the next commit");
                self.written.store(UNKNOWN, Ordering::Release);
            }
        }
    }

    /// A read failed on the replica and the primary answered it: the replica gets no reads
    /// for [`BACK_OFF`], then is asked again.
    fn failed_where_primary_answered(&self, error: &DbErr) {
        if !self.failed.swap(true, Ordering::AcqRel) {
            tracing::warn!(error = %error, "a read failed on the read replica and was answered by the primary; reads go to the primary until the replica answers again");
        }
        self.asked_at.store(self.now_micros(), Ordering::Release);
    }

    /// Asks the replica how far it has replayed (one read at a time asks; the others meanwhile
    /// go to the primary); answers whether this read may go to it.
    async fn check(&self) -> bool {
        if self.checking.swap(true, Ordering::AcqRel) {
            return false;
        }
        let result = match tokio::time::timeout(ASK_WITHIN, position(&self.db, REPLAYED)).await {
            Ok(answered) => answered,
            Err(_) => Err(sea_orm::DbErr::Custom(format!(
                "no answer within {} ms",
                ASK_WITHIN.as_millis()
            ))),
        };
        match &result {
            Ok(lsn) => {
                self.replayed.fetch_max(*lsn, Ordering::AcqRel);
            }
            Err(e) => {
                if !self.failed.load(Ordering::Acquire) {
                    tracing::warn!(error = %e, "the read replica does not answer; reads go to the primary until it does");
                }
            }
        }
        self.failed.store(result.is_err(), Ordering::Release);
        self.asked_at.store(self.now_micros(), Ordering::Release);
        self.checking.store(false, Ordering::Release);
        self.decide() == Route::Replica
    }
}

impl Catalog {
    /// Sends reads to `replica` (a PostgreSQL standby of this catalog's database) whenever it
    /// has replayed this process's writes.
    pub fn with_read_replica(mut self, replica: DatabaseConnection) -> Catalog {
        self.reads = Some(std::sync::Arc::new(ReadReplica::new(replica)));
        self
    }

    /// Runs `read`, one read of committed data, on the replica when it holds every write this
    /// process committed, else on the primary. A read the replica fails (it stopped, or
    /// cancelled the statement for a conflict with replay) is run again on the primary, so the
    /// caller sees the primary's answer; when the primary answers it, the replica is treated as
    /// not answering for [`BACK_OFF`]. Reads that decide a write, and the feed's and webhooks'
    /// reads, use the primary directly.
    pub(in crate::catalog) async fn read<'s, 'f, T>(
        &'s self,
        read: impl Fn(&'s DatabaseConnection) -> BoxFuture<'f, Result<T, DbErr>>,
    ) -> Result<T, DbErr>
    where
        's: 'f,
    {
        let Some(replica) = &self.reads else {
            return read(&self.db).await;
        };
        let to_replica = match replica.decide() {
            Route::Replica => true,
            Route::Primary => false,
            Route::Check => replica.check().await,
        };
        crate::metrics::read_routed(to_replica);
        if !to_replica {
            return read(&self.db).await;
        }
        let failed = match read(&replica.db).await {
            Ok(answer) => return Ok(answer),
            Err(e) => e,
        };
        crate::metrics::read_routed(false);
        let answer = read(&self.db).await?;
        replica.failed_where_primary_answered(&failed);
        Ok(answer)
    }

    /// The read replica's state as `/ready` reports it, after asking it how far it has
    /// replayed (one small statement; at most [`ASK_WITHIN`]): `None` without a read replica.
    /// Reads go to the primary whatever the replica's state, so it does not make the server
    /// unready.
    pub async fn read_replica_state(&self) -> Option<ReplicaState> {
        let replica = self.reads.as_ref()?;
        replica.check().await;
        Some(if replica.failed.load(Ordering::Acquire) {
            ReplicaState::NotAnswering
        } else if replica.decide() == Route::Replica {
            ReplicaState::CaughtUp
        } else {
            ReplicaState::Behind
        })
    }

    /// After a commit: notes the primary's position, so this process's next reads wait for
    /// the replica to reach it. Nothing without a read replica.
    pub(in crate::catalog) async fn committed(&self) {
        if let Some(replica) = &self.reads {
            replica.note_commit(&self.db).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(written: u64, replayed: u64, asked_ago_ms: u64, failed: bool) -> Route {
        route(Known {
            written,
            replayed,
            asked_ago: Duration::from_millis(asked_ago_ms),
            failed,
        })
    }

    #[test]
    fn before_any_write_reads_go_to_a_replica_that_answers() {
        assert_eq!(known(0, 0, 5, false), Route::Replica);
        // Asked once a second whether it still answers.
        assert_eq!(known(0, 0, 1500, false), Route::Check);
    }

    #[test]
    fn a_replica_that_replayed_the_last_write_answers_without_being_asked() {
        assert_eq!(known(100, 100, 500, false), Route::Replica);
        assert_eq!(known(100, 250, 0, false), Route::Replica);
    }

    #[test]
    fn a_replica_behind_is_asked_again_only_after_the_interval() {
        assert_eq!(known(300, 250, 2, false), Route::Primary);
        assert_eq!(known(300, 250, 10, false), Route::Check);
    }

    #[test]
    fn a_replica_that_failed_is_left_alone_for_the_back_off() {
        assert_eq!(known(0, 500, 100, true), Route::Primary);
        assert_eq!(known(0, 500, 1000, true), Route::Check);
    }

    #[test]
    fn an_unknown_write_position_keeps_reads_on_the_primary() {
        assert_eq!(known(UNKNOWN, UNKNOWN, 1, false), Route::Primary);
        assert_eq!(known(UNKNOWN, UNKNOWN, 20, false), Route::Check);
    }
}
