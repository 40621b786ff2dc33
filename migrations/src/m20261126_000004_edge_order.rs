//! The edge indexes carry the edge id after the relation, so a lineage level read in pages
//! (`ORDER BY source_id, relation, id LIMIT n`) streams from the index on PostgreSQL too,
//! instead of sorting every edge of a hub first. They replace the two-column indexes, which
//! they cover.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000004_edge_order"
    }
}

#[derive(DeriveIden)]
enum Edge {
    Table,
    Id,
    SourceId,
    DestinationId,
    Relation,
}

/// (old name, new name, the end of the edge it starts with).
const INDEXES: [(&str, &str, Edge); 2] = [
    ("idx_edge_source", "idx_edge_source_order", Edge::SourceId),
    (
        "idx_edge_destination",
        "idx_edge_destination_order",
        Edge::DestinationId,
    ),
];

/// The index `name` on `end` and the relation, ending in the edge id when `with_id`.
fn index(name: &str, end: Edge, with_id: bool) -> IndexCreateStatement {
    let mut index = Index::create();
    index
        .name(name)
        .table(Edge::Table)
        .col(end)
        .col(Edge::Relation);
    if with_id {
        index.col(Edge::Id);
    }
    index.to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, end) in INDEXES {
            manager.create_index(index(new, end, true)).await?;
            manager
                .drop_index(Index::drop().name(old).table(Edge::Table).to_owned())
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, end) in INDEXES {
            manager.create_index(index(old, end, false)).await?;
            manager
                .drop_index(Index::drop().name(new).table(Edge::Table).to_owned())
                .await?;
        }
        Ok(())
    }
}
