//! Frozen feature tables: while a feature table is published (`mlFeatureTablePublication`), a
//! write that changes its feature list or primary keys, or the `sources` of one of its features
//! or keys, is refused with `Conflict`, unless the write says `force`. The check lives in the
//! write path, so no front door goes around it.

use std::collections::HashMap;

use sea_orm::DatabaseTransaction;
use serde::Deserialize;
use serde_json::Value;

use crate::catalog::aspects::{
    frozen_lists, AspectSpec, MlFeatureProperties, MlFeatureTableProperties,
    MlFeatureTablePublication, MlPrimaryKeyProperties, Relation,
};
use crate::catalog::{Error, Result};
use crate::store::{aspect, edge, entity};
use crate::urn::Urn;

/// The aspect that publishes a feature table, and with it freezes its properties.
pub(super) const PUBLICATION: &str = MlFeatureTablePublication::NAME;

/// The publications of the feature tables a batch writes the properties of, or the sources
/// of whose features or keys it writes.
#[derive(Default)]
pub(super) struct Frozen {
    published: HashMap<i64, MlFeatureTablePublication>,
    /// The tables each written feature or key is in (`Contains`, `KeyedBy`).
    tables_of: HashMap<i64, Vec<i64>>,
}

/// What [`Frozen::read`] reads: the existing tables whose properties the batch writes, and
/// the existing features and keys whose properties it writes.
pub(super) struct Watched {
    tables: Vec<i64>,
    features: Vec<i64>,
    keys: Vec<i64>,
}

impl Frozen {
    /// What the batch writes that a publication may freeze: the existing feature tables whose
    /// properties it writes, and the existing features and keys whose properties it writes.
    pub(super) fn tables<'a>(
        writes: impl Iterator<Item = (&'a Urn, &'a str)>,
        owners: &HashMap<String, entity::Model>,
    ) -> Watched {
        let mut watched = Watched {
            tables: Vec::new(),
            features: Vec::new(),
            keys: Vec::new(),
        };
        for (urn, aspect) in writes {
            let Some(o) = owners.get(urn.as_str()).filter(|o| o.has_aspects) else {
                continue;
            };
            match aspect {
                MlFeatureTableProperties::NAME => watched.tables.push(o.id),
                MlFeatureProperties::NAME => watched.features.push(o.id),
                MlPrimaryKeyProperties::NAME => watched.keys.push(o.id),
                _ => {}
            }
        }
        watched
    }

    /// Reads the publication of every existing feature table the batch writes the properties
    /// of or holds a feature or key whose properties it writes: one read for the tables of
    /// the features and keys, one for the publications; nothing when the batch writes no such
    /// properties.
    pub(super) async fn read(txn: &DatabaseTransaction, watched: Watched) -> Result<Frozen> {
        let Watched {
            mut tables,
            features,
            keys,
        } = watched;
        let mut tables_of: HashMap<i64, Vec<i64>> = HashMap::new();
        for (members, relation) in [(features, Relation::Contains), (keys, Relation::KeyedBy)] {
            if members.is_empty() {
                continue;
            }
            for (member, table) in edge::current_from(txn, &members, relation.as_str()).await? {
                tables_of.entry(member).or_default().push(table);
                tables.push(table);
            }
        }
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
        Ok(Frozen {
            published,
            tables_of,
        })
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
    /// changes its feature list or primary keys from what they are (`old`), or a write of the
    /// properties of a feature or key of a published table that changes its sources, unless
    /// `force`.
    pub(super) fn check(
        &self,
        owner: i64,
        write: (&str, &str, bool),
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<()> {
        let (urn, aspect, force) = write;
        if force {
            return Ok(());
        }
        if aspect == MlFeatureProperties::NAME || aspect == MlPrimaryKeyProperties::NAME {
            return self.check_sources(owner, urn, aspect, old, new);
        }
        if aspect != MlFeatureTableProperties::NAME {
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

impl Frozen {
    /// The sources of a feature or key of a published table are frozen with it.
    fn check_sources(
        &self,
        owner: i64,
        urn: &str,
        aspect: &str,
        old: Option<&Value>,
        new: Option<&Value>,
    ) -> Result<()> {
        let Some(publication) = self
            .tables_of
            .get(&owner)
            .into_iter()
            .flatten()
            .find_map(|t| self.published.get(t))
        else {
            return Ok(());
        };
        let sources = |v: Option<&Value>| -> Option<Vec<String>> {
            let Some(v) = v else {
                return Some(Vec::new());
            };
            let list = if aspect == MlFeatureProperties::NAME {
                MlFeatureProperties::deserialize(v)
                    .ok()?
                    .sources
                    .unwrap_or_default()
            } else {
                MlPrimaryKeyProperties::deserialize(v).ok()?.sources
            };
            let mut list: Vec<String> = list.into_iter().map(|u| u.to_string()).collect();
            list.sort_unstable();
            list.dedup();
            Some(list)
        };
        // A new value that does not decode is refused by its validation, with a better message.
        let (Some(before), Some(after)) = (sources(old), sources(new)) else {
            return Ok(());
        };
        let (before, after): (Vec<&str>, Vec<&str>) = (
            before.iter().map(String::as_str).collect(),
            after.iter().map(String::as_str).collect(),
        );
        let mut changes = Vec::new();
        describe(&mut changes, "sources", &before, &after);
        if changes.is_empty() {
            return Ok(());
        }
        Err(Error::Conflict(format!(
            "{urn} is in a feature table published as version {:?}: its sources are frozen ({}); write with force to override, or publish a new version",
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
