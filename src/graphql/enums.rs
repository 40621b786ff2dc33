//! GraphQL mirrors of the catalog's enums. The core derives nothing of GraphQL; each mirror
//! names the core enum as its `remote`, so async-graphql writes the conversions both ways and
//! a variant added to the core without its mirror is a compile error. Variant doc comments
//! ship in the SDL.

use async_graphql::Enum;

/// DataHub's MLFeatureDataType, in DataHub's order.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(
    remote = "crate::catalog::aspects::MlFeatureDataType",
    name = "MLFeatureDataType",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum MlFeatureDataTypeGql {
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

/// The state of a model deployment, as DataHub names it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(
    remote = "crate::catalog::aspects::DeploymentStatus",
    name = "DeploymentStatus",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum DeploymentStatusGql {
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

/// A relationship list a user edits by hand, named by the entity that declares it.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[graphql(
    remote = "crate::catalog::RelationshipField",
    name = "RelationshipField",
    rename_items = "SCREAMING_SNAKE_CASE"
)]
pub enum RelationshipFieldGql {
    /// A feature table's features (`Contains`).
    FeatureTableFeatures,
    /// A feature table's primary keys (`KeyedBy`).
    FeatureTablePrimaryKeys,
    /// A model's features (`Consumes`).
    ModelFeatures,
    /// A model's groups (`MemberOf`).
    ModelGroups,
    /// A model's deployments (`DeployedTo`).
    ModelDeployments,
    /// The datasets a model was trained on (`TrainedOn`).
    ModelTrainingDatasets,
    /// The datasets or columns (schema fields) a feature is derived from (`DerivedFrom`).
    FeatureSources,
    /// The datasets or columns (schema fields) a primary key is derived from (`DerivedFrom`).
    PrimaryKeySources,
    /// A dataset's upstream datasets or feature tables (`DownstreamOf`), or the models that
    /// produced it (`Produces`).
    DatasetUpstreams,
}
