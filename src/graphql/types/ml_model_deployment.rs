//! `MLModelDeployment`: a model deployment, with its ingested properties
//! (`MLModelDeploymentProperties`) and what people edited
//! (`MLModelDeploymentEditableProperties`).

use async_graphql::Object;

use super::entity::{editable_type, entity_object, related_by, End, Row};
use super::MlModel;
use crate::catalog::aspects::{MlModelDeploymentProperties, Relation};
use crate::graphql::enums::DeploymentStatusGql;
use crate::graphql::scalars::{custom_properties, CustomPropertiesEntry, Long, VersionTagGql};

entity_object! {
    /// A deployment of a model: an endpoint or service that serves it. DataHub stores these but
    /// has no GraphQL type for them; mlcat does.
    MlModelDeployment as "MLModelDeployment" {
        urn: "The URN: `urn:li:mlModelDeployment:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.",
        type: "Always `MLMODEL_DEPLOYMENT`.",
        name: "The deployment's name, from its URN.",
        platform: "The platform serving the model, from its URN.",
        origin: "The environment, from its URN.",
        properties: MlModelDeploymentProperties => MlModelDeploymentPropertiesGql,
        editable: MlModelDeploymentEditableProperties,
        status: "Whether the deployment is soft-deleted.",
    }
    relations {
        /// The models it serves (relation `DeployedTo`).
        models: Vec<MlModel> = related_by(Relation::DeployedTo, End::Upstream);
    }
}

editable_type!(
    MlModelDeploymentEditableProperties,
    "MLModelDeploymentEditableProperties",
    "Properties of a model deployment edited by people."
);

/// The ingested properties of a model deployment.
pub struct MlModelDeploymentPropertiesGql(Row, MlModelDeploymentProperties);

/// The ingested properties of a model deployment.
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
        custom_properties(&self.0.urn, &self.1.custom_properties)
    }
}
