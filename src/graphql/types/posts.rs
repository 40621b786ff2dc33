//! `Post` (an announcement, as DataHub's notes on an entity are), read from a post entity's
//! stored `postInfo` aspect, and `Share`, DataHub Cloud's record of sharing an entity with
//! another DataHub instance, which mlcat does not do (always null).

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use serde::Deserialize;

use super::entity::Row;
use crate::graphql::loaders::aspect;
use crate::graphql::scalars::{AuditStamp, EntityType, Long};

/// The stored `postInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PostInfoAspect {
    #[serde(rename = "type")]
    post_type: String,
    content: ContentAspect,
    #[serde(default)]
    last_modified: Option<i64>,
}

#[derive(Deserialize)]
struct ContentAspect {
    title: String,
    #[serde(rename = "type")]
    content_type: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    link: Option<String>,
    #[serde(default)]
    media: Option<MediaAspect>,
}

#[derive(Deserialize)]
struct MediaAspect {
    #[serde(rename = "type")]
    media_type: String,
    location: String,
}

/// What a post announces.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PostType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PostType {
    /// An announcement on the home page.
    HomePageAnnouncement,
    /// A note on an entity.
    EntityAnnouncement,
}

/// What a post's content is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PostContentType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PostContentType {
    /// Text.
    Text,
    /// A link.
    Link,
}

/// What a post's media is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "MediaType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum MediaType {
    /// An image.
    Image,
}

/// An image or other media in a post.
#[derive(SimpleObject)]
#[graphql(name = "Media")]
pub struct Media {
    /// The kind of media; null for one DataHub does not name.
    #[graphql(name = "type")]
    pub media_type: Option<MediaType>,
    /// Where the media is (a URL).
    pub location: String,
}

/// What a post says.
#[derive(SimpleObject)]
#[graphql(name = "PostContent")]
pub struct PostContent {
    /// Text or a link; null for a kind DataHub does not name.
    pub content_type: Option<PostContentType>,
    /// The title.
    pub title: String,
    /// The text.
    pub description: Option<String>,
    /// The link.
    pub link: Option<String>,
    /// The media.
    pub media: Option<Media>,
}

/// A post: an announcement, or a note on an entity.
pub struct Post(pub Row);

impl Post {
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<PostInfoAspect>> {
        aspect(ctx, &self.0, "postInfo").await
    }
}

/// A post: an announcement, or a note on an entity (`urn:li:post:<id>`), read from its stored
/// `postInfo`; its fields are null when none was written.
#[Object(name = "Post")]
impl Post {
    /// The URN: `urn:li:post:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `POST`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::Post
    }
    /// What the post announces.
    async fn post_type(&self, ctx: &Context<'_>) -> Result<Option<PostType>> {
        Ok(self
            .info(ctx)
            .await?
            .and_then(|i| match i.post_type.as_str() {
                "HOME_PAGE_ANNOUNCEMENT" => Some(PostType::HomePageAnnouncement),
                "ENTITY_ANNOUNCEMENT" => Some(PostType::EntityAnnouncement),
                _ => None,
            }))
    }
    /// What the post says.
    async fn content(&self, ctx: &Context<'_>) -> Result<Option<PostContent>> {
        Ok(self.info(ctx).await?.map(|i| PostContent {
            content_type: match i.content.content_type.as_str() {
                "TEXT" => Some(PostContentType::Text),
                "LINK" => Some(PostContentType::Link),
                _ => None,
            },
            title: i.content.title,
            description: i.content.description,
            link: i.content.link,
            media: i.content.media.map(|m| Media {
                media_type: (m.media_type == "IMAGE").then_some(MediaType::Image),
                location: m.location,
            }),
        }))
    }
    /// When the post was last changed (the actor is not recorded in `postInfo`).
    async fn last_modified(&self, ctx: &Context<'_>) -> Result<Option<AuditStamp>> {
        Ok(self
            .info(ctx)
            .await?
            .and_then(|i| i.last_modified)
            .map(|t| AuditStamp {
                time: Long(t),
                actor: None,
            }))
    }
    /// DataHub's raw relationships of the post, by relation name and declaring side.
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
}

/// DataHub Cloud's record of sharing an entity with another DataHub instance. mlcat shares
/// nothing, so no entity has one: the `share` fields answer null.
#[derive(SimpleObject)]
#[graphql(name = "Share")]
pub struct Share {
    /// The URNs of the instances the entity was shared with (never answered by mlcat).
    pub shared_with: Vec<String>,
}
