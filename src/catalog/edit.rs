//! Atomic edits of one relationship list: add or remove targets of a list-valued aspect field
//! (a feature table's features, a model's groups, ...). Each edit is a patch applied inside the
//! write transaction, so concurrent edits of one list never lose each other, unlike a client's
//! read-modify-write of the whole aspect.

use serde_json::Map;

use super::aspects::{
    AspectSpec, BaseData, MlFeatureProperties, MlFeatureTableProperties, MlModelProperties,
    MlModelTrainingData, MlPrimaryKeyProperties, Upstream, UpstreamLineage,
};
use super::write::AspectWrite;
use crate::catalog::{Error, Result};
use crate::urn::{EntityKind, Urn};

/// A relationship list a user edits by hand, named by the entity that declares it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RelationshipField {
    /// A feature table's features (`Contains`).
    FeatureTableFeatures,
    /// A feature table's primary keys (`KeyedBy`).
    FeatureTablePrimaryKeys,
    /// A model's features (`Consumes`).
    ModelFeatures,
    /// A model's groups (`MemberOf`).
    ModelGroups,
    /// A model's deployments (`DeployedTo`).
    ModelDeployments,
    /// The datasets a model was trained on (`TrainedOn`).
    ModelTrainingDatasets,
    /// The datasets or columns a feature is derived from (`DerivedFrom`).
    FeatureSources,
    /// The datasets or columns a primary key is derived from (`DerivedFrom`).
    PrimaryKeySources,
    /// A dataset's upstream datasets or feature tables (`DownstreamOf`), or the models that
    /// produced it (`Produces`).
    DatasetUpstreams,
}

impl RelationshipField {
    /// The entity types a target of the list may have.
    pub fn targets(self) -> Vec<EntityKind> {
        match self {
            Self::FeatureTableFeatures | Self::ModelFeatures => vec![EntityKind::MlFeature],
            Self::FeatureTablePrimaryKeys => vec![EntityKind::MlPrimaryKey],
            Self::ModelGroups => vec![EntityKind::MlModelGroup],
            Self::ModelDeployments => vec![EntityKind::MlModelDeployment],
            Self::ModelTrainingDatasets => vec![EntityKind::Dataset],
            // A feature or key may come from a whole dataset or from some of its columns.
            Self::FeatureSources | Self::PrimaryKeySources => {
                vec![EntityKind::Dataset, super::aspects::schema_field_kind()]
            }
            Self::DatasetUpstreams => vec![
                EntityKind::Dataset,
                EntityKind::MlFeatureTable,
                EntityKind::MlModel,
            ],
        }
    }

    /// The entity type that declares the list.
    pub fn owner(self) -> EntityKind {
        match self {
            Self::FeatureTableFeatures | Self::FeatureTablePrimaryKeys => {
                EntityKind::MlFeatureTable
            }
            Self::ModelFeatures
            | Self::ModelGroups
            | Self::ModelDeployments
            | Self::ModelTrainingDatasets => EntityKind::MlModel,
            Self::FeatureSources => EntityKind::MlFeature,
            Self::PrimaryKeySources => EntityKind::MlPrimaryKey,
            Self::DatasetUpstreams => EntityKind::Dataset,
        }
    }
}

/// Adds targets missing from a list (in the order given) or removes those present.
fn edit_list(list: &mut Vec<Urn>, targets: &[Urn], add: bool) {
    if add {
        for t in targets {
            if !list.contains(t) {
                list.push(t.clone());
            }
        }
    } else {
        list.retain(|u| !targets.contains(u));
    }
}

fn edit_optional(list: &mut Option<Vec<Urn>>, targets: &[Urn], add: bool) {
    let mut current = list.take().unwrap_or_default();
    edit_list(&mut current, targets, add);
    *list = Some(current);
}

