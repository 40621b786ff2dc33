//! The entity types of the schema, named and shaped as in DataHub's GraphQL API. Each wraps an
//! entity row and loads its aspects and relations lazily through the dataloaders.

use std::sync::Arc;

use async_graphql::{Context, Enum, Interface, Object, Result, SimpleObject};

use super::enums::{DeploymentStatusGql, MlFeatureDataTypeGql};
use super::lineage::{
    self, EntityLineageResult, EntityRelationshipsResult, LineageInput, RelationshipsInput,
};
use super::loaders::{self, aspect};
use super::scalars::{
    custom_properties, hyper_params, metrics, AuditStamp, CustomPropertiesEntry, EntityType,
    FabricType, Long, MlHyperParam, MlMetric, Status, VersionTagGql,
};
use crate::catalog::aspects::{
    self as asp, AspectSpec, BaseData, DataPlatformInfo, DatasetProperties, EditableProperties,
    MlFeatureProperties, MlFeatureTableProperties, MlModelDeploymentProperties,
    MlModelGroupProperties, MlModelProperties, MlModelTrainingData, MlPrimaryKeyProperties,
    Relation,
};
use crate::catalog::EntityRecord;
use crate::urn::{EntityKind, Urn};

type Row = Arc<EntityRecord>;

/// How many entities a relation field is assumed to answer when pricing a query's complexity:
/// a relation costs this many times its sub-selection, so deep nesting over relations is
/// refused before it runs.
pub const RELATION_FANOUT: usize = 5;

/// Fields every entity type shares, resolved the same way for all.
struct Common<'a>(&'a Row);

impl Common<'_> {
    fn kind(&self) -> EntityKind {
        self.0.kind.clone()
    }

    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        let status: Option<asp::Status> = aspect(ctx, self.0, asp::Status::NAME).await?;
        Ok(status.map(|s| Status { removed: s.removed }))
    }

    async fn editable(&self, ctx: &Context<'_>) -> Result<Option<EditableProperties>> {
        match asp::editable_aspect_name(&self.kind()) {
            Some(name) => aspect(ctx, self.0, name).await,
            None => Ok(None),
        }
    }

    /// What a person wrote wins over what ingestion wrote; both aspects load in one batch.
    async fn description<P: Described>(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let Some(editable) = asp::editable_aspect_name(&self.kind()) else {
            return Ok(None);
        };
        let (props, edited): (Option<P>, Option<EditableProperties>) =
            loaders::aspect_pair(ctx, self.0, P::NAME, editable).await?;
        Ok(edited
            .and_then(|e| e.description)
            .or_else(|| props.and_then(Described::into_description)))
    }

    fn last_ingested(&self) -> Option<Long> {
        self.0.exists.then_some(Long(self.0.updated_at))
    }

    fn platform(&self) -> DataPlatform {
        let name = self.0.platform.clone().unwrap_or_default();
        DataPlatform {
            urn: format!("urn:li:dataPlatform:{name}"),
            name,
        }
    }
}

/// Entities of one type at the other end of `relation` edges (upstream or downstream of `row`),
/// through the edge loader. Entities of other types on such edges are left out.
async fn related_by<T: HasKind>(
    ctx: &Context<'_>,
    row: &Row,
    relation: Relation,
    upstream: bool,
    wrap: fn(Row) -> T,
) -> Result<Vec<T>> {
    Ok(lineage::neighbors(ctx, row, relation, upstream)
        .await?
        .into_iter()
        .filter(|r| r.kind == T::KIND)
        .map(wrap)
        .collect())
}

/// The entity type a GraphQL object wraps.
trait HasKind {
    const KIND: EntityKind;
}

macro_rules! has_kind {
    ($($t:ident),*) => {$(
        impl HasKind for $t {
            const KIND: EntityKind = EntityKind::$t;
        }
    )*};
}

