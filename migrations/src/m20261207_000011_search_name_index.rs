//! An index on `entity.search_name` (the folded name), for type-ahead: the names starting with
//! what a person has typed are a range of it. PostgreSQL's index is in the "C" collation, which
//! compares bytes, so that the range holds exactly the names with that start whatever the
//! database's collation; the statements that read it compare in the same collation.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::DbBackend;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000011_search_name_index"
    }
}

const SQLITE: &str = "CREATE INDEX \"idx_entity_search_name\" ON \"entity\" (\"search_name\")";
const POSTGRES: &str =
    "CREATE INDEX \"idx_entity_search_name\" ON \"entity\" (\"search_name\" COLLATE \"C\")";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let statement = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES,
            _ => SQLITE,
        };
        manager
            .get_connection()
            .execute_unprepared(statement)
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .get_connection()
            .execute_unprepared("DROP INDEX \"idx_entity_search_name\"")
            .await?;
        Ok(())
    }
}
