//! Marquez's lineage graph, `GET /api/v1/lineage?nodeId=...&depth=...`: the catalog's lineage
//! walk around one node, both ways, as `DATASET` and `JOB` nodes; a run stands for its job and
//! a column for its dataset.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use axum::extract::{Query, State};
use axum::Json;
use serde::Deserialize;
use serde_json::{json, Value};

use super::{
    dataset_json, env, identity, job_json, resolve, str_at, views, Answer, Identity, NodeType,
};
use crate::catalog::{Direction, EntityId, EntityRecord, TraversalSpec};
use crate::openlineage::{naming, OlError};
use crate::shared::Shared;
use crate::urn::Urn;

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

/// The query of [`lineage`]: the node and how deep to walk.
#[derive(Deserialize)]
pub(in crate::openlineage) struct LineageQuery {
    #[serde(rename = "nodeId")]
    node_id: Option<String>,
    depth: Option<u32>,
}

/// `GET /api/v1/lineage?nodeId=...&depth=...`: the graph around a node, both ways, as
/// Marquez's `{"graph": [GraphNode]}`. The depth is capped by `--max-lineage-depth`, the
/// entities by `--max-lineage-budget`.
pub(in crate::openlineage) async fn lineage(
    State(state): State<Arc<Shared>>,
    Query(q): Query<LineageQuery>,
) -> Answer {
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
        views.extend(super::views(catalog, more).await?);
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
