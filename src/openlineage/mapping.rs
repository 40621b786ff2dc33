//! An OpenLineage event as the catalog's writes: one batch, so one transaction, per event.
//!
//! - a job → `dataJob` (`dataJobInfo`; `dataJobInputOutput` with its inputs, outputs and
//!   column lineage), of a `dataFlow` (`dataFlowInfo`) named by the job name's first part in
//!   its namespace (see `naming`);
//! - a run → `dataProcessInstance` (`dataProcessInstanceProperties`,
//!   `dataProcessInstanceRelationships` with the job as `parentTemplate` and the `parent` facet's
//!   run as `parentInstance`, `dataProcessInstanceInput` / `Output`, and an event of
//!   `dataProcessInstanceRunEvent` for START, RUNNING, COMPLETE, FAIL and ABORT);
//! - each dataset → `dataset`: `schema` → `schemaMetadata`, `documentation` →
//!   `datasetProperties.description`, `ownership` → `ownership`, `columnLineage` →
//!   `fineGrainedLineages` on its `upstreamLineage` (whose upstreams are the datasets the input
//!   fields belong to) and on the job's `dataJobInputOutput`;
//! - every facet as sent, by name, in mlcat's aspects `openLineageJob`, `openLineageRun` and
//!   `openLineageDataset` (with the namespace and name as sent; the run's also holds its state,
//!   times, and each input's and output's version and input/output facets).
//!
//! Every write is a patch that merges, so that events may come in any order and end in the same
//! state: lists (inputs, outputs, owners, upstreams) are unions; a facet, a schema or a dataset's
//! use by the run is replaced only by one from an event at the same time or later; the run's
//! start is the START's time whenever it arrives, and a run that ended (COMPLETE, FAIL, ABORT)
//! is not made running again by a START or RUNNING that arrives after. A RUNNING event that
//! repeats what is known writes nothing.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};

use super::event::{
    ColumnLineage, Dataset, Event, EventType, Facets, Header, Job, OwnerFacet, Refusal, Run,
    RunEvent,
};
use super::naming;
use crate::catalog::aspects::{
    AspectSpec, DataJobInputOutput, DataProcessInstanceInput, DataProcessInstanceOutput,
    DataProcessInstanceProperties, DataProcessInstanceRelationships, DatasetProperties,
    FineGrainedLineage, Owner, Ownership, TimeStamp, Upstream, UpstreamLineage,
};
use crate::catalog::{AspectWrite, Catalog, EntityRecord, Error};
use crate::urn::Urn;

/// mlcat's aspect of a job written through OpenLineage: its namespace, name and facets.
pub const JOB_ASPECT: &str = "openLineageJob";
/// mlcat's aspect of a run: its state, times, facets, and what it read and wrote.
pub const RUN_ASPECT: &str = "openLineageRun";
/// mlcat's aspect of a dataset: its namespace, name and facets.
pub const DATASET_ASPECT: &str = "openLineageDataset";

/// Why an event was not written: it breaks a rule at a place in it, or the catalog refused.
#[derive(Debug)]
pub enum Failure {
    Refused(Refusal),
    Catalog(Error),
}

impl From<Error> for Failure {
    fn from(e: Error) -> Failure {
        Failure::Catalog(e)
    }
}

impl From<Refusal> for Failure {
    fn from(r: Refusal) -> Failure {
        Failure::Refused(r)
    }
}

/// Facets by name with the event time each was last set at (a later event's facet replaces an
/// earlier one's, whatever order they arrive in).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TimedFacets {
    #[serde(default)]
    pub facets: Map<String, Value>,
    #[serde(default)]
    pub facet_times: BTreeMap<String, i64>,
}

impl TimedFacets {
    /// Merges `incoming`, sent at `time`: a facet replaces one set at the same time or earlier;
    /// a `{"_deleted": true}` removes it.
    fn merge(&mut self, incoming: &Facets, time: i64) {
        for (name, value) in &incoming.0 {
            if self.facet_times.get(name).is_some_and(|t| *t > time) {
                continue;
            }
            self.facet_times.insert(name.clone(), time);
            if Facets::is_deleted(value) {
                self.facets.remove(name);
            } else {
                self.facets.insert(name.clone(), value.clone());
            }
        }
    }
}

