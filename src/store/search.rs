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

/// How a filter compares a field's values.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Compare {
    /// Equal to one of the values.
    In(Vec<String>),
    /// Holds one of the values.
    Contain(Vec<String>),
    /// Starts with one of the values.
    StartWith(Vec<String>),
    /// Ends with one of the values.
    EndWith(Vec<String>),
    /// Has a value at all.
    Exists,
}

/// One condition of a search filter.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Predicate {
    /// On a `search_facet` field.
    Facet {
        field: &'static str,
        compare: Compare,
        negated: bool,
    },
    /// The entity's soft-deleted flag is one of these.
    Removed(Vec<bool>, bool),
    /// On the entity's URN.
    Urn { compare: Compare, negated: bool },
    /// On one of the entity's times (milliseconds since the epoch).
    Time {
        column: TimeColumn,
        compare: Bound,
        negated: bool,
    },
}

/// A time of an entity row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TimeColumn {
    /// When an aspect of it was last written.
    Modified,
    /// When its row was made.
    Created,
}

impl TimeColumn {
    fn column(self) -> &'static str {
        match self {
            TimeColumn::Modified => "e.\"updated_at\"",
            TimeColumn::Created => "e.\"created_at\"",
        }
    }
}

/// How a time is compared.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Bound {
    /// Equal to one of these.
    In(Vec<i64>),
    /// Greater than.
    Above(i64),
    /// Greater than or equal to.
    AtLeast(i64),
    /// Less than.
    Below(i64),
    /// Less than or equal to.
    AtMost(i64),
    /// Any value (every entity has its times).
    Exists,
}

/// The order of a page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Order {
    /// Best match first (by name without words).
    Rank,
    /// By folded name, then URN; `true` ascending.
    Name(bool),
    /// By last write time, then URN.
    Modified(bool),
    /// By creation time, then URN.
    Created(bool),
}

/// Where a keyset page starts: after the entity with this sort value and URN, in the page's
/// order (`Order::Name` takes a text, the times a number).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum After {
    /// The folded name and URN of the last entity seen.
    Name(String, String),
    /// The time and URN of the last entity seen.
    Time(i64, String),
}

/// What a search asks for.
pub struct Query<'a> {
    /// The words to find (all of them), the last one as a prefix; `None` for every entity.
    pub words: Option<&'a [String]>,
    /// Whether the words must be in the name (type-ahead), not anywhere.
    pub in_name: bool,
    /// The whole query folded, for the exact-name and name-prefix ranks.
    pub phrase: &'a str,
    /// Entity types (`mlModel`); empty for all.
    pub kinds: &'a [&'a str],
    /// Any one of these lists of conditions, all of each; empty for no filter.
    pub any_of: &'a [Vec<Predicate>],
    /// Whether soft-deleted entities are left in (a filter on `removed` asks for them).
    pub with_removed: bool,
    /// The order of the results.
    pub order: Order,
    /// Only the entities after this one in `order` (keyset paging; not with `Order::Rank`).
    pub after: Option<&'a After>,
    /// Only these entity ids, when set: list `i` restricts `any_of[i]`; one list when `any_of`
    /// is empty.
    pub within: Option<&'a [Vec<i64>]>,
}

/// `FROM ... WHERE ...` of the entities a query matches.
fn matching(q: &mut Sql, backend: DbBackend, query: &Query<'_>) {
    let postgres = backend == DbBackend::Postgres;
    if postgres {
        q.push(" FROM \"search_document\" d JOIN \"entity\" e ON e.\"id\" = d.\"entity_id\"");
    } else if query.words.is_some() {
        // The words first: SQLite's planner otherwise makes the entity-type index the outer
        // loop and runs the FTS5 match once per entity of the type (1.6 s for a count on the
        // 200,000-entity catalog, against 16 ms from the matches; BENCHMARKS.md). CROSS JOIN
        // keeps the order as written.
        q.push(" FROM \"search_document\" d CROSS JOIN \"entity\" e ON e.\"id\" = d.\"rowid\"");
    } else {
        q.push(" FROM \"search_document\" d JOIN \"entity\" e ON e.\"id\" = d.\"rowid\"");
    }
    q.push(" WHERE e.\"has_aspects\" = ").bind(true);
    if let Some(words) = query.words {
        if postgres {
            q.push(" AND d.\"doc\" @@ CAST(")
                .bind(tsquery(words))
                .push(" AS tsquery)");
            if query.in_name {
                // The GIN index finds the words anywhere; the name's own words are checked
                // on what it found.
                q.push(" AND array_to_tsvector(array_remove(string_to_array(d.\"name\", ' '), '')) @@ CAST(")
                    .bind(tsquery(words))
                    .push(" AS tsquery)");
            }
        } else if query.in_name {
            q.push(" AND d.\"search_document\" MATCH ")
                .bind(format!("name : ({})", fts5_query(words)));
        } else {
            q.push(" AND d.\"search_document\" MATCH ")
                .bind(fts5_query(words));
        }
    }
    conditions(q, postgres, query);
}

