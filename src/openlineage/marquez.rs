//! Marquez's read API (`/api/v1/...`, field names from Marquez's `spec/openapi.yml`) over the
//! catalog's graph, through the catalog's reads and lineage walk, so Marquez's web UI and
//! scripts written for Marquez read mlcat:
//!
//! - `GET /api/v1/namespaces`, `/namespaces/{ns}`, `/namespaces/{ns}/jobs[/{job}[/runs]]`,
//!   `/namespaces/{ns}/datasets[/{dataset}]`, `/jobs/runs/{id}`, and
//!   `GET /api/v1/lineage?nodeId=...&depth=...` (a graph of `DATASET` and `JOB` nodes).
//! - A dataset or job written through OpenLineage answers with the namespace and name it was
//!   sent with. A dataset written otherwise is in the namespace of its platform when that maps
//!   back to it (`hive` + `db.t`); a job is in its flow's namespace (the flow id). The ML nodes
//!   (features, primary keys, feature tables, models, model groups) are datasets and model
//!   deployments jobs, all in the namespace `mlcat`, named by their URN; so is any dataset
//!   whose platform and name do not map back.
//! - In a lineage graph, a run stands for its job (its edges become the job's), and a column
//!   for its dataset.
//! - Every dataset and job carries, besides its OpenLineage facets, a facet `mlcat` with its
//!   URN and entity type.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::mapping::{NamedFacets, RunState, DATASET_ASPECT, JOB_ASPECT, RUN_ASPECT};
use super::{naming, OlError};
use crate::catalog::aspects::{Relation, RelationSet};
use crate::catalog::{Catalog, Direction, EntityId, EntityRecord, ListFilter, TraversalSpec};
use crate::shared::Shared;
use crate::urn::{EntityKind, Urn};

/// The namespace of the ML nodes, named by their URN.
pub const ML_NAMESPACE: &str = "mlcat";

/// The entity types shown as datasets in `mlcat`.
const ML_DATASET_KINDS: [&str; 5] = [
    "mlFeature",
    "mlPrimaryKey",
    "mlFeatureTable",
    "mlModel",
    "mlModelGroup",
];

/// Most entities a listing reads.
const MAX_LISTED: u64 = 100_000;

pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/namespaces", get(namespaces))
        .route("/api/v1/namespaces/{ns}", get(namespace))
        .route("/api/v1/namespaces/{ns}/jobs", get(jobs))
        .route("/api/v1/namespaces/{ns}/jobs/{job}", get(job))
        .route("/api/v1/namespaces/{ns}/jobs/{job}/runs", get(job_runs))
        .route("/api/v1/namespaces/{ns}/datasets", get(datasets))
        .route("/api/v1/namespaces/{ns}/datasets/{dataset}", get(dataset))
        .route("/api/v1/jobs/runs/{id}", get(run))
}

type Answer = Result<Json<Value>, OlError>;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum NodeType {
    Dataset,
    Job,
}

impl NodeType {
    fn as_str(self) -> &'static str {
        match self {
            NodeType::Dataset => "DATASET",
            NodeType::Job => "JOB",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            NodeType::Dataset => "dataset",
            NodeType::Job => "job",
        }
    }
}

/// What Marquez calls a node: a dataset or job, by namespace and name.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
struct Identity {
    kind: NodeType,
    namespace: String,
    name: String,
}

impl Identity {
    fn node_id(&self) -> String {
        format!("{}:{}:{}", self.kind.prefix(), self.namespace, self.name)
    }

    fn id_json(&self) -> Value {
        json!({"namespace": self.namespace, "name": self.name})
    }
}

/// An entity with the aspects the answers read.
struct View {
    record: EntityRecord,
    aspects: HashMap<String, Value>,
}

impl View {
    fn aspect(&self, name: &str) -> Option<&Value> {
        self.aspects.get(name)
    }
}

/// The aspects a view loads.
const VIEWED: [&str; 8] = [
    DATASET_ASPECT,
    JOB_ASPECT,
    "schemaMetadata",
    "datasetProperties",
    "dataJobInfo",
    "dataJobInputOutput",
    "dataProcessInstanceRelationships",
    "ownership",
];

