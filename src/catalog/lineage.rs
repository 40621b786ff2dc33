//! Reading the edge table: the edges around a set of entities in one statement (for loaders),
//! and the level-by-level traversal behind the lineage queries, with its DOT and Mermaid forms.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::fmt::Write as _;
use std::sync::{Arc, OnceLock};

use sea_orm::sea_query::{
    Alias, Condition, Expr, JoinType, Order, PostgresQueryBuilder, Query, SelectStatement,
    SimpleExpr,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, IdenStatic, Iterable, PaginatorTrait, QueryFilter,
    QueryResult,
};

use super::records::{Edge, EdgeRecord, EntityId, EntityRecord};
use super::{Catalog, Error, Result};
use crate::store::sql::Sql;
use crate::store::{edge, entity, removal};
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
    /// Only these relations (all when `None`).
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
    /// Levels of the edge table read: one SQL statement each, or a few when a budget runs out
    /// within a level (see [`Catalog::traverse_many`]).
    pub levels: u32,
}

const SRC: &str = "s";
const DST: &str = "d";

/// `SELECT edge.*, s.*, d.* FROM edge JOIN entity s JOIN entity d WHERE <live>` as SQL text,
/// each part in the order of its `Column::iter`, to be read back by position (`from_row_at`);
/// the caller adds ` AND ...` conditions. The text is the same for every read of the current
/// graph, so it is made once: quoting 28 qualified columns through sea-query cost more than
/// running the statement (see `store::sql`).
fn edges_with_ends(as_of: Option<i64>) -> Cow<'static, str> {
    let make = |as_of: Option<i64>| {
        let mut q = Query::select();
        from_live_edges(&mut q, as_of);
        // Read by position, so the columns need no aliases.
        for col in edge::Column::iter() {
            q.column((edge::Entity, col));
        }
        for end in [SRC, DST] {
            for col in entity::Column::iter() {
                q.column((Alias::new(end), col));
            }
        }
        // Values are written inline (`FALSE`, a timestamp), so the text holds no placeholders
        // and the caller's start at `$1`. Both backends read PostgreSQL's quoting.
        q.to_string(PostgresQueryBuilder)
    };
    match as_of {
        None => {
            static NOW: OnceLock<String> = OnceLock::new();
            Cow::Borrowed(NOW.get_or_init(|| make(None)).as_str())
        }
        Some(_) => Cow::Owned(make(as_of)),
    }
}

/// `FROM edge JOIN entity s JOIN entity d`, keeping the edges active at `as_of` (now when
/// `None`) whose two ends were not soft-deleted then. Edge reads of every kind share it.
fn from_live_edges(q: &mut SelectStatement, as_of: Option<i64>) {
    q.from(edge::Entity);
    for (end, column) in [
        (SRC, edge::Column::SourceId),
        (DST, edge::Column::DestinationId),
    ] {
        q.join_as(
            JoinType::InnerJoin,
            entity::Entity,
            Alias::new(end),
            Expr::col((Alias::new(end), entity::Column::Id)).equals((edge::Entity, column)),
        )
        .and_where(not_removed(end, as_of));
    }
    q.cond_where(active_at(as_of));
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

/// What one statement of a traversal level reads.
struct LevelRead<'a> {
    /// The frontier: edges leaving these (downstream), arriving at them (upstream), or both.
    from: &'a [i64],
    /// Only edges whose other end is one of these (the entities a walk already answered).
    to: Option<&'a [i64]>,
    /// Only rows after this one, in the level's order.
    after: Option<&'a edge::Model>,
    limit: Option<u64>,
}

/// The order of a level's rows. Downstream and upstream follow the edge indexes (the frontier
/// end, the relation, the edge id), so a page of a wide level is read without sorting the level.
fn level_order(direction: Direction) -> Vec<edge::Column> {
    match direction {
        Direction::Downstream => vec![
            edge::Column::SourceId,
            edge::Column::Relation,
            edge::Column::Id,
        ],
        Direction::Upstream => vec![
            edge::Column::DestinationId,
            edge::Column::Relation,
            edge::Column::Id,
        ],
        Direction::Both => vec![edge::Column::Id],
    }
}

/// A column of an edge row as a value, for comparing with the level's order.
fn edge_value(row: &edge::Model, col: edge::Column) -> SimpleExpr {
    match col {
        edge::Column::SourceId => Expr::val(row.source_id).into(),
        edge::Column::DestinationId => Expr::val(row.destination_id).into(),
        edge::Column::Relation => Expr::val(row.relation.clone()).into(),
        edge::Column::Id => Expr::val(row.id).into(),
        other => unreachable!("{other:?} is not part of a level's order"),
    }
}

