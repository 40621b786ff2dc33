//! `Container`: what groups entities on a platform (a database, a schema, an MLflow
//! experiment), read from its stored `containerProperties`, `subTypes`, `deprecation` and
//! `dataPlatformInstance` aspects; and `ParentContainersResult`, the chain of containers an
//! entity sits in, from the `container` aspects.

use std::collections::BTreeMap;

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::entity::Row;
use super::{DataPlatform, Deprecation, SubTypes};
use crate::catalog::EntityRecord;
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry, EntityType};
use crate::urn::Urn;

/// The stored `container` aspect: the container an entity sits in.
#[derive(Deserialize)]
struct ContainerAspect {
    container: String,
}

/// The stored `containerProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ContainerPropertiesAspect {
    name: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
}

/// How many containers up `parentContainers` walks (a loop in stored aspects stops there).
const MAX_PARENTS: usize = 20;

/// A container: a database, a schema, a folder, an experiment.
pub struct Container(pub Row);

/// The container `row` sits in (its `container` aspect), when mlcat holds it.
pub async fn container_of(ctx: &Context<'_>, row: &EntityRecord) -> Result<Option<Container>> {
    let stored: Option<ContainerAspect> = aspect(ctx, row, "container").await?;
    let Some(urn) = stored.and_then(|c| Urn::parse(&c.container).ok()) else {
        return Ok(None);
    };
    Ok(loaders::entity(ctx, &urn)
        .await?
        .filter(|r| !r.removed)
        .map(Container))
}

/// The containers above `row`, nearest first.
pub async fn parents_of(ctx: &Context<'_>, row: &EntityRecord) -> Result<ParentContainersResult> {
    let mut containers: Vec<Container> = Vec::new();
    let mut next = container_of(ctx, row).await?;
    while let Some(c) = next {
        if containers.len() >= MAX_PARENTS || containers.iter().any(|p| p.0.urn == c.0.urn) {
            break;
        }
        next = container_of(ctx, &c.0).await?;
        containers.push(c);
    }
    Ok(ParentContainersResult {
        count: containers.len() as i32,
        containers,
    })
}

/// The containers an entity sits in, nearest first.
#[derive(SimpleObject)]
#[graphql(name = "ParentContainersResult")]
pub struct ParentContainersResult {
    /// How many.
    pub count: i32,
    /// The containers, nearest first.
    pub containers: Vec<Container>,
}

/// What a container is, as ingested.
#[derive(SimpleObject)]
#[graphql(name = "ContainerProperties")]
pub struct ContainerProperties {
    /// Its name.
    pub name: String,
    /// What it holds.
    pub description: Option<String>,
    /// A link to it in its platform.
    pub external_url: Option<String>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// A container: a database, a schema, a folder, an experiment, grouping entities on a platform.
#[Object(name = "Container")]
impl Container {
    /// The URN: `urn:li:container:<guid>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `CONTAINER`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::Container
    }
    /// DataHub's raw relationships of the container, by relation name and declaring side.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// The platform, from its `dataPlatformInstance` aspect (non-null as in DataHub: an error
    /// when no such aspect names a platform).
    async fn platform(&self, ctx: &Context<'_>) -> Result<DataPlatform> {
        super::data_platform_instance::platform_of(ctx, &self.0).await
    }
    /// Its ingested properties (`containerProperties`); null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<ContainerProperties>> {
        let stored: Option<ContainerPropertiesAspect> =
            aspect(ctx, &self.0, "containerProperties").await?;
        Ok(stored.map(|p| ContainerProperties {
            custom_properties: custom_properties(&self.0.urn, &p.custom_properties),
            name: p.name,
            description: p.description,
            external_url: p.external_url,
        }))
    }
    /// Its sub-types, such as `Database` or `Schema`.
    async fn sub_types(&self, ctx: &Context<'_>) -> Result<Option<SubTypes>> {
        super::governance::sub_types(ctx, &self.0).await
    }
    /// Whether it is deprecated.
    async fn deprecation(&self, ctx: &Context<'_>) -> Result<Option<Deprecation>> {
        super::governance::deprecation(ctx, &self.0).await
    }
    /// The tags attached to it (its `globalTags` aspect).
    async fn tags(&self, ctx: &Context<'_>) -> Result<Option<super::GlobalTags>> {
        super::governance::tags(ctx, &self.0).await
    }
    /// The tags attached to it.
    async fn global_tags(&self, ctx: &Context<'_>) -> Result<Option<super::GlobalTags>> {
        super::governance::tags(ctx, &self.0).await
    }
    /// The glossary terms attached to it.
    async fn glossary_terms(&self, ctx: &Context<'_>) -> Result<Option<super::GlossaryTerms>> {
        super::governance::glossary_terms(ctx, &self.0).await
    }
    /// Who owns it.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<super::Ownership>> {
        super::governance::ownership(ctx, &self.0).await
    }
    /// The domain it belongs to.
    async fn domain(&self, ctx: &Context<'_>) -> Result<Option<super::DomainAssociation>> {
        super::governance::domain(ctx, &self.0).await
    }
    /// Links about it.
    async fn institutional_memory(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::InstitutionalMemory>> {
        super::governance::institutional_memory(ctx, &self.0).await
    }
    /// The container it sits in (a schema's database); null when none.
    async fn container(&self, ctx: &Context<'_>) -> Result<Option<Container>> {
        container_of(ctx, &self.0).await
    }
    /// The containers above it, nearest first.
    async fn parent_containers(&self, ctx: &Context<'_>) -> Result<ParentContainersResult> {
        parents_of(ctx, &self.0).await
    }
}
