//! Reading the edge table: the edges around a set of entities in one statement (for loaders),
//! and the level-by-level traversal behind the lineage queries, with its DOT and Mermaid forms.

use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use sea_orm::sea_query::{
    Alias, Condition, Expr, JoinType, Order, Query, SelectStatement, SimpleExpr,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, FromQueryResult, IdenStatic, Iterable,
    PaginatorTrait, QueryFilter,
};

use super::Catalog;
use crate::error::{Error, Result};
use crate::store::{edge, entity, removal};
use crate::urn::{EntityKind, Urn};

/// Which way to walk: upstream goes towards the data's sources, downstream towards consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Upstream,
    Downstream,
    Both,
}

/// An edge with both of its ends.
#[derive(Clone, Debug)]
pub struct EdgeRow {
    pub edge: edge::Model,
    /// The upstream end.
    pub source: Arc<entity::Model>,
    /// The downstream end.
    pub destination: Arc<entity::Model>,
}

impl EdgeRow {
    /// The other end, seen from `id`, and whether it lies upstream of `id`.
    pub fn other_end(&self, id: i64) -> (&Arc<entity::Model>, bool) {
        if self.edge.destination_id == id {
            (&self.source, true)
        } else {
            (&self.destination, false)
        }
    }
}

/// What to walk.
#[derive(Clone, Debug)]
pub struct TraversalSpec {
    pub start: Urn,
    pub direction: Direction,
    /// Hops from the start; at least 1.
    pub depth: u32,
    /// Most entities to answer besides the start.
    pub budget: usize,
    /// Only these relations (all when `None`).
    pub relations: Option<Vec<String>>,
    /// The graph as it was at this time, in milliseconds (now when `None`).
    pub as_of: Option<i64>,
}

/// An entity reached by a traversal.
#[derive(Clone, Debug)]
pub struct Reached {
    pub entity: Arc<entity::Model>,
    /// Hops from the start.
    pub degree: u32,
    /// The edge it was first reached by.
    pub via: edge::Model,
}

/// The answer of a traversal.
#[derive(Clone, Debug)]
pub struct Traversal {
    pub root: Arc<entity::Model>,
    /// In the order they were reached: by degree, then by edge.
    pub nodes: Vec<Reached>,
    /// Edges between the root and the nodes, each once.
    pub edges: Vec<EdgeRow>,
    /// True exactly when the depth or the budget left out entities the walk would reach.
    pub truncated: bool,
    /// Levels of the edge table read, one SQL statement each.
    pub levels: u32,
}

const SRC: &str = "s";
const DST: &str = "d";

/// `SELECT edge.*, s.*, d.* FROM edge JOIN entity s JOIN entity d`, with prefixed aliases so
/// each part can be read back with `FromQueryResult`.
fn edges_with_ends() -> SelectStatement {
    let mut q = Query::select();
    for col in edge::Column::iter() {
        q.expr_as(
            Expr::col((edge::Entity, col)),
            Alias::new(format!("e_{}", col.as_str())),
        );
    }
    for end in [SRC, DST] {
        for col in entity::Column::iter() {
            q.expr_as(
                Expr::col((Alias::new(end), col)),
                Alias::new(format!("{end}_{}", col.as_str())),
            );
        }
    }
    q.from(edge::Entity)
        .join_as(
            JoinType::InnerJoin,
            entity::Entity,
            Alias::new(SRC),
            Expr::col((Alias::new(SRC), entity::Column::Id))
                .equals((edge::Entity, edge::Column::SourceId)),
        )
        .join_as(
            JoinType::InnerJoin,
            entity::Entity,
            Alias::new(DST),
            Expr::col((Alias::new(DST), entity::Column::Id))
                .equals((edge::Entity, edge::Column::DestinationId)),
        )
        .order_by((edge::Entity, edge::Column::Id), Order::Asc);
    q
}

