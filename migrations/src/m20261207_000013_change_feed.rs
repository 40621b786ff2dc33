//! The change feed: the aspect history is the feed, and each version carries the key that
//! orders it (`feed_key`, then `id`); an entity remembers the key of the last write that
//! changed it; removals, which leave no version behind (an aspect deleted, an entity erased),
//! leave a `tombstone` row in the same order.
//!
//! On PostgreSQL a write's key is its transaction id, raised to the key of the last write of
//! each entity it changes (`src/store/feed.rs` says why), and tombstones take their ids from
//! the aspect table's sequence, so the two tables make one order. On SQLite writes are
//! serialized and the key stays 0: the row id alone is commit order.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000013_change_feed"
    }
}

/// The transaction id as a number (`xid8` has no cast to `bigint` but through text; it fits:
/// an epoch in the high 32 bits, the 32-bit id in the low ones).
const XACT: &str = "(pg_current_xact_id()::text::bigint)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                let row = db
                    .query_one(sea_orm_migration::sea_orm::Statement::from_string(
                        DbBackend::Postgres,
                        "SELECT pg_get_serial_sequence('aspect', 'id')",
                    ))
                    .await?
                    .ok_or_else(|| DbErr::Custom("the aspect table has no id sequence".into()))?;
                let sequence: String = row.try_get_by_index(0)?;
                let sequence = sequence.replace('\'', "''");
                // The constant default first (no rewrite of the table), then the default new
                // rows get: a version written by anything that forgets its key still gets one
                // no lower than its transaction's.
                for statement in [
                    "ALTER TABLE \"aspect\" ADD COLUMN \"feed_key\" bigint NOT NULL DEFAULT 0"
                        .to_string(),
                    format!("ALTER TABLE \"aspect\" ALTER COLUMN \"feed_key\" SET DEFAULT {XACT}"),
                    "ALTER TABLE \"entity\" ADD COLUMN \"feed_key\" bigint NOT NULL DEFAULT 0"
                        .to_string(),
                    "CREATE INDEX \"idx_aspect_feed\" ON \"aspect\" (\"feed_key\", \"id\")"
                        .to_string(),
                    format!(
                        "CREATE TABLE \"tombstone\" (\
                         \"id\" bigint PRIMARY KEY DEFAULT nextval('{sequence}'::regclass), \
                         \"feed_key\" bigint NOT NULL DEFAULT {XACT}, \
                         \"urn\" text NOT NULL, \
                         \"entity_type\" varchar(64) NOT NULL, \
                         \"aspect\" varchar(128), \
                         \"version\" bigint, \
                         \"kind\" varchar(16) NOT NULL, \
                         \"created_at\" bigint NOT NULL, \
                         \"actor\" text NOT NULL, \
                         \"run_id\" text)"
                    ),
                    "CREATE INDEX \"idx_tombstone_feed\" ON \"tombstone\" (\"feed_key\", \"id\")"
                        .to_string(),
                ] {
                    db.execute_unprepared(&statement).await?;
                }
            }
            _ => {
                for statement in [
                    "ALTER TABLE \"aspect\" ADD COLUMN \"feed_key\" integer NOT NULL DEFAULT 0",
                    "ALTER TABLE \"entity\" ADD COLUMN \"feed_key\" integer NOT NULL DEFAULT 0",
                    // Ids are given by the writer from the aspect table's counter.
                    "CREATE TABLE \"tombstone\" (\
                     \"id\" integer NOT NULL PRIMARY KEY, \
                     \"feed_key\" integer NOT NULL DEFAULT 0, \
                     \"urn\" text NOT NULL, \
                     \"entity_type\" varchar(64) NOT NULL, \
                     \"aspect\" varchar(128), \
                     \"version\" integer, \
                     \"kind\" varchar(16) NOT NULL, \
                     \"created_at\" integer NOT NULL, \
                     \"actor\" text NOT NULL, \
                     \"run_id\" text)",
                ] {
                    db.execute_unprepared(statement).await?;
                }
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        db.execute_unprepared("DROP TABLE \"tombstone\"").await?;
        if postgres {
            db.execute_unprepared("DROP INDEX \"idx_aspect_feed\"")
                .await?;
        }
        db.execute_unprepared("ALTER TABLE \"entity\" DROP COLUMN \"feed_key\"")
            .await?;
        db.execute_unprepared("ALTER TABLE \"aspect\" DROP COLUMN \"feed_key\"")
            .await?;
        Ok(())
    }
}
