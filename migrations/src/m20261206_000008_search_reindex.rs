//! Empties the search index so that mlcat rebuilds it at start-up (`Catalog::index_missing`
//! indexes every written entity without an index row): the index now also holds the
//! `deprecated`, `hasDescription` and `customProperties` facets and the names of the tags,
//! terms, owners and domains an entity carries, which rows written before could not have.
//! The rows are chosen by the catalog alone, so this migration only deletes; `down` deletes
//! too, for the older index to be rebuilt the same way.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000008_search_reindex"
    }
}

const EMPTY: [&str; 2] = [
    "DELETE FROM \"search_facet\"",
    "DELETE FROM \"search_document\"",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for statement in EMPTY {
            manager
                .get_connection()
                .execute_unprepared(statement)
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        self.up(manager).await
    }
}
