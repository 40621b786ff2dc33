//! Frozen feature tables: while a feature table is published (`mlFeatureTablePublication`), a
//! write that changes its feature list or primary keys is refused with `Conflict`, unless the
//! write says `force`. The check lives in the write path, so no front door goes around it.

use std::collections::HashMap;

use sea_orm::DatabaseTransaction;
use serde::Deserialize;
use serde_json::Value;

use crate::catalog::aspects::{
    frozen_lists, AspectSpec, MlFeatureTableProperties, MlFeatureTablePublication,
};
use crate::catalog::{Error, Result};
use crate::store::{aspect, entity};
use crate::urn::Urn;

/// The aspect that publishes a feature table, and with it freezes its properties.
pub(super) const PUBLICATION: &str = MlFeatureTablePublication::NAME;

/// The publications of the feature tables a batch writes the properties of.
#[derive(Default)]
pub(super) struct Frozen {
    published: HashMap<i64, MlFeatureTablePublication>,
}

impl Frozen {
    /// The existing feature tables whose properties the batch writes: those whose
    /// publication [`Frozen::read`] reads.
    pub(super) fn tables<'a>(
        writes: impl Iterator<Item = (&'a Urn, &'a str)>,
        owners: &HashMap<String, entity::Model>,
    ) -> Vec<i64> {
        writes
            .filter(|(_, aspect)| *aspect == MlFeatureTableProperties::NAME)
            .filter_map(|(urn, _)| owners.get(urn.as_str()))
            .filter(|o| o.has_aspects)
            .map(|o| o.id)
            .collect()
    }

    /// Reads the publication of every existing feature table whose properties the batch
    /// writes, in one read; reads nothing when the batch writes no such properties.
    pub(super) async fn read(txn: &DatabaseTransaction, tables: Vec<i64>) -> Result<Frozen> {
        let mut pairs: Vec<(i64, &str)> = tables
            .into_iter()
            .map(|id| (id, MlFeatureTablePublication::NAME))
            .collect();
        if pairs.is_empty() {
            return Ok(Frozen::default());
        }
        pairs.sort_unstable();
        pairs.dedup();
        let mut published = HashMap::new();
        for row in aspect::latest_for_write(txn, &pairs).await? {
            // A marker that does not decode cannot have been written through the checks.
            if let Ok(p) = serde_json::from_str::<MlFeatureTablePublication>(&row.value) {
                published.insert(row.entity_id, p);
            }
        }
        Ok(Frozen { published })
    }

    /// Notes a write of a publication earlier in the batch: later writes of the batch obey it.
    pub(super) fn note(&mut self, owner: i64, aspect: &str, value: Option<&Value>) {
        if aspect != MlFeatureTablePublication::NAME {
            return;
        }
        match value.and_then(|v| serde_json::from_value(v.clone()).ok()) {
            Some(p) => self.published.insert(owner, p),
            None => self.published.remove(&owner),
        };
    }

    /// Refuses a write of a published table's properties (`new`, `None` for a removal) that
    /// changes its feature list or primary keys from what they are (`old`), unless `force`.
    pub(super) fn check(
        &self,
        owner: i64,
        write: (&str, &str, bool),
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<()> {
        let (urn, aspect, force) = write;
        if force || aspect != MlFeatureTableProperties::NAME {
            return Ok(());
        }
        let Some(publication) = self.published.get(&owner) else {
            return Ok(());
        };
        let typed = |v: Option<&Value>| -> Option<MlFeatureTableProperties> {
            match v {
                None => Some(MlFeatureTableProperties::default()),
                Some(v) => MlFeatureTableProperties::deserialize(v).ok(),
            }
        };
        // A new value that does not decode is refused by its validation, with a better message.
        let (Some(before), Some(after)) = (typed(old).or_else(|| typed(None)), typed(new)) else {
            return Ok(());
        };
        let (features_before, keys_before) = frozen_lists(&before);
        let (features_after, keys_after) = frozen_lists(&after);
        let mut changes = Vec::new();
        describe(&mut changes, "features", &features_before, &features_after);
        describe(&mut changes, "primary keys", &keys_before, &keys_after);
        if changes.is_empty() {
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "the feature table {urn} is published as version {:?}: its feature list and primary keys are frozen ({}); write with force to override, or publish a new version",
            publication.version,
            changes.join("; ")
        )))
    }
}

/// Names what a change adds to and removes from a list.
fn describe(out: &mut Vec<String>, what: &str, before: &[&str], after: &[&str]) {
    let added: Vec<&str> = after
        .iter()
        .filter(|u| before.binary_search(u).is_err())
        .copied()
        .collect();
    let removed: Vec<&str> = before
        .iter()
        .filter(|u| after.binary_search(u).is_err())
        .copied()
        .collect();
    if !added.is_empty() {
        out.push(format!("{what} added: {}", added.join(", ")));
    }
    if !removed.is_empty() {
        out.push(format!("{what} removed: {}", removed.join(", ")));
    }
}