has_kind!(
    MlFeature,
    MlFeatureTable,
    MlPrimaryKey,
    MlModel,
    MlModelGroup,
    MlModelDeployment,
    Dataset
);

/// A properties aspect with an ingested description.
trait Described: AspectSpec {
    fn into_description(self) -> Option<String>;
}

macro_rules! described {
    ($($t:ty),*) => {$(
        impl Described for $t {
            fn into_description(self) -> Option<String> {
                self.description
            }
        }
    )*};
}

described!(
    MlModelDeploymentProperties,
    MlFeatureProperties,
    MlPrimaryKeyProperties,
    MlFeatureTableProperties,
    MlModelProperties,
    MlModelGroupProperties,
    DatasetProperties
);

/// The URNs in an aspect field, resolved to live entities in the order the aspect lists them.
async fn resolve<T>(ctx: &Context<'_>, urns: &[Urn], wrap: fn(Row) -> T) -> Result<Vec<Option<T>>> {
    Ok(loaders::related(ctx, urns)
        .await?
        .into_iter()
        .map(|row| Some(wrap(row)))
        .collect())
}

macro_rules! editable_type {
    ($rust:ident, $gql:literal, $doc:literal) => {
        #[doc = $doc]
        #[derive(SimpleObject, Clone, Debug)]
        #[graphql(name = $gql)]
        pub struct $rust {
            /// The description as edited by a person.
            pub description: Option<String>,
        }

        impl From<EditableProperties> for $rust {
            fn from(e: EditableProperties) -> Self {
                $rust {
                    description: e.description,
                }
            }
        }
    };
}

editable_type!(
    MlFeatureEditableProperties,
    "MLFeatureEditableProperties",
    "Properties of a feature edited by people."
);
editable_type!(
    MlFeatureTableEditableProperties,
    "MLFeatureTableEditableProperties",
    "Properties of a feature table edited by people."
);
editable_type!(
    MlModelEditableProperties,
    "MLModelEditableProperties",
    "Properties of a model edited by people."
);
editable_type!(
    MlModelGroupEditableProperties,
    "MLModelGroupEditableProperties",
    "Properties of a model group edited by people."
);
editable_type!(
    MlPrimaryKeyEditableProperties,
    "MLPrimaryKeyEditableProperties",
    "Properties of a primary key edited by people."
);
editable_type!(
    MlModelDeploymentEditableProperties,
    "MLModelDeploymentEditableProperties",
    "Properties of a model deployment edited by people."
);
editable_type!(
    DatasetEditableProperties,
    "DatasetEditableProperties",
    "Properties of a dataset edited by people."
);

/// Any entity of the catalog.
#[derive(Interface)]
#[graphql(
    field(
        name = "urn",
        ty = "String",
        desc = "The URN that identifies the entity."
    ),
    field(
        name = "type",
        method = "entity_type",
        ty = "EntityType",
        desc = "The type of the entity."
    )
)]
pub enum Entity {
    MlFeature(MlFeature),
    MlFeatureTable(MlFeatureTable),
    MlPrimaryKey(MlPrimaryKey),
    MlModel(MlModel),
    MlModelGroup(MlModelGroup),
    Dataset(Dataset),
    DataPlatform(DataPlatform),
    MlModelDeployment(MlModelDeployment),
}

impl Entity {
    /// The GraphQL object for a row, or `None` for entity types the schema does not expose.
    pub fn from_row(row: Row) -> Option<Entity> {
        Some(match &row.kind {
            EntityKind::MlFeature => Entity::MlFeature(MlFeature(row)),
            EntityKind::MlFeatureTable => Entity::MlFeatureTable(MlFeatureTable(row)),
            EntityKind::MlPrimaryKey => Entity::MlPrimaryKey(MlPrimaryKey(row)),
            EntityKind::MlModel => Entity::MlModel(MlModel(row)),
            EntityKind::MlModelGroup => Entity::MlModelGroup(MlModelGroup(row)),
            EntityKind::Dataset => Entity::Dataset(Dataset(row)),
            EntityKind::MlModelDeployment => Entity::MlModelDeployment(MlModelDeployment(row)),
            EntityKind::DataPlatform => Entity::DataPlatform(DataPlatform {
                urn: row.urn.clone(),
                name: row.name.clone(),
            }),
            _ => return None,
        })
    }
}