/// `openLineageJob` / `openLineageDataset`: the name as sent, and the facets.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct NamedFacets {
    #[serde(default)]
    pub namespace: String,
    #[serde(default)]
    pub name: String,
    #[serde(flatten)]
    pub facets: TimedFacets,
}

/// How a run used a dataset: its name, version and the input or output facets, as of `time`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DatasetUse {
    pub namespace: String,
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default)]
    pub facets: Map<String, Value>,
    pub time: i64,
}

/// `openLineageRun`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RunState {
    #[serde(default)]
    pub run_id: String,
    #[serde(default)]
    pub job_namespace: String,
    #[serde(default)]
    pub job_name: String,
    /// The event type that set the state (START, RUNNING, COMPLETE, FAIL, ABORT).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub state_time: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ended_at: Option<i64>,
    /// The earliest and latest event times heard of.
    #[serde(default)]
    pub created_at: i64,
    #[serde(default)]
    pub updated_at: i64,
    #[serde(flatten)]
    pub facets: TimedFacets,
    /// By dataset URN.
    #[serde(default)]
    pub inputs: BTreeMap<String, DatasetUse>,
    #[serde(default)]
    pub outputs: BTreeMap<String, DatasetUse>,
}

impl RunState {
    /// Takes in an event of `kind` at `time`.
    fn hear(&mut self, kind: Option<EventType>, time: i64) {
        if self.created_at == 0 || time < self.created_at {
            self.created_at = time;
        }
        self.updated_at = self.updated_at.max(time);
        let Some(kind) = kind.filter(|k| *k != EventType::Other) else {
            return;
        };
        if kind == EventType::Start {
            self.started_at = Some(self.started_at.map_or(time, |t| t.min(time)));
        }
        let ended = self
            .state
            .as_deref()
            .and_then(EventType::parse)
            .is_some_and(EventType::is_terminal);
        let later = self.state_time.is_none_or(|t| time >= t);
        let takes = if ended {
            kind.is_terminal() && later
        } else {
            kind.is_terminal() || later
        };
        if takes {
            self.state = Some(kind.as_str().to_string());
            self.state_time = Some(time);
            if kind.is_terminal() {
                self.ended_at = Some(time);
            }
        }
    }
}

/// `dataJobInfo` and `dataFlowInfo`, as DataHub shapes them (the fields mlcat writes; others
/// are kept).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct JobInfo {
    #[serde(default)]
    name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    description: Option<String>,
    #[serde(default)]
    custom_properties: BTreeMap<String, String>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// `schemaMetadata` as the converter writes it, with the event time as `lastModified`; what
/// another writer stored is read leniently (a field may be null or absent).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct SchemaMetadata {
    #[serde(default)]
    schema_name: Option<String>,
    #[serde(default)]
    platform: Option<String>,
    #[serde(default)]
    version: Option<i64>,
    #[serde(default)]
    hash: Option<String>,
    #[serde(default)]
    platform_schema: Option<Map<String, Value>>,
    #[serde(default)]
    fields: Option<Vec<Value>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_modified: Option<TimeStamp>,
    #[serde(flatten)]
    extra: Map<String, Value>,
}

/// What the mapping needs to know besides the event.
pub struct Setting<'a> {
    /// The environment of the URNs made (`--openlineage-env`).
    pub env: &'a str,
    /// Who writes, for the audit stamps.
    pub actor: &'a str,
}

/// A dataset of the event with its URN.
struct Placed<'a> {
    data: &'a Dataset,
    urn: Urn,
}

