//! `DataPlatformInstance`: one instance of a platform (a workspace, a cluster, a region), as an
//! entity's stored `dataPlatformInstance` aspect names it.

use async_graphql::{Context, Object, Result};
use serde::Deserialize;

use super::DataPlatform;
use crate::catalog::EntityRecord;
use crate::graphql::loaders::aspect;
use crate::graphql::scalars::EntityType;
use crate::urn::Urn;

/// The stored `dataPlatformInstance` aspect, as the DataHub SDK writes it.
#[derive(Deserialize)]
struct DataPlatformInstanceAspect {
    #[serde(default)]
    instance: Option<String>,
}

/// An instance of a data platform, such as one Databricks workspace.
pub struct DataPlatformInstance {
    urn: String,
    platform: Urn,
    instance_id: String,
}

impl DataPlatformInstance {
    /// The instance an instance URN names,
    /// `urn:li:dataPlatformInstance:(urn:li:dataPlatform:<platform>,<id>)`; `None` for
    /// anything else.
    pub fn from_urn(urn: &str) -> Option<DataPlatformInstance> {
        let key = urn
            .strip_prefix("urn:li:dataPlatformInstance:(")?
            .strip_suffix(')')?;
        let (platform, id) = key.split_once(',')?;
        let platform = Urn::parse(platform).ok()?;
        Some(DataPlatformInstance {
            urn: urn.to_string(),
            platform,
            instance_id: id.to_string(),
        })
    }
}

/// `dataPlatformInstance`: the instance the entity's stored aspect names; null when the
/// aspect names only a platform, or no instance URN that parses, as in DataHub.
pub async fn of_entity(
    ctx: &Context<'_>,
    row: &EntityRecord,
) -> Result<Option<DataPlatformInstance>> {
    let stored: Option<DataPlatformInstanceAspect> =
        aspect(ctx, row, "dataPlatformInstance").await?;
    Ok(stored.and_then(|a| {
        a.instance
            .as_deref()
            .and_then(DataPlatformInstance::from_urn)
    }))
}

/// An instance of a data platform, such as one Databricks workspace or one region of a cloud
/// service; named by the entities' `dataPlatformInstance` aspects.
#[Object(name = "DataPlatformInstance")]
impl DataPlatformInstance {
    /// The URN: `urn:li:dataPlatformInstance:(urn:li:dataPlatform:<platform>,<id>)`.
    pub(crate) async fn urn(&self) -> String {
        self.urn.clone()
    }
    /// Always `DATA_PLATFORM_INSTANCE`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::DataPlatformInstance
    }
    /// The platform the instance belongs to.
    async fn platform(&self) -> DataPlatform {
        DataPlatform::from_urn(&self.platform)
    }
    /// The instance's id within its platform, from its URN.
    async fn instance_id(&self) -> &str {
        &self.instance_id
    }
}
