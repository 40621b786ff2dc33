//! A model version's registered lineage (`MLModel.registeredLineage`: its upstream lineage as
//! it stood when the version was registered) and `lineageDiff(from, to)`: the upstream entities
//! and edges added and removed between two versions.

use std::sync::Arc;

use async_graphql::{Context, Result, SimpleObject};

use super::Entity;
use crate::catalog::{Catalog, Edge, EntityRecord, Error, Traversal};
use crate::config::Limits;
use crate::graphql::lineage::{LineageGraph, LineageGraphEdge, LineageNode};
use crate::graphql::scalars::{EntityType, Long};
use crate::urn::Urn;

/// What changed upstream between two versions.
#[derive(SimpleObject)]
pub struct LineageDiff {
    /// The version compared from.
    pub from: String,
    /// The version compared to.
    pub to: String,
    /// When `from` was registered (its lineage is read as of then); null when it is no version.
    pub from_registered_at: Option<Long>,
    /// When `to` was registered; null when it is no version.
    pub to_registered_at: Option<Long>,
    /// Upstream of `to` and not of `from`.
    pub added_entities: Vec<LineageNode>,
    /// Upstream of `from` and not of `to`.
    pub removed_entities: Vec<LineageNode>,
    /// Edges upstream of `to` and not of `from` (an edge into a version counts as the same
    /// edge whichever of the two it ends at).
    pub added_edges: Vec<LineageGraphEdge>,
    /// Edges upstream of `from` and not of `to`.
    pub removed_edges: Vec<LineageGraphEdge>,
    /// True when the depth or budget cut either lineage short, so the difference may be
    /// incomplete.
    pub truncated: bool,
}

fn node(entity: &Arc<EntityRecord>, degree: u32, relation: Option<&str>) -> LineageNode {
    LineageNode {
        urn: entity.urn.clone(),
        entity_type: EntityType::from_kind(&entity.kind),
        name: crate::catalog::column_label(entity).unwrap_or_else(|| entity.name.clone()),
        degree: degree as i32,
        relation: relation.map(str::to_string),
        entity: Entity::from_row(entity.clone()),
    }
}

fn edge(e: &Edge) -> LineageGraphEdge {
    LineageGraphEdge {
        source: e.source.urn.clone(),
        target: e.destination.urn.clone(),
        relation: e.edge.relation.as_str().to_string(),
        created_on: Long(e.edge.created_at),
    }
}

fn graph(t: &Traversal) -> LineageGraph {
    let mut nodes = vec![node(&t.root, 0, None)];
    nodes.extend(
        t.nodes
            .iter()
            .map(|n| node(&n.entity, n.degree, Some(n.via.relation.as_str()))),
    );
    LineageGraph {
        nodes,
        edges: t.edges.iter().map(edge).collect(),
        truncated: t.truncated,
        levels: t.levels as i32,
        dot: t.to_dot(),
        mermaid: t.to_mermaid(),
    }
}

/// The depth and budget asked, checked against the server's limits.
fn bounds(ctx: &Context<'_>, depth: Option<i32>, budget: Option<i32>) -> Result<(u32, usize)> {
    let limits = ctx.data::<Limits>()?;
    let depth = depth.unwrap_or(limits.default_lineage_depth as i32);
    if depth < 1 || depth as u64 > limits.max_lineage_depth as u64 {
        return Err(Error::bad_input(format!(
            "depth must be between 1 and the maximum lineage depth of {}",
            limits.max_lineage_depth
        ))
        .into());
    }
    let budget = budget.unwrap_or(limits.default_lineage_budget as i32);
    if budget < 1 || budget as usize > limits.max_lineage_budget {
        return Err(Error::bad_input(format!(
            "budget must be between 1 and the maximum lineage budget of {}",
            limits.max_lineage_budget
        ))
        .into());
    }
    Ok((depth as u32, budget as usize))
}

/// `MLModel.registeredLineage`.
pub async fn registered_lineage(
    ctx: &Context<'_>,
    row: &EntityRecord,
    depth: Option<i32>,
    budget: Option<i32>,
) -> Result<LineageGraph> {
    let (depth, budget) = bounds(ctx, depth, budget)?;
    let urn = Urn::parse(&row.urn).map_err(Error::from)?;
    let catalog = ctx.data_unchecked::<Catalog>();
    let lineage = catalog.registered_lineage(&urn, depth, budget).await?;
    Ok(graph(&lineage.traversal))
}

/// `Query.lineageDiff`.
pub async fn lineage_diff(
    ctx: &Context<'_>,
    from: String,
    to: String,
    depth: Option<i32>,
    budget: Option<i32>,
) -> Result<LineageDiff> {
    let (depth, budget) = bounds(ctx, depth, budget)?;
    let parse = |field: &str, text: &str| {
        Urn::parse(text).map_err(|e| Error::bad_input(format!("{field}: {e}")))
    };
    let (from, to) = (parse("from", &from)?, parse("to", &to)?);
    let catalog = ctx.data_unchecked::<Catalog>();
    let diff = catalog.lineage_diff(&from, &to, depth, budget).await?;
    let degree_in = |t: &Traversal, e: &Arc<EntityRecord>| {
        t.nodes
            .iter()
            .find(|n| n.entity.id == e.id)
            .map_or((0, None), |n| (n.degree, Some(n.via.relation.as_str())))
    };
    let nodes = |t: &Traversal, list: &[Arc<EntityRecord>]| -> Vec<LineageNode> {
        list.iter()
            .map(|e| {
                let (degree, relation) = degree_in(t, e);
                node(e, degree, relation)
            })
            .collect()
    };
    Ok(LineageDiff {
        from: from.to_string(),
        to: to.to_string(),
        from_registered_at: diff.from.registered_at.map(Long),
        to_registered_at: diff.to.registered_at.map(Long),
        added_entities: nodes(&diff.to.traversal, &diff.added_entities),
        removed_entities: nodes(&diff.from.traversal, &diff.removed_entities),
        added_edges: diff.added_edges.iter().map(edge).collect(),
        removed_edges: diff.removed_edges.iter().map(edge).collect(),
        truncated: diff.from.traversal.truncated || diff.to.traversal.truncated,
    })
}
