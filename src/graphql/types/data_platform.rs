//! `DataPlatform`: where entities live (`snowflake`, `feast`), with its properties
//! (`DataPlatformProperties`) and their `PlatformType`. A platform is named by the URNs of the
//! entities on it, so it has none of the other entity types' aspects and is written by hand.

use async_graphql::{Context, Enum, Object, Result, SimpleObject};

use crate::catalog::aspects::{AspectSpec, DataPlatformInfo};
use crate::catalog::{well_known_platform, EntityRecord};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::EntityType;
use crate::urn::Urn;

/// A data platform: where datasets, feature tables and models live (`snowflake`, `feast`).
pub struct DataPlatform {
    urn: String,
    name: String,
}

impl DataPlatform {
    /// The platform a platform URN names.
    pub fn from_urn(urn: &Urn) -> DataPlatform {
        DataPlatform {
            urn: urn.to_string(),
            name: urn.name().to_string(),
        }
    }

    /// The platform an entity record of type `dataPlatform` is.
    pub fn from_record(row: &EntityRecord) -> DataPlatform {
        DataPlatform {
            urn: row.urn.clone(),
            name: row.name.clone(),
        }
    }

    /// The platform an entity lives on, from its URN.
    pub fn of(row: &EntityRecord) -> DataPlatform {
        let name = row.platform.clone().unwrap_or_default();
        DataPlatform {
            urn: format!("urn:li:dataPlatform:{name}"),
            name,
        }
    }

    /// The platform's stored `dataPlatformInfo`, else the built-in one of a well-known
    /// platform.
    async fn stored_info(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformInfo>> {
        // A platform named in a URN always parses; one that does not has no properties.
        let Ok(urn) = Urn::parse(&self.urn) else {
            return Ok(None);
        };
        let stored = match loaders::entity(ctx, &urn).await? {
            Some(row) => aspect(ctx, &row, DataPlatformInfo::NAME).await?,
            None => None,
        };
        Ok(stored.or_else(|| well_known_platform(&self.name)))
    }

    async fn properties_of(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformProperties>> {
        Ok(self
            .stored_info(ctx)
            .await?
            .map(|i| DataPlatformProperties {
                platform_type: async_graphql::InputType::parse(Some(async_graphql::Value::Enum(
                    async_graphql::Name::new(&i.platform_type),
                )))
                .unwrap_or(PlatformType::Others),
                display_name: i.display_name,
                dataset_name_delimiter: i.dataset_name_delimiter,
                logo_url: i.logo_url,
            }))
    }
}

/// A data platform: where datasets, feature tables and models live (`snowflake`, `feast`).
#[Object]
impl DataPlatform {
    /// The URN: `urn:li:dataPlatform:<name>`.
    pub(crate) async fn urn(&self) -> String {
        self.urn.clone()
    }
    /// Always `DATA_PLATFORM`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::DataPlatform
    }
    /// The platform's id, such as `feast`.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The platform's properties: its ingested `dataPlatformInfo`, else, for a platform mlcat
    /// knows (`snowflake`, `databricks`, `sagemaker`, `vertexai`, `mlflow`, `feast`, `bigquery`,
    /// `s3`, `kafka`, `postgres`, `hive`, and more, by DataHub's ids), DataHub's built-in
    /// properties; null for any other platform.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformProperties>> {
        self.properties_of(ctx).await
    }
    /// The platform's properties, as `properties` answers them.
    #[graphql(deprecation = "Use `properties`")]
    async fn info(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformInfoGql>> {
        Ok(self.properties_of(ctx).await?.map(|p| DataPlatformInfoGql {
            platform_type: p.platform_type,
            display_name: p.display_name,
            dataset_name_delimiter: p.dataset_name_delimiter,
            logo_url: p.logo_url,
        }))
    }
    /// The name to show.
    #[graphql(deprecation = "Use `properties.displayName`")]
    async fn display_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.stored_info(ctx).await?.and_then(|i| i.display_name))
    }
}

/// The kind of a data platform.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PlatformType {
    /// A file system.
    FileSystem,
    /// A key-value store.
    KeyValueStore,
    /// A message broker.
    MessageBroker,
    /// An object store.
    ObjectStore,
    /// An OLAP data store.
    OlapDatastore,
    /// A query engine.
    QueryEngine,
    /// A relational database.
    RelationalDb,
    /// A search engine.
    SearchEngine,
    /// Anything else.
    Others,
}

/// Properties of a data platform.
#[derive(SimpleObject)]
pub struct DataPlatformProperties {
    /// The kind of platform.
    #[graphql(name = "type")]
    pub platform_type: PlatformType,
    /// The name to show.
    pub display_name: Option<String>,
    /// The delimiter in dataset names, such as `.`.
    pub dataset_name_delimiter: String,
    /// A logo to show: for a built-in platform, the path DataHub's web app serves its logo at
    /// (`assets/platforms/<name>logo.png`, relative to the app); mlcat serves no logos.
    pub logo_url: Option<String>,
}

/// Properties of a data platform (the older name of `DataPlatformProperties`).
#[derive(SimpleObject)]
#[graphql(name = "DataPlatformInfo")]
pub struct DataPlatformInfoGql {
    /// The kind of platform.
    #[graphql(name = "type")]
    pub platform_type: PlatformType,
    /// The name to show.
    pub display_name: Option<String>,
    /// The delimiter in dataset names, such as `.`.
    pub dataset_name_delimiter: String,
    /// A logo to show: for a built-in platform, the path DataHub's web app serves its logo at
    /// (`assets/platforms/<name>logo.png`, relative to the app); mlcat serves no logos.
    pub logo_url: Option<String>,
}
