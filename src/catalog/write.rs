//! The one write path: validate ► store the aspect as a new version ► derive edges, all in one
//! transaction, so lineage is never behind the aspects it comes from.

use std::collections::{BTreeSet, HashMap};

use sea_orm::sea_query::{Expr, OnConflict};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryFilter,
    QuerySelect, TransactionTrait,
};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

use super::aspects::{self, Declared};
use super::Catalog;
use crate::error::{Error, Result};
use crate::store::{aspect, edge, entity, now_millis, removal};
use crate::urn::Urn;

/// Who writes: recorded with every aspect version.
#[derive(Clone, Debug)]
pub struct Actor {
    pub name: String,
    pub run_id: Option<String>,
}

impl Actor {
    pub fn named(name: impl Into<String>) -> Actor {
        Actor {
            name: name.into(),
            run_id: None,
        }
    }
}

/// The outcome of a patch: the new value, and whether the edit changed anything.
pub struct Patched {
    pub value: Value,
    pub changed: bool,
}

pub type PatchFn = Box<dyn FnOnce(Option<Value>) -> Result<Patched> + Send>;

pub enum WriteOp {
    /// Replace the whole aspect.
    Upsert(Value),
    /// Compute the new aspect from the current one, inside the transaction, so concurrent
    /// patches of different fields never lose each other.
    Patch(PatchFn),
}

/// One aspect write.
pub struct AspectWrite {
    pub urn: Urn,
    pub aspect: String,
    pub op: WriteOp,
    /// Refuse with `NOT_FOUND` instead of creating the entity.
    pub must_exist: bool,
    /// Who writes this one, when not the batch's actor (proposals of one DataHub batch may
    /// name different actors and runs).
    pub actor: Option<Actor>,
}

impl AspectWrite {
    pub fn upsert(urn: Urn, aspect: &str, value: Value) -> AspectWrite {
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Upsert(value),
            must_exist: false,
            actor: None,
        }
    }

    /// Edits a typed aspect in place; an absent aspect starts from `T::default()`. An edit that
    /// changes nothing writes nothing, compared as typed values (so a stored aspect that spells
    /// a default differently, say with `"customProperties": {}`, is not rewritten), except
    /// that a new entity's first patch is written, to create it.
    pub fn patch<T, F>(urn: Urn, aspect: &str, edit: F) -> AspectWrite
    where
        T: Serialize + DeserializeOwned + Default + Clone + PartialEq,
        F: FnOnce(&mut T) -> Result<()> + Send + 'static,
    {
        let name = aspect.to_string();
        AspectWrite {
            urn,
            aspect: aspect.to_string(),
            op: WriteOp::Patch(Box::new(move |current| {
                let mut typed: T = match current {
                    Some(v) => serde_json::from_value(v).map_err(|e| {
                        Error::Conflict(format!(
                            "the stored {name} aspect cannot be edited field by field ({e}); replace it whole with replaceAspect"
                        ))
                    })?,
                    None => T::default(),
                };
                let before = typed.clone();
                edit(&mut typed)?;
                Ok(Patched {
                    changed: typed != before,
                    value: serde_json::to_value(typed).map_err(|e| Error::Internal(e.into()))?,
                })
            })),
            must_exist: false,
            actor: None,
        }
    }

    pub fn existing(mut self) -> AspectWrite {
        self.must_exist = true;
        self
    }

    /// Records `actor` for this write instead of the batch's.
    pub fn by(mut self, actor: Actor) -> AspectWrite {
        self.actor = Some(actor);
        self
    }
}

/// The outcome of one aspect write.
#[derive(Clone, Debug)]
pub struct Written {
    pub urn: Urn,
    pub aspect: String,
    pub version: i64,
    /// False when the new value equalled the latest one: no new version was made.
    pub changed: bool,
}

/// SQLite's limit on bound parameters is far above this; it keeps statements reasonable.
const CHUNK: usize = 500;

impl Catalog {
    /// Applies all writes in one transaction: all of them land, or none does and the error
    /// says which failed.
    pub async fn write(&self, actor: &Actor, writes: Vec<AspectWrite>) -> Result<Vec<Written>> {
        let _queued = match &self.write_queue {
            Some(queue) => Some(queue.lock().await),
            None => None,
        };
        let txn = self.db.begin().await?;
        let now = now_millis();
        let total = writes.len();
        let mut out = Vec::with_capacity(total);
        for (i, w) in writes.into_iter().enumerate() {
            let label = format!("{} {}", w.urn, w.aspect);
            match apply(&txn, actor, now, w).await {
                Ok(written) => out.push(written),
                Err(e) if total == 1 => return Err(e),
                Err(e) => return Err(in_batch(e, i, total, &label)),
            }
        }
        txn.commit().await?;
        Ok(out)
    }
}

