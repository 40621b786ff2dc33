//! A request's deadline, shared by whoever enforces the time limit and the writes the request
//! makes, so that a status can be trusted: for each write, either the writer commits it (and
//! the request is answered with the commit's outcome, even a little after the deadline) or the
//! request is cut off (and the write is rolled back), never both. The two decide under one lock.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::time::Instant;

use crate::catalog::Error;

/// When a request's time is up. Cheap to clone: the clones share one state.
#[derive(Clone, Debug)]
pub struct Deadline(Arc<Inner>);

#[derive(Debug)]
struct Inner {
    at: Instant,
    limit: Duration,
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    /// The limit was enforced: no write of the request may commit any more.
    cut_off: bool,
    /// Writes the writer decided to commit whose commit has not ended yet.
    committing: usize,
    /// Writes whose commit ended (or whose fate is unknown): the request did write.
    committed: usize,
}

impl Deadline {
    /// A deadline `limit` from now.
    pub fn after(limit: Duration) -> Deadline {
        Deadline(Arc::new(Inner {
            at: Instant::now() + limit,
            limit,
            state: Mutex::new(State::default()),
        }))
    }

    pub fn at(&self) -> Instant {
        self.0.at
    }

    /// The limit, as a person reads it: `30 s`, or `250 ms` for a limit under a second.
    pub fn limit_text(&self) -> String {
        let limit = self.0.limit;
        if limit.subsec_millis() == 0 && limit.as_secs() > 0 {
            format!("{} s", limit.as_secs())
        } else {
            format!("{} ms", limit.as_millis())
        }
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Whether the deadline passed or the request was cut off: a write not yet committed
    /// will not be.
    pub fn expired(&self) -> bool {
        self.state().cut_off || Instant::now() >= self.0.at
    }

    /// The writer's decision to commit a write, taken before the commit: refused (with the
    /// error the write answers) once the deadline has passed or the request was cut off.
    /// While the claim is held, [`Deadline::cut_off`] will not cut the request off.
    pub(in crate::catalog) fn claim(&self) -> Result<Claim, Error> {
        let mut state = self.state();
        if state.cut_off || Instant::now() >= self.0.at {
            return Err(self.timeout());
        }
        state.committing += 1;
        Ok(Claim {
            deadline: self.clone(),
            ended: false,
        })
    }

    /// The answer of a write that was not committed because the time was up.
    pub(in crate::catalog) fn timeout(&self) -> Error {
        Error::Timeout(format!(
            "the request ran longer than the limit of {} (--request-timeout-secs) before this write could be committed, so it was rolled back: nothing of it was written",
            self.limit_text()
        ))
    }

    /// Enforces the limit once it has passed: from now on no write of the request commits.
    /// True when the request may be cut off, because nothing of it was committed or is being
    /// committed; false when a write of it is committed or committing, so the request must be
    /// let finish and answer what it did.
    pub fn cut_off(&self) -> bool {
        let mut state = self.state();
        state.cut_off = true;
        state.committing == 0 && state.committed == 0
    }
}

/// The writer's claim on a write it is about to commit; [`Claim::end`] when the commit ended.
#[must_use = "a claim ends when its commit ends"]
pub(in crate::catalog) struct Claim {
    deadline: Deadline,
    ended: bool,
}

impl Claim {
    /// The commit ended: `committed` says whether the write is in the catalog.
    pub(in crate::catalog) fn end(mut self, committed: bool) {
        self.ended = true;
        let mut state = self.deadline.state();
        state.committing -= 1;
        if committed {
            state.committed += 1;
        }
    }
}

impl Drop for Claim {
    /// A claim dropped before its commit ended (the task committing it was dropped) may have
    /// committed: it counts as written, so the request is never answered as if it had not.
    fn drop(&mut self) {
        if !self.ended {
            let mut state = self.deadline.state();
            state.committing -= 1;
            state.committed += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_cut_off_before_any_commit_can_commit_nothing_after() {
        let deadline = Deadline::after(Duration::from_secs(60));
        assert!(
            deadline.cut_off(),
            "nothing committed: the request may be cut off"
        );
        let refused = deadline
            .claim()
            .err()
            .expect("cut off: no write may commit");
        assert_eq!(refused.code(), "TIMEOUT");
        assert!(refused.public_message().contains("60 s"));
    }

    #[tokio::test]
    async fn a_write_being_committed_keeps_its_request_from_being_cut_off() {
        let deadline = Deadline::after(Duration::from_secs(60));
        let claim = deadline.claim().expect("in time");
        assert!(!deadline.cut_off(), "a commit is under way");
        assert!(deadline.claim().is_err(), "no further write commits");
        claim.end(true);
        assert!(!deadline.cut_off(), "a write was committed");
    }

    #[tokio::test]
    async fn a_commit_that_failed_leaves_the_request_free_to_be_cut_off() {
        let deadline = Deadline::after(Duration::from_secs(60));
        deadline.claim().expect("in time").end(false);
        assert!(deadline.cut_off());
    }

    #[tokio::test]
    async fn a_claim_dropped_mid_commit_counts_as_written() {
        let deadline = Deadline::after(Duration::from_secs(60));
        drop(deadline.claim().expect("in time"));
        assert!(!deadline.cut_off());
    }

    #[tokio::test]
    async fn no_write_commits_after_the_deadline_even_before_it_is_enforced() {
        let deadline = Deadline::after(Duration::ZERO);
        assert!(deadline.expired());
        assert!(deadline.claim().is_err());
        assert_eq!(deadline.limit_text(), "0 ms");
        assert_eq!(Deadline::after(Duration::from_secs(2)).limit_text(), "2 s");
    }
}
