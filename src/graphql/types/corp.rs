//! `CorpUser` and `CorpGroup`: the users and groups that own entities, with their properties
//! (`corpUserInfo`, `corpUserEditableInfo`, `corpGroupInfo`, `corpGroupEditableInfo`). The
//! property types decode straight from the stored aspects, whose fields they name as DataHub
//! does; a type that shows fewer fields (an older name) reads the same aspect.

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{self, aspect_of, read_by_urn, GlobalTags, Ownership};
use crate::graphql::scalars::EntityType;
use crate::urn::Urn;

/// A user: a person or a service account.
pub struct CorpUser(pub Urn);

/// A user: a person or a service account.
#[Object]
impl CorpUser {
    /// The URN: `urn:li:corpuser:<username>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `CORP_USER`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::CorpUser
    }
    /// The username, from the URN.
    async fn username(&self) -> &str {
        self.0.name()
    }
    /// What the user's source system says of them; null when nothing was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<CorpUserProperties>> {
        aspect_of(ctx, &self.0, "corpUserInfo").await
    }
    /// What people edited about the user; null when nothing was written.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<CorpUserEditableProperties>> {
        aspect_of(ctx, &self.0, "corpUserEditableInfo").await
    }
    /// What the user's source system says of them; null when nothing was written.
    #[graphql(deprecation = "Use `properties`")]
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<CorpUserInfo>> {
        aspect_of(ctx, &self.0, "corpUserInfo").await
    }
    /// What people edited about the user; null when nothing was written.
    #[graphql(deprecation = "Use `editableProperties`")]
    async fn editable_info(&self, ctx: &Context<'_>) -> Result<Option<CorpUserEditableInfo>> {
        aspect_of(ctx, &self.0, "corpUserEditableInfo").await
    }
    /// The tags attached to the user.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Option<GlobalTags>> {
        read_by_urn!(ctx, &self.0, governance::tags)
    }
    /// DataHub's raw relationships of the user, by relation name and declaring side: `OwnedBy`
    /// INCOMING lists what the user owns, `IsMemberOfGroup` OUTGOING the user's groups.
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
    /// False for a user that owns entities but has no metadata of their own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// What a user's source system says of them.
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpUserProperties {
    /// Whether the account is active.
    #[serde(default)]
    pub active: bool,
    /// The name to show.
    pub display_name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The full name.
    pub full_name: Option<String>,
}

/// What a user's source system says of them (the older name of `CorpUserProperties`).
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpUserInfo {
    /// Whether the account is active.
    #[serde(default)]
    pub active: bool,
    /// The name to show.
    pub display_name: Option<String>,
    /// The email address.
    pub email: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// The first name.
    pub first_name: Option<String>,
    /// The last name.
    pub last_name: Option<String>,
    /// The full name.
    pub full_name: Option<String>,
}

/// What people edited about a user (the older, shorter form of `CorpUserEditableProperties`).
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpUserEditableInfo {
    /// The name to show.
    pub display_name: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// What the user says about themselves.
    pub about_me: Option<String>,
    /// The teams the user is in.
    pub teams: Option<Vec<String>>,
    /// The user's skills.
    pub skills: Option<Vec<String>>,
    /// A link to the user's picture.
    pub picture_link: Option<String>,
}

/// What people edited about a user.
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpUserEditableProperties {
    /// The name to show.
    pub display_name: Option<String>,
    /// The job title.
    pub title: Option<String>,
    /// What the user says about themselves.
    pub about_me: Option<String>,
    /// The teams the user is in.
    pub teams: Option<Vec<String>>,
    /// The user's skills.
    pub skills: Option<Vec<String>>,
    /// A link to the user's picture.
    pub picture_link: Option<String>,
    /// The user's Slack handle.
    pub slack: Option<String>,
    /// The user's phone number.
    pub phone: Option<String>,
    /// The email address.
    pub email: Option<String>,
}

/// A group of users.
pub struct CorpGroup(pub Urn);

/// A group of users.
#[Object]
impl CorpGroup {
    /// The URN: `urn:li:corpGroup:<name>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `CORP_GROUP`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::CorpGroup
    }
    /// The group's name, from the URN.
    async fn name(&self) -> &str {
        self.0.name()
    }
    /// What the group's source system says of it; null when nothing was written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<CorpGroupProperties>> {
        aspect_of(ctx, &self.0, "corpGroupInfo").await
    }
    /// What the group's source system says of it; null when nothing was written.
    #[graphql(deprecation = "Use `properties`")]
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<CorpGroupInfo>> {
        aspect_of(ctx, &self.0, "corpGroupInfo").await
    }
    /// What people edited about the group; null when nothing was written.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<CorpGroupEditableProperties>> {
        aspect_of(ctx, &self.0, "corpGroupEditableInfo").await
    }
    /// Who owns the group.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// DataHub's raw relationships of the group, by relation name and declaring side:
    /// `IsMemberOfGroup` and `IsMemberOfNativeGroup` INCOMING list its members, `OwnedBy` INCOMING
    /// what it owns.
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
    /// False for a group that owns entities but has no metadata of its own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// What a group's source system says of it.
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpGroupProperties {
    /// The name to show.
    pub display_name: Option<String>,
    /// What the group is.
    pub description: Option<String>,
    /// The group's email address.
    pub email: Option<String>,
    /// The group's Slack channel.
    pub slack: Option<String>,
}

/// What a group's source system says of it (the older name of `CorpGroupProperties`).
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpGroupInfo {
    /// The name to show.
    pub display_name: Option<String>,
    /// What the group is.
    pub description: Option<String>,
    /// The group's email address.
    pub email: Option<String>,
}

/// What people edited about a group.
#[derive(SimpleObject, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CorpGroupEditableProperties {
    /// What the group is.
    pub description: Option<String>,
    /// The group's Slack channel.
    pub slack: Option<String>,
    /// The group's email address.
    pub email: Option<String>,
    /// A link to the group's picture.
    pub picture_link: Option<String>,
}
