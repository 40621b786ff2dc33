//! `Tag`: a label attached to entities through their `globalTags` aspect, with its
//! `tagProperties` (`TagProperties`).

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{self, aspect_of, read_by_urn, Ownership};
use crate::graphql::scalars::EntityType;
use crate::urn::Urn;

/// The stored `tagProperties` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TagPropertiesAspect {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    color_hex: Option<String>,
}

/// A tag: a label attached to entities.
pub struct Tag(pub Urn);

/// A tag: a label attached to entities.
#[Object]
impl Tag {
    /// The URN: `urn:li:tag:<name>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `TAG`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::Tag
    }
    /// The tag's name, from its URN.
    #[graphql(deprecation = "Use `properties.name`")]
    async fn name(&self) -> &str {
        self.0.name()
    }
    /// The description, from the tag's properties.
    #[graphql(deprecation = "Use `properties.description`")]
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.props(ctx).await?.and_then(|p| p.description))
    }
    /// The tag's properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<TagProperties>> {
        Ok(self.props(ctx).await?.map(|p| TagProperties {
            name: p.name.unwrap_or_else(|| self.0.name().to_string()),
            description: p.description,
            color_hex: p.color_hex,
        }))
    }
    /// Who owns the tag.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// DataHub's raw relationships of the tag, by relation name and declaring side: `TaggedWith`
    /// INCOMING lists the entities that carry it.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::relationships_by_urn(ctx, &self.0, input).await
    }
    /// False for a tag that is only attached to entities so far, with no metadata of its own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<bool> {
        governance::exists(ctx, &self.0).await
    }
}

impl Tag {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<TagPropertiesAspect>> {
        aspect_of(ctx, &self.0, "tagProperties").await
    }
}

/// The properties of a tag.
#[derive(SimpleObject)]
pub struct TagProperties {
    /// The name to show; the name in the URN when none was given.
    pub name: String,
    /// What the tag means.
    pub description: Option<String>,
    /// The colour to show the tag in, as `#rrggbb`.
    pub color_hex: Option<String>,
}
