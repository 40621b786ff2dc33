//! The aspect table: every version of every aspect, `is_latest` marking the current one; and
//! every statement that reads or writes it.

use std::sync::OnceLock;

use sea_orm::entity::prelude::*;
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
    /// The version's place in the change feed, with `id` (see `store::feed`): 0 on SQLite.
    pub feed_key: i64,
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
        &format!("SELECT {columns} FROM \"aspect\" WHERE \"entity_id\""),
    );
    q.any(ids)
        .push(" AND \"name\"")
        .any(names)
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

/// Unmarks the versions `ids` as latest: newer ones replace them.
pub async fn unmark_latest(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Sql::new(backend, "UPDATE \"aspect\" SET \"is_latest\" = ");
        q.bind(false)
            .push(" WHERE \"id\"")
            .any(chunk.iter().copied());
        q.execute(db).await?;
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

/// Inserts versions, all written at `now` by a transaction whose feed key is `feed_key` (see
/// `store::feed`), in a few multi-row statements.
pub async fn insert_versions(
    db: &impl ConnectionTrait,
    versions: Vec<NewVersion>,
    now: i64,
    feed_key: i64,
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
        Column::FeedKey,
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
                feed_key.into(),
            ]
        })
        .collect();
    sql::insert_rows(db, "aspect", &columns, rows, "").await
}

/// One version of one aspect of the entity `urn`: the latest when `version` is `None`.
pub async fn version_of(
    db: &impl ConnectionTrait,
    urn: &str,
    name: &str,
    version: Option<i64>,
) -> Result<Option<Model>, DbErr> {
    // Text, not the query builder: building this statement cost more than running it.
    static SELECT: OnceLock<String> = OnceLock::new();
    let select = SELECT.get_or_init(|| {
        format!(
            "SELECT {} FROM \"aspect\" WHERE \"entity_id\" IN (SELECT \"id\" FROM \"entity\" \
             WHERE \"urn\" = ",
            sql::columns::<Column>("aspect")
        )
    });
    let mut q = Sql::new(db.get_database_backend(), select);
    q.bind(urn).push(") AND \"name\" = ").bind(name);
    match version {
        None => q.push(" AND \"is_latest\" = ").bind(true),
        Some(n) => q.push(" AND \"version\" = ").bind(n),
    };
    q.push(" LIMIT 1");
    Ok(decode(q.rows(db).await?)?.into_iter().next())
}

/// The version of aspect `name` of entity `entity_id` that was current at `time`
/// (milliseconds): the last one written at or before it (later transactions first, then the
/// later write of one transaction), removed or not; one statement.
pub async fn version_at(
    db: &impl ConnectionTrait,
    entity_id: i64,
    name: &str,
    time: i64,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::Name.eq(name))
        .filter(Column::CreatedAt.lte(time))
        .order_by_desc(Column::CreatedAt)
        .order_by_desc(Column::Id)
        .one(db)
        .await
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
    let statement = super::window::newest_per_entity::<Entity>(
        Column::EntityId,
        Column::CreatedAt,
        Column::Id,
        limit,
        |ranked| {
            ranked.and_where(Column::EntityId.is_in(entity_ids.iter().copied()));
            if let Some(name) = name {
                ranked.and_where(Column::Name.eq(name));
            }
        },
    );
    // Decoded by column name.
    Model::find_by_statement(db.get_database_backend().build(&statement))
        .all(db)
        .await
}