// ---------------------------------------------------------------------------------------------
// MLFeature

/// A feature: one input signal of a model, usually computed from datasets.
pub struct MlFeature(pub Row);

#[Object(name = "MLFeature")]
impl MlFeature {
    /// The URN: `urn:li:mlFeature:(<featureNamespace>,<name>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLFEATURE`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlFeature
    }
    /// The feature's name, from its URN.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The feature's namespace (conventionally its feature table's name), from its URN.
    async fn feature_namespace(&self) -> &str {
        self.0.namespace.as_deref().unwrap_or_default()
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0)
            .description::<MlFeatureProperties>(ctx)
            .await
    }
    /// The data type, copied from the properties.
    async fn data_type(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureDataTypeGql>> {
        Ok(self
            .props(ctx)
            .await?
            .and_then(|p| p.data_type)
            .map(Into::into))
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<MlFeaturePropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| MlFeaturePropertiesGql(self.0.urn.clone(), p)))
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn feature_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeaturePropertiesGql>> {
        self.properties(ctx).await
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeatureEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the feature is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The feature tables that contain the feature (relation `Contains`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn feature_tables(&self, ctx: &Context<'_>) -> Result<Vec<MlFeatureTable>> {
        related_by(ctx, &self.0, Relation::Contains, false, MlFeatureTable).await
    }
    /// The models that consume the feature (relation `Consumes`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn models(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        related_by(ctx, &self.0, Relation::Consumes, false, MlModel).await
    }
}

impl MlFeature {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureProperties>> {
        aspect(ctx, &self.0, MlFeatureProperties::NAME).await
    }
}

/// The ingested properties of a feature.
pub struct MlFeaturePropertiesGql(String, MlFeatureProperties);

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
    /// The datasets the feature is derived from (relation `DerivedFrom`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn sources(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<Dataset>>>> {
        match &self.1.sources {
            Some(urns) => Ok(Some(resolve(ctx, urns, Dataset).await?)),
            None => Ok(None),
        }
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0, &self.1.custom_properties)
    }
}

// ---------------------------------------------------------------------------------------------
// MLPrimaryKey

/// A primary key of a feature table: what its rows are keyed by.
pub struct MlPrimaryKey(pub Row);

#[Object(name = "MLPrimaryKey")]
impl MlPrimaryKey {
    /// The URN: `urn:li:mlPrimaryKey:(<featureNamespace>,<name>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLPRIMARY_KEY`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlPrimaryKey
    }
    /// The key's name, from its URN.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The key's namespace, from its URN.
    async fn feature_namespace(&self) -> &str {
        self.0.namespace.as_deref().unwrap_or_default()
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0)
            .description::<MlPrimaryKeyProperties>(ctx)
            .await
    }
    /// The data type, copied from the properties.
    async fn data_type(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureDataTypeGql>> {
        Ok(self
            .props(ctx)
            .await?
            .and_then(|p| p.data_type)
            .map(Into::into))
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<MlPrimaryKeyPropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| MlPrimaryKeyPropertiesGql(self.0.urn.clone(), p)))
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn primary_key_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlPrimaryKeyPropertiesGql>> {
        self.properties(ctx).await
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlPrimaryKeyEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the key is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The feature tables keyed by the key (relation `KeyedBy`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn feature_tables(&self, ctx: &Context<'_>) -> Result<Vec<MlFeatureTable>> {
        related_by(ctx, &self.0, Relation::KeyedBy, false, MlFeatureTable).await
    }
}

impl MlPrimaryKey {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<MlPrimaryKeyProperties>> {
        aspect(ctx, &self.0, MlPrimaryKeyProperties::NAME).await
    }
}

/// The ingested properties of a primary key.
pub struct MlPrimaryKeyPropertiesGql(String, MlPrimaryKeyProperties);

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
    /// The datasets the key is derived from (relation `DerivedFrom`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn sources(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<Dataset>>>> {
        Ok(Some(resolve(ctx, &self.1.sources, Dataset).await?))
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0, &self.1.custom_properties)
    }
}

