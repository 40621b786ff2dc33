//! The baseline of the nested-query target: a straightforward async-graphql dataloader
//! implementation of the part of mlcat's schema the nested query reads (`listMLModels` ›
//! models › properties › features › properties › sources), written the way async-graphql's
//! and sea-orm's documentation show it, over the same tables:
//!
//! - one `DataLoader` per kind of key, made per request with async-graphql's defaults
//!   (`DataLoader::new(loader, tokio::spawn)`: a 1 ms window, at most 1,000 keys a batch);
//! - entity rows by URN, and the latest version of an aspect by `(entity id, aspect name)`,
//!   each read with sea-orm's query builder (`Entity::find().filter(..is_in(..))`) and decoded
//!   into sea-orm's models;
//! - the stored aspects parsed into `serde_json::Value`, and the fields read from that.
//!
//! The database is opened with sea-orm's `Database::connect(url)` and its default options, as
//! a straightforward implementation would; it shares only the table definitions
//! (`mlcat::store`) with mlcat, none of its reading code. mlcat's connection settings, its
//! statements written as text, its typed decoding and its in-request batching are what the
//! target compares against this. (`mlcat-bench statements` runs it over mlcat's own connection,
//! to count its statements; BENCHMARKS.md gives its speed both ways.) It answers the
//! nested query with exactly mlcat's JSON (`mlcat-bench statements` checks that on every
//! run). It has none of mlcat's query limits, auth, time-limit, tracing or panic layers, which
//! if anything favours it.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use anyhow::{Context as _, Result};
use async_graphql::dataloader::{DataLoader, Loader};
use async_graphql::{Context, EmptyMutation, EmptySubscription, InputObject, Object, Schema};
use axum::body::Bytes;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use mlcat::store::{aspect, entity};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DbErr, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde_json::Value;

use crate::serve;

type BaselineSchema = Schema<Query, EmptyMutation, EmptySubscription>;

/// The baseline router over an open database.
pub fn router(db: DatabaseConnection) -> Router {
    let schema = Schema::build(Query, EmptyMutation, EmptySubscription).finish();
    Router::new()
        .route("/api/graphql", post(graphql))
        .route("/health", get(health))
        .with_state((db, schema))
}

async fn graphql(
    State((db, schema)): State<(DatabaseConnection, BaselineSchema)>,
    body: Bytes,
) -> Response {
    serve::answer(&body, |request| async move {
        let request = request
            .data(DataLoader::new(EntityLoader(db.clone()), tokio::spawn))
            .data(DataLoader::new(AspectLoader(db.clone()), tokio::spawn))
            .data(db);
        Json(schema.execute(request).await).into_response()
    })
    .await
}

async fn health(State((db, _)): State<(DatabaseConnection, BaselineSchema)>) -> Response {
    serve::health(db.ping().await)
}

pub async fn run(args: serve::Args) -> Result<()> {
    let db = sea_orm::Database::connect(&args.database_url)
        .await
        .with_context(|| format!("opening {}", args.database_url))?;
    let what = "baseline (straightforward async-graphql dataloaders, sea-orm's default connection)";
    serve::serve(&args, what, router(db)).await
}

// ---------------------------------------------------------------------------------------------
// Loaders

/// Entity rows by URN.
struct EntityLoader(DatabaseConnection);

impl Loader<String> for EntityLoader {
    type Value = entity::Model;
    type Error = Arc<DbErr>;

    async fn load(&self, urns: &[String]) -> Result<HashMap<String, entity::Model>, Self::Error> {
        let rows = entity::Entity::find()
            .filter(entity::Column::Urn.is_in(urns.iter().cloned()))
            .all(&self.0)
            .await?;
        Ok(rows.into_iter().map(|row| (row.urn.clone(), row)).collect())
    }
}

/// The latest version of one aspect of one entity.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct AspectKey(i64, &'static str);

struct AspectLoader(DatabaseConnection);

impl Loader<AspectKey> for AspectLoader {
    type Value = Arc<Value>;
    type Error = Arc<DbErr>;

    async fn load(
        &self,
        keys: &[AspectKey],
    ) -> Result<HashMap<AspectKey, Arc<Value>>, Self::Error> {
        let ids: HashSet<i64> = keys.iter().map(|k| k.0).collect();
        let names: HashSet<&'static str> = keys.iter().map(|k| k.1).collect();
        let rows = aspect::Entity::find()
            .filter(aspect::Column::EntityId.is_in(ids))
            .filter(aspect::Column::Name.is_in(names.iter().copied()))
            .filter(aspect::Column::IsLatest.eq(true))
            .all(&self.0)
            .await?;
        let mut out = HashMap::new();
        for row in rows {
            let Some(&name) = names.get(row.name.as_str()) else {
                continue;
            };
            let value: Value = serde_json::from_str(&row.value)
                .map_err(|e| DbErr::Json(format!("aspect {}: {e}", row.id)))?;
            out.insert(AspectKey(row.entity_id, name), Arc::new(value));
        }
        Ok(out)
    }
}

