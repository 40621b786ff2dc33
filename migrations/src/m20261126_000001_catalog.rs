//! The catalog's storage: one row per URN, every version of every aspect, and the edge table
//! derived from aspects.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000001_catalog"
    }
}

#[derive(DeriveIden)]
#[expect(clippy::enum_variant_names, reason = "the column is named entity_type")]
enum Entity {
    Table,
    Id,
    Urn,
    EntityType,
    Name,
    SearchName,
    Platform,
    Env,
    Namespace,
    HasAspects,
    Removed,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Aspect {
    Table,
    Id,
    EntityId,
    Name,
    Version,
    IsLatest,
    Value,
    CreatedAt,
    Actor,
    RunId,
}

#[derive(DeriveIden)]
enum Edge {
    Table,
    Id,
    SourceId,
    DestinationId,
    Relation,
    DeclaredBy,
    Aspect,
    CreatedAt,
    RemovedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Entity::Table)
                    .col(
                        ColumnDef::new(Entity::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Entity::Urn).text().not_null().unique_key())
                    .col(ColumnDef::new(Entity::EntityType).string_len(64).not_null())
                    .col(ColumnDef::new(Entity::Name).text().not_null())
                    .col(ColumnDef::new(Entity::SearchName).text().not_null())
                    .col(ColumnDef::new(Entity::Platform).text().null())
                    .col(ColumnDef::new(Entity::Env).string_len(32).null())
                    .col(ColumnDef::new(Entity::Namespace).text().null())
                    .col(
                        ColumnDef::new(Entity::HasAspects)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(
                        ColumnDef::new(Entity::Removed)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    .col(ColumnDef::new(Entity::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Entity::UpdatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_entity_type_name")
                    .table(Entity::Table)
                    .col(Entity::EntityType)
                    .col(Entity::Name)
                    .col(Entity::Urn)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Aspect::Table)
                    .col(
                        ColumnDef::new(Aspect::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Aspect::EntityId).big_integer().not_null())
                    .col(ColumnDef::new(Aspect::Name).string_len(128).not_null())
                    .col(ColumnDef::new(Aspect::Version).big_integer().not_null())
                    .col(ColumnDef::new(Aspect::IsLatest).boolean().not_null())
                    .col(ColumnDef::new(Aspect::Value).text().not_null())
                    .col(ColumnDef::new(Aspect::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Aspect::Actor).text().not_null())
                    .col(ColumnDef::new(Aspect::RunId).text().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_aspect_entity")
                            .from(Aspect::Table, Aspect::EntityId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("uq_aspect_version")
                    .table(Aspect::Table)
                    .col(Aspect::EntityId)
                    .col(Aspect::Name)
                    .col(Aspect::Version)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_aspect_latest")
                    .table(Aspect::Table)
                    .col(Aspect::EntityId)
                    .col(Aspect::IsLatest)
                    .col(Aspect::Name)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Edge::Table)
                    .col(
                        ColumnDef::new(Edge::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(Edge::SourceId).big_integer().not_null())
                    .col(ColumnDef::new(Edge::DestinationId).big_integer().not_null())
                    .col(ColumnDef::new(Edge::Relation).string_len(64).not_null())
                    .col(ColumnDef::new(Edge::DeclaredBy).big_integer().not_null())
                    .col(ColumnDef::new(Edge::Aspect).string_len(128).not_null())
                    .col(ColumnDef::new(Edge::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Edge::RemovedAt).big_integer().null())
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_edge_source")
                            .from(Edge::Table, Edge::SourceId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_edge_destination")
                            .from(Edge::Table, Edge::DestinationId)
                            .to(Entity::Table, Entity::Id),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk_edge_declared_by")
                            .from(Edge::Table, Edge::DeclaredBy)
                            .to(Entity::Table, Entity::Id),
                    )
                    .to_owned(),
            )
            .await?;
        for (name, col) in [
            ("idx_edge_source", Edge::SourceId),
            ("idx_edge_destination", Edge::DestinationId),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(Edge::Table)
                        .col(col)
                        .col(Edge::Relation)
                        .to_owned(),
                )
                .await?;
        }
        manager
            .create_index(
                Index::create()
                    .name("idx_edge_declared")
                    .table(Edge::Table)
                    .col(Edge::DeclaredBy)
                    .col(Edge::Aspect)
                    .to_owned(),
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Edge::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Aspect::Table).to_owned())
            .await?;
        manager
            .drop_table(Table::drop().table(Entity::Table).to_owned())
            .await
    }
}
