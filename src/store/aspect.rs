//! The aspect table: every version of every aspect, `is_latest` marking the current one; and
//! every statement that reads or writes it.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Alias, Expr, Order, Query, WindowStatement};
use sea_orm::{ConnectionTrait, DbBackend, FromQueryResult, QueryOrder, Value as SqlValue};

use super::sql::{self, Sql};
use super::CHUNK;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aspect")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// 1 for the first write, then one more for each write that changed the value.
    pub version: i64,
    pub is_latest: bool,
    /// The aspect as JSON text.
    pub value: String,
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `SELECT <columns> FROM "aspect"` of the latest version of each `(entity id, aspect name)`
/// pair, in one statement. It asks for every id with every name, so the rows may hold pairs
/// nobody asked for: the caller keeps its own. `pairs` must not be empty.
fn select_latest<'a>(
    backend: DbBackend,
    columns: &str,
    pairs: impl Iterator<Item = (i64, &'a str)>,
) -> Sql {
    let (mut ids, mut names): (Vec<i64>, Vec<&str>) = pairs.unzip();
    ids.sort_unstable();
    ids.dedup();
    names.sort_unstable();
    names.dedup();
    let mut q = Sql::new(
        backend,
        &format!("SELECT {columns} FROM \"aspect\" WHERE \"entity_id\" IN "),
    );
    q.list(ids)
        .push(" AND \"name\" IN ")
        .list(names)
        .push(" AND \"is_latest\" = ")
        .bind(true);
    q
}

/// The latest value of an aspect, as the readers need it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestValue {
    pub entity_id: i64,
    pub name: String,
    /// JSON text.
    pub value: String,
}

/// The latest value of each `(entity id, aspect name)` pair that has one, in one statement.
/// Only three columns are read: every column read costs a copy per row. The rows may hold
/// pairs nobody asked for (see [`select_latest`]).
pub async fn latest_values(
    db: &impl ConnectionTrait,
    pairs: &[(i64, &str)],
) -> Result<Vec<LatestValue>, DbErr> {
    if pairs.is_empty() {
        return Ok(Vec::new());
    }
    let q = select_latest(
        db.get_database_backend(),
        "\"entity_id\", \"name\", \"value\"",
        pairs.iter().copied(),
    );
    q.rows(db)
        .await?
        .iter()
        .map(|row| {
            Ok(LatestValue {
                entity_id: row.try_get_by_index(0)?,
                name: row.try_get_by_index(1)?,
                value: row.try_get_by_index(2)?,
            })
        })
        .collect()
}

/// The latest stored version of an aspect: what a write compares with and replaces.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LatestRow {
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    pub version: i64,
    pub value: String,
}

/// The latest version of each of `pairs` that has one: only the five columns a write needs.
pub async fn latest_for_write(
    db: &impl ConnectionTrait,
    pairs: &[(i64, &str)],
) -> Result<Vec<LatestRow>, DbErr> {
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let q = select_latest(
            db.get_database_backend(),
            "\"id\", \"entity_id\", \"name\", \"version\", \"value\"",
            chunk.iter().copied(),
        );
        for row in q.rows(db).await? {
            let row = LatestRow {
                id: row.try_get_by_index(0)?,
                entity_id: row.try_get_by_index(1)?,
                name: row.try_get_by_index(2)?,
                version: row.try_get_by_index(3)?,
                value: row.try_get_by_index(4)?,
            };
            // The id × name product may hold pairs nobody asked for.
            if chunk.contains(&(row.entity_id, row.name.as_str())) {
                out.push(row);
            }
        }
    }
    Ok(out)
}

/// The highest version number of each of `pairs` that has versions, as `(entity id, aspect
/// name, version)`: where the next version of an aspect that has no latest one (it was
/// removed) continues. The rows may hold pairs nobody asked for; the caller keeps its own.
pub async fn last_versions(
    db: &impl ConnectionTrait,
    pairs: &[(i64, &str)],
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let (mut ids, mut names): (Vec<i64>, Vec<&str>) = chunk.iter().copied().unzip();
        ids.sort_unstable();
        ids.dedup();
        names.sort_unstable();
        names.dedup();
        let mut q = Sql::new(
            db.get_database_backend(),
            "SELECT \"entity_id\", \"name\", MAX(\"version\") FROM \"aspect\" WHERE \"entity_id\" IN ",
        );
        q.list(ids)
            .push(" AND \"name\" IN ")
            .list(names)
            .push(" GROUP BY \"entity_id\", \"name\"");
        for row in q.rows(db).await? {
            let entity_id: i64 = row.try_get_by_index(0)?;
            let name: String = row.try_get_by_index(1)?;
            let version: i64 = row.try_get_by_index(2)?;
            if chunk.contains(&(entity_id, name.as_str())) {
                out.push((entity_id, name, version));
            }
        }
    }
    Ok(out)
}

