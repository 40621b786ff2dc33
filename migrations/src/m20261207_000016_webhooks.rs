//! Webhooks: each registered endpoint with its filter and secret, and its delivery state (the
//! change feed's cursor it has been delivered up to, failures in a row, when to try next,
//! whether it is paused and why), so no delivery state lives in a process: a replica that dies
//! leaves it to another (`lease_until`, `lease_owner`), and nothing acknowledged is lost.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000016_webhooks"
    }
}

#[derive(DeriveIden)]
enum Webhook {
    Table,
    Id,
    Url,
    Secret,
    Filter,
    Cursor,
    Failures,
    Paused,
    LastError,
    NextAttemptAt,
    LeaseUntil,
    LeaseOwner,
    Delivered,
    CreatedAt,
    Actor,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Webhook::Table)
                    .col(
                        ColumnDef::new(Webhook::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Webhook::Url).text().not_null())
                    .col(ColumnDef::new(Webhook::Secret).text().not_null())
                    // The filter as JSON (types, URNs, aspects, lineage scope).
                    .col(ColumnDef::new(Webhook::Filter).text().not_null())
                    .col(ColumnDef::new(Webhook::Cursor).text().not_null())
                    .col(
                        ColumnDef::new(Webhook::Failures)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Webhook::Paused)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Webhook::LastError).text().null())
                    .col(
                        ColumnDef::new(Webhook::NextAttemptAt)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(
                        ColumnDef::new(Webhook::LeaseUntil)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Webhook::LeaseOwner).text().null())
                    .col(
                        ColumnDef::new(Webhook::Delivered)
                            .big_integer()
                            .not_null()
                            .default(0),
                    )
                    .col(ColumnDef::new(Webhook::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Webhook::Actor).text().not_null())
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Webhook::Table).to_owned())
            .await
    }
}
