//! The inputs of the seven `upsert*` mutations, each with its [`Upsert`] impl: its entity
//! type, how its URN is built from key parts, and how it patches the properties aspect.

use async_graphql::{InputObject, MaybeUndefined};

use super::upsert::{
    named_values, set, set_custom, set_list, set_version, urn_list, CustomPropertyInput, Key,
    NamedValueInput, Upsert,
};
use crate::catalog::aspects::{
    DatasetProperties, MlFeatureProperties, MlFeatureTableProperties, MlModelDeploymentProperties,
    MlModelGroupProperties, MlModelProperties, MlPrimaryKeyProperties,
};
use crate::catalog::Error;
use crate::graphql::enums::{DeploymentStatusGql, MlFeatureDataTypeGql};
use crate::graphql::scalars::FabricType;
use crate::graphql::types::{
    Dataset, MlFeature, MlFeatureTable, MlModel, MlModelDeployment, MlModelGroup, MlPrimaryKey,
};
use crate::urn::{EntityKind, Urn, UrnError};

/// Creates or updates a feature. Give `urn`, or `featureNamespace` and `name` to build it.
#[derive(InputObject)]
#[graphql(name = "UpsertMLFeatureInput")]
pub struct UpsertMlFeatureInput {
    /// The feature's URN; when absent it is built from `featureNamespace` and `name`.
    pub urn: Option<String>,
    /// The namespace, conventionally the feature table's name.
    pub feature_namespace: Option<String>,
    /// The feature's name.
    pub name: Option<String>,
    /// What the feature means; null clears it.
    pub description: MaybeUndefined<String>,
    /// The kind of values; null clears it.
    pub data_type: MaybeUndefined<MlFeatureDataTypeGql>,
    /// The version label; null clears it.
    pub version: MaybeUndefined<String>,
    /// What the feature is derived from: dataset URNs, or the URNs of columns
    /// (`urn:li:schemaField:(<dataset urn>,<field path>)`); replaces the list, null clears it.
    pub sources: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
}

impl Upsert for UpsertMlFeatureInput {
    const KIND: EntityKind = EntityKind::MlFeature;
    type Aspect = MlFeatureProperties;
    type Object = MlFeature;

    fn key(&self) -> Key<'_> {
        Key::namespaced(
            &self.urn,
            &self.feature_namespace,
            &self.name,
            Urn::ml_feature,
        )
    }

    fn into_edit(self) -> Result<impl FnOnce(&mut MlFeatureProperties) + Send + 'static, Error> {
        let sources = urn_list("sources", self.sources)?;
        Ok(move |p: &mut MlFeatureProperties| {
            set(&mut p.description, self.description);
            set(&mut p.data_type, self.data_type.map_value(Into::into));
            set_version(&mut p.version, self.version);
            set(&mut p.sources, sources);
            set_custom(&mut p.custom_properties, self.custom_properties);
        })
    }
}

/// Creates or updates a primary key. Give `urn`, or `featureNamespace` and `name`.
#[derive(InputObject)]
#[graphql(name = "UpsertMLPrimaryKeyInput")]
pub struct UpsertMlPrimaryKeyInput {
    /// The key's URN; when absent it is built from `featureNamespace` and `name`.
    pub urn: Option<String>,
    /// The namespace, conventionally the feature table's name.
    pub feature_namespace: Option<String>,
    /// The key's name.
    pub name: Option<String>,
    /// What the key identifies; null clears it.
    pub description: MaybeUndefined<String>,
    /// The kind of values; null clears it.
    pub data_type: MaybeUndefined<MlFeatureDataTypeGql>,
    /// The version label; null clears it.
    pub version: MaybeUndefined<String>,
    /// What the key is derived from: dataset URNs, or the URNs of columns
    /// (`urn:li:schemaField:(<dataset urn>,<field path>)`); replaces the list, null empties it.
    pub sources: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
}

impl Upsert for UpsertMlPrimaryKeyInput {
    const KIND: EntityKind = EntityKind::MlPrimaryKey;
    type Aspect = MlPrimaryKeyProperties;
    type Object = MlPrimaryKey;

    fn key(&self) -> Key<'_> {
        Key::namespaced(
            &self.urn,
            &self.feature_namespace,
            &self.name,
            Urn::ml_primary_key,
        )
    }

    fn into_edit(self) -> Result<impl FnOnce(&mut MlPrimaryKeyProperties) + Send + 'static, Error> {
        let sources = urn_list("sources", self.sources)?;
        Ok(move |p: &mut MlPrimaryKeyProperties| {
            set(&mut p.description, self.description);
            set(&mut p.data_type, self.data_type.map_value(Into::into));
            set_version(&mut p.version, self.version);
            set_list(&mut p.sources, sources);
            set_custom(&mut p.custom_properties, self.custom_properties);
        })
    }
}

