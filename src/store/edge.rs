//! The edge table: relationships derived from aspects, `source` upstream and `destination`
//! downstream, an edge its aspect stops declaring marked with `removed_at` rather than deleted;
//! and every statement that reads or writes it.

use std::borrow::Cow;
use std::collections::HashMap;
use std::sync::OnceLock;

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{
    Alias, Condition, Expr, JoinType, Order, PostgresQueryBuilder, Query, SelectStatement,
    SimpleExpr, SqliteQueryBuilder,
};
use sea_orm::{ConnectionTrait, DbBackend, Iterable};

use super::sql::{self, Sql};
use super::{entity, removal, CHUNK};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "edge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub destination_id: i64,
    pub relation: String,
    /// The entity whose aspect declares the edge.
    pub declared_by: i64,
    pub aspect: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

impl Model {
    /// How many columns a row has, in the order of [`Column::iter`].
    pub const WIDTH: usize = 8;

    /// Decodes the row's columns `at..at + WIDTH`, selected in the order of [`Column::iter`]
    /// (see `entity::Model::from_row_at`; `store::tests` checks both).
    pub fn from_row_at(row: &QueryResult, at: usize) -> Result<Model, DbErr> {
        Ok(Model {
            id: row.try_get_by_index(at)?,
            source_id: row.try_get_by_index(at + 1)?,
            destination_id: row.try_get_by_index(at + 2)?,
            relation: row.try_get_by_index(at + 3)?,
            declared_by: row.try_get_by_index(at + 4)?,
            aspect: row.try_get_by_index(at + 5)?,
            created_at: row.try_get_by_index(at + 6)?,
            removed_at: row.try_get_by_index(at + 7)?,
        })
    }
}

/// Which edges of a set of entities: those leaving them (downstream), those arriving at them
/// (upstream), or both.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Leaving,
    Arriving,
    Both,
}

const SRC: &str = "s";
const DST: &str = "d";

/// `SELECT edge.*, s.*, d.* FROM edge JOIN entity s JOIN entity d WHERE <live>` as SQL text for
/// `backend`, each part in the order of its `Column::iter`, to be read back by position
/// (`from_row_at`); the caller adds ` AND ...` conditions. The text of the current graph is
/// the same for every read, so it is made once per backend: quoting 28 qualified columns
/// through sea-query cost more than running the statement (see `store::sql`).
fn edges_with_ends(backend: DbBackend, as_of: Option<i64>) -> Cow<'static, str> {
    let make = |as_of: Option<i64>| {
        let mut q = Query::select();
        from_live_edges(&mut q, as_of);
        // Read by position, so the columns need no aliases.
        for col in Column::iter() {
            q.column((Entity, col));
        }
        for end in [SRC, DST] {
            for col in entity::Column::iter() {
                q.column((Alias::new(end), col));
            }
        }
        // Values are written inline (`FALSE`, a timestamp), so the text holds no placeholders
        // and the caller's start at the first.
        match backend {
            DbBackend::Postgres => q.to_string(PostgresQueryBuilder),
            _ => q.to_string(SqliteQueryBuilder),
        }
    };
    match as_of {
        None => {
            // One text per backend: SQLite's, then PostgreSQL's.
            static NOW: [OnceLock<String>; 2] = [OnceLock::new(), OnceLock::new()];
            let slot = &NOW[usize::from(backend == DbBackend::Postgres)];
            Cow::Borrowed(slot.get_or_init(|| make(None)).as_str())
        }
        Some(_) => Cow::Owned(make(as_of)),
    }
}

