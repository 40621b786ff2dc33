//! `Dataset`: a dataset, with its ingested properties (`DatasetProperties`) and what people
//! edited (`DatasetEditableProperties`).

use async_graphql::{Context, Object, Result};

use super::entity::{editable_type, entity_object, related_by, End, Entity, Row};
use super::{MlFeature, MlModel, MlPrimaryKey};
use crate::catalog::aspects::{DatasetProperties, Relation};
use crate::catalog::EntityRecord;
use crate::graphql::lineage;
use crate::graphql::scalars::{
    custom_properties, AuditStamp, CustomPropertiesEntry, FabricType, Long,
};

entity_object! {
    /// A dataset: a table, a file or a topic, on a data platform.
    Dataset as "Dataset" {
        urn: "The URN: `urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.",
        type: "Always `DATASET`.",
        name: "The dataset's name, from its URN (the display name is `properties.name`).",
        platform: "The platform the dataset lives on, from its URN.",
        origin: "The environment, from its URN.",
        properties: DatasetProperties => DatasetPropertiesGql,
        editable: DatasetEditableProperties,
        status: "Whether the dataset is soft-deleted.",
        glossary: "The business glossary terms attached to the dataset.",
    }
    relations {
        /// Features derived from the dataset (relation `DerivedFrom`).
        derived_features: Vec<MlFeature> = related_by(Relation::DerivedFrom, End::Downstream);
        /// Primary keys derived from the dataset (relation `DerivedFrom`).
        derived_primary_keys: Vec<MlPrimaryKey> =
            related_by(Relation::DerivedFrom, End::Downstream);
        /// What the dataset was made from: datasets or feature tables (relation `DownstreamOf`).
        upstreams: Vec<Entity> = upstreams();
        /// Datasets made from this one (relation `DownstreamOf`).
        downstream_datasets: Vec<Dataset> = related_by(Relation::DownstreamOf, End::Downstream);
        /// Models trained on the dataset (relation `TrainedOn`).
        trained_models: Vec<MlModel> = related_by(Relation::TrainedOn, End::Downstream);
        /// Models that produced the dataset, for predictions (relation `Produces`).
        produced_by: Vec<MlModel> = related_by(Relation::Produces, End::Upstream);
    }

    /// The container the dataset sits in (its `container` aspect: a schema, a database); null
    /// when none.
    async fn container(&self, ctx: &Context<'_>) -> Result<Option<super::Container>> {
        super::container::container_of(ctx, &self.0).await
    }
    /// The containers above the dataset, nearest first.
    async fn parent_containers(
        &self,
        ctx: &Context<'_>,
    ) -> Result<super::container::ParentContainersResult> {
        super::container::parents_of(ctx, &self.0).await
    }
    /// What people edited about the dataset's schema fields (descriptions, tags, glossary
    /// terms, by field path); null when nobody edited a field.
    async fn editable_schema_metadata(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::EditableSchemaMetadata>> {
        super::schema_field::editable_schema_metadata(ctx, &self.0).await
    }
    /// The dataset's schema as ingested (`schemaMetadata`): `version` 0 or absent is the
    /// latest, the one version read here (any other answers null; earlier versions are in
    /// `aspectHistory`). Null when no schema was written.
    async fn schema_metadata(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The aspect version: 0 or absent for the latest.")] version: Option<Long>,
    ) -> Result<Option<super::schema_field::SchemaMetadata>> {
        super::schema_field::schema_metadata(ctx, &self.0, version).await
    }
    /// Which columns of which datasets this dataset's columns come from
    /// (`upstreamLineage.fineGrainedLineages`); null when none were written.
    async fn fine_grained_lineages(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<super::schema_field::FineGrainedLineage>>> {
        super::schema_field::fine_grained_lineages(ctx, &self.0).await
    }
    /// The same data on other platforms (the `siblings` aspect); null when none was written.
    async fn siblings(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::schema_field::SiblingProperties>> {
        super::schema_field::siblings(ctx, &self.0).await
    }
    /// The dataset's native URI (`datasetProperties.uri`); null when none was written.
    #[graphql(deprecation = "Use `properties`")]
    async fn uri(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let stored: Option<UriOf> =
            crate::graphql::loaders::aspect(ctx, &self.0, "datasetProperties").await?;
        Ok(stored.and_then(|p| p.uri))
    }
    /// The logical type of the dataset (table, view, ...): no aspect DataHub writes today
    /// carries it, so always null.
    #[graphql(deprecation = "Not written by DataHub's ingestion; use `subTypes`")]
    async fn platform_native_type(&self) -> Option<PlatformNativeType> {
        None
    }
    /// The dataset's profiles (the `datasetProfile` time series), newest first: those
    /// reported between `startTimeMillis` and `endTimeMillis` (inclusive; open when absent),
    /// at most `limit` (10,000 when absent).
    async fn dataset_profiles(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The earliest report time, in milliseconds.")] start_time_millis: Option<
            Long,
        >,
        #[graphql(desc = "The latest report time, in milliseconds.")] end_time_millis: Option<Long>,
        #[graphql(desc = "Most profiles to answer, from 1 to 10,000.")] limit: Option<i32>,
    ) -> Result<Option<Vec<super::timeseries::DatasetProfile>>> {
        super::timeseries::dataset_profiles(ctx, &self.0, start_time_millis, end_time_millis, limit)
            .await
    }
    /// What was done to the dataset (the `operation` time series), newest first: the
    /// operations reported between `startTimeMillis` and `endTimeMillis` (inclusive; open when
    /// absent), at most `limit` (10,000 when absent).
    async fn operations(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The earliest report time, in milliseconds.")] start_time_millis: Option<
            Long,
        >,
        #[graphql(desc = "The latest report time, in milliseconds.")] end_time_millis: Option<Long>,
        #[graphql(desc = "Most operations to answer, from 1 to 10,000.")] limit: Option<i32>,
    ) -> Result<Option<Vec<super::timeseries::Operation>>> {
        super::timeseries::operations(ctx, &self.0, start_time_millis, end_time_millis, limit).await
    }
    /// What version of its version set the dataset is (`versionProperties`); null when not
    /// versioned.
    pub(crate) async fn version_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::versioning::VersionProperties>> {
        super::versioning::version_properties(ctx, &self.0).await
    }
}

/// The `uri` of a stored `datasetProperties` aspect.
#[derive(serde::Deserialize)]
struct UriOf {
    #[serde(default)]
    uri: Option<String>,
}

/// The logical type of a dataset, as DataHub's older metadata named it.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "PlatformNativeType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum PlatformNativeType {
    /// A table.
    Table,
    /// A view.
    View,
    /// A directory of a file system.
    Directory,
    /// A stream.
    Stream,
}

/// What a dataset was made from, of any entity type the schema exposes.
async fn upstreams(ctx: &Context<'_>, dataset: &EntityRecord) -> Result<Vec<Entity>> {
    let rows = lineage::neighbors(ctx, dataset, Relation::DownstreamOf, true).await?;
    Ok(rows.into_iter().filter_map(Entity::from_row).collect())
}

editable_type!(
    DatasetEditableProperties,
    "DatasetEditableProperties",
    "Properties of a dataset edited by people."
);

/// The ingested properties of a dataset.
pub struct DatasetPropertiesGql(Row, DatasetProperties);

/// The ingested properties of a dataset.
#[Object(name = "DatasetProperties")]
impl DatasetPropertiesGql {
    /// The display name; the name in the URN when none was given.
    async fn name(&self) -> String {
        self.1.name.clone().unwrap_or_else(|| self.0.name.clone())
    }
    /// The fully qualified name in the source system.
    async fn qualified_name(&self) -> Option<&str> {
        self.1.qualified_name.as_deref()
    }
    /// The environment, from the URN.
    async fn origin(&self) -> FabricType {
        FabricType::from_env(self.0.env.as_deref())
    }
    /// What the dataset holds.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
    /// A link to the dataset in the system it comes from.
    async fn external_url(&self) -> Option<&str> {
        self.1.external_url.as_deref()
    }
    /// When the dataset was created in its source system, in milliseconds.
    async fn created(&self) -> Option<Long> {
        self.1.created.as_ref().map(|t| Long(t.time))
    }
    /// When the dataset was last modified (time 0 when unknown).
    async fn last_modified(&self) -> AuditStamp {
        self.1
            .last_modified
            .as_ref()
            .map(Into::into)
            .unwrap_or(AuditStamp {
                time: Long(0),
                actor: None,
            })
    }
}
