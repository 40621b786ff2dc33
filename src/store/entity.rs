//! The entity table: one row per URN, with the key parts parsed out so lists, filters and
//! sorting are SQL; and every statement that reads or writes it.

use std::sync::OnceLock;

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Expr, LikeExpr};
use sea_orm::{Condition, ConnectionTrait, DbBackend, QueryOrder, QuerySelect};

use super::sql::{self, Sql};
use super::CHUNK;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub urn: String,
    pub entity_type: String,
    pub name: String,
    /// The name in lower case (Unicode-aware; SQLite's `lower()` folds ASCII only), for
    /// case-insensitive name filters.
    pub search_name: String,
    pub platform: Option<String>,
    pub env: Option<String>,
    pub namespace: Option<String>,
    /// False for a URN that is only referenced so far (a feature's source dataset).
    pub has_aspects: bool,
    /// Mirrors the latest `status` aspect: a soft-deleted entity.
    pub removed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// `SELECT` of every column `FROM "entity" WHERE "entity"."<column>" IN (<values>)`, to be run
/// by [`fetch`]; callers may add clauses (an order, a lock).
fn select_where<V: Into<Value>>(
    backend: DbBackend,
    column: Column,
    values: impl IntoIterator<Item = V>,
) -> Sql {
    static SELECT: OnceLock<String> = OnceLock::new();
    let select = SELECT.get_or_init(|| {
        format!(
            "SELECT {} FROM \"entity\" WHERE \"entity\".",
            sql::columns::<Column>("entity")
        )
    });
    let mut q = Sql::new(backend, select);
    q.push(&format!("\"{}\" IN ", column.as_str())).list(values);
    q
}

/// Runs a [`select_where`] and decodes its rows.
async fn fetch(db: &impl ConnectionTrait, q: Sql) -> Result<Vec<Model>, DbErr> {
    q.rows(db)
        .await?
        .iter()
        .map(|row| Model::from_row_at(row, 0))
        .collect()
}

/// The rows of those of `urns` that have one, in no particular order; one statement.
pub async fn by_urns(db: &impl ConnectionTrait, urns: &[&str]) -> Result<Vec<Model>, DbErr> {
    if urns.is_empty() {
        return Ok(Vec::new());
    }
    let q = select_where(db.get_database_backend(), Column::Urn, urns.iter().copied());
    fetch(db, q).await
}

/// The rows of those of `ids` that exist, in no particular order; one statement.
pub async fn by_ids(db: &impl ConnectionTrait, ids: &[i64]) -> Result<Vec<Model>, DbErr> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let q = select_where(db.get_database_backend(), Column::Id, ids.iter().copied());
    fetch(db, q).await
}

/// The row of one URN, if any. Written as text rather than with the query builder: every
/// request by URN starts here, and building the statement cost more than running it
/// (BENCHMARKS.md, "the registry's create").
pub async fn by_urn(db: &impl ConnectionTrait, urn: &str) -> Result<Option<Model>, DbErr> {
    let q = select_where(db.get_database_backend(), Column::Urn, [urn]);
    Ok(fetch(db, q).await?.into_iter().next())
}

/// The rows of `urns`, in id order; on PostgreSQL locked for the transaction, so that two
/// transactions sharing entities lock them in the same order. At most [`CHUNK`] URNs.
///
/// With them, the feed key of the locking transaction as far as these rows go (see
/// `store::feed`): on PostgreSQL the greatest of its transaction id and the keys of the last
/// writes of these entities, read in the statement that locks them (so it is the key of the
/// write that committed last); 0 on SQLite.
pub async fn lock_by_urns(
    db: &impl ConnectionTrait,
    urns: &[&str],
) -> Result<(Vec<Model>, i64), DbErr> {
    let backend = db.get_database_backend();
    if backend != DbBackend::Postgres {
        let mut q = select_where(backend, Column::Urn, urns.iter().copied());
        q.push(" ORDER BY \"entity\".\"id\"");
        return Ok((fetch(db, q).await?, 0));
    }
    static SELECT: OnceLock<String> = OnceLock::new();
    let select = SELECT.get_or_init(|| {
        format!(
            "SELECT {}, GREATEST(\"entity\".\"feed_key\", pg_current_xact_id()::text::bigint) \
             FROM \"entity\" WHERE \"entity\".\"urn\"",
            sql::columns::<Column>("entity")
        )
    });
    let mut q = Sql::new(backend, select);
    q.any(urns.iter().copied())
        .push(" ORDER BY \"entity\".\"id\" FOR UPDATE");
    let mut key = 0;
    let mut rows = Vec::new();
    for row in q.rows(db).await? {
        rows.push(Model::from_row_at(&row, 0)?);
        key = key.max(row.try_get_by_index::<i64>(Model::WIDTH)?);
    }
    Ok((rows, key))
}