// ---------------------------------------------------------------------------------------------
// MLFeatureTable

/// A feature table: features kept together under primary keys, on a feature platform.
pub struct MlFeatureTable(pub Row);

#[Object(name = "MLFeatureTable")]
impl MlFeatureTable {
    /// The URN: `urn:li:mlFeatureTable:(urn:li:dataPlatform:<platform>,<name>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLFEATURE_TABLE`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlFeatureTable
    }
    /// The table's name, from its URN.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The platform the table lives on, from its URN.
    async fn platform(&self) -> DataPlatform {
        Common(&self.0).platform()
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0)
            .description::<MlFeatureTableProperties>(ctx)
            .await
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureTablePropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| MlFeatureTablePropertiesGql(self.0.urn.clone(), p)))
    }
    /// Deprecated alias of `properties`.
    #[graphql(deprecation = "Use `properties`")]
    async fn feature_table_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeatureTablePropertiesGql>> {
        self.properties(ctx).await
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlFeatureTableEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the table is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The models that consume any feature of the table.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn models(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        let features = lineage::neighbors(ctx, &self.0, Relation::Contains, true).await?;
        let per_feature = futures_util::future::try_join_all(
            features
                .iter()
                .map(|f| lineage::neighbors(ctx, f, Relation::Consumes, false)),
        )
        .await?;
        let mut seen = std::collections::HashSet::new();
        Ok(per_feature
            .into_iter()
            .flatten()
            .filter(|m| seen.insert(m.id))
            .map(MlModel)
            .collect())
    }
    /// Datasets generated from the table, such as training datasets (relation `DownstreamOf`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn downstream_datasets(&self, ctx: &Context<'_>) -> Result<Vec<Dataset>> {
        related_by(ctx, &self.0, Relation::DownstreamOf, false, Dataset).await
    }
}

impl MlFeatureTable {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<MlFeatureTableProperties>> {
        aspect(ctx, &self.0, MlFeatureTableProperties::NAME).await
    }
}

/// The ingested properties of a feature table.
pub struct MlFeatureTablePropertiesGql(String, MlFeatureTableProperties);

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
        custom_properties(&self.0, &self.1.custom_properties)
    }
}

// ---------------------------------------------------------------------------------------------
// MLModel

/// A trained model: the outcome of one training run.
pub struct MlModel(pub Row);

#[Object(name = "MLModel")]
impl MlModel {
    /// The URN: `urn:li:mlModel:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLMODEL`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlModel
    }
    /// The model's name, from its URN (the display name is `properties.name`).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The platform the model was trained on, from its URN.
    async fn platform(&self) -> DataPlatform {
        Common(&self.0).platform()
    }
    /// The environment, from its URN.
    async fn origin(&self) -> FabricType {
        FabricType::from_env(self.0.env.as_deref())
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0).description::<MlModelProperties>(ctx).await
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<MlModelPropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| MlModelPropertiesGql(self.0.clone(), p)))
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlModelEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the model is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The datasets the model was trained on (relation `TrainedOn`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn training_datasets(&self, ctx: &Context<'_>) -> Result<Vec<Dataset>> {
        related_by(ctx, &self.0, Relation::TrainedOn, true, Dataset).await
    }
    /// DataHub's model-card training data: the datasets with why and how they were used.
    async fn training_data(&self, ctx: &Context<'_>) -> Result<Option<Vec<BaseDataGql>>> {
        let data: Option<MlModelTrainingData> =
            aspect(ctx, &self.0, MlModelTrainingData::NAME).await?;
        Ok(data.map(|d| d.training_data.iter().map(BaseDataGql::from).collect()))
    }
    /// Where the model is deployed (relation `DeployedTo`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn deployments(&self, ctx: &Context<'_>) -> Result<Vec<MlModelDeployment>> {
        related_by(ctx, &self.0, Relation::DeployedTo, false, MlModelDeployment).await
    }
    /// Datasets the model produced, such as predictions (relation `Produces`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn predictions(&self, ctx: &Context<'_>) -> Result<Vec<Dataset>> {
        related_by(ctx, &self.0, Relation::Produces, false, Dataset).await
    }
}

