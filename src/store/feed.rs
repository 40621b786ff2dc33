//! The change feed's statements: the aspect history and the tombstones read as one list in
//! commit order, the tombstones written, and where the feed stands.
//!
//! # The order
//!
//! Every feed row (an aspect version, a tombstone) has a position `(feed_key, id)`, and the
//! feed is read in that order, from a position on, up to a gate past which rows may still
//! appear. What makes a position safe to resume from is that no row ever appears *before* a
//! position the feed has handed out.
//!
//! - **SQLite** serializes writers (one write transaction at a time: the group commit's writer,
//!   or the file lock), and row ids come from `AUTOINCREMENT` (never reused, even after a hard
//!   delete), so ids are taken in commit order; `feed_key` is always 0 and there is no gate.
//!   Tombstones take their ids from the same counter (`sqlite_sequence`'s row for `aspect`).
//! - **PostgreSQL** writers run concurrently, and a sequence value is not commit order: the
//!   transaction that took id 10 may commit after the one that took id 11, and a reader that
//!   moved past 11 would never see 10. So a row's `feed_key` is its transaction's id
//!   (`pg_current_xact_id()`), and the feed serves only rows whose key is below the reading
//!   snapshot's `xmin`: every transaction with an id below it has ended, so those rows are
//!   final, and any row still to come has a key at or above it, after every position served.
//!   Within that, a transaction id is the order transactions *began* writing, not the order
//!   they committed; two writes of one entity would then come out of order when the one that
//!   began first waited for the other's row lock. So the key is raised to the key of the last
//!   write of each entity the transaction changes (kept on the entity row, read by the same
//!   `FOR UPDATE` that locks it, so at no extra statement): a write of an entity sorts after
//!   the write of it that committed before it. The key is never below the transaction's own
//!   id, so the gate stays sound. Tombstones take their ids from the aspect table's sequence,
//!   so versions and tombstones make one order.
//!
//! The cost to a write is nothing on SQLite, and on PostgreSQL one more column in rows already
//! written and one more index entry per version (`idx_aspect_feed`); no extra statement. A
//! long transaction holds the feed back (not the writes) until it ends.

use sea_orm::{ConnectionTrait, DbBackend, DbErr, QueryResult, Value};

use super::sql::Sql;

/// A place in the feed: the rows after it come next.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Position {
    pub key: i64,
    pub id: i64,
}

/// One row of the feed: a version of an aspect, or a tombstone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedRow {
    pub position: Position,
    pub urn: String,
    pub entity_type: String,
    /// The aspect; `None` for an entity erased whole.
    pub aspect: Option<String>,
    /// The version written, or the last one of an aspect removed.
    pub version: Option<i64>,
    /// A tombstone's kind (`DELETE`, `HARD_DELETE`); `None` for a version.
    pub tombstone: Option<String>,
    /// The value of a version of the `status` aspect (whether it soft-deletes); `None` for
    /// every other row.
    pub status_value: Option<String>,
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

/// Below this key rows are final (PostgreSQL): the oldest transaction still running in the
/// statement's own snapshot.
const GATE: &str = "(SELECT pg_snapshot_xmin(pg_current_snapshot())::text::bigint)";

/// The versions and tombstones after `from`, in feed order, at most `limit`; one statement.
pub async fn after(
    db: &impl ConnectionTrait,
    from: Position,
    limit: u64,
) -> Result<Vec<FeedRow>, DbErr> {
    let backend = db.get_database_backend();
    let limit = limit as i64;
    let mut q = Sql::new(
        backend,
        "SELECT * FROM (SELECT \"a\".\"feed_key\", \"a\".\"id\", \"e\".\"urn\", \
         \"e\".\"entity_type\", \"a\".\"name\", \"a\".\"version\", NULL AS \"kind\", \
         CASE WHEN \"a\".\"name\" = 'status' THEN \"a\".\"value\" END AS \"status\", \
         \"a\".\"created_at\", \"a\".\"actor\", \"a\".\"run_id\" \
         FROM \"aspect\" AS \"a\" JOIN \"entity\" AS \"e\" ON \"e\".\"id\" = \"a\".\"entity_id\" WHERE ",
    );
    after_condition(&mut q, "a", from);
    q.push(" ORDER BY \"a\".\"feed_key\", \"a\".\"id\" LIMIT ")
        .bind(limit)
        .push(
            ") AS \"v\" UNION ALL SELECT * FROM (SELECT \"t\".\"feed_key\", \"t\".\"id\", \
             \"t\".\"urn\", \"t\".\"entity_type\", \"t\".\"aspect\", \"t\".\"version\", \
             \"t\".\"kind\", NULL, \"t\".\"created_at\", \"t\".\"actor\", \"t\".\"run_id\" \
             FROM \"tombstone\" AS \"t\" WHERE ",
        );
    after_condition(&mut q, "t", from);
    q.push(" ORDER BY \"t\".\"feed_key\", \"t\".\"id\" LIMIT ")
        .bind(limit)
        .push(") AS \"r\" ORDER BY 1, 2 LIMIT ")
        .bind(limit);
    q.rows(db).await?.iter().map(decode).collect()
}

