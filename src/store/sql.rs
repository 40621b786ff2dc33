//! SQL text for the statements every request or write makes (entities by URN or id, latest
//! aspects, the edges around a set of entities, the write path's inserts), written straight
//! into a string.
//!
//! sea-query builds a statement by walking an expression tree and quoting every identifier
//! through `fmt::Write`; for a small request that was a fifth of all its instructions (the edge
//! read alone names 28 qualified columns), more than SQLite spent running the statements
//! (BENCHMARKS.md, 27 November). The parts of these statements that never change are made
//! once, and only the `IN` lists are written per call.
//!
//! Placeholders are `$1`, `$2`, ... on PostgreSQL and `?` on SQLite. sqlx would bind `$N` on
//! SQLite too, but SQLite looks up each named parameter among those before it, so an `IN`
//! list of a thousand costs half a million name comparisons to prepare; `?` is numbered as it
//! is read. The rest of the text is the same on both (double-quoted identifiers).

use std::fmt::Write as _;

use sea_orm::{
    ConnectionTrait, DbBackend, DbErr, IdenStatic, Iterable, QueryResult, Statement, Value,
};

/// A statement being written: its text and the values its placeholders stand for.
#[derive(Debug)]
pub struct Sql {
    text: String,
    values: Vec<Value>,
    backend: DbBackend,
}

impl Sql {
    /// A statement for `backend` (SQLite or PostgreSQL, the two mlcat is built with).
    pub fn new(backend: DbBackend, text: &str) -> Sql {
        Sql {
            text: text.to_string(),
            values: Vec::new(),
            backend,
        }
    }

    pub fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    /// A placeholder for `value`.
    pub fn bind(&mut self, value: impl Into<Value>) -> &mut Sql {
        self.values.push(value.into());
        if self.backend == DbBackend::Postgres {
            // Writing to a String cannot fail.
            let _ = write!(self.text, "${}", self.values.len());
        } else {
            self.text.push('?');
        }
        self
    }

    /// `($n, $n+1, ...)`, one placeholder per value.
    pub fn list<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Sql {
        self.text.push('(');
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.text.push_str(", ");
            }
            self.bind(v);
        }
        self.text.push(')');
        self
    }

    /// ` IN (...)` of `values`, one placeholder each. (Bound as one array on PostgreSQL,
    /// `= ANY($1::bigint[])` from an array literal, the list made a statement of one text
    /// whatever its length, but PostgreSQL cannot fold the literal's cast into the plan, and
    /// the write path's lock of 200 entity rows went from an index scan to a sequential one:
    /// 147 ms instead of 0.8, BENCHMARKS.md, 7 December, afternoon.) `values` must not be
    /// empty (`IN ()` is not SQL).
    pub fn any<V: Into<Value>>(&mut self, values: impl IntoIterator<Item = V>) -> &mut Sql {
        self.text.push_str(" IN ");
        self.list(values)
    }

    /// `WITH "first" AS (this) next`: this statement (one that answers no rows) run by the
    /// statement `next`, so both cost one round trip. Both work on `next`'s snapshot: neither
    /// sees what the other changes. PostgreSQL only.
    pub fn then(mut self, next: Sql) -> Sql {
        debug_assert_eq!(self.backend, DbBackend::Postgres);
        let offset = self.values.len();
        self.text.insert_str(0, "WITH \"first\" AS (");
        self.text.push_str(") ");
        // Renumber `next`'s placeholders after this one's.
        let mut rest = next.text.as_str();
        while let Some(at) = rest.find('$') {
            self.text.push_str(&rest[..at]);
            rest = &rest[at + 1..];
            let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
            match rest[..digits].parse::<usize>() {
                Ok(n) => {
                    let _ = write!(self.text, "${}", n + offset);
                }
                Err(_) => self.text.push('$'),
            }
            rest = &rest[digits..];
        }
        self.text.push_str(rest);
        self.values.extend(next.values);
        self
    }

    /// This statement inside another: `before`, this, `after`, with this one's values.
    pub fn within(mut self, before: &str, after: &str) -> Sql {
        self.text.insert_str(0, before);
        self.text.push_str(after);
        self
    }

    /// The database the statement is written for.
    pub fn backend(&self) -> DbBackend {
        self.backend
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    /// The statement, for sea-orm to run.
    pub fn statement(self) -> Statement {
        Statement::from_sql_and_values(self.backend, self.text, self.values)
    }

    /// Runs the statement and answers its rows.
    pub async fn rows(self, db: &impl ConnectionTrait) -> Result<Vec<QueryResult>, DbErr> {
        db.query_all(self.statement()).await
    }

    /// Runs a statement that answers no rows.
    pub async fn execute(self, db: &impl ConnectionTrait) -> Result<(), DbErr> {
        db.execute(self.statement()).await.map(|_| ())
    }
}

