//! Lineage in the schema: DataHub's per-entity `lineage` and `relationships` fields, the
//! reverse relation fields, and the root `lineageGraph` traversal. Per-entity reads go through
//! the edge and walk loaders (`loaders/edges.rs`, `loaders/walk.rs`), so a list of entities
//! with their relations stays one statement per level.

use std::collections::HashSet;
use std::sync::Arc;

use async_graphql::{Context, Enum, InputObject, Result, SimpleObject};

use super::loaders::{self, edges, WalkKey};
use super::scalars::{AuditStamp, EntityType, Long};
use super::types::Entity;
use crate::catalog::aspects::{Relation, RelationSet};
use crate::catalog::{
    Catalog, Direction, Edge, EntityId, EntityRecord, Error, Traversal, TraversalSpec,
};
use crate::config::Limits;
use crate::urn::{EntityKind, Urn};

/// The entities on the other end of `relation` edges, upstream or downstream of `row`, in the
/// order the edges were made. The edges are read with all of the entity's lineage edges, so
/// an entity's relation fields share one read.
pub async fn neighbors(
    ctx: &Context<'_>,
    row: &EntityRecord,
    relation: Relation,
    upstream: bool,
) -> Result<Vec<Arc<EntityRecord>>> {
    let set = if relation.is_lineage() {
        RelationSet::lineage()
    } else {
        RelationSet::of(&[relation])
    };
    let edges = edges(ctx, row, set, None).await?;
    let mut seen = HashSet::new();
    Ok(edges
        .iter()
        .filter(|e| e.edge.relation == relation)
        .filter_map(|e| {
            let (other, is_upstream) = e.other_end(row.id);
            (is_upstream == upstream && other.id != row.id && seen.insert(other.id))
                .then(|| other.clone())
        })
        .collect())
}

/// Which way lineage goes from an entity. DataHub's enum, with `BOTH` added.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineageDirection {
    /// Towards the sources of the data.
    Upstream,
    /// Towards its consumers.
    Downstream,
    /// Both ways.
    Both,
}

impl From<LineageDirection> for Direction {
    fn from(d: LineageDirection) -> Direction {
        match d {
            LineageDirection::Upstream => Direction::Upstream,
            LineageDirection::Downstream => Direction::Downstream,
            LineageDirection::Both => Direction::Both,
        }
    }
}

/// DataHub's input of an entity's `lineage` field, with mlcat's extensions.
#[derive(InputObject)]
pub struct LineageInput {
    /// Which way to go.
    pub direction: LineageDirection,
    /// Index of the first relationship to answer.
    pub start: Option<i32>,
    /// How many relationships to answer (100 when absent).
    pub count: Option<i32>,
    /// Accepted for DataHub compatibility; mlcat has no siblings.
    pub separate_siblings: Option<bool>,
    /// Accepted for DataHub compatibility; use `asOf`.
    pub start_time_millis: Option<Long>,
    /// Accepted for DataHub compatibility; use `asOf`.
    pub end_time_millis: Option<Long>,
    /// Accepted for DataHub compatibility; referenced-only entities are always included.
    pub include_ghost_entities: Option<bool>,
    /// mlcat: hops to walk (1, as in DataHub, when absent).
    pub depth: Option<i32>,
    /// mlcat: only answer entities of these types (the walk still passes through others).
    pub types: Option<Vec<EntityType>>,
    /// mlcat: the graph as it was at this time, in milliseconds since the epoch.
    pub as_of: Option<Long>,
}

/// One entity in an entity's lineage.
#[derive(SimpleObject)]
pub struct LineageRelationship {
    /// The relation of the edge that reached the entity, such as `DerivedFrom`.
    #[graphql(name = "type")]
    pub relation: String,
    /// The entity.
    pub entity: Option<Entity>,
    /// Hops from the entity asked about.
    pub degree: i32,
    /// When the edge that reached it was made, in milliseconds.
    pub created_on: Option<Long>,
}

/// DataHub's answer of an entity's `lineage` field.
#[derive(SimpleObject)]
pub struct EntityLineageResult {
    /// Index of the first relationship answered.
    pub start: Option<i32>,
    /// How many relationships are answered.
    pub count: Option<i32>,
    /// How many there are in all.
    pub total: Option<i32>,
    /// How many were left out by the `types` filter.
    pub filtered: Option<i32>,
    /// The relationships, nearest first.
    pub relationships: Vec<LineageRelationship>,
}

