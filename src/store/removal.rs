//! Soft-deletion intervals of entities (deleted at `removed_at`, restored at `restored_at`),
//! so lineage as of a past time knows what was deleted then; and the statements over them.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "removal")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_id: i64,
    pub removed_at: i64,
    pub restored_at: Option<i64>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// Records that an entity was soft-deleted at `now`.
pub async fn open(db: &impl ConnectionTrait, entity_id: i64, now: i64) -> Result<(), DbErr> {
    Entity::insert(ActiveModel {
        entity_id: Set(entity_id),
        removed_at: Set(now),
        restored_at: Set(None),
        ..Default::default()
    })
    .exec_without_returning(db)
    .await?;
    Ok(())
}

/// Records that a soft-deleted entity was restored at `now`.
pub async fn close(db: &impl ConnectionTrait, entity_id: i64, now: i64) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::RestoredAt, Expr::value(now))
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::RestoredAt.is_null())
        .exec(db)
        .await?;
    Ok(())
}

/// Whether an entity was soft-deleted at time `t`.
pub async fn removed_at(db: &impl ConnectionTrait, entity_id: i64, t: i64) -> Result<bool, DbErr> {
    Ok(Entity::find()
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::RemovedAt.lte(t))
        .filter(
            Condition::any()
                .add(Column::RestoredAt.is_null())
                .add(Column::RestoredAt.gt(t)),
        )
        .count(db)
        .await?
        > 0)
}

/// Deletes the soft-deletion intervals of one entity (a hard delete).
pub async fn delete_of_entity(db: &impl ConnectionTrait, entity_id: i64) -> Result<(), DbErr> {
    Entity::delete_many()
        .filter(Column::EntityId.eq(entity_id))
        .exec(db)
        .await?;
    Ok(())
}