/// `INSERT INTO "table" ("a", "b", ...) VALUES (...), (...)`, one tuple of placeholders per row;
/// each row gives one value per column, in the order of `columns`. Callers may add an
/// `ON CONFLICT` clause.
pub fn insert<C: IdenStatic>(
    backend: DbBackend,
    table: &str,
    columns: &[C],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Sql {
    let mut sql = Sql::new(backend, &format!("INSERT INTO \"{table}\" ("));
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            sql.text.push_str(", ");
        }
        let _ = write!(sql.text, "\"{}\"", c.as_str());
    }
    sql.text.push_str(") VALUES ");
    for (i, row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len());
        if i > 0 {
            sql.text.push_str(", ");
        }
        sql.list(row);
    }
    sql
}

/// Runs [`insert`]s of `rows`, 50 rows per statement (a tenth of [`super::CHUNK`]).
pub async fn insert_chunked<C: IdenStatic>(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[C],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut rows = rows.into_iter();
    loop {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(super::CHUNK / 10).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        insert(backend, table, columns, chunk).execute(db).await?;
    }
}

/// The rows of an insert as one parameter (PostgreSQL): `INSERT INTO "table" ("a", ...) SELECT
/// "a", ... FROM json_populate_recordset(NULL::"table", $1::json)`, each row a JSON object
/// typed by the table's own row type. The statement's text is the same however many rows it
/// carries, so sqlx prepares it once per connection and PostgreSQL parses it once, where a
/// multi-row `VALUES` list is a new statement for every row count and binds 9 to 11 values a
/// row; a batch's rows of one table go in one statement, not one per 50 rows. The function
/// returns the rows in the order given, and the insert takes them in that order (ids follow it).
pub fn insert_json<C: IdenStatic>(
    table: &str,
    columns: &[C],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Sql {
    let columns: Vec<&str> = columns.iter().map(|c| c.as_str()).collect();
    insert_json_named(table, &columns, rows)
}

/// [`insert_json`] of a table without a sea-orm entity (its columns by name).
pub fn insert_json_named(
    table: &str,
    columns: &[&str],
    rows: impl IntoIterator<Item = Vec<Value>>,
) -> Sql {
    let mut names = String::new();
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            names.push_str(", ");
        }
        let _ = write!(names, "\"{c}\"");
    }
    let mut json = String::from("[");
    for (r, row) in rows.into_iter().enumerate() {
        debug_assert_eq!(row.len(), columns.len());
        if r > 0 {
            json.push(',');
        }
        json.push('{');
        for (i, (c, v)) in columns.iter().zip(row).enumerate() {
            if i > 0 {
                json.push(',');
            }
            let _ = write!(json, "\"{c}\":");
            write_json(&mut json, &v);
        }
        json.push('}');
    }
    json.push(']');
    let mut sql = Sql::new(
        DbBackend::Postgres,
        &format!("INSERT INTO \"{table}\" ({names}) SELECT {names} FROM json_populate_recordset(NULL::\"{table}\", "),
    );
    sql.bind(json).push("::json)");
    sql
}

/// A value as JSON text, for [`insert_json`].
fn write_json(out: &mut String, v: &Value) {
    match v {
        Value::BigInt(Some(n)) => {
            let _ = write!(out, "{n}");
        }
        Value::Int(Some(n)) => {
            let _ = write!(out, "{n}");
        }
        Value::Bool(Some(b)) => out.push_str(if *b { "true" } else { "false" }),
        Value::String(Some(s)) => {
            // Serialising a string into a String cannot fail.
            if let Ok(text) = serde_json::to_string(s.as_str()) {
                out.push_str(&text);
            }
        }
        other => out.push_str(&sea_orm::sea_query::sea_value_to_json_value(other).to_string()),
    }
}

