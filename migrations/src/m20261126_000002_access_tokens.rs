//! Access tokens: stored as SHA-256 hashes, never in the clear.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000002_access_tokens"
    }
}

#[derive(DeriveIden)]
enum AccessToken {
    Table,
    Id,
    Name,
    Scope,
    TokenHash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(AccessToken::Table)
                    .col(
                        ColumnDef::new(AccessToken::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(ColumnDef::new(AccessToken::Name).string_len(200).not_null())
                    .col(ColumnDef::new(AccessToken::Scope).string_len(16).not_null())
                    .col(
                        ColumnDef::new(AccessToken::TokenHash)
                            .string_len(64)
                            .not_null()
                            .unique_key(),
                    )
                    .col(
                        ColumnDef::new(AccessToken::CreatedAt)
                            .big_integer()
                            .not_null(),
                    )
                    .col(ColumnDef::new(AccessToken::LastUsedAt).big_integer().null())
                    .col(ColumnDef::new(AccessToken::RevokedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_access_token_name")
                    .table(AccessToken::Table)
                    .col(AccessToken::Name)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(AccessToken::Table).to_owned())
            .await
    }
}
