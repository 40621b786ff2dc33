//! The aspects mlcat understands: their typed shapes (`shapes`), the registry that validates an
//! aspect before it is stored, and the relationships each aspect declares. Aspects without a
//! struct are stored unchanged.

mod column_lineage;
mod governance;
mod publication;
mod runs;
mod schema_fields;
mod shapes;
mod versioning;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::Value;

pub use column_lineage::*;
pub use governance::*;
pub use publication::*;
pub use runs::*;
pub use schema_fields::*;
pub use shapes::*;
pub use versioning::*;

use super::text::check_aspect_name;
use super::Error;
use crate::urn::{EntityKind, Urn};

/// A relationship, named as DataHub names it where DataHub has it. Direction runs from the
/// upstream end to the downstream end. The first twelve are lineage: the walks follow them. The
/// governance relations run from the entity whose aspect declares them (a model) to what it
/// names (its tag, owner, term, domain, group or parent), as DataHub's source and destination
/// do; lineage never follows them unless a caller names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    DownstreamOf,
    DerivedFrom,
    Contains,
    KeyedBy,
    Consumes,
    TrainedOn,
    TrainedBy,
    UsedBy,
    MemberOf,
    DeployedTo,
    Produces,
    /// A run to a run after it (`dataProcessInstanceRelationships.upstreamInstances`).
    UpstreamOf,
    /// A run to the job, flow or dataset it is a run of (`parentTemplate`).
    InstanceOf,
    /// A run to the run it is part of (`parentInstance`).
    ChildOf,
    /// An entity to a tag of its `globalTags`.
    TaggedWith,
    /// An entity to a term of its `glossaryTerms`.
    TermedWith,
    /// An entity to a user or group of its `ownership`.
    OwnedBy,
    /// An entity to a domain of its `domains`.
    AssociatedWith,
    /// A user to a group of its `groupMembership`.
    IsMemberOfGroup,
    /// A user to a group of its `nativeGroupMembership`.
    IsMemberOfNativeGroup,
    /// A glossary term or node to its parent node, a domain to its parent domain.
    IsPartOf,
    /// A dataset to a tag one of its schema fields carries (`editableSchemaMetadata`).
    SchemaFieldTaggedWith,
    /// A dataset to a glossary term one of its schema fields carries.
    SchemaFieldWithGlossaryTerm,
    /// A version (a model or dataset) to the version set its `versionProperties` names.
    /// Neither lineage nor governance: lineage never follows it unless a caller names it.
    VersionOf,
}

impl Relation {
    /// The lineage relations: what `lineage`, `lineageGraph` and the walks follow by default.
    pub const LINEAGE: [Relation; 12] = [
        Relation::DownstreamOf,
        Relation::DerivedFrom,
        Relation::Contains,
        Relation::KeyedBy,
        Relation::Consumes,
        Relation::TrainedOn,
        Relation::TrainedBy,
        Relation::UsedBy,
        Relation::MemberOf,
        Relation::DeployedTo,
        Relation::Produces,
        Relation::UpstreamOf,
    ];

    /// The relations that place a run among jobs and runs (not lineage: a run is not fed by
    /// the job it is a run of).
    pub const STRUCTURE: [Relation; 2] = [Relation::InstanceOf, Relation::ChildOf];

    /// The governance relations: an entity to its tags, terms, owners, domain; a user to its
    /// groups; a term, node or domain to its parent; a dataset to its fields' tags and terms.
    pub const GOVERNANCE: [Relation; 9] = [
        Relation::TaggedWith,
        Relation::TermedWith,
        Relation::OwnedBy,
        Relation::AssociatedWith,
        Relation::IsMemberOfGroup,
        Relation::IsMemberOfNativeGroup,
        Relation::IsPartOf,
        Relation::SchemaFieldTaggedWith,
        Relation::SchemaFieldWithGlossaryTerm,
    ];