/// ` AND ...` of a query's conditions on the entity `e`: soft deletion, types, filters, and the
/// entities it is restricted to.
fn conditions(q: &mut Sql, postgres: bool, query: &Query<'_>) {
    if !query.with_removed {
        q.push(" AND e.\"removed\" = ").bind(false);
    }
    if !query.kinds.is_empty() {
        q.push(" AND e.\"entity_type\" IN ")
            .list(query.kinds.iter().copied());
    }
    if !query.any_of.is_empty() {
        q.push(" AND (");
        for (i, all) in query.any_of.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            q.push("(1 = 1");
            if let Some(ids) = query.within.and_then(|w| w.get(i)) {
                q.push(" AND ");
                ids_in(q, ids);
            }
            for p in all {
                q.push(" AND ");
                predicate(q, postgres, p);
            }
            q.push(")");
        }
        q.push(")");
    } else if let Some(ids) = query.within.and_then(|w| w.first()) {
        q.push(" AND ");
        ids_in(q, ids);
    }
}

/// `(values)` of an ORed text comparison with `column`.
fn compare_text(q: &mut Sql, postgres: bool, column: &str, compare: &Compare) {
    let any = |q: &mut Sql, values: &[String], one: &dyn Fn(&mut Sql, &str)| {
        q.push(" AND (");
        for (i, v) in values.iter().enumerate() {
            if i > 0 {
                q.push(" OR ");
            }
            one(q, v);
        }
        q.push(")");
    };
    match compare {
        Compare::Exists => {}
        Compare::In(values) => {
            q.push(&format!(" AND {column} IN "))
                .list(values.iter().map(String::as_str));
        }
        Compare::Contain(values) => any(q, values, &|q, v| {
            q.push(&if postgres {
                format!("strpos({column}, ")
            } else {
                format!("instr({column}, ")
            })
            .bind(v)
            .push(") > 0");
        }),
        Compare::StartWith(values) => any(q, values, &|q, v| {
            q.push(&format!("substr({column}, 1, CAST("))
                .bind(v.chars().count() as i64)
                .push(" AS integer)) = ")
                .bind(v);
        }),
        Compare::EndWith(values) => any(q, values, &|q, v| {
            let n = v.chars().count() as i64;
            if postgres {
                q.push(&format!("right({column}, CAST(")).bind(n);
            } else {
                q.push(&format!("substr({column}, CAST(")).bind(-n);
            }
            q.push(" AS integer)) = ").bind(v);
        }),
    }
}

/// `e."id" IN (1, 2, 3)`, or a condition that holds for no row when `ids` is empty. The ids are
/// written as literals, not bound: they are integers, so nothing can be injected, and a lineage
/// search may restrict several lists of conditions to thousands of ids each, past what one
/// statement may bind.
fn ids_in(q: &mut Sql, ids: &[i64]) {
    if ids.is_empty() {
        q.push("1 = 0");
        return;
    }
    let mut text = String::with_capacity(ids.len() * 8 + 16);
    text.push_str("e.\"id\" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            text.push_str(", ");
        }
        text.push_str(&id.to_string());
    }
    text.push(')');
    q.push(&text);
}