impl MlModel {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<MlModelProperties>> {
        aspect(ctx, &self.0, MlModelProperties::NAME).await
    }
}

/// The ingested properties of a model.
pub struct MlModelPropertiesGql(Row, MlModelProperties);

#[Object(name = "MLModelProperties")]
impl MlModelPropertiesGql {
    /// The display name; the name in the URN when none was given.
    async fn name(&self) -> String {
        self.1.name.clone().unwrap_or_else(|| self.0.name.clone())
    }
    /// What the model does.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// The model's version, as text.
    async fn version(&self) -> Option<&str> {
        self.1
            .version
            .as_ref()
            .and_then(|v| v.version_tag.as_deref())
    }
    /// The algorithm or kind of model, such as `Naive Bayes classifier`.
    #[graphql(name = "type")]
    async fn model_type(&self) -> Option<&str> {
        self.1.model_type.as_deref()
    }
    /// The hyper-parameters of the training run.
    async fn hyper_params(&self) -> Option<Vec<Option<MlHyperParam>>> {
        hyper_params(&self.1.hyper_params)
    }
    /// The metrics of the training run.
    async fn training_metrics(&self) -> Option<Vec<Option<MlMetric>>> {
        metrics(&self.1.training_metrics)
    }
    /// The URNs of the features the model consumes, as DataHub returns them (strings); see
    /// `features` for the resolved entities.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn ml_features(&self) -> Option<Vec<String>> {
        self.1
            .ml_features
            .as_ref()
            .map(|l| l.iter().map(|u| u.to_string()).collect())
    }
    /// The features the model consumes (relation `Consumes`), resolved to entities.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn features(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<MlFeature>>>> {
        match &self.1.ml_features {
            Some(urns) => Ok(Some(resolve(ctx, urns, MlFeature).await?)),
            None => Ok(None),
        }
    }
    /// Free-text tags.
    async fn tags(&self) -> Option<Vec<String>> {
        Some(self.1.tags.clone())
    }
    /// The groups the model belongs to (relation `MemberOf`); empty when it is in none.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn groups(&self, ctx: &Context<'_>) -> Result<Option<Vec<Option<MlModelGroup>>>> {
        let urns = self.1.groups.as_deref().unwrap_or_default();
        Ok(Some(resolve(ctx, urns, MlModelGroup).await?))
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
    /// A link to the model in the system it comes from.
    async fn external_url(&self) -> Option<&str> {
        self.1.external_url.as_deref()
    }
    /// When the model was created in its source system.
    async fn created(&self) -> Option<AuditStamp> {
        self.1.created.as_ref().map(Into::into)
    }
    /// When the model was last modified in its source system.
    async fn last_modified(&self) -> Option<AuditStamp> {
        self.1.last_modified.as_ref().map(Into::into)
    }
    /// Deprecated creation time in milliseconds.
    #[graphql(deprecation = "Use `created`")]
    async fn date(&self) -> Option<Long> {
        self.1.date.map(Long)
    }
}

// ---------------------------------------------------------------------------------------------
// MLModelGroup

/// A model group: all the runs or versions of one model.
pub struct MlModelGroup(pub Row);