/// Soft-deleted entities are not part of lineage: those deleted now, or as of a past time
/// those deleted then.
fn not_removed(end: &str, as_of: Option<i64>) -> SimpleExpr {
    match as_of {
        None => Expr::col((Alias::new(end), entity::Column::Removed)).eq(false),
        Some(t) => Expr::exists(
            Query::select()
                .expr(Expr::val(1))
                .from(removal::Entity)
                .and_where(
                    Expr::col((removal::Entity, removal::Column::EntityId))
                        .equals((Alias::new(end), entity::Column::Id)),
                )
                .and_where(Expr::col((removal::Entity, removal::Column::RemovedAt)).lte(t))
                .cond_where(
                    Condition::any()
                        .add(Expr::col((removal::Entity, removal::Column::RestoredAt)).is_null())
                        .add(Expr::col((removal::Entity, removal::Column::RestoredAt)).gt(t)),
                )
                .to_owned(),
        )
        .not(),
    }
}

/// Edges that existed at `as_of`, or that exist now.
fn active_at(as_of: Option<i64>) -> Condition {
    let removed = Expr::col((edge::Entity, edge::Column::RemovedAt));
    match as_of {
        None => Condition::all().add(removed.is_null()),
        Some(t) => Condition::all()
            .add(Expr::col((edge::Entity, edge::Column::CreatedAt)).lte(t))
            .add(
                Condition::any()
                    .add(Expr::col((edge::Entity, edge::Column::RemovedAt)).is_null())
                    .add(Expr::col((edge::Entity, edge::Column::RemovedAt)).gt(t)),
            ),
    }
}

impl Catalog {
    /// The edges touching `ids` in `direction` (downstream: edges leaving them; upstream:
    /// edges arriving), with both ends, in one statement.
    pub async fn edges_of(
        &self,
        ids: &[i64],
        direction: Direction,
        relations: Option<&[String]>,
        as_of: Option<i64>,
    ) -> Result<Vec<EdgeRow>> {
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let leaving = Expr::col((edge::Entity, edge::Column::SourceId)).is_in(ids.iter().copied());
        let arriving =
            Expr::col((edge::Entity, edge::Column::DestinationId)).is_in(ids.iter().copied());
        let touching = match direction {
            Direction::Downstream => Condition::all().add(leaving),
            Direction::Upstream => Condition::all().add(arriving),
            Direction::Both => Condition::any().add(leaving).add(arriving),
        };
        let mut q = edges_with_ends();
        q.cond_where(touching)
            .cond_where(active_at(as_of))
            .and_where(not_removed(SRC, as_of))
            .and_where(not_removed(DST, as_of));
        if let Some(relations) = relations {
            q.and_where(
                Expr::col((edge::Entity, edge::Column::Relation))
                    .is_in(relations.iter().map(String::as_str)),
            );
        }
        let statement = self.db.get_database_backend().build(&q);
        let rows = self.db.query_all(statement).await?;
        // One entity can end many edges; share its row.
        let mut seen: HashMap<i64, Arc<entity::Model>> = HashMap::new();
        let mut share = |m: entity::Model| seen.entry(m.id).or_insert_with(|| Arc::new(m)).clone();
        rows.iter()
            .map(|row| {
                Ok(EdgeRow {
                    edge: edge::Model::from_query_result(row, "e_")?,
                    source: share(entity::Model::from_query_result(row, "s_")?),
                    destination: share(entity::Model::from_query_result(row, "d_")?),
                })
            })
            .collect()
    }

    /// Walks the lineage graph from `spec.start`; see [`Catalog::traverse_many`].
    pub async fn traverse(&self, spec: &TraversalSpec) -> Result<Traversal> {
        let root = entity::Entity::find()
            .filter(entity::Column::Urn.eq(spec.start.as_str()))
            .one(&self.db)
            .await?
            .filter(|r| !r.removed || spec.as_of.is_some())
            .ok_or_else(|| Error::NotFound(format!("no entity with URN {}", spec.start)))?;
        if let Some(t) = spec.as_of {
            if self.removed_at(root.id, t).await? {
                return Err(Error::NotFound(format!(
                    "the entity {} was soft-deleted at that time",
                    spec.start
                )));
            }
        }
        let mut walks = self.traverse_many(&[Arc::new(root)], spec).await?;
        walks
            .pop()
            .ok_or_else(|| Error::Internal(anyhow::anyhow!("a traversal lost its root")))
    }