impl Catalog {
    /// The edges touching `ids` in `direction` (downstream: edges leaving them; upstream:
    /// edges arriving), with both ends, in one statement.
    pub async fn edges_of(
        &self,
        entities: &[EntityId],
        direction: Direction,
        relations: Option<&[String]>,
        as_of: Option<i64>,
    ) -> Result<Vec<Edge>> {
        if entities.is_empty() {
            return Ok(Vec::new());
        }
        let ids: Vec<i64> = entities.iter().map(|e| e.0).collect();
        let mut q = Sql::new(self.db.get_database_backend(), &edges_with_ends(as_of));
        let (leaving, arriving) = (
            "\"edge\".\"source_id\" IN ",
            "\"edge\".\"destination_id\" IN ",
        );
        match direction {
            Direction::Downstream => q.push(" AND ").push(leaving).list(ids.iter().copied()),
            Direction::Upstream => q.push(" AND ").push(arriving).list(ids.iter().copied()),
            Direction::Both => q
                .push(" AND (")
                .push(leaving)
                .list(ids.iter().copied())
                .push(" OR ")
                .push(arriving)
                .list(ids.iter().copied())
                .push(")"),
        };
        if let Some(relations) = relations {
            q.push(" AND \"edge\".\"relation\" IN ")
                .list(relations.iter().map(String::as_str));
        }
        q.push(" ORDER BY \"edge\".\"id\" ASC");
        let rows = q.rows(&self.db).await?;
        // One entity can end many edges: decode its row once and share it.
        let mut seen: HashMap<i64, Arc<EntityRecord>> = HashMap::new();
        let mut end = |row: &QueryResult, id: i64, at: usize| -> Result<Arc<EntityRecord>> {
            if let Some(known) = seen.get(&id) {
                return Ok(known.clone());
            }
            let decoded = Arc::new(EntityRecord::from(entity::Model::from_row_at(row, at)?));
            seen.insert(id, decoded.clone());
            Ok(decoded)
        };
        let (src_at, dst_at) = (
            edge::Model::WIDTH,
            edge::Model::WIDTH + entity::Model::WIDTH,
        );
        rows.iter()
            .map(|row| {
                let edge = edge::Model::from_row_at(row, 0)?;
                Ok(Edge {
                    source: end(row, edge.source_id, src_at)?,
                    destination: end(row, edge.destination_id, dst_at)?,
                    edge: edge.try_into()?,
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
            .map(EntityRecord::from)
            .filter(|r| !r.removed || spec.as_of.is_some())
            .ok_or_else(|| Error::NotFound(format!("no entity with URN {}", spec.start)))?;
        if let Some(t) = spec.as_of {
            if self.removed_at(root.id.0, t).await? {
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

    /// The edges of one traversal level, without their ends: the walk needs only ids, and
    /// the entities it keeps are read once at the end.
    async fn level_edges(
        &self,
        read: LevelRead<'_>,
        spec: &TraversalSpec,
    ) -> Result<Vec<edge::Model>> {
        let col = |c: edge::Column| Expr::col((edge::Entity, c));
        // Edges leaving `read.from` by `near`, and arriving at `read.to` by `far` if given.
        let toward = |near: edge::Column, far: edge::Column| {
            let part = Condition::all().add(col(near).is_in(read.from.iter().copied()));
            match read.to {
                Some(to) => part.add(col(far).is_in(to.iter().copied())),
                None => part,
            }
        };
        let (source, destination) = (edge::Column::SourceId, edge::Column::DestinationId);
        let touching = match spec.direction {
            Direction::Downstream => toward(source, destination),
            Direction::Upstream => toward(destination, source),
            Direction::Both => Condition::any()
                .add(toward(source, destination))
                .add(toward(destination, source)),
        };
        let order = level_order(spec.direction);
        let mut q = Query::select();
        from_live_edges(&mut q, spec.as_of);
        for c in edge::Column::iter() {
            q.expr_as(col(c), Alias::new(c.as_str()));
        }
        q.cond_where(touching);
        if let Some(relations) = &spec.relations {
            q.and_where(col(edge::Column::Relation).is_in(relations.iter().map(String::as_str)));
        }
        if let Some(after) = read.after {
            q.and_where(
                Expr::tuple(order.iter().map(|&c| col(c).into()))
                    .gt(Expr::tuple(order.iter().map(|&c| edge_value(after, c)))),
            );
        }
        for &c in &order {
            q.order_by((edge::Entity, c), Order::Asc);
        }
        if let Some(limit) = read.limit {
            q.limit(limit);
        }
        let statement = self.db.get_database_backend().build(&q);
        let rows = self.db.query_all(statement).await?;
        rows.iter()
            .map(|row| Ok(edge::Model::from_row_at(row, 0)?))
            .collect()
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
                let rows = self
                    .level_edges(
                        LevelRead {
                            from: &from,
                            to: None,
                            after: after.as_ref(),
                            limit: Some(page as u64),
                        },
                        spec,
                    )
                    .await?;
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
                let rows = self
                    .level_edges(
                        LevelRead {
                            from: &from,
                            to: to.as_deref(),
                            after: None,
                            limit: None,
                        },
                        spec,
                    )
                    .await?;
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
            .collect::<Result<_>>()?;
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
        Ok(Traversal {
            root: self.root,
            nodes,
            edges,
            truncated: self.truncated,
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
                dot_escape(&n.name),
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
                mermaid_escape(&n.name),
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
