//! Versions in DataHub's shape: `versionProperties` on a model or dataset (`VersionProperties`,
//! the `SupportsVersions` interface), and the `VersionSet` its `versionSet` names, with its
//! latest version, its versions (`versionsSearch`), and mlcat's aliases: the alias map now or
//! as of a time (`aliases(asOf)`) and each alias's moves (`aliasHistory`). A model group's
//! versions (`MLModelGroup.versions`) are read here too.

use std::collections::{HashMap, HashSet};

use async_graphql::{Context, Interface, Object, Result, SimpleObject};

use super::entity::Row;
use super::forms::ResolvedAuditStamp;
use super::search::{SearchResult, SearchResults};
use super::search_inputs::{filters, page, types, SearchAcrossEntitiesInput, SortOrder};
use super::{CorpUser, Dataset, Entity, MlModel};
use crate::catalog::aspects::{
    self, AspectSpec, Relation, RelationSet, TimeStamp, VersionSetAliases,
};
use crate::catalog::search::SearchRequest;
use crate::catalog::{AliasMove, Catalog, Direction, EntityRecord, Error, VersionRecord};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{EntityType, Long, VersionTagGql};
use crate::urn::{EntityKind, Urn};

/// A stamp with its actor resolved to a user (an actor that is not a user URN is left out).
fn resolved(stamp: Option<TimeStamp>) -> Option<ResolvedAuditStamp> {
    stamp.map(|t| ResolvedAuditStamp {
        time: Long(t.time),
        actor: t
            .actor
            .and_then(|a| Urn::parse(&a).ok())
            .filter(|u| *u.kind() == EntityKind::CorpUser)
            .map(CorpUser),
    })
}

/// What version of its version set an entity is (`versionProperties`).
pub struct VersionProperties {
    entity: Row,
    stored: aspects::VersionProperties,
}

/// What version of its version set an entity is.
#[Object(name = "VersionProperties")]
impl VersionProperties {
    /// The version set tying the versions together.
    async fn version_set(&self) -> VersionSet {
        VersionSet(self.stored.version_set.to_string())
    }
    /// The version's label, unique within its set when linked with `linkAssetVersion`.
    async fn version(&self) -> VersionTagGql {
        (&self.stored.version).into()
    }
    /// The aliases the version holds, from its set's alias map (what `moveVersionAlias`
    /// moves); for a set no alias was ever moved in, the aliases its own aspect lists.
    async fn aliases(&self, ctx: &Context<'_>) -> Result<Vec<VersionTagGql>> {
        let map: Option<VersionSetAliases> =
            super::governance::aspect_of(ctx, &self.stored.version_set, VersionSetAliases::NAME)
                .await?;
        Ok(match map {
            Some(map) => map
                .aliases
                .into_iter()
                .filter(|a| a.version.as_str() == self.entity.urn)
                .map(|a| VersionTagGql {
                    version_tag: Some(a.alias),
                })
                .collect(),
            None => self.stored.aliases.iter().map(Into::into).collect(),
        })
    }
    /// What the version is for.
    async fn comment(&self) -> Option<&str> {
        self.stored.comment.as_deref()
    }
    /// Whether this is the latest version of its set: the one that sorts last and is not
    /// soft-deleted, from the version index, however the versions were written (a version the
    /// SDK wrote after this one makes this one not the latest, whatever its stored flag says).
    /// A set the index holds no live version of answers the stored flag (false when unset).
    async fn is_latest(&self, ctx: &Context<'_>) -> Result<bool> {
        let set = self.stored.version_set.as_str();
        Ok(match loaders::latest_version(ctx, set).await? {
            Some(latest) => latest == self.entity.urn.as_str(),
            None => self.stored.is_latest.unwrap_or(false),
        })
    }
    /// Where the version sorts in its set (ascending): numbers in numeric order.
    async fn sort_id(&self) -> String {
        self.stored.sort_key()
    }
    /// When the version's metadata was created, and by whom.
    async fn created(&self) -> Option<ResolvedAuditStamp> {
        resolved(self.stored.metadata_created_timestamp.clone())
    }
    /// When the version was created in its source system, and by whom.
    async fn created_in_source(&self) -> Option<ResolvedAuditStamp> {
        resolved(self.stored.source_created_timestamp.clone())
    }
}

/// `versionProperties`: the entity's stored aspect; null when none was written.
pub async fn version_properties(ctx: &Context<'_>, row: &Row) -> Result<Option<VersionProperties>> {
    let stored: Option<aspects::VersionProperties> =
        aspect(ctx, row, aspects::VersionProperties::NAME).await?;
    Ok(stored.map(|stored| VersionProperties {
        entity: row.clone(),
        stored,
    }))
}