/// DataHub's direction of a raw relationship: edges this entity's aspects declare are
/// OUTGOING, edges other entities declare towards it are INCOMING.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationshipDirection {
    /// Declared by other entities, pointing here.
    Incoming,
    /// Declared by this entity.
    Outgoing,
}

/// DataHub's input of an entity's `relationships` field.
#[derive(InputObject)]
pub struct RelationshipsInput {
    /// Relation names: the lineage ones, such as `MemberOf` or `Contains`, and the governance
    /// ones, `TaggedWith`, `TermedWith`, `OwnedBy`, `AssociatedWith`, `IsMemberOfGroup`,
    /// `IsMemberOfNativeGroup` and `IsPartOf`.
    pub types: Vec<String>,
    /// Which side declares the relationship.
    pub direction: RelationshipDirection,
    /// Index of the first relationship to answer.
    pub start: Option<i32>,
    /// How many to answer (100 when absent).
    pub count: Option<i32>,
    /// Accepted for DataHub compatibility; soft-deleted entities are never answered.
    pub include_soft_delete: Option<bool>,
}

/// One raw relationship.
#[derive(SimpleObject)]
pub struct EntityRelationship {
    /// The relation name.
    #[graphql(name = "type")]
    pub relation: String,
    /// Which side declares it.
    pub direction: RelationshipDirection,
    /// The entity on the other end.
    pub entity: Option<Entity>,
    /// When the relationship was made.
    pub created: Option<AuditStamp>,
}

/// DataHub's answer of an entity's `relationships` field.
#[derive(SimpleObject)]
pub struct EntityRelationshipsResult {
    /// Index of the first relationship answered.
    pub start: Option<i32>,
    /// How many are answered.
    pub count: Option<i32>,
    /// How many there are in all.
    pub total: Option<i32>,
    /// The relationships, oldest first.
    pub relationships: Vec<EntityRelationship>,
}

/// Relationships an entity's `lineage` or `relationships` field answers when the input gives
/// no `count`.
const DEFAULT_COUNT: i32 = 100;

/// How many relationships `lineage(input)` or `relationships(input)` may answer, for pricing
/// their complexity: the page they ask for.
pub fn priced_count(count: Option<i32>) -> usize {
    count.unwrap_or(DEFAULT_COUNT).max(0) as usize
}

/// Budget a `lineageGraph` without one is priced at: the default of `--default-lineage-budget`.
const PRICED_DEFAULT_BUDGET: usize = 1000;

/// How many entities `lineageGraph(input)` may answer, for pricing its complexity: its budget
/// and the start. Every field of the answer is priced at that many times its selection: the
/// nodes and edges (the edges between the answered entities, about as many), and the DOT and
/// Mermaid texts, which render each node and edge.
pub fn priced_budget(input: &LineageGraphInput) -> usize {
    input
        .budget
        .map_or(PRICED_DEFAULT_BUDGET, |b| b.max(0) as usize)
        .saturating_add(1)
}

/// How many entities a column walk (`upstreamColumns`, `columnReach`) may answer, for pricing
/// its complexity: its budget, as `lineageGraph`'s.
pub fn priced_walk(budget: Option<i32>) -> usize {
    budget
        .map_or(PRICED_DEFAULT_BUDGET, |b| b.max(0) as usize)
        .saturating_add(1)
}

fn page(start: Option<i32>, count: Option<i32>, limits: &Limits) -> Result<(usize, usize), Error> {
    let start = start.unwrap_or(0);
    let count = count.unwrap_or(DEFAULT_COUNT);
    if start < 0 {
        return Err(Error::bad_input("start must not be negative"));
    }
    if count < 0 || count as u64 > limits.max_page_size {
        return Err(Error::bad_input(format!(
            "count must be between 0 and the page-size cap of {}",
            limits.max_page_size
        )));
    }
    Ok((start as usize, count as usize))
}

/// The relations `names` names; an unknown name is refused with the list of known ones.
fn check_relations(names: &[String]) -> Result<Vec<Relation>, Error> {
    names
        .iter()
        .map(|name| {
            Relation::parse(name).ok_or_else(|| {
                let known: Vec<&str> = Relation::ALL.iter().map(|r| r.as_str()).collect();
                Error::bad_input(format!(
                    "unknown relationship type {name:?}; known types: {}",
                    known.join(", ")
                ))
            })
        })
        .collect()
}