    /// Every relation: the lineage ones, the structural ones, the governance ones, then
    /// `VersionOf`.
    pub const ALL: [Relation; 24] = [
        Relation::DownstreamOf,
        Relation::DerivedFrom,
        Relation::Contains,
        Relation::KeyedBy,
        Relation::Consumes,
        Relation::TrainedOn,
        Relation::TrainedBy,
        Relation::UsedBy,
        Relation::MemberOf,
        Relation::DeployedTo,
        Relation::Produces,
        Relation::UpstreamOf,
        Relation::InstanceOf,
        Relation::ChildOf,
        Relation::TaggedWith,
        Relation::TermedWith,
        Relation::OwnedBy,
        Relation::AssociatedWith,
        Relation::IsMemberOfGroup,
        Relation::IsMemberOfNativeGroup,
        Relation::IsPartOf,
        Relation::SchemaFieldTaggedWith,
        Relation::SchemaFieldWithGlossaryTerm,
        Relation::VersionOf,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Relation::DownstreamOf => "DownstreamOf",
            Relation::DerivedFrom => "DerivedFrom",
            Relation::Contains => "Contains",
            Relation::KeyedBy => "KeyedBy",
            Relation::Consumes => "Consumes",
            Relation::TrainedOn => "TrainedOn",
            Relation::TrainedBy => "TrainedBy",
            Relation::UsedBy => "UsedBy",
            Relation::MemberOf => "MemberOf",
            Relation::DeployedTo => "DeployedTo",
            Relation::Produces => "Produces",
            Relation::UpstreamOf => "UpstreamOf",
            Relation::InstanceOf => "InstanceOf",
            Relation::ChildOf => "ChildOf",
            Relation::TaggedWith => "TaggedWith",
            Relation::TermedWith => "TermedWith",
            Relation::OwnedBy => "OwnedBy",
            Relation::AssociatedWith => "AssociatedWith",
            Relation::IsMemberOfGroup => "IsMemberOfGroup",
            Relation::IsMemberOfNativeGroup => "IsMemberOfNativeGroup",
            Relation::IsPartOf => "IsPartOf",
            Relation::SchemaFieldTaggedWith => "SchemaFieldTaggedWith",
            Relation::SchemaFieldWithGlossaryTerm => "SchemaFieldWithGlossaryTerm",
            Relation::VersionOf => "VersionOf",
        }
    }

    pub fn parse(s: &str) -> Option<Relation> {
        Relation::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Whether lineage follows the relation by default.
    pub fn is_lineage(self) -> bool {
        Relation::LINEAGE.contains(&self)
    }

    /// The names of the lineage relations, as the edge table stores them.
    pub fn lineage_names() -> Vec<String> {
        Relation::LINEAGE
            .iter()
            .map(|r| r.as_str().to_string())
            .collect()
    }
}

/// A set of relations, small and `Copy` so it can key a loader: the edges of an entity are
/// read per set (its lineage, or the relations a `relationships` field names).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RelationSet(u32);

impl RelationSet {
    /// The lineage relations ([`Relation::LINEAGE`]).
    pub fn lineage() -> RelationSet {
        RelationSet::of(&Relation::LINEAGE)
    }

    pub fn of(relations: &[Relation]) -> RelationSet {
        RelationSet(
            relations
                .iter()
                .fold(0, |bits, r| bits | RelationSet::bit(*r)),
        )
    }

    fn bit(relation: Relation) -> u32 {
        // At most 32 relations: the position in `ALL` is the bit.
        let at = Relation::ALL
            .iter()
            .position(|r| *r == relation)
            .unwrap_or(0);
        1 << at
    }

    pub fn contains(self, relation: Relation) -> bool {
        self.0 & RelationSet::bit(relation) != 0
    }

    /// The relations of the set, in the order of [`Relation::ALL`].
    pub fn relations(self) -> impl Iterator<Item = Relation> {
        Relation::ALL.into_iter().filter(move |r| self.contains(*r))
    }
}

/// An edge an aspect declares: `upstream` feeds `downstream`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DeclaredEdge {
    pub upstream: Urn,
    pub downstream: Urn,
    pub relation: Relation,
}

