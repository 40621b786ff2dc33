//! The mutation root. Every mutation is one call of the catalog's write path, so each is one
//! transaction; `upsert*` mutations patch the fields they are given and leave the others as
//! they were, `replaceAspect` replaces a whole aspect.

use std::collections::BTreeMap;

use async_graphql::{Context, InputObject, MaybeUndefined, Object, Result, SimpleObject};
use serde_json::Value;

use super::enums::{DeploymentStatusGql, MlFeatureDataTypeGql, RelationshipFieldGql};
use super::loaders;
use super::scalars::{FabricType, Long};
use super::types::{
    Dataset, MlFeature, MlFeatureTable, MlModel, MlModelDeployment, MlModelGroup, MlPrimaryKey,
};
use crate::auth::Access;
use crate::catalog::aspects::{
    editable_aspect_name, AspectSpec, DatasetProperties, EditableProperties, MlFeatureProperties,
    MlFeatureTableProperties, MlModelDeploymentProperties, MlModelGroupProperties,
    MlModelProperties, MlPrimaryKeyProperties, NamedValue, Status, VersionTag,
};
use crate::catalog::{relationship_edit, Actor, AspectWrite, Catalog};
use crate::catalog::{EntityRecord, Error};
use crate::urn::{EntityKind, Urn};

pub struct Mutation;

/// One custom property to set.
#[derive(InputObject, Clone)]
pub struct CustomPropertyInput {
    /// The property name.
    pub key: String,
    /// The property value.
    pub value: String,
}

/// A hyper-parameter or a metric of a training run.
#[derive(InputObject, Clone)]
#[graphql(name = "MLNamedValueInput")]
pub struct NamedValueInput {
    /// Its name.
    pub name: String,
    /// What it is.
    pub description: Option<String>,
    /// Its value, as text.
    pub value: Option<String>,
}

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
    /// Dataset URNs the feature is derived from; replaces the list, null clears it.
    pub sources: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
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
    /// Dataset URNs the key is derived from; replaces the list, null empties it.
    pub sources: MaybeUndefined<Vec<String>>,
    /// Custom properties; replaces them all, null clears them.
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
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

/// Adds targets to, or removes them from, one relationship list of an entity.
#[derive(InputObject)]
pub struct RelationshipEditInput {
    /// The entity that declares the list (the feature table, the model, ...).
    pub urn: String,
    /// Which list.
    pub field: RelationshipFieldGql,
    /// The URNs to add or remove.
    pub targets: Vec<String>,
}

/// The outcome of a relationship edit.
#[derive(SimpleObject)]
pub struct RelationshipEditResult {
    /// The entity edited.
    pub urn: String,
    /// The list edited.
    pub field: RelationshipFieldGql,
    /// The version of the aspect now latest.
    pub version: Long,
    /// False when nothing changed (adding what was there, removing what was not).
    pub changed: bool,
}

/// Replaces a whole aspect of an entity, as a DataHub UPSERT does.
#[derive(InputObject)]
pub struct ReplaceAspectInput {
    /// The entity's URN; the entity is created if it has no row yet.
    pub urn: String,
    /// The aspect name, such as `mlModelProperties`.
    pub aspect_name: String,
    /// The whole new value, as a JSON object in DataHub's shape.
    pub value: async_graphql::Json<Value>,
}

/// The outcome of an aspect write.
#[derive(SimpleObject)]
pub struct AspectWriteResult {
    /// The entity's URN.
    pub urn: String,
    /// The aspect written.
    pub aspect_name: String,
    /// The version now latest.
    pub version: Long,
    /// False when the value equalled the latest version, so no version was added.
    pub changed: bool,
}

/// Sets the description of an entity as a person edits it (DataHub's input shape).
#[derive(InputObject)]
pub struct DescriptionUpdateInput {
    /// The new description.
    pub description: String,
    /// The URN of the entity to describe.
    pub resource_urn: String,
}

/// Soft-deletes or restores several entities at once (DataHub's input shape).
#[derive(InputObject)]
pub struct BatchUpdateSoftDeletedInput {
    /// The URNs of the entities.
    pub urns: Vec<String>,
    /// True to soft-delete, false to restore.
    pub deleted: bool,
}

