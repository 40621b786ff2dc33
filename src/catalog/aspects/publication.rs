//! mlcat's aspects for frozen feature tables: a feature table published as a version
//! (`mlFeatureTablePublication`, which the write path reads to refuse edits of its feature list
//! and primary keys), and the published feature-table versions a model consumed
//! (`mlModelFeatureTableVersions`).

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{check_kind, AspectSpec, DeclaredEdge, MlFeatureTableProperties, Refused, Relation};
use crate::urn::{EntityKind, Urn};

/// A feature table published as a version: its label, when and by whom, and the feature list
/// and primary keys it was published with.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlFeatureTablePublication {
    pub version: String,
    pub published_at: i64,
    pub actor: String,
    #[serde(default)]
    pub ml_features: Vec<Urn>,
    #[serde(default)]
    pub ml_primary_keys: Vec<Urn>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for MlFeatureTablePublication {
    const NAME: &'static str = "mlFeatureTablePublication";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlFeatureTable
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_label("version", &self.version)
    }
}

/// A version label: not empty, no surrounding spaces, at most 200 characters.
pub fn check_label(field: &str, label: &str) -> Result<(), Refused> {
    let reason = if label.trim().is_empty() {
        "a version label must not be empty"
    } else if label.trim() != label {
        "a version label must not start or end with spaces"
    } else if label.chars().count() > 200 {
        "a version label has at most 200 characters"
    } else {
        return Ok(());
    };
    Err(Refused {
        field: field.into(),
        reason: reason.into(),
    })
}

/// One feature-table version a model consumed.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FeatureTableVersion {
    pub feature_table: Urn,
    pub published_version: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// `mlModelFeatureTableVersions`: the published feature-table versions a model consumed. Each
/// table is also lineage (table → model `Consumes`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MlModelFeatureTableVersions {
    #[serde(default)]
    pub feature_tables: Vec<FeatureTableVersion>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl AspectSpec for MlModelFeatureTableVersions {
    const NAME: &'static str = "mlModelFeatureTableVersions";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlModel
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        for (i, t) in self.feature_tables.iter().enumerate() {
            check_kind(
                || format!("featureTables[{i}].featureTable"),
                &t.feature_table,
                &[EntityKind::MlFeatureTable],
            )?;
            check_label(
                &format!("featureTables[{i}].publishedVersion"),
                &t.published_version,
            )?;
        }
        Ok(())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        self.feature_tables
            .iter()
            .map(|t| DeclaredEdge {
                upstream: t.feature_table.clone(),
                downstream: owner.clone(),
                relation: Relation::Consumes,
            })
            .collect()
    }
}

/// What a publication freezes: a table's features and primary keys, each sorted, so that a
/// reordering is not a change.
pub fn frozen_lists(p: &MlFeatureTableProperties) -> (Vec<&str>, Vec<&str>) {
    (sorted(&p.ml_features), sorted(&p.ml_primary_keys))
}

fn sorted(list: &Option<Vec<Urn>>) -> Vec<&str> {
    let mut v: Vec<&str> = list.iter().flatten().map(Urn::as_str).collect();
    v.sort_unstable();
    v.dedup();
    v
}
