//! `MLModel`: a trained model, with its ingested properties (`MLModelProperties`), what people
//! edited (`MLModelEditableProperties`) and its model-card training data (`BaseData`).

use async_graphql::{Context, Object, Result, SimpleObject};

use super::entity::{editable_type, entity_object, related_by, resolve, End, Row};
use super::{Dataset, MlFeature, MlModelDeployment, MlModelGroup, RELATION_FANOUT};
use crate::catalog::aspects::{
    AspectSpec, BaseData, MlModelProperties, MlModelTrainingData, Relation,
};
use crate::graphql::loaders::aspect;
use crate::graphql::scalars::{
    custom_properties, hyper_params, metrics, AuditStamp, CustomPropertiesEntry, Long,
    MlHyperParam, MlMetric,
};

entity_object! {
    /// A trained model: the outcome of one training run.
    MlModel as "MLModel" {
        urn: "The URN: `urn:li:mlModel:(urn:li:dataPlatform:<platform>,<name>,<ENV>)`.",
        type: "Always `MLMODEL`.",
        name: "The model's name, from its URN (the display name is `properties.name`).",
        platform: "The platform the model was trained on, from its URN.",
        origin: "The environment, from its URN.",
        properties: MlModelProperties => MlModelPropertiesGql,
        editable: MlModelEditableProperties,
        status: "Whether the model is soft-deleted.",
        glossary: "The business glossary terms attached to the model.",
    }
    relations {
        /// The datasets the model was trained on (relation `TrainedOn`).
        training_datasets: Vec<Dataset> = related_by(Relation::TrainedOn, End::Upstream);
        /// Where the model is deployed (relation `DeployedTo`).
        deployments: Vec<MlModelDeployment> = related_by(Relation::DeployedTo, End::Downstream);
        /// Datasets the model produced, such as predictions (relation `Produces`).
        predictions: Vec<Dataset> = related_by(Relation::Produces, End::Downstream);
    }

    /// DataHub's model-card training data: the datasets with why and how they were used.
    async fn training_data(&self, ctx: &Context<'_>) -> Result<Option<Vec<BaseDataGql>>> {
        let data: Option<MlModelTrainingData> =
            aspect(ctx, &self.0, MlModelTrainingData::NAME).await?;
        Ok(data.map(|d| d.training_data.iter().map(BaseDataGql::from).collect()))
    }
    /// What version of its version set the model is (`versionProperties`); null when not
    /// versioned.
    pub(crate) async fn version_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<super::versioning::VersionProperties>> {
        super::versioning::version_properties(ctx, &self.0).await
    }
    /// The runs and jobs that trained the model (relation `TrainedBy`: its `trainingJobs`, or a
    /// run that lists the model among its outputs).
    async fn trained_by(&self, ctx: &Context<'_>) -> Result<Vec<super::Entity>> {
        super::training::trained_by(ctx, &self.0).await
    }
    /// The runs and jobs that use the model (its `downstreamJobs`, or a run that lists the
    /// model among its inputs).
    async fn downstream_jobs(&self, ctx: &Context<'_>) -> Result<Vec<super::Entity>> {
        super::training::downstream_jobs(ctx, &self.0).await
    }
    /// The published feature-table versions the model consumed (`mlModelFeatureTableVersions`).
    async fn feature_table_versions(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Vec<super::training::FeatureTableVersion>> {
        super::training::feature_table_versions(ctx, &self.0).await
    }
    /// mlcat: which columns of which tables reach the model: the columns (schema fields) its
    /// upstream walk reaches, each with its dataset, the feature it feeds and the path from it
    /// to the model. `depth` defaults to the server's maximum, `budget` to its default; `asOf`
    /// reads the graph as it was then.
    async fn upstream_columns(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Hops to walk up from the model.")] depth: Option<i32>,
        #[graphql(desc = "Most entities the walk may reach.")] budget: Option<i32>,
        #[graphql(desc = "The graph as it was at this time, in milliseconds.")] as_of: Option<
            Long,
        >,
    ) -> Result<super::column_reach::UpstreamColumnsResult> {
        super::column_reach::upstream_columns(ctx, &self.0.urn, depth, budget, as_of).await
    }
    /// The model's upstream lineage as it stood when it was registered as a version (its
    /// `versionProperties.created` time, the walk's `asOf`): what data, features and runs it
    /// was built from then, whatever changed since. A model that is no version answers its
    /// upstream lineage now. `depth` and `budget` as `lineageGraph` takes them.
    async fn registered_lineage(
        &self,
        ctx: &Context<'_>,
        depth: Option<i32>,
        budget: Option<i32>,
    ) -> Result<crate::graphql::lineage::LineageGraph> {
        super::version_lineage::registered_lineage(ctx, &self.0, depth, budget).await
    }
    /// DataHub Cloud's record of sharing the model with other DataHub instances: mlcat shares
    /// nothing, so always null.
    async fn share(&self) -> Option<super::Share> {
        None
    }
}

editable_type!(
    MlModelEditableProperties,
    "MLModelEditableProperties",
    "Properties of a model edited by people."
);

/// The ingested properties of a model.
pub struct MlModelPropertiesGql(Row, MlModelProperties);

/// The ingested properties of a model.
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
    /// The jobs or runs that trained the model and those that use it, as URNs (DataHub's shape;
    /// `MLModel.trainedBy` and `downstreamJobs` resolve them).
    async fn ml_model_lineage_info(&self) -> super::training::MlModelLineageInfo {
        super::training::MlModelLineageInfo::of(&self.1.training_jobs, &self.1.downstream_jobs)
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