fn set<T>(field: &mut Option<T>, value: MaybeUndefined<T>) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => *field = None,
        MaybeUndefined::Value(v) => *field = Some(v),
    }
}

fn set_version(field: &mut Option<VersionTag>, value: MaybeUndefined<String>) {
    set(
        field,
        value.map_value(|v| VersionTag {
            version_tag: Some(v),
            ..Default::default()
        }),
    );
}

fn set_custom(
    field: &mut BTreeMap<String, String>,
    value: MaybeUndefined<Vec<CustomPropertyInput>>,
) {
    match value {
        MaybeUndefined::Undefined => {}
        MaybeUndefined::Null => field.clear(),
        MaybeUndefined::Value(list) => {
            *field = list.into_iter().map(|p| (p.key, p.value)).collect();
        }
    }
}

fn named_values(list: Vec<NamedValueInput>) -> Vec<NamedValue> {
    list.into_iter()
        .map(|n| NamedValue {
            name: n.name,
            description: n.description,
            value: n.value,
            created_at: None,
            extra: Default::default(),
        })
        .collect()
}

/// Parses URN arguments of a list field, naming the field and index of a bad one.
fn urn_list(
    field: &str,
    value: MaybeUndefined<Vec<String>>,
) -> Result<MaybeUndefined<Vec<Urn>>, Error> {
    Ok(match value {
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Value(list) => MaybeUndefined::Value(
            list.iter()
                .enumerate()
                .map(|(i, s)| {
                    Urn::parse(s).map_err(|e| Error::BadInput(format!("{field}[{i}]: {}", e)))
                })
                .collect::<Result<Vec<_>, _>>()?,
        ),
    })
}

fn non_empty<'a>(field: &str, value: &'a Option<String>) -> Result<&'a str, Error> {
    match value.as_deref().map(str::trim) {
        Some(v) if !v.is_empty() => Ok(v),
        Some(_) => Err(Error::bad_input(format!("{field} must not be empty"))),
        None => Err(Error::bad_input(format!("give either urn or {field}"))),
    }
}

fn platform_name(platform: &str) -> &str {
    platform
        .strip_prefix("urn:li:dataPlatform:")
        .unwrap_or(platform)
}

/// The URN of an upsert: the one given (of the right entity type), or one built from the key
/// parts.
fn key_urn(
    kind: EntityKind,
    urn: &Option<String>,
    build: impl FnOnce() -> Result<Urn, Error>,
) -> Result<Urn, Error> {
    match urn {
        Some(urn) => {
            let parsed = Urn::parse(urn)?;
            parsed.expect_kind("urn", &[kind])?;
            Ok(parsed)
        }
        None => build(),
    }
}

/// Checks that key parts given beside a URN agree with it: `(field, given, in the URN)`.
fn check_key(urn: &Urn, parts: &[(&str, Option<&str>, Option<&str>)]) -> Result<(), Error> {
    for (field, given, actual) in parts {
        if let Some(given) = given {
            if Some(given.trim()) != *actual {
                return Err(Error::bad_input(format!(
                    "{field} {given:?} does not match the URN {urn}"
                )));
            }
        }
    }
    Ok(())
}

fn env_of(origin: Option<FabricType>) -> &'static str {
    origin.unwrap_or(FabricType::Prod).as_str()
}

async fn write_one(
    ctx: &Context<'_>,
    write: AspectWrite,
) -> Result<crate::catalog::Written, Error> {
    let catalog = ctx.data_unchecked::<Catalog>();
    let mut written = catalog.write(&writer(ctx)?, vec![write]).await?;
    written
        .pop()
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("the write path returned nothing")))
}

async fn reload(ctx: &Context<'_>, urn: &Urn) -> Result<std::sync::Arc<EntityRecord>> {
    loaders::entity(ctx, urn)
        .await?
        .ok_or_else(|| Error::Internal(anyhow::anyhow!("{urn} vanished after its write")).into())
}