/// `<table> after from`, below the gate on PostgreSQL. On SQLite the key is always 0 and the
/// id alone is compared, so the primary key serves the range.
fn after_condition(q: &mut Sql, table: &str, from: Position) {
    match q.backend() {
        DbBackend::Postgres => {
            q.push(&format!(
                "(\"{table}\".\"feed_key\", \"{table}\".\"id\") > ("
            ))
            .bind(from.key)
            .push(", ")
            .bind(from.id)
            .push(&format!(") AND \"{table}\".\"feed_key\" < {GATE}"));
        }
        _ => {
            q.push(&format!("\"{table}\".\"id\" > ")).bind(from.id);
        }
    }
}

fn decode(row: &QueryResult) -> Result<FeedRow, DbErr> {
    Ok(FeedRow {
        position: Position {
            key: row.try_get_by_index(0)?,
            id: row.try_get_by_index(1)?,
        },
        urn: row.try_get_by_index(2)?,
        entity_type: row.try_get_by_index(3)?,
        aspect: row.try_get_by_index(4)?,
        version: row.try_get_by_index(5)?,
        tombstone: row.try_get_by_index(6)?,
        status_value: row.try_get_by_index(7)?,
        created_at: row.try_get_by_index(8)?,
        actor: row.try_get_by_index(9)?,
        run_id: row.try_get_by_index(10)?,
    })
}

/// The position of the newest row a reader may be handed now (everything after it is still to
/// come); `None` while the feed is empty. One statement.
pub async fn head(db: &impl ConnectionTrait) -> Result<Option<Position>, DbErr> {
    let backend = db.get_database_backend();
    let text = match backend {
        DbBackend::Postgres => format!(
            "SELECT * FROM (SELECT * FROM (SELECT \"feed_key\", \"id\" FROM \"aspect\" \
             WHERE \"feed_key\" < {GATE} ORDER BY \"feed_key\" DESC, \"id\" DESC LIMIT 1) AS \"v\" \
             UNION ALL SELECT * FROM (SELECT \"feed_key\", \"id\" FROM \"tombstone\" \
             WHERE \"feed_key\" < {GATE} ORDER BY \"feed_key\" DESC, \"id\" DESC LIMIT 1) AS \"r\") AS \"h\" \
             ORDER BY 1 DESC, 2 DESC LIMIT 1"
        ),
        _ => "SELECT 0, MAX(\"id\") FROM (SELECT MAX(\"id\") AS \"id\" FROM \"aspect\" \
              UNION ALL SELECT MAX(\"id\") FROM \"tombstone\") AS \"h\" HAVING MAX(\"id\") IS NOT NULL"
            .to_string(),
    };
    let rows = Sql::new(backend, &text).rows(db).await?;
    rows.first()
        .map(|row| {
            Ok(Position {
                key: row.try_get_by_index(0)?,
                id: row.try_get_by_index(1)?,
            })
        })
        .transpose()
}