/// What the write path learns from a valid aspect: its edges, and other URNs that must have a
/// row (the platform in a key) although no edge points at them.
#[derive(Debug, Default)]
pub struct Declared {
    pub edges: Vec<DeclaredEdge>,
    pub references: Vec<Urn>,
}

/// A typed aspect: its name, the entity types that carry it, its checks and its edges.
pub trait AspectSpec: Serialize + DeserializeOwned {
    const NAME: &'static str;
    fn carried_by(kind: &EntityKind) -> bool;
    /// Checks beyond the shape serde enforces.
    fn check(&self, _owner: &Urn) -> Result<(), Refused> {
        Ok(())
    }
    fn edges(&self, _owner: &Urn) -> Vec<DeclaredEdge> {
        Vec::new()
    }
    /// URNs the aspect names that must have a row, although no edge points at them.
    fn references(&self) -> Vec<Urn> {
        Vec::new()
    }
}

/// A field of an aspect that a check refuses: where in the aspect, and why.
#[derive(Debug)]
pub struct Refused {
    /// A path into the aspect, such as `mlFeatures[2]`.
    pub field: String,
    pub reason: String,
}

/// Refuses a URN of the wrong entity type at `field`.
fn check_kind(
    field: impl FnOnce() -> String,
    urn: &Urn,
    kinds: &[EntityKind],
) -> Result<(), Refused> {
    match urn.kind_mismatch(kinds) {
        // A column must name its dataset and path, or no walk can place it.
        None if *urn.kind() == schema_field_kind() => {
            crate::catalog::columns::SchemaFieldUrn::parse(urn)
                .map(|_| ())
                .map_err(|reason| Refused {
                    field: field(),
                    reason,
                })
        }
        None => Ok(()),
        Some(reason) => Err(Refused {
            field: field(),
            reason,
        }),
    }
}

fn check_kinds(field: &str, urns: &[Urn], kinds: &[EntityKind]) -> Result<(), Refused> {
    for (i, urn) in urns.iter().enumerate() {
        check_kind(|| format!("{field}[{i}]"), urn, kinds)?;
    }
    Ok(())
}

fn upstream_of(owner: &Urn, relation: Relation, urns: &[Urn]) -> Vec<DeclaredEdge> {
    urns.iter()
        .map(|u| DeclaredEdge {
            upstream: u.clone(),
            downstream: owner.clone(),
            relation,
        })
        .collect()
}

fn downstream_of(owner: &Urn, relation: Relation, urns: &[Urn]) -> Vec<DeclaredEdge> {
    urns.iter()
        .map(|u| DeclaredEdge {
            upstream: owner.clone(),
            downstream: u.clone(),
            relation,
        })
        .collect()
}

fn slice(v: &Option<Vec<Urn>>) -> &[Urn] {
    v.as_deref().unwrap_or(&[])
}

/// What `trainingJobs` and `downstreamJobs` may point at.
fn job_kinds() -> Vec<EntityKind> {
    vec![
        EntityKind::Other("dataJob".into()),
        EntityKind::Other("dataProcessInstance".into()),
    ]
}

/// What a feature's or primary key's `sources` may name: a dataset, or one of its columns.
fn source_kinds() -> [EntityKind; 2] {
    [EntityKind::Dataset, schema_field_kind()]
}

impl AspectSpec for MlFeatureProperties {
    const NAME: &'static str = "mlFeatureProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlFeature
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("sources", slice(&self.sources), &source_kinds())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        upstream_of(owner, Relation::DerivedFrom, slice(&self.sources))
    }
}

impl AspectSpec for MlPrimaryKeyProperties {
    const NAME: &'static str = "mlPrimaryKeyProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlPrimaryKey
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("sources", &self.sources, &source_kinds())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        upstream_of(owner, Relation::DerivedFrom, &self.sources)
    }
}

