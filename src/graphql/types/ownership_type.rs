//! `OwnershipTypeEntity`: a kind of ownership defined in the catalog (`urn:li:ownershipType:...`),
//! with its `ownershipTypeInfo` (`OwnershipTypeInfo`).

use async_graphql::{Context, Object, Result, SimpleObject};
use serde::Deserialize;

use super::entity;
use super::governance::{self, aspect_of, read_by_urn};
use crate::catalog::aspects::{system_ownership_type_info, TimeStamp};
use crate::graphql::scalars::{AuditStamp, EntityType, Status};
use crate::urn::Urn;

/// The stored `ownershipTypeInfo` aspect.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OwnershipTypeInfoAspect {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    created: Option<TimeStamp>,
    #[serde(default)]
    last_modified: Option<TimeStamp>,
}

/// A kind of ownership defined in the catalog, such as `Data Steward`.
pub struct OwnershipTypeEntity(pub Urn);

/// A kind of ownership defined in the catalog, such as `Data Steward`.
#[Object]
impl OwnershipTypeEntity {
    /// The URN: `urn:li:ownershipType:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.to_string()
    }
    /// Always `CUSTOM_OWNERSHIP_TYPE`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::CustomOwnershipType
    }
    /// What the ownership type is: its stored `ownershipTypeInfo`, else for one of DataHub's
    /// four system types (`__system__technical_owner`, `__system__business_owner`,
    /// `__system__data_steward`, `__system__none`) its built-in name and description; null
    /// when it was never described.
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<OwnershipTypeInfo>> {
        let info: Option<OwnershipTypeInfoAspect> =
            aspect_of(ctx, &self.0, "ownershipTypeInfo").await?;
        Ok(match info {
            Some(i) => Some(OwnershipTypeInfo {
                name: i.name.unwrap_or_else(|| self.0.name().to_string()),
                description: i.description,
                created: i.created.as_ref().map(Into::into),
                last_modified: i.last_modified.as_ref().map(Into::into),
            }),
            None => system_ownership_type_info(self.0.name()).map(|(name, description)| {
                OwnershipTypeInfo {
                    name: name.to_string(),
                    description: Some(description.to_string()),
                    created: None,
                    last_modified: None,
                }
            }),
        })
    }
    /// Whether the ownership type is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        read_by_urn!(ctx, &self.0, entity::status)
    }
    /// False for an ownership type that owners name but nobody described.
    async fn exists(&self, ctx: &Context<'_>) -> Result<bool> {
        governance::exists(ctx, &self.0).await
    }
}

/// What an ownership type is.
#[derive(SimpleObject)]
pub struct OwnershipTypeInfo {
    /// The name to show; the id in the URN when none was given.
    pub name: String,
    /// What owners of this type do.
    pub description: Option<String>,
    /// When the type was created.
    pub created: Option<AuditStamp>,
    /// When the type was last changed.
    pub last_modified: Option<AuditStamp>,
}