/// Whether the feed could have handed out `at`: its id was taken (it is not past the last id
/// the aspect table's counter gave), and, on PostgreSQL, its key is below the gate (SQLite's
/// keys are all 0). A position the feed never reached is refused rather than waited for.
pub async fn reached(db: &impl ConnectionTrait, at: Position) -> Result<bool, DbErr> {
    let backend = db.get_database_backend();
    let q = match backend {
        DbBackend::Postgres => {
            let mut q = Sql::new(backend, "SELECT CASE WHEN ");
            q.bind(at.key)
                .push(&format!(
                    " < {GATE} AND "
                ))
                .bind(at.id)
                .push(
                    " <= COALESCE(pg_sequence_last_value(pg_get_serial_sequence('aspect', 'id')::regclass), 0) \
                     THEN 1 ELSE 0 END",
                );
            q
        }
        _ => {
            if at.key != 0 {
                return Ok(false);
            }
            let mut q = Sql::new(backend, "SELECT CASE WHEN ");
            q.bind(at.id).push(
                " <= COALESCE((SELECT \"seq\" FROM \"sqlite_sequence\" WHERE \"name\" = 'aspect'), 0) \
                 THEN 1 ELSE 0 END",
            );
            q
        }
    };
    let rows = q.rows(db).await?;
    let yes: i32 = match rows.first() {
        Some(row) => row.try_get_by_index(0)?,
        None => 0,
    };
    Ok(yes == 1)
}

/// A tombstone's kind: an aspect removed.
pub const DELETE: &str = "DELETE";
/// A tombstone's kind: an entity erased with all its aspects.
pub const HARD_DELETE: &str = "HARD_DELETE";

/// A removal to record in the feed.
pub struct NewTombstone {
    pub urn: String,
    pub entity_type: String,
    pub aspect: Option<String>,
    pub version: Option<i64>,
    /// `DELETE` (an aspect removed) or `HARD_DELETE` (an entity erased).
    pub kind: &'static str,
    pub actor: String,
    pub run_id: Option<String>,
}

/// Records removals at `now`, in order, with the writing transaction's feed key (see the
/// module's comment). Call it after the transaction's versions are inserted: a tombstone's
/// id comes after theirs.
pub async fn insert_tombstones(
    db: &impl ConnectionTrait,
    rows: Vec<NewTombstone>,
    feed_key: i64,
    now: i64,
) -> Result<(), DbErr> {
    if rows.is_empty() {
        return Ok(());
    }
    let backend = db.get_database_backend();
    // SQLite: ids taken from the aspect table's counter, which AUTOINCREMENT keeps in
    // `sqlite_sequence` (its row exists once the table had a row; made here otherwise).
    let first_id = match backend {
        DbBackend::Postgres => None,
        _ => {
            Sql::new(
                backend,
                "INSERT INTO \"sqlite_sequence\" (\"name\", \"seq\") SELECT 'aspect', 0 \
                 WHERE NOT EXISTS (SELECT 1 FROM \"sqlite_sequence\" WHERE \"name\" = 'aspect')",
            )
            .execute(db)
            .await?;
            let mut q = Sql::new(
                backend,
                "UPDATE \"sqlite_sequence\" SET \"seq\" = \"seq\" + ",
            );
            q.bind(rows.len() as i64)
                .push(" WHERE \"name\" = 'aspect' RETURNING \"seq\"");
            let last: i64 = q
                .rows(db)
                .await?
                .first()
                .ok_or_else(|| DbErr::Custom("sqlite_sequence has no row for aspect".into()))?
                .try_get_by_index(0)?;
            Some(last - rows.len() as i64 + 1)
        }
    };
    let mut columns = vec![
        "feed_key",
        "urn",
        "entity_type",
        "aspect",
        "version",
        "kind",
        "created_at",
        "actor",
        "run_id",
    ];
    if first_id.is_some() {
        columns.insert(0, "id");
    }
    let head = format!(
        "INSERT INTO \"tombstone\" ({}) VALUES ",
        columns
            .iter()
            .map(|c| format!("\"{c}\""))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let mut rows = rows.into_iter().enumerate().peekable();
    while rows.peek().is_some() {
        let mut q = Sql::new(backend, &head);
        for (n, (i, row)) in rows.by_ref().take(super::CHUNK / 10).enumerate() {
            if n > 0 {
                q.push(", ");
            }
            let mut values: Vec<Value> = Vec::with_capacity(columns.len());
            if let Some(first) = first_id {
                values.push((first + i as i64).into());
            }
            values.extend([
                feed_key.into(),
                row.urn.into(),
                row.entity_type.into(),
                row.aspect.into(),
                row.version.into(),
                row.kind.into(),
                now.into(),
                row.actor.into(),
                row.run_id.into(),
            ]);
            q.list(values);
        }
        q.execute(db).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_order_by_key_then_id() {
        let a = Position { key: 5, id: 100 };
        let b = Position { key: 6, id: 1 };
        let c = Position { key: 6, id: 2 };
        assert!(a < b && b < c);
    }
}
