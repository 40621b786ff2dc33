//! The webhook table: registered endpoints and their delivery state; and every statement over
//! it. A delivery is claimed with a lease (one replica at a time delivers a webhook), and its
//! outcome is recorded only by the lease's holder.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::Expr;
use sea_orm::{ActiveValue::Set, Condition, ConnectionTrait, QueryOrder};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub url: String,
    pub secret: String,
    /// The filter as JSON.
    pub filter: String,
    /// The change feed's cursor the webhook has been delivered up to.
    pub cursor: String,
    /// Failed deliveries in a row.
    pub failures: i64,
    pub paused: bool,
    pub last_error: Option<String>,
    /// Not before this time (milliseconds): the backoff after a failure.
    pub next_attempt_at: i64,
    pub lease_until: i64,
    pub lease_owner: Option<String>,
    /// Changes delivered, in all.
    pub delivered: i64,
    pub created_at: i64,
    pub actor: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// A webhook to register.
pub struct NewWebhook {
    pub url: String,
    pub secret: String,
    pub filter: String,
    pub cursor: String,
    pub actor: String,
}

/// Registers a webhook at `now`; its row.
pub async fn insert(db: &impl ConnectionTrait, new: NewWebhook, now: i64) -> Result<Model, DbErr> {
    Entity::insert(ActiveModel {
        url: Set(new.url),
        secret: Set(new.secret),
        filter: Set(new.filter),
        cursor: Set(new.cursor),
        failures: Set(0),
        paused: Set(false),
        last_error: Set(None),
        next_attempt_at: Set(0),
        lease_until: Set(0),
        lease_owner: Set(None),
        delivered: Set(0),
        created_at: Set(now),
        actor: Set(new.actor),
        ..Default::default()
    })
    .exec_with_returning(db)
    .await
}

/// Every webhook, by id.
pub async fn all(db: &impl ConnectionTrait) -> Result<Vec<Model>, DbErr> {
    Entity::find().order_by_asc(Column::Id).all(db).await
}

pub async fn by_id(db: &impl ConnectionTrait, id: i64) -> Result<Option<Model>, DbErr> {
    Entity::find_by_id(id).one(db).await
}

/// Deletes a webhook; whether there was one.
pub async fn delete(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    Ok(Entity::delete_by_id(id).exec(db).await?.rows_affected > 0)
}

/// Unpauses a webhook: its next delivery is due now, its failures forgotten.
pub async fn resume(db: &impl ConnectionTrait, id: i64) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Paused, Expr::value(false))
        .col_expr(Column::Failures, Expr::value(0))
        .col_expr(Column::NextAttemptAt, Expr::value(0))
        .filter(Column::Id.eq(id))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// The ids of webhooks due for a delivery at `now` by `owner`: not paused, past their backoff,
/// and not leased to another replica. A lease `owner` still holds counts as due: a delivery of
/// its own that stopped on an error (the database, say) goes on at the next look, not when the
/// lease runs out.
pub async fn due(db: &impl ConnectionTrait, now: i64, owner: &str) -> Result<Vec<i64>, DbErr> {
    Ok(Entity::find()
        .filter(Column::Paused.eq(false))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(Column::LeaseUntil.lt(now))
                .add(Column::LeaseOwner.eq(owner)),
        )
        .order_by_asc(Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|w| w.id)
        .collect())
}

/// Takes the lease of a due webhook for `owner` until `until`; its row when this caller got
/// it (one statement: of two replicas, one wins).
pub async fn claim(
    db: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    now: i64,
    until: i64,
) -> Result<Option<Model>, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .col_expr(Column::LeaseOwner, Expr::value(owner))
        .filter(Column::Id.eq(id))
        .filter(Column::Paused.eq(false))
        .filter(Column::NextAttemptAt.lte(now))
        .filter(
            Condition::any()
                .add(Column::LeaseUntil.lt(now))
                .add(Column::LeaseOwner.eq(owner)),
        )
        .exec(db)
        .await?;
    if done.rows_affected == 0 {
        return Ok(None);
    }
    by_id(db, id).await
}

/// Records a delivery that succeeded: the cursor moves on, failures are forgotten, the lease
/// is renewed until `until`. Only by the lease's holder; whether it still held it.
pub async fn delivered(
    db: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    cursor: &str,
    count: i64,
    until: i64,
) -> Result<bool, DbErr> {
    let done = Entity::update_many()
        .col_expr(Column::Cursor, Expr::value(cursor))
        .col_expr(Column::LeaseUntil, Expr::value(until))
        .col_expr(Column::Failures, Expr::value(0))
        .col_expr(Column::LastError, Expr::value(Option::<String>::None))
        .col_expr(Column::Delivered, Expr::col(Column::Delivered).add(count))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(done.rows_affected > 0)
}

/// Records a failed delivery: the next try not before `retry_at`, paused when `pause`; the
/// lease is given up.
pub async fn failed(
    db: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    error: &str,
    retry_at: i64,
    pause: bool,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::Failures, Expr::col(Column::Failures).add(1))
        .col_expr(Column::LastError, Expr::value(error))
        .col_expr(Column::NextAttemptAt, Expr::value(retry_at))
        .col_expr(Column::Paused, Expr::value(pause))
        .col_expr(Column::LeaseUntil, Expr::value(0))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}

/// Gives up the lease of a webhook with nothing more to deliver now, its cursor at `cursor`
/// (past the changes its filter left out).
pub async fn release(
    db: &impl ConnectionTrait,
    id: i64,
    owner: &str,
    cursor: &str,
) -> Result<(), DbErr> {
    Entity::update_many()
        .col_expr(Column::LeaseUntil, Expr::value(0))
        .col_expr(Column::Cursor, Expr::value(cursor))
        .filter(Column::Id.eq(id))
        .filter(Column::LeaseOwner.eq(owner))
        .exec(db)
        .await?;
    Ok(())
}