    /// Whether an entity was soft-deleted at time `t`.
    async fn removed_at(&self, id: i64, t: i64) -> Result<bool> {
        Ok(removal::Entity::find()
            .filter(removal::Column::EntityId.eq(id))
            .filter(removal::Column::RemovedAt.lte(t))
            .filter(
                Condition::any()
                    .add(removal::Column::RestoredAt.is_null())
                    .add(removal::Column::RestoredAt.gt(t)),
            )
            .count(&self.db)
            .await?
            > 0)
    }

    /// Walks the lineage graph from each root at once (`spec.start` is ignored), level by
    /// level: one statement per level for all roots together, so asking the lineage of a
    /// whole list costs what asking it of one entity does.
    ///
    /// Upstream follows edges towards sources, downstream towards consumers; both walks each
    /// way from the root and keeps going the way it went (a model's upstream features and its
    /// downstream deployments, not its features' other consumers). The walk reads one level
    /// past the depth, or past the budget, to know whether either cut anything off, so
    /// `truncated` is exact and every edge between answered entities is answered.
    pub async fn traverse_many(
        &self,
        roots: &[Arc<entity::Model>],
        spec: &TraversalSpec,
    ) -> Result<Vec<Traversal>> {
        let mut walks: Vec<Walk> = roots
            .iter()
            .map(|r| Walk::new(r.clone(), spec.direction))
            .collect();
        for level in 1..=spec.depth + 1 {
            let mut frontier: Vec<i64> = walks
                .iter()
                .flat_map(|w| w.frontier.keys().copied())
                .collect();
            frontier.sort_unstable();
            frontier.dedup();
            if frontier.is_empty() {
                break;
            }
            let rows = self
                .edges_of(
                    &frontier,
                    spec.direction,
                    spec.relations.as_deref(),
                    spec.as_of,
                )
                .await?;
            for walk in &mut walks {
                if !walk.frontier.is_empty() {
                    walk.step(&rows, level, spec);
                }
            }
        }
        Ok(walks.into_iter().map(Walk::finish).collect())
    }
}

/// Ways a walk may leave an entity: upstream, downstream, or both (the root of a BOTH walk).
const UP: u8 = 1;
const DOWN: u8 = 2;

/// One root's walk in progress.
struct Walk {
    root: Arc<entity::Model>,
    /// Entities reached, with the ways the walk may leave them.
    visited: HashMap<i64, u8>,
    frontier: HashMap<i64, u8>,
    nodes: Vec<Reached>,
    edges: Vec<EdgeRow>,
    edge_ids: HashSet<i64>,
    truncated: bool,
    levels: u32,
}

impl Walk {
    fn new(root: Arc<entity::Model>, direction: Direction) -> Walk {
        let ways = match direction {
            Direction::Upstream => UP,
            Direction::Downstream => DOWN,
            Direction::Both => UP | DOWN,
        };
        Walk {
            visited: HashMap::from([(root.id, ways)]),
            frontier: HashMap::from([(root.id, ways)]),
            root,
            nodes: Vec::new(),
            edges: Vec::new(),
            edge_ids: HashSet::new(),
            truncated: false,
            levels: 0,
        }
    }