fn in_batch(e: Error, i: usize, total: usize, label: &str) -> Error {
    let at = format!("change {} of {total} ({label})", i + 1);
    match e {
        Error::BadInput(m) => Error::BadInput(format!("{at}: {m}")),
        Error::NotFound(m) => Error::NotFound(format!("{at}: {m}")),
        Error::Conflict(m) => Error::Conflict(format!("{at}: {m}")),
        Error::Forbidden(m) => Error::Forbidden(m),
        Error::Internal(err) => Error::Internal(err.context(at)),
    }
}

async fn apply(
    txn: &DatabaseTransaction,
    actor: &Actor,
    now: i64,
    w: AspectWrite,
) -> Result<Written> {
    if !w.must_exist {
        ensure_entities(txn, &[&w.urn], now).await?;
    }
    // The entity row is locked for the rest of the transaction on PostgreSQL, so concurrent
    // writers of one entity take turns computing the next version (SQLite writers already
    // take turns in the write queue).
    let mut find = entity::Entity::find().filter(entity::Column::Urn.eq(w.urn.as_str()));
    if !crate::store::is_sqlite(txn) {
        find = find.lock_exclusive();
    }
    let owner = find
        .one(txn)
        .await?
        .ok_or_else(|| Error::NotFound(format!("no entity with URN {}", w.urn)))?;

    let latest = aspect::Entity::find()
        .filter(aspect::Column::EntityId.eq(owner.id))
        .filter(aspect::Column::Name.eq(w.aspect.as_str()))
        .filter(aspect::Column::IsLatest.eq(true))
        .one(txn)
        .await?;
    let current: Option<Value> = match &latest {
        Some(row) => Some(serde_json::from_str(&row.value).map_err(|e| anyhow::anyhow!(e))?),
        None => None,
    };
    let value = match w.op {
        WriteOp::Upsert(v) => v,
        WriteOp::Patch(edit) => {
            let patched = edit(current.clone())?;
            // Nothing to change: leave the aspect (or its absence) as it is. Only a patch that
            // may create its entity writes an unchanged first version, to create it.
            if !patched.changed && (current.is_some() || w.must_exist) {
                return Ok(Written {
                    urn: w.urn,
                    aspect: w.aspect,
                    version: latest.as_ref().map_or(0, |row| row.version),
                    changed: false,
                });
            }
            patched.value
        }
    };
    let declared = aspects::validate(&w.urn, &w.aspect, &value).map_err(Error::BadInput)?;

    if let (Some(row), Some(cur)) = (&latest, &current) {
        if *cur == value {
            return Ok(Written {
                urn: w.urn,
                aspect: w.aspect,
                version: row.version,
                changed: false,
            });
        }
    }

    let version = latest.as_ref().map_or(1, |row| row.version + 1);
    if let Some(row) = &latest {
        aspect::Entity::update_many()
            .col_expr(aspect::Column::IsLatest, Expr::value(false))
            .filter(aspect::Column::Id.eq(row.id))
            .exec(txn)
            .await?;
    }
    aspect::Entity::insert(aspect::ActiveModel {
        entity_id: Set(owner.id),
        name: Set(w.aspect.clone()),
        version: Set(version),
        is_latest: Set(true),
        value: Set(value.to_string()),
        created_at: Set(now),
        actor: Set(w.actor.as_ref().unwrap_or(actor).name.clone()),
        run_id: Set(w.actor.as_ref().unwrap_or(actor).run_id.clone()),
        ..Default::default()
    })
    .exec_without_returning(txn)
    .await?;

    sync_edges(txn, &owner, &w.aspect, declared, now).await?;

    let mut update = entity::Entity::update_many()
        .col_expr(entity::Column::UpdatedAt, Expr::value(now))
        .col_expr(entity::Column::HasAspects, Expr::value(true));
    if w.aspect == <aspects::Status as aspects::AspectSpec>::NAME {
        let removed = value
            .get("removed")
            .and_then(Value::as_bool)
            .unwrap_or(false);
        update = update.col_expr(entity::Column::Removed, Expr::value(removed));
        record_removal(txn, &owner, removed, now).await?;
    }
    update
        .filter(entity::Column::Id.eq(owner.id))
        .exec(txn)
        .await?;

    Ok(Written {
        urn: w.urn,
        aspect: w.aspect,
        version,
        changed: true,
    })
}

/// Keeps the soft-deletion intervals in step with the `status` aspect, so lineage as of a past
/// time knows what was deleted then.
async fn record_removal(
    txn: &DatabaseTransaction,
    owner: &entity::Model,
    removed: bool,
    now: i64,
) -> Result<()> {
    match (owner.removed, removed) {
        (false, true) => {
            removal::Entity::insert(removal::ActiveModel {
                entity_id: Set(owner.id),
                removed_at: Set(now),
                restored_at: Set(None),
                ..Default::default()
            })
            .exec_without_returning(txn)
            .await?;
        }
        (true, false) => {
            removal::Entity::update_many()
                .col_expr(removal::Column::RestoredAt, Expr::value(now))
                .filter(removal::Column::EntityId.eq(owner.id))
                .filter(removal::Column::RestoredAt.is_null())
                .exec(txn)
                .await?;
        }
        _ => {}
    }
    Ok(())
}

