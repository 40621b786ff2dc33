//! Scalars and small shared types of the schema, named as DataHub names them.

use async_graphql::{
    Enum, InputValueError, InputValueResult, Scalar, ScalarType, SimpleObject, Value,
};

use crate::catalog::aspects::{NamedValue, TimeStamp, VersionTag};
use crate::urn::EntityKind;

/// A 64-bit integer, serialized as a JSON number (milliseconds since the epoch, counts).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Long(pub i64);

/// A 64-bit integer, serialized as a JSON number (milliseconds since the epoch, counts).
#[Scalar(name = "Long")]
impl ScalarType for Long {
    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .map(Long)
                .ok_or_else(|| InputValueError::custom("Long must be a whole number")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// The type of an entity, spelled as in DataHub.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "EntityType")]
pub enum EntityType {
    /// A dataset: a table, a file, a topic.
    #[graphql(name = "DATASET")]
    Dataset,
    /// A data platform such as `snowflake` or `feast`.
    #[graphql(name = "DATA_PLATFORM")]
    DataPlatform,
    /// An instance of a data platform, such as one workspace.
    #[graphql(name = "DATA_PLATFORM_INSTANCE")]
    DataPlatformInstance,
    /// A trained model (one training run).
    #[graphql(name = "MLMODEL")]
    MlModel,
    /// A group of models: all the runs or versions of one model.
    #[graphql(name = "MLMODEL_GROUP")]
    MlModelGroup,
    /// A feature table.
    #[graphql(name = "MLFEATURE_TABLE")]
    MlFeatureTable,
    /// A feature.
    #[graphql(name = "MLFEATURE")]
    MlFeature,
    /// A primary key of a feature table.
    #[graphql(name = "MLPRIMARY_KEY")]
    MlPrimaryKey,
    /// A deployment of a model: an endpoint or service serving it (not in DataHub's enum).
    #[graphql(name = "MLMODEL_DEPLOYMENT")]
    MlModelDeployment,
    /// A tag.
    #[graphql(name = "TAG")]
    Tag,
    /// A term of a business glossary.
    #[graphql(name = "GLOSSARY_TERM")]
    GlossaryTerm,
    /// A node of a business glossary: a group of terms and nodes.
    #[graphql(name = "GLOSSARY_NODE")]
    GlossaryNode,
    /// A domain: an area of the business that assets belong to.
    #[graphql(name = "DOMAIN")]
    Domain,
    /// A user.
    #[graphql(name = "CORP_USER")]
    CorpUser,
    /// A group of users.
    #[graphql(name = "CORP_GROUP")]
    CorpGroup,
    /// A kind of ownership defined in the catalog.
    #[graphql(name = "CUSTOM_OWNERSHIP_TYPE")]
    CustomOwnershipType,
    /// A structured property: a typed property entities may carry.
    #[graphql(name = "STRUCTURED_PROPERTY")]
    StructuredProperty,
    /// The type of a structured property's values.
    #[graphql(name = "DATA_TYPE")]
    DataType,
    /// An entity type, as a structured property names it.
    #[graphql(name = "ENTITY_TYPE")]
    EntityType,
    /// One run of a process, such as a training run.
    #[graphql(name = "DATA_PROCESS_INSTANCE")]
    DataProcessInstance,
    /// A container: a database, a schema, an experiment.
    #[graphql(name = "CONTAINER")]
    Container,
    /// A compliance form (mlcat has none).
    #[graphql(name = "FORM")]
    Form,
    /// A job: one task of a flow.
    #[graphql(name = "DATA_JOB")]
    DataJob,
    /// A flow: a pipeline of jobs.
    #[graphql(name = "DATA_FLOW")]
    DataFlow,
    /// A chart of a BI tool.
    #[graphql(name = "CHART")]
    Chart,
    /// A dashboard of a BI tool.
    #[graphql(name = "DASHBOARD")]
    Dashboard,
    /// A data product.
    #[graphql(name = "DATA_PRODUCT")]
    DataProduct,
    /// A document: knowledge, a how-to, an FAQ.
    #[graphql(name = "DOCUMENT")]
    Document,
    /// A set of versions of one asset.
    #[graphql(name = "VERSION_SET")]
    VersionSet,
    /// A post: an announcement or a note.
    #[graphql(name = "POST")]
    Post,
    /// A field of a dataset's schema.
    #[graphql(name = "SCHEMA_FIELD")]
    SchemaField,
}

/// The entity types the schema exposes, by the name their URNs spell (`urn:li:<name>:...`).
const URN_TYPES: &[(&str, EntityType)] = &[
    ("dataset", EntityType::Dataset),
    ("dataPlatform", EntityType::DataPlatform),
    ("dataPlatformInstance", EntityType::DataPlatformInstance),
    ("mlModel", EntityType::MlModel),
    ("mlModelGroup", EntityType::MlModelGroup),
    ("mlFeatureTable", EntityType::MlFeatureTable),
    ("mlFeature", EntityType::MlFeature),
    ("mlPrimaryKey", EntityType::MlPrimaryKey),
    ("mlModelDeployment", EntityType::MlModelDeployment),
    ("tag", EntityType::Tag),
    ("glossaryTerm", EntityType::GlossaryTerm),
    ("glossaryNode", EntityType::GlossaryNode),
    ("domain", EntityType::Domain),
    ("corpuser", EntityType::CorpUser),
    ("corpGroup", EntityType::CorpGroup),
    ("ownershipType", EntityType::CustomOwnershipType),
    ("dataProcessInstance", EntityType::DataProcessInstance),
    ("container", EntityType::Container),
    ("dataJob", EntityType::DataJob),
    ("dataFlow", EntityType::DataFlow),
    ("chart", EntityType::Chart),
    ("dashboard", EntityType::Dashboard),
    ("dataProduct", EntityType::DataProduct),
    ("document", EntityType::Document),
    ("versionSet", EntityType::VersionSet),
    ("post", EntityType::Post),
    ("schemaField", EntityType::SchemaField),
];

impl EntityType {
    /// The entity type of a URN type, for the types the schema exposes as entities.
    pub fn from_kind(kind: &EntityKind) -> Option<EntityType> {
        URN_TYPES
            .iter()
            .find(|(name, _)| *name == kind.as_str())
            .map(|(_, t)| *t)
    }

    /// The name URNs of this type spell (`urn:li:<name>:...`); `None` for the types that are
    /// not entities of the catalog (`FORM`, `STRUCTURED_PROPERTY`, ...).
    pub fn urn_type(self) -> Option<&'static str> {
        URN_TYPES
            .iter()
            .find(|(_, t)| *t == self)
            .map(|(name, _)| *name)
    }
}

/// The environment an entity lives in (DataHub's FabricType).
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(name = "FabricType", rename_items = "SCREAMING_SNAKE_CASE")]
pub enum FabricType {
    /// Development.
    Dev,
    /// Testing.
    Test,
    /// Quality assurance.
    Qa,
    /// User acceptance testing.
    Uat,
    /// Early integration.
    Ei,
    /// Pre-production.
    Pre,
    /// Staging.
    Stg,
    /// Non-production.
    NonProd,
    /// Production.
    Prod,
    /// Corporate.
    Corp,
    /// Review.
    Rvw,
    /// Production (alternate spelling).
    Prd,
    /// Test (alternate spelling).
    Tst,
    /// System integration testing.
    Sit,
    /// Sandbox (short spelling).
    Sbx,
    /// Sandbox.
    Sandbox,
}