/// Creates or updates a feature table. Give `urn`, or `platform` and `name`.
#[derive(InputObject)]
#[graphql(name = "UpsertMLFeatureTableInput")]
pub struct UpsertMlFeatureTableInput {
    /// The table's URN; when absent it is built from `platform` and `name`.
    pub urn: Option<String>,
    /// The platform name (`feast`) or URN.
    pub platform: Option<String>,
    /// The table's name.
    pub name: Option<String>,
    /// What the table holds; null clears it.
    pub description: MaybeUndefined<String>,
    /// Feature URNs of the table; replaces the list, null clears it.
    pub ml_features: MaybeUndefined<Vec<String>>,
    /// Primary-key URNs of the table; replaces the list, null clears it.
    pub ml_primary_keys: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
}

impl Upsert for UpsertMlFeatureTableInput {
    const KIND: EntityKind = EntityKind::MlFeatureTable;
    type Aspect = MlFeatureTableProperties;
    type Object = MlFeatureTable;

    fn key(&self) -> Key<'_> {
        Key::on_platform(&self.urn, &self.platform, &self.name, Urn::ml_feature_table)
    }

    fn into_edit(
        self,
    ) -> Result<impl FnOnce(&mut MlFeatureTableProperties) + Send + 'static, Error> {
        let features = urn_list("mlFeatures", self.ml_features)?;
        let keys = urn_list("mlPrimaryKeys", self.ml_primary_keys)?;
        Ok(move |p: &mut MlFeatureTableProperties| {
            set(&mut p.description, self.description);
            set(&mut p.ml_features, features);
            set(&mut p.ml_primary_keys, keys);
            set_custom(&mut p.custom_properties, self.custom_properties);
        })
    }
}

/// Creates or updates a model. Give `urn`, or `platform`, `name` and optionally `origin`.
#[derive(InputObject)]
#[graphql(name = "UpsertMLModelInput")]
pub struct UpsertMlModelInput {
    /// The model's URN; when absent it is built from `platform`, `name` and `origin`.
    pub urn: Option<String>,
    /// The platform name (`sagemaker`) or URN.
    pub platform: Option<String>,
    /// The model's name.
    pub name: Option<String>,
    /// The environment; PROD when absent.
    pub origin: Option<FabricType>,
    /// The display name; null clears it.
    pub display_name: MaybeUndefined<String>,
    /// What the model does; null clears it.
    pub description: MaybeUndefined<String>,
    /// The version label; null clears it.
    pub version: MaybeUndefined<String>,
    /// The algorithm or kind of model; null clears it.
    #[graphql(name = "type")]
    pub model_type: MaybeUndefined<String>,
    /// Hyper-parameters; replaces the list, null clears it.
    pub hyper_params: MaybeUndefined<Vec<NamedValueInput>>,
    /// Training metrics; replaces the list, null clears it.
    pub training_metrics: MaybeUndefined<Vec<NamedValueInput>>,
    /// Feature URNs the model consumes; replaces the list, null clears it.
    pub ml_features: MaybeUndefined<Vec<String>>,
    /// Model-group URNs the model belongs to; replaces the list, null clears it.
    pub groups: MaybeUndefined<Vec<String>>,
    /// Deployment URNs serving the model; replaces the list, null clears it.
    pub deployments: MaybeUndefined<Vec<String>>,
    /// Free-text tags; replaces the list, null clears it.
    pub tags: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
    /// A link to the model in its source system; null clears it.
    pub external_url: MaybeUndefined<String>,
}

impl Upsert for UpsertMlModelInput {
    const KIND: EntityKind = EntityKind::MlModel;
    type Aspect = MlModelProperties;
    type Object = MlModel;

    fn key(&self) -> Key<'_> {
        Key::on_platform_in(
            &self.urn,
            &self.platform,
            &self.name,
            self.origin,
            Urn::ml_model,
        )
    }

    fn into_edit(self) -> Result<impl FnOnce(&mut MlModelProperties) + Send + 'static, Error> {
        let features = urn_list("mlFeatures", self.ml_features)?;
        let groups = urn_list("groups", self.groups)?;
        let deployments = urn_list("deployments", self.deployments)?;
        Ok(move |p: &mut MlModelProperties| {
            set(&mut p.name, self.display_name);
            set(&mut p.description, self.description);
            set_version(&mut p.version, self.version);
            set(&mut p.model_type, self.model_type);
            set(
                &mut p.hyper_params,
                self.hyper_params.map_value(named_values),
            );
            set(
                &mut p.training_metrics,
                self.training_metrics.map_value(named_values),
            );
            set(&mut p.ml_features, features);
            set(&mut p.groups, groups);
            set(&mut p.deployments, deployments);
            set_list(&mut p.tags, self.tags);
            set_custom(&mut p.custom_properties, self.custom_properties);
            set(&mut p.external_url, self.external_url);
        })
    }
}

/// Creates or updates a model group. Give `urn`, or `platform`, `name` and optionally `origin`.
#[derive(InputObject)]
#[graphql(name = "UpsertMLModelGroupInput")]
pub struct UpsertMlModelGroupInput {
    /// The group's URN; when absent it is built from `platform`, `name` and `origin`.
    pub urn: Option<String>,
    /// The platform name or URN.
    pub platform: Option<String>,
    /// The group's name.
    pub name: Option<String>,
    /// The environment; PROD when absent.
    pub origin: Option<FabricType>,
    /// The display name; null clears it.
    pub display_name: MaybeUndefined<String>,
    /// What the group's models do; null clears it.
    pub description: MaybeUndefined<String>,
    /// The version label; null clears it.
    pub version: MaybeUndefined<String>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
    /// A link to the group in its source system; null clears it.
    pub external_url: MaybeUndefined<String>,
}