/// `(urn, id)` of those of `urns` that have a row: two columns read, not the whole row.
pub async fn ids_by_urn(
    db: &impl ConnectionTrait,
    urns: &[&str],
) -> Result<Vec<(String, i64)>, DbErr> {
    let mut q = Sql::new(
        db.get_database_backend(),
        "SELECT \"urn\", \"id\" FROM \"entity\" WHERE \"urn\"",
    );
    q.any(urns.iter().copied());
    q.rows(db)
        .await?
        .iter()
        .map(|row| Ok((row.try_get_by_index(0)?, row.try_get_by_index(1)?)))
        .collect()
}

/// A row to create for a URN that has none: its key parts, as the URN parser found them.
pub struct NewEntity<'a> {
    pub urn: &'a str,
    pub entity_type: &'a str,
    pub name: &'a str,
    pub platform: Option<&'a str>,
    pub env: Option<&'a str>,
    pub namespace: Option<&'a str>,
}

/// Inserts a row, not yet written (`has_aspects` false), for each of `rows` whose URN has none;
/// rows that exist are left alone. Answers the URNs it made rows for. At most [`CHUNK`] rows.
pub async fn insert_missing(
    db: &impl ConnectionTrait,
    rows: &[NewEntity<'_>],
    now: i64,
) -> Result<Vec<String>, DbErr> {
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let columns = [
        Column::Urn,
        Column::EntityType,
        Column::Name,
        Column::SearchName,
        Column::Platform,
        Column::Env,
        Column::Namespace,
        Column::HasAspects,
        Column::Removed,
        Column::CreatedAt,
        Column::UpdatedAt,
    ];
    let values = rows.iter().map(|r| {
        vec![
            r.urn.into(),
            r.entity_type.into(),
            r.name.into(),
            r.name.to_lowercase().into(),
            r.platform.into(),
            r.env.into(),
            r.namespace.into(),
            false.into(),
            false.into(),
            now.into(),
            now.into(),
        ]
    });
    let backend = db.get_database_backend();
    let mut q = match backend {
        DbBackend::Postgres => sql::insert_json("entity", &columns, values),
        _ => sql::insert(backend, "entity", &columns, values),
    };
    q.push(" ON CONFLICT (\"urn\") DO NOTHING RETURNING \"urn\"");
    q.rows(db)
        .await?
        .iter()
        .map(|row| row.try_get_by_index(0))
        .collect()
}

/// Marks entities as written at `now` by a transaction whose feed key is `feed_key`: the next
/// write of them sorts after this one in the change feed (see `store::feed`).
pub async fn mark_written(
    db: &impl ConnectionTrait,
    ids: &[i64],
    now: i64,
    feed_key: i64,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    for chunk in ids.chunks(CHUNK) {
        let mut q = Sql::new(backend, "UPDATE \"entity\" SET \"updated_at\" = ");
        q.bind(now)
            .push(", \"has_aspects\" = ")
            .bind(true)
            .push(", \"feed_key\" = ")
            .bind(feed_key)
            .push(" WHERE \"id\"")
            .any(chunk.iter().copied());
        q.execute(db).await?;
    }
    Ok(())
}

/// Deletes the rows of `ids` that were never written (`has_aspects` false): rows a transaction
/// made for writes it then left out. Edges and index rows are not looked at: the caller made
/// the rows in the same transaction, before any pointed at them.
pub async fn delete_unwritten(db: &impl ConnectionTrait, ids: &[i64]) -> Result<(), DbErr> {
    for chunk in ids.chunks(CHUNK) {
        Entity::delete_many()
            .filter(Column::Id.is_in(chunk.iter().copied()))
            .filter(Column::HasAspects.eq(false))
            .exec(db)
            .await?;
    }
    Ok(())
}

/// Sets the soft-deleted flag of one entity.
pub async fn set_removed(db: &impl ConnectionTrait, id: i64, removed: bool) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Removed, Expr::value(removed))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(())
}

