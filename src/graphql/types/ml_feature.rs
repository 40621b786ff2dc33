//! `MLFeature`: a feature, with its ingested properties (`MLFeatureProperties`) and what people
//! edited (`MLFeatureEditableProperties`).

use async_graphql::{Context, Object, Result};

use super::entity::{editable_type, entity_object, related_by, resolve, End, Row};
use super::{Dataset, MlFeatureTable, MlModel, RELATION_FANOUT};
use crate::catalog::aspects::{MlFeatureProperties, Relation};
use crate::graphql::enums::MlFeatureDataTypeGql;
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry, VersionTagGql};

entity_object! {
    /// A feature: one input signal of a model, usually computed from datasets.
    MlFeature as "MLFeature" {
        urn: "The URN: `urn:li:mlFeature:(<featureNamespace>,<name>)`.",
        type: "Always `MLFEATURE`.",
        name: "The feature's name, from its URN.",
        namespace: "The feature's namespace (conventionally its feature table's name), from its URN.",
        properties: MlFeatureProperties => MlFeaturePropertiesGql,
        editable: MlFeatureEditableProperties,
        status: "Whether the feature is soft-deleted.",
        glossary: "The business glossary terms attached to the feature.",
    }
    relations {
        /// The feature tables that contain the feature (relation `Contains`).
        feature_tables: Vec<MlFeatureTable> = related_by(Relation::Contains, End::Downstream);
        /// The models that consume the feature (relation `Consumes`).
        models: Vec<MlModel> = related_by(Relation::Consumes, End::Downstream);
    }

    /// The data type, copied from the properties.
    async fn data_type(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureDataTypeGql>> {
        Ok(self.props(ctx).await?.and_then(|p| p.data_type).map(Into::into))
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn feature_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeaturePropertiesGql>> {
        self.properties(ctx).await
    }
}

editable_type!(
    MlFeatureEditableProperties,
    "MLFeatureEditableProperties",
    "Properties of a feature edited by people."
);

/// The ingested properties of a feature.
pub struct MlFeaturePropertiesGql(Row, MlFeatureProperties);

/// The ingested properties of a feature.
#[Object(name = "MLFeatureProperties")]
impl MlFeaturePropertiesGql {
    /// What the feature means.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// The kind of values the feature takes.
    async fn data_type(&self) -> Option<MlFeatureDataTypeGql> {
        self.1.data_type.map(Into::into)
    }
    /// The feature's version.
    async fn version(&self) -> Option<VersionTagGql> {
        self.1.version.as_ref().map(Into::into)
    }
    /// The datasets the feature is derived from (relation `DerivedFrom`); the columns it is
    /// derived from are in `sourceColumns`.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn sources(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<Dataset>>>> {
        match &self.1.sources {
            Some(urns) => Ok(Some(
                resolve(ctx, &super::schema_field::datasets_of(urns), Dataset).await?,
            )),
            None => Ok(None),
        }
    }
    /// mlcat: the columns (schema fields) the feature is derived from (relation
    /// `DerivedFrom`), in the order stored; empty when it names whole datasets only.
    async fn source_columns(&self) -> Vec<super::schema_field::SchemaFieldEntity> {
        super::schema_field::columns_of(self.1.sources.as_deref().unwrap_or(&[]))
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
}
