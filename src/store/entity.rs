//! One row per URN, with the key parts parsed out so lists, filters and sorting are SQL.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "entity")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique)]
    pub urn: String,
    pub entity_type: String,
    pub name: String,
    /// The name in lower case (Unicode-aware; SQLite's `lower()` folds ASCII only), for
    /// case-insensitive name filters.
    pub search_name: String,
    pub platform: Option<String>,
    pub env: Option<String>,
    pub namespace: Option<String>,
    /// False for a URN that is only referenced so far (a feature's source dataset).
    pub has_aspects: bool,
    /// Mirrors the latest `status` aspect: a soft-deleted entity.
    pub removed: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