#[Object(name = "MLModelGroup")]
impl MlModelGroup {
    /// The URN: `urn:li:mlModelGroup:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLMODEL_GROUP`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlModelGroup
    }
    /// The group's name, from its URN.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The platform of the group, from its URN.
    async fn platform(&self) -> DataPlatform {
        Common(&self.0).platform()
    }
    /// The environment, from its URN.
    async fn origin(&self) -> FabricType {
        FabricType::from_env(self.0.env.as_deref())
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0)
            .description::<MlModelGroupProperties>(ctx)
            .await
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<MlModelGroupPropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| MlModelGroupPropertiesGql(self.0.clone(), p)))
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlModelGroupEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the group is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The models of the group (relation `MemberOf`), oldest membership first.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn models(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        related_by(ctx, &self.0, Relation::MemberOf, true, MlModel).await
    }
}

impl MlModelGroup {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<MlModelGroupProperties>> {
        aspect(ctx, &self.0, MlModelGroupProperties::NAME).await
    }
}

/// The ingested properties of a model group.
pub struct MlModelGroupPropertiesGql(Row, MlModelGroupProperties);

#[Object(name = "MLModelGroupProperties")]
impl MlModelGroupPropertiesGql {
    /// The display name; the name in the URN when none was given.
    async fn name(&self) -> String {
        self.1.name.clone().unwrap_or_else(|| self.0.name.clone())
    }
    /// What the models of the group do.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// The group's version.
    async fn version(&self) -> Option<VersionTagGql> {
        self.1.version.as_ref().map(Into::into)
    }
    /// When the group was created in its source system.
    async fn created(&self) -> Option<AuditStamp> {
        self.1.created.as_ref().map(Into::into)
    }
    /// When the group was last modified in its source system.
    async fn last_modified(&self) -> Option<AuditStamp> {
        self.1.last_modified.as_ref().map(Into::into)
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
    /// A link to the group in the system it comes from.
    async fn external_url(&self) -> Option<&str> {
        self.1.external_url.as_deref()
    }
    /// Deprecated creation time in milliseconds.
    #[graphql(deprecation = "Use `created`")]
    async fn created_at(&self) -> Option<Long> {
        self.1.created_at.map(Long)
    }
}

// ---------------------------------------------------------------------------------------------
// Dataset

/// A dataset: a table, a file or a topic, on a data platform.
pub struct Dataset(pub Row);

#[Object]
impl Dataset {
    /// The URN: `urn:li:dataset:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `DATASET`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::Dataset
    }
    /// The dataset's name, from its URN (the display name is `properties.name`).
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The platform the dataset lives on, from its URN.
    async fn platform(&self) -> DataPlatform {
        Common(&self.0).platform()
    }
    /// The environment, from its URN.
    async fn origin(&self) -> FabricType {
        FabricType::from_env(self.0.env.as_deref())
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0).description::<DatasetProperties>(ctx).await
    }
    /// The ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DatasetPropertiesGql>> {
        Ok(self
            .props(ctx)
            .await?
            .map(|p| DatasetPropertiesGql(self.0.clone(), p)))
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<DatasetEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the dataset is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// Features derived from the dataset (relation `DerivedFrom`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn derived_features(&self, ctx: &Context<'_>) -> Result<Vec<MlFeature>> {
        related_by(ctx, &self.0, Relation::DerivedFrom, false, MlFeature).await
    }
    /// Primary keys derived from the dataset (relation `DerivedFrom`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn derived_primary_keys(&self, ctx: &Context<'_>) -> Result<Vec<MlPrimaryKey>> {
        related_by(ctx, &self.0, Relation::DerivedFrom, false, MlPrimaryKey).await
    }
    /// What the dataset was made from: datasets or feature tables (relation `DownstreamOf`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn upstreams(&self, ctx: &Context<'_>) -> Result<Vec<Entity>> {
        let rows = lineage::neighbors(ctx, &self.0, Relation::DownstreamOf, true).await?;
        Ok(rows.into_iter().filter_map(Entity::from_row).collect())
    }
    /// Datasets made from this one (relation `DownstreamOf`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn downstream_datasets(&self, ctx: &Context<'_>) -> Result<Vec<Dataset>> {
        related_by(ctx, &self.0, Relation::DownstreamOf, false, Dataset).await
    }
    /// Models trained on the dataset (relation `TrainedOn`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn trained_models(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        related_by(ctx, &self.0, Relation::TrainedOn, false, MlModel).await
    }
    /// Models that produced the dataset, for predictions (relation `Produces`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn produced_by(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        related_by(ctx, &self.0, Relation::Produces, true, MlModel).await
    }
}

