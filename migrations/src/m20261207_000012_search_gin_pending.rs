//! PostgreSQL: a small pending list for the search index's GIN (`gin_pending_list_limit`
//! 256 kB, down from the server's 4 MB default), and the list that has built up merged now.
//!
//! GIN queues new entries in an unsorted pending list until it is full or vacuumed, and every
//! search reads the whole list: with 4 MB of it (369 pages on a 200,000-document table, after a
//! bulk load), each index scan of a rare word took 4 to 6 ms instead of 0.1 to 0.2 ms, and a
//! word search makes two or three scans (count, page, facets). A quarter of a megabyte bounds
//! that cost at about 0.5 ms, and costs bulk loads more frequent merges (BENCHMARKS.md,
//! 7 December). SQLite's FTS5 has no such list: nothing changes there.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000012_search_gin_pending"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        let db = manager.get_connection();
        db.execute_unprepared(
            "ALTER INDEX \"idx_search_document_doc\" SET (gin_pending_list_limit = 256)",
        )
        .await?;
        db.execute_unprepared("SELECT gin_clean_pending_list('idx_search_document_doc')")
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        if manager.get_database_backend() != DbBackend::Postgres {
            return Ok(());
        }
        manager
            .get_connection()
            .execute_unprepared(
                "ALTER INDEX \"idx_search_document_doc\" RESET (gin_pending_list_limit)",
            )
            .await?;
        Ok(())
    }
}
