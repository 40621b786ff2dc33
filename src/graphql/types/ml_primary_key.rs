//! `MLPrimaryKey`: a primary key of feature tables, with its ingested properties
//! (`MLPrimaryKeyProperties`) and what people edited (`MLPrimaryKeyEditableProperties`).

use async_graphql::{Context, Object, Result};

use super::entity::{editable_type, entity_object, related_by, resolve, End, Row};
use super::{Dataset, MlFeatureTable, RELATION_FANOUT};
use crate::catalog::aspects::{MlPrimaryKeyProperties, Relation};
use crate::graphql::enums::MlFeatureDataTypeGql;
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry, VersionTagGql};

entity_object! {
    /// A primary key of a feature table: what its rows are keyed by.
    MlPrimaryKey as "MLPrimaryKey" {
        urn: "The URN: `urn:li:mlPrimaryKey:(<featureNamespace>,<name>)`.",
        type: "Always `MLPRIMARY_KEY`.",
        name: "The key's name, from its URN.",
        namespace: "The key's namespace, from its URN.",
        properties: MlPrimaryKeyProperties => MlPrimaryKeyPropertiesGql,
        editable: MlPrimaryKeyEditableProperties,
        status: "Whether the key is soft-deleted.",
        glossary: "The business glossary terms attached to the primary key.",
    }
    relations {
        /// The feature tables keyed by the key (relation `KeyedBy`).
        feature_tables: Vec<MlFeatureTable> = related_by(Relation::KeyedBy, End::Downstream);
    }

    /// The data type, copied from the properties.
    async fn data_type(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureDataTypeGql>> {
        Ok(self.props(ctx).await?.and_then(|p| p.data_type).map(Into::into))
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn primary_key_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlPrimaryKeyPropertiesGql>> {
        self.properties(ctx).await
    }
}

editable_type!(
    MlPrimaryKeyEditableProperties,
    "MLPrimaryKeyEditableProperties",
    "Properties of a primary key edited by people."
);

/// The ingested properties of a primary key.
pub struct MlPrimaryKeyPropertiesGql(Row, MlPrimaryKeyProperties);

/// The ingested properties of a primary key.
#[Object(name = "MLPrimaryKeyProperties")]
impl MlPrimaryKeyPropertiesGql {
    /// What the key identifies.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// The kind of values the key takes.
    async fn data_type(&self) -> Option<MlFeatureDataTypeGql> {
        self.1.data_type.map(Into::into)
    }
    /// The key's version.
    async fn version(&self) -> Option<VersionTagGql> {
        self.1.version.as_ref().map(Into::into)
    }
    /// The datasets the key is derived from (relation `DerivedFrom`); the columns it is
    /// derived from are in `sourceColumns`.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn sources(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<Dataset>>>> {
        Ok(Some(
            resolve(
                ctx,
                &super::schema_field::datasets_of(&self.1.sources),
                Dataset,
            )
            .await?,
        ))
    }
    /// mlcat: the columns (schema fields) the key is derived from (relation `DerivedFrom`), in
    /// the order stored; empty when it names whole datasets only.
    async fn source_columns(&self) -> Vec<super::schema_field::SchemaFieldEntity> {
        super::schema_field::columns_of(&self.1.sources)
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
}