impl FabricType {
    pub fn as_str(self) -> &'static str {
        match self {
            FabricType::Dev => "DEV",
            FabricType::Test => "TEST",
            FabricType::Qa => "QA",
            FabricType::Uat => "UAT",
            FabricType::Ei => "EI",
            FabricType::Pre => "PRE",
            FabricType::Stg => "STG",
            FabricType::NonProd => "NON_PROD",
            FabricType::Prod => "PROD",
            FabricType::Corp => "CORP",
            FabricType::Rvw => "RVW",
            FabricType::Prd => "PRD",
            FabricType::Tst => "TST",
            FabricType::Sit => "SIT",
            FabricType::Sbx => "SBX",
            FabricType::Sandbox => "SANDBOX",
        }
    }

    /// The environment of a URN; URNs are only accepted with a known one.
    pub fn from_env(env: Option<&str>) -> FabricType {
        const ALL: [FabricType; 16] = [
            FabricType::Dev,
            FabricType::Test,
            FabricType::Qa,
            FabricType::Uat,
            FabricType::Ei,
            FabricType::Pre,
            FabricType::Stg,
            FabricType::NonProd,
            FabricType::Prod,
            FabricType::Corp,
            FabricType::Rvw,
            FabricType::Prd,
            FabricType::Tst,
            FabricType::Sit,
            FabricType::Sbx,
            FabricType::Sandbox,
        ];
        ALL.into_iter()
            .find(|f| Some(f.as_str()) == env)
            .unwrap_or(FabricType::Prod)
    }
}