    /// Takes one level of edges (read for every walk's frontier) and moves this walk on.
    fn step(&mut self, rows: &[EdgeRow], level: u32, spec: &TraversalSpec) {
        self.levels += 1;
        let mut next = HashMap::new();
        for row in rows {
            // Down an edge from its source, or up it from its destination.
            let moves = [
                (row.edge.source_id, DOWN, &row.destination),
                (row.edge.destination_id, UP, &row.source),
            ];
            let mut touches = false;
            for (from, way, to) in moves {
                let Some(ways) = self.frontier.get(&from) else {
                    continue;
                };
                touches = true;
                if ways & way == 0 || self.visited.contains_key(&to.id) {
                    continue;
                }
                if level > spec.depth || self.nodes.len() >= spec.budget {
                    self.truncated = true;
                    continue;
                }
                self.visited.insert(to.id, way);
                next.insert(to.id, way);
                self.nodes.push(Reached {
                    entity: to.clone(),
                    degree: level,
                    via: row.edge.clone(),
                });
            }
            let both_in = self.visited.contains_key(&row.edge.source_id)
                && self.visited.contains_key(&row.edge.destination_id);
            if touches && both_in && self.edge_ids.insert(row.edge.id) {
                self.edges.push(row.clone());
            }
        }
        self.frontier = next;
    }

    fn finish(self) -> Traversal {
        Traversal {
            root: self.root,
            nodes: self.nodes,
            edges: self.edges,
            truncated: self.truncated,
            levels: self.levels,
        }
    }
}

impl Traversal {
    fn all_nodes(&self) -> impl Iterator<Item = &Arc<entity::Model>> {
        std::iter::once(&self.root).chain(self.nodes.iter().map(|n| &n.entity))
    }

    /// The graph in Graphviz DOT, laid out left to right, each entity type with its own shape
    /// and colour. Node ids are the URNs.
    pub fn to_dot(&self) -> String {
        let mut out = String::from(concat!(
            "digraph lineage {\n",
            "  rankdir=LR;\n",
            "  node [fontname=\"Helvetica\", fontsize=11, style=\"rounded,filled\"];\n",
            "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#64748b\"];\n",
        ));
        for n in self.all_nodes() {
            let kind = EntityKind::parse(&n.entity_type);
            let (shape, fill) = dot_style(&kind);
            let root = if n.id == self.root.id {
                ", penwidth=2.5"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{kind}\", shape={shape}, fillcolor=\"{fill}\"{root}];",
                dot_escape(&n.urn),
                dot_escape(&n.name),
            );
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                dot_escape(&e.source.urn),
                dot_escape(&e.destination.urn),
                dot_escape(&e.edge.relation)
            );
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a Mermaid flowchart, left to right.
    pub fn to_mermaid(&self) -> String {
        let ids: HashMap<i64, usize> = self
            .all_nodes()
            .enumerate()
            .map(|(i, n)| (n.id, i))
            .collect();
        let mut out = String::from("flowchart LR\n");
        for (i, n) in self.all_nodes().enumerate() {
            let _ = writeln!(
                out,
                "  n{i}[\"{}<br/><small>{}</small>\"]",
                mermaid_escape(&n.name),
                EntityKind::parse(&n.entity_type)
            );
        }
        for e in &self.edges {
            let (Some(a), Some(b)) = (ids.get(&e.source.id), ids.get(&e.destination.id)) else {
                continue;
            };
            let _ = writeln!(out, "  n{a} -->|{}| n{b}", mermaid_escape(&e.edge.relation));
        }
        out
    }
}

/// Shape and fill colour of an entity type in DOT.
fn dot_style(kind: &EntityKind) -> (&'static str, &'static str) {
    match kind {
        EntityKind::Dataset => ("cylinder", "#dbeafe"),
        EntityKind::MlFeature => ("box", "#dcfce7"),
        EntityKind::MlPrimaryKey => ("box", "#fef9c3"),
        EntityKind::MlFeatureTable => ("box3d", "#bbf7d0"),
        EntityKind::MlModel => ("box", "#ede9fe"),
        EntityKind::MlModelGroup => ("folder", "#f5d0fe"),
        EntityKind::MlModelDeployment => ("component", "#fee2e2"),
        _ => ("box", "#f1f5f9"),
    }
}

fn dot_escape(s: &str) -> String {
    s.replace('\\', "\\\\").replace('"', "\\\"")
}

fn mermaid_escape(s: &str) -> String {
    s.replace('"', "#quot;")
        .replace('<', "#lt;")
        .replace('>', "#gt;")
        .replace('|', "#124;")
}