fn wanted(kind: &EntityKind, types: &Option<Vec<EntityType>>) -> bool {
    match types {
        None => true,
        Some(types) => EntityType::from_kind(kind).is_some_and(|t| types.contains(&t)),
    }
}

/// The `lineage` field of an entity.
pub async fn entity_lineage(
    ctx: &Context<'_>,
    row: &Arc<EntityRecord>,
    input: LineageInput,
) -> Result<EntityLineageResult> {
    let limits = ctx.data::<Limits>()?;
    let (start, count) = page(input.start, input.count, limits)?;
    let depth = check_depth(input.depth.unwrap_or(1), limits)?;
    let as_of = input.as_of.map(|t| t.0);
    let direction = Direction::from(input.direction);
    // (entity, degree, relation, created)
    let reached: Vec<(Arc<EntityRecord>, u32, Relation, i64)> = if depth == 1 {
        // One hop, as DataHub answers it: through the edge loader, batched across entities.
        let edges = edges(ctx, row, RelationSet::lineage(), as_of).await?;
        let mut seen = HashSet::new();
        edges
            .iter()
            .filter_map(|e| {
                let (other, is_upstream) = e.other_end(row.id);
                let fits = match direction {
                    Direction::Upstream => is_upstream,
                    Direction::Downstream => !is_upstream,
                    Direction::Both => true,
                };
                (fits && other.id != row.id && seen.insert(other.id))
                    .then(|| (other.clone(), 1, e.edge.relation, e.edge.created_at))
            })
            .collect()
    } else {
        // Deeper: through the walk loader, so a list of entities walks together.
        let key = WalkKey {
            entity: row.id,
            direction,
            depth,
            budget: limits.default_lineage_budget,
            as_of,
        };
        let walk = loaders::walk(ctx, key)
            .await?
            .ok_or_else(|| Error::NotFound(format!("no entity with URN {}", row.urn)))?;
        walk.nodes
            .iter()
            .map(|n| (n.entity.clone(), n.degree, n.via.relation, n.via.created_at))
            .collect()
    };
    let all = reached.len();
    let kept: Vec<_> = reached
        .into_iter()
        .filter(|r| wanted(&r.0.kind, &input.types))
        .collect();
    let filtered = all - kept.len();
    let total = kept.len();
    let relationships: Vec<LineageRelationship> = kept
        .into_iter()
        .skip(start)
        .take(count)
        .map(|(entity, degree, relation, created)| LineageRelationship {
            relation: relation.as_str().to_string(),
            entity: Entity::from_row(entity),
            degree: degree as i32,
            created_on: Some(Long(created)),
        })
        .collect();
    Ok(EntityLineageResult {
        start: Some(start as i32),
        count: Some(relationships.len() as i32),
        total: Some(total as i32),
        filtered: Some(filtered as i32),
        relationships,
    })
}

/// The `lineage` field of an entity named by URN (a schema field, ...): empty when the catalog
/// has no row for it, once the input has been checked.
pub async fn lineage_by_urn(
    ctx: &Context<'_>,
    urn: &Urn,
    input: LineageInput,
) -> Result<EntityLineageResult> {
    match loaders::entity(ctx, urn).await? {
        Some(row) => entity_lineage(ctx, &row, input).await,
        None => {
            let limits = ctx.data::<Limits>()?;
            let (start, _) = page(input.start, input.count, limits)?;
            check_depth(input.depth.unwrap_or(1), limits)?;
            Ok(EntityLineageResult {
                start: Some(start as i32),
                count: Some(0),
                total: Some(0),
                filtered: Some(0),
                relationships: Vec::new(),
            })
        }
    }
}

/// The `relationships` field of an entity named by URN (a tag, a group, ...): empty when the
/// catalog has no row for it, once the input has been checked.
pub async fn relationships_by_urn(
    ctx: &Context<'_>,
    urn: &Urn,
    input: RelationshipsInput,
) -> Result<EntityRelationshipsResult> {
    match loaders::entity(ctx, urn).await? {
        Some(row) => entity_relationships(ctx, &row, input).await,
        None => {
            page(input.start, input.count, ctx.data::<Limits>()?)?;
            check_relations(&input.types)?;
            Ok(EntityRelationshipsResult {
                start: Some(input.start.unwrap_or(0)),
                count: Some(0),
                total: Some(0),
                relationships: Vec::new(),
            })
        }
    }
}