/// The write that adds (or removes) `targets` to (from) `field` of `owner`. Adding what is
/// there or removing what is not changes nothing and makes no new version. Removing needs the
/// owner to exist; adding creates it.
pub fn relationship_edit(
    field: RelationshipField,
    owner: Urn,
    targets: Vec<Urn>,
    add: bool,
    actor: &str,
) -> Result<AspectWrite> {
    let now = crate::store::now_millis();
    owner
        .expect_kind("urn", &[field.owner()])
        .map_err(Error::BadInput)?;
    // Checked for removals too: naming a model where a feature belongs is a mistake either way.
    let kinds = field.targets();
    for (i, target) in targets.iter().enumerate() {
        target
            .expect_kind(&format!("targets[{i}]"), &kinds)
            .map_err(Error::BadInput)?;
    }
    let write = match field {
        RelationshipField::FeatureTableFeatures => {
            patch::<MlFeatureTableProperties>(owner, move |p| {
                edit_optional(&mut p.ml_features, &targets, add)
            })
        }
        RelationshipField::FeatureTablePrimaryKeys => {
            patch::<MlFeatureTableProperties>(owner, move |p| {
                edit_optional(&mut p.ml_primary_keys, &targets, add)
            })
        }
        RelationshipField::ModelFeatures => patch::<MlModelProperties>(owner, move |p| {
            edit_optional(&mut p.ml_features, &targets, add)
        }),
        RelationshipField::ModelGroups => {
            patch::<MlModelProperties>(owner, move |p| edit_optional(&mut p.groups, &targets, add))
        }
        RelationshipField::ModelDeployments => patch::<MlModelProperties>(owner, move |p| {
            edit_optional(&mut p.deployments, &targets, add)
        }),
        RelationshipField::FeatureSources => patch::<MlFeatureProperties>(owner, move |p| {
            edit_optional(&mut p.sources, &targets, add)
        }),
        RelationshipField::PrimaryKeySources => patch::<MlPrimaryKeyProperties>(owner, move |p| {
            edit_list(&mut p.sources, &targets, add)
        }),
        RelationshipField::ModelTrainingDatasets => patch::<MlModelTrainingData>(owner, move |p| {
            let mut datasets: Vec<Urn> =
                p.training_data.iter().map(|d| d.dataset.clone()).collect();
            edit_list(&mut datasets, &targets, add);
            p.training_data.retain(|d| datasets.contains(&d.dataset));
            for dataset in datasets {
                if !p.training_data.iter().any(|d| d.dataset == dataset) {
                    p.training_data.push(BaseData {
                        dataset,
                        motivation: None,
                        pre_processing: None,
                        extra: Map::new(),
                    });
                }
            }
        }),
        RelationshipField::DatasetUpstreams => {
            let actor = format!("urn:li:corpuser:{actor}");
            patch::<UpstreamLineage>(owner, move |p| {
                let mut upstreams: Vec<Urn> =
                    p.upstreams.iter().map(|u| u.dataset.clone()).collect();
                edit_list(&mut upstreams, &targets, add);
                p.upstreams.retain(|u| upstreams.contains(&u.dataset));
                for dataset in upstreams {
                    if !p.upstreams.iter().any(|u| u.dataset == dataset) {
                        // DataHub's Upstream requires an audit stamp and a type; write them so
                        // DataHub clients can read the aspect back.
                        let mut extra = Map::new();
                        extra.insert(
                            "auditStamp".into(),
                            serde_json::json!({"time": now, "actor": actor}),
                        );
                        p.upstreams.push(Upstream {
                            dataset,
                            lineage_type: Some("TRANSFORMED".into()),
                            extra,
                        });
                    }
                }
            })
        }
    };
    Ok(if add { write } else { write.existing() })
}

/// A patch of aspect `T` of `owner` that cannot fail: the shared shape of the relationship and
/// governance edits.
pub(super) fn patch<T>(owner: Urn, edit: impl FnOnce(&mut T) + Send + 'static) -> AspectWrite
where
    T: AspectSpec + Default + Clone + PartialEq,
{
    AspectWrite::patch(owner, T::NAME, move |value: &mut T| {
        edit(value);
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urn(s: &str) -> Urn {
        Urn::parse(s).unwrap()
    }

    #[test]
    fn adding_keeps_order_and_skips_what_is_there() {
        let (a, b, c) = (
            urn("urn:li:mlFeature:(t,a)"),
            urn("urn:li:mlFeature:(t,b)"),
            urn("urn:li:mlFeature:(t,c)"),
        );
        let mut list = vec![a.clone(), b.clone()];
        edit_list(&mut list, &[c.clone(), a.clone()], true);
        assert_eq!(list, vec![a.clone(), b.clone(), c.clone()]);
        edit_list(
            &mut list,
            &[b.clone(), urn("urn:li:mlFeature:(t,z)")],
            false,
        );
        assert_eq!(list, vec![a, c]);
    }

    #[test]
    fn the_owner_must_be_of_the_field_type() {
        let e = relationship_edit(
            RelationshipField::FeatureTableFeatures,
            urn("urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)"),
            vec![],
            true,
            "me",
        );
        assert!(
            matches!(e, Err(Error::BadInput(m)) if m.contains("expected a mlFeatureTable URN"))
        );
    }
}
