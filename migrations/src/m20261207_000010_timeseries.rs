//! Timeseries aspects (`datasetProfile`, `operation`, `datahubIngestionCheckpoint`, ...): kept as
//! a series of events per entity and aspect, keyed by the event's `timestampMillis` and its
//! partition, instead of as aspect versions. An event with the key of a stored one replaces it.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000010_timeseries"
    }
}

#[derive(DeriveIden)]
enum TimeseriesAspect {
    Table,
    Id,
    EntityId,
    Name,
    TimestampMillis,
    EventKey,
    Value,
    CreatedAt,
    Actor,
    RunId,
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
                    .table(TimeseriesAspect::Table)
                    .col(
                        ColumnDef::new(TimeseriesAspect::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(
                        ColumnDef::new(TimeseriesAspect::EntityId)
                            .big_integer()
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimeseriesAspect::Name)
                            .string_len(128)
                            .not_null(),
                    )
                    .col(
                        ColumnDef::new(TimeseriesAspect::TimestampMillis)
                            .big_integer()
                            .not_null(),
                    )
                    // The event's partition within its timestamp (its `messageId`, else its
                    // `partitionSpec`), '' for none: two events differing only here are both kept.
                    .col(ColumnDef::new(TimeseriesAspect::EventKey).text().not_null())
                    .col(ColumnDef::new(TimeseriesAspect::Value).text().not_null())
                    .col(
                        ColumnDef::new(TimeseriesAspect::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(TimeseriesAspect::Actor).text().not_null())
                    .col(ColumnDef::new(TimeseriesAspect::RunId).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_timeseries_aspect_entity")
                            .from(TimeseriesAspect::Table, TimeseriesAspect::EntityId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // The event's identity, and the index every read walks (newest first within a range).
        manager
            .create_index(
                Index::create()
                    .name("idx_timeseries_aspect_event")
                    .table(TimeseriesAspect::Table)
                    .col(TimeseriesAspect::EntityId)
                    .col(TimeseriesAspect::Name)
                    .col(TimeseriesAspect::TimestampMillis)
                    .col(TimeseriesAspect::EventKey)
                    .unique()
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TimeseriesAspect::Table).to_owned())
            .await
    }
}