/// Deletes every version of every aspect of one entity (a hard delete); how many rows went.
pub async fn delete_of_entity(db: &impl ConnectionTrait, entity_id: i64) -> Result<u64, DbErr> {
    let done = Entity::delete_many()
        .filter(Column::EntityId.eq(entity_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}

/// The latest versions, of entities other than `except`, whose JSON text holds `needle` (a
/// URN as a JSON string, quotes included, so that a URN which only begins another does not
/// count), at most `limit`, by entity and aspect. A scan of the latest versions: it finds
/// every reference, whether or not it makes an edge.
pub async fn latest_containing(
    db: &impl ConnectionTrait,
    needle: &str,
    except: i64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let backend = db.get_database_backend();
    // Neither LIKE (its `_` and `%` are common in URNs) nor a pattern: a plain substring test.
    let contains = match backend {
        DbBackend::Postgres => "strpos(\"value\", ",
        _ => "instr(\"value\", ",
    };
    let mut q = Sql::new(
        backend,
        &format!(
            "SELECT {} FROM \"aspect\" WHERE \"is_latest\" = ",
            sql::columns::<Column>("aspect")
        ),
    );
    q.bind(true)
        .push(" AND \"entity_id\" <> ")
        .bind(except)
        .push(&format!(" AND {contains}"))
        .bind(needle)
        .push(") > 0 ORDER BY \"entity_id\", \"name\" LIMIT ")
        .bind(limit as i64);
    decode(q.rows(db).await?)
}

/// Rows selected with every column of the aspect table, by name.
fn decode(rows: Vec<QueryResult>) -> Result<Vec<Model>, DbErr> {
    rows.iter()
        .map(|row| Model::from_query_result(row, ""))
        .collect()
}

/// What one run wrote, for the list of runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunRow {
    pub run_id: String,
    /// Versions it wrote that are still the latest of their aspect.
    pub current: i64,
    /// Versions it wrote, in all.
    pub written: i64,
    /// When it last wrote.
    pub last_written_at: i64,
    /// Who wrote for it (the first name in order, when several did).
    pub actor: String,
}

/// The runs that wrote aspects, the latest to write first, one page of them; a run none of
/// whose versions is still the latest is left out unless `include_rolled_back`. `unnamed` is
/// the run id of writes that named no run, which is no run at all.
pub async fn runs(
    db: &impl ConnectionTrait,
    unnamed: &str,
    include_rolled_back: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<RunRow>, DbErr> {
    let backend = db.get_database_backend();
    let mut q = Sql::new(
        backend,
        "SELECT \"run_id\", SUM(CASE WHEN \"is_latest\" THEN 1 ELSE 0 END), COUNT(*), \
         MAX(\"created_at\"), MIN(\"actor\") FROM \"aspect\" \
         WHERE \"run_id\" IS NOT NULL AND \"run_id\" <> ",
    );
    q.bind(unnamed).push(" GROUP BY \"run_id\"");
    if !include_rolled_back {
        q.push(" HAVING SUM(CASE WHEN \"is_latest\" THEN 1 ELSE 0 END) > 0");
    }
    q.push(" ORDER BY MAX(\"created_at\") DESC, \"run_id\" LIMIT ")
        .bind(limit as i64)
        .push(" OFFSET ")
        .bind(offset as i64);
    q.rows(db)
        .await?
        .iter()
        .map(|row| {
            Ok(RunRow {
                run_id: row.try_get_by_index(0)?,
                current: row.try_get_by_index(1)?,
                written: row.try_get_by_index(2)?,
                last_written_at: row.try_get_by_index(3)?,
                actor: row.try_get_by_index(4)?,
            })
        })
        .collect()
}

/// The versions one run wrote, with their entity's URN, in the order written; only those
/// still the latest of their aspect unless `include_replaced`; one page of them.
pub async fn written_by_run(
    db: &impl ConnectionTrait,
    run_id: &str,
    include_replaced: bool,
    offset: u64,
    limit: u64,
) -> Result<Vec<(Model, String)>, DbErr> {
    let backend = db.get_database_backend();
    let mut q = Sql::new(
        backend,
        &format!(
            "SELECT {}, \"entity\".\"urn\" FROM \"aspect\" JOIN \"entity\" \
             ON \"entity\".\"id\" = \"aspect\".\"entity_id\" WHERE \"aspect\".\"run_id\" = ",
            sql::columns::<Column>("aspect")
        ),
    );
    q.bind(run_id);
    if !include_replaced {
        q.push(" AND \"aspect\".\"is_latest\" = ").bind(true);
    }
    q.push(" ORDER BY \"aspect\".\"id\" LIMIT ")
        .bind(limit as i64)
        .push(" OFFSET ")
        .bind(offset as i64);
    q.rows(db)
        .await?
        .iter()
        .map(|row| {
            let width = <Column as sea_orm::Iterable>::iter().count();
            Ok((
                Model::from_query_result(row, "")?,
                row.try_get_by_index(width)?,
            ))
        })
        .collect()
}

/// Every version of the aspects `pairs` (entity id, aspect name) not written by `run_id`,
/// each aspect's newest first: where a rollback finds what an aspect was before the run.
/// The rows may hold pairs nobody asked for (the id × name product): callers keep their own.
pub async fn versions_not_by_run(
    db: &impl ConnectionTrait,
    pairs: &[(i64, &str)],
    run_id: &str,
) -> Result<Vec<Model>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let (ids, names) = ids_and_names(chunk);
        let mut q = Sql::new(
            backend,
            &format!(
                "SELECT {} FROM \"aspect\" WHERE \"entity_id\" IN ",
                sql::columns::<Column>("aspect")
            ),
        );
        q.list(ids)
            .push(" AND \"name\" IN ")
            .list(names)
            .push(" AND (\"run_id\" IS NULL OR \"run_id\" <> ")
            .bind(run_id)
            .push(") ORDER BY \"entity_id\", \"name\", \"version\" DESC");
        out.extend(decode(q.rows(db).await?)?);
    }
    Ok(out)
}