/// `FROM edge JOIN entity s JOIN entity d`, keeping the edges active at `as_of` (now when
/// `None`) whose two ends were not soft-deleted then. Edge reads of every kind share it.
fn from_live_edges(q: &mut SelectStatement, as_of: Option<i64>) {
    q.from(Entity);
    for (end, column) in [(SRC, Column::SourceId), (DST, Column::DestinationId)] {
        q.join_as(
            JoinType::InnerJoin,
            entity::Entity,
            Alias::new(end),
            Expr::col((Alias::new(end), entity::Column::Id)).equals((Entity, column)),
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
    match as_of {
        None => Condition::all().add(Expr::col((Entity, Column::RemovedAt)).is_null()),
        Some(t) => Condition::all()
            .add(Expr::col((Entity, Column::CreatedAt)).lte(t))
            .add(
                Condition::any()
                    .add(Expr::col((Entity, Column::RemovedAt)).is_null())
                    .add(Expr::col((Entity, Column::RemovedAt)).gt(t)),
            ),
    }
}

/// Edges with both their ends: each end's row decoded once however many edges it ends.
#[derive(Debug, Default)]
pub struct EdgesWithEnds {
    /// In edge id order.
    pub edges: Vec<Model>,
    /// The ends of `edges`, by id.
    pub ends: HashMap<i64, entity::Model>,
}

/// The live edges (at `as_of`, or now) on `side` of `ids`, of `relations` when given, with
/// both ends; one statement.
pub async fn with_ends(
    db: &impl ConnectionTrait,
    ids: &[i64],
    side: Side,
    relations: Option<&[&str]>,
    as_of: Option<i64>,
) -> Result<EdgesWithEnds, DbErr> {
    if ids.is_empty() {
        return Ok(EdgesWithEnds::default());
    }
    let mut q = matching(db.get_database_backend(), ids, side, relations, as_of);
    q.push(" ORDER BY \"edge\".\"id\" ASC");
    decode_with_ends(q.rows(db).await?)
}

/// A page of the live edges on `side` of one entity, of `relations`, with both ends, in edge
/// id order, and how many there are in all; two statements. For an entity at the end of many
/// edges (a tag on thousands of entities) where a page is wanted, not all of them.
pub async fn page_with_ends(
    db: &impl ConnectionTrait,
    id: i64,
    side: Side,
    relations: &[&str],
    start: u64,
    count: u64,
) -> Result<(u64, EdgesWithEnds), DbErr> {
    let backend = db.get_database_backend();
    let total = matching(backend, &[id], side, Some(relations), None)
        .within("SELECT COUNT(*) FROM (", ") AS \"matching\"")
        .rows(db)
        .await?;
    let total: i64 = match total.first() {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    if count == 0 || start >= total as u64 {
        return Ok((total as u64, EdgesWithEnds::default()));
    }
    let mut q = matching(backend, &[id], side, Some(relations), None);
    // Whole numbers, written as text: no placeholder needed.
    q.push(&format!(
        " ORDER BY \"edge\".\"id\" ASC LIMIT {count} OFFSET {start}"
    ));
    Ok((total as u64, decode_with_ends(q.rows(db).await?)?))
}

/// The statement of the live edges on `side` of `ids`, of `relations` when given, with both
/// ends; unordered.
fn matching(
    backend: DbBackend,
    ids: &[i64],
    side: Side,
    relations: Option<&[&str]>,
    as_of: Option<i64>,
) -> Sql {
    let mut q = Sql::new(backend, &edges_with_ends(backend, as_of));
    let (leaving, arriving) = (
        "\"edge\".\"source_id\" IN ",
        "\"edge\".\"destination_id\" IN ",
    );
    match side {
        Side::Leaving => q.push(" AND ").push(leaving).list(ids.iter().copied()),
        Side::Arriving => q.push(" AND ").push(arriving).list(ids.iter().copied()),
        Side::Both => q
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
            .list(relations.iter().copied());
    }
    q
}

/// Rows of edges with both ends, each end decoded once.
fn decode_with_ends(rows: Vec<QueryResult>) -> Result<EdgesWithEnds, DbErr> {
    let mut out = EdgesWithEnds {
        edges: Vec::with_capacity(rows.len()),
        ends: HashMap::new(),
    };
    let (src_at, dst_at) = (Model::WIDTH, Model::WIDTH + entity::Model::WIDTH);
    for row in &rows {
        let edge = Model::from_row_at(row, 0)?;
        for (id, at) in [(edge.source_id, src_at), (edge.destination_id, dst_at)] {
            if let std::collections::hash_map::Entry::Vacant(end) = out.ends.entry(id) {
                end.insert(entity::Model::from_row_at(row, at)?);
            }
        }
        out.edges.push(edge);
    }
    Ok(out)
}

/// What one statement of a traversal level reads.
#[derive(Clone, Copy)]
pub struct LevelRead<'a> {
    /// The frontier: edges leaving these, arriving at them, or both.
    pub from: &'a [i64],
    pub side: Side,
    /// Only edges whose other end is one of these (the entities a walk already answered).
    pub to: Option<&'a [i64]>,
    /// Only these relations (all when `None`; the catalog's walks always name them, the
    /// lineage relations unless the caller asked for others).
    pub relations: Option<&'a [String]>,
    /// The graph as it was at this time (now when `None`).
    pub as_of: Option<i64>,
    /// Only rows after this one, in the level's order.
    pub after: Option<&'a Model>,
    pub limit: Option<u64>,
}

/// The order of a level's rows. Leaving and arriving follow the edge indexes (the frontier
/// end, the relation, the edge id), so a page of a wide level is read without sorting it.
fn level_order(side: Side) -> &'static [Column] {
    match side {
        Side::Leaving => &[Column::SourceId, Column::Relation, Column::Id],
        Side::Arriving => &[Column::DestinationId, Column::Relation, Column::Id],
        Side::Both => &[Column::Id],
    }
}

/// A column of an edge row as a value, for comparing with the level's order.
fn value_of(row: &Model, col: Column) -> SimpleExpr {
    match col {
        Column::SourceId => Expr::val(row.source_id).into(),
        Column::DestinationId => Expr::val(row.destination_id).into(),
        Column::Relation => Expr::val(row.relation.clone()).into(),
        _ => Expr::val(row.id).into(),
    }
}

/// The live edges of one traversal level, without their ends: a walk needs only ids.
pub async fn level(db: &impl ConnectionTrait, read: LevelRead<'_>) -> Result<Vec<Model>, DbErr> {
    let col = |c: Column| Expr::col((Entity, c));
    // Edges leaving `read.from` by `near`, and arriving at `read.to` by `far` if given.
    let toward = |near: Column, far: Column| {
        let part = Condition::all().add(col(near).is_in(read.from.iter().copied()));
        match read.to {
            Some(to) => part.add(col(far).is_in(to.iter().copied())),
            None => part,
        }
    };
    let (source, destination) = (Column::SourceId, Column::DestinationId);
    let touching = match read.side {
        Side::Leaving => toward(source, destination),
        Side::Arriving => toward(destination, source),
        Side::Both => Condition::any()
            .add(toward(source, destination))
            .add(toward(destination, source)),
    };
    let order = level_order(read.side);
    let mut q = Query::select();
    from_live_edges(&mut q, read.as_of);
    for c in Column::iter() {
        q.expr_as(col(c), Alias::new(c.as_str()));
    }
    q.cond_where(touching);
    if let Some(relations) = read.relations {
        q.and_where(col(Column::Relation).is_in(relations.iter().map(String::as_str)));
    }
    if let Some(after) = read.after {
        q.and_where(
            Expr::tuple(order.iter().map(|&c| col(c).into()))
                .gt(Expr::tuple(order.iter().map(|&c| value_of(after, c)))),
        );
    }
    for &c in order {
        q.order_by((Entity, c), Order::Asc);
    }
    if let Some(limit) = read.limit {
        q.limit(limit);
    }
    let rows = db.query_all(db.get_database_backend().build(&q)).await?;
    rows.iter().map(|row| Model::from_row_at(row, 0)).collect()
}

/// The current edges declared by the aspects `names` of the entities `owners`: it asks for
/// every owner with every name, so the caller keeps the pairs it wants.
pub async fn declared(
    db: &impl ConnectionTrait,
    owners: &[i64],
    names: &[&str],
) -> Result<Vec<Model>, DbErr> {
    static SELECT: OnceLock<String> = OnceLock::new();
    let select = SELECT.get_or_init(|| {
        format!(
            "SELECT {} FROM \"edge\" WHERE \"edge\".\"declared_by\"",
            sql::columns::<Column>("edge")
        )
    });
    let mut q = Sql::new(db.get_database_backend(), select);
    q.any(owners.iter().copied())
        .push(" AND \"edge\".\"aspect\"")
        .any(names.iter().copied())
        .push(" AND \"edge\".\"removed_at\" IS NULL");
    let rows = q.rows(db).await?;
    rows.iter().map(|row| Model::from_row_at(row, 0)).collect()
}

/// Marks edges as no longer declared at `now`.
pub async fn mark_removed(db: &impl ConnectionTrait, ids: &[i64], now: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Sql::new(backend, "UPDATE \"edge\" SET \"removed_at\" = ");
        q.bind(now).push(" WHERE \"id\"").any(chunk.iter().copied());
        q.execute(db).await?;
    }
    Ok(())
}

