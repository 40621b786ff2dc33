//! Reading the edge table: the edges around a set of entities in one statement (for loaders),
//! and the level-by-level traversal behind the lineage queries, with its DOT and Mermaid forms.

use futures_util::FutureExt;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::Arc;

use super::aspects::{Relation, RelationSet};
use super::records::{Edge, EdgeRecord, EntityId, EntityRecord};
use super::{Catalog, Error, Result};
use crate::store::edge::{self, LevelRead, Side};
use crate::store::{entity, removal};
use crate::urn::{EntityKind, Urn};

/// Which way to walk: upstream goes towards the data's sources, downstream towards consumers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Direction {
    Upstream,
    Downstream,
    Both,
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
    /// Only these relations; the lineage relations ([`Relation::LINEAGE`]) when `None`, so a
    /// walk never crosses a tag or an owner to the other entities that carry it unless the
    /// caller names that relation.
    pub relations: Option<Vec<String>>,
    /// The graph as it was at this time, in milliseconds (now when `None`).
    pub as_of: Option<i64>,
}

/// An entity reached by a traversal.
#[derive(Clone, Debug)]
pub struct Reached {
    pub entity: Arc<EntityRecord>,
    /// Hops from the start.
    pub degree: u32,
    /// The edge it was first reached by.
    pub via: EdgeRecord,
}

/// The answer of a traversal.
#[derive(Clone, Debug)]
pub struct Traversal {
    pub root: Arc<EntityRecord>,
    /// In the order they were reached: by degree, then by edge.
    pub nodes: Vec<Reached>,
    /// Edges between the root and the nodes, each once.
    pub edges: Vec<Edge>,
    /// True exactly when the depth or the budget left out entities the walk would reach.
    pub truncated: bool,
    /// The answered entities with an edge the walk did not follow for the depth or the budget
    /// (among the edges it read: a level it stopped reading part-way leaves some unknown).
    pub cut_off: HashSet<EntityId>,
    /// Levels of the edge table read: one SQL statement each, or a few when a budget runs out
    /// within a level (see [`Catalog::traverse_many`]).
    pub levels: u32,
}

impl Direction {
    /// The edges a step in this direction follows, seen from where it stands.
    fn side(self) -> Side {
        match self {
            Direction::Downstream => Side::Leaving,
            Direction::Upstream => Side::Arriving,
            Direction::Both => Side::Both,
        }
    }
}

impl Catalog {
    /// The edges of `relations` touching `ids` in `direction` (downstream: edges leaving them;
    /// upstream: edges arriving), with both ends, in one statement.
    pub async fn edges_of(
        &self,
        entities: &[EntityId],
        direction: Direction,
        relations: RelationSet,
        as_of: Option<i64>,
    ) -> Result<Vec<Edge>> {
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = entities.iter().map(|e| e.0).collect();
        let relations: Vec<&str> = relations.relations().map(Relation::as_str).collect();
        let found = self
            .read(|db| edge::with_ends(db, &ids, direction.side(), Some(&relations), as_of).boxed())
            .await?;
        edges_of_rows(found)
    }