fn predicate(q: &mut Sql, postgres: bool, p: &Predicate) {
    match p {
        Predicate::Urn { compare, negated } => {
            q.push(if *negated { "NOT " } else { "" }).push("(1 = 1");
            compare_text(q, postgres, "e.\"urn\"", compare);
            q.push(")");
        }
        Predicate::Time {
            column,
            compare,
            negated,
        } => {
            let c = column.column();
            q.push(if *negated { "NOT " } else { "" }).push("(");
            match compare {
                Bound::Exists => {
                    q.push("1 = 1");
                }
                Bound::In(values) => {
                    q.push(&format!("{c} IN ")).list(values.iter().copied());
                }
                Bound::Above(v) => {
                    q.push(&format!("{c} > ")).bind(*v);
                }
                Bound::AtLeast(v) => {
                    q.push(&format!("{c} >= ")).bind(*v);
                }
                Bound::Below(v) => {
                    q.push(&format!("{c} < ")).bind(*v);
                }
                Bound::AtMost(v) => {
                    q.push(&format!("{c} <= ")).bind(*v);
                }
            }
            q.push(")");
        }
        Predicate::Removed(flags, negated) => {
            q.push(if *negated { "NOT " } else { "" })
                .push("e.\"removed\" IN ")
                .list(flags.iter().copied());
        }
        Predicate::Facet {
            field,
            compare,
            negated,
        } => {
            q.push(if *negated { "NOT " } else { "" }).push(
                "EXISTS (SELECT 1 FROM \"search_facet\" f WHERE f.\"entity_id\" = e.\"id\" AND f.\"field\" = ",
            );
            q.bind(*field);
            compare_text(q, postgres, "f.\"value\"", compare);
            q.push(")");
        }
    }
}

/// `'w1' & 'w2' & 'w3':*`: the words as lexemes, the last one a prefix.
fn tsquery(words: &[String]) -> String {
    let n = words.len();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i + 1 == n {
                format!("'{w}':*")
            } else {
                format!("'{w}'")
            }
        })
        .collect::<Vec<_>>()
        .join(" & ")
}