/// The writes of one event. Reads the stored schemas of the datasets a column-lineage facet
/// names that the event gives no schema for, to check the fields it names.
pub async fn writes(
    catalog: &Catalog,
    event: &Event,
    setting: &Setting<'_>,
) -> Result<Vec<AspectWrite>, Failure> {
    match event {
        Event::Run(e) => run_event(catalog, e, setting).await,
        Event::Job(e) => {
            let mut out = Vec::new();
            let inputs = place(&e.inputs, setting.env)?;
            let outputs = place(&e.outputs, setting.env)?;
            let lineage = check_columns(catalog, &inputs, &outputs, setting.env).await?;
            job_writes(
                &e.header, &e.job, None, &inputs, &outputs, &lineage, setting, &mut out,
            )?;
            datasets_writes(&e.header, &inputs, &outputs, &lineage, setting, &mut out)?;
            Ok(out)
        }
        Event::Dataset(e) => {
            let placed = place(std::slice::from_ref(&e.dataset), setting.env)?;
            let lineage = check_columns(catalog, &[], &placed, setting.env).await?;
            let mut out = Vec::new();
            datasets_writes(&e.header, &[], &placed, &lineage, setting, &mut out)?;
            Ok(out)
        }
    }
}

fn place<'a>(list: &'a [Dataset], env: &str) -> Result<Vec<Placed<'a>>, Failure> {
    list.iter()
        .map(|d| {
            let urn = naming::dataset_urn(&d.namespace, &d.name, env).map_err(|e| Refusal {
                path: d.path.clone(),
                message: e.public_message(),
            })?;
            Ok(Placed { data: d, urn })
        })
        .collect()
}

/// The column lineage of each output, as DataHub's `fineGrainedLineages`, by output URN.
type Lineage = HashMap<String, (Vec<FineGrainedLineage>, Vec<Urn>)>;

