//! Every version of every aspect. `is_latest` marks the current one; older rows are history.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "aspect")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    /// 1 for the first write, then one more for each write that changed the value.
    pub version: i64,
    pub is_latest: bool,
    /// The aspect as JSON text.
    pub value: String,
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
