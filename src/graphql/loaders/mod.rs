//! Dataloaders: every nested field that loads an entity, an aspect, edges, a walk, history or a
//! time series
//! goes through here, so the SQL statements of a request grow with the depth of the query, not
//! with its size. This file holds the per-request machinery ([`for_request`], [`drive`]); each
//! kind of batch is one file with its typed key, its `impl Loader<Key> for CatalogLoader` and
//! the functions fields call to load by it.

mod aspect;
mod edges;
mod entity;
mod history;
mod latest;
mod series;
mod walk;

pub use aspect::{aspect, aspect_pair, AspectKey};
pub use edges::{edges, EdgeKey};
pub use entity::{entities, entity, related, UrnKey};
pub use history::{history, AspectName, HistoryKey};
pub use latest::{latest_version, LatestKey};
pub use series::{series, SeriesKey};
pub use walk::{walk, WalkKey};

use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

use async_graphql::dataloader::DataLoader;
use async_graphql::{Context, ErrorExtensions};

use crate::catalog::{Catalog, Error};

/// The catalog's batch reads behind one `DataLoader`, made fresh for each request so a query
/// after a mutation in the same request reads what the mutation wrote, with the request's
/// count of [`Reads`].
pub struct CatalogLoader {
    catalog: Catalog,
    reads: Arc<Reads>,
}

impl CatalogLoader {
    /// The loader of one request that may ask for at most `max_reads` loads.
    pub fn new(catalog: Catalog, max_reads: usize) -> CatalogLoader {
        CatalogLoader {
            catalog,
            reads: Arc::new(Reads {
                used: AtomicUsize::new(0),
                max: max_reads,
            }),
        }
    }

    /// The request's count of loads.
    pub fn reads(&self) -> &Arc<Reads> {
        &self.reads
    }
}

/// What a request reads, against `--max-query-reads`: each load its fields ask of a loader (an
/// entity, an aspect, a list of edges, a walk, a history: one each, however they are batched;
/// a list of related entities one per entity),
/// and each row of a page read without one (a list's entities, a domain's, a search's hits).
///
/// The complexity limit prices a query before it runs, from its page sizes; what a query
/// costs beyond that depends on the data (a feature's tables, each table's features, each of
/// those features' tables: BENCHMARKS.md, "what a DataHub UI page costs when the data fans
/// out"). This count is the bound the run itself keeps: once a request has asked for `max`
/// reads, every further one fails, and [`drive`] stops a query there with one error, before
/// its answer is built.
pub struct Reads {
    used: AtomicUsize,
    max: usize,
}

impl Reads {
    /// Counts `n` reads; an error once the request has had its `max`.
    fn charge(&self, n: usize) -> async_graphql::Result<()> {
        if self.used.fetch_add(n, Ordering::Relaxed) + n <= self.max {
            Ok(())
        } else {
            Err(async_graphql::Error::new(self.refusal())
                .extend_with(|_, e| e.set("code", "BAD_USER_INPUT")))
        }
    }

    /// Reads asked for so far (refused ones included).
    pub fn used(&self) -> usize {
        self.used.load(Ordering::Relaxed)
    }

    /// Whether a read has been refused.
    pub fn exceeded(&self) -> bool {
        self.used() > self.max
    }

    /// What to tell a request that asked for more than its reads.
    pub fn refusal(&self) -> String {
        format!(
            "the query reads more than {} entities, aspects and relation lists (--max-query-reads): \
             the data behind its nested lists is larger than their page sizes suggest; ask for \
             fewer nested lists or smaller pages (count), or ask again from the entities of a list",
            self.max
        )
    }
}

pub type Loaders = DataLoader<CatalogLoader>;

/// A batch function's error: cloned to every waiting field.
pub type LoadError = Arc<Error>;

/// The loaders of one request (reading at most `max_reads`), and the queue their batches wait
/// in until [`drive`] runs them.
pub fn for_request(catalog: Catalog, max_reads: usize) -> (Loaders, BatchQueue) {
    let queue = BatchQueue::default();
    let enqueue = queue.clone();
    let loader = CatalogLoader::new(catalog, max_reads);
    let loaders = DataLoader::new(loader, move |batch| enqueue.push(batch))
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
/// when the request cannot go on without it. With `stop` (the request's [`Reads`]), the run
/// ends with `Err` as soon as a load has been refused, dropping what was resolved so far;
/// without it the refused fields answer their error and the request runs to its end (a
/// mutation's answer must say what it wrote).
///
/// A timer-based batch window (async-graphql's default: a spawned task that waits 1 ms) splits
/// a level of a large query into several batches whenever resolving that level takes longer
/// than the window, so the statements of a request would depend on its size and on the
/// machine's load. Here a batch starts only once every field that can make progress has made
/// it, i.e. every key of the level is queued: one statement per kind of batch and level.
pub async fn drive<F: Future>(
    queue: BatchQueue,
    stop: Option<Arc<Reads>>,
    request: F,
) -> Result<F::Output, Arc<Reads>> {
    let mut request = std::pin::pin!(request);
    let mut running: FuturesUnordered<BoxFuture<'static, ()>> = FuturesUnordered::new();
    std::future::poll_fn(move |cx| loop {
        let flag = Arc::new(WakeFlag {
            woken: AtomicBool::new(false),
            task: cx.waker().clone(),
        });
        let waker = Waker::from(flag.clone());
        if let Poll::Ready(out) = request.as_mut().poll(&mut TaskContext::from_waker(&waker)) {
            return Poll::Ready(Ok(out));
        }
        if let Some(reads) = stop.as_ref().filter(|r| r.exceeded()) {
            return Poll::Ready(Err(reads.clone()));
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

/// The request's loaders, for `reads` more loads.
fn loaders<'a>(ctx: &'a Context<'_>, reads: usize) -> async_graphql::Result<&'a Loaders> {
    let loaders = ctx.data::<Loaders>()?;
    loaders.loader().reads.charge(reads)?;
    Ok(loaders)
}

/// Counts `rows` read without a loader (a page of a list) against the request's
/// `--max-query-reads`. A request served without loaders (a test's schema) counts nothing.
pub fn charge(ctx: &Context<'_>, rows: usize) -> async_graphql::Result<()> {
    match ctx.data_opt::<Loaders>() {
        Some(loaders) => loaders.loader().reads.charge(rows),
        None => Ok(()),
    }
}

/// A batch's error as the GraphQL error of one waiting field.
pub fn to_gql(e: LoadError) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(err) => err.into(),
        Err(shared) => shared.duplicate().into(),
    }
}