/// Runs the insert of `rows` in as few statements as the backend takes well: on PostgreSQL one
/// ([`insert_json`]), on SQLite [`insert`]s of 50 rows (a tenth of [`super::CHUNK`]; 500 were
/// measured no faster, BENCHMARKS.md, 27 November). `suffix` (an `ON CONFLICT` clause, say)
/// ends every statement.
pub async fn insert_rows<C: IdenStatic>(
    db: &impl ConnectionTrait,
    table: &str,
    columns: &[C],
    rows: impl IntoIterator<Item = Vec<Value>>,
    suffix: &str,
) -> Result<(), DbErr> {
    let backend = db.get_database_backend();
    let mut rows = rows.into_iter().peekable();
    if rows.peek().is_none() {
        return Ok(());
    }
    if backend == DbBackend::Postgres {
        let mut q = insert_json(table, columns, rows);
        q.push(suffix);
        return q.execute(db).await;
    }
    loop {
        let chunk: Vec<Vec<Value>> = rows.by_ref().take(super::CHUNK / 10).collect();
        if chunk.is_empty() {
            return Ok(());
        }
        let mut q = insert(backend, table, columns, chunk);
        q.push(suffix);
        q.execute(db).await?;
    }
}

/// `"q"."a", "q"."b", ...`: every column of a table, qualified by `qualifier`, in the order of
/// the table's `Column::iter` (the order its `Model::from_row_at` reads).
pub fn columns<C: Iterable + IdenStatic>(qualifier: &str) -> String {
    let mut out = String::new();
    for (i, c) in C::iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        let _ = write!(out, "\"{qualifier}\".\"{}\"", c.as_str());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{edge, entity};

    #[test]
    fn numbers_placeholders_in_order() {
        for (backend, text) in [
            (
                DbBackend::Postgres,
                "SELECT 1 FROM t WHERE a = $1 AND b IN ($2, $3)",
            ),
            (
                DbBackend::Sqlite,
                "SELECT 1 FROM t WHERE a = ? AND b IN (?, ?)",
            ),
        ] {
            let mut sql = Sql::new(backend, "SELECT 1 FROM t WHERE a = ");
            sql.bind(1i64).push(" AND b IN ").list(["x", "y"]);
            assert_eq!(sql.text(), text);
            assert_eq!(sql.values.len(), 3);
        }
    }

    #[test]
    fn inserts_rows_as_one_json_parameter_on_postgres() {
        let mut sql = insert_json(
            "edge",
            &[edge::Column::SourceId, edge::Column::Relation],
            [
                vec![Value::from(1i64), Value::from("Con\"sumes")],
                vec![Value::from(2i64), Value::from(None::<String>)],
            ],
        );
        assert_eq!(
            sql.text(),
            "INSERT INTO \"edge\" (\"source_id\", \"relation\") SELECT \"source_id\", \"relation\" \
             FROM json_populate_recordset(NULL::\"edge\", $1::json)"
        );
        assert_eq!(
            sql.values[0],
            Value::from(
                r#"[{"source_id":1,"relation":"Con\"sumes"},{"source_id":2,"relation":null}]"#
            )
        );
        let mut delete = Sql::new(DbBackend::Postgres, "DELETE FROM t WHERE id = ");
        delete.bind(7i64);
        sql = delete.then(sql);
        assert!(
            sql.text().starts_with(
                "WITH \"first\" AS (DELETE FROM t WHERE id = $1) INSERT INTO \"edge\""
            ),
            "{}",
            sql.text()
        );
        assert!(sql.text().ends_with("$2::json)"), "{}", sql.text());
        assert_eq!(sql.values.len(), 2);
    }

    #[test]
    fn inserts_rows_of_placeholders() {
        let sql = insert(
            DbBackend::Postgres,
            "edge",
            &[edge::Column::SourceId, edge::Column::Relation],
            [
                vec![Value::from(1i64), Value::from("Consumes")],
                vec![Value::from(2i64), Value::from("Contains")],
            ],
        );
        assert_eq!(
            sql.text(),
            "INSERT INTO \"edge\" (\"source_id\", \"relation\") VALUES ($1, $2), ($3, $4)"
        );
    }

    #[test]
    fn lists_every_column_in_model_order() {
        let cols = columns::<entity::Column>("s");
        assert!(cols.starts_with("\"s\".\"id\", \"s\".\"urn\", "), "{cols}");
        assert_eq!(cols.matches(", ").count() + 1, entity::Model::WIDTH);
        let _ = edge::Model::WIDTH;
    }
}
