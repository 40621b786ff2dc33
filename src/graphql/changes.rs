//! The change feed in GraphQL: `changes(since:, first:, filter:)` and `changeFeedHead` on the
//! query root, `entityChanged(filter:)` on the subscription root, and their types.

use async_graphql::{Context, Enum, InputObject, Result, SimpleObject, Subscription};
use futures_util::{Stream, StreamExt};

use super::scalars::{EntityType, Long};
use crate::catalog::{self, Catalog, ChangeScope, Error, FeedCursor};
use crate::config::Limits;
use crate::urn::{EntityKind, Urn};

/// Changes a page of the feed answers when the request gives no `first`.
pub const DEFAULT_PAGE: i32 = 100;

/// What a change did.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(
    remote = "crate::catalog::ChangeKind",
    name = "ChangeKind",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum ChangeKindGql {
    /// A new version of an aspect.
    Upsert,
    /// An aspect removed: no version of it is current any more.
    Delete,
    /// A version of `status` that marks the entity removed (soft-deleted).
    SoftDelete,
    /// The entity erased with all its aspects (hard-deleted).
    HardDelete,
}

/// One committed change of the catalog.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "Change")]
pub struct ChangeGql {
    /// This change's place in the feed: `changes(since:)` with it answers the changes after it.
    pub cursor: String,
    /// The entity changed.
    pub urn: String,
    /// Its type; null for a type the schema does not expose.
    #[graphql(name = "type")]
    pub entity_type: Option<EntityType>,
    /// Its type as its URN spells it (`mlModel`).
    pub entity_type_name: String,
    /// The aspect written or removed; null when the entity was erased whole.
    pub aspect: Option<String>,
    /// The version written, or the last version of an aspect removed; null when the entity was
    /// erased whole.
    pub version: Option<Long>,
    /// What the change did.
    pub kind: ChangeKindGql,
    /// Who wrote it.
    pub actor: String,
    /// When it was committed, in milliseconds since the epoch.
    pub time: Long,
    /// The ingestion run that wrote it, where the writer named one.
    pub run_id: Option<String>,
}

impl From<catalog::feed::Change> for ChangeGql {
    fn from(c: catalog::feed::Change) -> ChangeGql {
        ChangeGql {
            cursor: c.cursor.to_string(),
            entity_type: EntityType::from_kind(&EntityKind::parse(&c.entity_type)),
            urn: c.urn,
            entity_type_name: c.entity_type,
            aspect: c.aspect,
            version: c.version.map(Long),
            kind: c.kind.into(),
            actor: c.actor,
            time: Long(c.time),
            run_id: c.run_id,
        }
    }
}

/// A page of the change feed.
#[derive(SimpleObject, Clone, Debug)]
pub struct ChangeFeedPage {
    /// The changes, in commit order.
    pub changes: Vec<ChangeGql>,
    /// Where to go on from: pass it as `since` for the next page. It moves past changes the
    /// filter left out too; when nothing new came it is the cursor given.
    pub cursor: String,
    /// More changes (or more of the feed to look through) are there now: ask again at once.
    pub has_more: bool,
}

/// Which changes to answer; every part given must match, and an empty or absent part matches
/// everything.
#[derive(InputObject, Clone, Debug, Default)]
pub struct ChangeFilter {
    /// Changes of entities of these types.
    pub entity_types: Option<Vec<EntityType>>,
    /// Changes of these entities.
    pub urns: Option<Vec<String>>,
    /// Changes of these aspects (an entity erased whole matches none).
    pub aspects: Option<Vec<String>>,
    /// Changes of this entity and of every entity within `hops` upstream of it along the
    /// lineage (its features, feature tables, training data and their sources), as the graph
    /// is when the request (or the subscription) starts.
    pub upstream_of: Option<String>,
    /// Hops of `upstreamOf`; the server's default lineage depth when absent.
    pub hops: Option<i32>,
}

impl ChangeFilter {
    /// The catalog's filter, its lineage scope walked.
    async fn scope(self, catalog: &Catalog, limits: &Limits) -> Result<ChangeScope, Error> {
        let filter = self.catalog_filter()?;
        catalog
            .change_scope(
                &filter,
                limits.default_lineage_depth,
                limits.max_lineage_depth,
                limits.max_lineage_budget,
            )
            .await
    }

    /// The catalog's filter: types, URNs and the lineage root checked.
    pub fn catalog_filter(self) -> Result<catalog::ChangeFilter, Error> {
        let mut filter = catalog::ChangeFilter::default();
        for t in self.entity_types.unwrap_or_default() {
            let name = t.urn_type().ok_or_else(|| {
                let shown = async_graphql::InputType::to_value(&t).to_string();
                Error::bad_input(format!(
                    "{shown} is not a type of entity the catalog stores; filter on one that is"
                ))
            })?;
            filter.entity_types.push(catalog::feed::entity_type(name)?);
        }
        for urn in self.urns.unwrap_or_default() {
            filter.urns.push(Urn::parse(&urn)?);
        }
        filter.aspects = self.aspects.unwrap_or_default();
        filter.upstream_of = self.upstream_of.as_deref().map(Urn::parse).transpose()?;
        filter.hops = match self.hops {
            Some(h) if h < 0 => return Err(Error::bad_input("hops must not be negative")),
            h => h.map(|h| h as u32),
        };
        Ok(filter)
    }
}

/// `changes`: a page of the feed after `since`.
pub async fn changes(
    ctx: &Context<'_>,
    since: Option<String>,
    first: Option<i32>,
    filter: Option<ChangeFilter>,
) -> Result<ChangeFeedPage> {
    let catalog = ctx.data::<Catalog>()?;
    let limits = ctx.data::<Limits>()?;
    let first = first.unwrap_or(DEFAULT_PAGE);
    if first < 0 || first as u64 > limits.max_page_size {
        return Err(Error::bad_input(format!(
            "first must be between 0 and the page-size cap of {}",
            limits.max_page_size
        ))
        .into());
    }
    let since = since.as_deref().map(FeedCursor::parse).transpose()?;
    let scope = filter.unwrap_or_default().scope(catalog, limits).await?;
    let page = catalog.changes(since, first as u64, &scope).await?;
    Ok(ChangeFeedPage {
        changes: page.changes.into_iter().map(ChangeGql::from).collect(),
        cursor: page.cursor.to_string(),
        has_more: page.has_more,
    })
}

/// The page size of a `changes` request, for pricing its complexity.
pub fn page_size(first: Option<i32>) -> usize {
    first.unwrap_or(DEFAULT_PAGE).max(0) as usize
}

/// The subscription root.
#[derive(Default)]
pub struct Subscription;

/// What can be watched as it happens, over WebSocket (`graphql-transport-ws`, at
/// `/api/graphql/ws`).
#[Subscription]
impl Subscription {
    /// Every change committed from the moment of subscribing that `filter` matches, as it is
    /// committed (the server polls the feed every 100 ms, so on every replica), in commit
    /// order. A subscriber that falls behind is caught up from the feed: none is skipped.
    async fn entity_changed(
        &self,
        ctx: &Context<'_>,
        filter: Option<ChangeFilter>,
    ) -> Result<impl Stream<Item = Result<ChangeGql>>> {
        let catalog = ctx.data::<Catalog>()?;
        let limits = ctx.data::<Limits>()?;
        let scope = filter.unwrap_or_default().scope(catalog, limits).await?;
        let stream = catalog.watch_changes(scope).await?;
        Ok(stream.map(|change| {
            change
                .map(ChangeGql::from)
                .map_err(async_graphql::Error::from)
        }))
    }
}
