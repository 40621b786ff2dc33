//! The search index: `search_document` (an entity's words: an FTS5 table on SQLite whose rowid
//! is the entity id, a table with a `tsvector` and a GIN index on PostgreSQL) and
//! `search_facet` (the values filters and facets read, one row per entity, field and value);
//! every statement that writes or reads them.
//!
//! The words arrive split and case-folded by the catalog, separated by single spaces, made of
//! letters and digits only, so neither engine's query syntax can be reached through them: the
//! SQLite query is a list of quoted words, the PostgreSQL query a `tsquery` of quoted lexemes.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, Value};

use super::entity;
use super::sql::{self, Sql};
use super::CHUNK;

mod facets;
mod query;

pub use facets::*;
pub use query::*;
use query::{class, conditions, matching, tsquery};

/// The index row of one entity.
pub struct Document {
    pub entity_id: i64,
    /// The words of its name.
    pub name: String,
    /// Its other words.
    pub body: String,
    /// `(field, value)` for filters and facets.
    pub facets: Vec<(&'static str, String)>,
}

/// Replaces the index rows of `docs`' entities with `docs`.
pub async fn replace(db: &impl ConnectionTrait, docs: &[Document]) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    if backend == DbBackend::Postgres {
        return replace_postgres(db, docs).await;
    }
    for chunk in docs.chunks(CHUNK / 5) {
        let ids: Vec<i64> = chunk.iter().map(|d| d.entity_id).collect();
        let mut q = Sql::new(
            backend,
            "DELETE FROM \"search_facet\" WHERE \"entity_id\" IN ",
        );
        q.list(ids.iter().copied());
        q.execute(db).await?;
        let key = document_key(backend);
        let mut q = Sql::new(
            backend,
            &format!("DELETE FROM \"search_document\" WHERE {key} IN "),
        );
        q.list(ids.iter().copied());
        q.execute(db).await?;
        let columns = match backend {
            DbBackend::Postgres => "\"entity_id\", \"name\", \"body\"",
            _ => "\"rowid\", \"name\", \"body\"",
        };
        let mut q = Sql::new(
            backend,
            &format!("INSERT INTO \"search_document\" ({columns}) VALUES "),
        );
        for (i, d) in chunk.iter().enumerate() {
            if i > 0 {
                q.push(", ");
            }
            q.list([
                Value::from(d.entity_id),
                Value::from(d.name.as_str()),
                Value::from(d.body.as_str()),
            ]);
        }
        q.execute(db).await?;
        let rows: Vec<(i64, &'static str, &str)> = chunk
            .iter()
            .flat_map(|d| {
                d.facets
                    .iter()
                    .map(|(field, value)| (d.entity_id, *field, value.as_str()))
            })
            .collect();
        for part in rows.chunks(CHUNK / 5) {
            let mut q = Sql::new(
                backend,
                "INSERT INTO \"search_facet\" (\"entity_id\", \"field\", \"value\") VALUES ",
            );
            for (i, (id, field, value)) in part.iter().enumerate() {
                if i > 0 {
                    q.push(", ");
                }
                q.list([Value::from(*id), Value::from(*field), Value::from(*value)]);
            }
            q.execute(db).await?;
        }
    }
    Ok(())
}

/// [`replace`] on PostgreSQL: two statements however many documents, each of the same text
/// every time (the rows as one JSON parameter, the ids as one array; see `sql::insert_json`).
/// The documents are upserted on their key; the old facets are deleted by the statement that
/// inserts the new ones (a `WITH` sub-statement works on the statement's snapshot, so it does
/// not see, and cannot delete, the rows the insert adds).
async fn replace_postgres(db: &impl ConnectionTrait, docs: &[Document]) -> Result<(), DbErr> {
    if docs.is_empty() {
        return Ok(());
    }
    let backend = DbBackend::Postgres;
    let mut q = sql::insert_json_named(
        "search_document",
        &["entity_id", "name", "body"],
        docs.iter().map(|d| {
            vec![
                Value::from(d.entity_id),
                Value::from(d.name.as_str()),
                Value::from(d.body.as_str()),
            ]
        }),
    );
    q.push(
        " ON CONFLICT (\"entity_id\") DO UPDATE SET \"name\" = EXCLUDED.\"name\", \
         \"body\" = EXCLUDED.\"body\"",
    );
    q.execute(db).await?;
    let mut delete = Sql::new(backend, "DELETE FROM \"search_facet\" WHERE \"entity_id\"");
    delete.any(docs.iter().map(|d| d.entity_id));
    let facets: Vec<Vec<Value>> = docs
        .iter()
        .flat_map(|d| {
            d.facets.iter().map(|(field, value)| {
                vec![
                    Value::from(d.entity_id),
                    Value::from(*field),
                    Value::from(value.as_str()),
                ]
            })
        })
        .collect();
    if facets.is_empty() {
        return delete.execute(db).await;
    }
    delete
        .then(sql::insert_json_named(
            "search_facet",
            &["entity_id", "field", "value"],
            facets,
        ))
        .execute(db)
        .await
}

/// The column of `search_document` holding the entity id.
fn document_key(backend: DbBackend) -> &'static str {
    match backend {
        DbBackend::Postgres => "\"entity_id\"",
        _ => "\"rowid\"",
    }
}