/// Unmarks the versions `ids` as latest: newer ones replace them.
pub async fn unmark_latest(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        Entity::update_many()
            .col_expr(Column::IsLatest, Expr::value(false))
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// A version to insert.
pub struct NewVersion {
    pub entity_id: i64,
    pub name: String,
    pub version: i64,
    pub is_latest: bool,
    /// JSON text.
    pub value: String,
    pub actor: String,
    pub run_id: Option<String>,
}

/// Inserts versions, all written at `now`, in a few multi-row statements.
pub async fn insert_versions(
    db: &impl ConnectionTrait,
    versions: Vec<NewVersion>,
    now: i64,
) -> Result<(), DbErr> {
    let columns = [
        Column::EntityId,
        Column::Name,
        Column::Version,
        Column::IsLatest,
        Column::Value,
        Column::CreatedAt,
        Column::Actor,
        Column::RunId,
    ];
    let rows: Vec<Vec<SqlValue>> = versions
        .into_iter()
        .map(|v| -> Vec<SqlValue> {
            vec![
                v.entity_id.into(),
                v.name.into(),
                v.version.into(),
                v.is_latest.into(),
                v.value.into(),
                now.into(),
                v.actor.into(),
                v.run_id.into(),
            ]
        })
        .collect();
    sql::insert_chunked(db, "aspect", &columns, rows).await
}

/// One version of one aspect of the entity `urn`: the latest when `version` is `None`.
pub async fn version_of(
    db: &impl ConnectionTrait,
    urn: &str,
    name: &str,
    version: Option<i64>,
) -> Result<Option<Model>, DbErr> {
    let owner = Query::select()
        .column(super::entity::Column::Id)
        .from(super::entity::Entity)
        .and_where(super::entity::Column::Urn.eq(urn))
        .to_owned();
    let find = Entity::find()
        .filter(Column::EntityId.in_subquery(owner))
        .filter(Column::Name.eq(name));
    let find = match version {
        None => find.filter(Column::IsLatest.eq(true)),
        Some(n) => find.filter(Column::Version.eq(n)),
    };
    find.one(db).await
}

/// The latest version of every aspect of one entity, by aspect name.
pub async fn latest_of_entity(
    db: &impl ConnectionTrait,
    entity_id: i64,
) -> Result<Vec<Model>, DbErr> {
    Entity::find()
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::IsLatest.eq(true))
        .order_by_asc(Column::Name)
        .all(db)
        .await
}

/// The versions of the given entities' aspects (of one aspect when `name` is given), at most
/// `limit` per entity, each entity's newest first (later transactions first, and within one
/// transaction the later write); one statement for all entities.
pub async fn histories(
    db: &impl ConnectionTrait,
    entity_ids: &[i64],
    name: Option<&str>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let newest_first = WindowStatement::partition_by(Column::EntityId)
        .order_by(Column::CreatedAt, Order::Desc)
        .order_by(Column::Id, Order::Desc)
        .to_owned();
    let rank = Alias::new("rank_in_entity");
    let mut ranked = Query::select();
    ranked
        .columns(<Column as sea_orm::Iterable>::iter())
        .expr_window_as(Expr::cust("ROW_NUMBER()"), newest_first, rank.clone())
        .from(Entity)
        .and_where(Column::EntityId.is_in(entity_ids.iter().copied()));
    if let Some(name) = name {
        ranked.and_where(Column::Name.eq(name));
    }
    let history = Alias::new("history");
    let statement = Query::select()
        .columns(<Column as sea_orm::Iterable>::iter().map(|c| (history.clone(), c)))
        .from_subquery(ranked, history.clone())
        .and_where(Expr::col((history.clone(), rank)).lte(limit))
        .order_by((history.clone(), Column::EntityId), Order::Asc)
        .order_by((history.clone(), Column::CreatedAt), Order::Desc)
        .order_by((history, Column::Id), Order::Desc)
        .to_owned();
    // Decoded by column name.
    Model::find_by_statement(db.get_database_backend().build(&statement))
        .all(db)
        .await
}
