//! How much a request wrote, for the request log: [`count`] runs a future with a tally of its
//! own, and [`Catalog::write`](super::Catalog::write) adds every committed batch to the tally of
//! the task it runs in, if there is one. The front doors need not pass anything along: whatever
//! path a write takes (a GraphQL mutation, DataHub ingestion), it ends in `Catalog::write`.

use std::future::Future;
use std::sync::{Arc, Mutex};

/// What a request wrote: who (the last actor that wrote) and how many aspect versions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Tally {
    /// `None` when nothing was written through the catalog.
    pub actor: Option<String>,
    /// Aspect versions made (unchanged aspects make none).
    pub aspects: usize,
}

tokio::task_local! {
    static TALLY: Arc<Mutex<Tally>>;
}

/// Runs `work` with a fresh tally and answers its output and what it wrote.
pub async fn count<F: Future>(work: F) -> (F::Output, Tally) {
    let tally = Arc::new(Mutex::new(Tally::default()));
    let out = TALLY.scope(tally.clone(), work).await;
    let counted = tally.lock().map(|t| t.clone()).unwrap_or_default();
    (out, counted)
}

/// Adds a committed write to the running tally; outside [`count`] it does nothing.
pub(super) fn record(actor: &str, aspects: usize) {
    let _ = TALLY.try_with(|tally| {
        if let Ok(mut tally) = tally.lock() {
            tally.actor = Some(actor.to_string());
            tally.aspects += aspects;
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn writes_inside_count_are_added_up_and_outside_are_ignored() {
        record("before", 7);
        let ((), tally) = count(async {
            record("ci", 2);
            tokio::task::yield_now().await;
            record("ci", 3);
        })
        .await;
        assert_eq!(
            tally,
            Tally {
                actor: Some("ci".into()),
                aspects: 5
            }
        );
    }
}
