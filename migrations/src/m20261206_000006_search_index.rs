//! The search index: per entity, its searchable words (`search_document`) and the values its
//! filters and facets read (`search_facet`). SQLite keeps the words in an FTS5 table whose rowid
//! is the entity id; PostgreSQL in a table with a `tsvector` column made from the words
//! (exact lexemes, no parser: the catalog splits and folds the words itself) and a GIN index.
//!
//! The rows of entities that exist already are written by the catalog at start-up
//! (`Catalog::index_missing`), with the same code as every write: this migration only makes the
//! tables, so the words of an entity are chosen in one place.

use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261206_000006_search_index"
    }
}

#[derive(DeriveIden)]
enum Entity {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum SearchFacet {
    Table,
    EntityId,
    Field,
    Value,
}

const SQLITE_DOCUMENT: &str = "CREATE VIRTUAL TABLE \"search_document\" USING fts5(\
    \"name\", \"body\", tokenize = 'unicode61 remove_diacritics 0')";

const POSTGRES_DOCUMENT: [&str; 2] = [
    "CREATE TABLE \"search_document\" (\
        \"entity_id\" bigint NOT NULL PRIMARY KEY REFERENCES \"entity\" (\"id\"), \
        \"name\" text NOT NULL, \
        \"body\" text NOT NULL, \
        \"doc\" tsvector GENERATED ALWAYS AS \
            (array_to_tsvector(array_remove(string_to_array(\"name\" || ' ' || \"body\", ' '), ''))) STORED)",
    "CREATE INDEX \"idx_search_document_doc\" ON \"search_document\" USING gin (\"doc\")",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        match manager.get_database_backend() {
            DbBackend::Postgres => {
                for statement in POSTGRES_DOCUMENT {
                    db.execute_unprepared(statement).await?;
                }
            }
            _ => {
                db.execute_unprepared(SQLITE_DOCUMENT).await?;
            }
        }
        manager
            .create_table(
                Table::create()
                    .table(SearchFacet::Table)
                    .col(
                        ColumnDef::new(SearchFacet::EntityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(SearchFacet::Field).string_len(32).not_null())
                    .col(ColumnDef::new(SearchFacet::Value).text().not_null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_search_facet_entity")
                            .from(SearchFacet::Table, SearchFacet::EntityId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_facet_value")
                    .table(SearchFacet::Table)
                    .col(SearchFacet::Field)
                    .col(SearchFacet::Value)
                    .col(SearchFacet::EntityId)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_facet_entity")
                    .table(SearchFacet::Table)
                    .col(SearchFacet::EntityId)
                    .col(SearchFacet::Field)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(SearchFacet::Table).to_owned())
            .await?;
        manager
            .get_connection()
            .execute_unprepared("DROP TABLE \"search_document\"")
            .await?;
        Ok(())
    }
}
