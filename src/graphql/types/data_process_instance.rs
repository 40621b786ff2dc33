//! `DataProcessInstance`: one run of a process, such as the training run behind a model
//! (DataHub's `TrainedBy` relationship), read from the aspects DataHub's SDK writes for it:
//! `dataProcessInstanceProperties`, `mlTrainingRunProperties`, `dataProcessInstanceRunEvent`,
//! `dataProcessInstanceRelationships`, `container`, `dataPlatformInstance`, `subTypes`, `status`.
//! Its inputs and outputs are its lineage edges (`Consumes` in, `Produces` and `TrainedBy` out).

use std::collections::BTreeMap;

use async_graphql::{Context, Enum, Object, Result, SimpleObject};
use serde::Deserialize;

use super::container::{container_of, parents_of, Container, ParentContainersResult};
use super::data_platform_instance::{of_entity, DataPlatformInstance};
use super::entity::Row;
use super::{DataPlatform, Entity, SubTypes};
use crate::catalog::aspects::{NamedValue, Relation, TimeStamp};
use crate::graphql::loaders::{self, aspect};
use crate::graphql::scalars::{
    custom_properties, hyper_params, metrics, AuditStamp, CustomPropertiesEntry, EntityType, Long,
    MlHyperParam, MlMetric, Status,
};
use crate::urn::Urn;

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct PropertiesAspect {
    name: String,
    #[serde(default)]
    external_url: Option<String>,
    #[serde(default)]
    created: Option<TimeStamp>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct TrainingRunAspect {
    #[serde(default)]
    id: Option<String>,
    #[serde(default)]
    output_urls: Option<Vec<String>>,
    #[serde(default)]
    hyper_params: Option<Vec<NamedValue>>,
    #[serde(default)]
    training_metrics: Option<Vec<NamedValue>>,
    #[serde(default)]
    external_url: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunEventAspect {
    timestamp_millis: i64,
    status: String,
    #[serde(default)]
    attempt: Option<i32>,
    #[serde(default)]
    duration_millis: Option<i64>,
    #[serde(default)]
    result: Option<RunResultAspect>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RunResultAspect {
    #[serde(rename = "type")]
    result_type: String,
    #[serde(default)]
    native_result_type: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RelationshipsAspect {
    #[serde(default)]
    parent_template: Option<String>,
}

/// One run of a process: a training run, a job run.
pub struct DataProcessInstance(pub Row);

/// What a run is, as ingested.
#[derive(SimpleObject)]
#[graphql(name = "DataProcessInstanceProperties")]
pub struct DataProcessInstanceProperties {
    /// The run's name.
    pub name: String,
    /// A link to the run in the system that ran it.
    pub external_url: Option<String>,
    /// When the run was created, and by whom.
    pub created: Option<AuditStamp>,
    /// Free-form key-value properties.
    pub custom_properties: Option<Vec<CustomPropertiesEntry>>,
}

/// What a training run recorded.
#[derive(SimpleObject)]
#[graphql(name = "MLTrainingRunProperties")]
pub struct MlTrainingRunProperties {
    /// The run's id in the system that ran it.
    pub id: Option<String>,
    /// Where the run wrote its outputs.
    pub output_urls: Option<Vec<Option<String>>>,
    /// The hyper-parameters of the run.
    pub hyper_params: Option<Vec<Option<MlHyperParam>>>,
    /// The metrics of the run.
    pub training_metrics: Option<Vec<Option<MlMetric>>>,
    /// A link to the run.
    pub external_url: Option<String>,
}

/// Where a run is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DataProcessRunStatus")]
pub enum DataProcessRunStatus {
    /// Started.
    #[graphql(name = "STARTED")]
    Started,
    /// Finished.
    #[graphql(name = "COMPLETE")]
    Complete,
}

/// How a run ended.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DataProcessInstanceRunResultType")]
pub enum DataProcessInstanceRunResultType {
    /// It succeeded.
    #[graphql(name = "SUCCESS")]
    Success,
    /// It failed.
    #[graphql(name = "FAILURE")]
    Failure,
    /// It was skipped.
    #[graphql(name = "SKIPPED")]
    Skipped,
    /// It failed and will be retried.
    #[graphql(name = "UP_FOR_RETRY")]
    UpForRetry,
}

/// How a run ended.
#[derive(SimpleObject)]
#[graphql(name = "DataProcessInstanceRunResult")]
pub struct DataProcessInstanceRunResult {
    /// The outcome.
    pub result_type: Option<DataProcessInstanceRunResultType>,
    /// The outcome as the system that ran it names it.
    pub native_result_type: Option<String>,
}

/// The state of a run at a point in time.
#[derive(SimpleObject)]
#[graphql(name = "DataProcessRunEvent")]
pub struct DataProcessRunEvent {
    /// Started or finished.
    pub status: Option<DataProcessRunStatus>,
    /// Which attempt.
    pub attempt: Option<i32>,
    /// How it ended, once finished.
    pub result: Option<DataProcessInstanceRunResult>,
    /// When, in milliseconds since the epoch.
    pub timestamp_millis: Long,
    /// How long the run took, in milliseconds.
    pub duration_millis: Option<Long>,
}

/// One run of a process, such as the training run that produced a model.
#[Object(name = "DataProcessInstance")]
impl DataProcessInstance {
    /// The URN: `urn:li:dataProcessInstance:<id>`.
    pub(crate) async fn urn(&self) -> String {
        self.0.urn.clone()
    }
    /// Always `DATA_PROCESS_INSTANCE`.
    #[graphql(name = "type")]
    pub(crate) async fn entity_type(&self) -> EntityType {
        EntityType::DataProcessInstance
    }
    /// The run's name, from its properties; null when none were written.
    async fn name(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let p: Option<PropertiesAspect> =
            aspect(ctx, &self.0, "dataProcessInstanceProperties").await?;
        Ok(p.map(|p| p.name))
    }
    /// False for a URN that is only referenced by other entities so far.
    async fn exists(&self) -> bool {
        self.0.exists
    }
    /// The stored aspects named in `input.aspectNames`, as raw JSON (DataHub's generic aspect
    /// read): mlcat's `openLineageRun` holds an OpenLineage run's state, facets and dataset
    /// versions.
    async fn aspects(
        &self,
        ctx: &Context<'_>,
        input: Option<super::AspectParams>,
    ) -> Result<Vec<super::RawAspect>> {
        super::aspects::raw_aspects(ctx, &self.0, input).await
    }
    /// Whether the run is soft-deleted.
    async fn status(&self, ctx: &Context<'_>) -> Result<Option<Status>> {
        super::entity::status(ctx, &self.0).await
    }
    /// The run's ingested properties; null when none were written.
    async fn properties(&self, ctx: &Context<'_>) -> Result<Option<DataProcessInstanceProperties>> {
        let p: Option<PropertiesAspect> =
            aspect(ctx, &self.0, "dataProcessInstanceProperties").await?;
        Ok(p.map(|p| DataProcessInstanceProperties {
            custom_properties: custom_properties(&self.0.urn, &p.custom_properties),
            name: p.name,
            external_url: p.external_url,
            created: p.created.as_ref().map(Into::into),
        }))
    }
    /// What the training run recorded (`mlTrainingRunProperties`); null when none was written.
    async fn ml_training_run_properties(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<MlTrainingRunProperties>> {
        let p: Option<TrainingRunAspect> = aspect(ctx, &self.0, "mlTrainingRunProperties").await?;
        Ok(p.map(|p| MlTrainingRunProperties {
            hyper_params: hyper_params(&p.hyper_params),
            training_metrics: metrics(&p.training_metrics),
            id: p.id,
            output_urls: p.output_urls.map(|l| l.into_iter().map(Some).collect()),
            external_url: p.external_url,
        }))
    }
    /// The platform the run ran on, from its `dataPlatformInstance` aspect (non-null as in
    /// DataHub: an error when no such aspect names a platform).
    async fn platform(&self, ctx: &Context<'_>) -> Result<DataPlatform> {
        super::data_platform_instance::platform_of(ctx, &self.0).await
    }
    /// The platform instance the run ran on; null when the aspect names none.
    async fn data_platform_instance(
        &self,
        ctx: &Context<'_>,
    ) -> Result<Option<DataPlatformInstance>> {
        of_entity(ctx, &self.0).await
    }
    /// The run's state: its run events (`dataProcessInstanceRunEvent`, a time series), newest
    /// first, within the times given.
    async fn state(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Only events at or after this time, in milliseconds.")]
        start_time_millis: Option<Long>,
        #[graphql(desc = "Only events at or before this time, in milliseconds.")]
        end_time_millis: Option<Long>,
        #[graphql(desc = "At most this many events.")] limit: Option<i32>,
    ) -> Result<Option<Vec<Option<DataProcessRunEvent>>>> {
        if limit.is_some_and(|l| l <= 0) {
            return Ok(Some(Vec::new()));
        }
        let stored = super::timeseries::events(
            ctx,
            &self.0,
            "dataProcessInstanceRunEvent",
            start_time_millis,
            end_time_millis,
            limit,
        )
        .await?;
        // An event the SDK's schema would refuse (no status) is left out.
        let e = stored
            .into_iter()
            .filter_map(|v| serde_json::from_value::<RunEventAspect>(v).ok());
        let events: Vec<Option<DataProcessRunEvent>> = e
            .map(|e| {
                Some(DataProcessRunEvent {
                    status: match e.status.as_str() {
                        "STARTED" => Some(DataProcessRunStatus::Started),
                        "COMPLETE" => Some(DataProcessRunStatus::Complete),
                        _ => None,
                    },
                    attempt: e.attempt,
                    result: e.result.map(|r| DataProcessInstanceRunResult {
                        result_type: match r.result_type.as_str() {
                            "SUCCESS" => Some(DataProcessInstanceRunResultType::Success),
                            "FAILURE" => Some(DataProcessInstanceRunResultType::Failure),
                            "SKIPPED" => Some(DataProcessInstanceRunResultType::Skipped),
                            "UP_FOR_RETRY" => Some(DataProcessInstanceRunResultType::UpForRetry),
                            _ => None,
                        },
                        native_result_type: r.native_result_type,
                    }),
                    timestamp_millis: Long(e.timestamp_millis),
                    duration_millis: e.duration_millis.map(Long),
                })
            })
            .collect();
        Ok(Some(events))
    }
    /// The process the run is a run of (`dataProcessInstanceRelationships.parentTemplate`),
    /// when mlcat holds it.
    async fn parent_template(&self, ctx: &Context<'_>) -> Result<Option<Entity>> {
        let r: Option<RelationshipsAspect> =
            aspect(ctx, &self.0, "dataProcessInstanceRelationships").await?;
        let Some(urn) = r
            .and_then(|r| r.parent_template)
            .and_then(|u| Urn::parse(&u).ok())
        else {
            return Ok(None);
        };
        Ok(loaders::entity(ctx, &urn)
            .await?
            .filter(|r| !r.removed)
            .and_then(Entity::from_row))
    }
    /// The entities the run read (`dataProcessInstanceInput`: relation `Consumes`), in the
    /// order their edges were made.
    async fn inputs(&self, ctx: &Context<'_>) -> Result<Vec<Entity>> {
        related(ctx, &self.0, &[(Relation::Consumes, true)], |_| true).await
    }
    /// The entities the run wrote (`dataProcessInstanceOutput`: relation `TrainedBy` for a
    /// model, `Produces` for anything else), in the order their edges were made.
    async fn outputs(&self, ctx: &Context<'_>) -> Result<Vec<Entity>> {
        let out = [(Relation::TrainedBy, false), (Relation::Produces, false)];
        related(ctx, &self.0, &out, |_| true).await
    }
    /// The runs before this one (`dataProcessInstanceRelationships.upstreamInstances`).
    async fn upstream_instances(&self, ctx: &Context<'_>) -> Result<Vec<DataProcessInstance>> {
        let runs = related(ctx, &self.0, &[(Relation::UpstreamOf, true)], is_run).await?;
        Ok(runs.into_iter().filter_map(as_run).collect())
    }
    /// The run this one is part of (`dataProcessInstanceRelationships.parentInstance`).
    async fn parent_instance(&self, ctx: &Context<'_>) -> Result<Option<DataProcessInstance>> {
        let runs = related(ctx, &self.0, &[(Relation::ChildOf, false)], is_run).await?;
        Ok(runs.into_iter().find_map(as_run))
    }
    /// A link to the run in the system that ran it (`properties.externalUrl`).
    async fn external_url(&self, ctx: &Context<'_>) -> Result<Option<String>> {
        let p: Option<PropertiesAspect> =
            aspect(ctx, &self.0, "dataProcessInstanceProperties").await?;
        Ok(p.and_then(|p| p.external_url))
    }
    /// When the run was created (DataHub's deprecated field).
    #[graphql(deprecation = "Use `properties.created`")]
    async fn created(&self, ctx: &Context<'_>) -> Result<Option<AuditStamp>> {
        let p: Option<PropertiesAspect> =
            aspect(ctx, &self.0, "dataProcessInstanceProperties").await?;
        Ok(p.and_then(|p| p.created.as_ref().map(Into::into)))
    }
    /// The container the run sits in (an experiment, say); null when none.
    async fn container(&self, ctx: &Context<'_>) -> Result<Option<Container>> {
        container_of(ctx, &self.0).await
    }
    /// The containers above the run, nearest first.
    async fn parent_containers(&self, ctx: &Context<'_>) -> Result<ParentContainersResult> {
        parents_of(ctx, &self.0).await
    }
    /// The run's sub-types, such as `ML Training Run`.
    async fn sub_types(&self, ctx: &Context<'_>) -> Result<Option<SubTypes>> {
        super::governance::sub_types(ctx, &self.0).await
    }
    /// DataHub's lineage of the run: one hop by default; mlcat adds `depth`, `types` and `asOf`
    /// to the input.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn lineage(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::LineageInput,
    ) -> Result<crate::graphql::lineage::EntityLineageResult> {
        crate::graphql::lineage::entity_lineage(ctx, &self.0, input).await
    }
    /// DataHub's raw relationships of the run, by relation name and declaring side.
    #[graphql(
        complexity = "1 + crate::graphql::lineage::priced_count(input.count) * child_complexity"
    )]
    pub(crate) async fn relationships(
        &self,
        ctx: &Context<'_>,
        input: crate::graphql::lineage::RelationshipsInput,
    ) -> Result<crate::graphql::lineage::EntityRelationshipsResult> {
        crate::graphql::lineage::entity_relationships(ctx, &self.0, input).await
    }
}

fn is_run(row: &Row) -> bool {
    matches!(&row.kind, crate::urn::EntityKind::Other(k) if k == "dataProcessInstance")
}

fn as_run(entity: Entity) -> Option<DataProcessInstance> {
    match entity {
        Entity::DataProcessInstance(run) => Some(run),
        _ => None,
    }
}

/// The live entities at the other end of the edges `relations` (each with whether to look
/// upstream) of `row` that `keep` keeps, each once, in the order the relations are named and
/// then the order their edges were made.
pub(crate) async fn related(
    ctx: &Context<'_>,
    row: &Row,
    relations: &[(Relation, bool)],
    keep: fn(&Row) -> bool,
) -> Result<Vec<Entity>> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for &(relation, upstream) in relations {
        for other in crate::graphql::lineage::neighbors(ctx, row, relation, upstream).await? {
            if !other.removed && keep(&other) && seen.insert(other.id) {
                out.extend(Entity::from_row(other));
            }
        }
    }
    Ok(out)
}