/// What a list asks for: written, live entities of one type, filtered.
pub struct ListQuery<'a> {
    pub entity_type: &'a str,
    /// A platform name (`feast`).
    pub platform: Option<&'a str>,
    pub env: Option<&'a str>,
    /// A case-insensitive substring of the name.
    pub name_contains: Option<&'a str>,
    pub offset: u64,
    pub limit: u64,
}

/// One page of a list, ordered by name then URN, and how many match in all.
pub async fn list(
    db: &impl ConnectionTrait,
    q: &ListQuery<'_>,
) -> Result<(Vec<Model>, u64), DbErr> {
    // Entities only referenced so far (a source dataset nobody described) are not listed.
    let mut cond = Condition::all()
        .add(Column::EntityType.eq(q.entity_type))
        .add(Column::HasAspects.eq(true))
        .add(Column::Removed.eq(false));
    if let Some(platform) = q.platform {
        cond = cond.add(Column::Platform.eq(platform));
    }
    if let Some(env) = q.env {
        cond = cond.add(Column::Env.eq(env));
    }
    if let Some(text) = q.name_contains.filter(|t| !t.is_empty()) {
        let escaped = text
            .to_lowercase()
            .replace('\\', "\\\\")
            .replace('%', "\\%")
            .replace('_', "\\_");
        cond = cond.add(
            Expr::col(Column::SearchName).like(LikeExpr::new(format!("%{escaped}%")).escape('\\')),
        );
    }
    let total = Entity::find().filter(cond.clone()).count(db).await?;
    let rows = Entity::find()
        .filter(cond)
        .order_by_asc(Column::Name)
        .order_by_asc(Column::Urn)
        .offset(q.offset)
        .limit(q.limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

impl Model {
    /// How many columns a row has, in the order of [`Column::iter`].
    pub const WIDTH: usize = 12;

    /// Decodes the row's columns `at..at + WIDTH`, selected in the order of [`Column::iter`].
    /// Reading by position skips `FromQueryResult`'s lookup of every column by its prefixed
    /// name, which formats each name per row; `store::tests` checks it against that lookup.
    pub fn from_row_at(row: &QueryResult, at: usize) -> Result<Model, DbErr> {
        Ok(Model {
            id: row.try_get_by_index(at)?,
            urn: row.try_get_by_index(at + 1)?,
            entity_type: row.try_get_by_index(at + 2)?,
            name: row.try_get_by_index(at + 3)?,
            search_name: row.try_get_by_index(at + 4)?,
            platform: row.try_get_by_index(at + 5)?,
            env: row.try_get_by_index(at + 6)?,
            namespace: row.try_get_by_index(at + 7)?,
            has_aspects: row.try_get_by_index(at + 8)?,
            removed: row.try_get_by_index(at + 9)?,
            created_at: row.try_get_by_index(at + 10)?,
            updated_at: row.try_get_by_index(at + 11)?,
        })
    }
}

/// One page of the entities, not soft-deleted, with a current `relation` edge to the entity
/// of `urn` (the entities in a domain: `AssociatedWith`), ordered by URN, and how many there
/// are in all.
pub async fn with_edge_to(
    db: &impl ConnectionTrait,
    urn: &str,
    relation: &str,
    kinds: Option<&[&str]>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Model>, u64), DbErr> {
    use super::edge;
    use sea_orm::sea_query::Query;

    let target = Query::select()
        .column(Column::Id)
        .from(Entity)
        .and_where(Column::Urn.eq(urn))
        .to_owned();
    let sources = Query::select()
        .column(edge::Column::SourceId)
        .from(edge::Entity)
        .and_where(edge::Column::DestinationId.in_subquery(target))
        .and_where(edge::Column::Relation.eq(relation))
        .and_where(edge::Column::RemovedAt.is_null())
        .to_owned();
    let mut cond = Condition::all()
        .add(Column::Removed.eq(false))
        .add(Column::Id.in_subquery(sources));
    if let Some(kinds) = kinds {
        cond = cond.add(Column::EntityType.is_in(kinds.iter().copied()));
    }
    let total = Entity::find().filter(cond.clone()).count(db).await?;
    let rows = Entity::find()
        .filter(cond)
        .order_by_asc(Column::Urn)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await?;
    Ok((rows, total))
}

/// Deletes one entity's row (a hard delete); its aspects, edges, index rows and removals must
/// be gone first. True when there was a row.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let done = Entity::delete_by_id(id).exec(db).await?;
    Ok(done.rows_affected > 0)
}

/// One page of the URNs of the written entities (not those only referenced) of one type, by
/// id (the order they were first seen, which new entities do not reorder), and how many there
/// are; soft-deleted ones included, as DataHub lists them.
pub async fn urns_of_type(
    db: &impl ConnectionTrait,
    entity_type: &str,
    offset: u64,
    limit: u64,
) -> Result<(Vec<String>, u64), DbErr> {
    let cond = Condition::all()
        .add(Column::EntityType.eq(entity_type))
        .add(Column::HasAspects.eq(true));
    let total = Entity::find().filter(cond.clone()).count(db).await?;
    let urns = Entity::find()
        .select_only()
        .column(Column::Urn)
        .filter(cond)
        .order_by_asc(Column::Id)
        .offset(offset)
        .limit(limit)
        .into_tuple::<String>()
        .all(db)
        .await?;
    Ok((urns, total))
}

/// What [`named_like`] looks for: written, not soft-deleted entities of one type and platform
/// whose name matches an SQL LIKE `pattern` (`%` any run, `_` any one character, no escape),
/// either the URN's name or the `name` field of the entity's latest `aspect`.
pub struct NamedLike<'a> {
    pub entity_type: &'a str,
    pub platform: &'a str,
    pub aspect: &'a str,
    pub pattern: &'a str,
}

