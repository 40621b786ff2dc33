//! An index on the aspect table's `run_id` (with the row id, the order a run wrote in), so
//! that describing and rolling back an ingestion run (`/runs?action=describe|rollback`) read
//! the run's versions instead of scanning every version of every aspect.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000009_aspect_run_index"
    }
}

#[derive(DeriveIden)]
enum Aspect {
    Table,
    Id,
    RunId,
}

const INDEX: &str = "idx_aspect_run";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_index(
                Index::create()
                    .name(INDEX)
                    .table(Aspect::Table)
                    .col(Aspect::RunId)
                    .col(Aspect::Id)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(Index::drop().name(INDEX).table(Aspect::Table).to_owned())
            .await
    }
}