/// An edge to insert.
pub struct NewEdge<'a> {
    pub source_id: i64,
    pub destination_id: i64,
    pub relation: &'a str,
    pub declared_by: i64,
    pub aspect: &'a str,
}

/// Inserts edges, all made at `now`, in a few multi-row statements.
pub async fn insert(
    db: &impl ConnectionTrait,
    edges: Vec<NewEdge<'_>>,
    now: i64,
) -> Result<(), DbErr> {
    let columns = [
        Column::SourceId,
        Column::DestinationId,
        Column::Relation,
        Column::DeclaredBy,
        Column::Aspect,
        Column::CreatedAt,
    ];
    let rows: Vec<Vec<Value>> = edges
        .into_iter()
        .map(|e| {
            vec![
                e.source_id.into(),
                e.destination_id.into(),
                e.relation.into(),
                e.declared_by.into(),
                e.aspect.into(),
                now.into(),
            ]
        })
        .collect();
    sql::insert_rows(db, "edge", &columns, rows, "").await
}

/// Deletes every edge that touches one entity, in either direction or declared by it, removed
/// ones included (a hard delete leaves no lineage through it, not even as of the past). How
/// many went.
pub async fn delete_touching(db: &impl ConnectionTrait, entity_id: i64) -> Result<u64, DbErr> {
    let done = Entity::delete_many()
        .filter(
            Condition::any()
                .add(Column::SourceId.eq(entity_id))
                .add(Column::DestinationId.eq(entity_id))
                .add(Column::DeclaredBy.eq(entity_id)),
        )
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// `(source, destination)` of the current edges of `relation` leaving `sources`.
pub async fn current_from(
    db: &impl ConnectionTrait,
    sources: &[i64],
    relation: &str,
) -> Result<Vec<(i64, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in sources.chunks(CHUNK) {
        let mut q = Sql::new(
            db.get_database_backend(),
            "SELECT \"source_id\", \"destination_id\" FROM \"edge\" WHERE \"removed_at\" IS NULL \
             AND \"relation\" = ",
        );
        q.bind(relation)
            .push(" AND \"source_id\" IN ")
            .list(chunk.iter().copied());
        for row in q.rows(db).await? {
            out.push((row.try_get_by_index(0)?, row.try_get_by_index(1)?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_positional_decoder_knows_every_column() {
        assert_eq!(Column::iter().count(), Model::WIDTH);
    }
}