/// An entity that may be one version of a version set.
#[derive(Interface)]
#[graphql(field(
    name = "version_properties",
    ty = "Option<VersionProperties>",
    desc = "What version of its version set the entity is; null when not versioned."
))]
pub enum SupportsVersions {
    Dataset(Dataset),
    MlModel(MlModel),
}

/// A set of versions of one asset, such as the versions of a model.
pub struct VersionSet(pub String);

/// An alias of a version set and the version holding it.
#[derive(SimpleObject)]
pub struct VersionAlias {
    /// The alias, such as `champion`.
    pub alias: String,
    /// The URN of the version holding it.
    pub version_urn: String,
    /// The version holding it; null when the catalog no longer holds the entity.
    pub version: Option<Entity>,
}

/// One move of an alias: from the version that held it to the one that holds it after.
#[derive(SimpleObject)]
pub struct VersionAliasMove {
    /// The alias moved.
    pub alias: String,
    /// The URN of the version that held it before; null when nobody did.
    pub from: Option<String>,
    /// The URN of the version that holds it after; null when the move removed it.
    pub to: Option<String>,
    /// When, in milliseconds since the epoch.
    pub at: Long,
    /// Who moved it.
    pub actor: String,
}

impl From<AliasMove> for VersionAliasMove {
    fn from(m: AliasMove) -> Self {
        VersionAliasMove {
            alias: m.alias,
            from: m.from.map(|u| u.to_string()),
            to: m.to.map(|u| u.to_string()),
            at: Long(m.at),
            actor: m.actor,
        }
    }
}

impl VersionSet {
    fn parsed(&self) -> Result<Urn> {
        Urn::parse(&self.0).map_err(|e| Error::from(e).into())
    }
}

/// The entities of `urns` that the catalog holds, in the order given, as GraphQL entities.
async fn entities_of(ctx: &Context<'_>, urns: &[Urn]) -> Result<Vec<Option<Entity>>> {
    Ok(loaders::entities(ctx, urns)
        .await?
        .into_iter()
        .map(|row| row.and_then(Entity::from_row))
        .collect())
}

/// A set of versions of one asset (`urn:li:versionSet:(<id>,<entity type>)`).
#[Object(name = "VersionSet")]
impl VersionSet {
    /// The URN: `urn:li:versionSet:(<id>,<entity type>)`.
    pub(crate) async fn urn(&self) -> String {
        self.0.clone()
    }
    /// Always `VERSION_SET`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::VersionSet
    }
    /// The latest version: the one that sorts last and is not soft-deleted, however its
    /// versions were written (the SDK's `versionProperties` included).
    async fn latest_version(&self, ctx: &Context<'_>) -> Result<Option<Entity>> {
        let Ok(urn) = Urn::parse(&self.0) else {
            return Ok(None);
        };
        if aspects::version_set_parts(&urn).is_none() {
            return Ok(None);
        }
        let catalog = ctx.data_unchecked::<Catalog>();
        let Some(latest) = catalog.latest_version(&urn).await? else {
            return Ok(None);
        };
        Ok(loaders::entity(ctx, &latest.urn)
            .await?
            .filter(|r| !r.removed)
            .and_then(Entity::from_row))
    }
    /// The versions of the set, newest (highest sort id) first unless `sortInput` asks for
    /// `ASCENDING`; `query` keeps the versions whose label holds it (case-insensitive; `*` or
    /// empty for all), `types`, `filters` and `orFilters` those that match them as in any
    /// search. Soft-deleted versions are left out. DataHub's shape, paged by `start` and
    /// `count`.
    async fn versions_search(
        &self,
        ctx: &Context<'_>,
        input: SearchAcrossEntitiesInput,
    ) -> Result<Option<SearchResults>> {
        let (start, count) = page(ctx, input.start, input.count)?;
        let set = self.parsed()?;
        if aspects::version_set_parts(&set).is_none() {
            return Ok(Some(SearchResults {
                start: start as i32,
                count: 0,
                total: 0,
                search_results: Vec::new(),
                facets: Some(Vec::new()),
            }));
        }
        let catalog = ctx.data_unchecked::<Catalog>();
        let mut versions = catalog.versions(&set).await?;
        let query = input.query.trim().to_lowercase();
        if !query.is_empty() && query != "*" {
            versions.retain(|v| v.label.to_lowercase().contains(&query));
        }
        let any_of = filters(input.filters, input.or_filters)?;
        let kinds = types(input.types);
        let filtered = !any_of.is_empty() || !kinds.is_empty();
        if filtered && !versions.is_empty() {
            // The filters as any search applies them, among the set's versions only.
            let urns: Vec<&Urn> = versions.iter().map(|v| &v.urn).collect();
            let ids: Vec<_> = catalog
                .entities_by_urn(&urns)
                .await?
                .into_iter()
                .map(|e| e.id)
                .collect();
            let request = SearchRequest {
                query: "*".into(),
                kinds,
                within: Some(vec![ids; any_of.len().max(1)]),
                any_of,
                count: versions.len() as u64,
                ..SearchRequest::default()
            };
            let kept: HashSet<String> = catalog
                .search(&request)
                .await?
                .hits
                .into_iter()
                .map(|h| h.entity.urn)
                .collect();
            versions.retain(|v| kept.contains(v.urn.as_str()));
        }
        let ascending = input
            .sort_input
            .as_ref()
            .and_then(|s| {
                s.sort_criteria
                    .as_ref()
                    .and_then(|c| c.first().cloned())
                    .or_else(|| s.sort_criterion.clone())
            })
            .is_some_and(|c| c.sort_order == SortOrder::Ascending);
        if !ascending {
            versions.reverse();
        }
        let total = versions.len();
        let urns: Vec<Urn> = versions
            .into_iter()
            .skip(start as usize)
            .take(count as usize)
            .map(|v| v.urn)
            .collect();
        let search_results: Vec<SearchResult> = entities_of(ctx, &urns)
            .await?
            .into_iter()
            .flatten()
            .map(|entity| SearchResult {
                entity,
                matched_fields: Vec::new(),
                extra_properties: None,
            })
            .collect();
        Ok(Some(SearchResults {
            start: start as i32,
            count: search_results.len() as i32,
            total: total as i32,
            search_results,
            facets: Some(Vec::new()),
        }))
    }
    /// The set's aliases and the versions holding them, by alias; with `asOf` (milliseconds),
    /// as they stood then.
    async fn aliases(&self, ctx: &Context<'_>, as_of: Option<Long>) -> Result<Vec<VersionAlias>> {
        let catalog = ctx.data_unchecked::<Catalog>();
        let map = catalog.aliases(&self.parsed()?, as_of.map(|t| t.0)).await?;
        let urns: Vec<Urn> = map.iter().map(|a| a.version.clone()).collect();
        let found = entities_of(ctx, &urns).await?;
        Ok(map
            .into_iter()
            .zip(found)
            .map(|(a, version)| VersionAlias {
                alias: a.alias,
                version_urn: a.version.to_string(),
                version,
            })
            .collect())
    }
    /// Every move of `alias`, oldest first: who held it, who holds it after, when and by whom.
    async fn alias_history(
        &self,
        ctx: &Context<'_>,
        alias: String,
    ) -> Result<Vec<VersionAliasMove>> {
        let catalog = ctx.data_unchecked::<Catalog>();
        let moves = catalog.alias_history(&self.parsed()?, &alias).await?;
        Ok(moves.into_iter().map(Into::into).collect())
    }
    /// DataHub's raw relationships of the set, by relation name and declaring side.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        match Urn::parse(&self.0) {
            Ok(urn) => crate::graphql::lineage::relationships_by_urn(ctx, &urn, input).await,
            Err(e) => Err(e.to_string().into()),
        }
    }
}