impl AspectSpec for MlFeatureTableProperties {
    const NAME: &'static str = "mlFeatureTableProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlFeatureTable
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds(
            "mlFeatures",
            slice(&self.ml_features),
            &[EntityKind::MlFeature],
        )?;
        check_kinds(
            "mlPrimaryKeys",
            slice(&self.ml_primary_keys),
            &[EntityKind::MlPrimaryKey],
        )
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let mut edges = upstream_of(owner, Relation::Contains, slice(&self.ml_features));
        edges.extend(upstream_of(
            owner,
            Relation::KeyedBy,
            slice(&self.ml_primary_keys),
        ));
        edges
    }
}

impl AspectSpec for MlModelProperties {
    const NAME: &'static str = "mlModelProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlModel
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds(
            "mlFeatures",
            slice(&self.ml_features),
            &[EntityKind::MlFeature],
        )?;
        check_kinds("groups", slice(&self.groups), &[EntityKind::MlModelGroup])?;
        check_kinds(
            "deployments",
            slice(&self.deployments),
            &[EntityKind::MlModelDeployment],
        )?;
        check_kinds("trainingJobs", slice(&self.training_jobs), &job_kinds())?;
        check_kinds("downstreamJobs", slice(&self.downstream_jobs), &job_kinds())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let mut edges = upstream_of(owner, Relation::Consumes, slice(&self.ml_features));
        edges.extend(downstream_of(
            owner,
            Relation::MemberOf,
            slice(&self.groups),
        ));
        edges.extend(downstream_of(
            owner,
            Relation::DeployedTo,
            slice(&self.deployments),
        ));
        edges.extend(upstream_of(
            owner,
            Relation::TrainedBy,
            slice(&self.training_jobs),
        ));
        edges.extend(downstream_of(
            owner,
            Relation::UsedBy,
            slice(&self.downstream_jobs),
        ));
        edges
    }
}

impl AspectSpec for MlModelGroupProperties {
    const NAME: &'static str = "mlModelGroupProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlModelGroup
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        check_kinds("trainingJobs", slice(&self.training_jobs), &job_kinds())?;
        check_kinds("downstreamJobs", slice(&self.downstream_jobs), &job_kinds())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let mut edges = upstream_of(owner, Relation::TrainedBy, slice(&self.training_jobs));
        edges.extend(downstream_of(
            owner,
            Relation::UsedBy,
            slice(&self.downstream_jobs),
        ));
        edges
    }
}

impl AspectSpec for DatasetProperties {
    const NAME: &'static str = "datasetProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::Dataset
    }
}

impl AspectSpec for MlModelTrainingData {
    const NAME: &'static str = "mlModelTrainingData";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlModel
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        for (i, d) in self.training_data.iter().enumerate() {
            check_kind(
                || format!("trainingData[{i}].dataset"),
                &d.dataset,
                &[EntityKind::Dataset],
            )?;
        }
        Ok(())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        let datasets: Vec<Urn> = self
            .training_data
            .iter()
            .map(|d| d.dataset.clone())
            .collect();
        upstream_of(owner, Relation::TrainedOn, &datasets)
    }
}

impl AspectSpec for UpstreamLineage {
    const NAME: &'static str = "upstreamLineage";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::Dataset
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        for (i, u) in self.upstreams.iter().enumerate() {
            check_kind(
                || format!("upstreams[{i}].dataset"),
                &u.dataset,
                &[
                    EntityKind::Dataset,
                    EntityKind::MlModel,
                    EntityKind::MlFeatureTable,
                ],
            )?;
        }
        check_fine_grained(self.fine_grained())
    }
    fn edges(&self, owner: &Urn) -> Vec<DeclaredEdge> {
        // A model listed as an upstream of a dataset produced it (predictions). A dataset, or
        // the feature table a training dataset was generated from, is an ordinary upstream
        // (DataHub accepts only datasets here; mlcat accepts feature tables and models too).
        let mut out: Vec<DeclaredEdge> = self
            .upstreams
            .iter()
            .map(|u| DeclaredEdge {
                upstream: u.dataset.clone(),
                downstream: owner.clone(),
                relation: if *u.dataset.kind() == EntityKind::MlModel {
                    Relation::Produces
                } else {
                    Relation::DownstreamOf
                },
            })
            .collect();
        out.extend(fine_grained_edges(self.fine_grained()));
        out
    }
}

