//! The facet count: how many of the entities a query matches hold each value of the asked
//! fields, exact, and how many match in all, in one statement.
//!
//! The matches are found once (a `WITH ... AS MATERIALIZED` sub-statement: the word match and
//! the entity rows' conditions), and they and every field are counted over them. The fields whose value
//! is a column of the entity row (type, platform, environment: every entity has them, so they
//! are most of the facet rows) are counted on the matches' own rows, a group of a few distinct
//! values with no lookup; only the other fields (tags, terms, owners, domains...)
//! read facet rows, by the cheaper of two plans for how many of them the catalog holds.

use sea_orm::{ConnectionTrait, DbBackend, DbErr};

use super::super::entity;
use super::super::sql::Sql;
use super::query::matching;
use super::Query;

/// A facet field whose value the entity row holds. The index writes the same value in the
/// field's facet rows ([`EntityFacet::value`]), which filters read; the count reads the row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EntityFacet {
    /// The entity type, as spelled in URNs.
    Type,
    /// The platform's URN.
    Platform,
    /// The environment.
    Env,
}

impl EntityFacet {
    /// The facet value of `row`, as the index writes it; `None` when the row has none.
    pub fn value(self, row: &entity::Model) -> Option<String> {
        match self {
            EntityFacet::Type => Some(row.entity_type.clone()),
            EntityFacet::Platform => row
                .platform
                .as_ref()
                .map(|p| format!("urn:li:dataPlatform:{p}")),
            EntityFacet::Env => row.env.clone(),
        }
    }

    /// The value over the matches `m` (the same text as [`EntityFacet::value`]), and the
    /// column it is grouped on.
    fn select(self) -> (&'static str, &'static str) {
        match self {
            EntityFacet::Type => ("m.\"t\"", "m.\"t\""),
            EntityFacet::Platform => ("'urn:li:dataPlatform:' || m.\"p\"", "m.\"p\""),
            EntityFacet::Env => ("m.\"v\"", "m.\"v\""),
        }
    }
}

/// A field to count facets on, and where its values are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// From the facet rows of this field.
    Rows(&'static str),
    /// From the matches' entity rows; the field's name as answered.
    Entity(&'static str, EntityFacet),
}

/// How the fields read from facet rows are counted: from the fields' own facet rows (each
/// probing the set of matches) when the catalog holds fewer than this many of them per match,
/// else from the matches (each looking up its own facet rows). On SQLite a facet row read and
/// probed costs about 1,800 instructions, a match's lookup about 12,000 (measured on the
/// 200,000-entity catalog): the facet rows win until there are about 6 per match.
pub const FACET_ROWS_PER_MATCH: u64 = 6;

/// How many entities a query matches, and `(field, value, count)` of every value of `fields`
/// among them, by field, most frequent first: one statement, which finds the matches once for
/// both. The fields read from facet rows are counted from those fields' facet rows when the
/// catalog holds fewer than `rows_per_match` of them per match, else from the matches (see
/// [`FACET_ROWS_PER_MATCH`]): the statement holds both plans, each behind a test that is made
/// once, before its rows are read, so only one of them reads anything. The test counts the
/// fields' facet rows only up to `rows_per_match` per match.
pub async fn facets(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    fields: &[Counted],
    rows_per_match: u64,
) -> Result<(u64, Vec<(String, String, i64)>), DbErr> {
    let backend = db.get_database_backend();
    let rows: Vec<&'static str> = fields
        .iter()
        .filter_map(|f| match f {
            Counted::Rows(name) => Some(*name),
            Counted::Entity(..) => None,
        })
        .collect();
    let mut q = Sql::new(
        backend,
        "WITH m AS MATERIALIZED (SELECT e.\"id\" AS \"id\", e.\"entity_type\" AS \"t\", \
         e.\"platform\" AS \"p\", e.\"env\" AS \"v\"",
    );
    matching(&mut q, backend, query);
    q.push("), c AS MATERIALIZED (SELECT COUNT(*) AS \"n\" FROM m)");
    if !rows.is_empty() {
        // The fields' facet rows, counted up to `rows_per_match` per match.
        q.push(
            ", r AS MATERIALIZED (SELECT COUNT(*) AS \"n\" FROM (SELECT 1 FROM \"search_facet\" f \
             WHERE f.\"field\" IN ",
        )
        .list(rows.iter().copied())
        .push(" LIMIT ")
        .bind(rows_per_match as i64)
        .push(" * (SELECT c.\"n\" FROM c)) x)");
    }
    // The number of matches, as the row of the field named "" (no field is).
    q.push(" SELECT CAST('' AS text), CAST('' AS text), c.\"n\" FROM c");
    for field in fields {
        if let Counted::Entity(name, facet) = field {
            let (value, column) = facet.select();
            q.push(" UNION ALL SELECT CAST(").bind(*name).push(&format!(
                " AS text), {value}, COUNT(*) FROM m WHERE {column} IS NOT NULL \
                     GROUP BY {column}"
            ));
        }
    }
    if !rows.is_empty() {
        // Conditions on no row of their statement: both engines test them once, before the
        // loop.
        let probe = |q: &mut Sql, cmp: &str| {
            q.push(&format!(" AND (SELECT r.\"n\" FROM r) {cmp} "))
                .bind(rows_per_match as i64)
                .push(" * (SELECT c.\"n\" FROM c)");
        };
        // From the matches. SQLite keeps a CROSS JOIN's order as written: the matches are the
        // outer loop. The field is compared on each of the entity's facet rows (`+`: not a
        // column of the index lookup), so a match costs one lookup, not one per counted field.
        let (join, field) = match backend {
            DbBackend::Postgres => ("JOIN", "f.\"field\""),
            _ => ("CROSS JOIN", "+f.\"field\""),
        };
        q.push(&format!(
            " UNION ALL SELECT f.\"field\", f.\"value\", COUNT(*) FROM m {join} \"search_facet\" f \
             ON f.\"entity_id\" = m.\"id\" WHERE {field} IN "
        ))
        .list(rows.iter().copied());
        probe(&mut q, ">=");
        q.push(" GROUP BY f.\"field\", f.\"value\"");
        // From the fields' facet rows.
        q.push(
            " UNION ALL SELECT f.\"field\", f.\"value\", COUNT(*) FROM \"search_facet\" f \
             WHERE f.\"field\" IN ",
        )
        .list(rows.iter().copied())
        .push(" AND f.\"entity_id\" IN (SELECT m.\"id\" FROM m)");
        probe(&mut q, "<");
        q.push(" GROUP BY f.\"field\", f.\"value\"");
    }
    q.push(" ORDER BY 1, 3 DESC, 2");
    let mut total = 0;
    let mut counts = Vec::new();
    for row in q.rows(db).await? {
        let field: String = row.try_get_by_index(0)?;
        let count: i64 = row.try_get_by_index(2)?;
        if field.is_empty() {
            total = count.max(0) as u64;
        } else {
            counts.push((field, row.try_get_by_index(1)?, count));
        }
    }
    Ok((total, counts))
}