async fn views(catalog: &Catalog, records: Vec<EntityRecord>) -> Result<Vec<View>, OlError> {
    let keys: Vec<(EntityId, &str)> = records
        .iter()
        .flat_map(|r| VIEWED.iter().map(move |a| (r.id, *a)))
        .collect();
    let mut by_entity: HashMap<EntityId, HashMap<String, Value>> = HashMap::new();
    for chunk in keys.chunks(2000) {
        for a in catalog.latest_aspects(chunk).await? {
            if let Ok(v) = serde_json::from_str::<Value>(&a.value) {
                by_entity.entry(a.entity).or_default().insert(a.aspect, v);
            }
        }
    }
    Ok(records
        .into_iter()
        .map(|record| View {
            aspects: by_entity.remove(&record.id).unwrap_or_default(),
            record,
        })
        .collect())
}

fn named(view: &View, aspect: &str) -> Option<NamedFacets> {
    view.aspect(aspect)
        .and_then(|v| serde_json::from_value::<NamedFacets>(v.clone()).ok())
        .filter(|n| !n.namespace.is_empty())
}

fn kind_name(kind: &EntityKind) -> &str {
    kind.as_str()
}

/// The dataset or job an entity is shown as.
fn identity(view: &View, env: &str) -> Identity {
    let r = &view.record;
    let ml = |kind| Identity {
        kind,
        namespace: ML_NAMESPACE.into(),
        name: r.urn.clone(),
    };
    match kind_name(&r.kind) {
        "dataset" => {
            if let Some(n) = named(view, DATASET_ASPECT) {
                return Identity {
                    kind: NodeType::Dataset,
                    namespace: n.namespace,
                    name: n.name,
                };
            }
            let platform = r.platform.as_deref().unwrap_or_default();
            let platform = platform
                .strip_prefix("urn:li:dataPlatform:")
                .unwrap_or(platform);
            match naming::dataset_urn(platform, &r.name, env) {
                Ok(u) if u.as_str() == r.urn => Identity {
                    kind: NodeType::Dataset,
                    namespace: platform.to_string(),
                    name: r.name.clone(),
                },
                _ => ml(NodeType::Dataset),
            }
        }
        "dataJob" => {
            if let Some(n) = named(view, JOB_ASPECT) {
                return Identity {
                    kind: NodeType::Job,
                    namespace: n.namespace,
                    name: n.name,
                };
            }
            match naming::job_parts(&r.urn)
                .and_then(|(flow, name)| naming::flow_parts(&flow).map(|(_, ns, _)| (ns, name)))
            {
                Some((namespace, name)) => Identity {
                    kind: NodeType::Job,
                    namespace,
                    name,
                },
                None => ml(NodeType::Job),
            }
        }
        "mlModelDeployment" | "dataProcessInstance" | "dataFlow" => ml(NodeType::Job),
        _ => ml(NodeType::Dataset),
    }
}

fn time(millis: i64) -> Value {
    match chrono::DateTime::from_timestamp_millis(millis) {
        Some(t) => json!(t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true)),
        None => Value::Null,
    }
}

fn facets_of(view: &View, aspect: &str) -> Map<String, Value> {
    let mut facets = named(view, aspect)
        .map(|n| n.facets.facets)
        .unwrap_or_default();
    facets.insert(
        "mlcat".into(),
        json!({"urn": view.record.urn, "entityType": view.record.kind.as_str()}),
    );
    facets
}

fn str_at<'a>(v: Option<&'a Value>, key: &str) -> Option<&'a str> {
    v.and_then(|v| v.get(key)).and_then(Value::as_str)
}

