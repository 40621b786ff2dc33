//! Dataloaders: every nested field that loads an entity, an aspect, edges, a walk or history
//! goes through here, so the SQL statements of a request grow with the depth of the query, not
//! with its size. This file holds the per-request machinery ([`for_request`], [`drive`]); each
//! kind of batch is one file with its typed key, its `impl Loader<Key> for CatalogLoader` and
//! the functions fields call to load by it.

mod aspect;
mod edges;
mod entity;
mod history;
mod walk;

pub use aspect::{aspect, aspect_pair, AspectKey};
pub use edges::{edges, EdgeKey};
pub use entity::{entities, entity, related, UrnKey};
pub use history::{history, AspectName, HistoryKey};
pub use walk::{walk, WalkKey};

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

use async_graphql::dataloader::DataLoader;
use async_graphql::Context;

use crate::catalog::{Catalog, Error};

/// The catalog's batch reads behind one `DataLoader`, made fresh for each request so a query
/// after a mutation in the same request reads what the mutation wrote.
pub struct CatalogLoader(pub Catalog);

pub type Loaders = DataLoader<CatalogLoader>;

/// A batch function's error: cloned to every waiting field.
pub type LoadError = Arc<Error>;

/// The loaders of one request, and the queue their batches wait in until [`drive`] runs them.
pub fn for_request(catalog: Catalog) -> (Loaders, BatchQueue) {
    let queue = BatchQueue::default();
    let enqueue = queue.clone();
    let loaders = DataLoader::new(CatalogLoader(catalog), move |batch| enqueue.push(batch))
        .delay(Duration::ZERO)
        .max_batch_size(10_000);
    (loaders, queue)
}

/// Batches a request's loaders have started and [`drive`] has not picked up yet.
#[derive(Clone, Default)]
pub struct BatchQueue(Arc<Mutex<Vec<BoxFuture<'static, ()>>>>);

impl BatchQueue {
    fn push(&self, batch: BoxFuture<'static, ()>) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).push(batch);
    }

    fn take(&self) -> Vec<BoxFuture<'static, ()>> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Records whether a future woke its own task while being polled, and passes the wake on.
struct WakeFlag {
    woken: AtomicBool,
    task: Waker,
}

impl Wake for WakeFlag {
    fn wake(self: Arc<Self>) {
        self.wake_by_ref();
    }
    fn wake_by_ref(self: &Arc<Self>) {
        self.woken.store(true, Ordering::SeqCst);
        self.task.wake_by_ref();
    }
}

/// Runs `request` with its loader batches inside the request's own task, starting a batch only
/// when the request cannot go on without it.
///
/// A timer-based batch window (async-graphql's default: a spawned task that waits 1 ms) splits
/// a level of a large query into several batches whenever resolving that level takes longer
/// than the window, so the statements of a request would depend on its size and on the
/// machine's load. Here a batch starts only once every field that can make progress has made
/// it, i.e. every key of the level is queued: one statement per kind of batch and level.
pub async fn drive<F: Future>(queue: BatchQueue, request: F) -> F::Output {
    let mut request = std::pin::pin!(request);
    let mut running: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
    std::future::poll_fn(move |cx| loop {
        let flag = Arc::new(WakeFlag {
            woken: AtomicBool::new(false),
            task: cx.waker().clone(),
        });
        let waker = Waker::from(flag.clone());
        if let Poll::Ready(out) = request.as_mut().poll(&mut TaskContext::from_waker(&waker)) {
            return Poll::Ready(out);
        }
        if flag.woken.load(Ordering::SeqCst) {
            // The request yielded with work left (a long list resolves in slices).
            return Poll::Pending;
        }
        running.extend(queue.take());
        match running.poll_next_unpin(cx) {
            // A batch answered its fields: let the request use the answers.
            Poll::Ready(Some(())) => continue,
            Poll::Ready(None) | Poll::Pending => return Poll::Pending,
        }
    })
    .await
}

fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

/// A batch's error as the GraphQL error of one waiting field.
pub fn to_gql(e: LoadError) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(err) => err.into(),
        Err(shared) => shared.duplicate().into(),
    }
}