impl AspectSpec for MlModelDeploymentProperties {
    const NAME: &'static str = "mlModelDeploymentProperties";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::MlModelDeployment
    }
}

impl AspectSpec for Status {
    const NAME: &'static str = "status";
    fn carried_by(_: &EntityKind) -> bool {
        true
    }
}

impl AspectSpec for DataPlatformInfo {
    const NAME: &'static str = "dataPlatformInfo";
    fn carried_by(kind: &EntityKind) -> bool {
        *kind == EntityKind::DataPlatform
    }
    fn check(&self, _: &Urn) -> Result<(), Refused> {
        const TYPES: [&str; 9] = [
            "FILE_SYSTEM",
            "KEY_VALUE_STORE",
            "MESSAGE_BROKER",
            "OBJECT_STORE",
            "OLAP_DATASTORE",
            "QUERY_ENGINE",
            "RELATIONAL_DB",
            "SEARCH_ENGINE",
            "OTHERS",
        ];
        if TYPES.contains(&self.platform_type.as_str()) {
            Ok(())
        } else {
            Err(Refused {
                field: "type".into(),
                reason: format!(
                    "{:?} is not one of {}",
                    self.platform_type,
                    TYPES.join(", ")
                ),
            })
        }
    }
}

/// The name of the editable-properties aspect of an entity type, as DataHub names it.
pub fn editable_aspect_name(kind: &EntityKind) -> Option<&'static str> {
    Some(match kind {
        EntityKind::MlFeature => "editableMlFeatureProperties",
        EntityKind::MlFeatureTable => "editableMlFeatureTableProperties",
        EntityKind::MlModel => "editableMlModelProperties",
        EntityKind::MlModelGroup => "editableMlModelGroupProperties",
        EntityKind::MlPrimaryKey => "editableMlPrimaryKeyProperties",
        EntityKind::Dataset => "editableDatasetProperties",
        EntityKind::MlModelDeployment => "editableMlModelDeploymentProperties",
        _ => return None,
    })
}

/// An aspect that does not decode into its typed struct.
fn not_valid(name: &str, e: serde_json::Error) -> Error {
    Error::Invalid {
        field: name.to_string(),
        message: format!("aspect {name} is not valid: {e}"),
    }
}

fn decode<T: AspectSpec>(owner: &Urn, value: &Value) -> Result<Declared, Error> {
    if !T::carried_by(owner.kind()) {
        return Err(Error::BadInput(format!(
            "aspect {} does not belong to a {} entity",
            T::NAME,
            owner.kind()
        )));
    }
    // Decoded from the borrowed tree: no copy of the value first.
    let typed = T::deserialize(value).map_err(|e| not_valid(T::NAME, e))?;
    typed.check(owner).map_err(|r| Error::Invalid {
        message: format!("aspect {}: {}: {}", T::NAME, r.field, r.reason),
        field: format!("{}.{}", T::NAME, r.field),
    })?;
    Ok(Declared {
        edges: typed.edges(owner),
        references: typed.references(),
    })
}