/// The `relationships` field of an entity.
pub async fn entity_relationships(
    ctx: &Context<'_>,
    row: &EntityRecord,
    input: RelationshipsInput,
) -> Result<EntityRelationshipsResult> {
    let limits = ctx.data::<Limits>()?;
    let (start, count) = page(input.start, input.count, limits)?;
    let wanted = check_relations(&input.types)?;
    if wanted.iter().all(|r| !r.is_lineage()) {
        // Governance edges run from the entity whose aspect declares them, so a direction is
        // a side of the edge, and the page is read by itself: a tag on a hundred thousand
        // entities answers its page, not all of them.
        let side = match input.direction {
            RelationshipDirection::Outgoing => Direction::Downstream,
            RelationshipDirection::Incoming => Direction::Upstream,
        };
        let (total, page) = ctx
            .data::<Catalog>()?
            .edges_page(
                row.id,
                side,
                RelationSet::of(&wanted),
                start as u64,
                count as u64,
            )
            .await?;
        loaders::charge(ctx, page.len())?;
        return Ok(relationships_result(
            start,
            total as usize,
            &page,
            row.id,
            input.direction,
        ));
    }
    // Lineage relations are read with the entity's other lineage edges (its relation fields,
    // its one-hop lineage), in the same batch; governance ones by themselves, so a tag's
    // thousands of entities are read only when asked for.
    let read = if wanted.iter().all(|r| r.is_lineage()) {
        RelationSet::lineage()
    } else {
        RelationSet::of(&wanted)
    };
    let wanted = RelationSet::of(&wanted);
    let edges = edges(ctx, row, read, None).await?;
    let matching: Vec<&Edge> = edges
        .iter()
        .filter(|e| wanted.contains(e.edge.relation))
        .filter(|e| {
            let outgoing = e.edge.declared_by == row.id;
            outgoing == (input.direction == RelationshipDirection::Outgoing)
        })
        .collect();
    let total = matching.len();
    let page: Vec<&Edge> = matching.into_iter().skip(start).take(count).collect();
    Ok(relationships_result(
        start,
        total,
        &page,
        row.id,
        input.direction,
    ))
}

/// A page of `relationships` from the entity `from`: `page` of `total`, from `start`.
fn relationships_result<E: std::borrow::Borrow<Edge>>(
    start: usize,
    total: usize,
    page: &[E],
    from: EntityId,
    direction: RelationshipDirection,
) -> EntityRelationshipsResult {
    let relationships: Vec<EntityRelationship> = page
        .iter()
        .map(|e| {
            let e = e.borrow();
            EntityRelationship {
                relation: e.edge.relation.as_str().to_string(),
                direction,
                entity: Entity::from_row(e.other_end(from).0.clone()),
                created: Some(AuditStamp {
                    time: Long(e.edge.created_at),
                    actor: None,
                }),
            }
        })
        .collect();
    EntityRelationshipsResult {
        start: Some(start as i32),
        count: Some(relationships.len() as i32),
        total: Some(total as i32),
        relationships,
    }
}

fn check_depth(depth: i32, limits: &Limits) -> Result<u32, Error> {
    if depth < 1 || depth as u32 > limits.max_lineage_depth {
        return Err(Error::bad_input(format!(
            "depth must be between 1 and the maximum lineage depth of {}",
            limits.max_lineage_depth
        )));
    }
    Ok(depth as u32)
}

/// A traversal from one entity.
#[derive(InputObject)]
pub struct LineageGraphInput {
    /// The URN to start from.
    pub urn: String,
    /// Which way to walk; downstream when absent.
    pub direction: Option<LineageDirection>,
    /// Hops to walk: the server's default (3) when absent, at most its maximum (10).
    pub depth: Option<i32>,
    /// Only answer entities of these types; the walk still passes through the others, and
    /// only edges between answered entities are answered.
    pub types: Option<Vec<EntityType>>,
    /// Only walk these relations, such as `DerivedFrom` or `TrainedOn`; the lineage relations
    /// when absent. A governance relation (`TaggedWith`, `OwnedBy`, ...) is walked only when
    /// named here.
    pub relations: Option<Vec<String>>,
    /// Most entities to answer besides the start: the server's default (1000) when absent, at
    /// most its maximum (10000).
    pub budget: Option<i32>,
    /// The graph as it was at this time, in milliseconds since the epoch.
    pub as_of: Option<Long>,
}

