//! Ingestion runs: every aspect version records the run that wrote it (the `runId` of the
//! client's system metadata), so the runs can be listed, described, and rolled back. A rollback
//! restores each aspect whose current version the run wrote to the version before it, removes
//! the aspects the run created, and soft-deletes (or, not safe, erases) the entities it
//! created, in one transaction through the write path.

use futures_util::FutureExt;
use std::collections::{BTreeSet, HashMap};

use serde_json::{json, Value};

use super::history::AspectVersion;
use super::write::{Patched, WriteOp};
use super::{Actor, AspectWrite, Catalog, Error, Result};
use crate::store::aspect;
use crate::urn::Urn;

/// The run id the SDK records for writes that name no run: no run at all, so it is neither
/// listed nor rolled back.
pub const UNNAMED_RUN: &str = "no-run-id-provided";

/// The most aspect versions one rollback reads; a larger run is rolled back by calling again.
pub const MAX_ROLLBACK_ROWS: u64 = 100_000;

/// One run, as the list of runs shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RunSummary {
    pub run_id: String,
    /// Aspect versions it wrote that are still current.
    pub rows: i64,
    /// Aspect versions it wrote, in all.
    pub written: i64,
    /// When it last wrote, in milliseconds since the epoch.
    pub last_written_at: i64,
    pub actor: String,
}

/// One aspect version a run wrote.
#[derive(Clone, Debug, PartialEq)]
pub struct RunAspect {
    pub urn: String,
    pub version: AspectVersion,
}

/// What a rollback did, or would do on a dry run.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Rollback {
    /// The aspects rolled back (restored or removed), in the order written.
    pub reverted: Vec<RunAspect>,
    /// The entities the run created: soft-deleted, or erased when not safe.
    pub created: Vec<String>,
    /// Aspects other runs wrote on entities the run created: hidden with them when safe,
    /// erased with them when not.
    pub unsafe_aspects: u64,
    /// The entities holding those aspects.
    pub unsafe_entities: Vec<String>,
}

impl Catalog {
    /// The runs, the latest to write first; a run whose versions were all replaced or rolled
    /// back only with `include_rolled_back`.
    pub async fn runs(
        &self,
        offset: u64,
        limit: u64,
        include_rolled_back: bool,
    ) -> Result<Vec<RunSummary>> {
        let rows = self
            .read(|db| aspect::runs(db, UNNAMED_RUN, include_rolled_back, offset, limit).boxed())
            .await?;
        Ok(rows
            .into_iter()
            .map(|r| RunSummary {
                run_id: r.run_id,
                rows: r.current,
                written: r.written,
                last_written_at: r.last_written_at,
                actor: r.actor,
            })
            .collect())
    }

    /// The aspect versions a run wrote, in the order written; only those still current unless
    /// `include_replaced`.
    pub async fn run_aspects(
        &self,
        run_id: &str,
        include_replaced: bool,
        offset: u64,
        limit: u64,
    ) -> Result<Vec<RunAspect>> {
        let rows =
            aspect::written_by_run(&self.db, run_id, include_replaced, offset, limit).await?;
        rows.into_iter()
            .map(|(row, urn)| {
                Ok(RunAspect {
                    urn,
                    version: row.try_into()?,
                })
            })
            .collect()
    }

