//! PostgreSQL: a GIN index on the words of each search document's name, the expression that
//! type-ahead's second statement (names holding the typed words, `store::search::complete`)
//! and name-only searches check.
//!
//! Without it PostgreSQL finds the words anywhere in the document through the document's GIN
//! and checks each match's name: on the 200,000-entity catalog, completing `reg` (a prefix of
//! a word in 6,000 descriptions and in no name) read those 6,000 rows to answer nothing, 9.1 ms,
//! and set autoComplete's p99 at 25 ms. With it the same statement takes 0.1 ms. Each indexed
//! document costs about 7 µs more to insert (20,000 documents: 240–330 ms without, 450–475 ms
//! with, BENCHMARKS.md, 8 December). Its pending list is as small as the document index's
//! (migration 000012). SQLite's FTS5 has a column filter for the name: nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000018_search_name_words"
    }
}

/// The index; its expression is the one `store::search::query::matching` writes for the name's
/// words, so that the planner can use it.
const CREATE: &str = "CREATE INDEX IF NOT EXISTS \"idx_search_document_name_words\" \
    ON \"search_document\" USING GIN \
    (array_to_tsvector(array_remove(string_to_array(\"name\", ' '), ''))) \
    WITH (gin_pending_list_limit = 256)";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager.get_connection().execute_unprepared(CREATE).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX IF EXISTS \"idx_search_document_name_words\"")
            .await?;
        Ok(())
    }
}
