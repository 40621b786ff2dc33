//! Live delivery of the change feed: one poller per process reads the feed as soon as a write
//! of this process commits, and at least every [`POLL_EVERY`] (for the writes of other
//! replicas), while someone listens, and fans each new stretch of it out through a broadcast
//! channel; each listener keeps its own cursor and its own filter. The feed is in
//! the database, so this works with any number of replicas (each polls), and a listener that
//! falls behind the channel (or starts between two stretches) reads what it missed from the
//! feed itself: nothing committed is skipped, and a slow listener never slows a write.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use futures_util::Stream;
use tokio::sync::{broadcast, watch};

use super::feed::{Change, ChangeScope, FeedCursor};
use super::{Catalog, Result};

/// How often the poller reads the feed while someone listens and this process commits nothing
/// (other replicas' writes reach it this way).
pub const POLL_EVERY: Duration = Duration::from_millis(100);

/// Most changes one read of the poller takes; with more waiting it reads again at once.
const POLL_PAGE: u64 = 1_000;

/// Stretches of the feed the channel holds for a listener that has not read them yet.
const CHANNEL: usize = 256;

/// A stretch of the feed: every change after `from` up to and including `to`.
#[derive(Debug)]
struct Stretch {
    from: FeedCursor,
    to: FeedCursor,
    changes: Vec<Change>,
}

/// The process's poller and its channel.
pub(super) struct ChangeHub {
    sender: broadcast::Sender<Arc<Stretch>>,
    /// Whether the poller runs; it stops when nobody listens, and the next listener starts it.
    running: Mutex<bool>,
    /// Counts this process's commits: the poller (and the webhook deliverer) wake on it.
    commits: watch::Sender<u64>,
}

impl Default for ChangeHub {
    fn default() -> ChangeHub {
        ChangeHub {
            sender: broadcast::channel(CHANNEL).0,
            running: Mutex::new(false),
            commits: watch::channel(0).0,
        }
    }
}

/// What a listener holds between two changes.
struct Listener {
    catalog: Catalog,
    receiver: broadcast::Receiver<Arc<Stretch>>,
    cursor: FeedCursor,
    scope: ChangeScope,
    ready: VecDeque<Change>,
}

impl Catalog {
    /// Every change committed from now on that `scope` matches, as it is committed (within
    /// about [`POLL_EVERY`]), in commit order; the stream ends only when dropped. An error of
    /// the database is answered as an item, and the stream goes on from where it was.
    pub async fn watch_changes(
        &self,
        scope: ChangeScope,
    ) -> Result<impl Stream<Item = Result<Change>> + Send + 'static> {
        let receiver = self.hub_subscribe();
        let cursor = self.change_head().await?;
        let listener = Listener {
            catalog: self.clone(),
            receiver,
            cursor,
            scope,
            ready: VecDeque::new(),
        };
        Ok(futures_util::stream::unfold(listener, |mut l| async move {
            let next = l.next().await;
            Some((next, l))
        }))
    }

    /// Tells the feed's readers in this process that a write committed.
    pub(super) fn commit_seen(&self) {
        self.hub.commits.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Changes each time a write of this process commits: a reader of the feed waits on it
    /// (with a timeout, for other replicas' writes) instead of polling blindly.
    pub fn commit_signal(&self) -> watch::Receiver<u64> {
        self.hub.commits.subscribe()
    }

    /// A receiver of the poller's stretches, the poller started if it is not running.
    fn hub_subscribe(&self) -> broadcast::Receiver<Arc<Stretch>> {
        let mut running = self
            .hub
            .running
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let receiver = self.hub.sender.subscribe();
        if !*running {
            *running = true;
            let catalog = self.clone();
            tokio::spawn(async move { catalog.poll_feed().await });
        }
        receiver
    }

    /// The poller: reads the feed on from its head and sends each new stretch, until nobody
    /// listens.
    async fn poll_feed(self) {
        let mut at = None;
        let everything = ChangeScope::default();
        let mut commits = self.commit_signal();
        loop {
            {
                let mut running = self
                    .hub
                    .running
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                if self.hub.sender.receiver_count() == 0 {
                    *running = false;
                    return;
                }
            }
            let from = match at {
                Some(from) => from,
                None => match self.change_head().await {
                    Ok(head) => {
                        at = Some(head);
                        tokio::time::sleep(POLL_EVERY).await;
                        continue;
                    }
                    Err(e) => {
                        tracing::warn!("the change feed's poller could not read the feed: {e:?}");
                        tokio::time::sleep(POLL_EVERY * 10).await;
                        continue;
                    }
                },
            };
            match self.changes_after(from, POLL_PAGE, &everything).await {
                Ok(page) if page.cursor != from => {
                    at = Some(page.cursor);
                    let more = page.has_more;
                    // Nobody listening is no error: the next turn stops the poller.
                    let _ = self.hub.sender.send(Arc::new(Stretch {
                        from,
                        to: page.cursor,
                        changes: page.changes,
                    }));
                    if more {
                        continue;
                    }
                }
                Ok(_) => {}
                Err(e) => {
                    tracing::warn!("the change feed's poller could not read the feed: {e:?}");
                    tokio::time::sleep(POLL_EVERY * 10).await;
                }
            }
            // A commit made during the read wakes it at once: nothing is waited for twice.
            let _ = tokio::time::timeout(POLL_EVERY, commits.changed()).await;
        }
    }
}

impl Listener {
    async fn next(&mut self) -> Result<Change> {
        loop {
            if let Some(change) = self.ready.pop_front() {
                return Ok(change);
            }
            match self.receiver.recv().await {
                Ok(stretch) if stretch.to <= self.cursor => {}
                Ok(stretch) if stretch.from <= self.cursor => {
                    // Every change after the cursor up to `to` is in the stretch.
                    let cursor = self.cursor;
                    self.ready.extend(
                        stretch
                            .changes
                            .iter()
                            .filter(|c| c.cursor > cursor && self.scope.matches(c))
                            .cloned(),
                    );
                    self.cursor = stretch.to;
                }
                // A gap between the cursor and the stretch (the listener started between two,
                // or the channel dropped stretches it was too slow to read): from the feed.
                Ok(_) | Err(broadcast::error::RecvError::Lagged(_)) => self.catch_up().await?,
                Err(broadcast::error::RecvError::Closed) => {
                    // The hub lives as long as the catalog; not reached.
                    std::future::pending::<()>().await;
                }
            }
        }
    }

    /// Reads the feed from the cursor until it has nothing more now.
    async fn catch_up(&mut self) -> Result<()> {
        loop {
            let page = self
                .catalog
                .changes_after(self.cursor, POLL_PAGE, &self.scope)
                .await?;
            self.cursor = page.cursor;
            self.ready.extend(page.changes);
            if !page.has_more {
                return Ok(());
            }
        }
    }
}
