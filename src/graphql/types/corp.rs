//! `CorpUser` and `CorpGroup`: the users and groups that own entities, with their properties
//! (`corpUserInfo`, `corpUserEditableInfo`, `corpGroupInfo`).

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::governance::{self, aspect_of, read_by_urn, GlobalTags, Ownership};
use crate::graphql::scalars::EntityType;
use crate::urn::Urn;

/// The stored `corpUserInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserInfoAspect {
    #[serde(default)]
    active: bool,
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    first_name: Option<String>,
    #[serde(default)]
    last_name: Option<String>,
    #[serde(default)]
    full_name: Option<String>,
}

/// The stored `corpUserEditableInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct UserEditableAspect {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    about_me: Option<String>,
    #[serde(default)]
    teams: Option<Vec<String>>,
    #[serde(default)]
    skills: Option<Vec<String>>,
    #[serde(default)]
    picture_link: Option<String>,
    #[serde(default)]
    slack: Option<String>,
    #[serde(default)]
    phone: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// The stored `corpGroupInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupInfoAspect {
    #[serde(default)]
    display_name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    slack: Option<String>,
}

/// The stored `corpGroupEditableInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GroupEditableAspect {
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    slack: Option<String>,
    #[serde(default)]
    email: Option<String>,
    #[serde(default)]
    picture_link: Option<String>,
}

/// A user: a person or a service account.
pub struct CorpUser(pub Urn);

impl CorpUser {
    async fn info_aspect(&self, ctx: &Context<'_>) -> Result<Option<UserInfoAspect>> {
        aspect_of(ctx, &self.0, "corpUserInfo").await
    }
    async fn editable_aspect(&self, ctx: &Context<'_>) -> Result<Option<UserEditableAspect>> {
        aspect_of(ctx, &self.0, "corpUserEditableInfo").await
    }
}

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
        Ok(self.info_aspect(ctx).await?.map(|i| CorpUserProperties {
            active: i.active,
            display_name: i.display_name,
            email: i.email,
            title: i.title,
            first_name: i.first_name,
            last_name: i.last_name,
            full_name: i.full_name,
        }))
    }
    /// What people edited about the user; null when nothing was written.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<CorpUserEditableProperties>> {
        Ok(self
            .editable_aspect(ctx)
            .await?
            .map(|e| CorpUserEditableProperties {
                display_name: e.display_name,
                title: e.title,
                about_me: e.about_me,
                teams: e.teams,
                skills: e.skills,
                picture_link: e.picture_link,
                slack: e.slack,
                phone: e.phone,
                email: e.email,
            }))
    }
    /// What the user's source system says of them; null when nothing was written.
    #[graphql(deprecation = "Use `properties`")]
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<CorpUserInfo>> {
        Ok(self.info_aspect(ctx).await?.map(|i| CorpUserInfo {
            active: i.active,
            display_name: i.display_name,
            email: i.email,
            title: i.title,
            first_name: i.first_name,
            last_name: i.last_name,
            full_name: i.full_name,
        }))
    }
    /// What people edited about the user; null when nothing was written.
    #[graphql(deprecation = "Use `editableProperties`")]
    async fn editable_info(&self, ctx: &Context<'_>) -> Result<Option<CorpUserEditableInfo>> {
        Ok(self
            .editable_aspect(ctx)
            .await?
            .map(|e| CorpUserEditableInfo {
                display_name: e.display_name,
                title: e.title,
                about_me: e.about_me,
                teams: e.teams,
                skills: e.skills,
                picture_link: e.picture_link,
            }))
    }
    /// The tags attached to the user.
    async fn tags(&self, ctx: &Context<'_>) -> Result<Option<GlobalTags>> {
        read_by_urn!(ctx, &self.0, governance::tags)
    }
    /// False for a user that owns entities but has no metadata of their own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// What a user's source system says of them.
#[derive(SimpleObject)]
pub struct CorpUserProperties {
    /// Whether the account is active.
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
#[derive(SimpleObject)]
pub struct CorpUserInfo {
    /// Whether the account is active.
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
#[derive(SimpleObject)]
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
#[derive(SimpleObject)]
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
        let info: Option<GroupInfoAspect> = aspect_of(ctx, &self.0, "corpGroupInfo").await?;
        Ok(info.map(|i| CorpGroupProperties {
            display_name: i.display_name,
            description: i.description,
            email: i.email,
            slack: i.slack,
        }))
    }
    /// What the group's source system says of it; null when nothing was written.
    #[graphql(deprecation = "Use `properties`")]
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<CorpGroupInfo>> {
        let info: Option<GroupInfoAspect> = aspect_of(ctx, &self.0, "corpGroupInfo").await?;
        Ok(info.map(|i| CorpGroupInfo {
            display_name: i.display_name,
            description: i.description,
            email: i.email,
        }))
    }
    /// What people edited about the group; null when nothing was written.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<CorpGroupEditableProperties>> {
        let edited: Option<GroupEditableAspect> =
            aspect_of(ctx, &self.0, "corpGroupEditableInfo").await?;
        Ok(edited.map(|e| CorpGroupEditableProperties {
            description: e.description,
            slack: e.slack,
            email: e.email,
            picture_link: e.picture_link,
        }))
    }
    /// Who owns the group.
    async fn ownership(&self, ctx: &Context<'_>) -> Result<Option<Ownership>> {
        read_by_urn!(ctx, &self.0, governance::ownership)
    }
    /// False for a group that owns entities but has no metadata of its own.
    async fn exists(&self, ctx: &Context<'_>) -> Result<Option<bool>> {
        Ok(Some(governance::exists(ctx, &self.0).await?))
    }
}

/// What a group's source system says of it.
#[derive(SimpleObject)]
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
#[derive(SimpleObject)]
pub struct CorpGroupInfo {
    /// The name to show.
    pub display_name: Option<String>,
    /// What the group is.
    pub description: Option<String>,
    /// The group's email address.
    pub email: Option<String>,
}

/// What people edited about a group.
#[derive(SimpleObject)]
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
