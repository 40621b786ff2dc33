//! The query root: lookups by URN and paginated lists.

use async_graphql::{Context, Object, OutputType, Result};

use super::changes::{self, ChangeFeedPage, ChangeFilter};
use super::lineage::{self, LineageGraph, LineageGraphInput};
use super::loaders;
use super::scalars::Long;
use super::types::aggregate::{self, AggregateAcrossEntitiesInput, AggregateResults};
use super::types::browse_v2::{self, BrowseResultsV2, BrowseV2Input};
use super::types::scroll::{self, ScrollAcrossEntitiesInput, ScrollResults};
use super::types::search::{self, AutoCompleteMultipleResults, AutoCompleteResults, SearchResults};
use super::types::search_inputs::{
    self, AutoCompleteInput, AutoCompleteMultipleInput, SearchAcrossEntitiesInput, SearchInput,
};
use super::types::search_lineage::{
    self, ScrollAcrossLineageInput, ScrollAcrossLineageResults, SearchAcrossLineageInput,
    SearchAcrossLineageResults,
};
use super::types::{
    CorpGroup, CorpUser, DataPlatform, DataProcessInstance, Dataset, Domain, Entity, GlossaryNode,
    GlossaryTerm, ListInput, ListResult, MlFeature, MlFeatureTable, MlModel, MlModelDeployment,
    MlModelGroup, MlPrimaryKey, Tag,
};
use crate::catalog::{Catalog, EntityRecord, Error, ListFilter};
use crate::config::Limits;
use crate::urn::{EntityKind, Urn};

/// The query root.
pub struct Query;

/// Parses a URN argument and checks it names the expected entity type.
pub fn parse_urn(urn: &str, kind: EntityKind) -> Result<Urn, Error> {
    let parsed = Urn::parse(urn)?;
    parsed.expect_kind("urn", &[kind])?;
    Ok(parsed)
}

async fn lookup(
    ctx: &Context<'_>,
    urn: &str,
    kind: EntityKind,
) -> Result<Option<std::sync::Arc<EntityRecord>>> {
    let urn = parse_urn(urn, kind)?;
    loaders::entity(ctx, &urn).await
}

/// A governance entity's URN when the catalog has a row for it (written, or referenced by a
/// write that records references).
async fn governed(ctx: &Context<'_>, urn: &str, kind: EntityKind) -> Result<Option<Urn>> {
    let urn = parse_urn(urn, kind)?;
    Ok(loaders::entity(ctx, &urn).await?.map(|_| urn))
}

/// The page size of a list request, for pricing its complexity.
fn page_size(input: &Option<ListInput>) -> usize {
    input
        .as_ref()
        .and_then(|i| i.count)
        .map_or(20, |c| c.max(0) as usize)
}

async fn list<T: OutputType>(
    ctx: &Context<'_>,
    kind: EntityKind,
    input: Option<ListInput>,
    wrap: fn(std::sync::Arc<EntityRecord>) -> T,
) -> Result<ListResult<T>> {
    let limits = ctx.data::<Limits>()?;
    let input = input.unwrap_or_default();
    let count = input
        .count
        .unwrap_or(limits.default_page_size.min(limits.max_page_size) as i32);
    if input.start < 0 {
        return Err(Error::bad_input("start must not be negative").into());
    }
    if count < 0 || count as u64 > limits.max_page_size {
        return Err(Error::bad_input(format!(
            "count must be between 0 and the page-size cap of {}",
            limits.max_page_size
        ))
        .into());
    }
    let filter = ListFilter {
        platform: input.platform,
        env: input.origin.map(|o| o.as_str().to_string()),
        query: input.query,
    };
    let catalog = ctx.data::<Catalog>()?;
    let (rows, total) = catalog
        .list(&kind, &filter, input.start as u64, count as u64)
        .await?;
    loaders::charge(ctx, rows.len())?;
    Ok(ListResult {
        start: input.start,
        count: rows.len() as i32,
        total: i32::try_from(total).unwrap_or(i32::MAX),
        entities: rows
            .into_iter()
            .map(|r| wrap(std::sync::Arc::new(r)))
            .collect(),
    })
}

