//! Marquez's listings and single reads: `GET /api/v1/namespaces`, `/namespaces/{ns}`,
//! `/namespaces/{ns}/jobs[/{job}[/runs]]`, `/namespaces/{ns}/datasets[/{dataset}]` and
//! `/jobs/runs/{id}`, each entity shown as the dataset or job its [`identity`] names.

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    dataset_json, env, identity, job_json, list_all, query_for, resolve, time, views, Answer,
    Identity, NodeType, View, ML_NAMESPACE,
};
use crate::catalog::aspects::{Relation, RelationSet};
use crate::catalog::{Catalog, Direction, EntityId, EntityRecord, ListFilter};
use crate::openlineage::mapping::{DatasetUse, RunState, RUN_ASPECT};
use crate::openlineage::{naming, OlError};
use crate::shared::Shared;
use crate::urn::Urn;

/// The entity types shown as datasets in `mlcat`.
const ML_DATASET_KINDS: [&str; 5] = [
    "mlFeature",
    "mlPrimaryKey",
    "mlFeatureTable",
    "mlModel",
    "mlModelGroup",
];

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
    let versions = |map: &BTreeMap<String, DatasetUse>| -> Vec<Value> {
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

/// A page of a listing (`?limit&offset`): `limit` entries (100 unless given, at most
/// `--max-page-size`) from `offset`.
#[derive(Deserialize)]
pub(super) struct Page {
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
pub(super) async fn namespaces(State(state): State<Arc<Shared>>) -> Answer {
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
pub(super) async fn namespace(State(state): State<Arc<Shared>>, Path(ns): Path<String>) -> Answer {
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
pub(super) async fn datasets(
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
pub(super) async fn dataset(
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
pub(super) async fn jobs(
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
pub(super) async fn job(
    State(state): State<Arc<Shared>>,
    Path((ns, name)): Path<(String, String)>,
) -> Answer {
    let found = find_job(&state, ns, name).await?;
    let mut list = jobs_json(&state, vec![found]).await?;
    Ok(Json(list.remove(0)))
}

/// `GET /api/v1/namespaces/{ns}/jobs/{job}/runs?limit&offset`: newest first.
pub(super) async fn job_runs(
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
pub(super) async fn run(State(state): State<Arc<Shared>>, Path(id): Path<String>) -> Answer {
    let id = crate::openlineage::event::uuid(&id, "id")
        .map_err(|r| OlError::bad_request(r.to_string()))?;
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