impl Upsert for UpsertMlModelGroupInput {
    const KIND: EntityKind = EntityKind::MlModelGroup;
    type Aspect = MlModelGroupProperties;
    type Object = MlModelGroup;

    fn key(&self) -> Key<'_> {
        Key::on_platform_in(
            &self.urn,
            &self.platform,
            &self.name,
            self.origin,
            Urn::ml_model_group,
        )
    }

    fn into_edit(self) -> Result<impl FnOnce(&mut MlModelGroupProperties) + Send + 'static, Error> {
        Ok(move |p: &mut MlModelGroupProperties| {
            set(&mut p.name, self.display_name);
            set(&mut p.description, self.description);
            set_version(&mut p.version, self.version);
            set_custom(&mut p.custom_properties, self.custom_properties);
            set(&mut p.external_url, self.external_url);
        })
    }
}

/// Creates or updates a dataset. Give `urn`, or `platform`, `name` and optionally `origin`.
#[derive(InputObject)]
pub struct UpsertDatasetInput {
    /// The dataset's URN; when absent it is built from `platform`, `name` and `origin`.
    pub urn: Option<String>,
    /// The platform name (`snowflake`) or URN.
    pub platform: Option<String>,
    /// The dataset's name, such as `db.schema.table`.
    pub name: Option<String>,
    /// The environment; PROD when absent.
    pub origin: Option<FabricType>,
    /// The display name; null clears it.
    pub display_name: MaybeUndefined<String>,
    /// The fully qualified name in the source system; null clears it.
    pub qualified_name: MaybeUndefined<String>,
    /// What the dataset holds; null clears it.
    pub description: MaybeUndefined<String>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
    /// A link to the dataset in its source system; null clears it.
    pub external_url: MaybeUndefined<String>,
}

impl Upsert for UpsertDatasetInput {
    const KIND: EntityKind = EntityKind::Dataset;
    type Aspect = DatasetProperties;
    type Object = Dataset;

    fn key(&self) -> Key<'_> {
        Key::on_platform_in(
            &self.urn,
            &self.platform,
            &self.name,
            self.origin,
            Urn::dataset,
        )
    }

    fn into_edit(self) -> Result<impl FnOnce(&mut DatasetProperties) + Send + 'static, Error> {
        Ok(move |p: &mut DatasetProperties| {
            set(&mut p.name, self.display_name);
            set(&mut p.qualified_name, self.qualified_name);
            set(&mut p.description, self.description);
            set_custom(&mut p.custom_properties, self.custom_properties);
            set(&mut p.external_url, self.external_url);
        })
    }
}

/// Creates or updates a model deployment. Give `urn`, or `platform`, `name` and optionally
/// `origin`.
#[derive(InputObject)]
#[graphql(name = "UpsertMLModelDeploymentInput")]
pub struct UpsertMlModelDeploymentInput {
    /// The deployment's URN; when absent it is built from `platform`, `name` and `origin`.
    pub urn: Option<String>,
    /// The platform name (`sagemaker`) or URN.
    pub platform: Option<String>,
    /// The deployment's name, such as the endpoint's.
    pub name: Option<String>,
    /// The environment; PROD when absent.
    pub origin: Option<FabricType>,
    /// What the deployment serves; null clears it.
    pub description: MaybeUndefined<String>,
    /// Whether it is serving; null clears it.
    pub status: MaybeUndefined<DeploymentStatusGql>,
    /// The version deployed; null clears it.
    pub version: MaybeUndefined<String>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
    /// A link to the deployment in its platform; null clears it.
    pub external_url: MaybeUndefined<String>,
}

impl Upsert for UpsertMlModelDeploymentInput {
    const KIND: EntityKind = EntityKind::MlModelDeployment;
    type Aspect = MlModelDeploymentProperties;
    type Object = MlModelDeployment;

    fn key(&self) -> Key<'_> {
        Key::on_platform_in(
            &self.urn,
            &self.platform,
            &self.name,
            self.origin,
            deployment_urn,
        )
    }

    fn into_edit(
        self,
    ) -> Result<impl FnOnce(&mut MlModelDeploymentProperties) + Send + 'static, Error> {
        Ok(move |p: &mut MlModelDeploymentProperties| {
            set(&mut p.description, self.description);
            set(&mut p.status, self.status.map_value(Into::into));
            set_version(&mut p.version, self.version);
            set_custom(&mut p.custom_properties, self.custom_properties);
            set(&mut p.external_url, self.external_url);
        })
    }
}

/// The URN of a model deployment (`Urn` has no constructor for this type).
fn deployment_urn(platform: &str, name: &str, env: &str) -> Result<Urn, UrnError> {
    Urn::parse(&format!(
        "urn:li:mlModelDeployment:(urn:li:dataPlatform:{platform},{name},{env})"
    ))
}
