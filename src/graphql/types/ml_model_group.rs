//! `MLModelGroup`: a model group, with its ingested properties (`MLModelGroupProperties`) and
//! what people edited (`MLModelGroupEditableProperties`).

use async_graphql::Object;

use super::entity::{editable_type, entity_object, related_by, End, Row};
use super::MlModel;
use crate::catalog::aspects::{MlModelGroupProperties, Relation};
use crate::graphql::scalars::{
    custom_properties, AuditStamp, CustomPropertiesEntry, Long, VersionTagGql,
};

entity_object! {
    /// A model group: all the runs or versions of one model.
    MlModelGroup as "MLModelGroup" {
        urn: "The URN: `urn:li:mlModelGroup:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.",
        type: "Always `MLMODEL_GROUP`.",
        name: "The group's name, from its URN.",
        platform: "The platform of the group, from its URN.",
        origin: "The environment, from its URN.",
        properties: MlModelGroupProperties => MlModelGroupPropertiesGql,
        editable: MlModelGroupEditableProperties,
        status: "Whether the group is soft-deleted.",
        glossary: "The business glossary terms attached to the group.",
    }
    relations {
        /// The models of the group (relation `MemberOf`), oldest membership first.
        models: Vec<MlModel> = related_by(Relation::MemberOf, End::Upstream);
    }

    /// The group's models that are versions, in version order (oldest first), each with its
    /// `versionProperties` (`isLatest` marks the latest). The group's set is the version set
    /// most of its member models belong to; members of another set, or no version, are left
    /// out.
    async fn versions(&self, ctx: &async_graphql::Context<'_>) -> async_graphql::Result<Vec<MlModel>> {
        super::versioning::group_versions(ctx, &self.0).await
    }

    /// DataHub Cloud's record of sharing the group with other DataHub instances: mlcat shares
    /// nothing, so always null.
    async fn share(&self) -> Option<super::Share> {
        None
    }
}

editable_type!(
    MlModelGroupEditableProperties,
    "MLModelGroupEditableProperties",
    "Properties of a model group edited by people."
);

/// The ingested properties of a model group.
pub struct MlModelGroupPropertiesGql(Row, MlModelGroupProperties);

/// The ingested properties of a model group.
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
