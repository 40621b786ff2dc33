//! Dataloaders: every nested field that loads an entity or an aspect goes through here, so the
//! SQL statements of a request grow with the depth of the query, not with its size.

use std::collections::HashMap;
use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll, Wake, Waker};
use std::time::Duration;

use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};

use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::Context;
use serde::de::DeserializeOwned;

use crate::catalog::{Catalog, EntityId, EntityRecord, Error};
use crate::urn::Urn;

/// Loads an entity by URN.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct UrnKey(pub Urn);

/// Loads the latest version of one aspect of one entity.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct AspectKey {
    pub entity: EntityId,
    pub aspect: &'static str,
}

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

impl Loader<UrnKey> for CatalogLoader {
    type Value = Arc<EntityRecord>;
    type Error = LoadError;

    async fn load(&self, keys: &[UrnKey]) -> Result<HashMap<UrnKey, Self::Value>, Self::Error> {
        let urns: Vec<&Urn> = keys.iter().map(|k| &k.0).collect();
        let rows = self.0.entities_by_urn(&urns).await.map_err(Arc::new)?;
        let by_text: HashMap<&str, &UrnKey> = keys.iter().map(|k| (k.0.as_str(), k)).collect();
        Ok(rows
            .into_iter()
            .filter_map(|row| Some(((*by_text.get(row.urn.as_str())?).clone(), Arc::new(row))))
            .collect())
    }
}

impl Loader<AspectKey> for CatalogLoader {
    /// The stored JSON text: each field decodes it straight into its typed aspect, with no
    /// generic JSON tree in between.
    type Value = Arc<str>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[AspectKey],
    ) -> Result<HashMap<AspectKey, Self::Value>, Self::Error> {
        let wanted: Vec<(EntityId, &str)> = keys.iter().map(|k| (k.entity, k.aspect)).collect();
        let rows = self.0.latest_aspects(&wanted).await.map_err(Arc::new)?;
        let mut by_key: HashMap<(EntityId, &str), &str> = HashMap::with_capacity(rows.len());
        for row in &rows {
            by_key.insert((row.entity, row.aspect.as_str()), row.value.as_str());
        }
        Ok(keys
            .iter()
            .filter_map(|key| {
                let text = by_key.get(&(key.entity, key.aspect))?;
                Some((key.clone(), Arc::from(*text)))
            })
            .collect())
    }
}

fn loaders<'a>(ctx: &'a Context<'_>) -> async_graphql::Result<&'a Loaders> {
    ctx.data::<Loaders>()
}

pub fn to_gql(e: LoadError) -> async_graphql::Error {
    match Arc::try_unwrap(e) {
        Ok(err) => err.into(),
        Err(shared) => shared.duplicate().into(),
    }
}

/// The latest value of an aspect, decoded into its typed struct.
pub async fn aspect<T: DeserializeOwned>(
    ctx: &Context<'_>,
    entity: &EntityRecord,
    aspect: &'static str,
) -> async_graphql::Result<Option<T>> {
    let key = AspectKey {
        entity: entity.id,
        aspect,
    };
    let Some(text) = loaders(ctx)?.load_one(key).await.map_err(to_gql)? else {
        return Ok(None);
    };
    let typed = serde_json::from_str(&text).map_err(|e| {
        Error::Internal(anyhow::anyhow!(
            "stored {aspect} of {} does not decode: {e}",
            entity.urn
        ))
    })?;
    Ok(Some(typed))
}

/// Two aspects of one entity, loaded in the same batch.
pub async fn aspect_pair<A: DeserializeOwned, B: DeserializeOwned>(
    ctx: &Context<'_>,
    entity: &EntityRecord,
    first: &'static str,
    second: &'static str,
) -> async_graphql::Result<(Option<A>, Option<B>)> {
    let (a, b) = futures_util::future::try_join(
        aspect::<A>(ctx, entity, first),
        aspect::<B>(ctx, entity, second),
    )
    .await?;
    Ok((a, b))
}

/// One entity by URN.
pub async fn entity(
    ctx: &Context<'_>,
    urn: &Urn,
) -> async_graphql::Result<Option<Arc<EntityRecord>>> {
    loaders(ctx)?
        .load_one(UrnKey(urn.clone()))
        .await
        .map_err(to_gql)
}

/// Related entities in the order given, leaving out soft-deleted ones.
pub async fn related(
    ctx: &Context<'_>,
    urns: &[Urn],
) -> async_graphql::Result<Vec<Arc<EntityRecord>>> {
    let found = loaders(ctx)?
        .load_many(urns.iter().map(|u| UrnKey(u.clone())))
        .await
        .map_err(to_gql)?;
    let by_text: HashMap<&str, &Arc<EntityRecord>> =
        found.iter().map(|(k, v)| (k.0.as_str(), v)).collect();
    Ok(urns
        .iter()
        .filter_map(|u| by_text.get(u.as_str()).copied())
        .filter(|row| !row.removed)
        .cloned()
        .collect())
}