/// `"w1" "w2" "w3"*`: the words as FTS5 strings (all must match), the last one a prefix.
fn fts5_query(words: &[String]) -> String {
    let n = words.len();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            if i + 1 == n {
                format!("\"{w}\"*")
            } else {
                format!("\"{w}\"")
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// The rank class of a hit: 0 its name is the query, 1 its name starts with it, 2 its name
/// holds every word (the last as a prefix), 3 the words are elsewhere.
fn class(q: &mut Sql, postgres: bool, query: &Query<'_>, words: &[String]) {
    let position = if postgres { "strpos" } else { "instr" };
    q.push("CASE WHEN e.\"search_name\" = ")
        .bind(query.phrase)
        .push(" THEN 0 WHEN substr(e.\"search_name\", 1, CAST(")
        .bind(query.phrase.chars().count() as i64)
        .push(" AS integer)) = ")
        .bind(query.phrase)
        .push(" THEN 1 WHEN (1 = 1");
    let n = words.len();
    for (i, w) in words.iter().enumerate() {
        let needle = if i + 1 == n {
            format!(" {w}")
        } else {
            format!(" {w} ")
        };
        q.push(&format!(" AND {position}(' ' || d.\"name\" || ' ', "))
            .bind(needle)
            .push(") > 0");
    }
    q.push(") THEN 2 ELSE 3 END");
}

/// One entity a search found, with its rank class (see [`class`]; 3 when the query had no
/// words).
pub struct Hit {
    pub entity: entity::Model,
    pub class: i32,
}

/// One page of the entities a query matches, in the query's order (best first: by rank class,
/// then, among names starting with the query, the shorter name, then the engine's rank; the
/// URN breaks every tie), and how many match in all (ignoring `after`): two statements.
pub async fn search(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    offset: u64,
    limit: u64,
) -> Result<(Vec<Hit>, u64), DbErr> {
    let backend = db.get_database_backend();
    let postgres = backend == DbBackend::Postgres;
    let mut count = Sql::new(backend, "SELECT COUNT(*)");
    matching(&mut count, backend, query);
    let total: i64 = match count.rows(db).await?.first() {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    if limit == 0 || (query.after.is_none() && total as u64 <= offset) {
        return Ok((Vec::new(), total as u64));
    }
    let mut q = Sql::new(
        backend,
        &format!("SELECT {}, ", sql::columns::<entity::Column>("e")),
    );
    match query.words.filter(|_| query.order == Order::Rank) {
        Some(words) => {
            class(&mut q, postgres, query, words);
            // Among names starting with the query, the shorter first.
            q.push(" AS \"class\", CASE WHEN substr(e.\"search_name\", 1, CAST(")
                .bind(query.phrase.chars().count() as i64)
                .push(" AS integer)) = ")
                .bind(query.phrase)
                .push(" THEN length(e.\"search_name\") ELSE 0 END AS \"tie\"");
        }
        None => {
            q.push("3 AS \"class\", 0 AS \"tie\"");
        }
    }
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
    match (query.order, query.words) {
        (Order::Name(ascending), _) => keyset(&mut q, "e.\"search_name\"", ascending),
        (Order::Modified(ascending), _) => keyset(&mut q, "e.\"updated_at\"", ascending),
        (Order::Created(ascending), _) => keyset(&mut q, "e.\"created_at\"", ascending),
        (Order::Rank, Some(words)) => {
            if postgres {
                q.push(" ORDER BY \"class\", \"tie\", ts_rank(d.\"doc\", CAST(")
                    .bind(tsquery(words))
                    .push(" AS tsquery)) DESC, e.\"urn\"");
            } else {
                q.push(" ORDER BY \"class\", \"tie\", d.\"rank\", e.\"urn\"");
            }
        }
        (Order::Rank, None) => keyset(&mut q, "e.\"search_name\"", true),
    }
    q.push(" LIMIT ").bind(limit as i64);
    if query.after.is_none() {
        q.push(" OFFSET ").bind(offset as i64);
    }
    let hits = q
        .rows(db)
        .await?
        .iter()
        .map(|row| {
            Ok(Hit {
                entity: entity::Model::from_row_at(row, 0)?,
                class: row.try_get_by_index::<i32>(entity::Model::WIDTH)?,
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    Ok((hits, total as u64))
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

/// Up to how many matches the facet count starts from the matches (each looks up its own facet
/// rows); above it, from the facet rows of the counted fields (each probes the set of matches).
/// The first costs a lookup per match, the second a row per facet value in the catalog (about
/// three per entity), so the matches win until they are a good part of the catalog.
pub const FACETS_FROM_MATCHES_UP_TO: u64 = 50_000;

/// `(field, value, count)` of every value of `fields` among the entities a query matches, by
/// field, most frequent first: one statement. `matches` is how many entities the query matches
/// (from [`search`]), which picks the statement's plan.
pub async fn facets(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    fields: &[&'static str],
    matches: u64,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    if fields.is_empty() || matches == 0 {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut q;
    if matches <= FACETS_FROM_MATCHES_UP_TO {
        // SQLite keeps a CROSS JOIN's order as written: the matches are the outer loop.
        let join = match backend {
            DbBackend::Postgres => "JOIN",
            _ => "CROSS JOIN",
        };
        q = Sql::new(
            backend,
            "SELECT f.\"field\", f.\"value\", COUNT(*) FROM (SELECT e.\"id\" AS \"id\"",
        );
        matching(&mut q, backend, query);
        q.push(&format!(
            ") m {join} \"search_facet\" f ON f.\"entity_id\" = m.\"id\" WHERE f.\"field\" IN "
        ))
        .list(fields.iter().copied());
    } else {
        q = Sql::new(
            backend,
            "SELECT f.\"field\", f.\"value\", COUNT(*) FROM \"search_facet\" f WHERE f.\"field\" IN ",
        );
        q.list(fields.iter().copied())
            .push(" AND f.\"entity_id\" IN (SELECT e.\"id\"");
        matching(&mut q, backend, query);
        q.push(")");
    }
    q.push(" GROUP BY f.\"field\", f.\"value\" ORDER BY f.\"field\", COUNT(*) DESC, f.\"value\"");
    q.rows(db)
        .await?
        .iter()
        .map(|row| {
            Ok((
                row.try_get_by_index(0)?,
                row.try_get_by_index(1)?,
                row.try_get_by_index(2)?,
            ))
        })
        .collect()
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
    use super::*;
    use migration::MigratorTrait;
    use sea_orm::{ActiveValue::Set, EntityTrait};

    /// Both plans of the facet count answer the same counts: the one from the matches (a few
    /// matches) and the one from the facet rows (many).
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
                platform: Set(None),
                env: Set(None),
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
        let fields = ["owners", "tags"];
        let from_matches = facets(&db, &query, &fields, 5).await.expect("counted");
        let from_facets = facets(&db, &query, &fields, FACETS_FROM_MATCHES_UP_TO + 1)
            .await
            .expect("counted");
        let want: Vec<(String, String, i64)> = [
            ("owners", "urn:li:corpuser:ana", 4),
            ("tags", "urn:li:tag:t1", 3),
            ("tags", "urn:li:tag:t0", 2),
        ]
        .iter()
        .map(|(f, v, n)| (f.to_string(), v.to_string(), *n))
        .collect();
        assert_eq!(from_matches, want);
        assert_eq!(from_facets, want);
    }

    #[test]
    fn queries_quote_every_word_and_prefix_the_last() {
        let words = vec!["churn".to_string(), "mod".to_string()];
        assert_eq!(fts5_query(&words), "\"churn\" \"mod\"*");
        assert_eq!(tsquery(&words), "'churn' & 'mod':*");
    }
}
