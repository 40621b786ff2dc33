//! Relationships derived from aspects. `source` is upstream, `destination` downstream; an edge
//! that its aspect stops declaring gets `removed_at` instead of being deleted.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "edge")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub source_id: i64,
    pub destination_id: i64,
    pub relation: String,
    /// The entity whose aspect declares the edge.
    pub declared_by: i64,
    pub aspect: String,
    pub created_at: i64,
    pub removed_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
