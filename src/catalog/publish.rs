//! Publishing a feature table as a version (its feature list and primary keys then refuse
//! edits without `force`, see `write/frozen.rs`), withdrawing the publication, and recording on
//! a model the published feature-table versions it consumed. Each reads what it records, then
//! writes it in one batch with compare-and-set guards, so what is recorded is what held when
//! the batch committed.

use serde_json::Value;

use super::aspects::{
    frozen_lists, AspectSpec, FeatureTableVersion, MlFeatureTableProperties,
    MlFeatureTablePublication, MlModelFeatureTableVersions,
};
use super::{Actor, AspectWrite, Catalog, Deadline, Error, Patched, Result};
use crate::store::now_millis;
use crate::urn::{EntityKind, Urn};

impl Catalog {
    /// Publishes a feature table as `version`, recording its current feature list and primary
    /// keys. A table without properties is `NotFound`; a table published as `version` already,
    /// or whose lists change while it is published, is a `Conflict`.
    pub async fn publish_feature_table(
        &self,
        actor: &Actor,
        table: &Urn,
        version: &str,
        deadline: Option<&Deadline>,
    ) -> Result<MlFeatureTablePublication> {
        table
            .expect_kind("urn", &[EntityKind::MlFeatureTable])
            .map_err(Error::BadInput)?;
        let properties: MlFeatureTableProperties = self
            .latest_typed(table, MlFeatureTableProperties::NAME)
            .await?
            .ok_or_else(|| {
                Error::NotFound(format!(
                    "no feature table {table} with properties: write its properties before publishing it"
                ))
            })?;
        let publication = MlFeatureTablePublication {
            version: version.to_string(),
            published_at: now_millis(),
            actor: actor.name.clone(),
            ml_features: properties.ml_features.clone().unwrap_or_default(),
            ml_primary_keys: properties.ml_primary_keys.clone().unwrap_or_default(),
            extra: Default::default(),
        };
        let value = serde_json::to_value(&publication).map_err(|e| Error::Internal(e.into()))?;
        let label = version.to_string();
        let urn = table.to_string();
        let publish = AspectWrite {
            op: super::WriteOp::Patch(Box::new(move |current: Option<Value>| {
                let same = current
                    .and_then(|c| serde_json::from_value::<MlFeatureTablePublication>(c).ok())
                    .is_some_and(|c| c.version == label);
                if same {
                    return Err(Error::Conflict(format!(
                        "the feature table {urn} is published as version {label:?} already; publish under a new label"
                    )));
                }
                Ok(Patched {
                    value,
                    changed: true,
                })
            })),
            ..AspectWrite::upsert(table.clone(), MlFeatureTablePublication::NAME, Value::Null)
        };
        let writes = vec![unchanged_lists(table, &properties), publish];
        self.write_within(actor, writes, deadline).await?;
        Ok(publication)
    }

    /// Withdraws a feature table's publication: its lists can be edited again. Withdrawing
    /// from a table that is not published changes nothing.
    pub async fn unpublish_feature_table(
        &self,
        actor: &Actor,
        table: &Urn,
        deadline: Option<&Deadline>,
    ) -> Result<bool> {
        table
            .expect_kind("urn", &[EntityKind::MlFeatureTable])
            .map_err(Error::BadInput)?;
        if self.entity(table).await?.is_none() {
            return Err(Error::NotFound(format!("no feature table {table}")));
        }
        let mut delete = AspectWrite::delete(table.clone(), MlFeatureTablePublication::NAME);
        delete.must_exist = false;
        let written = self.write_within(actor, vec![delete], deadline).await?;
        Ok(written.iter().any(|w| w.changed))
    }

