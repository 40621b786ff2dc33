//! The training-run mutations: `upsertDataProcessInstance` writes a run's properties, what the
//! training run recorded, its inputs, outputs and place among jobs and runs, in one
//! transaction; `reportDataProcessRunEvent` adds an event to its state (a time series).

use async_graphql::{Context, Enum, InputObject, MaybeUndefined, Object, Result};
use serde_json::json;

use super::upsert::{
    named_values, set, set_custom, urn_list, CustomPropertyInput, NamedValueInput,
};
use super::{reload, writer};
use crate::catalog::aspects::{
    AspectSpec, DataProcessInstanceInput, DataProcessInstanceOutput, DataProcessInstanceProperties,
    DataProcessInstanceRelationships, MlTrainingRunProperties, TimeStamp,
};
use crate::catalog::now_millis;
use crate::catalog::{AspectWrite, Catalog, Deadline, Error, SeriesQuery};
use crate::graphql::scalars::Long;
use crate::graphql::types::data_process_instance::{
    DataProcessInstanceRunResultType, DataProcessRunStatus,
};
use crate::graphql::types::DataProcessInstance;
use crate::urn::{EntityKind, Urn};

/// How a run is scheduled (DataHub's `DataProcessType`).
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
#[graphql(name = "DataProcessType")]
pub enum DataProcessType {
    /// A scheduled batch run.
    #[graphql(name = "BATCH_SCHEDULED")]
    BatchScheduled,
    /// A batch run started by hand.
    #[graphql(name = "BATCH_AD_HOC")]
    BatchAdHoc,
    /// A streaming run.
    #[graphql(name = "STREAMING")]
    Streaming,
}

impl DataProcessType {
    fn as_str(self) -> &'static str {
        match self {
            DataProcessType::BatchScheduled => "BATCH_SCHEDULED",
            DataProcessType::BatchAdHoc => "BATCH_AD_HOC",
            DataProcessType::Streaming => "STREAMING",
        }
    }
}

/// What a training run recorded (`mlTrainingRunProperties`): fields given are set, fields given
/// as null are cleared, absent fields are kept.
#[derive(InputObject, Default)]
#[graphql(name = "MLTrainingRunPropertiesInput")]
pub struct TrainingRunInput {
    /// The run's id in the system that ran it (an MLflow run id, say).
    pub id: MaybeUndefined<String>,
    /// Where the run wrote its outputs.
    pub output_urls: MaybeUndefined<Vec<String>>,
    /// The hyper-parameters of the run (replace the recorded ones).
    pub hyper_params: MaybeUndefined<Vec<NamedValueInput>>,
    /// The metrics of the run (replace the recorded ones).
    pub training_metrics: MaybeUndefined<Vec<NamedValueInput>>,
    /// A link to the run.
    pub external_url: MaybeUndefined<String>,
}

/// Creates a run or updates what is given. Lists given replace the recorded ones.
#[derive(InputObject)]
pub struct UpsertDataProcessInstanceInput {
    /// The run's URN (`urn:li:dataProcessInstance:<id>`); or give `id`.
    pub urn: Option<String>,
    /// The run's id, when no URN is given: the URN is `urn:li:dataProcessInstance:<id>`.
    pub id: Option<String>,
    /// The run's name; a new run without one is named by its id.
    pub name: Option<String>,
    /// A link to the run in the system that ran it.
    pub external_url: MaybeUndefined<String>,
    /// How the run is scheduled.
    #[graphql(name = "type")]
    pub process_type: MaybeUndefined<DataProcessType>,
    /// Free-form properties (replace the recorded ones).
    pub custom_properties: MaybeUndefined<Vec<CustomPropertyInput>>,
    /// What the training run recorded: id, output URLs, hyper-parameters, metrics.
    pub training_run: Option<TrainingRunInput>,
    /// What the run read: dataset, model or feature-table URNs (lineage `Consumes`).
    pub inputs: MaybeUndefined<Vec<String>>,
    /// What the run wrote: dataset, model or feature-table URNs (lineage `TrainedBy` for a
    /// model, `Produces` otherwise).
    pub outputs: MaybeUndefined<Vec<String>>,
    /// The job, flow or dataset the run is a run of.
    pub parent_template: MaybeUndefined<String>,
    /// The run this one is part of.
    pub parent_instance: MaybeUndefined<String>,
    /// The runs before this one (lineage `UpstreamOf`).
    pub upstream_instances: MaybeUndefined<Vec<String>>,
}

/// Adds an event to a run's state (`dataProcessInstanceRunEvent`, DataHub's run event).
#[derive(InputObject)]
pub struct DataProcessRunEventInput {
    /// The run's URN; the run must exist.
    pub urn: String,
    /// Started or complete.
    pub status: DataProcessRunStatus,
    /// How the run ended, with `COMPLETE`.
    pub result: Option<DataProcessInstanceRunResultType>,
    /// The outcome as the system that ran it names it.
    pub native_result_type: Option<String>,
    /// When, in milliseconds since the epoch; now when absent. An event at the same time
    /// replaces the earlier one.
    pub timestamp_millis: Option<Long>,
    /// How long the run took, in milliseconds.
    pub duration_millis: Option<Long>,
    /// Which attempt.
    pub attempt: Option<i32>,
}