/// What can be read: entities by URN, paginated lists of each entity type, and lineage
/// traversals.
#[Object]
impl Query {
    /// A feature by URN; null when the catalog has no such feature.
    #[graphql(name = "mlFeature")]
    async fn ml_feature(&self, ctx: &Context<'_>, urn: String) -> Result<Option<MlFeature>> {
        Ok(lookup(ctx, &urn, EntityKind::MlFeature)
            .await?
            .map(MlFeature))
    }
    /// A feature table by URN; null when the catalog has no such table.
    #[graphql(name = "mlFeatureTable")]
    async fn ml_feature_table(
        &self,
        ctx: &Context<'_>,
        urn: String,
    ) -> Result<Option<MlFeatureTable>> {
        Ok(lookup(ctx, &urn, EntityKind::MlFeatureTable)
            .await?
            .map(MlFeatureTable))
    }
    /// A primary key by URN; null when the catalog has no such key.
    #[graphql(name = "mlPrimaryKey")]
    async fn ml_primary_key(&self, ctx: &Context<'_>, urn: String) -> Result<Option<MlPrimaryKey>> {
        Ok(lookup(ctx, &urn, EntityKind::MlPrimaryKey)
            .await?
            .map(MlPrimaryKey))
    }
    /// A model by URN; null when the catalog has no such model.
    #[graphql(name = "mlModel")]
    async fn ml_model(&self, ctx: &Context<'_>, urn: String) -> Result<Option<MlModel>> {
        Ok(lookup(ctx, &urn, EntityKind::MlModel).await?.map(MlModel))
    }
    /// A model group by URN; null when the catalog has no such group.
    #[graphql(name = "mlModelGroup")]
    async fn ml_model_group(&self, ctx: &Context<'_>, urn: String) -> Result<Option<MlModelGroup>> {
        Ok(lookup(ctx, &urn, EntityKind::MlModelGroup)
            .await?
            .map(MlModelGroup))
    }
    /// A model deployment by URN; null when the catalog has no such deployment.
    #[graphql(name = "mlModelDeployment")]
    async fn ml_model_deployment(
        &self,
        ctx: &Context<'_>,
        urn: String,
    ) -> Result<Option<MlModelDeployment>> {
        Ok(lookup(ctx, &urn, EntityKind::MlModelDeployment)
            .await?
            .map(MlModelDeployment))
    }
    /// A run (a training run, a job run) by URN; null when the catalog has no such run.
    async fn data_process_instance(
        &self,
        ctx: &Context<'_>,
        urn: String,
    ) -> Result<Option<DataProcessInstance>> {
        Ok(
            lookup(ctx, &urn, EntityKind::Other("dataProcessInstance".into()))
                .await?
                .map(DataProcessInstance),
        )
    }
    /// A dataset by URN; null when the catalog has no such dataset.
    async fn dataset(&self, ctx: &Context<'_>, urn: String) -> Result<Option<Dataset>> {
        Ok(lookup(ctx, &urn, EntityKind::Dataset).await?.map(Dataset))
    }
    /// A data platform by URN; null when no entity of the catalog uses it, unless it is one of
    /// the well-known platforms mlcat knows without ingesting them.
    async fn data_platform(&self, ctx: &Context<'_>, urn: String) -> Result<Option<DataPlatform>> {
        let parsed = parse_urn(&urn, EntityKind::DataPlatform)?;
        let known = loaders::entity(ctx, &parsed).await?.is_some()
            || crate::catalog::well_known_platform(parsed.name()).is_some();
        Ok(known.then(|| DataPlatform::from_urn(&parsed)))
    }
    /// A tag by URN; null when the catalog has no such tag.
    async fn tag(&self, ctx: &Context<'_>, urn: String) -> Result<Option<Tag>> {
        Ok(governed(ctx, &urn, EntityKind::Tag).await?.map(Tag))
    }
    /// A glossary term by URN; null when the catalog has no such term.
    async fn glossary_term(&self, ctx: &Context<'_>, urn: String) -> Result<Option<GlossaryTerm>> {
        Ok(governed(ctx, &urn, EntityKind::GlossaryTerm)
            .await?
            .map(GlossaryTerm))
    }
    /// A glossary node by URN; null when the catalog has no such node.
    async fn glossary_node(&self, ctx: &Context<'_>, urn: String) -> Result<Option<GlossaryNode>> {
        Ok(governed(ctx, &urn, EntityKind::GlossaryNode)
            .await?
            .map(GlossaryNode))
    }
    /// A domain by URN; null when the catalog has no such domain.
    async fn domain(&self, ctx: &Context<'_>, urn: String) -> Result<Option<Domain>> {
        Ok(governed(ctx, &urn, EntityKind::Domain).await?.map(Domain))
    }
    /// A user by URN; null when the catalog has no such user.
    async fn corp_user(&self, ctx: &Context<'_>, urn: String) -> Result<Option<CorpUser>> {
        Ok(governed(ctx, &urn, EntityKind::CorpUser)
            .await?
            .map(CorpUser))
    }
    /// A group by URN; null when the catalog has no such group.
    async fn corp_group(&self, ctx: &Context<'_>, urn: String) -> Result<Option<CorpGroup>> {
        Ok(governed(ctx, &urn, EntityKind::CorpGroup)
            .await?
            .map(CorpGroup))
    }
    /// A version set by URN (`urn:li:versionSet:(<id>,<entity type>)`); null when the catalog
    /// has none. Another kind of URN is BAD_USER_INPUT.
    async fn version_set(
        &self,
        ctx: &Context<'_>,
        urn: String,
    ) -> Result<Option<super::types::versioning::VersionSet>> {
        let parsed = Urn::parse(&urn).map_err(|e| Error::bad_input(format!("urn: {e}")))?;
        if let Some(reason) = crate::catalog::aspects::version_set_mismatch(&parsed) {
            return Err(Error::bad_input(format!("urn: {reason}")).into());
        }
        Ok(loaders::entity(ctx, &parsed)
            .await?
            .map(|row| super::types::versioning::VersionSet(row.urn.clone())))
    }