    /// Records on `model` the versions its `tables` are published as now (replacing what it
    /// recorded before). A table that is not published is refused with `BadInput`; a table
    /// published anew while this runs is a `Conflict`.
    pub async fn record_feature_table_versions(
        &self,
        actor: &Actor,
        model: &Urn,
        tables: &[Urn],
        deadline: Option<&Deadline>,
    ) -> Result<MlModelFeatureTableVersions> {
        model
            .expect_kind("urn", &[EntityKind::MlModel])
            .map_err(Error::BadInput)?;
        let mut writes = Vec::new();
        let mut recorded = Vec::new();
        for (i, table) in tables.iter().enumerate() {
            table
                .expect_kind(
                    &format!("featureTables[{i}]"),
                    &[EntityKind::MlFeatureTable],
                )
                .map_err(Error::BadInput)?;
            if recorded
                .iter()
                .any(|r: &FeatureTableVersion| r.feature_table == *table)
            {
                continue;
            }
            let publication: MlFeatureTablePublication = self
                .latest_typed(table, MlFeatureTablePublication::NAME)
                .await?
                .ok_or_else(|| {
                    Error::BadInput(format!(
                        "featureTables[{i}]: the feature table {table} is not published; publish it with publishFeatureTable first"
                    ))
                })?;
            writes.push(same_publication(table, &publication.version));
            recorded.push(FeatureTableVersion {
                feature_table: table.clone(),
                published_version: publication.version,
                extra: Default::default(),
            });
        }
        let aspect = MlModelFeatureTableVersions {
            feature_tables: recorded,
            extra: Default::default(),
        };
        let value = serde_json::to_value(&aspect).map_err(|e| Error::Internal(e.into()))?;
        writes.push(AspectWrite::upsert(
            model.clone(),
            MlModelFeatureTableVersions::NAME,
            value,
        ));
        self.write_within(actor, writes, deadline).await?;
        Ok(aspect)
    }

    /// The latest value of an aspect of an entity, typed; `None` when the entity or the aspect
    /// is absent or the value does not decode.
    async fn latest_typed<T: serde::de::DeserializeOwned>(
        &self,
        urn: &Urn,
        aspect: &str,
    ) -> Result<Option<T>> {
        let Some(entity) = self.entity(urn).await? else {
            return Ok(None);
        };
        Ok(self
            .latest_aspects(&[(entity.id, aspect)])
            .await?
            .into_iter()
            .find(|a| a.aspect == aspect)
            .and_then(|a| serde_json::from_str(&a.value).ok()))
    }
}

/// A guard that writes nothing: refuses the batch when the table's lists are no longer `read`.
fn unchanged_lists(table: &Urn, read: &MlFeatureTableProperties) -> AspectWrite {
    let (features, keys) = frozen_lists(read);
    let expected: (Vec<String>, Vec<String>) = (
        features.into_iter().map(str::to_string).collect(),
        keys.into_iter().map(str::to_string).collect(),
    );
    let urn = table.to_string();
    AspectWrite::patch(
        table.clone(),
        MlFeatureTableProperties::NAME,
        move |p: &mut MlFeatureTableProperties| {
            let (features, keys) = frozen_lists(p);
            if features != expected.0 || keys != expected.1 {
                return Err(Error::Conflict(format!(
                    "the features of {urn} changed while it was being published; publish again"
                )));
            }
            Ok(())
        },
    )
    .existing()
}

/// A guard that writes nothing: refuses the batch when the table is no longer published as
/// `version`.
fn same_publication(table: &Urn, version: &str) -> AspectWrite {
    let version = version.to_string();
    let urn = table.to_string();
    AspectWrite {
        op: super::WriteOp::Patch(Box::new(move |current: Option<Value>| {
            let now = current
                .clone()
                .and_then(|c| serde_json::from_value::<MlFeatureTablePublication>(c).ok());
            match (now, current) {
                (Some(p), Some(current)) if p.version == version => Ok(Patched {
                    value: current,
                    changed: false,
                }),
                _ => Err(Error::Conflict(format!(
                    "the feature table {urn} was published anew or withdrawn while the model's versions were recorded; record them again"
                ))),
            }
        })),
        ..AspectWrite::upsert(table.clone(), MlFeatureTablePublication::NAME, Value::Null)
    }
    .existing()
}
