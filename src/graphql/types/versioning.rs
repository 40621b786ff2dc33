//! Versions as DataHub reads them, a thin read of the stored aspects: `versionProperties` on a
//! model or dataset (`VersionProperties`, the `SupportsVersions` interface), and the
//! `VersionSet` entity its `versionSet` names (from `versionSetProperties`). The model registry
//! (a later issue) builds versions fully; until then `versionsSearch` answers an empty page.

use async_graphql::{Context, Interface, Object, Result};
use serde::Deserialize;

use super::forms::ResolvedAuditStamp;
use super::search::SearchResults;
use super::search_inputs::SearchAcrossEntitiesInput;
use super::{CorpUser, Dataset, Entity, MlModel};
use crate::catalog::aspects::{TimeStamp, VersionTag};
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{EntityType, Long, VersionTagGql};
use crate::urn::{EntityKind, Urn};

/// The stored `versionProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionPropertiesAspect {
    version_set: String,
    version: VersionTag,
    #[serde(default)]
    aliases: Vec<VersionTag>,
    #[serde(default)]
    comment: Option<String>,
    #[serde(default)]
    is_latest: Option<bool>,
    #[serde(default)]
    metadata_created_timestamp: Option<TimeStamp>,
    #[serde(default)]
    source_created_timestamp: Option<TimeStamp>,
}

/// The stored `versionSetProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct VersionSetAspect {
    #[serde(default)]
    latest: Option<String>,
}

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
pub struct VersionProperties(VersionPropertiesAspect);

/// What version of its version set an entity is.
#[Object(name = "VersionProperties")]
impl VersionProperties {
    /// The version set tying the versions together.
    async fn version_set(&self) -> VersionSet {
        VersionSet(self.0.version_set.clone())
    }
    /// The version's label.
    async fn version(&self) -> VersionTagGql {
        (&self.0.version).into()
    }
    /// Other labels of the version.
    async fn aliases(&self) -> Vec<VersionTagGql> {
        self.0.aliases.iter().map(Into::into).collect()
    }
    /// What the version is for.
    async fn comment(&self) -> Option<&str> {
        self.0.comment.as_deref()
    }
    /// Whether this is the latest version of its set, as the aspect says (false when unset).
    async fn is_latest(&self) -> bool {
        self.0.is_latest.unwrap_or(false)
    }
    /// When the version's metadata was created, and by whom.
    async fn created(&self) -> Option<ResolvedAuditStamp> {
        resolved(self.0.metadata_created_timestamp.clone())
    }
    /// When the version was created in its source system, and by whom.
    async fn created_in_source(&self) -> Option<ResolvedAuditStamp> {
        resolved(self.0.source_created_timestamp.clone())
    }
}

/// `versionProperties`: the entity's stored aspect; null when none was written.
pub async fn version_properties(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<VersionProperties>> {
    let stored: Option<VersionPropertiesAspect> = aspect(ctx, row, "versionProperties").await?;
    Ok(stored.map(VersionProperties))
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

/// A set of versions of one asset (`urn:li:versionSet:<id>`).
#[Object(name = "VersionSet")]
impl VersionSet {
    /// The URN: `urn:li:versionSet:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.clone()
    }
    /// Always `VERSION_SET`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::VersionSet
    }
    /// The latest version (`versionSetProperties.latest`), when mlcat holds it.
    async fn latest_version(&self, ctx: &Context<'_>) -> Result<Option<Entity>> {
        let Ok(urn) = Urn::parse(&self.0) else {
            return Ok(None);
        };
        let stored: Option<VersionSetAspect> =
            super::governance::aspect_of(ctx, &urn, "versionSetProperties").await?;
        let Some(latest) = stored
            .and_then(|s| s.latest)
            .and_then(|u| Urn::parse(&u).ok())
        else {
            return Ok(None);
        };
        Ok(loaders::entity(ctx, &latest)
            .await?
            .filter(|r| !r.removed)
            .and_then(Entity::from_row))
    }
    /// The versions of the set: always an empty page for now, DataHub's empty shape (mlcat
    /// does not index versions by set yet; the model registry will).
    async fn versions_search(&self, input: SearchAcrossEntitiesInput) -> Option<SearchResults> {
        Some(SearchResults {
            start: input.start.unwrap_or(0),
            count: 0,
            total: 0,
            search_results: Vec::new(),
            facets: Some(Vec::new()),
        })
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
