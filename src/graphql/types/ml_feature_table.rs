//! `MLFeatureTable`: a feature table, with its ingested properties (`MLFeatureTableProperties`)
//! and what people edited (`MLFeatureTableEditableProperties`).

use std::collections::HashSet;

use async_graphql::{Context, Object, Result};

use super::entity::{editable_type, entity_object, related_by, resolve, End, Row};
use super::{Dataset, MlFeature, MlModel, MlPrimaryKey, RELATION_FANOUT};
use crate::catalog::aspects::{MlFeatureTableProperties, Relation};
use crate::catalog::EntityRecord;
use crate::graphql::lineage;
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry};

entity_object! {
    /// A feature table: features kept together under primary keys, on a feature platform.
    MlFeatureTable as "MLFeatureTable" {
        urn: "The URN: `urn:li:mlFeatureTable:(urn:li:dataPlatform:<platform>,<name>)`.",
        type: "Always `MLFEATURE_TABLE`.",
        name: "The table's name, from its URN.",
        platform: "The platform the table lives on, from its URN.",
        properties: MlFeatureTableProperties => MlFeatureTablePropertiesGql,
        editable: MlFeatureTableEditableProperties,
        status: "Whether the table is soft-deleted.",
        glossary: "The business glossary terms attached to the feature table.",
    }
    relations {
        /// The models that consume any feature of the table.
        models: Vec<MlModel> = models_of_features();
        /// Datasets generated from the table, such as training datasets (relation `DownstreamOf`).
        downstream_datasets: Vec<Dataset> = related_by(Relation::DownstreamOf, End::Downstream);
    }

    /// The version the table is published as (its feature list and primary keys are frozen
    /// while it is); null when it is not published.
    async fn publication(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::training::Publication>> {
        super::training::publication(ctx, &self.0).await
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn feature_table_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeatureTablePropertiesGql>> {
        self.properties(ctx).await
    }
}

/// The models that consume any feature of a table, each once.
async fn models_of_features(ctx: &Context<'_>, table: &EntityRecord) -> Result<Vec<MlModel>> {
    let features = lineage::neighbors(ctx, table, Relation::Contains, true).await?;
    let per_feature = futures_util::future::try_join_all(
        features
            .iter()
            .map(|f| lineage::neighbors(ctx, f, Relation::Consumes, false)),
    )
    .await?;
    let mut seen = HashSet::new();
    Ok(per_feature
        .into_iter()
        .flatten()
        .filter(|m| seen.insert(m.id))
        .map(MlModel)
        .collect())
}

editable_type!(
    MlFeatureTableEditableProperties,
    "MLFeatureTableEditableProperties",
    "Properties of a feature table edited by people."
);

/// The ingested properties of a feature table.
pub struct MlFeatureTablePropertiesGql(Row, MlFeatureTableProperties);

/// The ingested properties of a feature table.
#[Object(name = "MLFeatureTableProperties")]
impl MlFeatureTablePropertiesGql {
    /// What the table holds.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// The features of the table (relation `Contains`), in the order the table lists them.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn ml_features(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<MlFeature>>>> {
        match &self.1.ml_features {
            Some(urns) => Ok(Some(resolve(ctx, urns, MlFeature).await?)),
            None => Ok(None),
        }
    }
    /// The primary keys of the table (relation `KeyedBy`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn ml_primary_keys(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<Vec<Option<MlPrimaryKey>>>> {
        match &self.1.ml_primary_keys {
            Some(urns) => Ok(Some(resolve(ctx, urns, MlPrimaryKey).await?)),
            None => Ok(None),
        }
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
}