impl Dataset {
    async fn props(&self, ctx: &Context<'_>) -> Result<Option<DatasetProperties>> {
        aspect(ctx, &self.0, DatasetProperties::NAME).await
    }
}

/// The ingested properties of a dataset.
pub struct DatasetPropertiesGql(Row, DatasetProperties);

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

// ---------------------------------------------------------------------------------------------
// MLModelDeployment

/// A deployment of a model: an endpoint or service that serves it. DataHub stores these but
/// has no GraphQL type for them; mlcat does.
pub struct MlModelDeployment(pub Row);

#[Object(name = "MLModelDeployment")]
impl MlModelDeployment {
    /// The URN: `urn:li:mlModelDeployment:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.
    async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `MLMODEL_DEPLOYMENT`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::MlModelDeployment
    }
    /// The deployment's name, from its URN.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// The platform serving the model, from its URN.
    async fn platform(&self) -> DataPlatform {
        Common(&self.0).platform()
    }
    /// The environment, from its URN.
    async fn origin(&self) -> FabricType {
        FabricType::from_env(self.0.env.as_deref())
    }
    /// The description: the edited one if a person wrote one, else the ingested one.
    async fn description(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Common(&self.0)
            .description::<MlModelDeploymentProperties>(ctx)
            .await
    }
    /// The ingested properties; null when none were written.
    async fn properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlModelDeploymentPropertiesGql>> {
        let props: Option<MlModelDeploymentProperties> =
            aspect(ctx, &self.0, MlModelDeploymentProperties::NAME).await?;
        Ok(props.map(|p| MlModelDeploymentPropertiesGql(self.0.urn.clone(), p)))
    }
    /// Properties edited by people.
    async fn editable_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlModelDeploymentEditableProperties>> {
        Ok(Common(&self.0).editable(ctx).await?.map(Into::into))
    }
    /// Whether the deployment is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        Common(&self.0).status(ctx).await
    }
    /// The models it serves (relation `DeployedTo`).
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn models(&self, ctx: &Context<'_>) -> Result<Vec<MlModel>> {
        related_by(ctx, &self.0, Relation::DeployedTo, true, MlModel).await
    }
    /// DataHub's lineage of the entity: one hop by default; mlcat adds `depth`, `types` and
    /// `asOf` to the input.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn lineage(&self, ctx: &Context<'_>, input: LineageInput) -> Result<EntityLineageResult> {
        lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the entity, by relation name and declaring side.
    #[graphql(complexity = "1 + RELATION_FANOUT * child_complexity")]
    async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: RelationshipsInput,
    ) -> Result<EntityRelationshipsResult> {
        lineage::entity_relationships(ctx, &self.0, input).await
    }
    /// Every version of the entity's aspects, newest first: the value, when it was written, by
    /// whom and in which ingestion run.
    async fn aspect_history(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only the versions of this aspect, such as `mlModelProperties`.")]
        aspect_name: Option<String>,
        #[graphql(
            desc = "At most this many versions: 100 when absent, at most the page-size cap."
        )]
        limit: Option<i32>,
    ) -> Result<Vec<super::history::AspectVersion>> {
        super::history::aspect_history(ctx, &self.0, aspect_name, limit).await
    }
    /// When metadata was last written, in milliseconds since the epoch.
    async fn last_ingested(&self) -> Option<Long> {
        Common(&self.0).last_ingested()
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
}