#[Object]
impl Mutation {
    /// Creates a feature or updates the fields given; answers the feature.
    #[graphql(name = "upsertMLFeature")]
    async fn upsert_ml_feature(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlFeatureInput,
    ) -> Result<MlFeature> {
        let urn = key_urn(EntityKind::MlFeature, &input.urn, || {
            Ok(Urn::ml_feature(
                non_empty("featureNamespace", &input.feature_namespace)?,
                non_empty("name", &input.name)?,
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "featureNamespace",
                    input.feature_namespace.as_deref(),
                    urn.namespace(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
            ],
        )?;
        let sources = urn_list("sources", input.sources)?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlFeatureProperties::NAME,
            move |p: &mut MlFeatureProperties| {
                set(&mut p.description, input.description);
                set(&mut p.data_type, input.data_type.map_value(Into::into));
                set_version(&mut p.version, input.version);
                set(&mut p.sources, sources);
                set_custom(&mut p.custom_properties, input.custom_properties);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlFeature(reload(ctx, &urn).await?))
    }

    /// Creates a primary key or updates the fields given; answers the key.
    #[graphql(name = "upsertMLPrimaryKey")]
    async fn upsert_ml_primary_key(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlPrimaryKeyInput,
    ) -> Result<MlPrimaryKey> {
        let urn = key_urn(EntityKind::MlPrimaryKey, &input.urn, || {
            Ok(Urn::ml_primary_key(
                non_empty("featureNamespace", &input.feature_namespace)?,
                non_empty("name", &input.name)?,
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "featureNamespace",
                    input.feature_namespace.as_deref(),
                    urn.namespace(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
            ],
        )?;
        let sources = urn_list("sources", input.sources)?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlPrimaryKeyProperties::NAME,
            move |p: &mut MlPrimaryKeyProperties| {
                set(&mut p.description, input.description);
                set(&mut p.data_type, input.data_type.map_value(Into::into));
                set_version(&mut p.version, input.version);
                let mut list = Some(std::mem::take(&mut p.sources));
                set(&mut list, sources);
                p.sources = list.unwrap_or_default();
                set_custom(&mut p.custom_properties, input.custom_properties);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlPrimaryKey(reload(ctx, &urn).await?))
    }

    /// Creates a feature table or updates the fields given; answers the table.
    #[graphql(name = "upsertMLFeatureTable")]
    async fn upsert_ml_feature_table(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlFeatureTableInput,
    ) -> Result<MlFeatureTable> {
        let urn = key_urn(EntityKind::MlFeatureTable, &input.urn, || {
            Ok(Urn::ml_feature_table(
                platform_name(non_empty("platform", &input.platform)?),
                non_empty("name", &input.name)?,
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "platform",
                    input.platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
            ],
        )?;
        let features = urn_list("mlFeatures", input.ml_features)?;
        let keys = urn_list("mlPrimaryKeys", input.ml_primary_keys)?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlFeatureTableProperties::NAME,
            move |p: &mut MlFeatureTableProperties| {
                set(&mut p.description, input.description);
                set(&mut p.ml_features, features);
                set(&mut p.ml_primary_keys, keys);
                set_custom(&mut p.custom_properties, input.custom_properties);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlFeatureTable(reload(ctx, &urn).await?))
    }

    /// Creates a model or updates the fields given; answers the model.
    #[graphql(name = "upsertMLModel")]
    async fn upsert_ml_model(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelInput,
    ) -> Result<MlModel> {
        let urn = key_urn(EntityKind::MlModel, &input.urn, || {
            Ok(Urn::ml_model(
                platform_name(non_empty("platform", &input.platform)?),
                non_empty("name", &input.name)?,
                env_of(input.origin),
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "platform",
                    input.platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
                ("origin", input.origin.map(FabricType::as_str), urn.env()),
            ],
        )?;
        let features = urn_list("mlFeatures", input.ml_features)?;
        let groups = urn_list("groups", input.groups)?;
        let deployments = urn_list("deployments", input.deployments)?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlModelProperties::NAME,
            move |p: &mut MlModelProperties| {
                set(&mut p.name, input.display_name);
                set(&mut p.description, input.description);
                set_version(&mut p.version, input.version);
                set(&mut p.model_type, input.model_type);
                set(
                    &mut p.hyper_params,
                    input.hyper_params.map_value(named_values),
                );
                set(
                    &mut p.training_metrics,
                    input.training_metrics.map_value(named_values),
                );
                set(&mut p.ml_features, features);
                set(&mut p.groups, groups);
                set(&mut p.deployments, deployments);
                let mut tags = Some(std::mem::take(&mut p.tags));
                set(&mut tags, input.tags);
                p.tags = tags.unwrap_or_default();
                set_custom(&mut p.custom_properties, input.custom_properties);
                set(&mut p.external_url, input.external_url);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlModel(reload(ctx, &urn).await?))
    }

    /// Creates a model group or updates the fields given; answers the group.
    #[graphql(name = "upsertMLModelGroup")]
    async fn upsert_ml_model_group(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelGroupInput,
    ) -> Result<MlModelGroup> {
        let urn = key_urn(EntityKind::MlModelGroup, &input.urn, || {
            Ok(Urn::ml_model_group(
                platform_name(non_empty("platform", &input.platform)?),
                non_empty("name", &input.name)?,
                env_of(input.origin),
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "platform",
                    input.platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
                ("origin", input.origin.map(FabricType::as_str), urn.env()),
            ],
        )?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlModelGroupProperties::NAME,
            move |p: &mut MlModelGroupProperties| {
                set(&mut p.name, input.display_name);
                set(&mut p.description, input.description);
                set_version(&mut p.version, input.version);
                set_custom(&mut p.custom_properties, input.custom_properties);
                set(&mut p.external_url, input.external_url);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlModelGroup(reload(ctx, &urn).await?))
    }

    /// Creates a dataset or updates the fields given; answers the dataset.
    async fn upsert_dataset(
        &self,
        ctx: &Context<'_>,
        input: UpsertDatasetInput,
    ) -> Result<Dataset> {
        let urn = key_urn(EntityKind::Dataset, &input.urn, || {
            Ok(Urn::dataset(
                platform_name(non_empty("platform", &input.platform)?),
                non_empty("name", &input.name)?,
                env_of(input.origin),
            )?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "platform",
                    input.platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
                ("origin", input.origin.map(FabricType::as_str), urn.env()),
            ],
        )?;
        let write = AspectWrite::patch(
            urn.clone(),
            DatasetProperties::NAME,
            move |p: &mut DatasetProperties| {
                set(&mut p.name, input.display_name);
                set(&mut p.qualified_name, input.qualified_name);
                set(&mut p.description, input.description);
                set_custom(&mut p.custom_properties, input.custom_properties);
                set(&mut p.external_url, input.external_url);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(Dataset(reload(ctx, &urn).await?))
    }

    /// Creates a model deployment or updates the fields given; answers the deployment.
    #[graphql(name = "upsertMLModelDeployment")]
    async fn upsert_ml_model_deployment(
        &self,
        ctx: &Context<'_>,
        input: UpsertMlModelDeploymentInput,
    ) -> Result<MlModelDeployment> {
        let urn = key_urn(EntityKind::MlModelDeployment, &input.urn, || {
            Ok(Urn::parse(&format!(
                "urn:li:mlModelDeployment:(urn:li:dataPlatform:{},{},{})",
                platform_name(non_empty("platform", &input.platform)?),
                non_empty("name", &input.name)?,
                env_of(input.origin),
            ))?)
        })?;
        check_key(
            &urn,
            &[
                (
                    "platform",
                    input.platform.as_deref().map(platform_name),
                    urn.platform(),
                ),
                ("name", input.name.as_deref(), Some(urn.name())),
                ("origin", input.origin.map(FabricType::as_str), urn.env()),
            ],
        )?;
        let write = AspectWrite::patch(
            urn.clone(),
            MlModelDeploymentProperties::NAME,
            move |p: &mut MlModelDeploymentProperties| {
                set(&mut p.description, input.description);
                set(&mut p.status, input.status.map_value(Into::into));
                set_version(&mut p.version, input.version);
                set_custom(&mut p.custom_properties, input.custom_properties);
                set(&mut p.external_url, input.external_url);
                Ok(())
            },
        );
        write_one(ctx, write).await?;
        Ok(MlModelDeployment(reload(ctx, &urn).await?))
    }

    /// Adds targets to one relationship list of an entity, atomically: concurrent edits of the
    /// same list never lose each other. Adding a target already there changes nothing.
    async fn add_relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipEditInput,
    ) -> Result<RelationshipEditResult> {
        edit_relationships(ctx, input, true).await
    }

    /// Removes targets from one relationship list of an entity, atomically. Removing a target
    /// that is not there changes nothing; the entity must exist.
    async fn remove_relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipEditInput,
    ) -> Result<RelationshipEditResult> {
        edit_relationships(ctx, input, false).await
    }

    /// Replaces a whole aspect with the value given (every field not in it is gone), as a
    /// DataHub UPSERT does. Known aspects are validated; others are stored unchanged.
    async fn replace_aspect(
        &self,
        ctx: &Context<'_>,
        input: ReplaceAspectInput,
    ) -> Result<AspectWriteResult> {
        let urn = Urn::parse(&input.urn).map_err(Error::from)?;
        let written = write_one(
            ctx,
            AspectWrite::upsert(urn, &input.aspect_name, input.value.0),
        )
        .await?;
        Ok(AspectWriteResult {
            urn: written.urn.to_string(),
            aspect_name: written.aspect,
            version: Long(written.version),
            changed: written.changed,
        })
    }

    /// Sets the description a person edits (the entity's `editableProperties`), which then
    /// shows as its `description`. The entity must exist.
    async fn update_description(
        &self,
        ctx: &Context<'_>,
        input: DescriptionUpdateInput,
    ) -> Result<bool> {
        let urn = Urn::parse(&input.resource_urn).map_err(Error::from)?;
        let aspect = editable_aspect_name(urn.kind()).ok_or_else(|| {
            Error::bad_input(format!(
                "a {} entity has no editable description",
                urn.kind()
            ))
        })?;
        let description = input.description;
        let write = AspectWrite::patch(urn, aspect, move |p: &mut EditableProperties| {
            p.description = Some(description);
            Ok(())
        })
        .existing();
        write_one(ctx, write).await?;
        Ok(true)
    }

    /// Soft-deletes an entity: it leaves every list and relation, and its data and history are
    /// kept. `restoreEntity` brings it back.
    async fn soft_delete_entity(&self, ctx: &Context<'_>, urn: String) -> Result<bool> {
        set_removed(ctx, &[urn], true).await
    }

    /// Restores a soft-deleted entity.
    async fn restore_entity(&self, ctx: &Context<'_>, urn: String) -> Result<bool> {
        set_removed(ctx, &[urn], false).await
    }

    /// Soft-deletes or restores several entities in one transaction (DataHub's mutation).
    async fn batch_update_soft_deleted(
        &self,
        ctx: &Context<'_>,
        input: BatchUpdateSoftDeletedInput,
    ) -> Result<bool> {
        set_removed(ctx, &input.urns, input.deleted).await
    }
}

async fn edit_relationships(
    ctx: &Context<'_>,
    input: RelationshipEditInput,
    add: bool,
) -> Result<RelationshipEditResult> {
    let urn = Urn::parse(&input.urn).map_err(Error::from)?;
    let targets = urn_list("targets", MaybeUndefined::Value(input.targets))?
        .take()
        .unwrap_or_default();
    let actor = writer(ctx)?;
    let write = relationship_edit(
        input.field.into(),
        urn,
        targets,
        add,
        now_millis(),
        &actor.name,
    )?;
    let written = write_one(ctx, write).await?;
    Ok(RelationshipEditResult {
        urn: written.urn.to_string(),
        field: input.field,
        version: Long(written.version),
        changed: written.changed,
    })
}

/// The time of an edit, in milliseconds since the epoch: the same clock the write path stamps
/// versions with (`SystemTime`), read here because the front door does not reach the store.
fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// Who the request writes as (the token's name, or `anonymous` with auth off), once its token
/// is known to allow writing.
fn writer(ctx: &Context<'_>) -> Result<Actor, Error> {
    if let Some(access) = ctx.data_opt::<Access>() {
        access.require_write()?;
    }
    Ok(ctx
        .data_opt::<Actor>()
        .cloned()
        .unwrap_or_else(|| Actor::named("anonymous")))
}

async fn set_removed(ctx: &Context<'_>, urns: &[String], removed: bool) -> Result<bool> {
    let writes = urns
        .iter()
        .map(|u| {
            let urn = Urn::parse(u)?;
            Ok(
                AspectWrite::patch(urn, Status::NAME, move |s: &mut Status| {
                    s.removed = removed;
                    Ok(())
                })
                .existing(),
            )
        })
        .collect::<Result<Vec<_>, Error>>()?;
    let catalog = ctx.data_unchecked::<Catalog>();
    catalog.write(&writer(ctx)?, writes).await?;
    Ok(true)
}