    /// Rolls back a run (see the module's doc); with `dry_run`, only says what it would do.
    /// `safe` soft-deletes the entities the run created (writing their `status`); not safe
    /// erases them with everything of them. An unknown run rolls back nothing.
    pub async fn rollback(
        &self,
        actor: &Actor,
        run_id: &str,
        dry_run: bool,
        safe: bool,
    ) -> Result<Rollback> {
        if run_id == UNNAMED_RUN {
            return Err(Error::BadInput(format!(
                "{UNNAMED_RUN} is a default run-id provided for non labeled ingestion runs. You cannot delete using this reserved run-id"
            )));
        }
        let current = self
            .run_aspects(run_id, false, 0, MAX_ROLLBACK_ROWS)
            .await?;
        if current.is_empty() {
            return Ok(Rollback::default());
        }
        let mut ids: Vec<i64> = current.iter().map(|r| r.version.entity.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let created_ids = aspect::created_by_run(&self.db, &ids, run_id).await?;
        let urn_of: HashMap<i64, &str> = current
            .iter()
            .map(|r| (r.version.entity.0, r.urn.as_str()))
            .collect();
        let created: Vec<String> = created_ids
            .iter()
            .filter_map(|id| urn_of.get(id).map(|u| u.to_string()))
            .collect();

        // What other runs wrote on the entities this run created goes with them.
        let mut unsafe_aspects = 0;
        let mut unsafe_entities = BTreeSet::new();
        for row in aspect::latest_of_entities(&self.db, &created_ids).await? {
            if row.run_id.as_deref() != Some(run_id) && row.name != "status" {
                unsafe_aspects += 1;
                if let Some(urn) = urn_of.get(&row.entity_id) {
                    unsafe_entities.insert(urn.to_string());
                }
            }
        }

        // The version before the run of each aspect it wrote: the newest not written by it.
        let pairs: Vec<(i64, &str)> = current
            .iter()
            .map(|r| (r.version.entity.0, r.version.aspect.as_str()))
            .collect();
        let mut before: HashMap<(i64, String), Value> = HashMap::new();
        for row in aspect::versions_not_by_run(&self.db, &pairs, run_id).await? {
            let key = (row.entity_id, row.name.clone());
            if before.contains_key(&key) || !pairs.contains(&(row.entity_id, row.name.as_str())) {
                continue;
            }
            let value = serde_json::from_str(&row.value).map_err(|e| {
                Error::Internal(anyhow::anyhow!(
                    "stored aspect row {} is not JSON: {e}",
                    row.id
                ))
            })?;
            before.insert(key, value);
        }

        let rollback = Rollback {
            reverted: current.clone(),
            created,
            unsafe_aspects,
            unsafe_entities: unsafe_entities.into_iter().collect(),
        };
        if dry_run {
            return Ok(rollback);
        }

        let erase: Vec<Urn> = if safe {
            Vec::new()
        } else {
            rollback
                .created
                .iter()
                .map(|u| Urn::parse(u).map_err(|e| Error::Internal(e.into())))
                .collect::<Result<_>>()?
        };
        let mut writes = Vec::new();
        for r in current {
            let entity = r.version.entity.0;
            if !safe && created_ids.binary_search(&entity).is_ok() {
                continue; // erased whole below
            }
            let urn = Urn::parse(&r.urn).map_err(|e| Error::Internal(e.into()))?;
            match before.remove(&(entity, r.version.aspect.clone())) {
                Some(previous) => {
                    let written = r.version.value;
                    let mut write = AspectWrite::upsert(urn, &r.version.aspect, Value::Null);
                    // Compare and set: an aspect someone wrote since the run is theirs now.
                    write.op = WriteOp::Patch(Box::new(move |current| {
                        Ok(match current {
                            Some(v) if v == written => Patched {
                                value: previous,
                                changed: true,
                            },
                            other => Patched {
                                value: other.unwrap_or(Value::Null),
                                changed: false,
                            },
                        })
                    }));
                    writes.push(write.existing());
                }
                // Compare and delete, likewise.
                None => writes.push(AspectWrite::delete_if(
                    urn,
                    &r.version.aspect,
                    r.version.value,
                )),
            }
        }
        if safe {
            for urn in &rollback.created {
                let urn = Urn::parse(urn).map_err(|e| Error::Internal(e.into()))?;
                writes.push(AspectWrite::upsert(urn, "status", json!({"removed": true})));
            }
        }
        self.write_then_erase(actor, writes, &erase).await?;
        Ok(rollback)
    }
}
