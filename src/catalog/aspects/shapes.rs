//! The aspects' shapes: serde structs in the JSON shape the DataHub SDK writes. Fields a
//! struct does not name are kept in `extra`, so a round trip through a typed struct drops
//! nothing.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::FineGrainedLineage;
use crate::urn::Urn;

/// DataHub's MLFeatureDataType, in DataHub's order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MlFeatureDataType {
    /// Values with no predictive use, such as identifiers.
    Useless,
    /// Categories with no order.
    Nominal,
    /// Categories with an order.
    Ordinal,
    /// Two values.
    Binary,
    /// Non-negative whole numbers.
    Count,
    /// Points in time.
    Time,
    /// Intervals between points in time.
    Interval,
    /// Images.
    Image,
    /// Videos.
    Video,
    /// Audio.
    Audio,
    /// Free text.
    Text,
    /// Key-value maps.
    Map,
    /// Ordered lists.
    Sequence,
    /// Unordered collections.
    Set,
    /// Real numbers.
    Continuous,
    /// Raw bytes.
    Byte,
    /// Unknown.
    Unknown,
}

/// `{versionTag}` as DataHub writes it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct VersionTag {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version_tag: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// DataHub's TimeStamp / AuditStamp: milliseconds and an optional actor URN.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeStamp {
    pub time: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// A hyper-parameter or a metric: `{name, description, value, createdAt}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedValue {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

pub type CustomProperties = BTreeMap<String, String>;

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlFeatureProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<MlFeatureDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sources: Option<Vec<Urn>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlPrimaryKeyProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub data_type: Option<MlFeatureDataType>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    /// Required by DataHub's model, possibly empty.
    pub sources: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlFeatureTableProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ml_features: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ml_primary_keys: Option<Vec<Urn>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlModelProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
    pub model_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hyper_parameters: Option<Map<String, Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hyper_params: Option<Vec<NamedValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_metrics: Option<Vec<NamedValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub online_metrics: Option<Vec<NamedValue>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ml_features: Option<Vec<Urn>>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deployments: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub groups: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_jobs: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downstream_jobs: Option<Vec<Urn>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlModelGroupProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub training_jobs: Option<Vec<Urn>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub downstream_jobs: Option<Vec<Urn>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub qualified_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<TimeStamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_modified: Option<TimeStamp>,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The state of a model deployment, as DataHub names it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum DeploymentStatus {
    /// Deployed but not serving.
    OutOfService,
    /// Being created.
    Creating,
    /// Being updated.
    Updating,
    /// Being rolled back.
    RollingBack,
    /// Serving.
    InService,
    /// Being deleted.
    Deleting,
    /// Failed.
    Failed,
    /// Unknown.
    Unknown,
}

/// `mlModelDeploymentProperties` of a model deployment (an endpoint serving a model).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlModelDeploymentProperties {
    #[serde(default)]
    pub custom_properties: CustomProperties,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<VersionTag>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<DeploymentStatus>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `editable*Properties`: what people edit in a UI, kept apart from what ingestion writes.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EditableProperties {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `status`: a soft-deleted entity has `removed: true`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Status {
    #[serde(default)]
    pub removed: bool,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `dataPlatformInfo` of a data platform.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DataPlatformInfo {
    pub name: String,
    #[serde(rename = "type")]
    pub platform_type: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    pub dataset_name_delimiter: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub logo_url: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One dataset a model was trained or evaluated on (model-card `BaseData`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BaseData {
    pub dataset: Urn,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub motivation: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_processing: Option<Vec<String>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `mlModelTrainingData`: the datasets a model was trained on.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlModelTrainingData {
    pub training_data: Vec<BaseData>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One upstream of a dataset in `upstreamLineage`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Upstream {
    pub dataset: Urn,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub lineage_type: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `upstreamLineage` of a dataset.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UpstreamLineage {
    pub upstreams: Vec<Upstream>,
    /// Column-level lineage: which upstream fields make which of this dataset's fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fine_grained_lineages: Option<Vec<FineGrainedLineage>>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl UpstreamLineage {
    /// The column-level lineage, empty when none was written.
    pub fn fine_grained(&self) -> &[FineGrainedLineage] {
        self.fine_grained_lineages.as_deref().unwrap_or(&[])
    }
}