/// A version label.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "VersionTag")]
pub struct VersionTagGql {
    /// The version, such as `1.0` or `v2`.
    pub version_tag: Option<String>,
}

impl From<&VersionTag> for VersionTagGql {
    fn from(v: &VersionTag) -> Self {
        VersionTagGql {
            version_tag: v.version_tag.clone(),
        }
    }
}

/// When something happened and who did it.
#[derive(SimpleObject, Clone, Debug)]
pub struct AuditStamp {
    /// Milliseconds since the Unix epoch.
    pub time: Long,
    /// The URN of the actor.
    pub actor: Option<String>,
}

impl From<&TimeStamp> for AuditStamp {
    fn from(t: &TimeStamp) -> Self {
        AuditStamp {
            time: Long(t.time),
            actor: t.actor.clone(),
        }
    }
}

/// One custom property of an entity.
#[derive(SimpleObject, Clone, Debug)]
pub struct CustomPropertiesEntry {
    /// The property name.
    pub key: String,
    /// The property value.
    pub value: Option<String>,
    /// The URN of the entity that carries the property.
    pub associated_urn: String,
}

pub fn custom_properties(
    owner: &str,
    map: &std::collections::BTreeMap<String, String>,
) -> Option<Vec<CustomPropertiesEntry>> {
    Some(
        map.iter()
            .map(|(k, v)| CustomPropertiesEntry {
                key: k.clone(),
                value: Some(v.clone()),
                associated_urn: owner.to_string(),
            })
            .collect(),
    )
}

/// A hyper-parameter of a training run.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "MLHyperParam")]
pub struct MlHyperParam {
    /// Its name, such as `learning_rate`.
    pub name: Option<String>,
    /// What it controls.
    pub description: Option<String>,
    /// Its value, as text.
    pub value: Option<String>,
    /// When it was recorded, in milliseconds since the epoch.
    pub created_at: Option<Long>,
}

/// A metric of a training run.
#[derive(SimpleObject, Clone, Debug)]
#[graphql(name = "MLMetric")]
pub struct MlMetric {
    /// Its name, such as `accuracy`.
    pub name: Option<String>,
    /// What it measures.
    pub description: Option<String>,
    /// Its value, as text.
    pub value: Option<String>,
    /// When it was recorded, in milliseconds since the epoch.
    pub created_at: Option<Long>,
}

pub fn hyper_params(list: &Option<Vec<NamedValue>>) -> Option<Vec<Option<MlHyperParam>>> {
    list.as_ref().map(|l| {
        l.iter()
            .map(|n| {
                Some(MlHyperParam {
                    name: Some(n.name.clone()),
                    description: n.description.clone(),
                    value: n.value.clone(),
                    created_at: n.created_at.map(Long),
                })
            })
            .collect()
    })
}

pub fn metrics(list: &Option<Vec<NamedValue>>) -> Option<Vec<Option<MlMetric>>> {
    list.as_ref().map(|l| {
        l.iter()
            .map(|n| {
                Some(MlMetric {
                    name: Some(n.name.clone()),
                    description: n.description.clone(),
                    value: n.value.clone(),
                    created_at: n.created_at.map(Long),
                })
            })
            .collect()
    })
}

/// Whether an entity is soft-deleted.
#[derive(SimpleObject, Clone, Debug)]
pub struct Status {
    /// True when the entity was soft-deleted; it then shows in no list and no lineage.
    pub removed: bool,
}