async fn properties(
    ctx: &Context<'_>,
    row: &entity::Model,
    name: &'static str,
) -> async_graphql::Result<Option<Arc<Value>>> {
    Ok(ctx
        .data_unchecked::<DataLoader<AspectLoader>>()
        .load_one(AspectKey(row.id, name))
        .await?)
}

/// The entities a properties aspect names in `field`, in its order, leaving out soft-deleted
/// ones; null when the aspect has no such field.
async fn related(
    ctx: &Context<'_>,
    properties: &Value,
    field: &str,
) -> async_graphql::Result<Option<Vec<entity::Model>>> {
    let Some(urns) = properties.get(field).and_then(Value::as_array) else {
        return Ok(None);
    };
    let urns: Vec<String> = urns
        .iter()
        .filter_map(|u| u.as_str().map(str::to_string))
        .collect();
    let mut found = ctx
        .data_unchecked::<DataLoader<EntityLoader>>()
        .load_many(urns.iter().cloned())
        .await?;
    Ok(Some(
        urns.iter()
            .filter_map(|u| found.remove(u))
            .filter(|row| !row.removed)
            .collect(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Schema

pub struct Query;

#[derive(InputObject, Default)]
struct ListInput {
    start: Option<i32>,
    count: Option<i32>,
}

#[Object]
impl Query {
    /// Models, by name, leaving out soft-deleted ones.
    #[graphql(name = "listMLModels")]
    async fn list_ml_models(
        &self,
        ctx: &Context<'_>,
        input: Option<ListInput>,
    ) -> async_graphql::Result<ListResult> {
        let db = ctx.data_unchecked::<DatabaseConnection>();
        let input = input.unwrap_or_default();
        let (start, count) = (input.start.unwrap_or(0), input.count.unwrap_or(20));
        let models = entity::Entity::find()
            .filter(entity::Column::EntityType.eq("mlModel"))
            .filter(entity::Column::HasAspects.eq(true))
            .filter(entity::Column::Removed.eq(false));
        let total = models.clone().count(db).await?;
        let rows = models
            .order_by_asc(entity::Column::Name)
            .order_by_asc(entity::Column::Urn)
            .offset(start.max(0) as u64)
            .limit(count.max(0) as u64)
            .all(db)
            .await?;
        Ok(ListResult {
            start,
            total: total as i32,
            entities: rows.into_iter().map(MlModel).collect(),
        })
    }
}

struct ListResult {
    start: i32,
    total: i32,
    entities: Vec<MlModel>,
}

#[Object]
impl ListResult {
    async fn start(&self) -> i32 {
        self.start
    }
    async fn count(&self) -> i32 {
        self.entities.len() as i32
    }
    async fn total(&self) -> i32 {
        self.total
    }
    async fn entities(&self) -> &[MlModel] {
        &self.entities
    }
}

struct MlModel(entity::Model);

#[Object(name = "MLModel")]
impl MlModel {
    async fn urn(&self) -> &str {
        &self.0.urn
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn properties(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MlModelProperties>> {
        Ok(properties(ctx, &self.0, "mlModelProperties")
            .await?
            .map(|p| MlModelProperties(self.0.name.clone(), p)))
    }
}

/// The model's name from its URN, and its stored properties.
struct MlModelProperties(String, Arc<Value>);

#[Object(name = "MLModelProperties")]
impl MlModelProperties {
    async fn name(&self) -> String {
        self.1
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or(&self.0)
            .to_string()
    }
    async fn features(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<MlFeature>>> {
        Ok(related(ctx, &self.1, "mlFeatures")
            .await?
            .map(|rows| rows.into_iter().map(MlFeature).collect()))
    }
}

struct MlFeature(entity::Model);

#[Object(name = "MLFeature")]
impl MlFeature {
    async fn urn(&self) -> &str {
        &self.0.urn
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
    async fn properties(
        &self,
        ctx: &Context<'_>,
    ) -> async_graphql::Result<Option<MlFeatureProperties>> {
        Ok(properties(ctx, &self.0, "mlFeatureProperties")
            .await?
            .map(MlFeatureProperties))
    }
}

struct MlFeatureProperties(Arc<Value>);

#[Object(name = "MLFeatureProperties")]
impl MlFeatureProperties {
    async fn data_type(&self) -> Option<&str> {
        self.0.get("dataType").and_then(Value::as_str)
    }
    async fn sources(&self, ctx: &Context<'_>) -> async_graphql::Result<Option<Vec<Dataset>>> {
        // The datasets among the sources, as mlcat answers them (columns are `sourceColumns`).
        Ok(related(ctx, &self.0, "sources").await?.map(|rows| {
            rows.into_iter()
                .filter(|row| row.entity_type == "dataset")
                .map(Dataset)
                .collect()
        }))
    }
}

struct Dataset(entity::Model);

#[Object]
impl Dataset {
    async fn urn(&self) -> &str {
        &self.0.urn
    }
    async fn name(&self) -> &str {
        &self.0.name
    }
}