/// The ingested properties of a model deployment.
pub struct MlModelDeploymentPropertiesGql(String, MlModelDeploymentProperties);

#[Object(name = "MLModelDeploymentProperties")]
impl MlModelDeploymentPropertiesGql {
    /// What the deployment serves, and to whom.
    async fn description(&self) -> Option<&str> {
        self.1.description.as_deref()
    }
    /// Whether it is serving.
    async fn status(&self) -> Option<DeploymentStatusGql> {
        self.1.status.map(Into::into)
    }
    /// The version deployed.
    async fn version(&self) -> Option<VersionTagGql> {
        self.1.version.as_ref().map(Into::into)
    }
    /// When it was created, in milliseconds since the epoch.
    async fn created_at(&self) -> Option<Long> {
        self.1.created_at.map(Long)
    }
    /// A link to the deployment in its platform.
    async fn external_url(&self) -> Option<&str> {
        self.1.external_url.as_deref()
    }
    /// Free-form key-value properties.
    async fn custom_properties(&self) -> Option<Vec<CustomPropertiesEntry>> {
        custom_properties(&self.0, &self.1.custom_properties)
    }
}

/// A dataset a model was trained or evaluated on, from the model card.
#[derive(SimpleObject)]
#[graphql(name = "BaseData")]
pub struct BaseDataGql {
    /// The dataset's URN.
    pub dataset: String,
    /// Why the dataset was chosen.
    pub motivation: Option<String>,
    /// How it was prepared.
    pub pre_processing: Option<Vec<String>>,
}

impl From<&BaseData> for BaseDataGql {
    fn from(d: &BaseData) -> Self {
        BaseDataGql {
            dataset: d.dataset.to_string(),
            motivation: d.motivation.clone(),
            pre_processing: d.pre_processing.clone(),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// DataPlatform

/// A data platform: where datasets, feature tables and models live (`snowflake`, `feast`).
pub struct DataPlatform {
    urn: String,
    name: String,
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
    /// A logo to show.
    pub logo_url: Option<String>,
}

impl DataPlatform {
    pub fn from_urn(urn: &Urn) -> DataPlatform {
        DataPlatform {
            urn: urn.to_string(),
            name: urn.name().to_string(),
        }
    }

    async fn info(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformInfo>> {
        // A platform named in a URN always parses; one that does not has no properties.
        let Ok(urn) = Urn::parse(&self.urn) else {
            return Ok(None);
        };
        match loaders::entity(ctx, &urn).await? {
            Some(row) => aspect(ctx, &row, DataPlatformInfo::NAME).await,
            None => Ok(None),
        }
    }
}

#[Object]
impl DataPlatform {
    /// The URN: `urn:li:dataPlatform:<name>`.
    async fn urn(&self) -> String {
        self.urn.clone()
    }
    /// Always `DATA_PLATFORM`.
    #[graphql(name = "type")]
    async fn entity_type(&self) -> EntityType {
        EntityType::DataPlatform
    }
    /// The platform's id, such as `feast`.
    async fn name(&self) -> &str {
        &self.name
    }
    /// The platform's properties, when they were ingested.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataPlatformProperties>> {
        Ok(self.info(ctx).await?.map(|i| DataPlatformProperties {
            platform_type: async_graphql::InputType::parse(Some(async_graphql::Value::Enum(
                async_graphql::Name::new(&i.platform_type),
            )))
            .unwrap_or(PlatformType::Others),
            display_name: i.display_name,
            dataset_name_delimiter: i.dataset_name_delimiter,
            logo_url: i.logo_url,
        }))
    }
    /// The name to show.
    #[graphql(deprecation = "Use `properties.displayName`")]
    async fn display_name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        Ok(self.info(ctx).await?.and_then(|i| i.display_name))
    }
}