/// An entity of a lineage graph.
#[derive(SimpleObject)]
pub struct LineageNode {
    /// Its URN.
    pub urn: String,
    /// Its type, when the schema exposes the type.
    #[graphql(name = "type")]
    pub entity_type: Option<EntityType>,
    /// Its name, from its URN.
    pub name: String,
    /// Hops from the start (0 for the start).
    pub degree: i32,
    /// The relation of the edge that first reached it (null for the start).
    pub relation: Option<String>,
    /// The entity, to ask anything else about it.
    pub entity: Option<Entity>,
}

/// An edge of a lineage graph, from upstream to downstream.
#[derive(SimpleObject)]
pub struct LineageGraphEdge {
    /// The URN of the upstream end.
    pub source: String,
    /// The URN of the downstream end.
    pub target: String,
    /// The relation, such as `Consumes`.
    pub relation: String,
    /// When the edge was made, in milliseconds.
    pub created_on: Long,
}

/// The answer of a traversal.
#[derive(SimpleObject)]
pub struct LineageGraph {
    /// The start, then every entity reached, nearest first.
    pub nodes: Vec<LineageNode>,
    /// The edges between the answered entities.
    pub edges: Vec<LineageGraphEdge>,
    /// True exactly when the depth or the budget left out entities the walk would reach.
    pub truncated: bool,
    /// Levels of the graph read: one SQL statement each, or a few when the budget runs out
    /// inside a level wider than it.
    pub levels: i32,
    /// The graph in Graphviz DOT.
    pub dot: String,
    /// The graph as a Mermaid flowchart.
    pub mermaid: String,
}

fn node(entity: &Arc<EntityRecord>, degree: u32, relation: Option<Relation>) -> LineageNode {
    LineageNode {
        urn: entity.urn.clone(),
        entity_type: EntityType::from_kind(&entity.kind),
        name: crate::catalog::column_label(entity).unwrap_or_else(|| entity.name.clone()),
        degree: degree as i32,
        relation: relation.map(|r| r.as_str().to_string()),
        entity: Entity::from_row(entity.clone()),
    }
}

/// The root `lineageGraph` query.
pub async fn lineage_graph(ctx: &Context<'_>, input: LineageGraphInput) -> Result<LineageGraph> {
    let limits = ctx.data::<Limits>()?;
    let start = Urn::parse(&input.urn).map_err(Error::from)?;
    let depth = check_depth(
        input.depth.unwrap_or(limits.default_lineage_depth as i32),
        limits,
    )?;
    let budget = input.budget.unwrap_or(limits.default_lineage_budget as i32);
    if budget < 1 || budget as usize > limits.max_lineage_budget {
        return Err(Error::bad_input(format!(
            "budget must be between 1 and the maximum lineage budget of {}",
            limits.max_lineage_budget
        ))
        .into());
    }
    if let Some(relations) = &input.relations {
        check_relations(relations)?;
    }
    let spec = TraversalSpec {
        start,
        direction: input
            .direction
            .unwrap_or(LineageDirection::Downstream)
            .into(),
        depth,
        budget: budget as usize,
        relations: input.relations,
        as_of: input.as_of.map(|t| t.0),
    };
    let mut traversal: Traversal = ctx.data::<Catalog>()?.traverse(&spec).await?;
    if input.types.is_some() {
        traversal
            .nodes
            .retain(|n| wanted(&n.entity.kind, &input.types));
        let kept: HashSet<EntityId> = traversal
            .nodes
            .iter()
            .map(|n| n.entity.id)
            .chain([traversal.root.id])
            .collect();
        traversal
            .edges
            .retain(|e| kept.contains(&e.edge.source) && kept.contains(&e.edge.destination));
    }
    let mut nodes = vec![node(&traversal.root, 0, None)];
    nodes.extend(
        traversal
            .nodes
            .iter()
            .map(|n| node(&n.entity, n.degree, Some(n.via.relation))),
    );
    let edges = traversal
        .edges
        .iter()
        .map(|e| LineageGraphEdge {
            source: e.source.urn.clone(),
            target: e.destination.urn.clone(),
            relation: e.edge.relation.as_str().to_string(),
            created_on: Long(e.edge.created_at),
        })
        .collect();
    Ok(LineageGraph {
        nodes,
        edges,
        truncated: traversal.truncated,
        levels: traversal.levels as i32,
        dot: traversal.to_dot(),
        mermaid: traversal.to_mermaid(),
    })
}
