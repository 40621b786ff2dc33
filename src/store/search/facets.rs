//! The facet count: how many of the entities a query matches hold each value of the asked
//! fields, exact, in one statement.
//!
//! The matches are found once (a `WITH ... AS MATERIALIZED` sub-statement: the word match and
//! the entity rows' conditions), and every field is counted over them. The fields whose value
//! is a column of the entity row (type, platform, environment: every entity has them, so they
//! are most of the facet rows) are counted on the matches' own rows, a group of a few distinct
//! values with no lookup; only the other fields (tags, terms, owners, domains...)
//! read facet rows.

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

/// Up to how many matches the fields read from facet rows are counted starting from the
/// matches (each looks up its own facet rows); above it, from the facet rows of those fields
/// (each probes the set of matches). The first costs a lookup per match, the second a row per
/// value of those fields in the catalog, so the matches win until they are a good part of it.
pub const FACETS_FROM_MATCHES_UP_TO: u64 = 50_000;

/// `(field, value, count)` of every value of `fields` among the entities a query matches, by
/// field, most frequent first: one statement. `matches` is how many entities the query matches
/// (from [`super::search`]), which picks the plan of the fields read from facet rows.
pub async fn facets(
    db: &impl ConnectionTrait,
    query: &Query<'_>,
    fields: &[Counted],
    matches: u64,
) -> Result<Vec<(String, String, i64)>, DbErr> {
    if fields.is_empty() || matches == 0 {
        return Ok(Vec::new());
    }
    let backend = db.get_database_backend();
    let mut q = Sql::new(
        backend,
        "WITH m AS MATERIALIZED (SELECT e.\"id\" AS \"id\", e.\"entity_type\" AS \"t\", \
         e.\"platform\" AS \"p\", e.\"env\" AS \"v\"",
    );
    matching(&mut q, backend, query);
    q.push(") ");
    let mut first = true;
    let mut union = |q: &mut Sql| {
        if !first {
            q.push(" UNION ALL ");
        }
        first = false;
    };
    for field in fields {
        if let Counted::Entity(name, facet) = field {
            let (value, column) = facet.select();
            union(&mut q);
            q.push("SELECT CAST(").bind(*name).push(&format!(
                " AS text), {value}, COUNT(*) FROM m WHERE {column} IS NOT NULL \
                     GROUP BY {column}"
            ));
        }
    }
    let rows: Vec<&'static str> = fields
        .iter()
        .filter_map(|f| match f {
            Counted::Rows(name) => Some(*name),
            Counted::Entity(..) => None,
        })
        .collect();
    if !rows.is_empty() {
        union(&mut q);
        if matches <= FACETS_FROM_MATCHES_UP_TO {
            // SQLite keeps a CROSS JOIN's order as written: the matches are the outer loop.
            // The field is compared on each of the entity's facet rows (`+`: not a column of
            // the index lookup), so a match costs one lookup, not one per counted field.
            let (join, field) = match backend {
                DbBackend::Postgres => ("JOIN", "f.\"field\""),
                _ => ("CROSS JOIN", "+f.\"field\""),
            };
            q.push(&format!(
                "SELECT f.\"field\", f.\"value\", COUNT(*) FROM m {join} \"search_facet\" f \
                 ON f.\"entity_id\" = m.\"id\" WHERE {field} IN "
            ));
        } else {
            q.push("SELECT f.\"field\", f.\"value\", COUNT(*) FROM \"search_facet\" f WHERE f.\"field\" IN ");
        }
        q.list(rows.iter().copied());
        if matches > FACETS_FROM_MATCHES_UP_TO {
            q.push(" AND f.\"entity_id\" IN (SELECT m.\"id\" FROM m)");
        }
        q.push(" GROUP BY f.\"field\", f.\"value\"");
    }
    q.push(" ORDER BY 1, 3 DESC, 2");
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
