//! The timeseries table: the events of timeseries aspects (`datasetProfile`, `operation`,
//! `datahubIngestionCheckpoint`, ...), one row per entity, aspect, `timestampMillis` and event
//! key; and every statement that reads or writes it.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::OnConflict;
use sea_orm::{ActiveValue::Set, ConnectionTrait, FromQueryResult, QueryOrder, QuerySelect};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "timeseries_aspect")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    pub entity_id: i64,
    pub name: String,
    pub timestamp_millis: i64,
    /// What tells apart two events of one timestamp ('' for none).
    pub event_key: String,
    /// The event as JSON text.
    pub value: String,
    pub created_at: i64,
    pub actor: String,
    pub run_id: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// An event to store.
pub struct NewEvent {
    pub entity_id: i64,
    pub name: String,
    pub timestamp_millis: i64,
    pub event_key: String,
    pub value: String,
    pub actor: String,
    pub run_id: Option<String>,
}

/// Stores events, an event replacing the stored one of the same entity, aspect, timestamp and
/// event key. The caller passes each key once: PostgreSQL refuses a statement that would
/// update one row twice.
pub async fn upsert(
    db: &impl ConnectionTrait,
    events: Vec<NewEvent>,
    now: i64,
) -> Result<(), DbErr> {
    let mut events = events.into_iter().peekable();
    while events.peek().is_some() {
        let chunk: Vec<ActiveModel> = events
            .by_ref()
            .take(super::CHUNK / 8)
            .map(|e| ActiveModel {
                entity_id: Set(e.entity_id),
                name: Set(e.name),
                timestamp_millis: Set(e.timestamp_millis),
                event_key: Set(e.event_key),
                value: Set(e.value),
                created_at: Set(now),
                actor: Set(e.actor),
                run_id: Set(e.run_id),
                ..Default::default()
            })
            .collect();
        Entity::insert_many(chunk)
            .on_conflict(
                OnConflict::columns([
                    Column::EntityId,
                    Column::Name,
                    Column::TimestampMillis,
                    Column::EventKey,
                ])
                .update_columns([
                    Column::Value,
                    Column::CreatedAt,
                    Column::Actor,
                    Column::RunId,
                ])
                .to_owned(),
            )
            .exec_without_returning(db)
            .await?;
    }
    Ok(())
}

/// A page of an entity's events of one aspect with `start <= timestampMillis <= end` (either
/// bound may be open), newest first (the later-stored first within one timestamp).
pub async fn page_newest_first(
    db: &impl ConnectionTrait,
    entity_id: i64,
    name: &str,
    start: Option<i64>,
    end: Option<i64>,
    offset: u64,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let mut q = Entity::find()
        .filter(Column::EntityId.eq(entity_id))
        .filter(Column::Name.eq(name));
    if let Some(start) = start {
        q = q.filter(Column::TimestampMillis.gte(start));
    }
    if let Some(end) = end {
        q = q.filter(Column::TimestampMillis.lte(end));
    }
    q.order_by_desc(Column::TimestampMillis)
        .order_by_desc(Column::Id)
        .offset(offset)
        .limit(limit)
        .all(db)
        .await
}

/// The newest events (at most `limit` each) of one aspect of each of the given entities (at
/// most [`super::CHUNK`]) with `start <= timestampMillis <= end` (either bound may be open),
/// by entity, each entity's newest first; one statement for all entities.
pub async fn newest_per_entity(
    db: &impl ConnectionTrait,
    entity_ids: &[i64],
    name: &str,
    start: Option<i64>,
    end: Option<i64>,
    limit: u64,
) -> Result<Vec<Model>, DbErr> {
    let statement = super::window::newest_per_entity::<Entity>(
        Column::EntityId,
        Column::TimestampMillis,
        Column::Id,
        limit,
        |ranked| {
            ranked
                .and_where(Column::EntityId.is_in(entity_ids.iter().copied()))
                .and_where(Column::Name.eq(name));
            if let Some(start) = start {
                ranked.and_where(Column::TimestampMillis.gte(start));
            }
            if let Some(end) = end {
                ranked.and_where(Column::TimestampMillis.lte(end));
            }
        },
    );
    // Decoded by column name.
    Model::find_by_statement(db.get_database_backend().build(&statement))
        .all(db)
        .await
}

/// Deletes every event of every timeseries aspect of one entity (a hard delete, which must
/// remove them before the entity's row: they reference it); how many rows went.
pub async fn delete_of_entity(db: &impl ConnectionTrait, entity_id: i64) -> Result<u64, DbErr> {
    let done = Entity::delete_many()
        .filter(Column::EntityId.eq(entity_id))
        .exec(db)
        .await?;
    Ok(done.rows_affected)
}