/// Checks that every field a column-lineage facet names is in its dataset's schema (the
/// event's, else the stored one; a dataset with neither is not checked), and makes the
/// fine-grained lineage of each dataset that has the facet, with the datasets it comes from.
async fn check_columns(
    catalog: &Catalog,
    inputs: &[Placed<'_>],
    outputs: &[Placed<'_>],
    env: &str,
) -> Result<Lineage, Failure> {
    // The schemas the event gives.
    let mut schemas: HashMap<String, Vec<String>> = HashMap::new();
    for p in inputs.iter().chain(outputs) {
        if let Some(fields) = &p.data.schema {
            schemas.insert(
                p.urn.to_string(),
                fields.iter().map(|f| f.path.clone()).collect(),
            );
        }
    }
    // The datasets the facets name that the event gives no schema for.
    let mut wanted: Vec<Urn> = Vec::new();
    let mut named: Vec<(&Placed, &ColumnLineage)> = Vec::new();
    for p in inputs.iter().chain(outputs) {
        let Some(cl) = &p.data.column_lineage else {
            continue;
        };
        named.push((p, cl));
        if !schemas.contains_key(p.urn.as_str()) && !wanted.contains(&p.urn) {
            wanted.push(p.urn.clone());
        }
        for f in cl.fields.iter().flat_map(|(_, i)| i).chain(&cl.dataset) {
            let urn = naming::dataset_urn(&f.namespace, &f.name, env)?;
            if !schemas.contains_key(urn.as_str()) && !wanted.contains(&urn) {
                wanted.push(urn);
            }
        }
    }
    if named.is_empty() {
        return Ok(Lineage::new());
    }
    for (urn, fields) in stored_schemas(catalog, &wanted).await? {
        schemas.insert(urn, fields);
    }
    let has = |urn: &Urn, field: &str| -> bool {
        schemas
            .get(urn.as_str())
            .is_none_or(|fields| fields.iter().any(|f| f == field))
    };
    let mut out = Lineage::new();
    for (p, cl) in named {
        let base = format!("{}.facets.columnLineage", p.data.path);
        let mut entries = Vec::new();
        let mut upstreams: Vec<Urn> = Vec::new();
        for (field, sources) in &cl.fields {
            let at = format!("{base}.fields.{field}");
            if !has(&p.urn, field) {
                return Err(Refusal {
                    path: at,
                    message: format!(
                        "the schema of {} {} has no field {field:?}",
                        p.data.namespace, p.data.name
                    ),
                }
                .into());
            }
            let mut ups = Vec::new();
            let mut transforms: Vec<String> = Vec::new();
            for (i, s) in sources.iter().enumerate() {
                let urn = naming::dataset_urn(&s.namespace, &s.name, env)?;
                if !has(&urn, &s.field) {
                    return Err(Refusal {
                        path: format!("{at}.inputFields[{i}].field"),
                        message: format!(
                            "the schema of {} {} has no field {:?}",
                            s.namespace, s.name, s.field
                        ),
                    }
                    .into());
                }
                let f = naming::field_urn(&urn, &s.field)?;
                if !ups.contains(&f) {
                    ups.push(f);
                }
                if !upstreams.contains(&urn) {
                    upstreams.push(urn);
                }
                for t in &s.transformations {
                    if !transforms.contains(t) {
                        transforms.push(t.clone());
                    }
                }
            }
            if ups.is_empty() {
                continue;
            }
            ups.sort();
            transforms.sort();
            entries.push(FineGrainedLineage {
                upstream_type: "FIELD_SET".into(),
                upstreams: Some(ups),
                downstream_type: "FIELD".into(),
                downstreams: Some(vec![naming::field_urn(&p.urn, field)?]),
                transform_operation: (!transforms.is_empty()).then(|| transforms.join(",")),
                confidence_score: None,
                extra: Map::new(),
            });
        }
        for (i, s) in cl.dataset.iter().enumerate() {
            let urn = naming::dataset_urn(&s.namespace, &s.name, env)?;
            if !has(&urn, &s.field) {
                return Err(Refusal {
                    path: format!("{base}.dataset[{i}].field"),
                    message: format!(
                        "the schema of {} {} has no field {:?}",
                        s.namespace, s.name, s.field
                    ),
                }
                .into());
            }
            if !upstreams.contains(&urn) {
                upstreams.push(urn);
            }
        }
        out.insert(p.urn.to_string(), (entries, upstreams));
    }
    Ok(out)
}

/// The field paths of the stored `schemaMetadata` of each of `urns` that has one.
async fn stored_schemas(
    catalog: &Catalog,
    urns: &[Urn],
) -> Result<Vec<(String, Vec<String>)>, Error> {
    if urns.is_empty() {
        return Ok(Vec::new());
    }
    let refs: Vec<&Urn> = urns.iter().collect();
    let found: Vec<EntityRecord> = catalog.entities_by_urn(&refs).await?;
    let keys: Vec<_> = found.iter().map(|e| (e.id, "schemaMetadata")).collect();
    let values = catalog.latest_aspects(&keys).await?;
    let mut out = Vec::new();
    for v in values.iter().filter(|v| v.aspect == "schemaMetadata") {
        let Some(entity) = found.iter().find(|e| e.id == v.entity) else {
            continue;
        };
        let Ok(schema) = serde_json::from_str::<SchemaMetadata>(&v.value) else {
            continue;
        };
        let fields = schema
            .fields
            .iter()
            .flatten()
            .filter_map(|f| {
                f.get("fieldPath")
                    .and_then(Value::as_str)
                    .map(str::to_string)
            })
            .collect();
        out.push((entity.urn.clone(), fields));
    }
    Ok(out)
}

fn stamp(time: i64, actor: &str) -> TimeStamp {
    TimeStamp {
        time,
        actor: Some(format!("urn:li:corpuser:{actor}")),
        extra: Map::new(),
    }
}

async fn run_event(
    catalog: &Catalog,
    e: &RunEvent,
    setting: &Setting<'_>,
) -> Result<Vec<AspectWrite>, Failure> {
    let inputs = place(&e.inputs, setting.env)?;
    let outputs = place(&e.outputs, setting.env)?;
    let lineage = check_columns(catalog, &inputs, &outputs, setting.env).await?;
    let mut out = Vec::new();
    let job = job_writes(
        &e.header,
        &e.job,
        Some(&e.run),
        &inputs,
        &outputs,
        &lineage,
        setting,
        &mut out,
    )?;
    run_writes(e, &job, &inputs, &outputs, setting, &mut out)?;
    datasets_writes(&e.header, &inputs, &outputs, &lineage, setting, &mut out)?;
    Ok(out)
}

/// The flow and job writes; answers the job's URN.
#[expect(
    clippy::too_many_arguments,
    reason = "the parts of an event a job's writes read, each borrowed"
)]
fn job_writes(
    header: &Header,
    job: &Job,
    run: Option<&Run>,
    inputs: &[Placed<'_>],
    outputs: &[Placed<'_>],
    lineage: &Lineage,
    setting: &Setting<'_>,
    out: &mut Vec<AspectWrite>,
) -> Result<Urn, Failure> {
    let time = header.event_time.millis;
    let engine = run.and_then(|r| r.processing_engine.as_ref());
    let orchestrator =
        naming::orchestrator(engine.and_then(|p| p.name.as_deref()), &header.producer);
    let at_job = |e: Error| Refusal {
        path: "job".into(),
        message: e.public_message(),
    };
    let flow = naming::flow_urn(&orchestrator, &job.namespace, &job.name).map_err(at_job)?;
    let job_urn = naming::job_urn(&flow, &job.name).map_err(at_job)?;

    let namespace = job.namespace.clone();
    let flow_name = naming::flow_name(&job.name).to_string();
    out.push(AspectWrite::patch(
        flow.clone(),
        "dataFlowInfo",
        move |i: &mut JobInfo| {
            if i.name.is_empty() {
                i.name = flow_name;
            }
            i.custom_properties
                .insert("openlineage.namespace".into(), namespace);
            Ok(())
        },
    ));

    let (name, description) = (job.name.clone(), job.description.clone());
    let (flow_text, kind) = (flow.to_string(), orchestrator.clone());
    out.push(AspectWrite::patch(
        job_urn.clone(),
        "dataJobInfo",
        move |i: &mut JobInfo| {
            // The converter shows the part after the first dot as the name.
            let shown = name.split_once('.').map_or(name.as_str(), |(_, r)| r);
            i.name = shown.to_string();
            if description.is_some() {
                i.description = description;
            }
            i.extra.insert("flowUrn".into(), json!(flow_text));
            i.extra.insert("type".into(), json!({ "string": kind }));
            i.custom_properties
                .insert("openlineage.name".into(), name.clone());
            Ok(())
        },
    ));

    let ins: Vec<Urn> = inputs.iter().map(|p| p.urn.clone()).collect();
    let outs: Vec<Urn> = outputs.iter().map(|p| p.urn.clone()).collect();
    let mut fine: Vec<FineGrainedLineage> = Vec::new();
    for p in outputs {
        if let Some((entries, _)) = lineage.get(p.urn.as_str()) {
            fine.extend(entries.iter().cloned());
        }
    }
    if !(ins.is_empty() && outs.is_empty() && fine.is_empty()) {
        out.push(AspectWrite::patch(
            job_urn.clone(),
            DataJobInputOutput::NAME,
            move |io: &mut DataJobInputOutput| {
                union(&mut io.input_datasets, ins);
                union(&mut io.output_datasets, outs);
                if !fine.is_empty() {
                    let list = io.fine_grained_lineages.get_or_insert_with(Vec::new);
                    merge_fine(list, fine);
                }
                Ok(())
            },
        ));
    }

    if let Some(owners) = &job.owners {
        out.push(ownership(&job_urn, owners, time, setting)?);
    }
    let (ns, n, facets) = (job.namespace.clone(), job.name.clone(), job.facets.clone());
    out.push(AspectWrite::patch(
        job_urn.clone(),
        JOB_ASPECT,
        move |s: &mut NamedFacets| {
            s.namespace = ns;
            s.name = n;
            s.facets.merge(&facets, time);
            Ok(())
        },
    ));
    Ok(job_urn)
}

fn union(list: &mut Vec<Urn>, more: Vec<Urn>) {
    for u in more {
        if !list.contains(&u) {
            list.push(u);
        }
    }
}

/// Adds column-lineage entries, replacing an entry for the same downstream fields.
fn merge_fine(list: &mut Vec<FineGrainedLineage>, more: Vec<FineGrainedLineage>) {
    for entry in more {
        match list.iter_mut().find(|l| l.downstreams == entry.downstreams) {
            Some(old) => *old = entry,
            None => list.push(entry),
        }
    }
}

/// The `ownership` of an entity from an ownership facet: its owners added (a facet names
/// owners; it does not take away those others gave).
fn ownership(
    urn: &Urn,
    owners: &[OwnerFacet],
    time: i64,
    setting: &Setting<'_>,
) -> Result<AspectWrite, Failure> {
    let mut list = Vec::new();
    for o in owners {
        let owner = naming::owner_urn(&o.name)?;
        let kind = o
            .owner_type
            .as_deref()
            .map(str::to_ascii_uppercase)
            .filter(|t| crate::catalog::aspects::OWNERSHIP_TYPES.contains(&t.as_str()))
            .unwrap_or_else(|| "TECHNICAL_OWNER".to_string());
        list.push(Owner {
            owner,
            ownership_type: kind,
            type_urn: None,
            extra: Map::new(),
        });
    }
    let modified = stamp(time, setting.actor);
    Ok(AspectWrite::patch(
        urn.clone(),
        Ownership::NAME,
        move |o: &mut Ownership| {
            let mut changed = false;
            for owner in list {
                if !o.owners.iter().any(|x| x.owner == owner.owner) {
                    o.owners.push(owner);
                    changed = true;
                }
            }
            if changed {
                o.last_modified = Some(modified);
            }
            Ok(())
        },
    ))
}

fn run_writes(
    e: &RunEvent,
    job: &Urn,
    inputs: &[Placed<'_>],
    outputs: &[Placed<'_>],
    setting: &Setting<'_>,
    out: &mut Vec<AspectWrite>,
) -> Result<(), Failure> {
    let time = e.header.event_time.millis;
    let run = naming::run_urn(&e.run.run_id).map_err(|err| Refusal {
        path: "run.runId".into(),
        message: err.public_message(),
    })?;
    let run_id = e.run.run_id.clone();
    let engine = e.run.processing_engine.clone();
    let created = stamp(time, setting.actor);
    out.push(AspectWrite::patch(
        run.clone(),
        DataProcessInstanceProperties::NAME,
        move |p: &mut DataProcessInstanceProperties| {
            if p.name.is_empty() {
                p.name = run_id;
            }
            if p.created.as_ref().is_none_or(|c| c.time > time) {
                p.created = Some(created);
            }
            if let Some(engine) = engine {
                let props = &mut p.custom_properties;
                if let Some(name) = engine.name {
                    props.insert("processingEngine".into(), name);
                }
                props.insert("processingEngineVersion".into(), engine.version);
                if let Some(v) = engine.adapter_version {
                    props.insert("openlineageAdapterVersion".into(), v);
                }
            }
            Ok(())
        },
    ));
    let parent = match &e.run.parent {
        Some(p) => Some(naming::run_urn(&p.run_id)?),
        None => None,
    };
    let template = job.clone();
    out.push(AspectWrite::patch(
        run.clone(),
        DataProcessInstanceRelationships::NAME,
        move |r: &mut DataProcessInstanceRelationships| {
            r.parent_template = Some(template);
            if parent.is_some() {
                r.parent_instance = parent;
            }
            Ok(())
        },
    ));
    if !inputs.is_empty() {
        let list: Vec<Urn> = inputs.iter().map(|p| p.urn.clone()).collect();
        out.push(AspectWrite::patch(
            run.clone(),
            DataProcessInstanceInput::NAME,
            move |i: &mut DataProcessInstanceInput| {
                union(&mut i.inputs, list);
                Ok(())
            },
        ));
    }
    if !outputs.is_empty() {
        let list: Vec<Urn> = outputs.iter().map(|p| p.urn.clone()).collect();
        out.push(AspectWrite::patch(
            run.clone(),
            DataProcessInstanceOutput::NAME,
            move |o: &mut DataProcessInstanceOutput| {
                union(&mut o.outputs, list);
                Ok(())
            },
        ));
    }
    let uses = |list: &[Placed<'_>]| -> Vec<(String, DatasetUse)> {
        list.iter()
            .map(|p| {
                (
                    p.urn.to_string(),
                    DatasetUse {
                        namespace: p.data.namespace.clone(),
                        name: p.data.name.clone(),
                        version: p.data.version.clone(),
                        facets: p.data.io_facets.0.clone(),
                        time,
                    },
                )
            })
            .collect()
    };
    let (ins, outs) = (uses(inputs), uses(outputs));
    let kind = e.event_type;
    let (job_ns, job_name) = (e.job.namespace.clone(), e.job.name.clone());
    let (facets, run_id) = (e.run.facets.clone(), e.run.run_id.clone());
    out.push(AspectWrite::patch(
        run.clone(),
        RUN_ASPECT,
        move |s: &mut RunState| {
            s.run_id = run_id;
            s.job_namespace = job_ns;
            s.job_name = job_name;
            s.hear(kind, time);
            s.facets.merge(&facets, time);
            for (map, list) in [(&mut s.inputs, ins), (&mut s.outputs, outs)] {
                for (urn, u) in list {
                    match map.get(&urn) {
                        Some(old) if old.time > u.time => {}
                        _ => {
                            map.insert(urn, u);
                        }
                    }
                }
            }
            Ok(())
        },
    ));
    // DataHub's run event: STARTED for START and RUNNING, COMPLETE with SUCCESS or FAILURE for
    // the ends (the converter's mapping); OTHER changes no state.
    let event = match e.event_type {
        Some(EventType::Start | EventType::Running) => Some(json!({
            "timestampMillis": time,
            "status": "STARTED",
        })),
        Some(EventType::Complete) => Some(json!({
            "timestampMillis": time,
            "status": "COMPLETE",
            "result": {"type": "SUCCESS", "nativeResultType": "COMPLETE"},
        })),
        Some(k @ (EventType::Fail | EventType::Abort)) => Some(json!({
            "timestampMillis": time,
            "status": "COMPLETE",
            "result": {"type": "FAILURE", "nativeResultType": k.as_str()},
        })),
        Some(EventType::Other) | None => None,
    };
    if let Some(event) = event {
        out.push(AspectWrite::upsert(
            run,
            "dataProcessInstanceRunEvent",
            event,
        ));
    }
    Ok(())
}

/// The converter's field types: `string`, `long`/`int`, `timestamp`, `struct`; others null.
fn field_type(native: Option<&str>) -> &'static str {
    match native.map(str::to_ascii_lowercase).as_deref() {
        Some("string" | "varchar" | "text" | "char") => "com.linkedin.schema.StringType",
        Some(
            "long" | "int" | "integer" | "bigint" | "smallint" | "double" | "float" | "decimal"
            | "numeric" | "real",
        ) => "com.linkedin.schema.NumberType",
        Some("boolean" | "bool") => "com.linkedin.schema.BooleanType",
        Some("timestamp" | "date" | "datetime" | "time") => "com.linkedin.schema.TimeType",
        Some("struct" | "map" | "record") => "com.linkedin.schema.MapType",
        Some("array" | "list") => "com.linkedin.schema.ArrayType",
        _ => "com.linkedin.schema.NullType",
    }
}

fn datasets_writes(
    header: &Header,
    inputs: &[Placed<'_>],
    outputs: &[Placed<'_>],
    lineage: &Lineage,
    setting: &Setting<'_>,
    out: &mut Vec<AspectWrite>,
) -> Result<(), Failure> {
    let time = header.event_time.millis;
    for p in inputs.iter().chain(outputs) {
        let d = p.data;
        if let Some(fields) = &d.schema {
            let platform = p
                .urn
                .platform_urn()
                .map(|u| u.to_string())
                .unwrap_or_default();
            let fields: Vec<Value> = fields
                .iter()
                .map(|f| {
                    let mut v = json!({
                        "fieldPath": f.path,
                        "nativeDataType": f.data_type.clone().unwrap_or_default(),
                        "type": {"type": {field_type(f.data_type.as_deref()): {}}},
                        "nullable": true,
                    });
                    if let Some(desc) = &f.description {
                        v["description"] = json!(desc);
                    }
                    v
                })
                .collect();
            let modified = stamp(time, setting.actor);
            let name = d.name.clone();
            out.push(AspectWrite::patch(
                p.urn.clone(),
                "schemaMetadata",
                move |s: &mut SchemaMetadata| {
                    // A schema from an earlier event does not replace a later one.
                    if s.last_modified.as_ref().is_some_and(|m| m.time > time) {
                        return Ok(());
                    }
                    s.schema_name = Some(name);
                    s.platform = Some(platform);
                    s.version = Some(s.version.unwrap_or(0));
                    s.hash = Some(s.hash.take().unwrap_or_default());
                    s.platform_schema =
                        json!({"com.linkedin.schema.OtherSchema": {"rawSchema": ""}})
                            .as_object()
                            .cloned();
                    s.fields = Some(fields);
                    s.last_modified = Some(modified);
                    Ok(())
                },
            ));
        }
        if let Some(description) = &d.description {
            let description = description.clone();
            out.push(AspectWrite::patch(
                p.urn.clone(),
                DatasetProperties::NAME,
                move |props: &mut DatasetProperties| {
                    props.description = Some(description);
                    Ok(())
                },
            ));
        }
        if let Some(owners) = &d.owners {
            out.push(ownership(&p.urn, owners, time, setting)?);
        }
        if let Some((entries, upstreams)) = lineage.get(p.urn.as_str()) {
            let (entries, upstreams) = (entries.clone(), upstreams.clone());
            out.push(AspectWrite::patch(
                p.urn.clone(),
                UpstreamLineage::NAME,
                move |u: &mut UpstreamLineage| {
                    for up in upstreams {
                        if !u.upstreams.iter().any(|x| x.dataset == up) {
                            u.upstreams.push(Upstream {
                                dataset: up,
                                lineage_type: Some("TRANSFORMED".into()),
                                extra: Map::new(),
                            });
                        }
                    }
                    if !entries.is_empty() {
                        let list = u.fine_grained_lineages.get_or_insert_with(Vec::new);
                        merge_fine(list, entries);
                    }
                    Ok(())
                },
            ));
        }
        let (ns, n, facets) = (d.namespace.clone(), d.name.clone(), d.facets.clone());
        out.push(AspectWrite::patch(
            p.urn.clone(),
            DATASET_ASPECT,
            move |s: &mut NamedFacets| {
                s.namespace = ns;
                s.name = n;
                s.facets.merge(&facets, time);
                Ok(())
            },
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(events: &[(EventType, i64)]) -> RunState {
        let mut s = RunState::default();
        for (k, t) in events {
            s.hear(Some(*k), *t);
        }
        s
    }

    #[test]
    fn a_run_ends_in_the_same_state_whatever_order_its_events_come_in() {
        use EventType::*;
        let events = [(Start, 10), (Running, 20), (Complete, 30)];
        let in_order = state(&events);
        assert_eq!(in_order.state.as_deref(), Some("COMPLETE"));
        assert_eq!(in_order.started_at, Some(10));
        assert_eq!(in_order.ended_at, Some(30));
        for order in [[2, 0, 1], [2, 1, 0], [1, 2, 0], [0, 2, 1], [1, 0, 2]] {
            let shuffled: Vec<_> = order.iter().map(|i| events[*i]).collect();
            assert_eq!(state(&shuffled), in_order, "{order:?}");
        }
        let failed = state(&[(Fail, 30), (Start, 10)]);
        assert_eq!(failed.state.as_deref(), Some("FAIL"));
        assert_eq!(failed.started_at, Some(10));
    }

    #[test]
    fn a_later_facet_is_not_replaced_by_an_earlier_one() {
        let mut f = TimedFacets::default();
        let new = Facets(
            json!({"sql": {"query": "new"}})
                .as_object()
                .cloned()
                .unwrap(),
        );
        let old = Facets(
            json!({"sql": {"query": "old"}, "x": {}})
                .as_object()
                .cloned()
                .unwrap(),
        );
        f.merge(&new, 20);
        f.merge(&old, 10);
        assert_eq!(f.facets["sql"]["query"], "new");
        assert!(f.facets.contains_key("x"));
        let gone = Facets(
            json!({"x": {"_deleted": true}})
                .as_object()
                .cloned()
                .unwrap(),
        );
        f.merge(&gone, 30);
        assert!(!f.facets.contains_key("x"));
    }
}