    /// The upstream entities and edges added and removed between two versions' registered
    /// lineage (each read as it stood when its version was registered; see
    /// `MLModel.registeredLineage`). `depth` and `budget` as `lineageGraph` takes them.
    async fn lineage_diff(
        &self,
        ctx: &Context<'_>,
        from: String,
        to: String,
        depth: Option<i32>,
        budget: Option<i32>,
    ) -> Result<super::types::version_lineage::LineageDiff> {
        super::types::version_lineage::lineage_diff(ctx, from, to, depth, budget).await
    }

    /// Any entity by URN; null when the catalog has none, or its type is not in the schema.
    async fn entity(&self, ctx: &Context<'_>, urn: String) -> Result<Option<Entity>> {
        let parsed = Urn::parse(&urn).map_err(Error::from)?;
        Ok(loaders::entity(ctx, &parsed)
            .await?
            .and_then(Entity::from_row))
    }

    /// Entities by URN, in the order asked: each one as `entity` answers it (null when the
    /// catalog has none, or its type is not in the schema). At most the page-size cap of URNs;
    /// one statement for all of them.
    #[graphql(complexity = "1 + urns.len() * child_complexity")]
    async fn entities(
        &self,
        ctx: &Context<'_>,
        urns: Vec<String>,
        #[graphql(
            desc = "Accepted and ignored: every entity is looked up in the one statement anyway."
        )]
        check_for_existence: Option<bool>,
    ) -> Result<Vec<Option<Entity>>> {
        let _ = check_for_existence;
        let limits = ctx.data::<Limits>()?;
        if urns.len() as u64 > limits.max_page_size {
            return Err(Error::Invalid {
                field: "urns".into(),
                message: format!(
                    "urns: at most {} URNs at once; split the list",
                    limits.max_page_size
                ),
            }
            .into());
        }
        let mut parsed = Vec::with_capacity(urns.len());
        for (i, urn) in urns.iter().enumerate() {
            parsed.push(Urn::parse(urn).map_err(|e| Error::Invalid {
                field: format!("urns[{i}]"),
                message: format!("urns[{i}]: {e}"),
            })?);
        }
        let rows = loaders::entities(ctx, &parsed).await?;
        Ok(rows
            .into_iter()
            .map(|row| row.and_then(Entity::from_row))
            .collect())
    }
    /// Whether the catalog has the entity: written (not only referenced by another entity) and
    /// not soft-deleted.
    async fn entity_exists(&self, ctx: &Context<'_>, urn: String) -> Result<bool> {
        let parsed = Urn::parse(&urn).map_err(Error::from)?;
        Ok(loaders::entity(ctx, &parsed)
            .await?
            .is_some_and(|row| row.exists && !row.removed))
    }

    /// Features, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLFeatures",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_features(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlFeature>> {
        list(ctx, EntityKind::MlFeature, input, MlFeature).await
    }
    /// Feature tables, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLFeatureTables",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_feature_tables(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlFeatureTable>> {
        list(ctx, EntityKind::MlFeatureTable, input, MlFeatureTable).await
    }
    /// Primary keys, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLPrimaryKeys",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_primary_keys(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlPrimaryKey>> {
        list(ctx, EntityKind::MlPrimaryKey, input, MlPrimaryKey).await
    }
    /// Models, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLModels",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_models(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlModel>> {
        list(ctx, EntityKind::MlModel, input, MlModel).await
    }
    /// Model groups, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLModelGroups",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_model_groups(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlModelGroup>> {
        list(ctx, EntityKind::MlModelGroup, input, MlModelGroup).await
    }
    /// Model deployments, by name, leaving out soft-deleted ones.
    #[graphql(
        name = "listMLModelDeployments",
        complexity = "1 + page_size(&input) * child_complexity"
    )]
    async fn list_ml_model_deployments(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<MlModelDeployment>> {
        list(ctx, EntityKind::MlModelDeployment, input, MlModelDeployment).await
    }
    /// Walks the lineage graph from one entity, upstream, downstream or both, level by level
    /// (one SQL statement per level), within a depth and a node budget; answers the entities,
    /// the edges between them, and the graph as DOT and Mermaid text.
    #[graphql(complexity = "1 + lineage::priced_budget(&input) * child_complexity")]
    async fn lineage_graph(
        &self,
        ctx: &Context<'_>,
        input: LineageGraphInput,
    ) -> Result<LineageGraph> {
        lineage::lineage_graph(ctx, input).await
    }
    /// mlcat: does column `column` (`urn:li:schemaField:(<dataset urn>,<field path>)`) reach a
    /// feature (or primary key) of model `model`? Answers yes or no with the path from the
    /// column to the model, from the model's upstream walk within `depth` (the server's maximum
    /// when absent) and `budget` (its default), as of `asOf`.
    #[graphql(complexity = "1 + lineage::priced_walk(budget) * child_complexity")]
    async fn column_reach(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The column's URN.")] column: String,
        #[graphql(desc = "The model's URN.")] model: String,
        #[graphql(desc = "Hops to walk up from the model.")] depth: Option<i32>,
        #[graphql(desc = "Most entities the walk may reach.")] budget: Option<i32>,
        #[graphql(desc = "The graph as it was at this time, in milliseconds.")] as_of: Option<Long>,
    ) -> Result<crate::graphql::types::column_reach::ColumnReachResult> {
        crate::graphql::types::column_reach::column_reach(
            ctx, &column, &model, depth, budget, as_of,
        )
        .await
    }
    /// Datasets, by name, leaving out soft-deleted ones.
    #[graphql(complexity = "1 + page_size(&input) * child_complexity")]
    async fn list_datasets(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> Result<ListResult<Dataset>> {
        list(ctx, EntityKind::Dataset, input, Dataset).await
    }
    /// Searches one entity type: the words of `query` (all of them, the last as a prefix,
    /// case-insensitive) in names, descriptions, custom property values, data types, URN parts
    /// and the ids of tags, terms, owners and domains; filtered by `orFilters`, best match first,
    /// with exact facet counts. A write is found by the next search after it commits.
    #[graphql(complexity = "1 + search_inputs::search_page(input.count) * child_complexity")]
    async fn search(&self, ctx: &Context<'_>, input: SearchInput) -> Result<SearchResults> {
        search::search(ctx, input).await
    }
    /// Searches several entity types (all when `types` is unset), as `search` does one.
    #[graphql(complexity = "1 + search_inputs::search_page(input.count) * child_complexity")]
    async fn search_across_entities(
        &self,
        ctx: &Context<'_>,
        input: SearchAcrossEntitiesInput,
    ) -> Result<SearchResults> {
        search::search_across_entities(ctx, input).await
    }
    /// Scrolls through the entities a search matches, a page per request, each page going on
    /// from the `nextScrollId` of the one before: by name (or creation time), every entity
    /// that matches for the whole scroll on exactly one page, however others write meanwhile.
    #[graphql(complexity = "1 + search_inputs::search_page(input.count) * child_complexity")]
    async fn scroll_across_entities(
        &self,
        ctx: &Context<'_>,
        input: ScrollAcrossEntitiesInput,
    ) -> Result<ScrollResults> {
        scroll::scroll_across_entities(ctx, input).await
    }
    /// The facet counts of a search (the fields asked for, all matching entities), without
    /// its results.
    async fn aggregate_across_entities(
        &self,
        ctx: &Context<'_>,
        input: AggregateAcrossEntitiesInput,
    ) -> Result<AggregateResults> {
        aggregate::aggregate_across_entities(ctx, input).await
    }
    /// Completes what a person is typing from the names of the catalog: the name that is the text, then names starting with it, then names holding its words (the last as a prefix), each in name order.
    #[graphql(complexity = "1 + search_inputs::search_page(input.limit) * child_complexity")]
    async fn auto_complete(
        &self,
        ctx: &Context<'_>,
        input: AutoCompleteInput,
    ) -> Result<AutoCompleteResults> {
        search::auto_complete(ctx, input).await
    }
    /// Completes what a person is typing, over several entity types, grouped by type.
    #[graphql(complexity = "1 + search_inputs::search_page(input.limit) * child_complexity")]
    async fn auto_complete_for_multiple(
        &self,
        ctx: &Context<'_>,
        input: AutoCompleteMultipleInput,
    ) -> Result<AutoCompleteMultipleResults> {
        search::auto_complete_for_multiple(ctx, input).await
    }
    /// Searches the entities within some hops of one entity, upstream or downstream (the walk of
    /// `lineageGraph`, bounded by the server's lineage budget), as `searchAcrossEntities` searches
    /// the catalog: words, filters, and exact facets, `degree` (1, 2, 3+) among them. Each result
    /// says how many hops away it is and by which path. A lineage larger than the budget within
    /// the hops asked is refused rather than answered in part.
    #[graphql(complexity = "1 + search_lineage::lineage_page(input.count) * child_complexity")]
    async fn search_across_lineage(
        &self,
        ctx: &Context<'_>,
        input: SearchAcrossLineageInput,
    ) -> Result<SearchAcrossLineageResults> {
        search_lineage::search_across_lineage(ctx, input).await
    }
    /// `searchAcrossLineage` a page at a time: each page names the next with `nextScrollId`.
    /// The pages walk the graph as it was when the first page was asked, so the entities
    /// scrolled over stay the same while others write.
    #[graphql(complexity = "1 + search_lineage::lineage_page(input.count) * child_complexity")]
    async fn scroll_across_lineage(
        &self,
        ctx: &Context<'_>,
        input: ScrollAcrossLineageInput,
    ) -> Result<ScrollAcrossLineageResults> {
        search_lineage::scroll_across_lineage(ctx, input).await
    }
    /// Browses the entities of some types (filtered by platform or anything else a search
    /// filters on) by the folders of their browse paths (`browsePathsV2`): the folders at
    /// `path` with how many entities each holds, exactly, and the entities at `path` itself.
    #[graphql(complexity = "1 + browse_v2::browse_page(input.count) * child_complexity")]
    async fn browse_v2(&self, ctx: &Context<'_>, input: BrowseV2Input) -> Result<BrowseResultsV2> {
        browse_v2::browse_v2(ctx, input).await
    }
    /// The catalog's committed changes after `since` (from the beginning when absent), in
    /// commit order, at most `first` (100 when absent) that `filter` matches: each aspect
    /// version written, each aspect removed, each entity soft- or hard-deleted, with who,
    /// when and the run. Resume from the answer's `cursor`: no change is skipped or answered
    /// twice. A cursor the feed never issued is refused (`BAD_USER_INPUT`).
    #[graphql(complexity = "1 + changes::page_size(first) * child_complexity")]
    async fn changes(
        &self,
        ctx: &Context<'_>,
        since: Option<String>,
        first: Option<i32>,
        filter: Option<ChangeFilter>,
    ) -> Result<ChangeFeedPage> {
        changes::changes(ctx, since, first, filter).await
    }
    /// The registered webhooks and how their delivery goes (their secrets are never answered).
    async fn webhooks(&self, ctx: &Context<'_>) -> Result<Vec<super::types::webhook::Webhook>> {
        let catalog = ctx.data::<Catalog>()?;
        Ok(catalog
            .webhooks()
            .await?
            .into_iter()
            .map(super::types::webhook::Webhook)
            .collect())
    }
    /// The cursor of the newest change the feed answers now: `changes(since:)` with it
    /// answers only the changes after it.
    async fn change_feed_head(&self, ctx: &Context<'_>) -> Result<String> {
        let catalog = ctx.data::<Catalog>()?;
        Ok(catalog.change_head().await?.to_string())
    }
}