/// The training-run mutations.
#[derive(Default)]
pub struct RunsMutation;

#[Object]
impl RunsMutation {
    /// Creates a run (a training run, say) or updates the fields given, in one transaction;
    /// answers the run. Inputs and outputs are lineage, so a walk goes dataset → run → model.
    async fn upsert_data_process_instance(
        &self,
        ctx: &Context<'_>,
        input: UpsertDataProcessInstanceInput,
    ) -> Result<DataProcessInstance> {
        let urn = run_urn(&input.urn, &input.id)?;
        let actor = writer(ctx)?;
        let writes = run_writes(&urn, &actor.name, input)?;
        let catalog = ctx.data_unchecked::<Catalog>();
        catalog
            .write_within(&actor, writes, ctx.data_opt::<Deadline>())
            .await?;
        Ok(DataProcessInstance(reload(ctx, &urn).await?))
    }

    /// Adds an event to a run's state (DataHub's `dataProcessInstanceRunEvent`); answers the
    /// run, whose `state` lists its events newest first.
    async fn report_data_process_run_event(
        &self,
        ctx: &Context<'_>,
        input: DataProcessRunEventInput,
    ) -> Result<DataProcessInstance> {
        let urn = Urn::parse(&input.urn).map_err(Error::from)?;
        urn.expect_kind("urn", &[run_kind()])
            .map_err(Error::BadInput)?;
        if input.result.is_some() && input.status != DataProcessRunStatus::Complete {
            return Err(Error::bad_input("result: only a COMPLETE event has a result").into());
        }
        let mut event = json!({
            "timestampMillis": input.timestamp_millis.map_or_else(now_millis, |t| t.0),
            "status": match input.status {
                DataProcessRunStatus::Started => "STARTED",
                DataProcessRunStatus::Complete => "COMPLETE",
            },
        });
        if let Some(result) = input.result {
            event["result"] = json!({
                "type": result_name(result),
                "nativeResultType": input.native_result_type.unwrap_or_else(|| "mlcat".into()),
            });
        }
        let duration = match input.duration_millis {
            Some(d) => Some(d.0),
            None if input.status == DataProcessRunStatus::Complete => {
                since_start(ctx, &urn, &event, input.attempt).await?
            }
            None => None,
        };
        if let Some(d) = duration {
            event["durationMillis"] = json!(d);
        }
        if let Some(a) = input.attempt {
            event["attempt"] = json!(a);
        }
        let write =
            AspectWrite::upsert(urn.clone(), "dataProcessInstanceRunEvent", event).existing();
        super::write_one(ctx, write).await?;
        Ok(DataProcessInstance(reload(ctx, &urn).await?))
    }
}

/// How long a run took, when a COMPLETE event does not say: from its latest STARTED event
/// (of the same attempt, when the event names one) at or before this one; `None` without one.
async fn since_start(
    ctx: &Context<'_>,
    urn: &Urn,
    complete: &serde_json::Value,
    attempt: Option<i32>,
) -> Result<Option<i64>> {
    let Some(at) = complete["timestampMillis"].as_i64() else {
        return Ok(None);
    };
    let query = SeriesQuery {
        start_millis: None,
        end_millis: Some(at),
        limit: 100,
        any_of: Vec::new(),
    };
    let catalog = ctx.data_unchecked::<Catalog>();
    let events = catalog
        .timeseries(urn, "dataProcessInstanceRunEvent", &query)
        .await?;
    let started = events.iter().find(|e| {
        e.value["status"] == "STARTED"
            && attempt.is_none_or(|a| e.value["attempt"].as_i64() == Some(i64::from(a)))
    });
    Ok(started.map(|e| at - e.timestamp_millis))
}

fn run_kind() -> EntityKind {
    EntityKind::Other("dataProcessInstance".into())
}

fn result_name(r: DataProcessInstanceRunResultType) -> &'static str {
    match r {
        DataProcessInstanceRunResultType::Success => "SUCCESS",
        DataProcessInstanceRunResultType::Failure => "FAILURE",
        DataProcessInstanceRunResultType::Skipped => "SKIPPED",
        DataProcessInstanceRunResultType::UpForRetry => "UP_FOR_RETRY",
    }
}