/// Validates an aspect for an entity and returns what it declares. An aspect name mlcat does not
/// model is accepted as any JSON object and declares nothing.
pub fn validate(owner: &Urn, aspect: &str, value: &Value) -> Result<Declared, Error> {
    check_aspect_name("aspectName", aspect)?;
    if !value.is_object() {
        return Err(Error::Invalid {
            field: aspect.to_string(),
            message: format!("aspect {aspect} must be a JSON object"),
        });
    }
    let mut declared = match aspect {
        MlFeatureProperties::NAME => decode::<MlFeatureProperties>(owner, value)?,
        MlPrimaryKeyProperties::NAME => decode::<MlPrimaryKeyProperties>(owner, value)?,
        MlFeatureTableProperties::NAME => decode::<MlFeatureTableProperties>(owner, value)?,
        MlModelProperties::NAME => decode::<MlModelProperties>(owner, value)?,
        MlModelGroupProperties::NAME => decode::<MlModelGroupProperties>(owner, value)?,
        DatasetProperties::NAME => decode::<DatasetProperties>(owner, value)?,
        MlModelTrainingData::NAME => decode::<MlModelTrainingData>(owner, value)?,
        MlModelDeploymentProperties::NAME => decode::<MlModelDeploymentProperties>(owner, value)?,
        UpstreamLineage::NAME => decode::<UpstreamLineage>(owner, value)?,
        DataJobInputOutput::NAME => decode::<DataJobInputOutput>(owner, value)?,
        Status::NAME => decode::<Status>(owner, value)?,
        DataPlatformInfo::NAME => decode::<DataPlatformInfo>(owner, value)?,
        DataProcessInstanceProperties::NAME => {
            decode::<DataProcessInstanceProperties>(owner, value)?
        }
        MlTrainingRunProperties::NAME => decode::<MlTrainingRunProperties>(owner, value)?,
        DataProcessInstanceInput::NAME => decode::<DataProcessInstanceInput>(owner, value)?,
        DataProcessInstanceOutput::NAME => decode::<DataProcessInstanceOutput>(owner, value)?,
        DataProcessInstanceRelationships::NAME => {
            decode::<DataProcessInstanceRelationships>(owner, value)?
        }
        MlFeatureTablePublication::NAME => decode::<MlFeatureTablePublication>(owner, value)?,
        MlModelFeatureTableVersions::NAME => decode::<MlModelFeatureTableVersions>(owner, value)?,
        GlobalTags::NAME => decode::<GlobalTags>(owner, value)?,
        Ownership::NAME => decode::<Ownership>(owner, value)?,
        GlossaryTerms::NAME => decode::<GlossaryTerms>(owner, value)?,
        Domains::NAME => decode::<Domains>(owner, value)?,
        Deprecation::NAME => decode::<Deprecation>(owner, value)?,
        InstitutionalMemory::NAME => decode::<InstitutionalMemory>(owner, value)?,
        GroupMembership::NAME => decode::<GroupMembership>(owner, value)?,
        NativeGroupMembership::NAME => decode::<NativeGroupMembership>(owner, value)?,
        GlossaryTermInfo::NAME => decode::<GlossaryTermInfo>(owner, value)?,
        GlossaryNodeInfo::NAME => decode::<GlossaryNodeInfo>(owner, value)?,
        DomainProperties::NAME => decode::<DomainProperties>(owner, value)?,
        EditableSchemaMetadata::NAME => decode::<EditableSchemaMetadata>(owner, value)?,
        VersionProperties::NAME => decode::<VersionProperties>(owner, value)?,
        VersionSetProperties::NAME => decode::<VersionSetProperties>(owner, value)?,
        VersionSetAliases::NAME => decode::<VersionSetAliases>(owner, value)?,
        VersionSetLinks::NAME => decode::<VersionSetLinks>(owner, value)?,
        name if editable_aspect_name(owner.kind()) == Some(name) => {
            EditableProperties::deserialize(value).map_err(|e| not_valid(name, e))?;
            Declared::default()
        }
        _ => Declared::default(),
    };
    if let Some(platform) = owner.platform_urn() {
        declared.references.push(platform);
    }
    Ok(declared)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn urn(s: &str) -> Urn {
        Urn::parse(s).unwrap()
    }

    #[test]
    fn model_properties_declare_their_edges() {
        let model = urn("urn:li:mlModel:(urn:li:dataPlatform:science,m,PROD)");
        let declared = validate(
            &model,
            "mlModelProperties",
            &json!({
                "mlFeatures": ["urn:li:mlFeature:(t,f)"],
                "groups": ["urn:li:mlModelGroup:(urn:li:dataPlatform:science,g,PROD)"],
            }),
        )
        .unwrap();
        let got: Vec<(String, String, Relation)> = declared
            .edges
            .iter()
            .map(|e| (e.upstream.to_string(), e.downstream.to_string(), e.relation))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "urn:li:mlFeature:(t,f)".into(),
                    model.to_string(),
                    Relation::Consumes
                ),
                (
                    model.to_string(),
                    "urn:li:mlModelGroup:(urn:li:dataPlatform:science,g,PROD)".into(),
                    Relation::MemberOf
                ),
            ]
        );
        assert_eq!(
            declared.references[0].as_str(),
            "urn:li:dataPlatform:science"
        );
    }

    #[test]
    fn governance_aspects_declare_edges_from_their_entity() {
        let model = urn("urn:li:mlModel:(urn:li:dataPlatform:science,m,PROD)");
        let declared = validate(
            &model,
            "globalTags",
            &json!({"tags": [{"tag": "urn:li:tag:pii"}]}),
        )
        .unwrap();
        assert_eq!(
            declared.edges,
            vec![DeclaredEdge {
                upstream: model.clone(),
                downstream: urn("urn:li:tag:pii"),
                relation: Relation::TaggedWith,
            }]
        );
        let user = urn("urn:li:corpuser:ana");
        let declared = validate(
            &user,
            "groupMembership",
            &json!({"groups": ["urn:li:corpGroup:ml"]}),
        )
        .unwrap();
        assert_eq!(declared.edges[0].relation, Relation::IsMemberOfGroup);
        assert_eq!(declared.edges[0].upstream, user);
        let e = validate(&model, "groupMembership", &json!({"groups": []})).unwrap_err();
        assert!(message(e).contains("does not belong"));
        let e = validate(
            &user,
            "groupMembership",
            &json!({"groups": ["urn:li:tag:x"]}),
        );
        assert!(
            matches!(&e, Err(Error::Invalid { field, .. }) if field == "groupMembership.groups[0]"),
            "{e:?}"
        );
    }

    #[test]
    fn relation_sets_hold_what_they_were_made_of() {
        let lineage = RelationSet::lineage();
        assert!(Relation::LINEAGE.iter().all(|r| lineage.contains(*r)));
        assert!(!Relation::GOVERNANCE.iter().any(|r| lineage.contains(*r)));
        let two = RelationSet::of(&[Relation::IsPartOf, Relation::TaggedWith]);
        assert_eq!(
            two.relations().collect::<Vec<_>>(),
            [Relation::TaggedWith, Relation::IsPartOf]
        );
        for r in Relation::ALL {
            assert_eq!(Relation::parse(r.as_str()), Some(r));
        }
    }

    fn message(e: Error) -> String {
        e.public_message()
    }

    #[test]
    fn refuses_wrong_types_and_bad_enums() {
        let feature = urn("urn:li:mlFeature:(t,f)");
        let e = validate(
            &feature,
            "mlFeatureProperties",
            &json!({"dataType": "NOPE"}),
        )
        .unwrap_err();
        let e = message(e);
        assert!(e.contains("NOPE"), "{e}");
        let e = validate(
            &feature,
            "mlFeatureProperties",
            &json!({"sources": ["urn:li:mlModel:(urn:li:dataPlatform:x,m,PROD)"]}),
        )
        .unwrap_err();
        assert!(
            matches!(&e, Error::Invalid { field, .. } if field == "mlFeatureProperties.sources[0]"),
            "{e:?}"
        );
        let e = message(e);
        assert!(
            e.contains("sources[0]: expected a dataset or schemaField URN"),
            "{e}"
        );
        let e = message(validate(&feature, "mlModelProperties", &json!({})).unwrap_err());
        assert!(e.contains("does not belong to a mlFeature"), "{e}");
        let e = message(validate(&feature, "mlFeatureProperties", &json!([1])).unwrap_err());
        assert!(e.contains("JSON object"), "{e}");
    }

    #[test]
    fn unknown_fields_survive_a_round_trip() {
        let v = json!({"description": "d", "someFutureField": {"a": 1}, "customProperties": {}});
        let typed: MlFeatureTableProperties = serde_json::from_value(v.clone()).unwrap();
        assert_eq!(serde_json::to_value(typed).unwrap(), v);
    }
}