/// A `Dataset` of Marquez.
fn dataset_json(view: &View, id: &Identity) -> Value {
    let fields: Vec<Value> = view
        .aspect("schemaMetadata")
        .and_then(|s| s.get("fields"))
        .and_then(Value::as_array)
        .map(|fields| {
            fields
                .iter()
                .map(|f| {
                    json!({
                        "name": f.get("fieldPath").cloned().unwrap_or(Value::Null),
                        "type": f.get("nativeDataType").cloned().unwrap_or(Value::Null),
                        "tags": [],
                        "description": f.get("description").cloned().unwrap_or(Value::Null),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let r = &view.record;
    json!({
        "id": id.id_json(),
        "type": "DB_TABLE",
        "name": id.name,
        "physicalName": id.name,
        "createdAt": time(r.created_at),
        "updatedAt": time(r.updated_at),
        "namespace": id.namespace,
        "sourceName": id.namespace,
        "fields": fields,
        "tags": [],
        "lastModifiedAt": time(r.updated_at),
        "lastLifecycleState": Value::Null,
        "description": str_at(view.aspect("datasetProperties"), "description"),
        "facets": facets_of(view, DATASET_ASPECT),
        "currentVersion": Value::Null,
        "columnLineage": Value::Null,
        "deleted": r.removed,
    })
}

/// A `Job` of Marquez, with its inputs, outputs and latest runs as given.
fn job_json(
    view: &View,
    id: &Identity,
    inputs: Vec<Value>,
    outputs: Vec<Value>,
    runs: Vec<Value>,
) -> Value {
    let r = &view.record;
    let facets = facets_of(view, JOB_ASPECT);
    let location = facets
        .get("sourceCodeLocation")
        .and_then(|f| f.get("url"))
        .cloned()
        .unwrap_or(Value::Null);
    let simple = id.name.rsplit('.').next().unwrap_or(&id.name).to_string();
    json!({
        "id": id.id_json(),
        "type": "BATCH",
        "name": id.name,
        "simpleName": simple,
        "parentJobName": Value::Null,
        "parentJobUuid": Value::Null,
        "createdAt": time(r.created_at),
        "updatedAt": time(r.updated_at),
        "namespace": id.namespace,
        "inputs": inputs,
        "outputs": outputs,
        "location": location,
        "context": {},
        "description": str_at(view.aspect("dataJobInfo"), "description"),
        "latestRun": runs.first().cloned().unwrap_or(Value::Null),
        "latestRuns": runs,
        "facets": facets,
        "currentVersion": Value::Null,
    })
}

/// A `Run` of Marquez from a run's state.
fn run_json(s: &RunState) -> Value {
    let state = match s.state.as_deref() {
        Some("START" | "RUNNING") => "RUNNING",
        Some("COMPLETE") => "COMPLETED",
        Some("FAIL") => "FAILED",
        Some("ABORT") => "ABORTED",
        _ => "NEW",
    };
    let nominal = s.facets.facets.get("nominalTime");
    let versions = |map: &BTreeMap<String, super::mapping::DatasetUse>| -> Vec<Value> {
        map.values()
            .map(|u| {
                json!({
                    "datasetVersionId": {"namespace": u.namespace, "name": u.name, "version": u.version},
                    "facets": u.facets,
                })
            })
            .collect()
    };
    json!({
        "id": s.run_id,
        "createdAt": time(s.created_at),
        "updatedAt": time(s.updated_at),
        "nominalStartTime": nominal.and_then(|n| n.get("nominalStartTime")).cloned().unwrap_or(Value::Null),
        "nominalEndTime": nominal.and_then(|n| n.get("nominalEndTime")).cloned().unwrap_or(Value::Null),
        "state": state,
        "startedAt": s.started_at.map_or(Value::Null, time),
        "endedAt": s.ended_at.map_or(Value::Null, time),
        "durationMs": match (s.started_at, s.ended_at) {
            (Some(a), Some(b)) => json!(b - a),
            _ => Value::Null,
        },
        "args": {},
        "jobVersion": {"namespace": s.job_namespace, "name": s.job_name, "version": Value::Null},
        "inputDatasetVersions": versions(&s.inputs),
        "outputDatasetVersions": versions(&s.outputs),
        "context": {},
        "facets": s.facets.facets,
    })
}

fn env(state: &Shared) -> &str {
    &state.limits.openlineage_env
}

/// Every entity of a type (up to [`MAX_LISTED`]), in pages.
async fn list_all(
    catalog: &Catalog,
    kind: &str,
    filter: &ListFilter,
) -> Result<Vec<EntityRecord>, OlError> {
    let kind = EntityKind::parse(kind);
    let mut out = Vec::new();
    let mut start = 0;
    loop {
        let (page, total) = catalog.list(&kind, filter, start, 1000).await?;
        let n = page.len() as u64;
        out.extend(page);
        start += n;
        if n == 0 || start >= total || start >= MAX_LISTED {
            return Ok(out);
        }
    }
}

/// A name's text for a substring filter, when it is spelled in the URN as sent.
fn query_for(text: &str) -> Option<String> {
    (!text.contains(['(', ')', ','])).then(|| text.to_string())
}

/// The entity a dataset or job identity names, if any.
async fn resolve(state: &Shared, id: &Identity) -> Result<Option<EntityRecord>, OlError> {
    let catalog = &state.catalog;
    if id.namespace == ML_NAMESPACE {
        let Ok(urn) = Urn::parse(&id.name) else {
            return Ok(None);
        };
        return Ok(catalog.entity(&urn).await?.filter(|r| r.exists));
    }
    match id.kind {
        NodeType::Dataset => {
            let Ok(urn) = naming::dataset_urn(&id.namespace, &id.name, env(state)) else {
                return Ok(None);
            };
            Ok(catalog.entity(&urn).await?.filter(|r| r.exists))
        }
        NodeType::Job => {
            let filter = ListFilter {
                query: query_for(&id.name),
                ..ListFilter::default()
            };
            let found = list_all(catalog, "dataJob", &filter).await?;
            for v in views(catalog, found).await? {
                if identity(&v, env(state)) == *id {
                    return Ok(Some(v.record));
                }
            }
            Ok(None)
        }
    }
}

/// The entity of a node id (`dataset:<ns>:<name>`, `job:<ns>:<name>`): a namespace may hold
/// colons (`postgres://db:5432`), so each split is tried, those Marquez's own parser prefers
/// (a colon not followed by `//` or a digit) first.
async fn resolve_node(state: &Shared, node_id: &str) -> Result<EntityRecord, OlError> {
    let (kind, rest) = if let Some(rest) = node_id.strip_prefix("dataset:") {
        (NodeType::Dataset, rest)
    } else if let Some(rest) = node_id.strip_prefix("job:") {
        (NodeType::Job, rest)
    } else {
        return Err(OlError::bad_request(format!(
            "nodeId: {node_id:?} is not dataset:<namespace>:<name> or job:<namespace>:<name>"
        )));
    };
    let mut splits: Vec<(bool, usize)> = rest
        .match_indices(':')
        .map(|(i, _)| {
            let after = &rest[i + 1..];
            let weak = after.starts_with("//") || after.starts_with(|c: char| c.is_ascii_digit());
            (weak, i)
        })
        .collect();
    splits.sort();
    for (_, i) in splits {
        let id = Identity {
            kind,
            namespace: rest[..i].to_string(),
            name: rest[i + 1..].to_string(),
        };
        if id.namespace.is_empty() || id.name.is_empty() {
            continue;
        }
        if let Some(r) = resolve(state, &id).await? {
            return Ok(r);
        }
    }
    Err(OlError::not_found(format!(
        "no node {node_id:?} in the catalog"
    )))
}

#[derive(Deserialize)]
pub struct Page {
    limit: Option<usize>,
    offset: Option<usize>,
}

impl Page {
    fn slice<T>(&self, list: Vec<T>, max: u64) -> Vec<T> {
        let limit = self.limit.unwrap_or(100).min(max as usize);
        list.into_iter()
            .skip(self.offset.unwrap_or(0))
            .take(limit)
            .collect()
    }
}

/// The identities of every dataset and job, with the entities' times.
async fn everything(state: &Shared) -> Result<Vec<(Identity, EntityRecord)>, OlError> {
    let catalog = &state.catalog;
    let mut records = list_all(catalog, "dataset", &ListFilter::default()).await?;
    records.extend(list_all(catalog, "dataJob", &ListFilter::default()).await?);
    for kind in ML_DATASET_KINDS.iter().chain(&["mlModelDeployment"]) {
        records.extend(list_all(catalog, kind, &ListFilter::default()).await?);
    }
    Ok(views(catalog, records)
        .await?
        .into_iter()
        .map(|v| (identity(&v, env(state)), v.record))
        .collect())
}

fn namespace_json(name: &str, records: &[&EntityRecord]) -> Value {
    let created = records.iter().map(|r| r.created_at).min().unwrap_or(0);
    let updated = records.iter().map(|r| r.updated_at).max().unwrap_or(0);
    json!({
        "name": name,
        "createdAt": time(created),
        "updatedAt": time(updated),
        "ownerName": "anonymous",
        "description": if name == ML_NAMESPACE { json!("mlcat's ML entities, named by their URN") } else { Value::Null },
        "isHidden": false,
    })
}

/// `GET /api/v1/namespaces`: every namespace a dataset or job is in.
async fn namespaces(State(state): State<Arc<Shared>>) -> Answer {
    let all = everything(&state).await?;
    let mut by_ns: BTreeMap<&str, Vec<&EntityRecord>> = BTreeMap::new();
    for (id, r) in &all {
        by_ns.entry(id.namespace.as_str()).or_default().push(r);
    }
    let list: Vec<Value> = by_ns
        .iter()
        .map(|(ns, records)| namespace_json(ns, records))
        .collect();
    Ok(Json(json!({"namespaces": list})))
}

/// `GET /api/v1/namespaces/{ns}`.
async fn namespace(State(state): State<Arc<Shared>>, Path(ns): Path<String>) -> Answer {
    let all = everything(&state).await?;
    let records: Vec<&EntityRecord> = all
        .iter()
        .filter(|(id, _)| id.namespace == ns)
        .map(|(_, r)| r)
        .collect();
    if records.is_empty() {
        return Err(OlError::not_found(format!("no namespace {ns:?}")));
    }
    Ok(Json(namespace_json(&ns, &records)))
}

/// The views of the entities of `kind` in a namespace.
async fn in_namespace(
    state: &Shared,
    ns: &str,
    kind: NodeType,
) -> Result<Vec<(Identity, View)>, OlError> {
    let catalog = &state.catalog;
    let records = if ns == ML_NAMESPACE {
        let kinds: &[&str] = match kind {
            NodeType::Dataset => &ML_DATASET_KINDS,
            NodeType::Job => &["mlModelDeployment"],
        };
        let mut out = Vec::new();
        for k in kinds {
            out.extend(list_all(catalog, k, &ListFilter::default()).await?);
        }
        out
    } else {
        match kind {
            NodeType::Dataset => {
                let (platform, _) = naming::dataset_key(ns, "x");
                let filter = ListFilter {
                    platform: Some(platform),
                    ..ListFilter::default()
                };
                list_all(catalog, "dataset", &filter).await?
            }
            NodeType::Job => {
                let filter = ListFilter {
                    query: query_for(ns),
                    ..ListFilter::default()
                };
                list_all(catalog, "dataJob", &filter).await?
            }
        }
    };
    let mut out: Vec<(Identity, View)> = views(catalog, records)
        .await?
        .into_iter()
        .map(|v| (identity(&v, env(state)), v))
        .filter(|(id, v)| id.namespace == ns && id.kind == kind && !v.record.removed)
        .collect();
    out.sort_by(|a, b| a.0.name.cmp(&b.0.name));
    Ok(out)
}

/// `GET /api/v1/namespaces/{ns}/datasets?limit&offset`.
async fn datasets(
    State(state): State<Arc<Shared>>,
    Path(ns): Path<String>,
    Query(page): Query<Page>,
) -> Answer {
    let all = in_namespace(&state, &ns, NodeType::Dataset).await?;
    let total = all.len();
    let list: Vec<Value> = page
        .slice(all, state.limits.max_page_size)
        .iter()
        .map(|(id, v)| dataset_json(v, id))
        .collect();
    Ok(Json(json!({"datasets": list, "totalCount": total})))
}

/// `GET /api/v1/namespaces/{ns}/datasets/{dataset}`.
async fn dataset(
    State(state): State<Arc<Shared>>,
    Path((ns, name)): Path<(String, String)>,
) -> Answer {
    let id = Identity {
        kind: NodeType::Dataset,
        namespace: ns,
        name,
    };
    let record = resolve(&state, &id).await?.ok_or_else(|| {
        OlError::not_found(format!(
            "no dataset {:?} in namespace {:?}",
            id.name, id.namespace
        ))
    })?;
    let view = views(&state.catalog, vec![record]).await?.remove(0);
    Ok(Json(dataset_json(&view, &id)))
}

/// The runs of jobs, newest first, by job.
async fn runs_of(
    catalog: &Catalog,
    jobs: &[EntityId],
) -> Result<HashMap<EntityId, Vec<RunState>>, OlError> {
    let edges = catalog
        .edges_of(
            jobs,
            Direction::Upstream,
            RelationSet::of(&[Relation::InstanceOf]),
            None,
        )
        .await?;
    let keys: Vec<(EntityId, &str)> = edges.iter().map(|e| (e.edge.source, RUN_ASPECT)).collect();
    let mut states: HashMap<EntityId, RunState> = HashMap::new();
    for chunk in keys.chunks(2000) {
        for a in catalog.latest_aspects(chunk).await? {
            if let Ok(s) = serde_json::from_str::<RunState>(&a.value) {
                states.insert(a.entity, s);
            }
        }
    }
    let mut out: HashMap<EntityId, Vec<RunState>> = HashMap::new();
    for e in &edges {
        if let Some(s) = states.get(&e.edge.source) {
            out.entry(e.edge.destination).or_default().push(s.clone());
        }
    }
    for list in out.values_mut() {
        list.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then(b.run_id.cmp(&a.run_id))
        });
    }
    Ok(out)
}

/// Full jobs: their inputs and outputs as dataset ids, and their latest runs.
async fn jobs_json(state: &Shared, jobs: Vec<(Identity, View)>) -> Result<Vec<Value>, OlError> {
    let catalog = &state.catalog;
    let ids: Vec<EntityId> = jobs.iter().map(|(_, v)| v.record.id).collect();
    let mut runs = runs_of(catalog, &ids).await?;
    let io = |v: &View, key: &str| -> Vec<String> {
        v.aspect("dataJobInputOutput")
            .and_then(|io| io.get(key))
            .and_then(Value::as_array)
            .map(|l| {
                l.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut wanted: Vec<Urn> = Vec::new();
    for (_, v) in &jobs {
        for u in io(v, "inputDatasets")
            .into_iter()
            .chain(io(v, "outputDatasets"))
        {
            if let Ok(u) = Urn::parse(&u) {
                if !wanted.contains(&u) {
                    wanted.push(u);
                }
            }
        }
    }
    let refs: Vec<&Urn> = wanted.iter().collect();
    let records = catalog.entities_by_urn(&refs).await?;
    let named: HashMap<String, Identity> = views(catalog, records)
        .await?
        .into_iter()
        .map(|v| (v.record.urn.clone(), identity(&v, env(state))))
        .collect();
    let ids_of = |list: Vec<String>| -> Vec<Value> {
        list.iter()
            .filter_map(|u| named.get(u))
            .map(Identity::id_json)
            .collect()
    };
    Ok(jobs
        .iter()
        .map(|(id, v)| {
            let latest: Vec<Value> = runs
                .remove(&v.record.id)
                .unwrap_or_default()
                .iter()
                .take(10)
                .map(run_json)
                .collect();
            job_json(
                v,
                id,
                ids_of(io(v, "inputDatasets")),
                ids_of(io(v, "outputDatasets")),
                latest,
            )
        })
        .collect())
}

/// `GET /api/v1/namespaces/{ns}/jobs?limit&offset`.
async fn jobs(
    State(state): State<Arc<Shared>>,
    Path(ns): Path<String>,
    Query(page): Query<Page>,
) -> Answer {
    let all = in_namespace(&state, &ns, NodeType::Job).await?;
    let total = all.len();
    let list = jobs_json(&state, page.slice(all, state.limits.max_page_size)).await?;
    Ok(Json(json!({"jobs": list, "totalCount": total})))
}

async fn find_job(state: &Shared, ns: String, name: String) -> Result<(Identity, View), OlError> {
    let id = Identity {
        kind: NodeType::Job,
        namespace: ns,
        name,
    };
    let record = resolve(state, &id).await?.ok_or_else(|| {
        OlError::not_found(format!(
            "no job {:?} in namespace {:?}",
            id.name, id.namespace
        ))
    })?;
    let view = views(&state.catalog, vec![record]).await?.remove(0);
    Ok((id, view))
}

/// `GET /api/v1/namespaces/{ns}/jobs/{job}`.
async fn job(State(state): State<Arc<Shared>>, Path((ns, name)): Path<(String, String)>) -> Answer {
    let found = find_job(&state, ns, name).await?;
    let mut list = jobs_json(&state, vec![found]).await?;
    Ok(Json(list.remove(0)))
}

/// `GET /api/v1/namespaces/{ns}/jobs/{job}/runs?limit&offset`: newest first.
async fn job_runs(
    State(state): State<Arc<Shared>>,
    Path((ns, name)): Path<(String, String)>,
    Query(page): Query<Page>,
) -> Answer {
    let (_, view) = find_job(&state, ns, name).await?;
    let mut runs = runs_of(&state.catalog, &[view.record.id]).await?;
    let list = runs.remove(&view.record.id).unwrap_or_default();
    let total = list.len();
    let list: Vec<Value> = page
        .slice(list, state.limits.max_page_size)
        .iter()
        .map(run_json)
        .collect();
    Ok(Json(json!({"runs": list, "totalCount": total})))
}

/// `GET /api/v1/jobs/runs/{id}`.
async fn run(State(state): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = super::event::uuid(&id, "id").map_err(|r| OlError::bad_request(r.to_string()))?;
    let urn = naming::run_urn(&id)?;
    let not_found = || OlError::not_found(format!("no run {id}"));
    let record = state.catalog.entity(&urn).await?.ok_or_else(not_found)?;
    let found = state
        .catalog
        .latest_aspects(&[(record.id, RUN_ASPECT)])
        .await?;
    let s = found
        .first()
        .and_then(|a| serde_json::from_str::<RunState>(&a.value).ok())
        .ok_or_else(not_found)?;
    Ok(Json(run_json(&s)))
}

#[derive(Deserialize)]
pub struct LineageQuery {
    #[serde(rename = "nodeId")]
    node_id: Option<String>,
    depth: Option<u32>,
}

/// `GET /api/v1/lineage?nodeId=...&depth=...`: the graph around a node, both ways, as
/// Marquez's `{"graph": [GraphNode]}`. The depth is capped by `--max-lineage-depth`, the
/// entities by `--max-lineage-budget`.
pub async fn lineage(State(state): State<Arc<Shared>>, Query(q): Query<LineageQuery>) -> Answer {
    let node_id = q.node_id.ok_or_else(|| {
        OlError::bad_request(
            "nodeId is required (dataset:<namespace>:<name> or job:<namespace>:<name>)",
        )
    })?;
    let root = resolve_node(&state, &node_id).await?;
    let catalog = &state.catalog;
    let limits = &state.limits;
    let depth = q.depth.unwrap_or(20).clamp(1, limits.max_lineage_depth);
    let start = Urn::parse(&root.urn).map_err(|e| OlError::bad_request(e.to_string()))?;
    let walk = catalog
        .traverse(&TraversalSpec {
            start,
            direction: Direction::Both,
            depth,
            budget: limits.max_lineage_budget,
            relations: None,
            as_of: None,
        })
        .await?;
    let mut records: Vec<EntityRecord> = vec![(*walk.root).clone()];
    records.extend(walk.nodes.iter().map(|n| (*n.entity).clone()));
    // A run stands for its job and a column for its dataset: read those too.
    let mut views = views(catalog, records).await?;
    let answered: HashSet<String> = views.iter().map(|v| v.record.urn.clone()).collect();
    let mut stand_in: HashMap<EntityId, String> = HashMap::new();
    let mut extra: Vec<Urn> = Vec::new();
    for v in &views {
        let other = match v.record.kind.as_str() {
            "dataProcessInstance" => str_at(
                v.aspect("dataProcessInstanceRelationships"),
                "parentTemplate",
            )
            .map(str::to_string),
            "schemaField" => naming::field_parts(&v.record.urn).map(|(d, _)| d),
            _ => None,
        };
        if let Some(u) = other.and_then(|u| Urn::parse(&u).ok()) {
            stand_in.insert(v.record.id, u.to_string());
            if !answered.contains(u.as_str()) && !extra.contains(&u) {
                extra.push(u);
            }
        }
    }
    if !extra.is_empty() {
        let refs: Vec<&Urn> = extra.iter().collect();
        let more = catalog.entities_by_urn(&refs).await?;
        views.extend(self::views(catalog, more).await?);
    }
    let by_urn: HashMap<&str, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.record.urn.as_str(), i))
        .collect();
    let index: HashMap<EntityId, usize> = views
        .iter()
        .enumerate()
        .map(|(i, v)| (v.record.id, i))
        .collect();
    // Each entity's node: its own, or its stand-in's.
    let node_of = |id: EntityId| -> Option<usize> {
        let i = *index.get(&id)?;
        match stand_in.get(&id) {
            Some(u) => by_urn.get(u.as_str()).copied(),
            None => Some(i),
        }
    };
    let identities: Vec<Identity> = views.iter().map(|v| identity(v, env(&state))).collect();
    let mut edges: Vec<(usize, usize)> = Vec::new();
    let mut seen = HashSet::new();
    for e in &walk.edges {
        let (Some(a), Some(b)) = (node_of(e.edge.source), node_of(e.edge.destination)) else {
            continue;
        };
        if a != b && seen.insert((a, b)) {
            edges.push((a, b));
        }
    }
    let mut shown: Vec<usize> = Vec::new();
    let mut listed = HashSet::new();
    for v in &views {
        if let Some(n) = node_of(v.record.id) {
            if listed.insert(n) {
                shown.push(n);
            }
        }
    }
    // Each node's edges, arriving and leaving, in the order found.
    let mut arriving: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut leaving: HashMap<usize, Vec<usize>> = HashMap::new();
    for &(a, b) in &edges {
        leaving.entry(a).or_default().push(b);
        arriving.entry(b).or_default().push(a);
    }
    let none = Vec::new();
    let graph: Vec<Value> = shown
        .iter()
        .map(|&i| {
            let id = &identities[i];
            let (ins, outs) = (
                arriving.get(&i).unwrap_or(&none),
                leaving.get(&i).unwrap_or(&none),
            );
            let edge = |a: usize, b: usize| {
                json!({"origin": identities[a].node_id(), "destination": identities[b].node_id()})
            };
            let in_edges: Vec<Value> = ins.iter().map(|&a| edge(a, i)).collect();
            let out_edges: Vec<Value> = outs.iter().map(|&b| edge(i, b)).collect();
            let data = match id.kind {
                NodeType::Dataset => dataset_json(&views[i], id),
                NodeType::Job => {
                    let ends = |list: &[usize]| -> Vec<Value> {
                        list.iter()
                            .filter(|j| identities[**j].kind == NodeType::Dataset)
                            .map(|j| identities[*j].id_json())
                            .collect()
                    };
                    job_json(&views[i], id, ends(ins), ends(outs), Vec::new())
                }
            };
            json!({
                "id": id.node_id(),
                "type": id.kind.as_str(),
                "data": data,
                "inEdges": in_edges,
                "outEdges": out_edges,
            })
        })
        .collect();
    Ok(Json(json!({"graph": graph})))
}