/// A model group's versions: its member models that are versions of the group's set, in
/// version order (oldest first). The group's set is the set most of its member versions
/// belong to (the first by URN on a tie); members that are versions of another set, or no
/// version, are left out.
pub async fn group_versions(ctx: &Context<'_>, group: &EntityRecord) -> Result<Vec<MlModel>> {
    let catalog = ctx.data_unchecked::<Catalog>();
    let edges = catalog
        .edges_of(
            &[group.id],
            Direction::Upstream,
            RelationSet::of(&[Relation::MemberOf]),
            None,
        )
        .await?;
    let members: Vec<Row> = edges
        .iter()
        .filter(|e| e.destination.id == group.id && !e.source.removed)
        .map(|e| e.source.clone())
        .collect();
    let keys: Vec<_> = members
        .iter()
        .map(|m| (m.id, aspects::VersionProperties::NAME))
        .collect();
    let mut sets: HashMap<String, usize> = HashMap::new();
    for found in catalog.latest_aspects(&keys).await? {
        if let Ok(p) = serde_json::from_str::<aspects::VersionProperties>(&found.value) {
            *sets.entry(p.version_set.to_string()).or_default() += 1;
        }
    }
    let Some(set) = sets
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
        .map(|(set, _)| set)
    else {
        return Ok(Vec::new());
    };
    let set = Urn::parse(&set).map_err(Error::from)?;
    let urns: std::collections::HashSet<&str> = members.iter().map(|m| m.urn.as_str()).collect();
    let versions: Vec<VersionRecord> = catalog
        .versions(&set)
        .await?
        .into_iter()
        .filter(|v| urns.contains(v.urn.as_str()))
        .collect();
    let by_urn: HashMap<&str, &Row> = members.iter().map(|m| (m.urn.as_str(), m)).collect();
    Ok(versions
        .iter()
        .filter_map(|v| by_urn.get(v.urn.as_str()))
        .map(|m| MlModel((*m).clone()))
        .collect())
}