/// Makes the edge table agree with what the aspect now declares: new edges are inserted,
/// edges it no longer declares get `removed_at` (kept for lineage as of a time).
async fn sync_edges(
    txn: &DatabaseTransaction,
    owner: &entity::Model,
    aspect_name: &str,
    declared: Declared,
    now: i64,
) -> Result<()> {
    let mut others: Vec<&Urn> = declared
        .edges
        .iter()
        .flat_map(|e| [&e.upstream, &e.downstream])
        .chain(declared.references.iter())
        .filter(|u| u.as_str() != owner.urn)
        .collect();
    others.sort();
    others.dedup();
    let mut ids = ensure_entities(txn, &others, now).await?;
    ids.insert(owner.urn.clone(), owner.id);

    let mut desired = BTreeSet::new();
    for e in &declared.edges {
        let (Some(&src), Some(&dst)) =
            (ids.get(e.upstream.as_str()), ids.get(e.downstream.as_str()))
        else {
            return Err(anyhow::anyhow!("edge endpoint without a row: {e:?}").into());
        };
        desired.insert((src, dst, e.relation.as_str()));
    }

    let current = edge::Entity::find()
        .filter(edge::Column::DeclaredBy.eq(owner.id))
        .filter(edge::Column::Aspect.eq(aspect_name))
        .filter(edge::Column::RemovedAt.is_null())
        .all(txn)
        .await?;
    let mut stale = Vec::new();
    for e in &current {
        if !desired.remove(&(e.source_id, e.destination_id, e.relation.as_str())) {
            stale.push(e.id);
        }
    }
    for chunk in stale.chunks(CHUNK) {
        edge::Entity::update_many()
            .col_expr(edge::Column::RemovedAt, Expr::value(now))
            .filter(edge::Column::Id.is_in(chunk.iter().copied()))
            .exec(txn)
            .await?;
    }
    let fresh: Vec<edge::ActiveModel> = desired
        .into_iter()
        .map(|(src, dst, relation)| edge::ActiveModel {
            source_id: Set(src),
            destination_id: Set(dst),
            relation: Set(relation.to_string()),
            declared_by: Set(owner.id),
            aspect: Set(aspect_name.to_string()),
            created_at: Set(now),
            removed_at: Set(None),
            ..Default::default()
        })
        .collect();
    for chunk in fresh.chunks(CHUNK) {
        edge::Entity::insert_many(chunk.to_vec())
            .exec_without_returning(txn)
            .await?;
    }
    Ok(())
}

/// Gives every URN a row (a URN referenced before it is written still gets one, so every edge
/// has two ends) and returns their ids by URN.
async fn ensure_entities(
    txn: &impl ConnectionTrait,
    urns: &[&Urn],
    now: i64,
) -> Result<HashMap<String, i64>> {
    let mut ids = HashMap::with_capacity(urns.len());
    for chunk in urns.chunks(CHUNK) {
        let found = find_ids(txn, chunk).await?;
        let missing: Vec<entity::ActiveModel> = chunk
            .iter()
            .filter(|u| !found.contains_key(u.as_str()))
            .map(|u| new_row(u, now))
            .collect();
        ids.extend(found);
        if missing.is_empty() {
            continue;
        }
        entity::Entity::insert_many(missing)
            .on_conflict(
                OnConflict::column(entity::Column::Urn)
                    .do_nothing()
                    .to_owned(),
            )
            .exec_without_returning(txn)
            .await?;
        let rest: Vec<&Urn> = chunk
            .iter()
            .copied()
            .filter(|u| !ids.contains_key(u.as_str()))
            .collect();
        ids.extend(find_ids(txn, &rest).await?);
    }
    Ok(ids)
}

async fn find_ids(txn: &impl ConnectionTrait, urns: &[&Urn]) -> Result<HashMap<String, i64>> {
    let rows = entity::Entity::find()
        .filter(entity::Column::Urn.is_in(urns.iter().map(|u| u.as_str())))
        .all(txn)
        .await?;
    Ok(rows.into_iter().map(|r| (r.urn, r.id)).collect())
}

fn new_row(urn: &Urn, now: i64) -> entity::ActiveModel {
    entity::ActiveModel {
        urn: Set(urn.as_str().to_string()),
        entity_type: Set(urn.kind().as_str().to_string()),
        name: Set(urn.name().to_string()),
        search_name: Set(urn.name().to_lowercase()),
        platform: Set(urn.platform().map(str::to_string)),
        env: Set(urn.env().map(str::to_string)),
        namespace: Set(urn.namespace().map(str::to_string)),
        has_aspects: Set(false),
        removed: Set(false),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
}
