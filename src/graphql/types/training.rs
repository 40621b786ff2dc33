//! What links models to their runs and to the feature-table versions they consumed: DataHub's
//! `MLModelLineageInfo`, the `trainedBy` and `downstreamJobs` fields of models and groups, a
//! feature table's publication, and a model's consumed feature-table versions.

use async_graphql::{Context, Result, SimpleObject};

use super::data_process_instance::related;
use super::entity::Row;
use super::{Entity, MlFeatureTable};
use crate::catalog::aspects::{
    AspectSpec, MlFeatureTablePublication, MlModelFeatureTableVersions, Relation,
};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::Long;
use crate::urn::{EntityKind, Urn};

/// The jobs and runs that trained a model and those that use it, as DataHub lists them (URNs
/// from the model's `trainingJobs` and `downstreamJobs`).
#[derive(SimpleObject)]
#[graphql(name = "MLModelLineageInfo")]
pub struct MlModelLineageInfo {
    /// The jobs or runs that trained the model.
    pub training_jobs: Option<Vec<String>>,
    /// The jobs or runs that use the model.
    pub downstream_jobs: Option<Vec<String>>,
}

impl MlModelLineageInfo {
    pub fn of(training: &Option<Vec<Urn>>, downstream: &Option<Vec<Urn>>) -> MlModelLineageInfo {
        let strings = |l: &Option<Vec<Urn>>| {
            l.as_ref()
                .map(|l| l.iter().map(|u| u.to_string()).collect())
        };
        MlModelLineageInfo {
            training_jobs: strings(training),
            downstream_jobs: strings(downstream),
        }
    }
}

fn is_job(row: &Row) -> bool {
    matches!(&row.kind, EntityKind::Other(k) if k == "dataProcessInstance" || k == "dataJob")
}

/// The runs and jobs that trained a model or group (relation `TrainedBy`: declared by its
/// `trainingJobs`, or by a run that lists it among its outputs).
pub async fn trained_by(ctx: &Context<'_>, row: &Row) -> Result<Vec<Entity>> {
    related(ctx, row, &[(Relation::TrainedBy, true)], is_job).await
}

/// The runs and jobs that use a model or group (relation `UsedBy`: declared by its
/// `downstreamJobs`; or `Consumes`: a run that lists it among its inputs).
pub async fn downstream_jobs(ctx: &Context<'_>, row: &Row) -> Result<Vec<Entity>> {
    let relations = [(Relation::UsedBy, false), (Relation::Consumes, false)];
    related(ctx, row, &relations, is_job).await
}

/// A feature table published as a version: its feature list and primary keys are frozen.
#[derive(SimpleObject)]
#[graphql(name = "MLFeatureTablePublication")]
pub struct Publication {
    /// The version label it was published as.
    pub version: String,
    /// When, in milliseconds since the epoch.
    pub published_at: Long,
    /// Who published it.
    pub actor: String,
    /// The URNs of the features it was published with.
    pub ml_features: Vec<String>,
    /// The URNs of the primary keys it was published with.
    pub ml_primary_keys: Vec<String>,
}

/// A feature table's publication; null when it is not published.
pub async fn publication(ctx: &Context<'_>, row: &Row) -> Result<Option<Publication>> {
    let p: Option<MlFeatureTablePublication> =
        aspect(ctx, row, MlFeatureTablePublication::NAME).await?;
    Ok(p.map(|p| Publication {
        version: p.version,
        published_at: Long(p.published_at),
        actor: p.actor,
        ml_features: p.ml_features.iter().map(|u| u.to_string()).collect(),
        ml_primary_keys: p.ml_primary_keys.iter().map(|u| u.to_string()).collect(),
    }))
}

/// A feature-table version a model consumed.
#[derive(SimpleObject)]
#[graphql(name = "MLModelFeatureTableVersion")]
pub struct FeatureTableVersion {
    /// The feature table's URN.
    pub feature_table_urn: String,
    /// The feature table; null when the catalog no longer holds it.
    pub feature_table: Option<MlFeatureTable>,
    /// The published version the model consumed.
    pub published_version: String,
}

/// The feature-table versions a model consumed (`mlModelFeatureTableVersions`), in the order
/// recorded.
pub async fn feature_table_versions(
    ctx: &Context<'_>,
    row: &Row,
) -> Result<Vec<FeatureTableVersion>> {
    let v: Option<MlModelFeatureTableVersions> =
        aspect(ctx, row, MlModelFeatureTableVersions::NAME).await?;
    let Some(v) = v else {
        return Ok(Vec::new());
    };
    let urns: Vec<Urn> = v
        .feature_tables
        .iter()
        .map(|t| t.feature_table.clone())
        .collect();
    let rows = loaders::related(ctx, &urns).await?;
    Ok(v.feature_tables
        .into_iter()
        .map(|t| FeatureTableVersion {
            feature_table: rows
                .iter()
                .find(|r| r.urn == t.feature_table.as_str())
                .cloned()
                .map(MlFeatureTable),
            feature_table_urn: t.feature_table.to_string(),
            published_version: t.published_version,
        })
        .collect())
}