/// The run's URN: the one given (a run's), or one made from the id.
fn run_urn(urn: &Option<String>, id: &Option<String>) -> Result<Urn, Error> {
    match (urn, id.as_deref().map(str::trim)) {
        (Some(urn), _) => {
            let parsed = Urn::parse(urn)?;
            parsed
                .expect_kind("urn", &[run_kind()])
                .map_err(Error::BadInput)?;
            if let Some(id) = id.as_deref() {
                if parsed.name() != id.trim() {
                    return Err(Error::bad_input(format!(
                        "id {id:?} does not match the URN {parsed}"
                    )));
                }
            }
            Ok(parsed)
        }
        (None, Some(id)) if !id.is_empty() => {
            Ok(Urn::parse(&format!("urn:li:dataProcessInstance:{id}"))?)
        }
        (None, Some(_)) => Err(Error::bad_input("id must not be empty")),
        (None, None) => Err(Error::bad_input("give either urn or id")),
    }
}

/// One URN argument, naming the field of a bad one.
fn one_urn(field: &str, value: MaybeUndefined<String>) -> Result<MaybeUndefined<Urn>, Error> {
    Ok(match value {
        MaybeUndefined::Value(s) => MaybeUndefined::Value(
            Urn::parse(&s).map_err(|e| Error::BadInput(format!("{field}: {e}")))?,
        ),
        MaybeUndefined::Null => MaybeUndefined::Null,
        MaybeUndefined::Undefined => MaybeUndefined::Undefined,
    })
}

/// The writes of an upsert: the properties always (so the run exists and has a name), the
/// other aspects when the input names their fields.
fn run_writes(
    urn: &Urn,
    actor: &str,
    input: UpsertDataProcessInstanceInput,
) -> Result<Vec<AspectWrite>, Error> {
    let id = urn.name().to_string();
    let actor_urn = format!("urn:li:corpuser:{actor}");
    let UpsertDataProcessInstanceInput {
        name,
        external_url,
        process_type,
        custom_properties,
        training_run,
        inputs,
        outputs,
        parent_template,
        parent_instance,
        upstream_instances,
        ..
    } = input;
    if name.as_deref().is_some_and(|n| n.trim().is_empty()) {
        return Err(Error::bad_input("name must not be empty"));
    }
    let inputs = urn_list("inputs", inputs)?;
    let outputs = urn_list("outputs", outputs)?;
    let upstream_instances = urn_list("upstreamInstances", upstream_instances)?;
    let parent_template = one_urn("parentTemplate", parent_template)?;
    let parent_instance = one_urn("parentInstance", parent_instance)?;

    let mut writes = vec![AspectWrite::patch(
        urn.clone(),
        DataProcessInstanceProperties::NAME,
        move |p: &mut DataProcessInstanceProperties| {
            if let Some(name) = name {
                p.name = name;
            } else if p.name.is_empty() {
                p.name = id;
            }
            set(&mut p.external_url, external_url);
            set(
                &mut p.process_type,
                process_type.map_value(|t| t.as_str().to_string()),
            );
            set_custom(&mut p.custom_properties, custom_properties);
            if p.created.is_none() {
                p.created = Some(TimeStamp {
                    time: now_millis(),
                    actor: Some(actor_urn),
                    extra: Default::default(),
                });
            }
            Ok(())
        },
    )];
    if let Some(t) = training_run {
        writes.push(AspectWrite::patch(
            urn.clone(),
            MlTrainingRunProperties::NAME,
            move |p: &mut MlTrainingRunProperties| {
                set(&mut p.id, t.id);
                set(&mut p.output_urls, t.output_urls);
                set(&mut p.hyper_params, t.hyper_params.map_value(named_values));
                set(
                    &mut p.training_metrics,
                    t.training_metrics.map_value(named_values),
                );
                set(&mut p.external_url, t.external_url);
                Ok(())
            },
        ));
    }
    if !inputs.is_undefined() {
        let list = inputs.take().unwrap_or_default();
        writes.push(AspectWrite::patch(
            urn.clone(),
            DataProcessInstanceInput::NAME,
            move |p: &mut DataProcessInstanceInput| {
                p.inputs = list;
                p.input_edges = None;
                Ok(())
            },
        ));
    }
    if !outputs.is_undefined() {
        let list = outputs.take().unwrap_or_default();
        writes.push(AspectWrite::patch(
            urn.clone(),
            DataProcessInstanceOutput::NAME,
            move |p: &mut DataProcessInstanceOutput| {
                p.outputs = list;
                p.output_edges = None;
                Ok(())
            },
        ));
    }
    if !(parent_template.is_undefined()
        && parent_instance.is_undefined()
        && upstream_instances.is_undefined())
    {
        writes.push(AspectWrite::patch(
            urn.clone(),
            DataProcessInstanceRelationships::NAME,
            move |p: &mut DataProcessInstanceRelationships| {
                set(&mut p.parent_template, parent_template);
                set(&mut p.parent_instance, parent_instance);
                if !upstream_instances.is_undefined() {
                    p.upstream_instances = upstream_instances.take().unwrap_or_default();
                }
                Ok(())
            },
        ));
    }
    Ok(writes)
}
