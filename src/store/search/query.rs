//! What a search asks (`Query`: its words, filters, order and position) and the SQL it becomes:
//! the match on either engine, the filter conditions on the facet rows, the rank class.

use sea_orm::DbBackend;

use super::super::sql::Sql;

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
pub(super) fn matching(q: &mut Sql, backend: DbBackend, query: &Query<'_>) {
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
                // The name's own words, through their GIN index (migration 000018: the
                // expression must stay the index's).
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
pub(super) fn conditions(q: &mut Sql, postgres: bool, query: &Query<'_>) {
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
pub(super) fn tsquery(words: &[String]) -> String {
    spell(words, |w| format!("'{w}'"), ":*", " & ")
}

/// `"w1" "w2" "w3"*`: the words as FTS5 strings (all must match), the last one a prefix.
pub(super) fn fts5_query(words: &[String]) -> String {
    spell(words, |w| format!("\"{w}\""), "*", " ")
}

/// The words, each quoted, the last marked as a prefix, joined.
fn spell(words: &[String], quote: impl Fn(&str) -> String, prefix: &str, join: &str) -> String {
    let mut out = String::new();
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push_str(join);
        }
        out.push_str(&quote(w));
    }
    if !words.is_empty() {
        out.push_str(prefix);
    }
    out
}

/// The rank class of a hit: 0 its name is the query, 1 its name starts with it, 2 its name
/// holds every word (the last as a prefix), 3 the words are elsewhere.
pub(super) fn class(q: &mut Sql, postgres: bool, query: &Query<'_>, words: &[String]) {
    let position = if postgres { "strpos" } else { "instr" };
    q.push("CASE WHEN e.\"search_name\" = ")
        .bind(query.phrase)
        .push(" THEN 0 WHEN substr(e.\"search_name\", 1, CAST(")
        .bind(query.phrase.chars().count() as i64)
        .push(" AS integer)) = ")
        .bind(query.phrase)
        .push(" THEN 1 WHEN (1 = 1");
    if !postgres {
        // Reading a match's name costs SQLite a lookup in FTS5's content table. FTS5 knows
        // without it whether a word matched in the name column: the bm25 of the name alone
        // (the body weighted 0) is below 0 exactly when one did, from what ranking the row
        // read already. A name holding every word has such a match, so this test leaves the
        // class as it was and only skips the lookup for the names that cannot hold them.
        q.push(" AND bm25(d.\"search_document\", 1.0, 0.0) < 0");
    }
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
