//! When entities were soft-deleted and restored, so lineage as of a past time leaves out what
//! was deleted then, and only that.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000003_removals"
    }
}

#[derive(DeriveIden)]
enum Removal {
    Table,
    Id,
    EntityId,
    RemovedAt,
    RestoredAt,
}

#[derive(DeriveIden)]
enum Entity {
    Table,
    Id,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Removal::Table)
                    .col(
                        ColumnDef::new(Removal::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Removal::EntityId).big_integer().not_null())
                    .col(ColumnDef::new(Removal::RemovedAt).big_integer().not_null())
                    .col(ColumnDef::new(Removal::RestoredAt).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_removal_entity")
                            .from(Removal::Table, Removal::EntityId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_removal_entity")
                    .table(Removal::Table)
                    .col(Removal::EntityId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Removal::Table).to_owned())
            .await
    }
}
