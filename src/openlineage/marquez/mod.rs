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
//!
//! This file holds the routes and what both parts show: how an entity is named as a dataset or
//! job ([`identity`]), the entities' views and their `Dataset` and `Job` shapes, and the lookup of
//! an identity's entity. `listings.rs` serves the namespaces, jobs, runs and datasets;
//! `graph.rs` the lineage graph.

mod graph;
mod listings;

use std::collections::HashMap;
use std::sync::Arc;

use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::mapping::{NamedFacets, DATASET_ASPECT, JOB_ASPECT};
use super::{naming, OlError};
use crate::catalog::{Catalog, EntityId, EntityRecord, ListFilter};
use crate::shared::Shared;
use crate::urn::{EntityKind, Urn};

pub(super) use graph::lineage;

/// The namespace of the ML nodes, named by their URN.
pub const ML_NAMESPACE: &str = "mlcat";

/// Most entities a listing reads.
const MAX_LISTED: u64 = 100_000;

/// The listings' routes; the lineage graph's shares its path with the event intake, and is
/// routed with it (see `openlineage::routes`).
pub fn routes() -> Router<Arc<Shared>> {
    Router::new()
        .route("/api/v1/namespaces", get(listings::namespaces))
        .route("/api/v1/namespaces/{ns}", get(listings::namespace))
        .route("/api/v1/namespaces/{ns}/jobs", get(listings::jobs))
        .route("/api/v1/namespaces/{ns}/jobs/{job}", get(listings::job))
        .route(
            "/api/v1/namespaces/{ns}/jobs/{job}/runs",
            get(listings::job_runs),
        )
        .route("/api/v1/namespaces/{ns}/datasets", get(listings::datasets))
        .route(
            "/api/v1/namespaces/{ns}/datasets/{dataset}",
            get(listings::dataset),
        )
        .route("/api/v1/jobs/runs/{id}", get(listings::run))
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