/// The entities [`NamedLike`] describes, compared without regard to case (SQLite's LIKE ignores
/// the case of ASCII letters, PostgreSQL's ILIKE of every letter): a superset of the
/// case-sensitive matches, which the caller narrows. One statement; the `name` field is read
/// from the stored JSON by the database, so the aspects of entities that do not match never
/// leave it.
pub async fn named_like(db: &impl ConnectionTrait, q: &NamedLike<'_>) -> Result<Vec<Model>, DbErr> {
    let backend = db.get_database_backend();
    let (field, like) = if backend == DbBackend::Postgres {
        ("(a.\"value\"::json ->> 'name')", " ILIKE ")
    } else {
        // Stored aspects are JSON written by the catalog, so no validity test is needed first.
        ("json_extract(a.\"value\", '$.name')", " LIKE ")
    };
    // PostgreSQL's LIKE takes a backslash as an escape unless told otherwise; SQLite's has none.
    let escape = if backend == DbBackend::Postgres {
        " ESCAPE ''"
    } else {
        ""
    };
    let mut s = Sql::new(
        backend,
        &format!(
            "SELECT {} FROM \"entity\" e LEFT JOIN \"aspect\" a ON a.\"entity_id\" = e.\"id\" \
             AND a.\"name\" = ",
            sql::columns::<Column>("e")
        ),
    );
    // `is_latest` compared, not tested as a truth value: so the join is a lookup of
    // `idx_aspect_latest` (one row per entity), not a scan of every version.
    s.bind(q.aspect)
        .push(" AND a.\"is_latest\" = ")
        .bind(true)
        .push(" WHERE e.\"entity_type\" = ")
        .bind(q.entity_type)
        .push(" AND e.\"platform\" = ")
        .bind(q.platform)
        .push(" AND e.\"has_aspects\" AND NOT e.\"removed\" AND (e.\"name\"")
        .push(like)
        .bind(q.pattern)
        .push(escape)
        .push(&format!(" OR {field}{like}"))
        .bind(q.pattern)
        .push(escape)
        .push(")");
    s.rows(db)
        .await?
        .iter()
        .map(|row| Model::from_row_at(row, 0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::Iterable;

    #[test]
    fn the_positional_decoder_knows_every_column() {
        assert_eq!(Column::iter().count(), Model::WIDTH);
    }
}