    /// A page (`start`, `count`) of the live edges of `relations` touching `entity` in
    /// `direction`, in the order they were made, with both ends, and how many there are: what
    /// `relationships` reads for relations an entity can have thousands of (a tag's carriers).
    pub async fn edges_page(
        &self,
        entity: EntityId,
        direction: Direction,
        relations: RelationSet,
        start: u64,
        count: u64,
    ) -> Result<(u64, Vec<Edge>)> {
        let relations: Vec<&str> = relations.relations().map(Relation::as_str).collect();
        let (total, found) = self
            .read(|db| {
                edge::page_with_ends(db, entity.0, direction.side(), &relations, start, count)
                    .boxed()
            })
            .await?;
        Ok((total, edges_of_rows(found)?))
    }
    /// Walks the lineage graph from `spec.start`; see [`Catalog::traverse_many`].
    pub async fn traverse(&self, spec: &TraversalSpec) -> Result<Traversal> {
        let root = self
            .read(|db| entity::by_urn(db, spec.start.as_str()).boxed())
            .await?
            .map(EntityRecord::from)
            .filter(|r| !r.removed || spec.as_of.is_some())
            .ok_or_else(|| Error::NotFound(format!("no entity with URN {}", spec.start)))?;
        if let Some(t) = spec.as_of {
            if self
                .read(|db| removal::removed_at(db, root.id.0, t).boxed())
                .await?
            {
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

    /// Walks the lineage graph from each root at once (`spec.start` is ignored), level by
    /// level: the statements of a level are shared by all roots, so asking the lineage of a
    /// whole list costs what asking it of one entity does.
    ///
    /// Upstream follows edges towards sources, downstream towards consumers; both walks each
    /// way from the root and keeps going the way it went (a model's upstream features and its
    /// downstream deployments, not its features' other consumers). The walk reads one level
    /// past the depth, or past the budget, to know whether either cut anything off, so
    /// `truncated` is exact and every edge between answered entities is answered.
    ///
    /// A level is read in pages, in index order, while some walk can still use what it has not
    /// read (it has budget left, or does not yet know it was cut off); a walk that cannot then
    /// reads only the level's edges between entities it already answered. So the budgeted walk
    /// from a hub with tens of thousands of edges reads about as many rows as it answers. The
    /// walk reads edges alone; the entities it answers are read at the end, in one statement.
    pub async fn traverse_many(
        &self,
        roots: &[Arc<EntityRecord>],
        spec: &TraversalSpec,
    ) -> Result<Vec<Traversal>> {
        let mut walks: Vec<Walk> = roots
            .iter()
            .map(|r| Walk::new(r.clone(), spec.direction))
            .collect();
        let lineage = Relation::lineage_names();
        let relations: &[String] = spec.relations.as_deref().unwrap_or(&lineage);
        for level in 1..=spec.depth + 1 {
            if walks.iter().all(|w| w.frontier.is_empty()) {
                break;
            }
            for walk in walks.iter_mut().filter(|w| !w.frontier.is_empty()) {
                walk.levels += 1;
                walk.complete = walk.open(level, spec);
            }
            // Pages of the whole level, for the walks that can still use them.
            let mut after: Option<edge::Model> = None;
            let mut read_to_end = false;
            loop {
                let open: Vec<&Walk> = walks.iter().filter(|w| w.open(level, spec)).collect();
                if open.is_empty() {
                    break;
                }
                let from = union(open.iter().map(|w| w.frontier.keys()));
                let wanted: usize = open
                    .iter()
                    .map(|w| spec.budget.saturating_sub(w.nodes.len()) + 1)
                    .sum();
                let page = wanted.clamp(PAGE_MIN, PAGE_MAX);
                let read = LevelRead {
                    from: &from,
                    side: spec.direction.side(),
                    to: None,
                    relations: Some(relations),
                    as_of: spec.as_of,
                    after: after.as_ref(),
                    limit: Some(page as u64),
                };
                let rows = self.read(|db| edge::level(db, read).boxed()).await?;
                for walk in walks.iter_mut().filter(|w| !w.frontier.is_empty()) {
                    walk.step(&rows, level, spec);
                }
                if rows.len() < page {
                    read_to_end = true;
                    break;
                }
                after = rows.last().cloned();
                // A walk that closes now will not see the rest of the level.
                for walk in walks.iter_mut().filter(|w| !w.open(level, spec)) {
                    walk.complete = false;
                }
            }
            // Walks that did not read the whole level still answer its edges between the
            // entities they answered.
            let closed: Vec<usize> = (0..walks.len())
                .filter(|&i| {
                    let saw_all = read_to_end && walks[i].complete;
                    !walks[i].frontier.is_empty() && !saw_all
                })
                .collect();
            if !closed.is_empty() {
                let from = union(closed.iter().map(|&i| walks[i].frontier.keys()));
                let to = union(closed.iter().map(|&i| walks[i].visited.keys()));
                // Past what one statement may bind, read the level's edges unrestricted.
                let to = (from.len() + to.len() <= MAX_BOUND).then_some(to);
                let read = LevelRead {
                    from: &from,
                    side: spec.direction.side(),
                    to: to.as_deref(),
                    relations: Some(relations),
                    as_of: spec.as_of,
                    after: None,
                    limit: None,
                };
                let rows = self.read(|db| edge::level(db, read).boxed()).await?;
                for &i in &closed {
                    walks[i].step(&rows, level, spec);
                }
            }
            for walk in &mut walks {
                walk.end_level();
            }
        }
        // The answered entities, in one statement.
        let ids = union(walks.iter().map(|w| w.visited.keys()));
        let mut rows: HashMap<i64, Arc<EntityRecord>> =
            roots.iter().map(|r| (r.id.0, r.clone())).collect();
        let missing: Vec<EntityId> = ids
            .into_iter()
            .filter(|id| !rows.contains_key(id))
            .map(EntityId)
            .collect();
        for chunk in missing.chunks(MAX_BOUND) {
            for row in self.entities_by_id(chunk).await? {
                rows.insert(row.id.0, Arc::new(row));
            }
        }
        walks.into_iter().map(|w| w.finish(&rows)).collect()
    }
}

/// Rows of a level read at once: at least this many, and at most so many.
const PAGE_MIN: usize = 1000;
const PAGE_MAX: usize = 20_000;
/// Values one statement binds at most (SQLite's limit is 32,766).
const MAX_BOUND: usize = 30_000;

/// The sorted, distinct ids of several sets.
fn union<'a, I, J>(sets: I) -> Vec<i64>
where
    I: Iterator<Item = J>,
    J: Iterator<Item = &'a i64>,
{
    let mut ids: Vec<i64> = sets.flatten().copied().collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

/// Ways a walk may leave an entity: upstream, downstream, or both (the root of a BOTH walk).
const UP: u8 = 1;
const DOWN: u8 = 2;

/// One root's walk in progress: ids and edges only, the entities are read at the end.
struct Walk {
    root: Arc<EntityRecord>,
    /// Entities reached, with the ways the walk may leave them.
    visited: HashMap<i64, u8>,
    frontier: HashMap<i64, u8>,
    /// The next level's frontier, as this level's rows arrive.
    next: HashMap<i64, u8>,
    /// Entities reached besides the root: id, degree, the edge that reached it.
    nodes: Vec<(i64, u32, edge::Model)>,
    edges: Vec<edge::Model>,
    edge_ids: HashSet<i64>,
    truncated: bool,
    /// Entities it would have left by an edge, but for the depth or the budget.
    cut_off: HashSet<i64>,
    levels: u32,
    /// Whether this walk took part in every page of the current level so far.
    complete: bool,
}

impl Walk {
    fn new(root: Arc<EntityRecord>, direction: Direction) -> Walk {
        let ways = match direction {
            Direction::Upstream => UP,
            Direction::Downstream => DOWN,
            Direction::Both => UP | DOWN,
        };
        Walk {
            visited: HashMap::from([(root.id.0, ways)]),
            frontier: HashMap::from([(root.id.0, ways)]),
            next: HashMap::new(),
            root,
            nodes: Vec::new(),
            edges: Vec::new(),
            edge_ids: HashSet::new(),
            truncated: false,
            cut_off: HashSet::new(),
            levels: 0,
            complete: false,
        }
    }

    /// Whether rows of this level it has not read could still change its answer: it may add
    /// entities, or it does not yet know whether the depth or the budget cut anything off.
    fn open(&self, level: u32, spec: &TraversalSpec) -> bool {
        let can_add = level <= spec.depth && self.nodes.len() < spec.budget;
        !self.frontier.is_empty() && (can_add || !self.truncated)
    }

    /// Takes rows of the current level and moves this walk on.
    fn step(&mut self, rows: &[edge::Model], level: u32, spec: &TraversalSpec) {
        for row in rows {
            // Down an edge from its source, or up it from its destination.
            let moves = [
                (row.source_id, DOWN, row.destination_id),
                (row.destination_id, UP, row.source_id),
            ];
            let mut touches = false;
            for (from, way, to) in moves {
                let Some(ways) = self.frontier.get(&from) else {
                    continue;
                };
                touches = true;
                if ways & way == 0 || self.visited.contains_key(&to) {
                    continue;
                }
                if level > spec.depth || self.nodes.len() >= spec.budget {
                    self.truncated = true;
                    self.cut_off.insert(from);
                    continue;
                }
                self.visited.insert(to, way);
                self.next.insert(to, way);
                self.nodes.push((to, level, row.clone()));
            }
            let both_in = self.visited.contains_key(&row.source_id)
                && self.visited.contains_key(&row.destination_id);
            if touches && both_in && self.edge_ids.insert(row.id) {
                self.edges.push(row.clone());
            }
        }
    }

    fn end_level(&mut self) {
        self.frontier = std::mem::take(&mut self.next);
    }

    fn finish(self, rows: &HashMap<i64, Arc<EntityRecord>>) -> Result<Traversal> {
        let row = |id: i64| {
            rows.get(&id).cloned().ok_or_else(|| {
                Error::Internal(anyhow::anyhow!("entity {id} vanished during a traversal"))
            })
        };
        let nodes = self
            .nodes
            .into_iter()
            .map(|(id, degree, via)| {
                Ok(Reached {
                    entity: row(id)?,
                    degree,
                    via: via.try_into()?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let edges = self
            .edges
            .into_iter()
            .map(|edge| {
                Ok(Edge {
                    source: row(edge.source_id)?,
                    destination: row(edge.destination_id)?,
                    edge: edge.try_into()?,
                })
            })
            .collect::<Result<_>>()?;
        crate::metrics::traversal(nodes.len(), self.truncated);
        Ok(Traversal {
            root: self.root,
            nodes,
            edges,
            truncated: self.truncated,
            cut_off: self.cut_off.into_iter().map(EntityId).collect(),
            levels: self.levels,
        })
    }
}

impl Traversal {
    fn all_nodes(&self) -> impl Iterator<Item = &Arc<EntityRecord>> {
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
            let kind = &n.kind;
            let (shape, fill) = dot_style(kind);
            let root = if n.id == self.root.id {
                ", penwidth=2.5"
            } else {
                ""
            };
            let _ = writeln!(
                out,
                "  \"{}\" [label=\"{}\\n{kind}\", shape={shape}, fillcolor=\"{fill}\"{root}];",
                dot_escape(&n.urn),
                dot_escape(&super::columns::column_label(n).unwrap_or_else(|| n.name.clone())),
            );
        }
        for e in &self.edges {
            let _ = writeln!(
                out,
                "  \"{}\" -> \"{}\" [label=\"{}\"];",
                dot_escape(&e.source.urn),
                dot_escape(&e.destination.urn),
                e.edge.relation.as_str()
            );
        }
        out.push_str("}\n");
        out
    }

    /// The graph as a Mermaid flowchart, left to right.
    pub fn to_mermaid(&self) -> String {
        let ids: HashMap<EntityId, usize> = self
            .all_nodes()
            .enumerate()
            .map(|(i, n)| (n.id, i))
            .collect();
        let mut out = String::from("flowchart LR\n");
        for (i, n) in self.all_nodes().enumerate() {
            let _ = writeln!(
                out,
                "  n{i}[\"{}<br/><small>{}</small>\"]",
                mermaid_escape(&super::columns::column_label(n).unwrap_or_else(|| n.name.clone())),
                n.kind
            );
        }
        for e in &self.edges {
            let (Some(a), Some(b)) = (ids.get(&e.source.id), ids.get(&e.destination.id)) else {
                continue;
            };
            let _ = writeln!(out, "  n{a} -->|{}| n{b}", e.edge.relation.as_str());
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
        EntityKind::Other(k) if k == "dataProcessInstance" => ("hexagon", "#ffedd5"),
        EntityKind::Other(k) if k == "schemaField" => ("note", "#e0f2fe"),
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

/// Edges read with their ends, as the catalog's edges: an end shared by many edges is one
/// record.
fn edges_of_rows(found: edge::EdgesWithEnds) -> Result<Vec<Edge>> {
    // One entity can end many edges: it is shared, not copied.
    let ends: HashMap<i64, Arc<EntityRecord>> = found
        .ends
        .into_iter()
        .map(|(id, row)| (id, Arc::new(EntityRecord::from(row))))
        .collect();
    let end = |id: i64| {
        ends.get(&id).cloned().ok_or_else(|| {
            Error::Internal(anyhow::anyhow!("edge end {id} was not read with its edge"))
        })
    };
    found
        .edges
        .into_iter()
        .map(|edge| {
            Ok(Edge {
                source: end(edge.source_id)?,
                destination: end(edge.destination_id)?,
                edge: edge.try_into()?,
            })
        })
        .collect()
}