/// Those of `entity_ids` whose first aspect version was written by `run_id`: the entities
/// the run created.
pub async fn created_by_run(
    db: &impl ConnectionTrait,
    entity_ids: &[i64],
    run_id: &str,
) -> Result<Vec<i64>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for chunk in entity_ids.chunks(CHUNK) {
        let mut q = Sql::new(
            backend,
            "SELECT \"first\".\"entity_id\" FROM \"aspect\" AS \"first\" WHERE \"first\".\"entity_id\" IN ",
        );
        q.list(chunk.iter().copied())
            .push(" AND \"first\".\"run_id\" = ")
            .bind(run_id)
            .push(
                " AND \"first\".\"id\" = (SELECT MIN(\"a\".\"id\") FROM \"aspect\" AS \"a\" \
                 WHERE \"a\".\"entity_id\" = \"first\".\"entity_id\") ORDER BY \"first\".\"entity_id\"",
            );
        for row in q.rows(db).await? {
            out.push(row.try_get_by_index(0)?);
        }
    }
    Ok(out)
}

/// The latest version of every aspect of the given entities, by entity and aspect name.
pub async fn latest_of_entities(
    db: &impl ConnectionTrait,
    entity_ids: &[i64],
) -> Result<Vec<Model>, DbErr> {
    let mut out = Vec::new();
    for chunk in entity_ids.chunks(CHUNK) {
        out.extend(
            Entity::find()
                .filter(Column::EntityId.is_in(chunk.iter().copied()))
                .filter(Column::IsLatest.eq(true))
                .order_by_asc(Column::EntityId)
                .order_by_asc(Column::Name)
                .all(db)
                .await?,
        );
    }
    Ok(out)
}

/// The highest version of each of `pairs` (entity id, aspect name) that has any: for an
/// aspect that was removed (no version is latest), the next write continues its numbering.
/// The rows may hold pairs nobody asked for (the id × name product): callers keep their own.
pub async fn max_versions(
    db: &impl ConnectionTrait,
    pairs: &[(i64, &str)],
) -> Result<Vec<(i64, String, i64)>, DbErr> {
    let backend = db.get_database_backend();
    let mut out = Vec::new();
    for chunk in pairs.chunks(CHUNK) {
        let (ids, names) = ids_and_names(chunk);
        let mut q = Sql::new(
            backend,
            "SELECT \"entity_id\", \"name\", MAX(\"version\") FROM \"aspect\" WHERE \"entity_id\" IN ",
        );
        q.list(ids)
            .push(" AND \"name\" IN ")
            .list(names)
            .push(" GROUP BY \"entity_id\", \"name\"");
        for row in q.rows(db).await? {
            out.push((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ));
        }
    }
    Ok(out)
}

/// The distinct entity ids and aspect names of `(entity id, aspect name)` pairs, for a statement
/// that reads their product (`entity_id IN (...) AND name IN (...)`).
fn ids_and_names<'a>(pairs: &[(i64, &'a str)]) -> (Vec<i64>, Vec<&'a str>) {
    let (mut ids, mut names): (Vec<i64>, Vec<&str>) = pairs.iter().copied().unzip();
    ids.sort_unstable();
    ids.dedup();
    names.sort_unstable();
    names.dedup();
    (ids, names)
}