/// Up to `limit` entities written (not only referenced) that have no index row, by id.
pub async fn unindexed(db: &impl ConnectionTrait, limit: u64) -> Result<Vec<entity::Model>, DbErr> {
    let backend = db.get_database_backend();
    let key = document_key(backend);
    let mut q = Sql::new(
        backend,
        &format!(
            "SELECT {} FROM \"entity\" WHERE \"entity\".\"has_aspects\" = ",
            sql::columns::<entity::Column>("entity")
        ),
    );
    q.bind(true).push(&format!(
        " AND \"entity\".\"id\" NOT IN (SELECT {key} FROM \"search_document\") \
         ORDER BY \"entity\".\"id\" LIMIT "
    ));
    q.bind(limit as i64);
    q.rows(db)
        .await?
        .iter()
        .map(|row| entity::Model::from_row_at(row, 0))
        .collect()
}

/// One entity a search found, with its rank class (see [`class`]; 3 when the query had no
/// words).
pub struct Hit {
    pub entity: entity::Model,
    pub class: i32,
}

/// How many entities a query matches (ignoring `after`): one statement. (A search that counts
/// facets has the total from [`facets`] instead.)
pub async fn count(db: &impl ConnectionTrait, query: &Query<'_>) -> Result<u64, DbErr> {
    let mut q = Sql::new(db.get_database_backend(), "SELECT COUNT(*)");
    matching(&mut q, db.get_database_backend(), query);
    let total: i64 = match q.rows(db).await?.first() {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(total.max(0) as u64)
}

/// One page of the entities a query matches, in the query's order (best first: by rank class,
/// then, among names starting with the query, the shorter name, then the engine's rank; the
/// URN breaks every tie): one statement.
pub async fn page(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Hit>, DbErr> {
    let backend = db.get_database_backend();
    if limit == 0 {
        return Ok(Vec::new());
    }
    let q = match query.words.filter(|_| query.order == Order::Rank) {
        Some(words) => ranked(backend, query, words, offset, limit),
        None => ordered(backend, query, offset, limit),
    };
    q.rows(db)
        .await?
        .iter()
        .map(|row| {
            Ok(Hit {
                entity: entity::Model::from_row_at(row, 0)?,
                class: row.try_get_by_index::<i32>(entity::Model::WIDTH)?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()
}

/// The page of a search for words, best first. Every match is ranked (its class, its tie,
/// the engine's rank), and the sort carries what orders it and the id, not the whole entity
/// row; the page's entity rows are read afterwards, by id. (On the 200,000-entity catalog
/// that took PostgreSQL's page of `registered` from 18 to 16 ms; on SQLite it saves about 5 %
/// of a deep page's instructions and nothing at the first page, where the rank is the cost.)
fn ranked(backend: DbBackend, query: &Query<'_>, words: &[String], offset: u64, limit: u64) -> Sql {
    let postgres = backend == DbBackend::Postgres;
    let mut q = Sql::new(
        backend,
        &format!(
            "SELECT {}, k.\"class\" FROM (SELECT e.\"id\" AS \"id\", ",
            sql::columns::<entity::Column>("e")
        ),
    );
    class(&mut q, postgres, query, words);
    // Among names starting with the query, the shorter first.
    q.push(" AS \"class\", CASE WHEN substr(e.\"search_name\", 1, CAST(")
        .bind(query.phrase.chars().count() as i64)
        .push(" AS integer)) = ")
        .bind(query.phrase)
        .push(" THEN length(e.\"search_name\") ELSE 0 END AS \"tie\", ");
    // The engine's rank, best first: FTS5's bm25 is lower for a better match, `ts_rank` higher.
    let rank = if postgres {
        q.push("ts_rank(d.\"doc\", CAST(")
            .bind(tsquery(words))
            .push(" AS tsquery))");
        "DESC"
    } else {
        q.push("d.\"rank\"");
        "ASC"
    };
    q.push(" AS \"r\", e.\"urn\" AS \"urn\"");
    matching(&mut q, backend, query);
    q.push(&format!(
        " ORDER BY \"class\", \"tie\", \"r\" {rank}, \"urn\" LIMIT "
    ))
    .bind(limit as i64)
    .push(" OFFSET ")
    .bind(offset as i64);
    // SQLite keeps a CROSS JOIN's order as written: the page is the outer loop.
    let join = if postgres { "JOIN" } else { "CROSS JOIN" };
    q.push(&format!(
        ") k {join} \"entity\" e ON e.\"id\" = k.\"id\" \
         ORDER BY k.\"class\", k.\"tie\", k.\"r\" {rank}, k.\"urn\""
    ));
    q
}

/// The page of a search in an order of the entity row (by name for a search without words,
/// or the order asked), from the keyset `query.after` when set, else from `offset`.
fn ordered(backend: DbBackend, query: &Query<'_>, offset: u64, limit: u64) -> Sql {
    let mut q = Sql::new(
        backend,
        &format!(
            "SELECT {}, 3 AS \"class\"",
            sql::columns::<entity::Column>("e")
        ),
    );
    matching(&mut q, backend, query);
    let keyset = |q: &mut Sql, column: &str, ascending: bool| {
        let (order, cmp) = if ascending {
            ("ASC", ">")
        } else {
            ("DESC", "<")
        };
        if let Some(after) = query.after {
            q.push(&format!(" AND ({column}, e.\"urn\") {cmp} ("));
            match after {
                After::Name(name, urn) => q.bind(name.as_str()).push(", ").bind(urn.as_str()),
                After::Time(at, urn) => q.bind(*at).push(", ").bind(urn.as_str()),
            };
            q.push(")");
        }
        q.push(&format!(" ORDER BY {column} {order}, e.\"urn\" {order}"));
    };
    match query.order {
        Order::Name(ascending) => keyset(&mut q, "e.\"search_name\"", ascending),
        Order::Modified(ascending) => keyset(&mut q, "e.\"updated_at\"", ascending),
        Order::Created(ascending) => keyset(&mut q, "e.\"created_at\"", ascending),
        Order::Rank => keyset(&mut q, "e.\"search_name\"", true),
    }
    q.push(" LIMIT ").bind(limit as i64);
    if query.after.is_none() {
        q.push(" OFFSET ").bind(offset as i64);
    }
    q
}

/// Up to `limit` entities whose names complete what a person is typing (`query.phrase`), for
/// type-ahead: first those whose folded name starts with it, in name order (so the name that
/// is the phrase comes first), through the index on `entity.search_name`; then, if the page is
/// not full, those whose name holds every word (the last as a prefix), in name order. No count,
/// no facets, no rank over every match: at most two statements, each reading about `limit`
/// rows when the phrase starts names.
pub async fn complete(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    limit: u64,
) -> Result<Vec<entity::Model>, DbErr> {
    let backend = db.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    if limit == 0 {
        return Ok(Vec::new());
    }
    // A range of the index: the names from the phrase up to the phrase followed by the last
    // character there is. Compared byte by byte on both engines (PostgreSQL's index on the
    // column is in the "C" collation), so the range holds exactly the names starting with it.
    let name = if postgres {
        "e.\"search_name\" COLLATE \"C\""
    } else {
        "e.\"search_name\""
    };
    let upper = format!("{}{}", query.phrase, char::MAX);
    let starts = |q: &mut Sql| {
        q.push(&format!("{name} >= "))
            .bind(query.phrase)
            .push(&format!(" AND {name} < "))
            .bind(upper.as_str());
    };
    let columns = sql::columns::<entity::Column>("e");
    let mut q = Sql::new(
        backend,
        &format!("SELECT {columns} FROM \"entity\" e WHERE "),
    );
    starts(&mut q);
    q.push(" AND e.\"has_aspects\" = ").bind(true);
    conditions(&mut q, postgres, query);
    q.push(&format!(" ORDER BY {name}, e.\"urn\" LIMIT "))
        .bind(limit as i64);
    let mut found = q
        .rows(db)
        .await?
        .iter()
        .map(|row| entity::Model::from_row_at(row, 0))
        .collect::<Result<Vec<_>, DbErr>>()?;
    let Some(words) = query.words.filter(|_| (found.len() as u64) < limit) else {
        return Ok(found);
    };
    // The words in the name (not elsewhere), the names already found left out.
    let mut q = Sql::new(backend, &format!("SELECT {columns}"));
    matching(
        &mut q,
        backend,
        &Query {
            words: Some(words),
            in_name: true,
            ..*query
        },
    );
    q.push(" AND NOT (");
    starts(&mut q);
    q.push(&format!(") ORDER BY {name}, e.\"urn\" LIMIT "))
        .bind((limit - found.len() as u64) as i64);
    for row in q.rows(db).await? {
        found.push(entity::Model::from_row_at(&row, 0)?);
    }
    Ok(found)
}

/// The entity ids whose index rows hold one of `values` in one of `fields` (the carriers of a
/// tag, term, owner or domain), by id: one statement per chunk of values.
pub async fn carriers(
    db: &impl ConnectionTrait,
    fields: &[&'static str],
    values: &[&str],
) -> Result<Vec<i64>, DbErr> {
    let backend = db.get_database_backend();
    let mut ids = Vec::new();
    for chunk in values.chunks(CHUNK) {
        let mut q = Sql::new(
            backend,
            "SELECT DISTINCT \"entity_id\" FROM \"search_facet\" WHERE \"field\" IN ",
        );
        q.list(fields.iter().copied())
            .push(" AND \"value\" IN ")
            .list(chunk.iter().copied());
        for row in q.rows(db).await? {
            ids.push(row.try_get_by_index::<i64>(0)?);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    Ok(ids)
}

/// Deletes the index rows of one entity (a hard delete), so no search finds it again.
pub async fn delete_of_entity(db: &impl ConnectionTrait, entity_id: i64) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let key = document_key(backend);
    let mut q = Sql::new(
        backend,
        &format!("DELETE FROM \"search_document\" WHERE {key} = "),
    );
    q.bind(entity_id);
    q.execute(db).await?;
    let mut q = Sql::new(
        backend,
        "DELETE FROM \"search_facet\" WHERE \"entity_id\" = ",
    );
    q.bind(entity_id);
    q.execute(db).await
}

#[cfg(test)]
mod tests {
    use super::query::fts5_query;
    use super::*;
    use migration::MigratorTrait;
    use sea_orm::{ActiveValue::Set, EntityTrait};

    /// Both plans of the facet count answer the same counts, and the number of matches: the one
    /// from the matches (a few matches) and the one from the facet rows (many); the fields the
    /// entity row holds are counted from it, a row without the value counting for none.
    #[tokio::test]
    async fn both_facet_plans_count_the_same() {
        let db = super::super::connect("sqlite::memory:")
            .await
            .expect("an in-memory catalog");
        migration::Migrator::up(&db, None).await.expect("migrated");
        let mut docs = Vec::new();
        for id in 1..=6_i64 {
            entity::Entity::insert(entity::ActiveModel {
                id: Set(id),
                urn: Set(format!("urn:li:mlModel:(urn:li:dataPlatform:p,m{id},PROD)")),
                entity_type: Set("mlModel".into()),
                name: Set(format!("m{id}")),
                search_name: Set(format!("m{id}")),
                platform: Set((id % 2 == 0).then(|| "p".to_string())),
                env: Set((id <= 3).then(|| "PROD".to_string())),
                namespace: Set(None),
                has_aspects: Set(true),
                removed: Set(false),
                created_at: Set(id),
                updated_at: Set(id),
            })
            .exec(&db)
            .await
            .expect("entity inserted");
            let mut facets = vec![("tags", format!("urn:li:tag:t{}", id % 2))];
            if id <= 4 {
                facets.push(("owners", "urn:li:corpuser:ana".to_string()));
            }
            docs.push(Document {
                entity_id: id,
                name: format!("m{id}"),
                // Every entity but the sixth holds the word.
                body: if id < 6 {
                    "churn".into()
                } else {
                    "other".into()
                },
                facets,
            });
        }
        replace(&db, &docs).await.expect("indexed");
        let words = vec!["churn".to_string()];
        let query = Query {
            words: Some(&words),
            in_name: false,
            phrase: "churn",
            kinds: &[],
            any_of: &[],
            with_removed: false,
            order: Order::Rank,
            after: None,
            within: None,
        };
        let fields = [
            Counted::Rows("owners"),
            Counted::Entity("platform", EntityFacet::Platform),
            Counted::Rows("tags"),
            Counted::Entity("_entityType", EntityFacet::Type),
            Counted::Entity("origin", EntityFacet::Env),
        ];
        // The catalog holds 10 facet rows of the counted fields (tags and owners) for the 5
        // matches: they are counted from the matches at 2 rows per match, from the fields'
        // rows at 3.
        let from_matches = facets(&db, &query, &fields, 2).await.expect("counted");
        let from_facets = facets(&db, &query, &fields, 3).await.expect("counted");
        let want: Vec<(String, String, i64)> = [
            ("_entityType", "mlModel", 5),
            ("origin", "PROD", 3),
            ("owners", "urn:li:corpuser:ana", 4),
            ("platform", "urn:li:dataPlatform:p", 2),
            ("tags", "urn:li:tag:t1", 3),
            ("tags", "urn:li:tag:t0", 2),
        ]
        .iter()
        .map(|(f, v, n)| (f.to_string(), v.to_string(), *n))
        .collect();
        assert_eq!(from_matches, (5, want.clone()));
        assert_eq!(from_facets, (5, want));
    }

    #[test]
    fn queries_quote_every_word_and_prefix_the_last() {
        let words = vec!["churn".to_string(), "mod".to_string()];
        assert_eq!(fts5_query(&words), "\"churn\" \"mod\"*");
        assert_eq!(tsquery(&words), "'churn' & 'mod':*");
    }
}
